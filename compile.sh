#!/usr/bin/env bash
# Builds dist/haz (a self-contained executable, with Bun) and dist/haz.mjs (one file that
# `deno run -A`, `bun` and `node` >= 20 can run).
#   ./compile.sh          both artefacts
#   ./compile.sh --deno   additionally try `deno compile` into dist/haz-deno
set -euo pipefail
cd "$(dirname "$0")"
bin=node_modules/.bin
[ -x "$bin/bun" ] || { echo "compile.sh: run 'npm ci' first (bun comes from the npm registry)" >&2; exit 2; }

mkdir -p dist
# --splitting keeps what a command does not need (YAML, the executor, BLAKE3) out of the start-up chunk.
# No autoloading: a `.env` or `bunfig.toml` in the user's directory must not change haz's environment.
"$bin/bun" build cli.ts --compile --splitting --minify --bytecode --no-compile-autoload-dotenv \
  --no-compile-autoload-bunfig --format=esm --outfile dist/haz
"$bin/bun" build cli.ts --target=node --format=esm --minify --outfile dist/haz.mjs

if [ "${1:-}" = "--deno" ]; then
  if "$bin/deno" compile -A --output dist/haz-deno cli.ts 2> dist/deno-compile.log; then
    echo "compile.sh: built dist/haz-deno with deno compile"
  else
    echo "compile.sh: deno compile failed; it downloads a base runtime (denort) from the network," >&2
    echo "which this machine cannot reach. dist/haz (Bun) and dist/haz.mjs are built. Details:" >&2
    sed 's/\x1b\[[0-9;]*m//g' dist/deno-compile.log | grep -m 2 -E "Download|error sending request" >&2
    exit 1
  fi
fi

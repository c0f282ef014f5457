#!/usr/bin/env bash
# Builds dist/haz (a self-contained executable, with Bun) and dist/haz.mjs (one file that
# `deno run -A` — also from an http(s) URL —, `bun` and `node` >= 20 can run).
#   ./compile.sh            both artefacts
#   ./compile.sh --bundle   only dist/haz.mjs
#   ./compile.sh --release  both, plus dist/release/: haz-<os>-<arch> for every supported platform,
#                           haz.mjs, install.sh and SHA256SUMS
#   ./compile.sh --deno     additionally try `deno compile` into dist/haz-deno
set -euo pipefail
cd "$(dirname "$0")"
bin=node_modules/.bin
[ -x "$bin/bun" ] || { echo "compile.sh: run 'npm ci' first (bun comes from the npm registry)" >&2; exit 2; }
mode=${1:-}

# The executable for one Bun target. --splitting keeps what a command does not need (YAML, the
# executor, BLAKE3) out of the start-up chunk. No autoloading: a `.env` or `bunfig.toml` in the
# user's directory must not change haz's environment.
compile() { # target, outfile
  "$bin/bun" build cli.ts --compile --target="$1" --splitting --minify --bytecode \
    --no-compile-autoload-dotenv --no-compile-autoload-bunfig --format=esm --outfile "$2"
}

mkdir -p dist
# --target=browser picks each package's plain-ESM build: yaml's Node build reaches `process` and
# `buffer` through `createRequire(import.meta.url)`, which throws when the bundle is loaded from an
# http(s) URL. The node: built-ins stay imports, which Deno, Bun and Node all provide. The `node`
# shebang makes it the npm package's `bin` (Bun runs such a bin itself with `bun --bun`).
"$bin/bun" build cli.ts --target=browser --external 'node:*' --format=esm --minify \
  --banner '#!/usr/bin/env node' --outfile dist/haz.mjs
chmod +x dist/haz.mjs
[ "$mode" = "--bundle" ] && exit 0
compile bun dist/haz

if [ "$mode" = "--release" ]; then
  # Windows is left out until process groups and signals have a Windows design (README).
  rm -rf dist/release && mkdir -p dist/release
  for platform in linux-x64 linux-x64-musl linux-arm64 darwin-x64 darwin-arm64; do
    compile "bun-$platform" "dist/release/haz-$platform"
  done
  cp dist/haz.mjs install.sh dist/release/
  (cd dist/release && sha256sum haz-* haz.mjs install.sh > SHA256SUMS)
  echo "compile.sh: dist/release/ holds $(wc -l < dist/release/SHA256SUMS) artefacts and SHA256SUMS"
fi

if [ "$mode" = "--deno" ]; then
  if "$bin/deno" compile -A --output dist/haz-deno cli.ts 2> dist/deno-compile.log; then
    echo "compile.sh: built dist/haz-deno with deno compile"
  else
    echo "compile.sh: deno compile failed; it downloads a base runtime (denort) from the network," >&2
    echo "which this machine cannot reach. dist/haz (Bun) and dist/haz.mjs are built. Details:" >&2
    sed 's/\x1b\[[0-9;]*m//g' dist/deno-compile.log | grep -m 2 -E "Download|error sending request" >&2
    exit 1
  fi
fi

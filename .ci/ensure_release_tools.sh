#!/usr/bin/env bash
# Installs what the release tests run the foreign executables with, when missing: Debian's
# `qemu-user-static` (linux-arm64 under qemu-user), `libc6-arm64-cross` (the arm64 glibc loader and
# libraries qemu is pointed at with -L) and `musl` (the musl loader). `apt-get update` runs only
# when the package lists are older than an hour (another CI step may just have refreshed them).
# Idempotent; prints apt's log on failure (exit 1).
set -uo pipefail
missing=()
[ -x /usr/bin/qemu-aarch64-static ] || missing+=(qemu-user-static)
[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || missing+=(libc6-arm64-cross)
[ -e /lib/ld-musl-x86_64.so.1 ] || missing+=(musl)
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n)
  else
    echo "ensure_release_tools: ${missing[*]} missing and neither root nor sudo is available" >&2
    exit 1
  fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
fresh=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null | head -1)
if ! { { [ -n "$fresh" ] || "${as_root[@]}" apt-get update -qq; } &&
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure_release_tools: could not install ${missing[*]} with apt-get" >&2
  exit 1
fi

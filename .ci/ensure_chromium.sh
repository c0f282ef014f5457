#!/usr/bin/env bash
# Installs Debian's `chromium` for the html graph browser test when /usr/bin/chromium is missing.
# Idempotent; prints nothing on success, apt's log on failure (exit 1).
set -uo pipefail
[ -x /usr/bin/chromium ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n)
  else
    echo "ensure_chromium: /usr/bin/chromium is missing and neither root nor sudo is available" >&2
    exit 1
  fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1 \
  || [ ! -x /usr/bin/chromium ]; then
  cat "$log" >&2
  echo "ensure_chromium: could not install chromium with apt-get" >&2
  exit 1
fi

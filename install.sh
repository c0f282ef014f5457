#!/bin/sh
# Installs haz: picks the executable for this machine from a release, checks it against the
# release's SHA256SUMS and installs it as `haz` into ~/.local/bin or the directory given.
#
#   sh install.sh [DIR]
#
# HAZ_INSTALL_BASE_URL  where the release's files are (default: the latest release of the project)
# HAZ_INSTALL_TARGET    an artefact other than this machine's, e.g. linux-x64-musl
#
# Exits 1, with nothing installed, when the machine is not supported, a download fails or the
# executable does not match its checksum.
set -eu

base_url=${HAZ_INSTALL_BASE_URL:-https://github.com/haz-build/haz/releases/latest/download}
install_dir=${1:-${HOME:?HOME is not set}/.local/bin}

fail() {
  echo "install.sh: $*" >&2
  exit 1
}

# glibc or musl: the musl loader can be present on a glibc system, so ask the C library itself.
linux_libc() {
  if getconf GNU_LIBC_VERSION > /dev/null 2>&1; then
    echo gnu
  elif ldd --version 2>&1 | grep -qi musl || ls /lib/ld-musl-*.so.1 > /dev/null 2>&1; then
    echo musl
  else
    echo gnu
  fi
}

detect_target() {
  os=$(uname -s)
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "no haz executable for the $arch architecture" ;;
  esac
  case "$os" in
    Linux)
      if [ "$(linux_libc)" = musl ]; then
        [ "$arch" = x64 ] || fail "no haz executable for musl on $arch"
        echo linux-x64-musl
      else
        echo "linux-$arch"
      fi
      ;;
    Darwin)
      # An x64 shell under Rosetta on Apple silicon still gets the native build.
      if [ "$arch" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2> /dev/null || echo 0)" = 1 ]; then
        arch=arm64
      fi
      echo "darwin-$arch"
      ;;
    *) fail "no haz executable for $os (Linux and macOS are supported; Windows is not yet)" ;;
  esac
}

download() { # url, file
  if command -v curl > /dev/null 2>&1; then
    curl -fsSL -o "$2" "$1"
  elif command -v wget > /dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    fail "neither curl nor wget is available to download $1"
  fi
}

sha256_of() { # file
  if command -v sha256sum > /dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum > /dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "neither sha256sum nor shasum is available to verify the download"
  fi
}

target=${HAZ_INSTALL_TARGET:-$(detect_target)}
asset="haz-$target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

download "$base_url/SHA256SUMS" "$work/SHA256SUMS" || fail "could not download $base_url/SHA256SUMS"
expected=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1 }' "$work/SHA256SUMS")
[ -n "$expected" ] || fail "$base_url/SHA256SUMS lists no $asset"
download "$base_url/$asset" "$work/$asset" || fail "could not download $base_url/$asset"
actual=$(sha256_of "$work/$asset")
if [ "$actual" != "$expected" ]; then
  fail "checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual; nothing was installed"
fi

mkdir -p "$install_dir"
chmod 755 "$work/$asset"
# Copied next to the destination first, so that the final rename replaces an older haz at once.
cp "$work/$asset" "$install_dir/.haz.installing.$$"
mv -f "$install_dir/.haz.installing.$$" "$install_dir/haz"
echo "installed haz ($target) into $install_dir/haz"
case ":$PATH:" in
  *":$install_dir:"*) ;;
  *) echo "add $install_dir to PATH to run it as 'haz'" ;;
esac

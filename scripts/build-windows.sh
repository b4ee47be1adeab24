#!/usr/bin/env bash
# Cross-builds the Windows binary on Linux:
#   target/x86_64-pc-windows-gnu/release/probe.exe
# Needs the target (`rustup target add x86_64-pc-windows-gnu`; added here when
# rustup is there) and Debian's MinGW-w64 linker (`apt-get install
# gcc-mingw-w64-x86-64`).
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target"
fi
command -v x86_64-w64-mingw32-gcc >/dev/null || {
  echo "x86_64-w64-mingw32-gcc is missing: apt-get install gcc-mingw-w64-x86-64" >&2
  exit 2
}
# shellcheck source=scripts/reproducible.sh
. scripts/reproducible.sh
cargo build --release --locked --target "$target" --config "$REPRODUCIBLE_CONFIG"
bin="target/$target/release/probe.exe"
echo "built $bin ($(wc -c <"$bin") bytes)"

#!/usr/bin/env bash
# Builds the fully static Linux binary:
#   bash scripts/build-static.sh            target/x86_64-unknown-linux-musl/release/probe
#   bash scripts/build-static.sh aarch64    target/aarch64-unknown-linux-musl/release/probe
# Needs the musl target (`rustup target add x86_64-unknown-linux-musl`; this
# script adds it when rustup is there). Rust's musl target brings its own C
# runtime; the C inside ring (TLS for the HTTP client) is compiled with
# Debian's musl-gcc (musl-tools) when it is there, else with gcc, which ring
# supports for this target. For aarch64, Debian's gcc-aarch64-linux-gnu
# (with libc6-dev-arm64-cross for its headers)
# compiles ring's C and links (with Rust's own musl start files).
#
# The build is reproducible (scripts/reproducible.sh): the same sources give
# the same bytes, wherever the checkout and the cargo home are.
#
# Fallback where the musl target cannot be had: a glibc build with a static
# C runtime, `RUSTFLAGS="-C target-feature=+crt-static" cargo build --release
# --target x86_64-unknown-linux-gnu` (static too, but glibc's name-service
# functions then warn; the probe only resolves host names in `tcp` checks).
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-x86_64}
case "$arch" in
  x86_64 | aarch64) ;;
  *) echo "build-static.sh: no such architecture: $arch (x86_64 or aarch64)" >&2; exit 2 ;;
esac
target=$arch-unknown-linux-musl
if command -v rustup >/dev/null; then
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
elif [ ! -d "$(rustc --print sysroot)/lib/rustlib/$target" ]; then
  echo "build-static.sh: the $target target is not installed and there is no rustup to add it" >&2
  echo "  (install it, or see this script's header for the glibc +crt-static fallback)" >&2
  exit 2
fi
if [ "$arch" = x86_64 ]; then
  if [ -z "${CC_x86_64_unknown_linux_musl:-}" ]; then
    if command -v x86_64-linux-musl-gcc >/dev/null; then :
    elif command -v musl-gcc >/dev/null; then export CC_x86_64_unknown_linux_musl=musl-gcc
    else export CC_x86_64_unknown_linux_musl=gcc
    fi
  fi
else
  command -v aarch64-linux-gnu-gcc >/dev/null || {
    echo "build-static.sh: aarch64-linux-gnu-gcc is missing: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross" >&2
    exit 2
  }
  export CC_aarch64_unknown_linux_musl=${CC_aarch64_unknown_linux_musl:-aarch64-linux-gnu-gcc}
  export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=${CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER:-aarch64-linux-gnu-gcc}
fi
# shellcheck source=scripts/reproducible.sh
. scripts/reproducible.sh
cargo="${CARGO:-cargo}"
"$cargo" build --release --locked --target "$target" --config "$REPRODUCIBLE_CONFIG"
bin="${CARGO_TARGET_DIR:-target}/$target/release/probe"
echo "built $bin ($(wc -c <"$bin") bytes)"

#!/usr/bin/env bash
# Builds the fully static Linux binary:
#   target/x86_64-unknown-linux-musl/release/probe
# Needs the musl target (`rustup target add x86_64-unknown-linux-musl`; this
# script adds it when rustup is there). Rust's musl target brings its own C
# runtime; the C inside ring (TLS for the HTTP client) is compiled with
# Debian's musl-gcc (musl-tools) when it is there, else with gcc, which ring
# supports for this target.
#
# Fallback where the musl target cannot be had: a glibc build with a static
# C runtime, `RUSTFLAGS="-C target-feature=+crt-static" cargo build --release
# --target x86_64-unknown-linux-gnu` (static too, but glibc's name-service
# functions then warn; the probe only resolves host names in `tcp` checks).
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
if command -v rustup >/dev/null; then
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
elif [ ! -d "$(rustc --print sysroot)/lib/rustlib/$target" ]; then
  echo "build-static.sh: the $target target is not installed and there is no rustup to add it" >&2
  echo "  (install it, or see this script's header for the glibc +crt-static fallback)" >&2
  exit 2
fi
if [ -z "${CC_x86_64_unknown_linux_musl:-}" ]; then
  if command -v x86_64-linux-musl-gcc >/dev/null; then :
  elif command -v musl-gcc >/dev/null; then export CC_x86_64_unknown_linux_musl=musl-gcc
  else export CC_x86_64_unknown_linux_musl=gcc
  fi
fi
cargo="${CARGO:-cargo}"
"$cargo" build --release --locked --target "$target"
bin="${CARGO_TARGET_DIR:-target}/$target/release/probe"
echo "built $bin ($(wc -c <"$bin") bytes)"

#!/usr/bin/env bash
# Builds the fully static Linux binary:
#   target/x86_64-unknown-linux-musl/release/probe
# Needs the musl target (`rustup target add x86_64-unknown-linux-musl`; this
# script adds it when rustup is there). Rust's musl target brings its own C
# runtime, so no musl-gcc is needed.
#
# Fallback where the musl target cannot be had: a glibc build with a static
# C runtime, `RUSTFLAGS="-C target-feature=+crt-static" cargo build --release
# --target x86_64-unknown-linux-gnu` (static too, but glibc's name-service
# functions then warn; the probe only resolves host names in `tcp` checks).
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target"
fi
cargo build --release --locked --target "$target"
bin="target/$target/release/probe"
echo "built $bin ($(wc -c <"$bin") bytes)"

#!/usr/bin/env bash
# A short run of every fuzz target (docs/fuzzing.md): each from its
# committed corpus, for FUZZ_SECONDS (default 20, at most 60) seconds. Fails
# on a crash, whose input is left in fuzz/artifacts/<target>/.
#
# Needs a nightly toolchain (cargo-fuzz builds with -Z flags); without one
# it says so loudly and exits 0, as the brief for machines without nightly
# asks. cargo-fuzz itself is installed when missing.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${FUZZ_SECONDS:-20}"
[ "$seconds" -le 60 ] || seconds=60

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  printf '\n**********\nSKIPPED: no nightly toolchain here, so no fuzzing (rustup toolchain install nightly)\n**********\n' >&2
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo +stable install cargo-fuzz --locked
fi
targets=$(cargo +nightly fuzz list)
# One build for all; no sanitizer: the probe is Rust without unsafe in
# these parsers, and panics are what is looked for. Unoptimised: it builds
# in half the time, and a smoke run of seconds needs coverage more than
# speed (the long runs of docs/fuzzing.md are optimised, `-O`).
cargo +nightly fuzz build --dev -s none
for target in $targets; do
  echo "== fuzz $target for ${seconds}s"
  # The corpus is read, not grown: new inputs go to a scratch directory.
  scratch=$(mktemp -d)
  status=0
  cargo +nightly fuzz run --dev -s none "$target" "$scratch" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=2048 -print_final_stats=1 >"$scratch.log" 2>&1 || status=$?
  grep -E '^Done|panicked|ERROR|SUMMARY' "$scratch.log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$scratch.log" >&2
    echo "FAIL: fuzz target $target crashed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  rm -rf "$scratch" "$scratch.log"
done

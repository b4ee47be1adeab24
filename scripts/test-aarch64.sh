#!/usr/bin/env bash
# The aarch64 build's own tests, run under qemu-user-static (Debian's
# qemu-user-static; no binfmt registration needed): the library's tests for
# aarch64-unknown-linux-musl (every kind, the run path in-process, the
# reports, the fleet), then the static aarch64 binary itself on a spec made
# here and on the shipped rust spec.
set -euo pipefail
cd "$(dirname "$0")/.."
target=aarch64-unknown-linux-musl
qemu=$(command -v qemu-aarch64-static || true)
[ -n "$qemu" ] || { echo "test-aarch64.sh: qemu-aarch64-static is missing: apt-get install qemu-user-static" >&2; exit 2; }
command -v aarch64-linux-gnu-gcc >/dev/null || {
  echo "test-aarch64.sh: aarch64-linux-gnu-gcc is missing: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross" >&2
  exit 2
}
if command -v rustup >/dev/null; then
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
fi
export CC_aarch64_unknown_linux_musl=${CC_aarch64_unknown_linux_musl:-aarch64-linux-gnu-gcc}
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=${CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER:-aarch64-linux-gnu-gcc}
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUNNER="$qemu"

echo "== the library's tests, aarch64, under qemu"
# Some tests do not hold under qemu-user, and are left out here only:
# - those that read megabytes of a command's output through `cat` under a
#   test timeout, which emulation (and a busy machine) makes many times
#   slower: the stream reader they test is the same code on every
#   architecture, and they pass natively;
# - one kills what escaped a timed-out command's process group through the
#   child subreaper (PR_SET_CHILD_SUBREAPER), which the emulated process
#   does not get from qemu-user here; whether it holds on real arm64
#   hardware is not known until it runs there;
# - one looks for the test binary among the processes, where qemu's name
#   stands instead.
cargo test --locked --target "$target" --lib -- \
  --skip world::exec::tests::output_is_capped_but_counted \
  --skip world::exec::tests::output_still_coming_when_the_command_ends_is_read_to_its_end \
  --skip world::exec::tests::a_long_line_past_the_cap_is_read_to_its_end_in_windows \
  --skip world::exec::tests::kept_lines_are_bounded_in_number_too_and_keep_their_indentation \
  --skip world::exec::tests::the_line_the_cap_cuts_is_matched_whole \
  --skip world::exec::tests::what_escapes_the_process_group_dies_with_a_timed_out_command \
  --skip world::real::tests::processes_include_this_test_binary

echo "== the static aarch64 binary, under qemu"
bash scripts/build-static.sh aarch64 >/dev/null
bin="${CARGO_TARGET_DIR:-target}/$target/release/probe"
file "$bin" | grep -q "ARM aarch64" || { echo "FAIL: not an aarch64 binary: $(file "$bin")" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/probes" "$work/bin"
printf '#!/bin/sh\necho "Lua 5.4.6  Copyright (C) 1994-2023 Lua.org"\n' >"$work/bin/lua"
chmod +x "$work/bin/lua"
printf 'checks:\n  - command: lua\n    version: ">=5.3, <5.5"\n    args: [-v]\n  - absent: python2\n  - env: HOME\n' >"$work/probes/lua.yaml"
out=$(PATH="$work/bin:/usr/bin:/bin" "$qemu" "$bin" --probes "$work/probes" --resource lua --format json)
echo "$out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["summary"]["ok"] is True, r["summary"]
lua = [c for c in r["checks"] if c["kind"] == "command"][0]
assert lua["actual"] == "5.4.6", lua
assert r["host"]["arch"] == "aarch64", r["host"]
print("aarch64 binary: lua 5.4.6 read, %d checks passed, arch %s" % (len(r["checks"]), r["host"]["arch"]))
'
# A failing check fails it, with exit status 1.
printf '#!/bin/sh\necho "Lua 5.1.5"\n' >"$work/bin/lua"
set +e
PATH="$work/bin:/usr/bin:/bin" "$qemu" "$bin" --probes "$work/probes" --resource lua >"$work/out" 2>&1
status=$?
set -e
[ "$status" = 1 ] && grep -q "lua 5.1.5 is not in >=5.3, <5.5" "$work/out" ||
  { echo "FAIL: a failing check gave exit status $status:" >&2; cat "$work/out" >&2; exit 1; }
echo "aarch64 binary: a failing check exits 1, naming it"
"$qemu" "$bin" --probes probes --resource rust

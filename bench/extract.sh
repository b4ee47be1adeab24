#!/usr/bin/env bash
# What reading versions costs: the instructions `version::extract` executes
# (inclusive, callgrind) in one probe run of six version checks (python3,
# java, git, cargo, rustc, perl, each `>=` a major version), and the
# functions under it. Instructions repeat exactly from run to run where
# seconds do not (docs/performance.md, "Instructions, not seconds"), so two
# builds compare by this count. Also the time of the version corpus test
# (about 2 300 real outputs), as a second number.
#
#   bench/extract.sh        needs valgrind (callgrind_annotate) and the six tools
#
# The counts depend on what the tools print on this machine (their versions),
# so only counts taken on one machine compare.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind is missing" >&2; exit 2; }
versions=("python3|--version|3" "java|-version|11" "git|--version|2" "cargo|--version|1" "rustc|--version|1" "perl|--version|5")
for v in "${versions[@]}"; do
  command -v "${v%%|*}" >/dev/null || { echo "${v%%|*} is needed for this benchmark" >&2; exit 2; }
done

# A release build as shipped, with the symbols callgrind names functions by.
export CARGO_PROFILE_RELEASE_DEBUG=1 CARGO_PROFILE_RELEASE_STRIP=false
cargo build --release --quiet
probe="$PWD/target/release/probe"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/probes"
{
  echo "checks:"
  for v in "${versions[@]}"; do
    IFS='|' read -r name args major <<<"$v"
    printf '  - command: %s\n    args: [%s]\n    version: ">=%s"\n' "$name" "$args" "$major"
  done
} >"$work/probes/agent.yaml"
"$probe" --probes "$work/probes" -r agent -q >/dev/null

valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
  "$probe" --probes "$work/probes" -r agent -q >/dev/null 2>"$work/valgrind.log"
callgrind_annotate --inclusive=yes "$work/callgrind.out" >"$work/annotated.txt"
total=$(awk '/PROGRAM TOTALS/ {print $1; exit}' "$work/annotated.txt")
echo "whole probe process: $total instructions"
echo "version::extract and what it calls (inclusive):"
grep -E 'version::extract' "$work/annotated.txt" | grep -v '=>' | head -n 15

# The corpus, timed: every output of both corpora through `extract` (the
# test binary is built first, so only the run is timed).
cargo test --release --quiet --lib version::corpus --no-run 2>/dev/null
start=$(date +%s%N)
cargo test --release --quiet --lib version::corpus >/dev/null 2>&1
end=$(date +%s%N)
echo "corpus test (both corpora, release): $(((end - start) / 1000000)) ms"

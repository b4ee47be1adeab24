#!/usr/bin/env bash
# Benchmarks the probe with hyperfine (Debian package `hyperfine`).
#
#   bench/run.sh            build a release binary and print markdown tables
#
# 1. 100 checks that spawn nothing (env, files, PATH, absent commands): the
#    whole process must take <= 5 ms.
# 2. Six version checks, against the floor (spawning the same six commands
#    concurrently, doing nothing with their output) and a sequential sh script
#    that checks the same versions: the probe must be <= 1.1x the floor and
#    faster than the script.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v hyperfine >/dev/null || {
  echo "hyperfine is missing: apt-get install hyperfine" >&2
  exit 2
}
cargo build --release --quiet
probe="$PWD/target/release/probe"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- 1. checks that spawn nothing -------------------------------------------
mkdir -p "$work/nospawn"
{
  echo "description: 100 checks that spawn nothing"
  echo "checks:"
  for i in $(seq 1 25); do
    echo "  - env: HOME"
    echo "  - file: /etc/hostname"
    echo "  - absent: no-such-tool-$i"
    echo "  - path_contains: /usr/bin"
  done
} >"$work/nospawn/nospawn.yaml"

# --- 2. version checks ------------------------------------------------------
# name|args|range ; only tools present on this machine are used.
candidates=(
  "python3|--version|>=3"
  "java|-version|>=8"
  "git|--version|>=2"
  "cargo|--version|>=1"
  "rustc|--version|>=1"
  "perl|--version|>=5"
  "node|--version|>=12"
)
mkdir -p "$work/versions"
spec="$work/versions/versions.yaml"
floor="$work/floor.sh"
script="$work/sequential.sh"
echo "checks:" >"$spec"
printf '#!/bin/sh\n' >"$floor"
printf '#!/bin/sh\nset -e\n' >"$script"
used=()
for c in "${candidates[@]}"; do
  IFS='|' read -r name args range <<<"$c"
  command -v "$name" >/dev/null || continue
  [ "${#used[@]}" -lt 6 ] || break
  used+=("$name")
  major=${range#>=}
  printf '  - command: %s\n    args: [%s]\n    version: "%s"\n' "$name" "$args" "$range" >>"$spec"
  printf '%s %s >/dev/null 2>&1 &\n' "$name" "$args" >>"$floor"
  # What a careful hand-written check does: run, take the first version-like
  # token from stdout+stderr, compare its major number.
  cat >>"$script" <<SH
v=\$($name $args 2>&1 | grep -oE '[0-9]+(\.[0-9]+)+' | head -n1)
[ "\${v%%.*}" -ge $major ] || { echo "$name \$v is too old"; exit 1; }
SH
done
printf 'wait\n' >>"$floor"
chmod +x "$floor" "$script"
echo "version commands: ${used[*]}"

echo
echo "## 100 checks that spawn nothing"
hyperfine -N --warmup 20 --runs 200 --style basic --export-markdown "$work/nospawn.md" \
  "$probe --probes $work/nospawn --resource nospawn --quiet" >/dev/null
cat "$work/nospawn.md"

echo
echo "## ${#used[@]} version checks"
hyperfine --warmup 3 --runs 30 --style basic --export-markdown "$work/versions.md" \
  -n "spawn concurrently (floor)" "$floor" \
  -n "probe" "$probe --probes $work/versions --resource versions --quiet" \
  -n "sequential sh script" "$script" >/dev/null
cat "$work/versions.md"

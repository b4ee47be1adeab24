#!/usr/bin/env bash
# Builds the static Linux binary and fails when it is over the size budget.
# The budget is in bytes of the stripped release binary (ls -l / wc -c).
set -euo pipefail
cd "$(dirname "$0")/.."
budget=$((3584 * 1024))
bash scripts/build-static.sh
bin=target/x86_64-unknown-linux-musl/release/probe
size=$(wc -c <"$bin")
# `file` says whether the binary is static; it is installed where missing,
# never skipped.
if ! command -v file >/dev/null && command -v apt-get >/dev/null; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo -n); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends file
fi
command -v file >/dev/null || { echo "FAIL: \`file\` is missing (apt-get install file): cannot tell whether the binary is static" >&2; exit 2; }
file "$bin" | grep -q "static" || { echo "FAIL: not statically linked: $(file "$bin")" >&2; exit 1; }
awk -v s="$size" -v b="$budget" 'BEGIN { printf "static binary: %d bytes (%.2f MiB); budget %d bytes (3.5 MiB)\n", s, s / 1048576, b }'
# The file grows in whole pages; the sections' total moves with every byte
# of code, so a change too small to move the file is still seen.
if command -v size >/dev/null; then
  size -A "$bin" | awk '$1 == "Total" { printf "sections: %d bytes in all (size -A)\n", $2 }'
fi
if [ "$size" -gt "$budget" ]; then
  echo "FAIL: the static binary is over its size budget by $((size - budget)) bytes" >&2
  exit 1
fi

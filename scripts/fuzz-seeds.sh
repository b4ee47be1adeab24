#!/usr/bin/env bash
# Picks each fuzz target's committed seeds (docs/fuzzing.md, "The corpus"):
# from a grown corpus (a fuzz run's output directory, or the committed
# seeds plus new inputs), at most 200 files that together cover the most
# of what libFuzzer counts (its "features"), chosen greedily from the
# per-file features of a `-merge=1` pass. Replaces fuzz/corpus/<target>/.
#
#   scripts/fuzz-seeds.sh TARGET GROWN_DIR [MAX_FILES]
#
# Needs the fuzz targets built (`cd fuzz && cargo +nightly fuzz build -O -s none`).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
target="$1"; grown="$(cd "$2" && pwd)"; max="${3:-200}"
bin=$(ls -d target/*/release 2>/dev/null | head -1)/"$target"
[ -x "$bin" ] || { echo "build the fuzz targets first: cd fuzz && cargo +nightly fuzz build -O -s none" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" -merge=1 -merge_control_file="$work/control" -max_len=65536 "$work/merged" "$grown" >"$work/log" 2>&1 ||
  { mkdir -p "$work/merged"; "$bin" -merge=1 -merge_control_file="$work/control" -max_len=65536 "$work/merged" "$grown" >"$work/log" 2>&1; }
python3 - "$work/control" "$grown" "corpus/$target" "$max" <<'PY'
import os, shutil, sys
control, grown, out, most = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lines = open(control).read().split("\n")
n = int(lines[0])
files = lines[2:2 + n]
features = {}
for line in lines[2 + n:]:
    if line.startswith("FT "):
        parts = line.split()
        features[int(parts[1])] = set(parts[2:])
everything = set().union(*features.values()) if features else set()
chosen, covered = [], set()
while len(chosen) < most and features:
    best = max(features, key=lambda i: (len(features[i] - covered), -os.path.getsize(files[i])))
    if not features[best] - covered:
        break
    covered |= features.pop(best)
    chosen.append(files[best])
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
for path in chosen:
    shutil.copy(path, os.path.join(out, os.path.basename(path)))
print(f"{out}: {len(chosen)} of {n} files, {len(covered)} of {len(everything)} features")
PY

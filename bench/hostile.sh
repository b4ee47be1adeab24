#!/usr/bin/env bash
# What hostile tools cost the probe: wall-clock and CPU time (GNU time's
# user time, the probe and its children) of one check each.
#
# 1. a tool printing 1 MiB on one line, against a costly pattern with a
#    1 s timeout: matching must stop at the check's deadline;
# 2. a tool printing 10 MiB of noise, then its version: the version is
#    found past the output cap, in bounded memory;
# 3. the same 10 MiB with a pattern that only matches its last line.
#
#   bench/hostile.sh      needs GNU time (apt-get install time)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install time" >&2; exit 2; }
bash scripts/build-static.sh >/dev/null
probe="$PWD/target/x86_64-unknown-linux-musl/release/probe"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/probes"
printf '#!/bin/sh\nhead -c 1048576 /dev/zero | tr "\\\\0" a\n' >"$work/bin/oneline"
printf '#!/bin/sh\nyes "%s" | head -n 100000\necho "noisy version 3.2.1"\n' "$(printf 'x%.0s' $(seq 99))" >"$work/bin/noisy"
chmod +x "$work/bin/"*
cat >"$work/probes/hostile.yaml" <<'YAML'
checks:
  - run: [oneline]
    stdout: '[a-z]{100}Z'
    timeout: 1s
  - command: noisy
    version: '>=3'
  - run: [noisy]
    stdout: '^noisy version'
YAML
for i in 0 1 2; do
  PATH="$work/bin:$PATH" /usr/bin/time -f "%e s wall, %U s user, %M KiB max RSS" \
    "$probe" --probes "$work/probes" -r hostile --no-common --jobs 1 -q \
    --format json >"$work/out.json" 2>"$work/time.txt" || true
  echo "run $i: $(tail -1 "$work/time.txt")"
done
python3 - "$work/out.json" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))["checks"]:
    print(f'{c["status"]:6} {c["name"]}: {c["message"][:110]}')
PY

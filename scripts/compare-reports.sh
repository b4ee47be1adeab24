#!/usr/bin/env bash
# Compares the reports of two builds of the probe, byte for byte once run
# times, dates and measured sizes are masked. For refactorings that must not
# change what a user sees.
#
#   scripts/compare-reports.sh BASE           BASE (a git revision) vs. the working tree
#   scripts/compare-reports.sh BASE HEAD      two revisions
#
# Each build runs, in every format (json, junit, human, html):
#   - `--all` on the shipped probes/ (this machine's facts, both runs alike);
#   - `--all` on tests/fixtures/reports/, specs that use every check kind on
#     fake tools, passing and failing, including a timeout and a missing tool;
#   - agent mode on the same fixtures, as a GoCD job would run it.
# Exits 1 and shows the diff when any report differs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
base=${1:?usage: scripts/compare-reports.sh BASE [HEAD]}
head=${2:-}
work="$root/target/compare-reports"
mkdir -p "$work"

# Builds revision $1 (empty: the working tree) and prints the binary's path.
build() {
  local rev=$1 name=$2
  if [ -z "$rev" ]; then
    cargo build --release --quiet >&2
    echo "$root/target/release/probe"
    return
  fi
  local tree="$work/tree-$name"
  rm -rf "$tree"
  git worktree prune
  git worktree add --detach --force "$tree" "$rev" >&2
  (cd "$tree" && CARGO_TARGET_DIR="$work/target-$name" cargo build --release --quiet >&2)
  git worktree remove --force "$tree" >&2
  echo "$work/target-$name/release/probe"
}

# Run times, dates and sizes measured on this machine differ between any
# two runs; everything else must not.
mask() {
  sed -E \
    -e 's/"(duration_ms|started_at)": [^,]*/"\1": X/g' \
    -e 's/(time|timestamp)="[^"]*"/\1="X"/g' \
    -e 's/[0-9]+(\.[0-9]+)? ?(ms|s|min)\b/<duration>/g' \
    -e 's/[0-9]+(\.[0-9]+)? (B|KiB|MiB|GiB|TiB)\b/<size>/g' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z?/<date>/g'
}

# Runs every report of binary $1 into directory $2.
reports() {
  local bin=$1 out=$2
  rm -rf "$out"
  mkdir -p "$out"
  local fixture="$root/tests/fixtures/reports"
  for format in json junit human html; do
    (cd "$root" && env -u PROBE_PATH "$bin" --all --format "$format" --color never \
      >"$out/shipped.$format" 2>"$out/shipped.$format.err" || true)
    (cd "$fixture" && env -i PATH="$fixture/bin:/usr/bin:/bin" HOME=/nonexistent \
      FIXTURE_SET=value FIXTURE_TOKEN=fixture-secret-value FIXTURE_DIR="$fixture" \
      "$bin" --all --format "$format" --color never \
      >"$out/fixture.$format" 2>"$out/fixture.$format.err" || true)
    (cd "$fixture" && env -i PATH="$fixture/bin:/usr/bin:/bin" HOME=/nonexistent \
      FIXTURE_SET=value FIXTURE_DIR="$fixture" \
      GO_AGENT_RESOURCES="system,unknown-resource" GO_PIPELINE_NAME=agent-infrastructure \
      GO_PIPELINE_COUNTER=7 GO_STAGE_NAME=check GO_STAGE_COUNTER=1 GO_JOB_NAME=probe-runOnAll-2 \
      "$bin" --agent --format "$format" --color never \
      >"$out/agent.$format" 2>"$out/agent.$format.err" || true)
  done
  for f in "$out"/*; do
    mask <"$f" >"$f.masked"
    mv "$f.masked" "$f"
  done
}

bin_base=$(build "$base" base)
bin_head=$(build "$head" head)
reports "$bin_base" "$work/base"
reports "$bin_head" "$work/head"
if diff -ru "$work/base" "$work/head"; then
  echo "identical: $(ls "$work/base" | wc -l) reports of ${base} and ${head:-the working tree}"
else
  echo "FAIL: the reports differ (above)" >&2
  exit 1
fi

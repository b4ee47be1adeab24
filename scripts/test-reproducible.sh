#!/usr/bin/env bash
# Proves the x86_64 release binary reproducible: the binary built in this
# checkout (scripts/build-static.sh) and one built from the same commit
# exported to another path, with another target folder, must be the same
# bytes. What makes that true is in scripts/reproducible.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git diff --quiet HEAD -- . ':!dist' 2>/dev/null; then
  echo "test-reproducible.sh: the checkout has uncommitted changes; the commit is what is rebuilt (commit or stash them first)" >&2
  exit 2
fi
bash scripts/build-static.sh x86_64 >/dev/null
here="${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-musl/release/probe"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
other="$work/somewhere/else/probe-src"
mkdir -p "$other"
git archive HEAD | tar -x -C "$other"
(cd "$other" && CARGO_TARGET_DIR="$work/other-target" bash scripts/build-static.sh x86_64 >/dev/null)
there="$work/other-target/x86_64-unknown-linux-musl/release/probe"
sha256sum "$here" "$there"
if cmp -s "$here" "$there"; then
  echo "reproducible: both builds are $(wc -c <"$here") identical bytes"
else
  echo "FAIL: two builds of $(git rev-parse --short HEAD) differ: $(cmp "$here" "$there" | head -n 1)" >&2
  exit 1
fi

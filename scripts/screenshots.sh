#!/usr/bin/env bash
# Remakes docs/images/*.png, the pages shown in the README, from the browser
# tests (tests/it/browser.rs): the same generated 40-agent fleet and agent
# report they check, as Chromium shows them. Needs Debian's chromium and
# chromium-driver.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/images
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PROBE_REQUIRE_BROWSER=1 PROBE_SCREENSHOTS="$tmp" cargo test --test it browser:: -- --test-threads=1
mkdir -p "$out"
cp "$tmp/fleet-1400.png" "$out/fleet.png"
cp "$tmp/fleet-800.png" "$out/fleet-800.png"
cp "$tmp/agent-800.png" "$out/agent.png"
ls -l "$out"

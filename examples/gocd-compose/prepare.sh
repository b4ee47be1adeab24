#!/usr/bin/env bash
# Puts what the agent images COPY into this folder, their build context:
#   probe    the static Linux binary, built by scripts/build-static.sh
#   probes/  a copy of the repository's specs, for the build-time self-check
# Both are git-ignored. Run it again after changing the probe or the specs.
#
#   ./prepare.sh                         # build the static binary, then copy
#   PROBE_BIN=/path/to/probe ./prepare.sh  # use a binary you already have
#
# The images are linux/amd64 unless you say otherwise: on an arm64 host
# (Apple silicon), build for aarch64-unknown-linux-musl and pass it as
# PROBE_BIN.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ -n "${PROBE_BIN:-}" ]; then
  bin="$PROBE_BIN"
else
  "$root/scripts/build-static.sh"
  bin="$root/target/x86_64-unknown-linux-musl/release/probe"
fi
[ -f "$bin" ] || { echo "prepare.sh: no probe binary at $bin" >&2; exit 1; }

install -m 0755 "$bin" "$here/probe"
rm -rf "$here/probes"
cp -R "$root/probes" "$here/probes"

# Catch a broken spec here rather than halfway through an image build.
if [ "$(uname -s)" = Linux ] && "$here/probe" --version >/dev/null 2>&1; then
  "$here/probe" lint --probes "$here/probes"
fi
echo "prepare.sh: $here/probe and $here/probes/ are ready; now: docker compose up -d"

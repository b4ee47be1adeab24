#!/usr/bin/env bash
# Checks what scripts/release.sh wrote in dist/ (CI runs it after the
# release): the checksums, each archive's contents, the binaries, the SBOM
# against the crates really in the binary, and the README's install
# commands, run as written (with HOME in a temporary folder).
set -euo pipefail
cd "$(dirname "$0")/.."
dist=$(pwd -P)/dist
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== checksums"
(cd "$dist" && sha256sum -c SHA256SUMS)
for f in "probe-$version-x86_64-linux-musl.tar.gz" "probe-$version-aarch64-linux-musl.tar.gz" \
  "probe-$version-x86_64-windows.zip" "probe-$version.cdx.json"; do
  grep -q "  $f\$" "$dist/SHA256SUMS" || fail "SHA256SUMS does not list $f"
done

echo "== archives"
expect() {
  local listing=$1 name=$2 bin=$3
  for path in "$name/$bin" "$name/README.md" "$name/LICENSE" "$name/probes/common.yaml" \
    "$name/completions/probe.bash" "$name/completions/_probe" "$name/completions/probe.fish" \
    "$name/completions/_probe.ps1" "$name/man/probe.1" "$name/man/probe-fleet.1"; do
    grep -qx "$path" "$listing" || fail "$name lacks $path"
  done
  for spec in probes/*.yaml; do
    grep -qx "$name/$spec" "$listing" || fail "$name lacks $spec"
  done
}
for arch in x86_64 aarch64; do
  name="probe-$version-$arch-linux-musl"
  tar -tzf "$dist/$name.tar.gz" | sed 's:/$::' >"$work/$arch.list"
  expect "$work/$arch.list" "$name" probe
  tar -xzf "$dist/$name.tar.gz" -C "$work"
  file "$work/$name/probe" | grep -q "statically linked\|static-pie" || fail "$name/probe is not static: $(file "$work/$name/probe")"
done
file "$work/probe-$version-x86_64-linux-musl/probe" | grep -q "x86-64" || fail "the x86_64 archive's binary is not x86-64"
file "$work/probe-$version-aarch64-linux-musl/probe" | grep -q "aarch64" || fail "the aarch64 archive's binary is not aarch64"
"$work/probe-$version-x86_64-linux-musl/probe" --version | grep -qx "probe $version" || fail "the x86_64 binary does not say probe $version"
name="probe-$version-x86_64-windows"
python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$dist/$name.zip" >"$work/windows.list"
expect "$work/windows.list" "$name" probe.exe
# Archives carry no owner and one date.
tar -tvzf "$dist/probe-$version-x86_64-linux-musl.tar.gz" | awk '{print $2}' | sort -u | grep -qx "0/0" || fail "archive entries are not owned by 0/0"

echo "== SBOM"
cargo tree --locked -e normal --target x86_64-unknown-linux-musl --prefix none --format '{p}' |
  sed 's/ (.*//; s/ v/ /' | sort -u >"$work/crates"
python3 - "$dist/probe-$version.cdx.json" "$work/crates" <<'PY'
import json, sys
bom = json.load(open(sys.argv[1]))
assert bom.get("bomFormat") == "CycloneDX", "not a CycloneDX document"
listed = {}
for c in bom.get("components", []):
    listed[(c["name"], c.get("version", ""))] = c
root = bom.get("metadata", {}).get("component", {})
wanted = set()
for line in open(sys.argv[2]):
    name, version = line.split()
    wanted.add((name, version))
wanted.discard((root.get("name"), root.get("version")))
missing = sorted(wanted - set(listed))
assert not missing, "the SBOM lacks crates in the binary: %s" % missing
# cargo-cyclonedx also lists an optional dependency that Cargo.lock holds
# but no enabled feature builds (aho-corasick, for regex's literal
# optimisations, which are off): said, not failed.
extra = sorted(set(listed) - wanted)
if extra:
    print("note: the SBOM also lists crates cargo tree does not build: %s" % extra)
unlicensed = sorted(n for (n, v), c in listed.items() if not c.get("licenses"))
assert not unlicensed, "crates without a licence in the SBOM: %s" % unlicensed
print("SBOM: %d crates, each with its version and licence" % len(listed))
PY

echo "== the README's install commands"
block=$(awk '/^<!-- install:start -->$/{on=1; next} /^<!-- install:end -->$/{on=0} on' README.md |
  sed -n '/^```sh$/,/^```$/p' | sed '/^```/d')
[ -n "$block" ] || fail "README.md has no install block between <!-- install:start --> and <!-- install:end -->"
mkdir -p "$work/home" "$work/download"
cp "$dist"/* "$work/download/"
(cd "$work/download" && HOME="$work/home" PATH="$work/home/.local/bin:$PATH" bash -euxo pipefail -c "$block")
"$work/home/.local/bin/probe" --version | grep -qx "probe $version" || fail "the installed probe does not run"
echo "verified dist/"

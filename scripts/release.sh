#!/usr/bin/env bash
# Writes dist/, every release artifact; the one command CI's build stage and
# a maintainer both run:
#
#   dist/probe-VERSION-x86_64-linux-musl.tar.gz    static binary
#   dist/probe-VERSION-aarch64-linux-musl.tar.gz   static binary, arm64
#   dist/probe-VERSION-x86_64-windows.zip          probe.exe
#   dist/probe-VERSION.cdx.json                    SBOM (CycloneDX JSON): every
#                                                  crate in the binary, its
#                                                  version and licence
#   dist/SHA256SUMS                                sha256sum -c checks them all
#
# Each archive holds probe-VERSION-PLATFORM/ with the binary, README.md,
# LICENSE, the shipped probes/, completions/ (bash, zsh, fish, PowerShell)
# and man/ (probe.1 and a page per subcommand), generated here by clap's own
# generators (examples/completions/), which never go into the binary.
#
# Where a Docker engine answers, it also builds the image to copy the binary
# from (Dockerfile, FROM scratch: /probe and /probes/), for both
# architectures: probe:VERSION-amd64 and probe:VERSION-arm64, and
# probe:VERSION for this machine's. --no-image skips it.
#
# Reproducible: the binaries are (scripts/reproducible.sh), and so are the
# archives: entries sorted, owned by 0:0, dated SOURCE_DATE_EPOCH (the
# commit's time unless set), gzip without a name or time.
#
# Needs: the musl and Windows targets (added through rustup), Debian's
# musl-tools (or gcc), gcc-aarch64-linux-gnu, gcc-mingw-w64-x86-64, python3,
# and cargo-cyclonedx (`cargo install cargo-cyclonedx --locked`).
set -euo pipefail
cd "$(dirname "$0")/.."

image=1
for arg in "$@"; do
  case "$arg" in
    --no-image) image= ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "release.sh: unknown argument $arg (--no-image, --help)" >&2; exit 2 ;;
  esac
done

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || { echo "release.sh: no version in Cargo.toml" >&2; exit 2; }
command -v cargo-cyclonedx >/dev/null || {
  echo "release.sh: cargo-cyclonedx is missing: cargo install cargo-cyclonedx --locked" >&2
  exit 2
}
# shellcheck source=scripts/reproducible.sh
. scripts/reproducible.sh

dist=dist
rm -rf "$dist"
mkdir -p "$dist"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

echo "== binaries"
bash scripts/build-static.sh x86_64
bash scripts/build-static.sh aarch64
bash scripts/build-windows.sh
target=${CARGO_TARGET_DIR:-target}

echo "== completions and man pages"
cargo run --quiet --locked --example completions -- "$stage/generated"

# One archive's folder: the binary, the docs every archive carries.
fill() {
  local dir=$1 bin=$2
  mkdir -p "$dir"
  cp "$bin" "$dir/"
  cp README.md LICENSE "$dir/"
  cp -R probes "$dir/probes"
  cp -R "$stage/generated/completions" "$dir/completions"
  cp -R "$stage/generated/man" "$dir/man"
}

# A tar.gz whose bytes depend only on what is in it.
tarball() {
  local name=$1
  (cd "$stage" && find "$name" -print0 | LC_ALL=C sort -z |
    tar --null --no-recursion -T - --owner=0 --group=0 --numeric-owner \
      --mtime="@$SOURCE_DATE_EPOCH" --mode='u+rwX,go+rX,go-w' -cf -) |
    gzip -n -9 >"$dist/$name.tar.gz"
}

# A zip likewise: sorted entries, one date, fixed permissions.
zipball() {
  local name=$1
  python3 - "$stage" "$name" "$dist/$name.zip" "$SOURCE_DATE_EPOCH" <<'PY'
import os, sys, time, zipfile
root, name, out, epoch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
# A zip's dates start in 1980.
date = time.gmtime(max(epoch, 315532800))[:6]
paths = []
for folder, dirs, files in os.walk(os.path.join(root, name)):
    for f in files:
        paths.append(os.path.relpath(os.path.join(folder, f), root))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for path in sorted(paths):
        info = zipfile.ZipInfo(path.replace(os.sep, "/"), date)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with open(os.path.join(root, path), "rb") as f:
            z.writestr(info, f.read())
PY
}

echo "== archives"
for arch in x86_64 aarch64; do
  name="probe-$version-$arch-linux-musl"
  fill "$stage/$name" "$target/$arch-unknown-linux-musl/release/probe"
  tarball "$name"
done
name="probe-$version-x86_64-windows"
fill "$stage/$name" "$target/x86_64-pc-windows-gnu/release/probe.exe"
zipball "$name"

echo "== SBOM"
# The crates in the Linux binary (normal dependencies for the musl target,
# not the tests' or the build's), each with its version and licence.
cargo cyclonedx --format json --spec-version 1.5 --target x86_64-unknown-linux-musl --no-build-deps \
  --override-filename "probe-$version.cdx" >/dev/null
mv "probe-$version.cdx.json" "$dist/"

echo "== checksums"
(cd "$dist" && sha256sum -- *.tar.gz *.zip *.cdx.json >SHA256SUMS)

if [ -n "$image" ]; then
  echo "== images"
  if docker info >/dev/null 2>&1; then
    for pair in amd64:x86_64 arm64:aarch64; do
      platform=${pair%%:*} arch=${pair##*:}
      context="$stage/image-$platform"
      mkdir -p "$context"
      cp "$target/$arch-unknown-linux-musl/release/probe" "$context/probe"
      cp -R probes "$context/probes"
      docker build --quiet --platform "linux/$platform" -f Dockerfile \
        -t "probe:$version-$platform" "$context" >/dev/null
      echo "built image probe:$version-$platform"
    done
    case "$(uname -m)" in
      aarch64 | arm64) docker tag "probe:$version-arm64" "probe:$version" ;;
      *) docker tag "probe:$version-amd64" "probe:$version" ;;
    esac
    echo "tagged probe:$version"
  else
    echo "no Docker engine answers \`docker info\`: no image built (the archives are complete)"
  fi
fi

echo "== dist/"
ls -l "$dist"

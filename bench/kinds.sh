#!/usr/bin/env bash
# What the checks that ask the network and the package database add to a
# run, timed with hyperfine against the same run without them:
#
# 1. one `http` check against a server on loopback (python3's http.server),
#    target <= 5 ms;
# 2. one `package` check on a Debian agent with 2 000 packages: a generated
#    dpkg status file of 2 000 packages (about 2 MiB, as a real one of that
#    size) bind-mounted over /var/lib/dpkg/status in a mount namespace of
#    its own (root and unshare needed; the real file is never touched),
#    asking for the last package in it, target <= 10 ms.
#
#   bench/kinds.sh        needs hyperfine, python3, and root for part 2
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 2; }
done
bash scripts/build-static.sh >/dev/null
probe="$PWD/target/x86_64-unknown-linux-musl/release/probe"
work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

spec() { # spec NAME YAML-CHECKS
  mkdir -p "$work/$1"
  printf 'checks:\n  - env: HOME\n%s' "$2" >"$work/$1/t.yaml"
}

# --- 1. http on loopback ------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/www" && echo ok >"$work/www/index.html"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
  sleep 0.1
done
spec base ""
spec http "  - http: http://127.0.0.1:$port/
    body: ok
"
"$probe" --probes "$work/http" -r t --no-common -q >/dev/null
echo "## one http check against loopback"
hyperfine -N --warmup 5 --runs 100 --style basic --export-markdown "$work/http.md" \
  -n "without" "$probe --probes $work/base -r t --no-common" \
  -n "with an http check" "$probe --probes $work/http -r t --no-common" >/dev/null
cat "$work/http.md"

# --- 2. package on a 2 000-package dpkg database --------------------------------
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || [ ! -e /var/lib/dpkg/status ]; then
  echo "SKIPPED part 2: it needs root, unshare and a dpkg system (/var/lib/dpkg/status)" >&2
  exit 0
fi
python3 - "$work/status" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(2000):
        f.write(f"""Package: synthetic-package-{i:04d}
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: {1000 + i}
Maintainer: Benchmark Maintainers <bench@example.invalid>
Architecture: amd64
Multi-Arch: same
Source: synthetic-source-{i // 4:04d}
Version: {i % 7}.{i % 13}.{i % 5}-{i % 3 + 1}+deb12u1
Depends: libc6 (>= 2.34), libgcc-s1 (>= 3.0), zlib1g (>= 1:1.2.0)
Description: synthetic package {i} for the probe's benchmark
 A description long enough to look like a real one, spread over more
 than one line, as dpkg keeps them in its status file, so that reading
 the database costs what it costs on a real agent with this many packages.
 .
 It is never installed anywhere; the file exists only in a mount namespace.
Conffiles:
 /etc/synthetic-{i:04d}/main.conf 0123456789abcdef0123456789abcdef
 /etc/synthetic-{i:04d}/extra.conf fedcba9876543210fedcba9876543210
Homepage: https://example.invalid/synthetic/{i:04d}

""")
PY
spec pkg "  - package: synthetic-package-1999
    version: '>=0.1'
"
echo
echo "## one package check, 2 000 packages ($(du -k "$work/status" | cut -f1) KiB status file)"
unshare -m sh -c "
  mount --bind '$work/status' /var/lib/dpkg/status &&
  '$probe' --probes '$work/pkg' -r t --no-common >/dev/null &&
  hyperfine -N --warmup 5 --runs 100 --style basic --export-markdown '$work/pkg.md' \
    -n without '$probe --probes $work/base -r t --no-common' \
    -n 'with a package check' '$probe --probes $work/pkg -r t --no-common' >/dev/null"
cat "$work/pkg.md"

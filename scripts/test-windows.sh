#!/usr/bin/env bash
# Lints and builds the Windows target (x86_64-pc-windows-gnu) and runs its tests under
# wine: the library's unit tests (lookup with PATHEXT, cmd, Job Objects, no
# Unix modes...) and tests/it/windows.rs (probe.exe end to end on fake tools).
# See docs/windows.md.
#
# Installs what is missing: the rustup target, and, where apt-get exists,
# Debian's MinGW-w64 cross compiler and wine64. The wine prefix lives in
# target/wine-prefix (created on the first run, ~8 s).
#
# wine 8 (Debian 12) lacks bcryptprimitives.dll, which every Rust .exe
# imports (ProcessPrng); a stub built from tests/wine/bcryptprimitives.c is
# put next to each test .exe and next to probe.exe. It is for wine only.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
started=$(date +%s)

# -- what the build and the runner need
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target"
fi
missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
# Debian's wine64 package puts no `wine` or `wine64` on PATH, only
# /usr/lib/wine/wine64 (with the `wine` package, `wine` too).
command -v wine >/dev/null || command -v wine64 >/dev/null || [ -x /usr/lib/wine/wine64 ] || missing+=(wine64)
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null; then
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then sudo=(sudo -n); fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "missing: ${missing[*]} (install them; on Debian: apt-get install ${missing[*]})" >&2
    exit 2
  fi
fi
# Debian's wine64 package installs `wine64` and, with the `wine` package, `wine`.
wine=$(command -v wine || command -v wine64 || true)
if [ -z "$wine" ] && [ -x /usr/lib/wine/wine64 ]; then wine=/usr/lib/wine/wine64; fi
[ -n "$wine" ] || { echo "wine is not on PATH" >&2; exit 2; }

# -- the wine-only stub DLL
out="target/$target"
mkdir -p "$out/wine"
dll="$out/wine/bcryptprimitives.dll"
if [ ! -f "$dll" ] || [ tests/wine/bcryptprimitives.c -nt "$dll" ]; then
  x86_64-w64-mingw32-gcc -shared -O2 -Wall -Wextra -Werror \
    -o "$dll" tests/wine/bcryptprimitives.c -ladvapi32
fi

# -- lint the Windows-only code (cfg(windows)), which the Linux lints never see
cargo clippy --locked --all-targets --target "$target" -- -D warnings

# -- build every test (the Unix-only ones compile to nothing), then put the
#    DLL next to each .exe
cargo test --locked --target "$target" --no-run
for dir in "$out/debug" "$out/debug/deps"; do
  cp "$dll" "$dir/"
done

# -- run them under wine
export WINEPREFIX="${WINEPREFIX:-$PWD/target/wine-prefix}"
export WINEDEBUG=-all
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$wine"
if [ ! -d "$WINEPREFIX/drive_c" ]; then
  echo "creating the wine prefix $WINEPREFIX (once)"
  "$wine" cmd /c ver >/dev/null 2>&1 || true
fi
# A new prefix's Service Control Manager comes up in the background: the
# service tests need it answering (else OpenServiceW says "invalid handle").
for _ in $(seq 1 30); do
  "$wine" sc query PlugPlay >/dev/null 2>&1 && break
  sleep 1
done
# One test at a time: wine's services answer concurrent callers unreliably.
# The integration tests for Windows are tests/it/windows.rs; the others
# there drive the Linux binary.
cargo test --locked --target "$target" --lib -- --test-threads=1
cargo test --locked --target "$target" --test it -- --test-threads=1 windows::

echo "Windows tests under wine passed in $(($(date +%s) - started))s"

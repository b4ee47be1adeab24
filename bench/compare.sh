#!/usr/bin/env bash
# The same 30 checks as probe, as a hand-written sh script, and with
# pytest-testinfra (PyPI), timed with hyperfine; plus the floor (spawning just
# the version commands concurrently), scaling with 100 / 1 000 / 10 000 checks
# that spawn nothing, peak RSS (/usr/bin/time -v) and binary size.
#
#   bench/compare.sh          needs hyperfine, python3 with venv, GNU time
#   PROBE_BASELINE=/path/to/an/older/probe bench/compare.sh
#                             also times that binary on the same checks, in the
#                             same hyperfine runs (for "no slower than before")
#
# The 30 checks: 6 version checks (python3, java, git, cargo, rustc, perl),
# 8 commands on PATH, 4 commands absent, 6 environment variables (2 set, 4
# unset), 6 files (exists, type, contents, executable).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install time" >&2; exit 2; }

bash scripts/build-static.sh >/dev/null
probe="$PWD/target/x86_64-unknown-linux-musl/release/probe"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

versions=("python3|--version|3" "java|-version|11" "git|--version|2" "cargo|--version|1" "rustc|--version|1" "perl|--version|5")
present=(sh tar gzip grep sed awk ls make)
for v in "${versions[@]}"; do
  command -v "${v%%|*}" >/dev/null || { echo "${v%%|*} is needed for this benchmark" >&2; exit 2; }
done

# --- probe spec -------------------------------------------------------------
mkdir -p "$work/probes"
{
  echo "checks:"
  for v in "${versions[@]}"; do
    IFS='|' read -r name args major <<<"$v"
    printf '  - command: %s\n    args: [%s]\n    version: ">=%s"\n' "$name" "$args" "$major"
  done
  for c in "${present[@]}"; do printf '  - command: %s\n' "$c"; done
  for i in 1 2 3 4; do printf '  - absent: no-such-tool-%s\n' "$i"; done
  printf '  - env: HOME\n  - env: PATH\n    matches: /usr/bin\n'
  for i in 1 2 3 4; do printf '  - env: NO_SUCH_VAR_%s\n    set: false\n' "$i"; done
  printf '  - file: /etc/passwd\n    type: file\n  - file: /tmp\n    type: dir\n  - file: /usr/bin\n    type: dir\n'
  printf '  - file: /etc/os-release\n    contains: "^ID="\n  - file: /bin/sh\n    executable: true\n  - file: /no/such/file\n    exists: false\n'
} >"$work/probes/agent.yaml"
count=$("$probe" --probes "$work/probes" list | grep -c '^    ')
[ "$count" = 30 ] || { echo "the spec has $count checks, not 30" >&2; exit 1; }
"$probe" --probes "$work/probes" -r agent -q >/dev/null

# --- the same checks as a hand-written sh script ------------------------------
{
  echo '#!/bin/sh'
  echo 'fail() { echo "FAIL: $*"; status=1; }'
  echo 'status=0'
  for v in "${versions[@]}"; do
    IFS='|' read -r name args major <<<"$v"
    cat <<SH
v=\$($name $args 2>&1 | grep -oE '[0-9]+(\.[0-9]+)+' | head -n1)
[ -n "\$v" ] && [ "\${v%%.*}" -ge $major ] || fail "$name \$v"
SH
  done
  for c in "${present[@]}"; do echo "command -v $c >/dev/null || fail '$c missing'"; done
  for i in 1 2 3 4; do echo "command -v no-such-tool-$i >/dev/null && fail 'no-such-tool-$i present'"; done
  echo '[ -n "${HOME+x}" ] || fail HOME'
  echo 'case "$PATH" in *"/usr/bin"*) ;; *) fail PATH ;; esac'
  for i in 1 2 3 4; do echo "[ -z \"\${NO_SUCH_VAR_$i+x}\" ] || fail NO_SUCH_VAR_$i"; done
  echo '[ -f /etc/passwd ] || fail passwd'
  echo '[ -d /tmp ] || fail tmp'
  echo '[ -d /usr/bin ] || fail usr-bin'
  echo 'grep -q "^ID=" /etc/os-release || fail os-release'
  echo '[ -x /bin/sh ] || fail sh'
  echo '[ ! -e /no/such/file ] || fail no-such-file'
  echo 'exit $status'
} >"$work/checks.sh"
chmod +x "$work/checks.sh"
"$work/checks.sh"

# --- the same checks with pytest-testinfra ----------------------------------
venv="$PWD/target/bench-venv"
if [ ! -x "$venv/bin/pytest" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pytest-testinfra
fi
{
  echo 'import re'
  echo 'import pytest'
  echo
  echo 'VERSIONS = ['
  for v in "${versions[@]}"; do
    IFS='|' read -r name args major <<<"$v"
    echo "    (\"$name\", \"$args\", $major),"
  done
  echo ']'
  echo
  echo '@pytest.mark.parametrize("name,args,major", VERSIONS)'
  echo 'def test_version(host, name, args, major):'
  echo '    out = host.run(f"{name} {args} 2>&1")'
  echo '    assert out.rc == 0'
  echo '    v = re.search(r"[0-9]+(\.[0-9]+)+", out.stdout).group(0)'
  echo '    assert int(v.split(".")[0]) >= major'
  echo
  echo "@pytest.mark.parametrize(\"name\", [$(printf '"%s", ' "${present[@]}")])"
  echo 'def test_present(host, name):'
  echo '    assert host.exists(name)'
  echo
  echo '@pytest.mark.parametrize("i", [1, 2, 3, 4])'
  echo 'def test_absent(host, i):'
  echo '    assert not host.exists(f"no-such-tool-{i}")'
  echo
  echo 'def test_home(host):'
  echo '    assert "HOME" in host.environment()'
  echo
  echo 'def test_path(host):'
  echo '    assert "/usr/bin" in host.environment()["PATH"]'
  echo
  echo '@pytest.mark.parametrize("i", [1, 2, 3, 4])'
  echo 'def test_unset(host, i):'
  echo '    assert f"NO_SUCH_VAR_{i}" not in host.environment()'
  echo
  echo 'def test_files(host):'
  echo '    assert host.file("/etc/passwd").is_file'
  echo
  echo 'def test_tmp(host):'
  echo '    assert host.file("/tmp").is_directory'
  echo
  echo 'def test_usr_bin(host):'
  echo '    assert host.file("/usr/bin").is_directory'
  echo
  echo 'def test_os_release(host):'
  echo '    assert host.file("/etc/os-release").contains("^ID=")'
  echo
  echo 'def test_sh(host):'
  echo '    assert host.file("/bin/sh").mode & 0o111'
  echo
  echo 'def test_no_file(host):'
  echo '    assert not host.file("/no/such/file").exists'
} >"$work/test_agent.py"
tests=$(cd "$work" && "$venv/bin/pytest" -q -p no:cacheprovider test_agent.py | tail -n1)
echo "testinfra: $tests"

# --- the floor: the version commands spawned concurrently ---------------------
{
  echo '#!/bin/sh'
  for v in "${versions[@]}"; do
    IFS='|' read -r name args _ <<<"$v"
    echo "$name $args >/dev/null 2>&1 &"
  done
  echo wait
} >"$work/floor.sh"
chmod +x "$work/floor.sh"

echo
echo "## 30 checks"
baseline=()
if [ -n "${PROBE_BASELINE:-}" ]; then
  baseline=(-n "probe (baseline: $PROBE_BASELINE)" "$PROBE_BASELINE --probes $work/probes --resource agent --quiet")
fi
hyperfine --warmup 3 --runs 20 --style basic --export-markdown "$work/compare.md" \
  -n "floor: 6 version commands spawned concurrently" "$work/floor.sh" \
  -n "probe" "$probe --probes $work/probes --resource agent --quiet" \
  "${baseline[@]}" \
  -n "hand-written sh script" "$work/checks.sh" \
  -n "pytest-testinfra" "cd $work && $venv/bin/pytest -q -p no:cacheprovider test_agent.py" >/dev/null
cat "$work/compare.md"

# --- scaling: checks that spawn nothing --------------------------------------
echo
echo "## checks that spawn nothing"
args=()
for n in 100 1000 10000; do
  mkdir -p "$work/n$n"
  {
    echo "checks:"
    for i in $(seq 1 $((n / 4))); do
      echo "  - env: HOME"
      echo "  - file: /etc/hostname"
      echo "  - absent: no-such-tool-$i"
      echo "  - path_contains: /usr/bin"
    done
  } >"$work/n$n/n$n.yaml"
  args+=(-n "$n checks" "$probe --probes $work/n$n --resource n$n --quiet")
  if [ -n "${PROBE_BASELINE:-}" ]; then
    args+=(-n "$n checks (baseline)" "$PROBE_BASELINE --probes $work/n$n --resource n$n --quiet")
  fi
done
hyperfine -N --warmup 5 --runs 30 --style basic --export-markdown "$work/scale.md" "${args[@]}" >/dev/null
cat "$work/scale.md"

echo
echo "## peak memory (max RSS) and size"
for n in 100 1000 10000; do
  rss=$(/usr/bin/time -v "$probe" --probes "$work/n$n" --resource "n$n" --quiet 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}')
  echo "- $n checks that spawn nothing: ${rss} KiB"
done
# GNU time reports the largest RSS of the whole process tree, which for the
# 30 checks is the JVM of `java -version`; sample the probe's own high-water
# mark (VmHWM) instead until it exits.
rss=$(python3 - "$probe" --probes "$work/probes" --resource agent --quiet <<'PY'
import subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = 0
while p.poll() is None:
    try:
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    except OSError:
        pass
print(peak)
PY
)
echo "- the 30 checks, the probe process itself (VmHWM): ${rss} KiB"
echo "- static binary: $(wc -c <"$probe") bytes"

# Wall-clock times on a shared machine vary by 10 % from one run to the
# next; the probe's own instruction count (its children not included) does
# not, so it is what "no slower than before" is judged by.
if command -v valgrind >/dev/null; then
  echo
  echo "## instructions executed by the probe process itself (callgrind)"
  for bin in "$probe" ${PROBE_BASELINE:+"$PROBE_BASELINE"}; do
    for spec in "probes agent" "n100 n100"; do
      set -- $spec
      n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --probes "$work/$1" --resource "$2" --quiet 2>&1 >/dev/null |
        awk '/Collected/ {print $NF}')
      echo "- $bin, $2: $n"
    done
  done
fi

#!/usr/bin/env bash
# probe fleet at scale (docs/performance.md, "The fleet"):
#
# 1. 1 000 agents' reports of 100 checks each, from a directory: time and
#    peak memory of `probe fleet DIR --format json` (targets: <= 1 s,
#    <= 256 MiB).
# 2. 500 agents' reports fetched from a fake GoCD server on loopback (a
#    Python http.server answering the pipeline history, stage and artifact
#    requests): time of `probe fleet --server ...` (target: <= 5 s).
#
#   bench/fleet.sh        needs hyperfine, python3, GNU time
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install time" >&2; exit 2; }

bash scripts/build-static.sh >/dev/null
probe="$PWD/target/x86_64-unknown-linux-musl/release/probe"
work=$(mktemp -d)
server_pid=""
trap 'rm -rf "$work"; [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true' EXIT

# One real report of 100 checks (some of them version checks, so that the
# copies can differ), copied for each agent with its own host name and a
# few differences: one agent in 50 fails a check, one in 7 has another
# version of a tool.
mkdir -p "$work/probes"
{
  echo "checks:"
  for i in $(seq 1 20); do
    echo "  - env: HOME"
    echo "  - file: /etc/hostname"
    echo "  - absent: no-such-tool-$i"
    echo "  - path_contains: /usr/bin"
    echo "  - command: sh"
  done
} >"$work/probes/agent.yaml"
"$probe" --probes "$work/probes" -r agent --no-common -f json >"$work/template.json"
python3 - "$work" <<'PY'
import copy, json, os, sys
work = sys.argv[1]
template = json.load(open(os.path.join(work, "template.json")))
for n in (1000, 500):
    out = os.path.join(work, f"r{n}")
    os.makedirs(out)
    for i in range(n):
        r = copy.deepcopy(template)
        r["host"]["hostname"] = f"agent-{i:04d}"
        r["agent"] = {"resources": ["agent"], "job_name": f"probe-runOnAll-{i + 1}",
                      "pipeline_name": "agent-infrastructure", "pipeline_counter": "42"}
        if i % 7 == 0:
            r["checks"][4]["actual"] = "/usr/local/bin/sh"
        if i % 50 == 0:
            r["checks"][1]["status"] = "fail"
            r["summary"]["ok"] = False
        with open(os.path.join(out, f"agent-{i:04d}.json"), "w") as f:
            json.dump(r, f)
PY

echo "## 1 000 reports of 100 checks, from files"
hyperfine -N -i --warmup 1 --runs 5 --style basic --export-markdown "$work/files.md" \
  -n "probe fleet, 1 000 reports" "$probe fleet $work/r1000 --format json --probes $work/probes" >/dev/null
cat "$work/files.md"
rss=$( (/usr/bin/time -v "$probe" fleet "$work/r1000" --format json --probes "$work/probes" 2>&1 >/dev/null || true) |
  awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}')
echo "- peak RSS: ${rss} KiB"

echo
echo "## The 1 000 reports and one hostile report, every format"
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
os.makedirs(os.path.join(work, "hostile"))
for name in os.listdir(os.path.join(work, "r1000")):
    os.link(os.path.join(work, "r1000", name), os.path.join(work, "hostile", name))
checks = [{"id": f"agent/command:t{i}", "resource": "agent", "kind": "command", "subject": f"t{i}",
           "name": f"command t{i}", "status": "fail", "message": "m" * 5000, "expected": "e" * 5000,
           "actual": "a" * 5000, "output": "o" * 50000, "hint": "h" * 5000} for i in range(1000)]
report = {"schema": "probe-report/1", "host": {"hostname": "h" * (1 << 20), "os": "linux", "arch": "x86_64"},
          "agent": {"resources": ["agent"], "job_name": "probe-runOnAll-9999"},
          "checks": checks, "summary": {"ok": False}}
with open(os.path.join(work, "hostile", "hostile.json"), "w") as f:
    json.dump(report, f)
PY
mkdir -p "$work/out"
hostile_cmd="$probe fleet $work/hostile --all --probes $work/probes --report html=$work/out/f.html --report junit=$work/out/f.xml --report json=$work/out/f.json"
hyperfine -N -i --warmup 1 --runs 3 --style basic --export-markdown "$work/hostile.md" \
  -n "probe fleet, 1 000 reports + 1 hostile, 4 formats" "$hostile_cmd" >/dev/null
cat "$work/hostile.md"
rss=$( (/usr/bin/time -v $hostile_cmd 2>&1 >"$work/out/f.txt" || true) |
  awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}')
echo "- peak RSS: ${rss} KiB"
echo "- output: $(du -cb "$work"/out/f.* | awk 'END {print $1}') bytes in 4 formats"

echo
echo "## 500 reports fetched from a fake GoCD on loopback"
cat >"$work/gocd.py" <<'PY'
import http.server, json, os, sys
reports, port_file = sys.argv[1], sys.argv[2]
jobs = sorted(os.listdir(reports))
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def send(self, code, body, kind="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        p = self.path.split("?")[0]
        if p.endswith("/history"):
            run = {"name": "p", "counter": 42, "label": "42", "stages": [
                {"name": "check", "counter": "1", "scheduled": True, "result": "Failed", "status": "Failed", "jobs": []}]}
            return self.send(200, json.dumps({"pipelines": [run]}).encode())
        if p.startswith("/go/api/stages/"):
            js = [{"name": j[:-5], "state": "Completed", "result": "Passed", "agent_uuid": j[:-5]} for j in jobs]
            return self.send(200, json.dumps({"name": "check", "counter": 1, "jobs": js}).encode())
        if p.startswith("/go/files/"):
            job = p.split("/")[7]
            path = os.path.join(reports, job + ".json")
            if os.path.exists(path):
                return self.send(200, open(path, "rb").read())
        self.send(404, b"not found", "text/plain")
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(port_file, "w").write(str(server.server_address[1]))
server.serve_forever()
PY
python3 "$work/gocd.py" "$work/r500" "$work/port" &
server_pid=$!
for _ in $(seq 1 50); do [ -s "$work/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/port")/go"
hyperfine -N -i --warmup 1 --runs 5 --style basic --export-markdown "$work/fetch.md" \
  -n "probe fleet --server (500 agents, 8 downloads at once)" \
  "$probe fleet --server $url --pipeline p --no-agents --format json --probes $work/probes" >/dev/null
cat "$work/fetch.md"

#!/usr/bin/env python3
"""Captures what real programs print for `--version`, for the version
extraction corpora in tests/fixtures/versions/ (see its README.md).

    scripts/version-corpus.py capture OUT_DIR [--only LIST] [DIR ...]
        Runs every executable in DIRs (default /usr/bin /usr/sbin
        /usr/local/bin) with its version arguments, as the unprivileged user
        `nobody`, in a new session (no terminal), stdin closed, 3 s at most,
        and writes OUT_DIR/<name>.json: argv, exit code (124: timed out),
        stdout, stderr (first 16 KiB each, as text with invalid bytes
        replaced), and the Debian package that owns the file with its
        version (a hint for the person who labels it, never the label
        itself). A program that times out is tried once more with 30 s
        (JVM and BEAM tools on a busy machine), and `timeout` records the
        limit of the run kept. With `--only LIST` (a file, one path a line),
        only those programs: for a corpus of what some packages added,
        list the paths that were not there before they were installed.

    scripts/version-corpus.py fixtures CAPTURE_DIR LABELS.json OUT.jsonl
        Writes the corpus file OUT.jsonl, one JSON object a line, sorted by
        name, for each program in LABELS.json: {"name": "version" or
        "none"}, or {"name": {"label": ..., "known": ..., "why": ...}} for
        a program the rules read otherwise than its label. Each line holds
        name, args, env (when set), label (null for none), exit, package,
        timeout (when not 3), stdout and stderr (each cut at 4 KiB), and known and why.

Not run by the tests: the corpus files it makes are committed, the
programs are not.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

# Tools that answer only to other arguments.
ARGS = {
    "java": ["-version"],
    "javac": ["-version"],
    "go": ["version"],
    "gofmt": ["-V"],
    "lua5.1": ["-v"],
    "lua5.3": ["-v"],
    "lua5.4": ["-v"],
    "lua": ["-v"],
    "luac5.1": ["-v"],
    "luac5.3": ["-v"],
    "luac5.4": ["-v"],
    "php": ["-v"],
    "unzip": ["-v"],
    "zip": ["-v"],
    "tclsh": [],
    "ssh": ["-V"],
    "scp": ["-V"],
    "dumpe2fs": ["-V"],
    "mke2fs": ["-V"],
    "e2fsck": ["-V"],
    "tune2fs": ["-V"],
    "lua5.2": ["-v"],
    "luac5.2": ["-v"],
    "luajit": ["-v"],
    "erl": ["-version"],
    "ffmpeg": ["-version"],
    "ffprobe": ["-version"],
    "scala": ["-version"],
    "scalac": ["-version"],
    "kotlin": ["-version"],
    "kotlinc": ["-version"],
    "fpc": ["-iV"],
    "tcc": ["-v"],
    "jshell": ["--version"],
}

# Never started, whatever the arguments: they would wait on a terminal or
# change the machine, and nobody (the user) cannot be trusted to stop them.
SKIP = {
    "reboot", "halt", "poweroff", "shutdown", "init", "telinit", "runlevel",
    "killall5", "sulogin", "agetty", "getty", "login", "su", "sudo", "passwd",
    "chsh", "chfn", "newgrp", "sg", "vipw", "vigr", "visudo", "kbdrate",
    "tclsh", "wish", "expect", "yes",
}

LIMIT = 16 * 1024


def owner(path):
    """The Debian package owning `path` and its version, or (None, None)."""
    try:
        out = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            real = os.path.realpath(path)
            out = subprocess.run(["dpkg", "-S", real], capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            return None, None
        package = out.stdout.split(":")[0].split(",")[0].strip()
        ver = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", package],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        return package, ver or None
    except (OSError, subprocess.SubprocessError):
        return None, None


def run_as_nobody(path, args, home, limit, extra_env=None):
    argv = [
        "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
        "setsid", "--wait", "timeout", "-k", "1", str(limit), path, *args,
    ]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": home,
           "LANG": "C.UTF-8", "TERM": "dumb", **(extra_env or {})}
    try:
        run = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL,
                             env=env, cwd=home, timeout=limit + 10)
        return run.returncode, run.stdout, run.stderr
    except subprocess.TimeoutExpired:
        return 124, b"", b""


def capture(out_dir, dirs, only=None, extra_env=None):
    os.makedirs(out_dir, exist_ok=True)
    home = tempfile.mkdtemp(prefix="version-corpus-home-")
    shutil.chown(home, user="nobody", group="nogroup")
    seen = set()
    for d in dirs:
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if name in seen or name in SKIP or not os.access(path, os.X_OK) or os.path.isdir(path):
                continue
            if only is not None and path not in only:
                continue
            seen.add(name)
            args = ARGS.get(name, ["--version"])
            limit = 3
            code, stdout, stderr = run_as_nobody(path, args, home, limit, extra_env)
            if code == 124:
                limit = 30
                code, stdout, stderr = run_as_nobody(path, args, home, limit, extra_env)
            package, version = owner(path)
            record = {
                "name": name,
                "path": path,
                "args": args,
                "exit": code,
                "stdout": stdout[:LIMIT].decode("utf-8", "replace"),
                "stderr": stderr[:LIMIT].decode("utf-8", "replace"),
                "package": package,
                "package_version": version,
                "timeout": limit,
            }
            stem = name
            if extra_env:
                record["env"] = extra_env
                stem += "+" + "+".join(sorted(extra_env))
            with open(os.path.join(out_dir, stem + ".json"), "w") as f:
                json.dump(record, f, indent=1)
    shutil.rmtree(home, ignore_errors=True)


KEEP = 4096


def fixtures(capture_dir, labels_file, out_file):
    with open(labels_file) as f:
        labels = json.load(f)
    lines = []
    for stem, label in sorted(labels.items(), key=lambda kv: kv[0].encode()):
        if isinstance(label, str):
            label = {"label": label}
        with open(os.path.join(capture_dir, stem + ".json")) as f:
            c = json.load(f)
        version = label["label"]
        package = f"{c['package']} {c['package_version'] or ''}".rstrip() if c["package"] else None
        record = {
            "name": c["name"],
            "args": c["args"],
            "label": None if version == "none" else version,
            "exit": c["exit"],
            "package": package,
        }
        if c.get("timeout", 3) != 3:
            record["timeout"] = c["timeout"]
        if c.get("env"):
            record["env"] = c["env"]
        record["stdout"] = c["stdout"][:KEEP].rstrip("\n")
        record["stderr"] = c["stderr"][:KEEP].rstrip("\n")
        if "known" in label:
            record["known"] = label["known"]
            record["why"] = label["why"]
        lines.append(json.dumps(record, ensure_ascii=False))
    with open(out_file, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "capture":
        rest = sys.argv[3:]
        only = None
        extra_env = {}
        while rest[:1] in (["--only"], ["--env"]) and len(rest) >= 2:
            if rest[0] == "--only":
                with open(rest[1]) as f:
                    only = {line.strip() for line in f if line.strip()}
            else:
                key, _, value = rest[1].partition("=")
                extra_env[key] = value
            rest = rest[2:]
        capture(sys.argv[2], rest or ["/usr/bin", "/usr/sbin", "/usr/local/bin"], only,
                extra_env or None)
    elif len(sys.argv) == 5 and sys.argv[1] == "fixtures":
        fixtures(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()

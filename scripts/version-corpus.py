#!/usr/bin/env python3
"""Captures what real programs print for `--version`, for the version
extraction corpus in tests/fixtures/versions/ (see its README.md).

    scripts/version-corpus.py capture OUT_DIR [DIR ...]
        Runs every executable in DIRs (default /usr/bin /usr/sbin
        /usr/local/bin) with its version arguments, as the unprivileged user
        `nobody`, in a new session (no terminal), stdin closed, 3 s at most,
        and writes OUT_DIR/<name>.json: argv, exit code, stdout, stderr
        (first 16 KiB each, as text with invalid bytes replaced), and the
        Debian package that owns the file with its version (a hint for the
        person who labels it, never the label itself).

    scripts/version-corpus.py fixtures CAPTURE_DIR LABELS.json OUT_DIR
        Writes the corpus file OUT_DIR/<name>.txt for each program in
        LABELS.json ({"name": "version" or "none"}): the version a person
        reads in the capture, and the capture itself (each stream cut at
        4 KiB).

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


def capture(out_dir, dirs):
    os.makedirs(out_dir, exist_ok=True)
    home = tempfile.mkdtemp(prefix="version-corpus-home-")
    shutil.chown(home, user="nobody", group="nogroup")
    seen = set()
    for d in dirs:
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if name in seen or name in SKIP or not os.access(path, os.X_OK) or os.path.isdir(path):
                continue
            seen.add(name)
            args = ARGS.get(name, ["--version"])
            argv = [
                "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "setsid", "--wait", "timeout", "-k", "1", "3", path, *args,
            ]
            env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": home,
                   "LANG": "C.UTF-8", "TERM": "dumb"}
            try:
                run = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL,
                                     env=env, cwd=home, timeout=10)
                code, stdout, stderr = run.returncode, run.stdout, run.stderr
            except subprocess.TimeoutExpired:
                code, stdout, stderr = None, b"", b""
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
            }
            with open(os.path.join(out_dir, name + ".json"), "w") as f:
                json.dump(record, f, indent=1)
    shutil.rmtree(home, ignore_errors=True)


KEEP = 4096
STDOUT = "----- probe corpus: stdout -----"
STDERR = "----- probe corpus: stderr -----"


def fixtures(capture_dir, labels_file, out_dir):
    with open(labels_file) as f:
        labels = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    for name, version in sorted(labels.items()):
        with open(os.path.join(capture_dir, name + ".json")) as f:
            c = json.load(f)
        lines = [
            f"# {c['name']} {' '.join(c['args'])}".rstrip(),
            f"version: {version}",
            f"exit: {c['exit']}",
            f"package: {c['package'] or '-'} {c['package_version'] or ''}".rstrip(),
            STDOUT,
            c["stdout"][:KEEP].rstrip("\n"),
            STDERR,
            c["stderr"][:KEEP].rstrip("\n"),
        ]
        with open(os.path.join(out_dir, name + ".txt"), "w") as f:
            f.write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "capture":
        capture(sys.argv[2], sys.argv[3:] or ["/usr/bin", "/usr/sbin", "/usr/local/bin"])
    elif len(sys.argv) == 5 and sys.argv[1] == "fixtures":
        fixtures(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()

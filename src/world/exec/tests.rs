//! The guarantees on Unix, with /bin/sh and the tools every Linux has.

use super::stream::{ENTRY_COST, LATER_LIMIT, LINE_LIMIT, OUTPUT_CAP};
use super::*;
use crate::world::Captured;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Runs `script` with /bin/sh (the script itself is never exec'd, so no
/// "text file busy" from another thread's fork), `$1` being `dir`.
fn sh(dir: &Path, script: &str, timeout: Duration) -> (RunOutcome, Duration) {
    let file = dir.join("script.sh");
    fs::write(&file, script).expect("write script");
    let started = Instant::now();
    let outcome = run_with_timeout(&RunRequest {
        program: "/bin/sh".into(),
        args: vec![file.into(), dir.into()],
        verbatim: false,
        timeout,
        watch: Vec::new(),
    });
    (outcome, started.elapsed())
}

fn exec(program: PathBuf) -> RunOutcome {
    run_with_timeout(&RunRequest {
        program,
        args: Vec::new(),
        verbatim: false,
        timeout: Duration::from_secs(10),
        watch: Vec::new(),
    })
}

fn script_file(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).expect("write file");
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
    path
}

fn read_pid(dir: &Path, name: &str) -> libc::pid_t {
    let text = fs::read_to_string(dir.join(name)).expect("pid file");
    text.trim().parse().expect("a pid")
}

/// Alive and not a zombie (a killed orphan may wait a moment for its
/// reaper, and a container's init may never reap it).
fn alive(pid: libc::pid_t) -> bool {
    if cfg!(target_os = "linux") {
        return match fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => false,
            Ok(stat) => {
                let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
                !matches!(state, Some(Some('Z' | 'X')))
            }
        };
    }
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// Death by SIGKILL is not instant: allow a few seconds.
fn gone_soon(pid: libc::pid_t) -> bool {
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        if !alive(pid) {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    false
}

fn kill(pid: libc::pid_t) {
    // SAFETY: only sends a signal to a process this test started.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
}

#[test]
fn a_hanging_command_times_out_and_its_children_are_killed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (outcome, took) = sh(
        dir.path(),
        "sleep 30 &\necho $! > \"$1/child.pid\"\necho started\nsleep 30\n",
        // Room for a loaded CI machine to start the script and write the
        // pid file before the timeout; still far below `sleep 30`.
        Duration::from_secs(2),
    );
    let child = read_pid(dir.path(), "child.pid");
    let gone = gone_soon(child);
    if !gone {
        kill(child);
    }
    assert!(took < Duration::from_secs(15), "took {took:?}");
    match outcome {
        RunOutcome::TimedOut { after, stdout, .. } => {
            assert!(after >= Duration::from_secs(2), "{after:?}");
            assert_eq!(stdout.text(), "started\n");
            assert!(!stdout.incomplete);
        }
        other => panic!("{other:?}"),
    }
    assert!(gone, "the background child {child} outlived the timeout");
}

#[test]
fn a_child_left_holding_stdout_does_not_hold_up_the_probe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (outcome, took) = sh(
        dir.path(),
        "sleep 30 &\necho $! > \"$1/child.pid\"\necho done\n",
        Duration::from_secs(20),
    );
    let child = read_pid(dir.path(), "child.pid");
    let gone = gone_soon(child);
    if !gone {
        kill(child);
    }
    assert!(took < Duration::from_secs(10), "took {took:?}");
    match outcome {
        RunOutcome::Exited { code, stdout, .. } => {
            assert_eq!(code, Some(0));
            assert_eq!(stdout.text(), "done\n");
            assert!(!stdout.incomplete);
        }
        other => panic!("{other:?}"),
    }
    assert!(gone, "the leftover child {child} was not killed");
}

/// A grandchild that leaves the group (setsid, or a double fork whose
/// middle process exits at once) is killed at the timeout too: the
/// probe is its reaper once its parent is gone, and it carries the
/// command's mark.
#[cfg(target_os = "linux")]
#[test]
fn what_escapes_the_process_group_dies_with_a_timed_out_command() {
    let Some(setsid) = ["/usr/bin/setsid", "/bin/setsid"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        panic!("setsid (util-linux) is missing");
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (outcome, _) = sh(
        dir.path(),
        &format!(
            // One whose parent (this script) is alive at the timeout,
            // one whose parent exits at once (`setsid -f`), and a
            // setpgid'd one in a subshell that exits.
            "{setsid} sh -c 'echo $$ > \"$1/a.pid\"; exec sleep 30' sh \"$1\" &\n\
             {setsid} -f sh -c 'echo $$ > \"$1/b.pid\"; exec sleep 30' sh \"$1\"\n\
             ( set -m; sh -c 'echo $$ > \"$1/c.pid\"; exec sleep 30' sh \"$1\" & )\n\
             while [ ! -e \"$1/a.pid\" ] || [ ! -e \"$1/b.pid\" ] || [ ! -e \"$1/c.pid\" ]; do sleep 0.01; done\n\
             echo ready\n\
             sleep 30\n"
        ),
        Duration::from_secs(3),
    );
    assert!(
        matches!(outcome, RunOutcome::TimedOut { .. }),
        "{outcome:?}"
    );
    let mut survivors = Vec::new();
    for name in ["a.pid", "b.pid", "c.pid"] {
        let pid = read_pid(dir.path(), name);
        if !gone_soon(pid) {
            kill(pid);
            survivors.push(name);
        }
    }
    assert!(survivors.is_empty(), "outlived the timeout: {survivors:?}");
}

/// A daemon that left the process group cannot be killed with it; what
/// the command printed before must still be there.
#[cfg(target_os = "linux")]
#[test]
fn output_before_an_escaped_daemon_is_kept() {
    let Some(setsid) = ["/usr/bin/setsid", "/bin/setsid"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        eprintln!("no setsid here; skipped");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (outcome, took) = sh(
        dir.path(),
        // The daemon writes its pid once it has left the group; the
        // command waits for that, so the group kill cannot catch it.
        &format!(
            "echo tool 1.2.3\n\
             {setsid} sh -c 'echo $$ > \"$1/daemon.pid.tmp\"; \
             mv \"$1/daemon.pid.tmp\" \"$1/daemon.pid\"; exec sleep 30' sh \"$1\" &\n\
             while [ ! -e \"$1/daemon.pid\" ]; do sleep 0.01; done\n\
             exit 0\n"
        ),
        Duration::from_secs(20),
    );
    kill(read_pid(dir.path(), "daemon.pid"));
    assert!(took < Duration::from_secs(10), "took {took:?}");
    match outcome {
        RunOutcome::Exited { code, stdout, .. } => {
            assert_eq!(code, Some(0));
            assert_eq!(stdout.text(), "tool 1.2.3\n");
            assert!(stdout.incomplete, "the daemon still holds stdout");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn past_the_cap_lines_are_matched_and_versions_kept_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 20 000 lines of 100 characters (2 MB), then what a check needs.
    let script = format!(
        "yes '{}' | head -n 20000\necho 'tool 9.8.7'\necho 'FATAL: disk full'\n",
        "x".repeat(99)
    );
    fs::write(dir.path().join("script.sh"), script).expect("write");
    let outcome = run_with_timeout(&RunRequest {
        program: "/bin/sh".into(),
        args: vec![dir.path().join("script.sh").into(), dir.path().into()],
        verbatim: false,
        timeout: Duration::from_secs(60),
        watch: vec![watched("^FATAL"), versions()],
    });
    let RunOutcome::Exited { stdout, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(stdout.bytes.len(), OUTPUT_CAP);
    assert_eq!(stdout.total, 2_000_000 + 11 + 17);
    assert_eq!(stdout.watched, [true, true]);
    assert!(!stdout.unscanned);
    assert_eq!(
        stdout.later,
        [
            (20_001, "tool 9.8.7".to_string()),
            (20_002, "FATAL: disk full".to_string())
        ]
    );
}

/// Runs `cat` on a file made of `content`, watching `patterns` on
/// stdout; its stdout.
fn cat_watched(content: &[u8], patterns: &[&str]) -> Captured {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("output");
    fs::write(&file, content).expect("write");
    let outcome = run_with_timeout(&RunRequest {
        program: "cat".into(),
        args: vec![file.into()],
        verbatim: false,
        timeout: Duration::from_secs(120),
        watch: patterns
            .iter()
            .map(|p| watched(p))
            .chain([versions()])
            .collect(),
    });
    let RunOutcome::Exited { stdout, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(
        !stdout.unscanned && !stdout.incomplete,
        "{:?}",
        stdout.later
    );
    // The patterns asked for; the lines kept for versions aside.
    let mut stdout = stdout;
    stdout.watched.truncate(patterns.len());
    stdout
}

/// A check's pattern, as checks give it to the world.
#[derive(Debug)]
struct Re(crate::spec::Pattern);

impl LineMatcher for Re {
    fn is_match_in(&self, text: &str, span: std::ops::Range<usize>) -> bool {
        self.0.is_match_in(text, span)
    }
}

fn watched(pattern: &str) -> super::super::Watch {
    super::super::Watch {
        stream: Some(Stream::Stdout),
        pattern: Arc::new(Re(crate::spec::Pattern::new(pattern).expect("a pattern"))),
    }
}

/// The lines that may hold a version, as `command` and `run` keep them.
#[derive(Debug)]
struct Versions;

impl LineMatcher for Versions {
    fn is_match_in(&self, text: &str, span: std::ops::Range<usize>) -> bool {
        crate::version::may_hold(&text[span])
    }

    fn keeps_every_line(&self) -> bool {
        true
    }
}

fn versions() -> super::super::Watch {
    super::super::Watch {
        stream: None,
        pattern: Arc::new(Versions),
    }
}

#[test]
fn the_line_the_cap_cuts_is_matched_whole() {
    // `err` in the first MiB, `or` after it.
    let mut content = vec![b'a'; OUTPUT_CAP - 3];
    content.extend_from_slice(b"error 12.34.5\n");
    let stdout = cat_watched(&content, &["error", "a{10}error", "^error"]);
    assert_eq!(stdout.watched, [true, true, false]);
    let (number, line) = stdout.later.last().expect("kept");
    assert_eq!(*number, 1);
    assert!(
        line.ends_with("aaaerror 12.34.5"),
        "{}",
        &line[line.len() - 20..]
    );
}

#[test]
fn a_long_line_past_the_cap_is_read_to_its_end_in_windows() {
    let mut content = "x\n".repeat(OUTPUT_CAP / 2).into_bytes();
    // A 3 MiB line: `error` where a window starts, a version at its end.
    let mut line = vec![b'y'; 3 << 20];
    let at = LINE_LIMIT;
    line[at..at + 5].copy_from_slice(b"error");
    content.extend_from_slice(&line);
    content.extend_from_slice(b" version 4.5.6\n");
    let stdout = cat_watched(&content, &["^error", r"\berror", "yerrory", r"4\.5\.6$"]);
    assert_eq!(stdout.watched, [false, false, true, true]);
    let (number, kept) = stdout.later.last().expect("kept");
    assert_eq!(*number, OUTPUT_CAP as u64 / 2 + 1);
    assert!(
        kept.ends_with("y version 4.5.6"),
        "{}",
        &kept[kept.len() - 20..]
    );
    // Marked as part of a longer line, so that `^` finds no line start.
    assert!(kept.starts_with('…'));
    assert!(kept.len() <= LINE_LIMIT + '…'.len_utf8());
}

#[test]
fn kept_lines_are_bounded_in_number_too_and_keep_their_indentation() {
    let mut content = "x\n".repeat(OUTPUT_CAP / 2).into_bytes();
    content.extend_from_slice(b"    Version:   1.2.3\r\n");
    content.extend_from_slice(&b"\n".repeat(2_000_000));
    let stdout = cat_watched(&content, &[r"^\s*$"]);
    assert_eq!(stdout.watched, [true]);
    assert_eq!(
        stdout.later[0],
        (
            OUTPUT_CAP as u64 / 2 + 1,
            "    Version:   1.2.3".to_string()
        )
    );
    assert!(
        stdout.later.len() <= LATER_LIMIT / ENTRY_COST,
        "{}",
        stdout.later.len()
    );
}

#[test]
fn output_still_coming_when_the_command_ends_is_read_to_its_end() {
    // Lines that are slow to match, past the cap, and the match last:
    // the reader is still at work when `cat` is gone.
    let mut content = "x\n".repeat(OUTPUT_CAP / 2).into_bytes();
    for _ in 0..8 {
        content.extend_from_slice(&vec![b'a'; 60_000]);
        content.push(b'\n');
    }
    content.extend_from_slice(b"aZ\n");
    let stdout = cat_watched(&content, &["[a-z]{1,300}Z"]);
    assert_eq!(stdout.watched, [true]);
}

#[test]
fn output_is_capped_but_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (outcome, _) = sh(
        dir.path(),
        "yes '' | head -c 10485760\necho err >&2\n",
        Duration::from_secs(30),
    );
    match outcome {
        RunOutcome::Exited {
            code,
            stdout,
            stderr,
        } => {
            assert_eq!(code, Some(0));
            assert_eq!(stdout.bytes.len(), OUTPUT_CAP);
            assert_eq!(stdout.total, 10 * 1024 * 1024);
            assert!(stdout.truncated());
            assert!(!stdout.incomplete);
            assert_eq!(stderr.text(), "err\n");
            assert!(!stderr.truncated());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (outcome, _) = sh(
        dir.path(),
        "printf '\\377\\376abc\\n'\n",
        Duration::from_secs(10),
    );
    match outcome {
        RunOutcome::Exited { stdout, .. } => {
            assert_eq!(stdout.bytes, b"\xff\xfeabc\n");
            assert_eq!(stdout.text(), "\u{FFFD}\u{FFFD}abc\n");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn exit_codes_and_signals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (outcome, _) = sh(
        dir.path(),
        "echo out\necho err >&2\nexit 3\n",
        Duration::from_secs(10),
    );
    match outcome {
        RunOutcome::Exited {
            code,
            stdout,
            stderr,
        } => {
            assert_eq!(code, Some(3));
            assert_eq!(stdout.text(), "out\n");
            assert_eq!(stderr.text(), "err\n");
        }
        other => panic!("{other:?}"),
    }
    let (outcome, _) = sh(dir.path(), "kill -9 $$\n", Duration::from_secs(10));
    match outcome {
        RunOutcome::Exited { code, .. } => assert_eq!(code, None),
        other => panic!("{other:?}"),
    }
}

#[test]
fn stdin_is_closed() {
    let started = Instant::now();
    let outcome = run_with_timeout(&RunRequest {
        program: "cat".into(),
        args: Vec::new(),
        verbatim: false,
        timeout: Duration::from_secs(10),
        watch: Vec::new(),
    });
    assert!(started.elapsed() < Duration::from_secs(5));
    match outcome {
        RunOutcome::Exited { code, stdout, .. } => {
            assert_eq!(code, Some(0));
            assert_eq!(stdout.total, 0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn programs_that_cannot_start_say_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let not_found = "it could not be started (no such file, or its interpreter is missing)";
    let cases = [
        (dir.path().join("no-such-program"), not_found),
        (
            script_file(
                dir.path(),
                "no-interpreter",
                "#!/no/such/interpreter\n",
                0o755,
            ),
            not_found,
        ),
        (
            script_file(dir.path(), "no-exec-bit", "#!/bin/sh\necho hi\n", 0o644),
            "permission denied: it is not executable by this user",
        ),
        (
            script_file(dir.path(), "not-a-program", "\x7fELF not really\n", 0o755),
            "it is not a program this machine can run (exec format error)",
        ),
    ];
    for (program, why) in cases {
        assert_eq!(
            exec(program.clone()),
            RunOutcome::FailedToStart(why.into()),
            "{}",
            program.display()
        );
    }
}

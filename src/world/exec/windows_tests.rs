//! The same guarantees on Windows, with cmd.exe and the programs wine has.

use super::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn cmd_exe() -> PathBuf {
    let root = std::env::var_os("SystemRoot").unwrap_or_else(|| r"C:\windows".into());
    Path::new(&root).join("system32").join("cmd.exe")
}

/// `line` through `cmd /S /C`, as a `run` check with a shell does it.
fn cmd(line: &str, timeout: Duration) -> (RunOutcome, Duration) {
    let started = Instant::now();
    let outcome = run_with_timeout(&RunRequest {
        program: cmd_exe(),
        args: vec!["/S".into(), "/C".into(), format!("\"{line}\"").into()],
        verbatim: true,
        timeout,
        watch: Vec::new(),
    });
    (outcome, started.elapsed())
}

fn exec(program: PathBuf, args: &[&str]) -> RunOutcome {
    run_with_timeout(&RunRequest {
        program,
        args: args.iter().map(Into::into).collect(),
        verbatim: false,
        timeout: Duration::from_secs(20),
        watch: Vec::new(),
    })
}

fn pings_running() -> usize {
    crate::world::World::processes(&crate::world::RealWorld::new())
        .unwrap_or_default()
        .iter()
        .filter(|n| n.eq_ignore_ascii_case("ping.exe") || n.eq_ignore_ascii_case("ping"))
        .count()
}

/// Killing is not instant: allow a few seconds.
fn no_ping_soon() -> bool {
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        if pings_running() == 0 {
            return true;
        }
        thread::sleep(Duration::from_millis(100));
    }
    false
}

/// One test for both cases, so that no other test's ping is counted.
#[test]
fn the_job_object_kills_children_at_the_timeout_and_leftovers_after_exit() {
    assert_eq!(pings_running(), 0, "a ping from elsewhere is running");
    // The process list sees a ping (else the checks below prove nothing).
    let mut control = Command::new("ping")
        .args(["-n", "3", "127.0.0.1"])
        .stdout(Stdio::null())
        .spawn()
        .expect("ping");
    let seen = pings_running();
    let _ = control.kill();
    let _ = control.wait();
    assert_eq!(seen, 1, "ping is not in the process list");
    assert!(no_ping_soon());

    // cmd is the command; ping, its child, would sleep ~30 s.
    let (outcome, took) = cmd(
        "echo started& ping -n 30 127.0.0.1 >nul",
        Duration::from_secs(2),
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");
    match outcome {
        RunOutcome::TimedOut { after, stdout, .. } => {
            assert!(after >= Duration::from_secs(2), "{after:?}");
            assert_eq!(stdout.text(), "started\r\n");
            assert!(!stdout.incomplete, "the killed ping held stdout open");
        }
        other => panic!("{other:?}"),
    }
    assert!(no_ping_soon(), "ping outlived the timeout");

    // `start /b` leaves ping running after cmd exits: killed with the job.
    let (outcome, took) = cmd(
        "start /b ping -n 30 127.0.0.1 >nul & echo done",
        Duration::from_secs(20),
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    match outcome {
        RunOutcome::Exited { code, stdout, .. } => {
            assert_eq!(code, Some(0));
            assert_eq!(stdout.text(), "done\r\n");
        }
        other => panic!("{other:?}"),
    }
    assert!(no_ping_soon(), "the leftover ping was not killed");
}

#[test]
fn a_cmd_wrapper_runs_through_cmd_and_its_output_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tool = dir.path().join("tool.cmd");
    fs::write(
        &tool,
        "@echo off\r\necho tool 1.2.3 %1\r\necho warn 1>&2\r\nexit /b 0\r\n",
    )
    .expect("write");
    match exec(tool, &["--version"]) {
        RunOutcome::Exited {
            code,
            stdout,
            stderr,
        } => {
            assert_eq!(code, Some(0));
            assert_eq!(stdout.text(), "tool 1.2.3 --version\r\n");
            assert_eq!(stderr.text(), "warn \r\n");
        }
        other => panic!("{other:?}"),
    }
    let bat = dir.path().join("old.bat");
    fs::write(&bat, "@echo off\r\necho old 0.9\r\nexit /b 4\r\n").expect("write");
    match exec(bat, &[]) {
        RunOutcome::Exited { code, stdout, .. } => {
            assert_eq!(code, Some(4));
            assert_eq!(stdout.text(), "old 0.9\r\n");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cmd_gets_the_line_as_written() {
    let (outcome, _) = cmd(
        r#"echo "a b"& echo %%NOT_EXPANDED%%& exit /b 3"#,
        Duration::from_secs(20),
    );
    match outcome {
        RunOutcome::Exited { code, stdout, .. } => {
            assert_eq!(code, Some(3));
            assert_eq!(stdout.text(), "\"a b\"\r\n%%NOT_EXPANDED%%\r\n");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn stdin_is_closed() {
    let started = Instant::now();
    let (outcome, _) = cmd("more", Duration::from_secs(20));
    assert!(started.elapsed() < Duration::from_secs(10));
    match outcome {
        RunOutcome::Exited { code, stdout, .. } => {
            assert_eq!(code, Some(0));
            assert_eq!(stdout.text().trim(), "");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_program_fails_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        exec(dir.path().join("no-such-program.exe"), &[]),
        RunOutcome::FailedToStart(
            "it could not be started (no such file, or its interpreter is missing)".into()
        )
    );
}

#[test]
fn an_exe_that_is_no_program_fails_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("tool.exe");
    fs::write(&file, "not really a program\r\n").expect("write");
    assert_eq!(
        exec(file, &[]),
        RunOutcome::FailedToStart(
            "it is not a program this machine can run (not a valid Windows program)".into()
        )
    );
}

//! Spawning a command so that it can never hang or flood the probe: stdin
//! closed, output capped, and on timeout the command AND every process it
//! started are killed.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::{Captured, RunOutcome, RunRequest};

/// Bytes kept per stream; the rest is read and dropped so the command is
/// never blocked on a full pipe.
pub const OUTPUT_CAP: usize = 1 << 20;

/// How long to wait for output still in the pipes once the process group is
/// gone. Only a process that escaped the group (a daemon) can hold a pipe
/// open that long.
const DRAIN_GRACE: Duration = Duration::from_millis(200);

pub fn run_with_timeout(request: &RunRequest) -> RunOutcome {
    let started = Instant::now();
    let mut command = Command::new(&request.program);
    command
        .args(&request.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    own_process_group(&mut command);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return RunOutcome::FailedToStart(describe_spawn_error(&e)),
    };
    let stdout = child.stdout.take().map(spawn_reader);
    let stderr = child.stderr.take().map(spawn_reader);
    let tree = ProcessTree::new(&child);

    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        let status = child.wait();
        let _ = done_tx.send(status);
    });
    let (status, timed_out) = match done_rx.recv_timeout(request.timeout) {
        Ok(status) => (status.ok(), false),
        Err(_) => {
            tree.kill();
            (done_rx.recv().ok().and_then(Result::ok), true)
        }
    };
    // Whatever the command left behind in its group goes too: the probe
    // leaves the machine as it found it.
    if !timed_out {
        tree.kill_leftovers();
    }
    let deadline = Instant::now() + DRAIN_GRACE;
    let stdout = collect(stdout, deadline);
    let stderr = collect(stderr, deadline);
    if timed_out {
        RunOutcome::TimedOut {
            after: started.elapsed(),
            stdout,
            stderr,
        }
    } else {
        RunOutcome::Exited {
            code: status.and_then(|s| s.code()),
            stdout,
            stderr,
        }
    }
}

fn describe_spawn_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "it could not be started (no such file, or its interpreter is missing)".into()
        }
        std::io::ErrorKind::PermissionDenied => {
            "permission denied: it is not executable by this user".into()
        }
        _ => match e.raw_os_error() {
            // ENOEXEC: not a binary this machine runs, and no #! line.
            Some(8) if cfg!(unix) => {
                "it is not a program this machine can run (exec format error)".into()
            }
            _ => format!("it could not be started: {e}"),
        },
    }
}

/// A stream being read on its own thread. What was read so far is shared,
/// so that a stream a daemon keeps open still yields what came before.
struct Reader {
    captured: Arc<Mutex<Captured>>,
    done: mpsc::Receiver<()>,
}

fn spawn_reader(mut stream: impl Read + Send + 'static) -> Reader {
    let captured = Arc::new(Mutex::new(Captured::default()));
    let shared = Arc::clone(&captured);
    let (tx, done) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = [0u8; 64 * 1024];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let mut captured = shared.lock().unwrap_or_else(PoisonError::into_inner);
                    captured.total += n as u64;
                    let room = OUTPUT_CAP.saturating_sub(captured.bytes.len());
                    captured.bytes.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = tx.send(());
    });
    Reader { captured, done }
}

fn collect(reader: Option<Reader>, deadline: Instant) -> Captured {
    let Some(reader) = reader else {
        return Captured::default();
    };
    let finished = reader
        .done
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .is_ok();
    let mut captured = std::mem::take(
        &mut *reader
            .captured
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    captured.incomplete = !finished;
    captured
}

#[cfg(unix)]
fn own_process_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn own_process_group(_command: &mut Command) {}

/// The spawned command and everything it started.
struct ProcessTree {
    pid: u32,
}

impl ProcessTree {
    fn new(child: &Child) -> ProcessTree {
        ProcessTree { pid: child.id() }
    }

    /// Kills the whole process group the command leads.
    #[cfg(unix)]
    fn kill(&self) {
        let Ok(pgid) = libc::pid_t::try_from(self.pid) else {
            return;
        };
        // SAFETY: killpg only sends a signal; the group id is the child's pid,
        // which we started as a group leader.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }

    /// Windows: `taskkill /T` ends the tree until Job Objects are in place.
    #[cfg(windows)]
    fn kill(&self) {
        let _ = Command::new("taskkill")
            .args(["/T", "/F", "/PID", &self.pid.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    #[cfg(not(any(unix, windows)))]
    fn kill(&self) {}

    /// After a normal exit: cheap on Unix (one signal to the group). On
    /// Windows it would cost a process spawn per check, so it waits for Job
    /// Objects.
    fn kill_leftovers(&self) {
        if cfg!(unix) {
            self.kill();
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};

    /// Runs `script` with /bin/sh (the script itself is never exec'd, so no
    /// "text file busy" from another thread's fork), `$1` being `dir`.
    fn sh(dir: &Path, script: &str, timeout: Duration) -> (RunOutcome, Duration) {
        let file = dir.join("script.sh");
        fs::write(&file, script).expect("write script");
        let started = Instant::now();
        let outcome = run_with_timeout(&RunRequest {
            program: "/bin/sh".into(),
            args: vec![file.into(), dir.into()],
            timeout,
        });
        (outcome, started.elapsed())
    }

    fn exec(program: PathBuf) -> RunOutcome {
        run_with_timeout(&RunRequest {
            program,
            args: Vec::new(),
            timeout: Duration::from_secs(10),
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
            Duration::from_millis(500),
        );
        let child = read_pid(dir.path(), "child.pid");
        let gone = gone_soon(child);
        if !gone {
            kill(child);
        }
        assert!(took < Duration::from_secs(10), "took {took:?}");
        match outcome {
            RunOutcome::TimedOut { after, stdout, .. } => {
                assert!(after >= Duration::from_millis(500), "{after:?}");
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
    fn output_is_capped_but_counted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (outcome, _) = sh(
            dir.path(),
            "dd if=/dev/zero bs=1048576 count=10 2>/dev/null\necho err >&2\n",
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
            timeout: Duration::from_secs(10),
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
    fn a_missing_program_fails_to_start() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            exec(dir.path().join("no-such-program")),
            RunOutcome::FailedToStart(
                "it could not be started (no such file, or its interpreter is missing)".into()
            )
        );
    }

    #[test]
    fn a_missing_interpreter_fails_to_start() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = script_file(dir.path(), "tool", "#!/no/such/interpreter\n", 0o755);
        assert_eq!(
            exec(file),
            RunOutcome::FailedToStart(
                "it could not be started (no such file, or its interpreter is missing)".into()
            )
        );
    }

    #[test]
    fn a_file_without_exec_permission_fails_to_start() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = script_file(dir.path(), "tool", "#!/bin/sh\necho hi\n", 0o644);
        assert_eq!(
            exec(file),
            RunOutcome::FailedToStart(
                "permission denied: it is not executable by this user".into()
            )
        );
    }

    #[test]
    fn a_file_that_is_no_program_fails_to_start() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = script_file(dir.path(), "tool", "\x7fELF not really\n", 0o755);
        assert_eq!(
            exec(file),
            RunOutcome::FailedToStart(
                "it is not a program this machine can run (exec format error)".into()
            )
        );
    }
}

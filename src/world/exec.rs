//! Spawning a command so that it can never hang or flood the probe: stdin
//! closed, output capped, and on timeout the command AND every process it
//! started are killed.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
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

type Reader = mpsc::Receiver<Captured>;

fn spawn_reader(mut stream: impl Read + Send + 'static) -> Reader {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut captured = Captured::default();
        let mut buf = [0u8; 64 * 1024];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    captured.total += n as u64;
                    let room = OUTPUT_CAP.saturating_sub(captured.bytes.len());
                    captured.bytes.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = tx.send(captured);
    });
    rx
}

fn collect(reader: Option<Reader>, deadline: Instant) -> Captured {
    match reader {
        None => Captured::default(),
        Some(rx) => rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or(Captured {
                incomplete: true,
                ..Captured::default()
            }),
    }
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

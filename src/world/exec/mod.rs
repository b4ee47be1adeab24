//! Spawning a command so that it can never hang or flood the probe: stdin
//! closed, output capped (`stream`: each stream read on its own thread, in
//! bounded memory), and on timeout the command AND every process it
//! started are killed (`tree`: its process group on Unix, with what escaped
//! it on Linux; its Job Object on Windows).

use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;
use std::time::Instant;

use super::{LineMatcher, RunOutcome, RunRequest, Stream};

mod stream;
#[cfg(all(test, unix))]
mod tests;
mod tree;
#[cfg(all(test, windows))]
mod windows_tests;

use stream::{collect, spawn_reader, DRAIN_GRACE};
use tree::ProcessTree;

pub fn run_with_timeout(request: &RunRequest) -> RunOutcome {
    let started = Instant::now();
    let mut command = Command::new(&request.program);
    add_args(&mut command, request);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    own_process_group(&mut command);
    let tree = ProcessTree::prepare(&mut command);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return RunOutcome::FailedToStart(describe_spawn_error(&e)),
    };
    let tree = tree.adopt(&child);
    let deadline = started + request.timeout;
    let watch = |stream| -> Vec<Option<Arc<dyn LineMatcher>>> {
        request
            .watch
            .iter()
            .map(|w| {
                w.stream
                    .is_none_or(|s| s == stream)
                    .then(|| Arc::clone(&w.pattern))
            })
            .collect()
    };
    let stdout = child
        .stdout
        .take()
        .map(|s| spawn_reader(s, watch(Stream::Stdout), deadline));
    let stderr = child
        .stderr
        .take()
        .map(|s| spawn_reader(s, watch(Stream::Stderr), deadline));

    // On Unix the command is waited for without being reaped: until its
    // group is killed, its pid (the group's id) stays its own.
    let (done_tx, done_rx) = mpsc::channel();
    let waiter = Waiter::new(child);
    let waiting = waiter.clone();
    thread::spawn(move || {
        waiting.exited();
        let _ = done_tx.send(());
    });
    let timed_out = match done_rx.recv_timeout(request.timeout) {
        Ok(()) => false,
        Err(_) => {
            tree.kill();
            let _ = done_rx.recv();
            true
        }
    };
    // Whatever the command left behind in its group (its job) goes too: the
    // probe leaves the machine as it found it.
    if !timed_out {
        tree.kill_leftovers();
    }
    let status = waiter.reap();
    // A command that timed out gets a grace's reading; one that ended, as
    // long as its output still comes, within its time.
    let deadline = deadline.max(Instant::now() + DRAIN_GRACE);
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

#[cfg(windows)]
fn add_args(command: &mut Command, request: &RunRequest) {
    use std::os::windows::process::CommandExt;
    if request.verbatim {
        for arg in &request.args {
            command.raw_arg(arg);
        }
    } else {
        command.args(&request.args);
    }
}

#[cfg(not(windows))]
fn add_args(command: &mut Command, request: &RunRequest) {
    command.args(&request.args);
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
            // ERROR_BAD_EXE_FORMAT: a file with an extension in PATHEXT that
            // is no Windows program (a renamed script, a Linux binary).
            Some(193) if cfg!(windows) => {
                "it is not a program this machine can run (not a valid Windows program)".into()
            }
            _ => format!("it could not be started: {e}"),
        },
    }
}

/// The command, waited for from another thread.
#[derive(Clone)]
struct Waiter {
    child: Arc<Mutex<Child>>,
    #[cfg(unix)]
    pid: libc::pid_t,
}

impl Waiter {
    fn new(child: Child) -> Waiter {
        Waiter {
            #[cfg(unix)]
            pid: libc::pid_t::try_from(child.id()).unwrap_or(0),
            child: Arc::new(Mutex::new(child)),
        }
    }

    /// Returns once the command has exited, leaving it unreaped (a zombie
    /// that keeps its pid and process group id) on Unix.
    #[cfg(unix)]
    fn exited(&self) {
        loop {
            // SAFETY: waitid with WNOWAIT only observes the exit of this
            // child; `info` is a zeroed siginfo_t it fills in.
            let done = unsafe {
                let mut info: libc::siginfo_t = std::mem::zeroed();
                libc::waitid(
                    libc::P_PID,
                    self.pid as libc::id_t,
                    &mut info,
                    libc::WEXITED | libc::WNOWAIT,
                )
            };
            if done == 0
                || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
            {
                return;
            }
        }
    }

    #[cfg(not(unix))]
    fn exited(&self) {
        let _ = self.lock().wait();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Child> {
        self.child.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The exit status, the command reaped.
    fn reap(&self) -> Option<std::process::ExitStatus> {
        self.lock().wait().ok()
    }
}

#[cfg(unix)]
fn own_process_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn own_process_group(_command: &mut Command) {}

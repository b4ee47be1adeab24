//! Spawning a command so that it can never hang or flood the probe: stdin
//! closed, output capped, and on timeout the command AND every process it
//! started are killed: on Unix its process group, on Windows its Job Object.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::{Captured, LineMatcher, RunOutcome, RunRequest, Stream};

/// Bytes kept per stream; the rest is read line by line (for versions and
/// the check's patterns) and dropped, so the command is never blocked on a
/// full pipe and memory stays bounded.
pub const OUTPUT_CAP: usize = 1 << 20;

/// Past the cap, the most bytes of kept lines per stream.
pub const LATER_LIMIT: usize = 256 * 1024;

/// Past the cap, a longer line is looked at in windows of this many bytes
/// that overlap by [`crate::spec::OVERLAP`].
const LINE_LIMIT: usize = 64 * 1024;

const _: () = assert!(crate::spec::OVERLAP < LINE_LIMIT);

/// How much output, at most, is read once the command has ended: a pipe
/// holds less (64 KiB on Linux, at most 1 MiB when its writer enlarges
/// it), so more is a process the command left behind (a daemon) writing
/// on, which is not waited for. A daemon that writes slowly is read until
/// the check's time is up.
const DRAIN_MAX_BYTES: u64 = 2 << 20;

/// What a kept line costs beyond its bytes, counted against
/// [`LATER_LIMIT`], so that many empty lines are bounded too.
const ENTRY_COST: usize = 32;

/// How long to wait for output still in the pipes once the process group is
/// gone. Only a process that escaped the group (a daemon) can hold a pipe
/// open that long.
const DRAIN_GRACE: Duration = Duration::from_millis(200);

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

/// A stream being read on its own thread. What was read so far is shared,
/// so that a stream a daemon keeps open still yields what came before.
struct Reader {
    captured: Arc<Mutex<Captured>>,
    done: mpsc::Receiver<()>,
}

/// `watch`: the request's patterns, None where one is for the other stream.
fn spawn_reader(
    mut stream: impl Read + Send + 'static,
    watch: Vec<Option<Arc<dyn LineMatcher>>>,
    deadline: Instant,
) -> Reader {
    let captured = Arc::new(Mutex::new(Captured {
        watched: vec![false; watch.len()],
        ..Captured::default()
    }));
    let shared = Arc::clone(&captured);
    let (tx, done) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = [0u8; 64 * 1024];
        let mut later = Later::new(watch, deadline);
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let mut captured = shared.lock().unwrap_or_else(PoisonError::into_inner);
                    captured.total += n as u64;
                    let room = OUTPUT_CAP.saturating_sub(captured.bytes.len());
                    let kept = n.min(room);
                    captured.bytes.extend_from_slice(&buf[..kept]);
                    if kept < n {
                        if later.line_number == 0 {
                            // The line the cap cuts is numbered from the
                            // head, and read whole: its start too.
                            later.line_number =
                                captured.bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
                            let start = captured
                                .bytes
                                .iter()
                                .rposition(|b| *b == b'\n')
                                .map_or(0, |i| i + 1);
                            let cut = captured.bytes[start..].to_vec();
                            later.take(&cut, &mut captured);
                        }
                        later.feed(&buf[kept..n], &mut captured);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let mut captured = shared.lock().unwrap_or_else(PoisonError::into_inner);
        later.finish(&mut captured);
        drop(captured);
        let _ = tx.send(());
    });
    Reader { captured, done }
}

/// The reading of a stream past its cap: line by line, each line matched
/// against the watched patterns and kept when it may hold a version, all
/// in bounded memory, and no matching once the command's time is up. A
/// line longer than [`LINE_LIMIT`] is looked at in overlapping windows.
struct Later {
    watch: Vec<Option<Arc<dyn LineMatcher>>>,
    deadline: Instant,
    /// The line being read, or its last window.
    line: Vec<u8>,
    /// Whether `line` starts inside the line (after a window was looked
    /// at): its first character is only context then.
    continued: bool,
    /// Its number, from 1; 0 until the cap is reached.
    line_number: u64,
    kept_bytes: usize,
}

impl Later {
    fn new(watch: Vec<Option<Arc<dyn LineMatcher>>>, deadline: Instant) -> Later {
        Later {
            watch,
            deadline,
            line: Vec::new(),
            continued: false,
            line_number: 0,
            kept_bytes: 0,
        }
    }

    fn feed(&mut self, mut bytes: &[u8], captured: &mut Captured) {
        while let Some(end) = bytes.iter().position(|b| *b == b'\n') {
            self.take(&bytes[..end], captured);
            self.line_done(captured);
            bytes = &bytes[end + 1..];
        }
        self.take(bytes, captured);
    }

    /// Adds to the line being read; a full window is looked at and all but
    /// its last [`crate::spec::OVERLAP`] bytes let go.
    fn take(&mut self, mut bytes: &[u8], captured: &mut Captured) {
        loop {
            let room = LINE_LIMIT.saturating_sub(self.line.len());
            if bytes.len() <= room {
                self.line.extend_from_slice(bytes);
                return;
            }
            self.line.extend_from_slice(&bytes[..room]);
            bytes = &bytes[room..];
            self.look(captured, true);
            let keep_from = self.line.len() - crate::spec::OVERLAP;
            self.line.drain(..keep_from);
            self.continued = true;
        }
    }

    fn finish(&mut self, captured: &mut Captured) {
        if !self.line.is_empty() || self.continued {
            self.line_done(captured);
        }
    }

    fn line_done(&mut self, captured: &mut Captured) {
        self.look(captured, false);
        self.line.clear();
        self.continued = false;
        self.line_number += 1;
    }

    /// Matches the line (or a window of it, `more` following) against the
    /// watched patterns, and keeps it when one matched. The window's first character (when it continues a line)
    /// and its last (when more follows) are context only: the windows
    /// either side search them.
    fn look(&mut self, captured: &mut Captured, more: bool) {
        if captured.unscanned {
            return;
        }
        if Instant::now() >= self.deadline {
            captured.unscanned = true;
            return;
        }
        let text = String::from_utf8_lossy(&self.line);
        let text = text.strip_suffix('\r').filter(|_| !more).unwrap_or(&text);
        let start = if self.continued {
            text.char_indices().nth(1).map_or(text.len(), |(i, _)| i)
        } else {
            0
        };
        let end = if more {
            text.char_indices()
                .next_back()
                .map_or(0, |(i, _)| i)
                .max(start)
        } else {
            text.len()
        };
        let mut keep = false;
        for (i, pattern) in self.watch.iter().enumerate() {
            if let Some(p) = pattern {
                if (!captured.watched[i] || p.keeps_every_line()) && p.is_match_in(text, start..end)
                {
                    captured.watched[i] = true;
                    keep = true;
                }
            }
        }
        // A window of a long line is kept marked as such (`…` where the
        // line goes on), so that `^` and `$` do not match at its cuts when
        // the kept lines are searched again.
        let kept = format!(
            "{}{}{}",
            if self.continued { "…" } else { "" },
            &text[start..end],
            if more { "…" } else { "" }
        );
        let cost = kept.len() + ENTRY_COST;
        if keep && self.kept_bytes + cost <= LATER_LIMIT {
            self.kept_bytes += cost;
            captured.later.push((self.line_number, kept));
        }
    }
}

/// What a reader read. Once the command is gone, the reader is waited for
/// as long as it still gets output (up to the command's deadline), but not
/// for more than [`DRAIN_MAX_BYTES`] of it: a pipe a daemon holds open is
/// given up on after [`DRAIN_GRACE`] of silence, or once it has written
/// more than any pipe holds.
fn collect(reader: Option<Reader>, deadline: Instant) -> Captured {
    let Some(reader) = reader else {
        return Captured::default();
    };
    let total = || {
        reader
            .captured
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    };
    let at_exit = total();
    let mut seen = at_exit;
    let finished = loop {
        if reader.done.recv_timeout(DRAIN_GRACE).is_ok() {
            break true;
        }
        let now = total();
        if now == seen || now - at_exit > DRAIN_MAX_BYTES || Instant::now() >= deadline {
            break false;
        }
        seen = now;
    };
    let mut captured = std::mem::take(
        &mut *reader
            .captured
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    captured.incomplete = !finished;
    captured
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

/// The spawned command and everything it started.
#[cfg(unix)]
struct ProcessTree {
    /// The command's process group: its pid, as it was started as a group
    /// leader.
    pgid: Option<libc::pid_t>,
    /// The command's mark (`reaper::MARK`).
    #[cfg(target_os = "linux")]
    mark: String,
    /// The command's environment, kept until it has started.
    #[cfg(target_os = "linux")]
    _env: super::reaper::MarkedEnv,
}

#[cfg(unix)]
impl ProcessTree {
    /// On Linux, the probe becomes the reaper of the command's orphans, and
    /// the command is marked so that what escapes its group can be found.
    fn prepare(command: &mut Command) -> ProcessTree {
        #[cfg(target_os = "linux")]
        let (mark, env) = {
            super::reaper::become_subreaper();
            let mark = super::reaper::new_mark();
            let env = super::reaper::mark_command(command, &mark);
            (mark, env)
        };
        #[cfg(not(target_os = "linux"))]
        let _ = command;
        ProcessTree {
            pgid: None,
            #[cfg(target_os = "linux")]
            mark,
            #[cfg(target_os = "linux")]
            _env: env,
        }
    }

    fn adopt(mut self, child: &Child) -> ProcessTree {
        self.pgid = libc::pid_t::try_from(child.id()).ok();
        if let Some(pgid) = self.pgid {
            crate::interrupt::started_group(pgid);
        }
        self
    }

    /// Kills the whole process group the command leads, and on Linux what
    /// left the group: its descendants, and the orphans with its mark.
    /// The command is not reaped yet, so its pid is still its own.
    fn kill(&self) {
        let Some(pgid) = self.pgid else {
            return;
        };
        // SAFETY: killpg only sends a signal; the group id is the child's pid,
        // which we started as a group leader and have not reaped.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
        #[cfg(target_os = "linux")]
        super::reaper::kill_escaped(pgid, &self.mark);
    }

    /// After a normal exit: one signal to the group (the leader is a
    /// zombie not yet reaped, which keeps the group's id from reuse).
    fn kill_leftovers(&self) {
        let Some(pgid) = self.pgid else {
            return;
        };
        // SAFETY: as in `kill`.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}

#[cfg(unix)]
impl Drop for ProcessTree {
    fn drop(&mut self) {
        if let Some(pgid) = self.pgid {
            crate::interrupt::ended_group(pgid);
        }
    }
}

/// The spawned command and everything it started: a Job Object that the
/// command is put in right after it is created. Processes it starts are in
/// the job too (unless they ask to break away and the job allows it, which
/// this one does not), so one `TerminateJobObject` ends the whole tree.
///
/// The race: `std` offers no way to create a process inside a job, so the
/// command runs for the moment between `CreateProcess` returning and
/// `AssignProcessToJobObject`. A process it started in that window would
/// not be in the job. Starting anything takes a freshly created process far
/// longer than that (its DLLs are still loading), so in practice the window
/// is closed; starting it suspended would close it for certain, but `std`
/// keeps the main thread's handle to itself, so resuming it would need the
/// thread list of the whole machine (a Toolhelp snapshot) on every spawn.
///
/// Where no job can be made or joined (Windows before 8 inside another job),
/// the command alone is terminated, as `Child::kill` would.
#[cfg(windows)]
struct ProcessTree {
    job: Option<job::Job>,
    /// Our own handle on the command (not the `Child`'s, which the waiting
    /// thread closes), for when it is in no job.
    process: Option<std::os::windows::io::OwnedHandle>,
}

#[cfg(windows)]
impl ProcessTree {
    /// Creates the job before the command exists, to keep the window before
    /// it is assigned as short as possible.
    fn prepare(_: &mut Command) -> ProcessTree {
        ProcessTree {
            job: job::Job::new(),
            process: None,
        }
    }

    fn adopt(self, child: &Child) -> ProcessTree {
        use std::os::windows::io::AsHandle;
        let job = self.job.filter(|job| job.assign(child));
        let process = match job {
            Some(_) => None,
            None => child.as_handle().try_clone_to_owned().ok(),
        };
        ProcessTree { job, process }
    }

    fn kill(&self) {
        match (&self.job, &self.process) {
            (Some(job), _) => job.terminate(),
            (None, Some(process)) => job::terminate_process(process),
            (None, None) => {}
        }
    }

    /// After a normal exit: cheap with a job (one call, no process spawned),
    /// and closing the job would do it anyway.
    fn kill_leftovers(&self) {
        if let Some(job) = &self.job {
            job.terminate();
        }
    }
}

#[cfg(windows)]
mod job {
    use std::os::windows::io::{AsRawHandle, OwnedHandle};
    use std::process::Child;

    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation,
        SetInformationJobObject, TerminateJobObject, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
        JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    };
    use windows_sys::Win32::System::Threading::TerminateProcess;

    /// The exit code the killed processes get (what `Child::kill` uses).
    const KILLED: u32 = 1;

    /// An unnamed job whose processes die when its last handle is closed:
    /// even if the probe itself is killed, the commands it started go too.
    pub struct Job(HANDLE);

    // SAFETY: a job handle may be used and closed from any thread.
    unsafe impl Send for Job {}
    unsafe impl Sync for Job {}

    impl Job {
        pub fn new() -> Option<Job> {
            // SAFETY: no security attributes and no name: a private job.
            let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
            if handle.is_null() {
                return None;
            }
            let job = Job(handle);
            let mut limits = JOBOBJECT_EXTENDED_LIMIT_INFORMATION::default();
            limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            // SAFETY: the struct and its size match the information class.
            let ok = unsafe {
                SetInformationJobObject(
                    job.0,
                    JobObjectExtendedLimitInformation,
                    std::ptr::from_ref(&limits).cast(),
                    std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
                )
            };
            (ok != 0).then_some(job)
        }

        /// Puts the command in the job; false when Windows refuses.
        pub fn assign(&self, child: &Child) -> bool {
            // SAFETY: both handles are open: the job is ours, the process
            // handle belongs to `child`, which the caller holds.
            unsafe { AssignProcessToJobObject(self.0, child.as_raw_handle() as HANDLE) != 0 }
        }

        /// Ends every process in the job. Harmless when none is left.
        pub fn terminate(&self) {
            // SAFETY: the handle is open until drop.
            unsafe {
                TerminateJobObject(self.0, KILLED);
            }
        }
    }

    impl Drop for Job {
        fn drop(&mut self) {
            // SAFETY: closed once, here. Closing the last handle kills what
            // is still in the job (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE).
            unsafe {
                CloseHandle(self.0);
            }
        }
    }

    pub fn terminate_process(process: &OwnedHandle) {
        // SAFETY: the handle is ours and open; it keeps the process object
        // alive, so it cannot name another process.
        unsafe {
            TerminateProcess(process.as_raw_handle() as HANDLE, KILLED);
        }
    }
}

/// Elsewhere there is no way to reach the command's children.
#[cfg(not(any(unix, windows)))]
struct ProcessTree {
    child: u32,
}

#[cfg(not(any(unix, windows)))]
impl ProcessTree {
    fn prepare(_: &mut Command) -> ProcessTree {
        ProcessTree { child: 0 }
    }

    fn adopt(self, child: &Child) -> ProcessTree {
        ProcessTree { child: child.id() }
    }

    fn kill(&self) {
        let _ = self.child;
    }

    fn kill_leftovers(&self) {}
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
}

/// The same guarantees on Windows, with cmd.exe and the programs wine has.
#[cfg(all(test, windows))]
mod windows_tests {
    use super::*;
    use std::fs;
    use std::path::{Path, PathBuf};

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
}

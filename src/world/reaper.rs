//! What escapes a command's process group on Linux: a grandchild that
//! calls `setsid` or `setpgid` (a daemon, `setsid -f`, a double fork) is no
//! longer in the group a timeout kills. The probe makes itself a child
//! subreaper (`PR_SET_CHILD_SUBREAPER`), so such a process, once its parent
//! exits, becomes the probe's child instead of init's; and every command
//! it starts carries a mark in its environment ([`MARK`]) that its
//! descendants inherit. When a command times out, its descendants (found
//! through their parents, while the chain holds) and the probe's own
//! children that carry the command's mark are killed with its group.
//!
//! Only processes this run started are touched: a descendant of the
//! command's process, or a child of the probe with the command's mark.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

/// The variable that marks a command's processes: `<probe's pid>.<n>`.
pub const MARK: &str = "PROBE_COMMAND";

/// Makes the probe the reaper of the orphans of the commands it starts;
/// done once, before the first command.
pub fn become_subreaper() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: prctl with PR_SET_CHILD_SUBREAPER only sets a flag on
        // this process.
        unsafe {
            libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
    });
}

/// A new mark for a command about to start.
pub fn new_mark() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "{}.{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The environment a marked command starts with, and what it execs: kept
/// until the command has started.
pub struct MarkedEnv {
    _entry: std::ffi::CString,
    _envp: Vec<*const libc::c_char>,
    _program: std::ffi::CString,
    _args: Vec<std::ffi::CString>,
    _argv: Vec<*const libc::c_char>,
}

extern "C" {
    static mut environ: *const *const libc::c_char;
}

/// Gives `command` the probe's environment plus `MARK=mark`, without
/// `Command::env`, which copies the whole environment for every command
/// (80 000 instructions each, with a few dozen variables): the array is
/// made of pointers to the probe's own variables and handed to `execve`
/// between fork and exec. `execve`, not `execvp`, so that a file that is
/// not a program is an error ("exec format error"), as it is for
/// `posix_spawn`, not run by sh.
pub fn mark_command(command: &mut std::process::Command, mark: &str) -> MarkedEnv {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::process::CommandExt;
    let c_string = |bytes: &[u8]| CString::new(bytes).unwrap_or_default();
    let entry = c_string(format!("{MARK}={mark}").as_bytes());
    let name = format!("{MARK}=");
    let mut envp = Vec::with_capacity(64);
    // SAFETY: `environ` is the process's NULL-terminated array of
    // NUL-terminated strings; the probe never changes its environment
    // once it runs, so no other thread rewrites it meanwhile.
    unsafe {
        let mut p = environ;
        while !p.is_null() && !(*p).is_null() {
            if !std::ffi::CStr::from_ptr(*p)
                .to_bytes()
                .starts_with(name.as_bytes())
            {
                envp.push(*p);
            }
            p = p.add(1);
        }
    }
    envp.push(entry.as_ptr());
    envp.push(std::ptr::null());
    let program = c_string(command.get_program().as_bytes());
    let args: Vec<CString> = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| c_string(a.as_bytes()))
        .collect();
    let mut argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    // A bare name is left to std's exec, which looks it up on PATH.
    let direct = command.get_program().as_bytes().contains(&b'/');
    let (envp_at, program_at, argv_at) = (
        envp.as_ptr() as usize,
        program.as_ptr() as usize,
        argv.as_ptr() as usize,
    );
    // SAFETY: the closure runs in the child between fork and exec, where
    // only async-signal-safe work is allowed: it stores one pointer and
    // calls execve. The arrays and strings live until `spawn` has
    // returned (in the MarkedEnv the caller keeps), and the child's copy
    // of the memory keeps them for the exec.
    unsafe {
        command.pre_exec(move || {
            environ = envp_at as *const *const libc::c_char;
            if direct {
                libc::execve(
                    program_at as *const libc::c_char,
                    argv_at as *const *const libc::c_char,
                    envp_at as *const *const libc::c_char,
                );
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    MarkedEnv {
        _entry: entry,
        _envp: envp,
        _program: program,
        _args: args,
        _argv: argv,
    }
}

/// Kills `leader`'s descendants and the probe's children that carry
/// `mark` (with their descendants). Call it while `leader` is not yet
/// reaped, so its pid is not someone else's.
pub fn kill_escaped(leader: libc::pid_t, mark: &str) {
    let processes = processes();
    let me = libc::pid_t::try_from(std::process::id()).unwrap_or(0);
    let mut doomed: Vec<libc::pid_t> = processes
        .iter()
        .filter(|(pid, ppid)| **ppid == me && **pid != leader && carries(**pid, |m| m == mark))
        .map(|(pid, _)| *pid)
        .collect();
    doomed.push(leader);
    // Their descendants, through the parents each names.
    let mut i = 0;
    while i < doomed.len() {
        let parent = doomed[i];
        doomed.extend(
            processes
                .iter()
                .filter(|(_, ppid)| **ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    for pid in doomed.into_iter().filter(|p| *p != leader) {
        // SAFETY: only sends a signal, to a process this run started (its
        // parent is one, or it is the probe's child with the mark).
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
        reap(pid, me);
    }
}

/// Kills the probe's children that carry a mark of this run: what the
/// commands left running when they ended. At the end of a run, when no
/// command runs any more.
pub fn kill_leftovers() {
    if !has_children() {
        return;
    }
    let me = libc::pid_t::try_from(std::process::id()).unwrap_or(0);
    let prefix = format!("{me}.");
    for (pid, ppid) in processes() {
        if ppid == me && carries(pid, |m| m.starts_with(&prefix)) {
            // SAFETY: only sends a signal to an orphan this run's command
            // left behind, now the probe's child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            reap(pid, me);
        }
    }
}

/// Reaps `pid` if it is the probe's child: an orphan that came to the
/// probe is its to reap (briefly waited for; a zombie left is gone with
/// the probe). Never waits on any pid but `pid`.
fn reap(pid: libc::pid_t, me: libc::pid_t) {
    if parent_of(pid) != Some(me) {
        return;
    }
    for _ in 0..50 {
        let mut status = 0;
        // SAFETY: waits for one given child only, without blocking.
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done != 0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Whether the probe has a child, alive or not: with no command running,
/// one can only be an orphan that came to it. Asked of the kernel, so that
/// a run whose commands left nothing behind does not read /proc.
fn has_children() -> bool {
    // SAFETY: waitid with WNOHANG | WNOWAIT neither blocks nor reaps;
    // `info` is a zeroed siginfo_t it may fill in.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        libc::waitid(
            libc::P_ALL,
            0,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        ) == 0
    }
}

/// Every process and its parent, from /proc.
fn processes() -> HashMap<libc::pid_t, libc::pid_t> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<libc::pid_t>().ok())
        .filter_map(|pid| Some((pid, parent_of(pid)?)))
        .collect()
}

/// The parent in /proc/PID/stat: the field after the state, which follows
/// the command name's last `)`.
fn parent_of(pid: libc::pid_t) -> Option<libc::pid_t> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(") ")?;
    rest.split(' ').nth(1)?.parse().ok()
}

/// Whether the process's environment has a [`MARK`] that `fits`.
fn carries(pid: libc::pid_t, fits: impl Fn(&str) -> bool) -> bool {
    let Ok(variables) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let name = format!("{MARK}=");
    variables.split(|b| *b == 0).any(|var| {
        var.strip_prefix(name.as_bytes())
            .and_then(|v| std::str::from_utf8(v).ok())
            .is_some_and(&fits)
    })
}

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
    let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let name = format!("{MARK}=");
    environ.split(|b| *b == 0).any(|var| {
        var.strip_prefix(name.as_bytes())
            .and_then(|v| std::str::from_utf8(v).ok())
            .is_some_and(&fits)
    })
}

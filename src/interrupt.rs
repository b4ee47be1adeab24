//! Ctrl-C, or GoCD cancelling the job. The commands the probe starts run in
//! process groups of their own (so that a timeout can kill their children),
//! which keeps the terminal's and GoCD's signal from reaching them. So the
//! probe catches SIGINT, SIGTERM and SIGHUP and records which arrived; the
//! runner notices (a few times a second), kills every command still running
//! with [`kill_started_commands`], and reports the run as interrupted. On
//! Windows a command's Job Object closes with the probe and takes the
//! command with it: nothing to catch.

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::sync::{Mutex, MutexGuard};

    static SIGNAL: AtomicI32 = AtomicI32::new(0);
    static LIVE_GROUPS: Mutex<Vec<libc::pid_t>> = Mutex::new(Vec::new());

    fn live_groups() -> MutexGuard<'static, Vec<libc::pid_t>> {
        LIVE_GROUPS.lock().unwrap_or_else(|p| p.into_inner())
    }

    extern "C" fn record(signal: libc::c_int) {
        // Only an atomic store: the one thing a signal handler may safely do here.
        SIGNAL.store(signal, Ordering::SeqCst);
    }

    pub fn install() {
        let handler = record as extern "C" fn(libc::c_int) as libc::sighandler_t;
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: the handler only stores into an atomic.
            unsafe {
                libc::signal(signal, handler);
            }
        }
    }

    pub fn received() -> Option<i32> {
        Some(SIGNAL.load(Ordering::SeqCst)).filter(|s| *s != 0)
    }

    pub fn started_group(pgid: libc::pid_t) {
        live_groups().push(pgid);
    }

    pub fn ended_group(pgid: libc::pid_t) {
        live_groups().retain(|g| *g != pgid);
    }

    pub fn kill_started_commands() {
        for pgid in live_groups().iter() {
            // SAFETY: only sends a signal to a group we started.
            unsafe {
                libc::killpg(*pgid, libc::SIGKILL);
            }
        }
    }
}

#[cfg(not(unix))]
mod imp {
    pub fn install() {}

    pub fn received() -> Option<i32> {
        None
    }

    pub fn kill_started_commands() {}
}

/// Catches the signals that end a run; call once, before checks run.
pub use imp::install;

/// The signal received, if any.
pub use imp::received;

/// Kills every command the probe started that is still running, with its
/// children.
pub use imp::kill_started_commands;

/// A command's process group, to kill if the run is interrupted.
#[cfg(unix)]
pub(crate) use imp::{ended_group, started_group};

//! The spawned command and everything it started, to kill as one: its
//! process group on Unix (and, on Linux, what escaped it: `reaper`), its
//! Job Object on Windows.

use std::process::{Child, Command};

/// The spawned command and everything it started.
#[cfg(unix)]
pub(super) struct ProcessTree {
    /// The command's process group: its pid, as it was started as a group
    /// leader.
    pgid: Option<libc::pid_t>,
    /// The command's mark (`reaper::MARK`).
    #[cfg(target_os = "linux")]
    mark: String,
    /// The command's environment, kept until it has started.
    #[cfg(target_os = "linux")]
    _env: crate::world::reaper::MarkedEnv,
}

#[cfg(unix)]
impl ProcessTree {
    /// On Linux, the probe becomes the reaper of the command's orphans, and
    /// the command is marked so that what escapes its group can be found.
    pub(super) fn prepare(command: &mut Command) -> ProcessTree {
        #[cfg(target_os = "linux")]
        let (mark, env) = {
            crate::world::reaper::become_subreaper();
            let mark = crate::world::reaper::new_mark();
            let env = crate::world::reaper::mark_command(command, &mark);
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

    pub(super) fn adopt(mut self, child: &Child) -> ProcessTree {
        self.pgid = libc::pid_t::try_from(child.id()).ok();
        if let Some(pgid) = self.pgid {
            crate::interrupt::started_group(pgid);
        }
        self
    }

    /// Kills the whole process group the command leads, and on Linux what
    /// left the group: its descendants, and the orphans with its mark.
    /// The command is not reaped yet, so its pid is still its own.
    pub(super) fn kill(&self) {
        let Some(pgid) = self.pgid else {
            return;
        };
        // SAFETY: killpg only sends a signal; the group id is the child's pid,
        // which we started as a group leader and have not reaped.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
        #[cfg(target_os = "linux")]
        crate::world::reaper::kill_escaped(pgid, &self.mark);
    }

    /// After a normal exit: one signal to the group (the leader is a
    /// zombie not yet reaped, which keeps the group's id from reuse).
    pub(super) fn kill_leftovers(&self) {
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
pub(super) struct ProcessTree {
    job: Option<job::Job>,
    /// Our own handle on the command (not the `Child`'s, which the waiting
    /// thread closes), for when it is in no job.
    process: Option<std::os::windows::io::OwnedHandle>,
}

#[cfg(windows)]
impl ProcessTree {
    /// Creates the job before the command exists, to keep the window before
    /// it is assigned as short as possible.
    pub(super) fn prepare(_: &mut Command) -> ProcessTree {
        ProcessTree {
            job: job::Job::new(),
            process: None,
        }
    }

    pub(super) fn adopt(self, child: &Child) -> ProcessTree {
        use std::os::windows::io::AsHandle;
        let job = self.job.filter(|job| job.assign(child));
        let process = match job {
            Some(_) => None,
            None => child.as_handle().try_clone_to_owned().ok(),
        };
        ProcessTree { job, process }
    }

    pub(super) fn kill(&self) {
        match (&self.job, &self.process) {
            (Some(job), _) => job.terminate(),
            (None, Some(process)) => job::terminate_process(process),
            (None, None) => {}
        }
    }

    /// After a normal exit: cheap with a job (one call, no process spawned),
    /// and closing the job would do it anyway.
    pub(super) fn kill_leftovers(&self) {
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
pub(super) struct ProcessTree {
    child: u32,
}

#[cfg(not(any(unix, windows)))]
impl ProcessTree {
    pub(super) fn prepare(_: &mut Command) -> ProcessTree {
        ProcessTree { child: 0 }
    }

    pub(super) fn adopt(self, child: &Child) -> ProcessTree {
        ProcessTree { child: child.id() }
    }

    pub(super) fn kill(&self) {
        let _ = self.child;
    }

    pub(super) fn kill_leftovers(&self) {}
}

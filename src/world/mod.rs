//! The outside world a check looks at, behind one small trait, so that each
//! check is a plain function that tests can feed a fake machine.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::spec::OsFamily;

mod exec;
#[cfg(test)]
pub mod fake;
mod real;

pub use real::RealWorld;

/// Where a command name resolved on PATH.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(PathBuf),
    /// A file of that name is on PATH but the probe's user may not run it.
    NotExecutable(PathBuf),
    Missing,
}

/// A process to spawn. stdin is closed; the probe never feeds a command.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// Windows: put the arguments on the command line as they are, without
    /// the quoting programs expect (cmd.exe has rules of its own). Ignored
    /// elsewhere, where arguments are passed one by one.
    pub verbatim: bool,
    pub timeout: Duration,
}

/// Output of one stream, cut at [`exec::OUTPUT_CAP`] bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Captured {
    pub bytes: Vec<u8>,
    /// How many bytes the stream produced in all.
    pub total: u64,
    /// The stream was still open when the probe stopped reading (a child
    /// that outlived the command kept it open).
    pub incomplete: bool,
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    pub fn truncated(&self) -> bool {
        self.total > self.bytes.len() as u64
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    Exited {
        /// None when a signal ended the process.
        code: Option<i32>,
        stdout: Captured,
        stderr: Captured,
    },
    /// The timeout expired; the process and its children were killed.
    TimedOut {
        after: Duration,
        stdout: Captured,
        stderr: Captured,
    },
    /// The program could not be started at all.
    FailedToStart(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    File,
    Dir,
    Symlink,
    Socket,
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileInfo {
    pub kind: FileKind,
    /// Permission bits; None where the platform has none (Windows).
    pub mode: Option<u32>,
    /// Whether the probe's user may execute it.
    pub executable: bool,
}

/// What the OS says it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OsRelease {
    /// `ID` and then each `ID_LIKE` entry from /etc/os-release (Linux).
    pub ids: Vec<String>,
    /// `VERSION_ID` on Linux, the OS version elsewhere.
    pub version: Option<String>,
    /// `PRETTY_NAME` or the OS's long name.
    pub name: Option<String>,
}

pub trait World: Send + Sync {
    /// An environment variable of the probe's process.
    fn var(&self, name: &str) -> Option<OsString>;
    /// Every environment variable of the probe's process (lossily as text),
    /// for finding the secret ones.
    fn vars(&self) -> Vec<(String, String)>;
    /// Resolves a command name the way a shell would, on PATH.
    /// A name without a path separator is looked for on PATH; one with a
    /// separator is that path.
    fn lookup(&self, command: &std::ffi::OsStr) -> Lookup;
    fn run(&self, request: &RunRequest) -> RunOutcome;
    /// `follow`: false to look at a symlink itself.
    fn file_info(&self, path: &Path, follow: bool) -> io::Result<FileInfo>;
    /// Reads at most `limit` bytes from the start of a file.
    fn read_head(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>>;
    /// The OS family the probe runs on. The `platform` check and every
    /// check's `os` filter ask here, so that tests can fake another OS.
    fn os_family(&self) -> OsFamily;
    fn os_release(&self) -> OsRelease;
    fn arch(&self) -> String;
    /// The machine's name, for reports: the OS host name.
    fn hostname(&self) -> String;
    /// Logical CPUs this process may use.
    fn cpus(&self) -> io::Result<u64>;
    fn total_memory(&self) -> Option<u64>;
    /// Bytes available to unprivileged users on the filesystem holding `path`.
    fn disk_free(&self, path: &Path) -> io::Result<u64>;
    /// Names of running processes (name, executable file name).
    fn processes(&self) -> io::Result<Vec<String>>;
    /// Connects to `host:port`; Ok(the address that answered).
    fn tcp_connect(&self, address: &str, timeout: Duration) -> Result<String, String>;
}

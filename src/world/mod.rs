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
#[cfg(target_os = "linux")]
mod linux;
mod path;
mod real;
#[cfg(target_os = "linux")]
mod reaper;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

/// What the OS answers about files, the process's user and free space:
/// through libc on Unix, Windows' own APIs on Windows.
#[cfg(unix)]
use unix as os;
#[cfg(windows)]
use windows as os;

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
    /// Patterns the check will look for, matched past the output cap too.
    pub watch: Vec<Watch>,
}

/// What a check looks for in one stream (or both) past the output's cap:
/// the world reads the lines, the check says what matches. A line that
/// matches is kept (for the check to read again) and the match recorded.
#[derive(Debug, Clone)]
pub struct Watch {
    /// None: both streams.
    pub stream: Option<Stream>,
    pub pattern: std::sync::Arc<dyn LineMatcher>,
}

impl PartialEq for Watch {
    fn eq(&self, other: &Watch) -> bool {
        self.stream == other.stream && std::sync::Arc::ptr_eq(&self.pattern, &other.pattern)
    }
}

/// A pattern, as a check gives it to the world to match lines with.
pub trait LineMatcher: Send + Sync + std::fmt::Debug {
    /// Whether it matches within `text[span]`, the text around the span
    /// seen as context (for `^`, `$` and word boundaries).
    fn is_match_in(&self, text: &str, span: std::ops::Range<usize>) -> bool;

    /// Whether every line it matches is kept (lines a version may be read
    /// from), not only the first (a pattern a check only needs found).
    fn keeps_every_line(&self) -> bool {
        false
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Output of one stream: its first `exec::stream::OUTPUT_CAP` bytes, and what
/// a check needs from the rest, read line by line and kept bounded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Captured {
    pub bytes: Vec<u8>,
    /// How many bytes the stream produced in all.
    pub total: u64,
    /// The stream was still open when the probe stopped reading (a child
    /// that outlived the command kept it open).
    pub incomplete: bool,
    /// Past the cap: the lines that may hold a version (a digit, a dot and
    /// a digit) or match a watched pattern, with their line numbers (from
    /// 1), up to [`exec::LATER_LIMIT`] bytes.
    pub later: Vec<(u64, String)>,
    /// Past the cap: for each of the request's watched patterns, whether a
    /// line of this stream matched it.
    pub watched: Vec<bool>,
    /// Past the cap, the lines were not all looked at: the command's time
    /// ran out first.
    pub unscanned: bool,
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
    /// The owning user and group ids; None where the platform has none
    /// (Windows).
    pub owner: Option<u32>,
    pub group: Option<u32>,
}

/// Who the probe's process runs as (Unix).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Credentials {
    /// The effective user and group ids.
    pub uid: u32,
    pub gid: u32,
    /// The supplementary groups the process has now, which a group added
    /// to the user since the process started does not join.
    pub groups: Vec<u32>,
}

/// A program in Windows' installed-programs list ("Apps & features"): one
/// subkey of an `...\CurrentVersion\Uninstall` registry key.
#[derive(Debug, Clone, PartialEq)]
pub struct InstalledProgram {
    /// `DisplayName`.
    pub name: String,
    /// `DisplayVersion`, if the installer wrote one.
    pub version: Option<String>,
    /// The subkey's own name (`Git_is1`, a product code).
    pub key: String,
    pub view: RegistryView,
}

/// Which Uninstall key a program was listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryView {
    /// HKLM, 64-bit view: 64-bit programs installed for all users.
    Machine64,
    /// HKLM, 32-bit view (WOW6432Node): 32-bit programs.
    Machine32,
    /// HKCU: installed for the probe's user only.
    User,
}

/// A Windows service, as the Service Control Manager describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceInfo {
    /// The service (key) name: `docker`, `W32Time`.
    pub name: String,
    pub display_name: String,
    pub state: ServiceState,
    pub start: StartType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceState {
    Stopped,
    Starting,
    Stopping,
    Running,
    Resuming,
    Pausing,
    Paused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartType {
    Boot,
    System,
    Automatic,
    /// Automatic (delayed start).
    AutomaticDelayed,
    Manual,
    Disabled,
}

/// A request an `http` check makes.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: crate::http::Method,
    pub url: String,
    pub timeout: Duration,
    /// PEM CA certificates to trust instead of the system's.
    pub ca_file: Option<PathBuf>,
    pub insecure: bool,
    /// A user and password for Basic auth (never shown).
    pub auth: Option<(String, String)>,
}

/// Why an `http` check got no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpFailure {
    /// The check's own settings cannot be used (its `ca_file`).
    Settings(String),
    /// The request was made and failed, or this machine cannot make it
    /// (no CA certificates, a proxy variable that is not a URL).
    Request(String),
}

/// TCP or UDP, for the sockets a machine listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
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
    /// The run is over: what the commands left running (daemons that left
    /// their process group, on Linux) is killed.
    fn end_run(&self) {}
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
    /// Windows: the installed-programs list, from the registry (64- and
    /// 32-bit views, and the user's own). `Unsupported` elsewhere.
    fn installed_programs(&self) -> io::Result<Vec<InstalledProgram>>;
    /// Windows: a service by its name or display name, from the Service
    /// Control Manager; Ok(None) when there is none. `Unsupported` elsewhere.
    fn windows_service(&self, name: &str) -> io::Result<Option<ServiceInfo>>;
    /// The local addresses sockets of `protocol` listen on (TCP: in the
    /// LISTEN state; UDP: bound). Linux reads /proc/net, Windows asks for
    /// the TCP and UDP tables; `Unsupported` elsewhere.
    fn listeners(&self, protocol: Protocol) -> io::Result<Vec<std::net::SocketAddr>>;
    /// The addresses a host name resolves to, as the system's resolver
    /// answers programs (hosts file, DNS...), within `timeout`.
    fn resolve(&self, host: &str, timeout: Duration) -> Result<Vec<std::net::IpAddr>, String>;
    /// Makes an HTTP request through the project's client: the proxy
    /// variables of the probe's environment, the system's CA store.
    fn http(&self, request: &HttpRequest) -> Result<crate::http::Response, HttpFailure>;
    /// The probe's own user and groups (Unix); `Unsupported` elsewhere.
    fn credentials(&self) -> io::Result<Credentials>;
}

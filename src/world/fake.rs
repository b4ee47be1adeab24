//! A made-up machine for unit tests: every fact is what the test says.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use super::{
    Captured, Credentials, FileInfo, FileKind, HttpFailure, HttpRequest, InstalledProgram, Lookup,
    OsRelease, Protocol, RunOutcome, RunRequest, ServiceInfo, World,
};
use crate::spec::OsFamily;

#[derive(Default)]
pub struct FakeWorld {
    pub vars: HashMap<String, String>,
    pub commands: HashMap<String, Lookup>,
    /// Keyed by program path and arguments joined with spaces.
    pub runs: HashMap<String, RunOutcome>,
    /// Metadata as seen following symlinks, and contents.
    pub files: HashMap<PathBuf, (FileInfo, Vec<u8>)>,
    /// Metadata of the link itself, where it differs.
    pub links: HashMap<PathBuf, FileInfo>,
    /// Paths whose metadata cannot be read, and the error it gives.
    pub file_errors: HashMap<PathBuf, io::ErrorKind>,
    /// None: the OS the tests run on.
    pub family: Option<OsFamily>,
    pub release: OsRelease,
    pub arch: String,
    pub cpus: u64,
    /// The CPU count cannot be read.
    pub cpus_unreadable: bool,
    pub memory: Option<u64>,
    pub disks: HashMap<PathBuf, u64>,
    pub processes: Vec<String>,
    /// The process list cannot be read.
    pub processes_unreadable: bool,
    pub ports: HashMap<String, Result<String, String>>,
    /// Windows' installed programs; None: the registry cannot be read.
    pub programs: Option<Vec<InstalledProgram>>,
    pub services: Vec<ServiceInfo>,
    /// Listening sockets; None: the table cannot be read.
    pub listeners: Option<Vec<(Protocol, std::net::SocketAddr)>>,
    /// URLs and what asking them answers.
    pub pages: HashMap<String, Result<crate::http::Response, HttpFailure>>,
    pub http_requests: Mutex<Vec<HttpRequest>>,
    /// Who the probe runs as; None: not a Unix system.
    pub credentials: Option<Credentials>,
    /// Host names and what resolving them answers.
    pub names: HashMap<String, Result<Vec<std::net::IpAddr>, String>>,
    pub requests: Mutex<Vec<RunRequest>>,
}

pub fn exited(code: i32, stdout: &str, stderr: &str) -> RunOutcome {
    RunOutcome::Exited {
        code: Some(code),
        stdout: captured(stdout),
        stderr: captured(stderr),
    }
}

pub fn captured(text: &str) -> Captured {
    Captured {
        bytes: text.as_bytes().to_vec(),
        total: text.len() as u64,
        ..Captured::default()
    }
}

impl FakeWorld {
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// A command at `/fake/bin/<name>` that answers `args` with `outcome`.
    pub fn tool(mut self, name: &str, args: &str, outcome: RunOutcome) -> Self {
        let path = PathBuf::from(format!("/fake/bin/{name}"));
        self.commands
            .insert(name.into(), Lookup::Found(path.clone()));
        let key = format!("{} {args}", path.display()).trim_end().to_string();
        self.runs.insert(key, outcome);
        self
    }

    /// A command at `path` (a path, not a name on PATH) that answers
    /// `args` with `outcome`.
    pub fn tool_at(mut self, path: &str, args: &str, outcome: RunOutcome) -> Self {
        self.commands
            .insert(path.into(), Lookup::Found(PathBuf::from(path)));
        self.runs
            .insert(format!("{path} {args}").trim_end().to_string(), outcome);
        self
    }

    pub fn lookup_as(mut self, name: &str, lookup: Lookup) -> Self {
        self.commands.insert(name.into(), lookup);
        self
    }

    pub fn file(mut self, path: &str, kind: FileKind, mode: u32, contents: &str) -> Self {
        let info = FileInfo {
            kind,
            mode: Some(mode),
            executable: kind == FileKind::File && mode & 0o111 != 0,
            owner: Some(0),
            group: Some(0),
        };
        self.files
            .insert(path.into(), (info, contents.as_bytes().to_vec()));
        self
    }

    /// A file or directory where the OS has no permission bits (Windows).
    pub fn file_without_mode(mut self, path: &str, kind: FileKind, executable: bool) -> Self {
        let info = FileInfo {
            kind,
            mode: None,
            executable,
            owner: None,
            group: None,
        };
        self.files.insert(path.into(), (info, Vec::new()));
        self
    }

    /// A symlink at `path`. Its target is whatever `file` put at `path`
    /// (following the link); without that the link dangles.
    pub fn symlink(mut self, path: &str) -> Self {
        let info = FileInfo {
            kind: FileKind::Symlink,
            mode: Some(0o777),
            executable: false,
            owner: Some(0),
            group: Some(0),
        };
        self.links.insert(path.into(), info);
        self
    }

    /// A path whose metadata cannot be read.
    pub fn unreadable(mut self, path: &str, error: io::ErrorKind) -> Self {
        self.file_errors.insert(path.into(), error);
        self
    }

    /// `ids`: `ID` then each `ID_LIKE` entry.
    pub fn os(mut self, ids: &[&str], version: Option<&str>, name: Option<&str>) -> Self {
        self.release = OsRelease {
            ids: ids.iter().map(ToString::to_string).collect(),
            version: version.map(Into::into),
            name: name.map(Into::into),
        };
        self
    }

    /// Pretends to be `family`: `platform`, `os` filters, the default shell,
    /// PATH's separator, and (on Windows) variable names that ignore case.
    pub fn on(mut self, family: OsFamily) -> Self {
        self.family = Some(family);
        self
    }

    pub fn on_arch(mut self, arch: &str) -> Self {
        self.arch = arch.into();
        self
    }

    pub fn with_cpus(mut self, cpus: u64) -> Self {
        self.cpus = cpus;
        self
    }

    pub fn with_memory(mut self, bytes: Option<u64>) -> Self {
        self.memory = bytes;
        self
    }

    pub fn with_disk(mut self, path: &str, free: u64) -> Self {
        self.disks.insert(path.into(), free);
        self
    }

    pub fn running(mut self, name: &str) -> Self {
        self.processes.push(name.into());
        self
    }

    /// A machine whose CPU count and process list cannot be read.
    pub fn unreadable_system(mut self) -> Self {
        self.cpus_unreadable = true;
        self.processes_unreadable = true;
        self
    }

    /// `address` answers a connection from `peer`.
    pub fn listening(mut self, address: &str, peer: &str) -> Self {
        self.ports.insert(address.into(), Ok(peer.into()));
        self
    }

    /// `url` answers `status` with `headers` and `body`.
    pub fn page(mut self, url: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Self {
        let response = crate::http::Response {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
            proxy: None,
        };
        self.pages.insert(url.into(), Ok(response));
        self
    }

    /// Asking `url` fails with `failure`.
    pub fn page_failing(mut self, url: &str, failure: HttpFailure) -> Self {
        self.pages.insert(url.into(), Err(failure));
        self
    }

    pub fn http_asked(&self) -> Vec<HttpRequest> {
        self.http_requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// The file at `path` (added with `file`) is owned by `uid` and `gid`.
    pub fn owned(mut self, path: &str, uid: u32, gid: u32) -> Self {
        if let Some((info, _)) = self.files.get_mut(Path::new(path)) {
            info.owner = Some(uid);
            info.group = Some(gid);
        }
        self
    }

    /// The probe runs as `uid`/`gid` with supplementary `groups`.
    pub fn running_as(mut self, uid: u32, gid: u32, groups: &[u32]) -> Self {
        self.credentials = Some(Credentials {
            uid,
            gid,
            groups: groups.to_vec(),
        });
        self
    }

    /// `host` resolves to `addresses` (none: it does not resolve).
    pub fn resolving(mut self, host: &str, addresses: &[&str]) -> Self {
        let answer = if addresses.is_empty() {
            Err("Name or service not known".to_string())
        } else {
            Ok(addresses
                .iter()
                .map(|a| a.parse().expect("an IP address"))
                .collect())
        };
        self.names.insert(host.into(), answer);
        self
    }

    pub fn ran(&self) -> Vec<RunRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl World for FakeWorld {
    fn var(&self, name: &str) -> Option<OsString> {
        if let Some(value) = self.vars.get(name) {
            return Some(OsString::from(value));
        }
        // Windows' environment ignores the case of names (`Path`, `PATH`).
        if self.os_family() == OsFamily::Windows {
            return self
                .vars
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| OsString::from(value));
        }
        None
    }

    fn vars(&self) -> Vec<(String, String)> {
        self.vars
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn lookup(&self, command: &std::ffi::OsStr) -> Lookup {
        self.commands
            .get(command.to_string_lossy().as_ref())
            .cloned()
            .unwrap_or(Lookup::Missing)
    }

    fn run(&self, request: &RunRequest) -> RunOutcome {
        if let Ok(mut log) = self.requests.lock() {
            log.push(request.clone());
        }
        let args: Vec<String> = request
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let key = format!("{} {}", request.program.display(), args.join(" "))
            .trim_end()
            .to_string();
        self.runs.get(&key).cloned().unwrap_or_else(|| {
            RunOutcome::FailedToStart(format!("the fake has no answer for `{key}`"))
        })
    }

    fn file_info(&self, path: &Path, follow: bool) -> io::Result<FileInfo> {
        if let Some(kind) = self.file_errors.get(path) {
            return Err(io::Error::from(*kind));
        }
        if !follow {
            if let Some(info) = self.links.get(path) {
                return Ok(info.clone());
            }
        }
        self.files
            .get(path)
            .map(|(info, _)| info.clone())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }

    fn read_head(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>> {
        if let Some(kind) = self.file_errors.get(path) {
            return Err(io::Error::from(*kind));
        }
        self.files
            .get(path)
            .map(|(_, bytes)| bytes[..bytes.len().min(limit)].to_vec())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }

    fn os_family(&self) -> OsFamily {
        self.family.unwrap_or_else(OsFamily::current)
    }

    fn os_release(&self) -> OsRelease {
        self.release.clone()
    }

    fn arch(&self) -> String {
        self.arch.clone()
    }

    fn hostname(&self) -> String {
        "fake-host".into()
    }

    fn cpus(&self) -> io::Result<u64> {
        if self.cpus_unreadable {
            return Err(io::Error::other("no CPU count on this fake machine"));
        }
        Ok(self.cpus)
    }

    fn total_memory(&self) -> Option<u64> {
        self.memory
    }

    fn disk_free(&self, path: &Path) -> io::Result<u64> {
        self.disks
            .get(path)
            .copied()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }

    fn processes(&self) -> io::Result<Vec<String>> {
        if self.processes_unreadable {
            return Err(io::Error::other("no process list on this fake machine"));
        }
        Ok(self.processes.clone())
    }

    fn tcp_connect(&self, address: &str, _timeout: Duration) -> Result<String, String> {
        self.ports
            .get(address)
            .cloned()
            .unwrap_or_else(|| Err("connection refused".into()))
    }

    fn installed_programs(&self) -> io::Result<Vec<InstalledProgram>> {
        self.programs
            .clone()
            .ok_or_else(|| io::Error::other("no registry on this fake machine"))
    }

    fn windows_service(&self, name: &str) -> io::Result<Option<ServiceInfo>> {
        Ok(self
            .services
            .iter()
            .find(|s| {
                s.name.eq_ignore_ascii_case(name) || s.display_name.eq_ignore_ascii_case(name)
            })
            .cloned())
    }

    fn listeners(&self, protocol: Protocol) -> io::Result<Vec<std::net::SocketAddr>> {
        let all = self
            .listeners
            .as_ref()
            .ok_or_else(|| io::Error::other("no socket table on this fake machine"))?;
        Ok(all
            .iter()
            .filter(|(p, _)| *p == protocol)
            .map(|(_, a)| *a)
            .collect())
    }

    fn resolve(&self, host: &str, _timeout: Duration) -> Result<Vec<std::net::IpAddr>, String> {
        self.names
            .get(host)
            .cloned()
            .unwrap_or_else(|| Err("Name or service not known".into()))
    }

    fn http(&self, request: &HttpRequest) -> Result<crate::http::Response, HttpFailure> {
        if let Ok(mut log) = self.http_requests.lock() {
            log.push(request.clone());
        }
        self.pages.get(&request.url).cloned().unwrap_or_else(|| {
            Err(HttpFailure::Request(
                "the connection was refused: nothing listens there".into(),
            ))
        })
    }

    fn credentials(&self) -> io::Result<Credentials> {
        self.credentials.clone().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::Unsupported,
                "no Unix ids on this fake machine",
            )
        })
    }
}

//! The machine the probe runs on. Nothing that scales with the machine (the
//! process list, memory tables) is read until a check asks for it.

use super::os::{credentials, disk_free, is_executable, is_socket, mode_bits, owner_ids};
use super::path::lookup_in;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use super::{
    exec, Credentials, FileInfo, FileKind, HttpFailure, HttpRequest, InstalledProgram, Lookup,
    OsRelease, Protocol, RunOutcome, RunRequest, ServiceInfo, World,
};
use crate::spec::OsFamily;

#[derive(Default)]
pub struct RealWorld {
    /// The working directory, read once: the probe never changes it, and a
    /// run of many checks would ask the kernel each time.
    cwd: OnceLock<PathBuf>,
    memory: OnceLock<Option<u64>>,
    processes: OnceLock<Result<Vec<String>, String>>,
    os_release: OnceLock<OsRelease>,
}

impl RealWorld {
    pub fn new() -> RealWorld {
        RealWorld::default()
    }
}

impl World for RealWorld {
    fn end_run(&self) {
        #[cfg(target_os = "linux")]
        super::reaper::kill_leftovers();
    }

    fn var(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }

    fn vars(&self) -> Vec<(String, String)> {
        std::env::vars_os()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect()
    }

    fn lookup(&self, command: &std::ffi::OsStr) -> Lookup {
        let cwd = self
            .cwd
            .get_or_init(|| std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")));
        lookup_in(command, self.var("PATH").as_deref(), cwd)
    }

    fn run(&self, request: &RunRequest) -> RunOutcome {
        exec::run_with_timeout(request)
    }

    fn file_info(&self, path: &Path, follow: bool) -> io::Result<FileInfo> {
        let meta = if follow {
            fs::metadata(path)?
        } else {
            fs::symlink_metadata(path)?
        };
        let ft = meta.file_type();
        let kind = if ft.is_symlink() {
            FileKind::Symlink
        } else if ft.is_dir() {
            FileKind::Dir
        } else if ft.is_file() {
            FileKind::File
        } else if is_socket(&ft) {
            FileKind::Socket
        } else {
            FileKind::Other
        };
        let (owner, group) = owner_ids(&meta);
        let mode = mode_bits(&meta);
        // Without any execute bit no one may execute it, root included:
        // no need to ask the kernel.
        let may_execute = mode.is_none_or(|m| m & 0o111 != 0);
        Ok(FileInfo {
            kind,
            mode,
            executable: kind == FileKind::File && may_execute && is_executable(path),
            owner,
            group,
        })
    }

    fn read_head(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>> {
        let file = fs::File::open(path)?;
        // Sized once from the file's length (0 for /proc files, which grow
        // the buffer as they are read).
        let size = file.metadata().map_or(0, |m| m.len());
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(limit) + 1);
        file.take(limit as u64).read_to_end(&mut out)?;
        Ok(out)
    }

    fn os_family(&self) -> OsFamily {
        OsFamily::current()
    }

    fn os_release(&self) -> OsRelease {
        self.os_release.get_or_init(read_os_release).clone()
    }

    fn arch(&self) -> String {
        std::env::consts::ARCH.to_string()
    }

    fn hostname(&self) -> String {
        sysinfo::System::host_name()
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "unknown".to_string())
    }

    fn cpus(&self) -> io::Result<u64> {
        std::thread::available_parallelism().map(|n| n.get() as u64)
    }

    fn total_memory(&self) -> Option<u64> {
        *self.memory.get_or_init(|| {
            let mut sys = sysinfo::System::new().ok()?;
            sys.refresh_memory();
            Some(sys.total_memory()).filter(|m| *m > 0)
        })
    }

    fn disk_free(&self, path: &Path) -> io::Result<u64> {
        disk_free(path)
    }

    fn processes(&self) -> io::Result<Vec<String>> {
        self.processes
            .get_or_init(|| {
                use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, UpdateKind};
                let mut sys = sysinfo::System::new().map_err(|e| e.to_string())?;
                sys.refresh_processes_specifics(
                    ProcessesToUpdate::All,
                    true,
                    ProcessRefreshKind::nothing().with_exe(UpdateKind::OnlyIfNotSet),
                );
                let mut names = Vec::new();
                for p in sys.processes().values() {
                    names.push(p.name().to_string_lossy().into_owned());
                    if let Some(exe) = p.exe().and_then(Path::file_name) {
                        names.push(exe.to_string_lossy().into_owned());
                    }
                }
                names.sort();
                names.dedup();
                Ok(names)
            })
            .clone()
            .map_err(io::Error::other)
    }

    fn tcp_connect(&self, address: &str, timeout: Duration) -> Result<String, String> {
        // The name is resolved under the same timeout: getaddrinfo alone
        // can wait far longer for a DNS server that does not answer.
        let (host, port) = address
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
            .ok_or_else(|| format!("`{address}` is not host:port"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<std::net::SocketAddr> = match host.parse::<std::net::IpAddr>() {
            Ok(ip) => vec![(ip, port).into()],
            Err(_) => resolve(host, timeout)
                .map_err(|e| format!("cannot resolve {host}: {e}"))?
                .into_iter()
                .map(|ip| (ip, port).into())
                .collect(),
        };
        let mut last = format!("{address} resolved to no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(_) => return Ok(addr.to_string()),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                    last = format!(
                        "{addr}: no answer within {}",
                        crate::quantity::format_duration(timeout)
                    )
                }
                Err(e) => last = format!("{addr}: {e}"),
            }
        }
        Err(last)
    }

    fn resolve(&self, host: &str, timeout: Duration) -> Result<Vec<std::net::IpAddr>, String> {
        resolve(host, timeout)
    }

    fn http(&self, request: &HttpRequest) -> Result<crate::http::Response, HttpFailure> {
        use crate::http::{read_ca_file, Auth, HttpClient, HttpOptions};
        if let Some(file) = &request.ca_file {
            read_ca_file(file).map_err(HttpFailure::Settings)?;
        }
        let options = HttpOptions {
            timeout: Some(request.timeout),
            ca_file: request.ca_file.clone(),
            insecure: request.insecure,
            follow_redirects: false,
        };
        let https = request
            .url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        let client = HttpClient::new(&options, https).map_err(HttpFailure::Request)?;
        let auth = match &request.auth {
            Some((user, password)) => Auth::Basic {
                user: user.clone(),
                password: password.clone(),
            },
            None => Auth::None,
        };
        client
            .request(request.method, &request.url, None, &auth, HTTP_BODY_LIMIT)
            .map_err(|e| HttpFailure::Request(e.message))
    }

    fn credentials(&self) -> io::Result<Credentials> {
        credentials()
    }

    fn installed_programs(&self) -> io::Result<Vec<InstalledProgram>> {
        #[cfg(windows)]
        return super::windows::installed_programs();
        #[cfg(not(windows))]
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "the installed-programs registry exists only on Windows",
        ))
    }

    fn windows_service(&self, name: &str) -> io::Result<Option<ServiceInfo>> {
        #[cfg(windows)]
        return super::windows::service(name);
        #[cfg(not(windows))]
        {
            let _ = name;
            Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the Service Control Manager exists only on Windows",
            ))
        }
    }

    fn listeners(&self, protocol: Protocol) -> io::Result<Vec<std::net::SocketAddr>> {
        #[cfg(windows)]
        return super::windows::listeners(protocol);
        #[cfg(target_os = "linux")]
        return super::linux::listeners(protocol);
        #[cfg(not(any(windows, target_os = "linux")))]
        {
            let _ = protocol;
            Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "listening sockets are not read on this system yet",
            ))
        }
    }
}

/// How much of an answer's body an `http` check reads.
const HTTP_BODY_LIMIT: usize = 1024 * 1024;

/// Resolves a host name with the system's resolver (getaddrinfo), which
/// has no timeout of its own: it runs on a thread of its own that is left
/// behind if it does not answer in time.
fn resolve(host: &str, timeout: Duration) -> Result<Vec<std::net::IpAddr>, String> {
    let (send, receive) = std::sync::mpsc::channel();
    let name = host.to_string();
    std::thread::Builder::new()
        .name("resolve".into())
        .spawn(move || {
            let answer = (name.as_str(), 0u16)
                .to_socket_addrs()
                .map(|addrs| addrs.map(|a| a.ip()).collect::<Vec<_>>());
            let _ = send.send(answer);
        })
        .map_err(|e| format!("cannot start resolving: {e}"))?;
    match receive.recv_timeout(timeout) {
        Ok(Ok(mut addrs)) => {
            let mut seen = std::collections::HashSet::new();
            addrs.retain(|a| seen.insert(*a));
            Ok(addrs)
        }
        Ok(Err(e)) => Err(resolver_error(&e)),
        Err(_) => Err(format!(
            "no answer within {}",
            crate::quantity::format_duration(timeout)
        )),
    }
}

/// The resolver's words, without Rust's prefix: `failed to lookup address
/// information: Name or service not known` -> `Name or service not known`.
fn resolver_error(e: &io::Error) -> String {
    let text = e.to_string();
    text.strip_prefix("failed to lookup address information: ")
        .unwrap_or(&text)
        .to_string()
}

fn read_os_release() -> OsRelease {
    if cfg!(target_os = "linux") {
        let text = fs::read_to_string("/etc/os-release")
            .or_else(|_| fs::read_to_string("/usr/lib/os-release"))
            .unwrap_or_default();
        return parse_os_release(&text);
    }
    OsRelease {
        ids: std::iter::once(sysinfo::System::distribution_id())
            .chain(sysinfo::System::distribution_id_like())
            .collect(),
        version: sysinfo::System::os_version().ok(),
        name: sysinfo::System::long_os_version().ok(),
    }
}

pub fn parse_os_release(text: &str) -> OsRelease {
    let mut release = OsRelease::default();
    let mut like = Vec::new();
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches(['"', '\'']).to_string();
        match key.trim() {
            "ID" => release.ids.insert(0, value.to_lowercase()),
            "ID_LIKE" => like.extend(value.split_whitespace().map(str::to_lowercase)),
            "VERSION_ID" => release.version = Some(value),
            "PRETTY_NAME" => release.name = Some(value),
            _ => {}
        }
    }
    release.ids.extend(like);
    release
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn os_release_reads_id_like_and_version() {
        let r = parse_os_release(
            "PRETTY_NAME=\"Ubuntu 24.04 LTS\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n",
        );
        assert_eq!(r.ids, ["ubuntu", "debian"]);
        assert_eq!(r.version.as_deref(), Some("24.04"));
        assert_eq!(r.name.as_deref(), Some("Ubuntu 24.04 LTS"));
    }

    #[test]
    fn os_release_without_id_like_or_quotes() {
        let r = parse_os_release(
            "# comment=ignored\nNAME=Alpine Linux\nID=Alpine\nVERSION_ID=3.20.1\nbroken line\n",
        );
        assert_eq!(r.ids, ["alpine"]);
        assert_eq!(r.version.as_deref(), Some("3.20.1"));
        assert_eq!(r.name, None);
        let r = parse_os_release("ID_LIKE=\"rhel centos fedora\"\nID=\"rocky\"\n");
        assert_eq!(r.ids, ["rocky", "rhel", "centos", "fedora"]);
        assert_eq!(parse_os_release(""), OsRelease::default());
    }

    #[test]
    fn the_real_world_is_this_os() {
        assert_eq!(RealWorld::new().os_family(), OsFamily::current());
    }

    #[cfg(unix)]
    #[test]
    fn lookup_finds_sh() {
        match RealWorld::new().lookup(OsStr::new("sh")) {
            Lookup::Found(path) => {
                assert_eq!(path.file_stem(), Some(OsStr::new("sh")), "{path:?}");
                assert!(path.is_absolute(), "{path:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    mod unix {
        use super::*;
        use std::os::unix::fs::{symlink, PermissionsExt};
        use std::os::unix::net::UnixListener;

        fn write(path: &Path, mode: u32) {
            fs::write(path, "#!/bin/sh\nexit 0\n").expect("write");
            fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
        }

        fn path_of(dirs: &[&Path]) -> std::ffi::OsString {
            std::env::join_paths(dirs).expect("join PATH")
        }

        #[test]
        fn lookup_names_a_file_that_is_not_executable() {
            let dir = tempfile::tempdir().expect("tempdir");
            let tool = dir.path().join("probe-test-tool");
            write(&tool, 0o644);
            let path = path_of(&[Path::new("/nonexistent"), dir.path()]);
            assert_eq!(
                lookup_in("probe-test-tool", Some(&path), dir.path()),
                Lookup::NotExecutable(tool.clone())
            );
            // Made executable, it is found.
            fs::set_permissions(&tool, fs::Permissions::from_mode(0o755)).expect("chmod");
            assert_eq!(
                lookup_in("probe-test-tool", Some(&path), dir.path()),
                Lookup::Found(tool)
            );
        }

        #[test]
        fn lookup_prefers_a_runnable_file_later_on_path() {
            let first = tempfile::tempdir().expect("tempdir");
            let second = tempfile::tempdir().expect("tempdir");
            write(&first.path().join("tool"), 0o644);
            write(&second.path().join("tool"), 0o755);
            let path = path_of(&[first.path(), second.path()]);
            assert_eq!(
                lookup_in("tool", Some(&path), first.path()),
                Lookup::Found(second.path().join("tool"))
            );
        }

        #[test]
        fn lookup_missing() {
            let dir = tempfile::tempdir().expect("tempdir");
            // A directory of that name is not a command.
            fs::create_dir(dir.path().join("tool")).expect("mkdir");
            let path = path_of(&[dir.path()]);
            assert_eq!(lookup_in("tool", Some(&path), dir.path()), Lookup::Missing);
            assert_eq!(lookup_in("other", Some(&path), dir.path()), Lookup::Missing);
            assert_eq!(lookup_in("tool", None, dir.path()), Lookup::Missing);
        }

        #[test]
        fn lookup_of_a_relative_path_uses_the_working_directory() {
            let dir = tempfile::tempdir().expect("tempdir");
            fs::create_dir(dir.path().join("bin")).expect("mkdir");
            write(&dir.path().join("bin/run"), 0o755);
            write(&dir.path().join("bin/data"), 0o644);
            let empty = path_of(&[Path::new("/nonexistent")]);
            assert_eq!(
                lookup_in("./bin/run", Some(&empty), dir.path()),
                Lookup::Found(dir.path().join("./bin/run"))
            );
            assert_eq!(
                lookup_in("bin/data", Some(&empty), dir.path()),
                Lookup::NotExecutable(dir.path().join("bin/data"))
            );
            assert_eq!(
                lookup_in("bin/none", Some(&empty), dir.path()),
                Lookup::Missing
            );
        }

        #[test]
        fn credentials_are_this_process() {
            let me = credentials().expect("credentials");
            let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
            if let Some(line) = status.lines().find(|l| l.starts_with("Uid:")) {
                let effective: u32 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
                assert_eq!(me.uid, effective);
            }
            if let Some(line) = status.lines().find(|l| l.starts_with("Groups:")) {
                let mut listed: Vec<u32> = line
                    .split_whitespace()
                    .skip(1)
                    .map(|g| g.parse().unwrap())
                    .collect();
                let mut got = me.groups.clone();
                listed.sort_unstable();
                got.sort_unstable();
                assert_eq!(got, listed);
            }
        }

        #[test]
        fn file_info_kinds_modes_and_exec_bits() {
            let dir = tempfile::tempdir().expect("tempdir");
            let world = RealWorld::new();
            let plain = dir.path().join("plain");
            let tool = dir.path().join("tool");
            let link = dir.path().join("link");
            let dangling = dir.path().join("dangling");
            write(&plain, 0o640);
            write(&tool, 0o755);
            symlink(&tool, &link).expect("symlink");
            symlink(dir.path().join("nothing"), &dangling).expect("symlink");

            let info = |p: &Path, follow: bool| world.file_info(p, follow).expect("file_info");
            let me = credentials().expect("credentials");
            assert_eq!(
                info(&plain, true),
                FileInfo {
                    kind: FileKind::File,
                    mode: Some(0o640),
                    executable: false,
                    owner: Some(me.uid),
                    group: Some(me.gid),
                }
            );
            assert_eq!(
                info(&tool, true),
                FileInfo {
                    kind: FileKind::File,
                    mode: Some(0o755),
                    executable: true,
                    owner: Some(me.uid),
                    group: Some(me.gid),
                }
            );
            assert_eq!(info(&link, true), info(&tool, true));
            let link_itself = info(&link, false);
            assert_eq!(link_itself.kind, FileKind::Symlink);
            assert!(!link_itself.executable);
            assert_eq!(info(&dangling, false).kind, FileKind::Symlink);
            assert_eq!(
                world.file_info(&dangling, true).map_err(|e| e.kind()),
                Err(io::ErrorKind::NotFound)
            );
            let d = info(dir.path(), true);
            assert_eq!(d.kind, FileKind::Dir);
            assert!(!d.executable, "a directory is not an executable file");
            assert_eq!(info(Path::new("/dev/null"), true).kind, FileKind::Other);
        }

        #[test]
        fn file_info_sees_a_unix_socket() {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("agent.sock");
            let _listener = UnixListener::bind(&path).expect("bind");
            let info = RealWorld::new().file_info(&path, true).expect("file_info");
            assert_eq!(info.kind, FileKind::Socket);
            assert!(!info.executable);
        }

        #[test]
        fn read_head_stops_at_the_limit() {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("f");
            fs::write(&path, "0123456789").expect("write");
            let world = RealWorld::new();
            assert_eq!(world.read_head(&path, 4).expect("read"), b"0123");
            assert_eq!(world.read_head(&path, 100).expect("read"), b"0123456789");
            assert_eq!(
                world
                    .read_head(&dir.path().join("none"), 4)
                    .map_err(|e| e.kind()),
                Err(io::ErrorKind::NotFound)
            );
        }

        #[test]
        fn disk_free_of_root_and_of_nothing() {
            let world = RealWorld::new();
            assert!(world.disk_free(Path::new("/")).expect("statvfs /") > 0);
            let dir = tempfile::tempdir().expect("tempdir");
            assert_eq!(
                world
                    .disk_free(&dir.path().join("none"))
                    .map_err(|e| e.kind()),
                Err(io::ErrorKind::NotFound)
            );
        }
    }

    /// Lookup as Windows does it, on a real (or wine's) Windows.
    #[cfg(windows)]
    mod windows {
        use super::*;

        fn write(path: &Path) {
            fs::write(path, "@echo off\r\necho 1.0\r\n").expect("write");
        }

        fn path_of(dirs: &[&Path]) -> std::ffi::OsString {
            std::env::join_paths(dirs).expect("join PATH")
        }

        #[test]
        fn lookup_finds_cmd_exe_in_system32() {
            match RealWorld::new().lookup(OsStr::new("cmd")) {
                Lookup::Found(path) => {
                    let name = path.file_name().expect("name").to_string_lossy();
                    assert!(name.eq_ignore_ascii_case("cmd.exe"), "{path:?}");
                    let dir = path.parent().expect("dir").to_string_lossy().to_lowercase();
                    assert!(dir.ends_with("system32"), "{path:?}");
                }
                other => panic!("{other:?}"),
            }
        }

        #[test]
        fn pathext_finds_cmd_and_bat_wrappers_and_exe_files() {
            let dir = tempfile::tempdir().expect("tempdir");
            write(&dir.path().join("wrapper.cmd"));
            write(&dir.path().join("old.bat"));
            fs::copy(
                std::env::current_exe().expect("exe"),
                dir.path().join("bin.exe"),
            )
            .expect("copy an exe");
            let path = path_of(&[Path::new(r"C:\nonexistent"), dir.path()]);
            for (name, file) in [
                ("wrapper", "wrapper.cmd"),
                ("old", "old.bat"),
                ("bin", "bin.exe"),
                ("wrapper.cmd", "wrapper.cmd"),
            ] {
                assert_eq!(
                    lookup_in(name, Some(&path), dir.path()),
                    Lookup::Found(dir.path().join(file)),
                    "{name}"
                );
            }
        }

        #[test]
        fn names_ignore_case_and_the_file_keeps_its_own() {
            let dir = tempfile::tempdir().expect("tempdir");
            write(&dir.path().join("MixedCase.CMD"));
            let path = path_of(&[dir.path()]);
            assert_eq!(
                lookup_in("mixedcase", Some(&path), dir.path()),
                Lookup::Found(dir.path().join("MixedCase.CMD"))
            );
            assert_eq!(
                lookup_in("MIXEDCASE.cmd", Some(&path), dir.path()),
                Lookup::Found(dir.path().join("MixedCase.CMD"))
            );
        }

        #[test]
        fn the_first_directory_on_path_wins() {
            let first = tempfile::tempdir().expect("tempdir");
            let second = tempfile::tempdir().expect("tempdir");
            write(&first.path().join("tool.bat"));
            write(&second.path().join("tool.cmd"));
            let path = path_of(&[first.path(), second.path()]);
            assert_eq!(
                lookup_in("tool", Some(&path), first.path()),
                Lookup::Found(first.path().join("tool.bat"))
            );
        }

        #[test]
        fn a_file_windows_does_not_run_is_named_not_executable() {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = path_of(&[dir.path()]);
            // A shell script with no extension (as Node.js ships next to npm.cmd).
            fs::write(dir.path().join("shscript"), "#!/bin/sh\n").expect("write");
            assert_eq!(
                lookup_in("shscript", Some(&path), dir.path()),
                Lookup::NotExecutable(dir.path().join("shscript"))
            );
            // A PowerShell script: not in PATHEXT, so cmd and CreateProcess
            // do not start it by name.
            fs::write(dir.path().join("deploy.ps1"), "Write-Output hi\n").expect("write");
            assert_eq!(
                lookup_in("deploy", Some(&path), dir.path()),
                Lookup::NotExecutable(dir.path().join("deploy.ps1"))
            );
            assert_eq!(lookup_in("none", Some(&path), dir.path()), Lookup::Missing);
        }

        #[test]
        fn relative_paths_with_backslashes_use_pathext_too() {
            let dir = tempfile::tempdir().expect("tempdir");
            fs::create_dir(dir.path().join("bin")).expect("mkdir");
            write(&dir.path().join("bin").join("run.cmd"));
            let empty = path_of(&[Path::new(r"C:\nonexistent")]);
            match lookup_in(r"bin\run", Some(&empty), dir.path()) {
                Lookup::Found(found) => {
                    assert_eq!(found.file_name(), Some(OsStr::new("run.cmd")), "{found:?}")
                }
                other => panic!("{other:?}"),
            }
        }

        #[test]
        fn environment_names_ignore_case() {
            let world = RealWorld::new();
            assert!(world.var("path").is_some());
            assert_eq!(world.var("Path"), world.var("PATH"));
            assert!(world.var("PATHEXT").is_some());
        }

        #[test]
        fn file_info_has_no_mode_and_runs_by_extension() {
            let dir = tempfile::tempdir().expect("tempdir");
            let world = RealWorld::new();
            let script = dir.path().join("tool.CMD");
            let text = dir.path().join("notes.txt");
            write(&script);
            write(&text);
            let info = world.file_info(&script, true).expect("file_info");
            assert_eq!(
                info,
                FileInfo {
                    kind: FileKind::File,
                    mode: None,
                    executable: true,
                    owner: None,
                    group: None,
                }
            );
            assert!(!world.file_info(&text, true).expect("file_info").executable);
            let d = world.file_info(dir.path(), true).expect("file_info");
            assert_eq!((d.kind, d.mode, d.executable), (FileKind::Dir, None, false));
        }

        #[test]
        fn disk_free_of_a_directory_a_file_and_nothing() {
            let dir = tempfile::tempdir().expect("tempdir");
            let file = dir.path().join("f.txt");
            write(&file);
            let world = RealWorld::new();
            assert!(world.disk_free(dir.path()).expect("dir") > 0);
            assert!(world.disk_free(&file).expect("file") > 0);
            assert!(world.disk_free(Path::new(".")).expect(".") > 0);
            assert_eq!(
                world
                    .disk_free(&dir.path().join("none"))
                    .map_err(|e| e.kind()),
                Err(io::ErrorKind::NotFound)
            );
        }
    }

    #[test]
    fn tcp_connect_to_a_listener_and_to_a_closed_port() {
        let world = RealWorld::new();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("addr").to_string();
        assert_eq!(
            world.tcp_connect(&address, Duration::from_secs(5)),
            Ok(address.clone())
        );
        drop(listener);
        let err = world
            .tcp_connect(&address, Duration::from_secs(5))
            .expect_err("nothing listens any more");
        assert!(err.starts_with(&format!("{address}: ")), "{err}");
        let err = world
            .tcp_connect("127.0.0.1:notaport", Duration::from_secs(1))
            .expect_err("no port");
        assert_eq!(err, "`127.0.0.1:notaport` is not host:port");
        let err = world
            .tcp_connect("no-such-host.invalid:80", Duration::from_secs(5))
            .expect_err("no such name");
        assert!(
            err.starts_with("cannot resolve no-such-host.invalid: "),
            "{err}"
        );
    }

    #[test]
    fn resolve_localhost_and_a_name_that_does_not_exist() {
        let addrs = resolve("localhost", Duration::from_secs(5)).expect("localhost resolves");
        assert!(addrs.iter().all(|a| a.is_loopback()), "{addrs:?}");
        assert!(!addrs.is_empty());
        // RFC 6761: .invalid never resolves.
        let err = resolve("no-such-host.invalid", Duration::from_secs(5)).expect_err("invalid");
        assert!(!err.starts_with("failed to lookup"), "{err}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn processes_include_this_test_binary() {
        let exe = std::env::current_exe().expect("current exe");
        let name = exe.file_name().expect("file name").to_string_lossy();
        let names = RealWorld::new().processes().expect("the process list");
        assert!(names.iter().any(|n| *n == name), "{name} not in {names:?}");
    }
}

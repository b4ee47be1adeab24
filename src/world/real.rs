//! The machine the probe runs on. Nothing that scales with the machine (the
//! process list, memory tables) is read until a check asks for it.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Read};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use super::{exec, FileInfo, FileKind, Lookup, OsRelease, RunOutcome, RunRequest, World};

#[derive(Default)]
pub struct RealWorld {
    memory: OnceLock<Option<u64>>,
    processes: OnceLock<Vec<String>>,
    os_release: OnceLock<OsRelease>,
}

impl RealWorld {
    pub fn new() -> RealWorld {
        RealWorld::default()
    }

    pub fn hostname() -> String {
        sysinfo::System::host_name()
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "unknown".to_string())
    }
}

impl World for RealWorld {
    fn var(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }

    fn lookup(&self, command: &str) -> Lookup {
        let path = self.var("PATH");
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        match which::which_in(command, path.as_ref(), &cwd) {
            Ok(found) => Lookup::Found(found),
            Err(_) => not_executable(command, path.as_deref(), &cwd),
        }
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
        Ok(FileInfo {
            kind,
            mode: mode_bits(&meta),
            executable: kind == FileKind::File && is_executable(path),
        })
    }

    fn read_head(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        fs::File::open(path)?
            .take(limit as u64)
            .read_to_end(&mut out)?;
        Ok(out)
    }

    fn os_release(&self) -> OsRelease {
        self.os_release.get_or_init(read_os_release).clone()
    }

    fn arch(&self) -> String {
        std::env::consts::ARCH.to_string()
    }

    fn cpus(&self) -> u64 {
        std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
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

    fn processes(&self) -> Vec<String> {
        self.processes
            .get_or_init(|| {
                use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, UpdateKind};
                let Ok(mut sys) = sysinfo::System::new() else {
                    return Vec::new();
                };
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
                names
            })
            .clone()
    }

    fn tcp_connect(&self, address: &str, timeout: Duration) -> Result<String, String> {
        let addrs: Vec<_> = address
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {address}: {e}"))?
            .collect();
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
}

/// When no runnable command is found, a file of that name on PATH that
/// cannot be run is still worth naming.
fn not_executable(command: &str, path: Option<&std::ffi::OsStr>, cwd: &Path) -> Lookup {
    if command.contains(['/', '\\']) {
        let candidate = cwd.join(command);
        return if candidate.is_file() {
            Lookup::NotExecutable(candidate)
        } else {
            Lookup::Missing
        };
    }
    let Some(path) = path else {
        return Lookup::Missing;
    };
    std::env::split_paths(path)
        .map(|dir| dir.join(command))
        .find(|candidate| candidate.is_file())
        .map_or(Lookup::Missing, Lookup::NotExecutable)
}

#[cfg(unix)]
fn is_socket(ft: &fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    ft.is_socket()
}

#[cfg(not(unix))]
fn is_socket(_ft: &fs::FileType) -> bool {
    false
}

#[cfg(unix)]
fn mode_bits(meta: &fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode_bits(_meta: &fs::Metadata) -> Option<u32> {
    None
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: access() only reads the NUL-terminated path we own.
    unsafe { libc::access(c_path.as_ptr(), libc::X_OK) == 0 }
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    let pathext = std::env::var("PATHEXT").unwrap_or_else(|_| ".COM;.EXE;.BAT;.CMD".into());
    path.extension().is_some_and(|ext| {
        let ext = format!(".{}", ext.to_string_lossy());
        pathext.split(';').any(|e| e.eq_ignore_ascii_case(&ext))
    })
}

#[cfg(unix)]
fn disk_free(path: &Path) -> io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    // SAFETY: statvfs fills the zeroed struct we pass; the path is NUL-terminated.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) } != 0 {
        return Err(io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)]
    Ok(stat.f_bavail as u64 * stat.f_frsize as u64)
}

#[cfg(not(unix))]
fn disk_free(path: &Path) -> io::Result<u64> {
    let path = fs::canonicalize(path)?;
    let disks = sysinfo::Disks::new_with_refreshed_list();
    disks
        .list()
        .iter()
        .filter(|d| path.starts_with(d.mount_point()))
        .max_by_key(|d| d.mount_point().as_os_str().len())
        .map(|d| d.available_space())
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no disk holds this path"))
}

fn read_os_release() -> OsRelease {
    if cfg!(target_os = "linux") {
        let text = fs::read_to_string("/etc/os-release")
            .or_else(|_| fs::read_to_string("/usr/lib/os-release"))
            .unwrap_or_default();
        return parse_os_release(&text);
    }
    OsRelease {
        ids: sysinfo::System::distribution_id_like()
            .into_iter()
            .chain(std::iter::once(sysinfo::System::distribution_id()))
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

    #[test]
    fn os_release_reads_id_like_and_version() {
        let r = parse_os_release(
            "PRETTY_NAME=\"Ubuntu 24.04 LTS\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n",
        );
        assert_eq!(r.ids, ["ubuntu", "debian"]);
        assert_eq!(r.version.as_deref(), Some("24.04"));
        assert_eq!(r.name.as_deref(), Some("Ubuntu 24.04 LTS"));
    }
}

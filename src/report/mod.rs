//! Reports: one run, rendered in any number of formats. Each format is a
//! function from the [`Report`] to bytes; files are written atomically.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::checks::Check;
use crate::checks::{Outcome, Status};
use crate::gocd::AgentContext;
use crate::redact::Markup;

pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod list;
pub mod prometheus;

pub use list::render as list;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Junit,
    Html,
    Prometheus,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["human", "json", "junit", "html", "prometheus"];

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Html => "html",
            Format::Prometheus => "prometheus",
        }
    }

    /// How the format escapes text, for redacting it.
    pub fn markup(self) -> Markup {
        match self {
            Format::Human | Format::Json | Format::Prometheus => Markup::Plain,
            Format::Junit | Format::Html => Markup::Xml,
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "human" => Some(Format::Human),
            "json" => Some(Format::Json),
            "junit" => Some(Format::Junit),
            "html" => Some(Format::Html),
            "prometheus" => Some(Format::Prometheus),
            _ => None,
        }
    }
}

/// Who ran the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    pub hostname: String,
    /// `linux`, `windows`, `macos`.
    pub os: String,
    /// e.g. "Debian GNU/Linux 12 (bookworm)", when known.
    pub os_name: Option<String>,
    pub arch: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceEntry {
    pub name: String,
    pub description: Option<String>,
    pub file: String,
    /// Named by the user (or by the agent), rather than pulled in by
    /// `requires` or as the common spec.
    pub requested: bool,
}

#[derive(Debug, Clone)]
pub struct CheckResult {
    /// Shared with the runner: a spec's checks are not copied per report.
    pub check: Arc<Check>,
    pub outcome: Outcome,
}

impl CheckResult {
    /// What the check is called in every report: its title, else kind and subject.
    pub fn label(&self) -> String {
        match &self.check.common.title {
            Some(title) => title.clone(),
            None => format!("{} {}", self.check.kind.name(), self.check.kind.subject()),
        }
    }
}

/// A check's name from its spec alone: `command lua (version >=5.3, <5.5)`,
/// or `Lua is new enough (command lua)` with a title. Never what was found,
/// so names stay the same from run to run (GoCD's test history lines up).
pub fn check_name(check: &Check) -> String {
    let what = format!("{} {}", check.kind.name(), check.kind.subject());
    match (&check.common.title, check.kind.qualifier()) {
        (Some(title), _) => format!("{title} ({what})"),
        (None, Some(q)) => format!("{what} ({q})"),
        (None, None) => what,
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub host: Host,
    pub resources: Vec<ResourceEntry>,
    pub results: Vec<CheckResult>,
    pub started: SystemTime,
    pub elapsed: Duration,
    /// Things the user should know that are not check results.
    pub notices: Vec<Notice>,
    /// The GoCD job this ran in, when it ran in one.
    pub agent: Option<AgentContext>,
    /// `--suggest`: the other specs, by whether this machine passes them.
    pub suggest: Option<crate::selection::Suggestion>,
}

/// Something about the run itself, e.g. an advertised resource without a
/// spec. Errors (under `--strict`) fail the run like a failed check.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub message: String,
    pub level: Level,
}

/// How much a notice matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Fails the run.
    Error,
    /// Something may be wrong: a resource advertised without a spec.
    Warning,
    /// What the run left out, as it should: a spec for another system.
    Note,
}

impl Notice {
    /// Whether it fails the run.
    pub fn failing(&self) -> bool {
        self.level == Level::Error
    }

    /// How the reports label it: `error`, `warning`, `note`.
    pub fn label(&self) -> &'static str {
        match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
}

impl Summary {
    pub fn of<'a>(results: impl IntoIterator<Item = &'a CheckResult>) -> Summary {
        let mut s = Summary::default();
        for r in results {
            s.total += 1;
            match r.outcome.status {
                Status::Pass => s.passed += 1,
                Status::Fail => s.failed += 1,
                Status::Error => s.errors += 1,
                Status::Skipped => s.skipped += 1,
            }
        }
        s
    }

    pub fn ok(&self) -> bool {
        self.failed == 0 && self.errors == 0
    }
}

impl Report {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.results)
    }

    /// The verdict: the exit status is 0 exactly when this is true.
    pub fn ok(&self) -> bool {
        self.summary().ok() && !self.notices.iter().any(|n| n.failing())
    }

    /// Results of one resource, in spec order.
    pub fn results_of<'a>(
        &'a self,
        resource: &'a str,
    ) -> impl Iterator<Item = &'a CheckResult> + 'a {
        self.results
            .iter()
            .filter(move |r| r.check.resource == resource)
    }
}

/// Options only the human format uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    pub color: bool,
    pub quiet: bool,
    /// The terminal's width: long lines wrap to it (None: a log or a
    /// file, nothing wraps).
    pub width: Option<usize>,
}

pub fn render(format: Format, report: &Report, human: HumanOptions) -> Vec<u8> {
    match format {
        Format::Human => human::render(report, human).into_bytes(),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report).into_bytes(),
        Format::Html => html::render(report).into_bytes(),
        Format::Prometheus => prometheus::render(report).into_bytes(),
    }
}

/// ` #2` for the second of the same check in a spec (its id ends in `#2`),
/// so two such checks are told apart in every report.
pub fn repeat_mark(check: &Check) -> String {
    check
        .id
        .rsplit_once('#')
        .map(|(_, n)| format!(" #{n}"))
        .unwrap_or_default()
}

/// Writes a report to `path`, as the kind of thing there needs:
///
/// - a regular file, or nothing yet: replaced atomically ([`write_atomic`]);
///   missing parent directories are created;
/// - a symlink: what it points to, by these same rules (the link stays);
/// - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`, or a link
///   to one: the probe's own stream, written as it is (its offset and what
///   is already in it kept; an error when it is closed);
/// - a character device (`/dev/null`, a terminal), a FIFO: opened and
///   written through, never replaced (as root, a rename would turn
///   /dev/null into a regular file). A FIFO that no process reads is an
///   error, not a wait; so is a socket, which cannot be opened.
pub fn write_report(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = match resolve_links(path)? {
        Target::Stream(fd) => return write_to_fd(fd, bytes),
        Target::Path(target) => target,
    };
    match fs::metadata(&target) {
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("{} is a directory", target.display()),
        )),
        Ok(meta) if is_socket(&meta) => Err(io::Error::other(format!(
            "{} is a socket: a report is written to a file, a device, a FIFO or a stream",
            target.display()
        ))),
        Ok(meta) if !meta.is_file() => {
            let mut file = open_special(&target)?;
            file.write_all(bytes)?;
            file.flush()
        }
        _ => write_atomic(&target, bytes),
    }
}

/// Where a report path leads in the end.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// One of the process's own file descriptors.
    Stream(i32),
    /// A file (which need not exist yet, unless a link names it).
    Path(PathBuf),
}

/// Follows symlinks to what they name in the end, stopping at the
/// process's own streams: `/dev/stdout` links, through
/// `/proc/self/fd/1`, to whatever stdout is, which must be written
/// through, not replaced.
///
/// The probe follows links itself and then renames onto the target, so
/// the kernel's `fs.protected_symlinks` rule never applies; it applies
/// the same rule: in a sticky, world-writable directory (/tmp), a link
/// is followed only when its owner is the directory's owner or the
/// probe's user. And the target of a link that leads nowhere is never
/// created: another user may have planted it there.
pub fn resolve_links(path: &Path) -> io::Result<Target> {
    follow(path, true)
}

/// As [`resolve_links`]; `to_write`: the target is about to be written,
/// so the link rules apply.
fn follow(path: &Path, to_write: bool) -> io::Result<Target> {
    let mut current = path.to_path_buf();
    let mut followed = false;
    for _ in 0..40 {
        if let Some(fd) = stream_alias(&current) {
            return Ok(Target::Stream(fd));
        }
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                if to_write {
                    planted_link(&current, &meta)?;
                }
                let next = fs::read_link(&current)?;
                followed = true;
                current = match current.parent() {
                    Some(parent) if next.is_relative() => parent.join(next),
                    _ => next,
                };
            }
            Err(e) if to_write && followed && e.kind() == io::ErrorKind::NotFound => {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!(
                        "{} is a link to {}, which does not exist; a report is not written \
                         where a link leads nowhere",
                        path.display(),
                        current.display()
                    ),
                ))
            }
            _ => return Ok(Target::Path(current)),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// Err when `link` (whose metadata is `meta`) sits in a sticky,
/// world-writable directory and belongs neither to the directory's owner
/// nor to this process's user: `fs.protected_symlinks`, applied by hand.
#[cfg(unix)]
fn planted_link(link: &Path, meta: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let parent = match link.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(dir) = fs::metadata(parent) else {
        return Ok(());
    };
    let sticky_and_open = dir.mode() & 0o1000 != 0 && dir.mode() & 0o002 != 0;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if sticky_and_open && meta.uid() != dir.uid() && meta.uid() != me {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is a link in {}, a sticky directory anyone can write to, and belongs to \
                 user {}, who owns neither the directory nor this run: not followed (the \
                 kernel's fs.protected_symlinks rule); give a path in a directory of your own",
                link.display(),
                parent.display(),
                meta.uid()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn planted_link(_: &Path, _: &fs::Metadata) -> io::Result<()> {
    Ok(())
}

/// The same report destination however it is spelt (`a.json`,
/// `./a.json`, a link to it, `/dev/stdout` and `/dev/fd/1`), so that two
/// reports are never written to one place.
pub fn destination(path: &Path) -> Target {
    match follow(path, false) {
        Ok(Target::Stream(fd)) => Target::Stream(fd),
        Ok(Target::Path(target)) => {
            let parent = match target.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            match (fs::canonicalize(parent), target.file_name()) {
                (Ok(parent), Some(name)) => Target::Path(parent.join(name)),
                // A directory still to be made: compared as written, `.`
                // and `..` resolved.
                _ => Target::Path(lexical(&target)),
            }
        }
        Err(_) => Target::Path(path.to_path_buf()),
    }
}

/// `path` made absolute, without `.` and with `..` taken back, as text.
fn lexical(path: &Path) -> PathBuf {
    let absolute = std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The file descriptor a path names when it is one of the process's own
/// streams (`.` components and repeated separators aside).
fn stream_alias(path: &Path) -> Option<i32> {
    if !cfg!(unix) {
        return None;
    }
    let normal: PathBuf = path.components().collect();
    let text = normal.to_str()?;
    match text {
        "/dev/stdout" => Some(1),
        "/dev/stderr" => Some(2),
        _ => text
            .strip_prefix("/dev/fd/")
            .or_else(|| text.strip_prefix("/proc/self/fd/"))
            .or_else(|| text.strip_prefix("/proc/thread-self/fd/"))
            .and_then(|n| n.parse().ok()),
    }
}

#[cfg(unix)]
fn is_socket(meta: &fs::Metadata) -> bool {
    std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type())
}

#[cfg(not(unix))]
fn is_socket(_: &fs::Metadata) -> bool {
    false
}

/// Opens a device or FIFO for writing. A FIFO is opened without
/// blocking: a reader that is starting gets two seconds to open it, and
/// with none the write fails (ENXIO) instead of holding the probe, signals
/// and all, until one comes.
#[cfg(unix)]
fn open_special(path: &Path) -> io::Result<fs::File> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let patience = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let file = loop {
        match fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
        {
            Ok(file) => break file,
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                if std::time::Instant::now() >= patience {
                    return Err(io::Error::other(format!(
                        "{}: no process is reading this FIFO; start its reader first",
                        path.display()
                    )));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    };
    // Writes then wait for a slow reader as usual.
    // SAFETY: F_GETFL/F_SETFL on a descriptor this function owns.
    unsafe {
        let flags = libc::fcntl(file.as_raw_fd(), libc::F_GETFL);
        if flags != -1 {
            libc::fcntl(file.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
    Ok(file)
}

#[cfg(not(unix))]
fn open_special(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new().write(true).open(path)
}

#[cfg(unix)]
fn write_to_fd(fd: i32, bytes: &[u8]) -> io::Result<()> {
    use std::os::fd::FromRawFd;
    // SAFETY: fcntl(F_GETFD) only asks whether the descriptor is open.
    // (A stdout or stderr closed by the caller is /dev/null by now: Rust
    // reopens them so at start-up.)
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
        let name = match fd {
            1 => "stdout".to_string(),
            2 => "stderr".to_string(),
            _ => format!("file descriptor {fd}"),
        };
        return Err(io::Error::other(format!("{name} is not open")));
    }
    match fd {
        1 => {
            let mut out = io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()
        }
        2 => io::stderr().lock().write_all(bytes),
        _ => {
            // SAFETY: the descriptor is open; ManuallyDrop leaves it open
            // for whoever owns it.
            let mut file = std::mem::ManuallyDrop::new(unsafe { fs::File::from_raw_fd(fd) });
            file.write_all(bytes)
        }
    }
}

#[cfg(not(unix))]
fn write_to_fd(_fd: i32, _bytes: &[u8]) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no file descriptors here",
    ))
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, so a reader never sees half a report. Missing parent
/// directories are created. A file replaced keeps its permissions (and,
/// where the probe may set it, its owner). The temporary file is created
/// new, never through something already at its name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Ok(meta) = fs::metadata(&parent) {
        if !meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is a file, not a directory", parent.display()),
            ));
        }
    }
    fs::create_dir_all(&parent).map_err(|e| {
        io::Error::new(e.kind(), format!("cannot create {}: {e}", parent.display()))
    })?;
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?
        .to_string_lossy();
    // Short enough for a file name of up to 255 bytes to have one.
    let mut cut = file_name.len().min(150);
    while !file_name.is_char_boundary(cut) {
        cut -= 1;
    }
    let stem = &file_name[..cut];
    let existing = fs::metadata(path).ok();
    let (tmp, mut f) = {
        let mut n = 0u32;
        loop {
            let tmp = parent.join(format!(".{stem}.{}.{n}.tmp", std::process::id()));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(e),
            }
        }
    };
    let result = (|| {
        f.write_all(bytes)?;
        if let Some(meta) = &existing {
            keep_owner_and_mode(&f, meta);
        }
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The replaced file's mode and owner on its replacement: best effort
/// (only root may give a file to someone else).
#[cfg(unix)]
fn keep_owner_and_mode(file: &fs::File, old: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
    let _ = file.set_permissions(old.permissions());
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &fs::File, old: &fs::Metadata) {
    let _ = file.set_permissions(old.permissions());
}

/// `2026-11-28T03:04:05Z` without a date library.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Seconds since the Unix epoch of an RFC 3339 time
/// (`2026-12-07T10:00:00Z`, `2026-12-07T11:00:00.5+01:00`); None when
/// `text` is not one.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = text.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let well_formed = b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':')
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second <= 60;
    if !well_formed {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            sign * (num_at(rest, 1)? * 3600 + num_at(rest, 4)? * 60)
        }
    };
    // Howard Hinnant's days-from-civil algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn num_at(text: &str, at: usize) -> Option<i64> {
    let part = text.get(at..at + 2)?;
    part.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| part.parse().ok())?
}

#[cfg(test)]
pub(crate) mod tests;

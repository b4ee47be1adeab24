//! Reports from files: named one by one, every `*.json` under a directory,
//! or matched by a glob (`reports/*/probe-report.json`, for shells and GoCD
//! tasks that do not expand it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Source;

/// The reports found, and the files skipped (with why) because they are
/// not probe reports though they sit where reports were looked for.
#[derive(Debug, Default)]
pub struct Read {
    pub sources: Vec<Source>,
    pub skipped: Vec<String>,
}

/// Reads every source. A named file that is not a report, or a source that
/// names nothing, is an error. A file named that is not a regular one (a
/// FIFO, `<(curl …)`) is read for at most `timeout`; one found in a
/// directory or by a glob is skipped.
pub fn read(args: &[String], timeout: Duration) -> Result<Read, Vec<String>> {
    /// A file to read, and what its failing to be a report means.
    enum Wanted {
        /// Named, or matched by a glob: an error.
        Named,
        /// Found in a directory: skipped, unless it has the name the
        /// shipped pipeline publishes.
        Found,
    }
    let mut read = Read::default();
    let mut errors = Vec::new();
    let mut wanted: Vec<(PathBuf, Wanted)> = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if is_glob(arg) {
            let matched = expand(arg);
            if matched.is_empty() {
                errors.push(format!("{arg}: no file matches"));
            }
            for file in matched {
                if is_regular(&file) {
                    wanted.push((file, Wanted::Named));
                } else {
                    read.skipped.push(not_regular(&file));
                }
            }
        } else if path.is_dir() {
            let mut files = Vec::new();
            json_files(path, &mut files);
            files.sort();
            if files.is_empty() {
                errors.push(format!("{arg}: no *.json file in this directory"));
            }
            for file in files {
                if is_regular(&file) {
                    wanted.push((file, Wanted::Found));
                } else {
                    read.skipped.push(not_regular(&file));
                }
            }
        } else {
            wanted.push((path.to_path_buf(), Wanted::Named));
        }
    }
    let results = read_all(&wanted, timeout);
    for ((file, why), result) in wanted.iter().zip(results) {
        match (result, why) {
            (Ok(source), _) => read.sources.push(source),
            (Err(e), Wanted::Named) => errors.push(e),
            // What the shipped pipeline publishes must read; other JSON
            // files in the directory may be anything.
            (Err(e), Wanted::Found) if file.file_name().is_some_and(|n| n == REPORT_FILE) => {
                errors.push(e)
            }
            (Err(e), Wanted::Found) => read.skipped.push(e),
        }
    }
    if errors.is_empty() {
        Ok(read)
    } else {
        Err(errors)
    }
}

/// Reads and parses the files on every core, results in the files' order:
/// parsing is most of a large fleet's time.
fn read_all<T: Sync>(files: &[(PathBuf, T)], timeout: Duration) -> Vec<Result<Source, String>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Source, String>>> = (0..files.len()).map(|_| None).collect();
    let done = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((file, _)) = files.get(i) else { break };
                    mine.push((i, read_file(file, timeout)));
                }
                done.lock().unwrap_or_else(|p| p.into_inner()).extend(mine);
            });
        }
    });
    for (i, result) in done.into_inner().unwrap_or_else(|p| p.into_inner()) {
        results[i] = Some(result);
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not read".into())))
        .collect()
}

/// The name of the report the shipped pipeline publishes.
const REPORT_FILE: &str = "probe-report.json";

/// Whether `path` is a regular file (a link to one counts).
pub(super) fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

fn not_regular(path: &Path) -> String {
    format!(
        "{}: not a regular file (a FIFO, a device or a socket); name it on its own to read it",
        path.display()
    )
}

fn read_file(path: &Path, timeout: Duration) -> Result<Source, String> {
    use std::io::Read;
    // As for a download: a report is never this large.
    let limit = super::gocd::REPORT_LIMIT;
    let read = move |path: &Path| -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        std::fs::File::open(path)?
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    let bytes = if is_regular(path) {
        read(path)
    } else {
        // A FIFO no process writes to would block the open, or the read,
        // for ever: the reading thread is left behind after `timeout`.
        let (send, receive) = std::sync::mpsc::channel();
        let owned = path.to_path_buf();
        std::thread::spawn(move || {
            let _ = send.send(read(&owned));
        });
        receive.recv_timeout(timeout).unwrap_or_else(|_| {
            Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "nothing to read within {} (a FIFO no process writes to?)",
                    crate::quantity::format_duration(timeout)
                ),
            ))
        })
    }
    .map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() > limit {
        return Err(format!(
            "{}: larger than {} MiB, which no probe report is",
            path.display(),
            limit >> 20
        ));
    }
    Source::read(path.display().to_string(), &bytes, None)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    files_under(
        dir,
        &|path| {
            path.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        },
        out,
    );
}

/// Every file under `dir` that `wanted` picks, at any depth.
pub(super) fn files_under(dir: &Path, wanted: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        // Links to directories are not followed: a link to `.` would read
        // every file again, and again.
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        if path.is_dir() && !is_link {
            files_under(&path, wanted, out);
        } else if wanted(&path) {
            out.push(path);
        }
    }
}

pub(super) fn is_glob(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// The files a glob matches, sorted. `*` and `?` match within one path
/// component, `[abc]`, `[a-z]` and `[!abc]` one of its characters.
pub(super) fn expand(pattern: &str) -> Vec<PathBuf> {
    // The directories before the first component with a wildcard are
    // taken as they are (a root, a drive, `..`).
    let components: Vec<String> = Path::new(pattern)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let first_glob = components
        .iter()
        .position(|c| is_glob(c))
        .unwrap_or(components.len());
    let base: PathBuf = components[..first_glob].iter().collect();
    let mut current = vec![if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    }];
    let parts: Vec<&str> = components[first_glob..]
        .iter()
        .map(String::as_str)
        .collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let mut next = Vec::new();
        for dir in &current {
            if !is_glob(part) {
                let candidate = dir.join(part);
                if candidate.exists() {
                    next.push(candidate);
                }
                continue;
            }
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if (name.starts_with('.') && !part.starts_with('.')) || !matches(part, &name) {
                    continue;
                }
                let path = entry.path();
                if last || path.is_dir() {
                    next.push(path);
                }
            }
        }
        current = next;
    }
    let mut files: Vec<PathBuf> = current
        .into_iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| !m.is_dir()))
        .map(|p| p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p))
        .collect();
    files.sort();
    files
}

/// Glob matching of one path component: the project's one matcher, with
/// case, as file names are compared.
fn matches(pattern: &str, name: &str) -> bool {
    crate::text::glob(pattern, name, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_components() {
        assert!(matches("*.json", "probe-report.json"));
        assert!(matches("agent-?", "agent-7"));
        assert!(matches("agent-[12]", "agent-2"));
        assert!(!matches("agent-[12]", "agent-3"));
        assert!(!matches("*.json", "report.xml"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXbYbZc"));
        assert!(!matches("a*b*c", "aXbYbZ"));
        assert!(matches("[ab]*[12]", "b-report-2"));
        // No exponential backtracking on a long name that does not match.
        let long = "a".repeat(5_000);
        assert!(!matches("*a*a*a*a*a*a*a*b", &long));
    }

    #[test]
    fn globs_walk_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        for agent in ["a1", "a2", "b1"] {
            std::fs::create_dir_all(dir.path().join(agent)).expect("mkdir");
            std::fs::write(dir.path().join(agent).join("probe-report.json"), "{}").expect("write");
        }
        let pattern = format!("{}/a*/probe-report.json", dir.path().display());
        let found = expand(&pattern);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].ends_with("a1/probe-report.json"));
    }
}

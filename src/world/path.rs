//! Finding a command on PATH as a shell would: on Unix in one pass with
//! one `stat` per directory; on Windows with PATHEXT, as `which` does, and
//! naming a file of that name that Windows would not run.

use std::fs;
use std::path::{Path, PathBuf};

use super::os::is_executable;
use super::Lookup;

/// Resolves `command` on the given PATH value, relative names against `cwd`.
///
/// `which` does what a shell does. On Windows that is: PATH split on `;`,
/// each directory tried with the name as typed when it already has an
/// extension listed in PATHEXT, else with each PATHEXT extension in turn
/// (`npm` finds `npm.cmd`), names matched ignoring case (the file's own
/// case is returned). Unlike cmd.exe, the current directory is not searched
/// first: a build started by the GoCD agent does not search it either.
pub(super) fn lookup_in(
    command: impl AsRef<std::ffi::OsStr>,
    path: Option<&std::ffi::OsStr>,
    cwd: &Path,
) -> Lookup {
    let command = command.as_ref();
    if cfg!(unix) {
        return lookup_unix(command, path, cwd);
    }
    match which::which_in(command, path, cwd) {
        Ok(found) => Lookup::Found(found),
        Err(_) => not_executable(command, path, cwd),
    }
}

/// A shell's lookup on Unix, in one pass over PATH with one `stat` and at
/// most one `access` per directory: the first executable file wins; else
/// the first file there (NotExecutable); else Missing. A name with a `/`
/// is that file. An empty PATH entry is the working directory, as POSIX
/// shells read it.
pub(super) fn lookup_unix(
    command: &std::ffi::OsStr,
    path: Option<&std::ffi::OsStr>,
    cwd: &Path,
) -> Lookup {
    if command.as_encoded_bytes().contains(&b'/') {
        let file = cwd.join(command);
        return match fs::metadata(&file) {
            Ok(meta) if meta.is_file() && is_executable(&file) => Lookup::Found(file),
            Ok(meta) if meta.is_file() => Lookup::NotExecutable(file),
            _ => Lookup::Missing,
        };
    }
    let Some(path) = path else {
        return Lookup::Missing;
    };
    let mut not_executable = None;
    let mut candidate = PathBuf::new();
    for dir in std::env::split_paths(path) {
        candidate.clear();
        if dir.is_relative() {
            candidate.push(cwd);
        }
        candidate.push(&dir);
        candidate.push(command);
        match fs::metadata(&candidate) {
            Ok(meta) if meta.is_file() => {
                if is_executable(&candidate) {
                    return Lookup::Found(candidate);
                }
                if not_executable.is_none() {
                    not_executable = Some(candidate.clone());
                }
            }
            _ => {}
        }
    }
    not_executable.map_or(Lookup::Missing, Lookup::NotExecutable)
}

/// Extensions of scripts that Windows does not start by name (they are not
/// in the default PATHEXT), but that a person might take for the command.
const SCRIPTS_WINDOWS_DOES_NOT_RUN: &[&str] = &[".ps1", ".sh", ".py"];

/// Windows: when no runnable command is found, a file of that name on PATH
/// that Windows does not run is still worth naming: one whose extension is
/// not in PATHEXT (`tool` with no extension, or `tool.ps1` when PATHEXT
/// lacks `.PS1`). On Unix, [`lookup_unix`] finds such files in its pass.
pub(super) fn not_executable(
    command: &std::ffi::OsStr,
    path: Option<&std::ffi::OsStr>,
    cwd: &Path,
) -> Lookup {
    let text = command.to_string_lossy();
    let names = candidate_names(&text, cfg!(windows).then(pathext).as_deref());
    let first_file = |dir: &Path| {
        names
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    };
    if text.contains(['/', '\\']) {
        return first_file(cwd).map_or(Lookup::Missing, Lookup::NotExecutable);
    }
    let Some(path) = path else {
        return Lookup::Missing;
    };
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty() || cfg!(unix))
        .find_map(|dir| first_file(&cwd.join(dir)))
        .map_or(Lookup::Missing, Lookup::NotExecutable)
}

/// The file names that would be `command` if they could run. `pathext`:
/// the PATHEXT extensions on Windows, None elsewhere.
pub(super) fn candidate_names(command: &str, pathext: Option<&[String]>) -> Vec<String> {
    let mut names = vec![command.to_string()];
    let Some(pathext) = pathext else {
        return names;
    };
    if Path::new(command).extension().is_none() {
        names.extend(
            SCRIPTS_WINDOWS_DOES_NOT_RUN
                .iter()
                .filter(|ext| !pathext.iter().any(|e| e.eq_ignore_ascii_case(ext)))
                .map(|ext| format!("{command}{ext}")),
        );
    }
    names
}

/// PATHEXT's extensions (`.COM`, `.EXE`, `.BAT`, `.CMD`...); Windows'
/// default when it is unset.
pub(super) fn pathext() -> Vec<String> {
    let value = std::env::var("PATHEXT").unwrap_or_default();
    let list = parse_pathext(&value);
    if list.is_empty() {
        parse_pathext(".COM;.EXE;.BAT;.CMD")
    } else {
        list
    }
}

pub(super) fn parse_pathext(value: &str) -> Vec<String> {
    value
        .split(';')
        .map(str::trim)
        .filter(|e| e.len() > 1 && e.starts_with('.'))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pathext_is_parsed_as_windows_does() {
        assert_eq!(
            parse_pathext(".COM;.EXE; .BAT;;CMD;.;.Ps1"),
            [".COM", ".EXE", ".BAT", ".Ps1"]
        );
        assert!(parse_pathext("").is_empty());
    }

    #[test]
    fn candidates_for_a_command_that_does_not_run() {
        // Unix: only the name itself (without its execute bit).
        assert_eq!(candidate_names("tool", None), ["tool"]);
        let pathext = parse_pathext(".COM;.EXE;.BAT;.CMD");
        // Windows: the name without an extension Windows runs, and scripts
        // a person would take for the command.
        assert_eq!(
            candidate_names("tool", Some(&pathext)),
            ["tool", "tool.ps1", "tool.sh", "tool.py"]
        );
        // With .PS1 in PATHEXT a tool.ps1 would have been found, so it is
        // no candidate.
        let with_ps1 = parse_pathext(".EXE;.CMD;.ps1");
        assert_eq!(
            candidate_names("tool", Some(&with_ps1)),
            ["tool", "tool.sh", "tool.py"]
        );
        // A name typed with its extension is only itself.
        assert_eq!(candidate_names("tool.exe", Some(&pathext)), ["tool.exe"]);
    }
}

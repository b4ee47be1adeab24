//! Files and directories.

use std::io::ErrorKind;
use std::path::PathBuf;

use super::Outcome;
use crate::spec::{FileCheck, FileType};
use crate::world::{FileKind, World};

/// Bytes of a file read for `contains`.
const CONTENT_LIMIT: usize = 1 << 20;

/// Expands a leading `~` and `${VAR}` / `$VAR`. An unset variable is an
/// error: checking `/bin/java` because JAVA_HOME was empty would mislead.
pub fn expand_path(text: &str, world: &dyn World) -> Result<PathBuf, String> {
    let mut out = String::new();
    let mut rest = text;
    if let Some(after) = rest.strip_prefix('~') {
        if after.is_empty() || after.starts_with(['/', '\\']) {
            let home = world
                .var("HOME")
                .or_else(|| world.var("USERPROFILE"))
                .ok_or("`~` is used but neither HOME nor USERPROFILE is set")?;
            out.push_str(&home.to_string_lossy());
            rest = after;
        }
    }
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, next) = if let Some(braced) = after.strip_prefix('{') {
            let end = braced
                .find('}')
                .ok_or_else(|| format!("`${{` without a closing `}}` in `{text}`"))?;
            (&braced[..end], &braced[end + 1..])
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        if name.is_empty() {
            out.push('$');
        } else {
            let value = world
                .var(name)
                .ok_or_else(|| format!("`{text}` uses ${name}, which is not set"))?;
            out.push_str(&value.to_string_lossy());
        }
        rest = next;
    }
    out.push_str(rest);
    Ok(PathBuf::from(out))
}

pub fn file(check: &FileCheck, world: &dyn World) -> Outcome {
    let path = match expand_path(&check.file, world) {
        Ok(path) => path,
        Err(why) => return Outcome::error(why).expected(expected(check)),
    };
    let shown = path.display().to_string();
    let follow = check.file_type != Some(FileType::Symlink);
    let info = match world.file_info(&path, follow) {
        Ok(info) => info,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let must_exist = check.exists.unwrap_or(true);
            return Outcome::verdict(!must_exist, format!("{shown} does not exist"))
                .expected(expected(check))
                .actual("does not exist")
                .at(shown);
        }
        Err(e) => {
            return Outcome::error(format!("cannot look at {shown}: {e}"))
                .expected(expected(check))
                .at(shown)
        }
    };
    let what = describe(info.kind);
    if check.exists == Some(false) {
        return Outcome::fail(format!("{shown} exists ({what})"))
            .expected(expected(check))
            .actual(format!("exists ({what})"))
            .at(shown);
    }
    if let Some(wanted) = check.file_type {
        let ok = matches!(
            (wanted, info.kind),
            (FileType::File, FileKind::File)
                | (FileType::Dir, FileKind::Dir)
                | (FileType::Symlink, FileKind::Symlink)
                | (FileType::Socket, FileKind::Socket)
        );
        if !ok {
            return Outcome::fail(format!("{shown} is {what}, not {wanted}"))
                .expected(expected(check))
                .actual(what)
                .at(shown);
        }
    }
    if let Some(mode) = check.mode {
        match info.mode {
            None => {
                return Outcome::error(format!(
                    "{shown}: `mode` cannot be checked here, this OS has no Unix permission bits"
                ))
                .expected(expected(check))
                .at(shown)
            }
            Some(bits) if bits != mode.0 => {
                return Outcome::fail(format!("{shown} has mode {bits:04o}, not {mode}"))
                    .expected(expected(check))
                    .actual(format!("mode {bits:04o}"))
                    .at(shown)
            }
            Some(_) => {}
        }
    }
    if let Some(wanted) = check.executable {
        if info.executable != wanted {
            let is = if info.executable { "is" } else { "is not" };
            return Outcome::fail(format!("{shown} {is} executable by this user"))
                .expected(expected(check))
                .actual(format!("{is} executable"))
                .at(shown);
        }
    }
    if let Some(pattern) = &check.contains {
        if info.kind == FileKind::Dir {
            return Outcome::fail(format!("{shown} is a directory; `contains` needs a file"))
                .expected(expected(check))
                .actual(what)
                .at(shown);
        }
        let bytes = match world.read_head(&path, CONTENT_LIMIT) {
            Ok(bytes) => bytes,
            Err(e) => {
                return Outcome::error(format!("cannot read {shown}: {e}"))
                    .expected(expected(check))
                    .at(shown)
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        if !pattern.0.is_match(&text) {
            return Outcome::fail(format!(
                "{shown} does not contain a match for `{}`",
                pattern.as_str()
            ))
            .expected(expected(check))
            .actual("no match in its contents")
            .at(shown);
        }
    }
    Outcome::pass(format!("{shown} is {what}"))
        .expected(expected(check))
        .actual(what)
        .at(shown)
}

fn describe(kind: FileKind) -> String {
    match kind {
        FileKind::File => "a regular file",
        FileKind::Dir => "a directory",
        FileKind::Symlink => "a symlink",
        FileKind::Socket => "a socket",
        FileKind::Other => "a special file",
    }
    .to_string()
}

fn expected(check: &FileCheck) -> String {
    if check.exists == Some(false) {
        return format!("{} absent", check.file);
    }
    let mut parts = vec![format!("{} exists", check.file)];
    if let Some(t) = check.file_type {
        parts.push(format!("is {t}"));
    }
    if let Some(m) = check.mode {
        parts.push(format!("mode {m}"));
    }
    match check.executable {
        Some(true) => parts.push("executable".into()),
        Some(false) => parts.push("not executable".into()),
        None => {}
    }
    if let Some(p) = &check.contains {
        parts.push(format!("contains `{}`", p.as_str()));
    }
    parts.join(", ")
}

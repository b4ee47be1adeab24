//! `~` and `${VAR}` in what a spec writes as a path.

use std::path::PathBuf;

use crate::world::World;

/// Expands a leading `~` and `${VAR}` / `$VAR`. An unset variable is an
/// error: checking `/bin/java` because JAVA_HOME was empty would mislead.
pub(super) fn expand_path(text: &str, world: &dyn World) -> Result<PathBuf, String> {
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

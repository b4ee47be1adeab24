//! `~` and `${VAR}` (or `$VAR`) in what a spec writes as a path, a command,
//! an argument, a URL or a host: one rule for every kind (docs/spec.md,
//! "Paths, commands and variables").
//!
//! - A leading `~` (alone or before `/` or `\`) is the home directory (HOME,
//!   else USERPROFILE).
//! - `${NAME}` and `$NAME` (letters, digits, `_`; a bare name starts with a
//!   letter or `_`) are the variable's value; `$$` is one `$` (for
//!   PowerShell's `$PSVersionTable` in an argument); any other `$` stays.
//! - An unset variable is an error that names it: checking `/bin/java`
//!   because JAVA_HOME was empty would mislead.
//! - Values are kept as the OS gives them: a path whose variable holds bytes
//!   that are not UTF-8 is still that path.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::world::World;

/// Expands `text`.
pub(crate) fn expand(text: &str, world: &dyn World) -> Result<OsString, String> {
    let mut out = OsString::new();
    let mut rest = text;
    if let Some(after) = rest.strip_prefix('~') {
        if after.is_empty() || after.starts_with(['/', '\\']) {
            let home = world
                .var("HOME")
                .or_else(|| world.var("USERPROFILE"))
                .ok_or("`~` is used but neither HOME nor USERPROFILE is set")?;
            out.push(home);
            rest = after;
        }
    }
    while let Some(i) = rest.find('$') {
        out.push(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(next) = after.strip_prefix('$') {
            out.push("$");
            rest = next;
            continue;
        }
        let (name, next) = if let Some(braced) = after.strip_prefix('{') {
            let end = braced
                .find('}')
                .ok_or_else(|| format!("`${{` without a closing `}}` in `{text}`"))?;
            (&braced[..end], &braced[end + 1..])
        } else {
            // A bare name starts with a letter or `_`: `$5` is not a variable.
            let starts = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
            let end = if starts {
                after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len())
            } else {
                0
            };
            (&after[..end], &after[end..])
        };
        if name.is_empty() {
            // Not a variable: the text stays as written (`$`, `${}`).
            out.push(&rest[i..rest.len() - next.len()]);
        } else {
            let value = world.var(name).ok_or_else(|| unset(name, text))?;
            out.push(value);
        }
        rest = next;
    }
    out.push(rest);
    Ok(out)
}

/// The error for an unset variable; a name that looks like code rather
/// than a variable (`$PSVersionTable.PSVersion`) gets the escape.
fn unset(name: &str, text: &str) -> String {
    // Environment variables are named in capitals; `$PSVersionTable.x`,
    // `$env:PATH`, `$_`, `$true` and awk's `$NF` are code.
    let looks_like_code = text.contains(&format!("${name}."))
        || text.contains(&format!("${name}:"))
        || name.chars().any(|c| c.is_ascii_lowercase())
        || name == "_"
        || name == "NF";
    if looks_like_code {
        format!("{name} is not set (`{text}` uses it; write `$${name}` for a `$` that is not a variable)")
    } else {
        format!("{name} is not set (`{text}` uses it)")
    }
}

pub(super) fn expand_path(text: &str, world: &dyn World) -> Result<PathBuf, String> {
    expand(text, world).map(PathBuf::from)
}

/// Expands text that must stay text (a URL, a host name).
pub(super) fn expand_text(text: &str, world: &dyn World) -> Result<String, String> {
    expand(text, world)?
        .into_string()
        .map_err(|_| format!("`{text}` holds a variable whose value is not UTF-8"))
}

/// Whether `text` has anything to expand, so it is shown expanded too.
pub(super) fn has_variables(text: &str) -> bool {
    text.contains('$') || text.starts_with('~')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::fake::FakeWorld;

    fn world() -> FakeWorld {
        FakeWorld::default()
            .var("HOME", "/home/go")
            .var("JAVA_HOME", "/opt/jdk-17")
    }

    #[test]
    fn braced_and_bare_variables_and_a_leading_tilde_are_expanded() {
        let w = world();
        assert_eq!(
            expand("${JAVA_HOME}/bin/java", &w).unwrap(),
            "/opt/jdk-17/bin/java"
        );
        assert_eq!(expand("$JAVA_HOME/bin", &w).unwrap(), "/opt/jdk-17/bin");
        assert_eq!(expand("~/.m2", &w).unwrap(), "/home/go/.m2");
        assert_eq!(expand("~", &w).unwrap(), "/home/go");
    }

    #[test]
    fn a_tilde_inside_a_word_and_a_lone_dollar_stay_as_written() {
        let w = world();
        assert_eq!(expand("a~b", &w).unwrap(), "a~b");
        assert_eq!(expand("~go/x", &w).unwrap(), "~go/x");
        assert_eq!(
            expand("cost $5 and $ and ${}", &w).unwrap(),
            "cost $5 and $ and ${}"
        );
    }

    #[test]
    fn an_unset_variable_is_an_error_naming_it() {
        let err = expand("${JDK_HOME}/bin/java", &world()).unwrap_err();
        assert_eq!(err, "JDK_HOME is not set (`${JDK_HOME}/bin/java` uses it)");
        let err = expand("${JAVA_HOME", &world()).unwrap_err();
        assert_eq!(err, "`${` without a closing `}` in `${JAVA_HOME`");
    }

    #[test]
    fn a_double_dollar_is_one_dollar_and_code_gets_told_so() {
        let w = world();
        assert_eq!(
            expand("$$PSVersionTable.PSVersion.ToString()", &w).unwrap(),
            "$PSVersionTable.PSVersion.ToString()"
        );
        assert_eq!(expand("a$$$JAVA_HOME", &w).unwrap(), "a$/opt/jdk-17");
        let err = expand("$PSVersionTable.PSVersion", &w).unwrap_err();
        assert_eq!(
            err,
            "PSVersionTable is not set (`$PSVersionTable.PSVersion` uses it; write \
             `$$PSVersionTable` for a `$` that is not a variable)"
        );
    }

    #[test]
    fn the_escape_is_suggested_for_code_and_not_for_variables() {
        let w = world();
        for code in [
            "$env:JAVA_HOME",
            "echo $_",
            "$true",
            "{print $NF}",
            "$Host.Version",
        ] {
            let err = expand(code, &w).unwrap_err();
            assert!(err.contains("write `$$"), "{code}: {err}");
        }
        let err = expand("${GRADLE_HOME}/bin", &w).unwrap_err();
        assert!(!err.contains("write `$$"), "{err}");
    }

    #[test]
    fn a_tilde_without_a_home_is_an_error() {
        let err = expand("~/x", &FakeWorld::default()).unwrap_err();
        assert!(err.contains("neither HOME nor USERPROFILE"), "{err}");
        let w = FakeWorld::default().var("USERPROFILE", r"C:\Users\go");
        assert_eq!(expand(r"~\x", &w).unwrap(), r"C:\Users\go\x");
    }

    #[test]
    fn text_expansion_keeps_text() {
        let w = world().var("MIRROR", "nexus.corp:8081");
        assert_eq!(
            expand_text("https://${MIRROR}/repository/", &w).unwrap(),
            "https://nexus.corp:8081/repository/"
        );
        assert!(has_variables("$X") && has_variables("~/x") && !has_variables("a~b"));
    }
}

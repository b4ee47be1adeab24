//! `path_contains`: PATH has a directory among its entries.

use serde::Deserialize;

use super::expand::expand_path;
use super::{Context, Declared, Kind, Outcome};
use crate::spec::OsFamily;
use crate::world::World;

/// PATH must contain a directory.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PathContainsCheck {
    /// The directory that must be one of PATH's entries (`/usr/local/bin`).
    pub path_contains: String,
}

impl Declared for PathContainsCheck {
    const KEY: &'static str = "path_contains";
}

impl Kind for PathContainsCheck {
    fn subject(&self) -> String {
        self.path_contains.clone()
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let wanted = &self.path_contains;
        let expected = format!("PATH contains {wanted}");
        let Some(path) = world.var("PATH") else {
            return Outcome::fail("PATH is not set")
                .expected(expected)
                .actual("PATH not set");
        };
        let wanted_dir = match expand_path(wanted, world) {
            Ok(dir) => dir,
            Err(why) => return Outcome::error(why).expected(expected),
        };
        let windows = world.os_family() == OsFamily::Windows;
        let shown = path.to_string_lossy().into_owned();
        let wanted_dir = wanted_dir.to_string_lossy();
        let position = if windows {
            path_entries(&shown)
                .iter()
                .position(|entry| same_dir(entry, &wanted_dir, true))
        } else {
            shown
                .split(':')
                .position(|entry| same_dir(entry, &wanted_dir, false))
        };
        match position {
            Some(i) => Outcome::pass(format!("PATH contains {wanted} (entry {})", i + 1))
                .expected(expected)
                .actual(format!("entry {} of PATH", i + 1)),
            None => Outcome::fail(format!("PATH does not contain {wanted}"))
                .expected(expected)
                .actual(format!("PATH={shown}")),
        }
    }
}

/// Windows PATH's entries as Windows splits them: on `;`, where an entry
/// may be quoted (`"C:\a;b"`) and the quotes are not part of it. (Unix
/// splits on `:`, nothing more.)
fn path_entries(path: &str) -> Vec<String> {
    let mut entries = vec![String::new()];
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => entries.push(String::new()),
            c => entries.last_mut().expect("one entry at least").push(c),
        }
    }
    entries
}

/// `/usr/local/bin/` and `/usr/local/bin` are the same entry; on Windows
/// case and slash direction do not matter either (`c:/tools/` is
/// `C:\Tools`).
fn same_dir(a: &str, b: &str, windows: bool) -> bool {
    fn trim(text: &str) -> &str {
        let trimmed = text.trim_end_matches(['/', '\\']);
        // `/` stays `/`: trimmed to nothing it would equal an empty entry.
        if trimmed.is_empty() {
            &text[..text.chars().next().map_or(0, char::len_utf8)]
        } else {
            trimmed
        }
    }
    if windows {
        let norm = |text: &str| trim(&text.replace('/', "\\").to_lowercase()).to_string();
        norm(a) == norm(b)
    } else {
        trim(a) == trim(b)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{eval, fail, pass, windows};
    use super::super::Status;
    use crate::spec::OsFamily;
    use crate::world::fake::FakeWorld;

    #[test]
    fn path_contains_ignores_trailing_slashes() {
        let world = FakeWorld::default()
            .on(OsFamily::Linux)
            .var("PATH", "/usr/local/bin/:/usr/bin");
        assert_eq!(
            eval("path_contains: /usr/local/bin", &world).status,
            Status::Pass
        );
        assert_eq!(eval("path_contains: /opt/bin", &world).status, Status::Fail);
    }

    #[test]
    fn path_contains_expands_home_and_variables() {
        let world = FakeWorld::default()
            .on(OsFamily::Linux)
            .var("HOME", "/home/go")
            .var("PATH", "/usr/bin:/home/go/.cargo/bin");
        assert_eq!(
            eval("path_contains: ~/.cargo/bin", &world).status,
            Status::Pass
        );
        assert_eq!(
            eval("path_contains: ${HOME}/.cargo/bin", &world).status,
            Status::Pass
        );
        assert_eq!(
            eval("path_contains: ${NOPE}/bin", &world).status,
            Status::Error
        );
    }

    #[test]
    fn path_contains_pins_messages() {
        let world = FakeWorld::default()
            .on(OsFamily::Linux)
            .var("PATH", "/usr/local/bin/:/usr/bin");
        let o = eval("path_contains: /usr/bin", &world);
        pass(&o);
        assert_eq!(o.message, "PATH contains /usr/bin (entry 2)");
        assert_eq!(o.expected, "PATH contains /usr/bin");
        assert_eq!(o.actual, "entry 2 of PATH");

        let o = eval("path_contains: /opt/bin", &world);
        fail(&o);
        assert_eq!(o.message, "PATH does not contain /opt/bin");
        assert_eq!(o.actual, "PATH=/usr/local/bin/:/usr/bin");
    }

    #[test]
    fn path_contains_without_path() {
        let o = eval("path_contains: /usr/bin", &FakeWorld::default());
        fail(&o);
        assert_eq!(o.message, "PATH is not set");
        assert_eq!(o.actual, "PATH not set");
    }

    #[test]
    fn path_contains_root_is_not_an_empty_entry() {
        // An empty entry means the current directory, not `/`.
        let linux = FakeWorld::default().on(OsFamily::Linux);
        let world = linux.var("PATH", "/usr/bin::/bin");
        fail(&eval("path_contains: /", &world));
        let world = FakeWorld::default()
            .on(OsFamily::Linux)
            .var("PATH", "/usr/bin:/");
        pass(&eval("path_contains: /", &world));
    }

    #[test]
    fn path_contains_on_windows_ignores_case_slashes_and_quotes() {
        let world = windows().var(
            "Path",
            r#"C:\Windows\system32;"C:\Program Files\Git\cmd";c:/tools/"#,
        );
        let o = eval(r"path_contains: C:\Tools", &world);
        pass(&o);
        assert_eq!(o.message, r"PATH contains C:\Tools (entry 3)");
        pass(&eval(r"path_contains: c:\program files\git\CMD\", &world));
        pass(&eval("path_contains: C:/Windows/System32", &world));
        fail(&eval(r"path_contains: C:\Windows", &world));
        // On Linux `:` splits and case counts.
        let linux = FakeWorld::default()
            .on(OsFamily::Linux)
            .var("PATH", "/opt/Tools:/usr/bin");
        fail(&eval("path_contains: /opt/tools", &linux));
        pass(&eval("path_contains: /opt/Tools/", &linux));
    }
}

//! Environment variables and PATH entries.

use super::Outcome;
use crate::spec::{EnvCheck, OsFamily, PathContainsCheck};
use crate::world::World;

/// Values of variables whose names say they are secret are never shown.
fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    // `PASS` covers PASSWORD, PASSWD, PASSPHRASE and the common `DB_PASS`;
    // `CRED` covers CREDENTIALS and CREDS.
    ["TOKEN", "SECRET", "PASS", "KEY", "CRED", "AUTH"]
        .iter()
        .any(|word| upper.contains(word))
}

fn shown_value(name: &str, value: &str) -> String {
    if looks_secret(name) {
        format!("<hidden: {} characters>", value.chars().count())
    } else if value.chars().count() > 300 {
        format!("\"{}…\"", value.chars().take(300).collect::<String>())
    } else {
        format!("\"{value}\"")
    }
}

pub fn env(check: &EnvCheck, world: &dyn World) -> Outcome {
    let name = &check.env;
    let value = world.var(name).map(|v| v.to_string_lossy().into_owned());
    let must_be_set = check.set.unwrap_or(true);
    let mut expected = if must_be_set {
        format!("${name} set")
    } else {
        format!("${name} not set")
    };
    if let Some(equals) = &check.equals {
        expected = format!("${name} = {}", shown_value(name, equals));
    }
    if let Some(pattern) = &check.matches {
        expected.push_str(&format!(", matching `{}`", pattern.as_str()));
    }
    let Some(value) = value else {
        return Outcome::verdict(!must_be_set, format!("${name} is not set"))
            .expected(expected)
            .actual("not set");
    };
    let shown = shown_value(name, &value);
    if !must_be_set {
        return Outcome::fail(format!("${name} is set to {shown}"))
            .expected(expected)
            .actual(shown);
    }
    if let Some(equals) = &check.equals {
        if &value != equals {
            return Outcome::fail(format!(
                "${name} is {shown}, not {}",
                shown_value(name, equals)
            ))
            .expected(expected)
            .actual(shown);
        }
    }
    if let Some(pattern) = &check.matches {
        if !pattern.0.is_match(&value) {
            return Outcome::fail(format!(
                "${name} is {shown}, which does not match `{}`",
                pattern.as_str()
            ))
            .expected(expected)
            .actual(shown);
        }
    }
    Outcome::pass(format!("${name} is {shown}"))
        .expected(expected)
        .actual(shown)
}

pub fn path_contains(check: &PathContainsCheck, world: &dyn World) -> Outcome {
    let wanted = &check.path_contains;
    let expected = format!("PATH contains {wanted}");
    let Some(path) = world.var("PATH") else {
        return Outcome::fail("PATH is not set")
            .expected(expected)
            .actual("PATH not set");
    };
    let wanted_dir = match super::file::expand_path(wanted, world) {
        Ok(dir) => dir,
        Err(why) => return Outcome::error(why).expected(expected),
    };
    let windows = world.os_family() == OsFamily::Windows;
    let shown = path.to_string_lossy().into_owned();
    let wanted_dir = wanted_dir.to_string_lossy();
    let position = path_entries(&shown, windows)
        .iter()
        .position(|entry| same_dir(entry, &wanted_dir, windows));
    match position {
        Some(i) => Outcome::pass(format!("PATH contains {wanted} (entry {})", i + 1))
            .expected(expected)
            .actual(format!("entry {} of PATH", i + 1)),
        None => Outcome::fail(format!("PATH does not contain {wanted}"))
            .expected(expected)
            .actual(format!("PATH={shown}")),
    }
}

/// PATH's entries as the OS splits them: on `:` on Unix; on Windows on
/// `;`, where an entry may be quoted (`"C:\a;b"`) and the quotes are not
/// part of it.
fn path_entries(path: &str, windows: bool) -> Vec<String> {
    if !windows {
        return path.split(':').map(str::to_string).collect();
    }
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
    fn norm(text: &str, windows: bool) -> String {
        let mut text = text.to_string();
        if windows {
            text = text.replace('/', "\\").to_lowercase();
        }
        let trimmed = text.trim_end_matches(['/', '\\']);
        // `/` stays `/`: trimmed to nothing it would equal an empty entry.
        if trimmed.is_empty() {
            text.chars().take(1).collect()
        } else {
            trimmed.to_string()
        }
    }
    norm(a, windows) == norm(b, windows)
}

//! Environment variables and PATH entries.

use std::path::{Path, PathBuf};

use super::Outcome;
use crate::spec::{EnvCheck, PathContainsCheck};
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
    let position = std::env::split_paths(&path).position(|entry| same_dir(&entry, &wanted_dir));
    let shown = path.to_string_lossy().into_owned();
    match position {
        Some(i) => Outcome::pass(format!("PATH contains {wanted} (entry {})", i + 1))
            .expected(expected)
            .actual(format!("entry {} of PATH", i + 1)),
        None => Outcome::fail(format!("PATH does not contain {wanted}"))
            .expected(expected)
            .actual(format!("PATH={shown}")),
    }
}

/// `/usr/local/bin/` and `/usr/local/bin` are the same entry; on Windows
/// case and slash direction do not matter either.
fn same_dir(a: &Path, b: &Path) -> bool {
    fn norm(p: &Path) -> PathBuf {
        let text = p.to_string_lossy();
        let trimmed = text.trim_end_matches(['/', '\\']);
        // `/` stays `/`: trimmed to nothing it would equal an empty entry.
        let mut text = if trimmed.is_empty() {
            text.chars().take(1).collect()
        } else {
            trimmed.to_string()
        };
        if cfg!(windows) {
            text = text.replace('/', "\\").to_lowercase();
        }
        PathBuf::from(text)
    }
    norm(a) == norm(b)
}

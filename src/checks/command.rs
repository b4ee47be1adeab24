//! Commands on PATH, absent from PATH, and their versions.

use std::ffi::OsString;
use std::time::Duration;

use super::{excerpt, shell_words, timed_out, Outcome};
use crate::spec::{AbsentCheck, CommandCheck};
use crate::version::Version;
use crate::world::{Captured, Lookup, RunOutcome, RunRequest, World};

pub fn command(check: &CommandCheck, world: &dyn World, timeout: Duration) -> Outcome {
    let name = &check.command;
    let wanted = wanted(check);
    let path = match world.lookup(name) {
        Lookup::Found(path) => path,
        Lookup::Missing => {
            let outcome = Outcome::fail(format!("`{name}` is not on PATH"))
                .expected(wanted)
                .actual("not found on PATH");
            // Where it looked: the PATH a person would compare with theirs.
            return match searched_path(world) {
                Some(path) => outcome.at(path),
                None => outcome.at("PATH is not set"),
            };
        }
        Lookup::NotExecutable(path) => {
            return Outcome::fail(format!(
                "`{name}` is found but does not run: {} is not executable",
                path.display()
            ))
            .expected(wanted)
            .actual("found, not executable")
            .at(path.display().to_string());
        }
    };
    let shown = path.display().to_string();
    if !check.runs() {
        return Outcome::pass(format!("`{name}` is {shown}"))
            .expected(wanted)
            .actual(shown.clone())
            .at(shown);
    }

    let args: Vec<String> = check
        .args
        .clone()
        .unwrap_or_else(|| vec!["--version".to_string()]);
    let typed = shell_words(&[std::slice::from_ref(name), args.as_slice()].concat());
    let request = RunRequest {
        program: path.clone(),
        args: args.iter().map(OsString::from).collect(),
        verbatim: false,
        timeout,
    };
    let (stdout, stderr) = match world.run(&request) {
        RunOutcome::FailedToStart(why) => {
            return Outcome::fail(format!("`{name}` is found but does not run: {why}"))
                .expected(wanted)
                .actual("found, does not run")
                .at(shown);
        }
        RunOutcome::TimedOut {
            after,
            stdout,
            stderr,
        } => {
            return timed_out(&typed, after)
                .expected(wanted)
                .actual("no answer (timed out)")
                .at(shown)
                .output(Some(first_lines(&stdout, &stderr)));
        }
        RunOutcome::Exited {
            code,
            stdout,
            stderr,
        } if code != Some(0) => {
            let how = code.map_or("was killed by a signal".to_string(), |c| {
                format!("exited with {c}")
            });
            // 126/127 is how shells and shims (pyenv, asdf) say "cannot run
            // this"; 9009 is cmd.exe's "is not recognized as an internal or
            // external command" (a .cmd wrapper whose program is gone, or
            // Windows' app execution alias for a Python from the Store).
            let message = if matches!(code, Some(126 | 127 | 9009)) {
                format!("`{name}` is found but does not run: `{typed}` {how}")
            } else {
                format!("`{typed}` {how}")
            };
            return Outcome::fail(message)
                .expected(wanted)
                .actual(format!("found, `{typed}` {how}"))
                .at(shown)
                .output(Some(first_lines(&stdout, &stderr)));
        }
        RunOutcome::Exited { stdout, stderr, .. } => (stdout, stderr),
    };

    let raw = first_lines(&stdout, &stderr);
    if check.version.is_none() && check.version_matches.is_none() {
        return Outcome::pass(format!("`{typed}` ran"))
            .expected(wanted)
            .actual(format!("{shown}, exit 0"))
            .at(shown)
            .output(Some(raw));
    }
    let Some(version) = find_version(check, &stdout, &stderr) else {
        let how = match &check.version_regex {
            Some(re) => format!("nothing matched `{}`", re.as_str()),
            None => "no version-like text".to_string(),
        };
        return Outcome::fail(format!(
            "no version found in the output of `{typed}`: {how}"
        ))
        .expected(wanted)
        .actual("no version in the output")
        .at(shown)
        .output(Some(raw));
    };

    let in_range = check.version.as_ref().is_none_or(|r| r.matches(&version));
    let matched = check
        .version_matches
        .as_ref()
        .is_none_or(|p| p.0.is_match(&version.text));
    let message = match (&check.version, in_range, matched) {
        (_, true, true) => format!("{name} {version}"),
        (Some(range), false, _) => format!("{name} {version} is not in {range}"),
        _ => format!(
            "{name} {version} does not match `{}`",
            check.version_matches.as_ref().map_or("", |p| p.as_str())
        ),
    };
    Outcome::verdict(in_range && matched, message)
        .expected(wanted)
        .actual(version.text.clone())
        .at(shown)
        .output(Some(raw))
}

pub fn absent(check: &AbsentCheck, world: &dyn World) -> Outcome {
    let name = &check.absent;
    let expected = format!("`{name}` not on PATH");
    match world.lookup(name) {
        Lookup::Missing => Outcome::pass(format!("`{name}` is not on PATH"))
            .expected(expected)
            .actual("not found"),
        // A file of that name that nobody may run cannot be picked up by a build.
        Lookup::NotExecutable(path) => Outcome::pass(format!(
            "`{name}` is not on PATH (a file of that name at {} is not executable)",
            path.display()
        ))
        .expected(expected)
        .actual("not found (only a non-executable file)")
        .at(path.display().to_string()),
        Lookup::Found(path) => {
            let shown = path.display().to_string();
            Outcome::fail(format!("`{name}` is on PATH at {shown}"))
                .expected(expected)
                .actual(format!("found at {shown}"))
                .at(shown)
        }
    }
}

fn wanted(check: &CommandCheck) -> String {
    let mut text = format!("`{}` on PATH", check.command);
    if let Some(range) = &check.version {
        text.push_str(&format!(", version {range}"));
    }
    if let Some(pattern) = &check.version_matches {
        text.push_str(&format!(", version matching `{}`", pattern.as_str()));
    }
    if check.version.is_none() && check.version_matches.is_none() && check.runs() {
        text.push_str(", runs and exits 0");
    }
    text
}

fn find_version(check: &CommandCheck, stdout: &Captured, stderr: &Captured) -> Option<Version> {
    let streams = [stdout.text(), stderr.text()];
    match &check.version_regex {
        // Both streams as one text: a dotted version on stderr beats a bare
        // number (a copyright year) on stdout.
        None => Version::extract(&streams.join("\n")),
        Some(re) => streams.iter().find_map(|s| {
            let caps = re.0.captures(s)?;
            let found = caps.get(1).or_else(|| caps.get(0))?;
            Version::parse(found.as_str())
        }),
    }
}

/// The first lines of stdout, else of stderr: what a person would see.
fn first_lines(stdout: &Captured, stderr: &Captured) -> String {
    let out = excerpt(&stdout.text(), 3);
    if out.is_empty() {
        excerpt(&stderr.text(), 3)
    } else {
        out
    }
}

fn searched_path(world: &dyn World) -> Option<String> {
    world
        .var("PATH")
        .map(|p| format!("PATH={}", p.to_string_lossy()))
}

//! Finding a program on PATH and running it: the sequence `command` and
//! `run` share, with the wording each needs. `command` asks whether a tool
//! is here and works ("`lua` is found but does not run"); `run` whether a
//! command line runs ("cannot run `luarocks list`").

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::time::Duration;

use super::Outcome;
use crate::quantity::format_duration;
use crate::quantity::format_size;
use crate::redact::Redactor;
use crate::text::excerpt;
use crate::world::{Captured, Lookup, RunOutcome, RunRequest, Watch, World};

/// Who is asking, for the wording of what went wrong.
#[derive(Debug, Clone, Copy)]
pub(super) enum Role<'a> {
    /// A `command` check: the tool's name as written.
    Tool(&'a str),
    /// A `run` check: the command line as typed, and its program.
    Line { typed: &'a str, program: &'a str },
}

impl Role<'_> {
    /// The output a report shows: for a tool, what a person sees first;
    /// for a command line, both streams. Secrets are hidden before the
    /// excerpt is cut.
    pub(super) fn output(
        &self,
        stdout: &Captured,
        stderr: &Captured,
        secrets: &Redactor,
    ) -> String {
        let (out, err) = (stdout.text(), stderr.text());
        let (out, err) = (secrets.redact(&out), secrets.redact(&err));
        let mut shown = match self {
            Role::Tool(_) => first_lines(&out, &err),
            Role::Line { .. } => both(&out, &err),
        };
        for (name, captured) in [("stdout", stdout), ("stderr", stderr)] {
            if let Some(note) = cut_note(name, captured) {
                shown.push_str(&format!("\n({note})"));
            }
        }
        shown
    }
}

/// `stdout cut at 1 MiB of 10 MiB`, for a stream longer than what is kept;
/// versions and patterns were still looked for in all of it.
pub(super) fn cut_note(name: &str, captured: &Captured) -> Option<String> {
    captured.truncated().then(|| {
        format!(
            "{name} cut at {} of {}; the rest was read for versions and patterns{}",
            format_size(captured.bytes.len() as u64),
            format_size(captured.total),
            if captured.unscanned {
                ", until the check's time ran out"
            } else if captured.incomplete {
                ", until the command ended (a process it left behind still holds the stream open)"
            } else {
                ""
            }
        )
    })
}

/// A program that ran to its exit, whatever the code.
#[derive(Debug)]
pub(super) struct Ran {
    /// None when a signal ended it.
    pub code: Option<i32>,
    pub stdout: Captured,
    pub stderr: Captured,
}

/// Resolves `program` (as expanded; the role names it as written) on
/// PATH, or as a path when it has a separator; otherwise the outcome that
/// ends the check. The outcome is boxed: it is large, and the usual answer
/// is a path.
pub(super) fn look_up(
    world: &dyn World,
    role: Role,
    program: &OsStr,
    expected: &str,
) -> Result<PathBuf, Box<Outcome>> {
    let shown_program = program.to_string_lossy();
    let is_path = shown_program.contains(['/', '\\']);
    match (world.lookup(program), role) {
        (Lookup::Found(path), _) => Ok(path),
        // A path is not looked for on PATH: it is there or it is not.
        (Lookup::Missing, role) if is_path => {
            let message = match role {
                Role::Tool(_) => format!("{shown_program} does not exist"),
                Role::Line { typed, .. } => {
                    format!("cannot run `{typed}`: {shown_program} does not exist")
                }
            };
            Err(Box::new(
                Outcome::fail(message)
                    .expected(expected)
                    .actual("does not exist")
                    .at(shown_program.into_owned()),
            ))
        }
        (Lookup::Missing, Role::Tool(name)) => {
            let outcome = Outcome::fail(format!("`{name}` is not on PATH"))
                .expected(expected)
                .actual("not found on PATH");
            // Where it looked: the PATH a person would compare with theirs.
            Err(Box::new(match world.var("PATH") {
                Some(path) => outcome.at(format!("PATH={}", path.to_string_lossy())),
                None => outcome.at("PATH is not set"),
            }))
        }
        (Lookup::Missing, Role::Line { typed, program }) => Err(Box::new(
            Outcome::fail(format!("cannot run `{typed}`: `{program}` is not on PATH"))
                .expected(expected)
                .actual(format!("`{program}` not found on PATH")),
        )),
        (Lookup::NotExecutable(path), role) => {
            let shown = path.display().to_string();
            let (message, actual) = match role {
                Role::Tool(name) => (
                    format!("`{name}` is found but does not run: {shown} is not executable"),
                    "found, not executable",
                ),
                Role::Line { typed, .. } => (
                    format!("cannot run `{typed}`: {shown} is not executable"),
                    "not executable",
                ),
            };
            Err(Box::new(
                Outcome::fail(message)
                    .expected(expected)
                    .actual(actual)
                    .at(shown),
            ))
        }
    }
}

/// What to start, once the program is found.
pub(super) struct Start<'a> {
    pub path: &'a PathBuf,
    pub args: Vec<OsString>,
    /// Windows: the arguments go on the command line as they are.
    pub verbatim: bool,
    pub timeout: Duration,
    /// The command as a person types it, for messages.
    pub typed: &'a str,
    /// What the check will look for in the output, past its cap too.
    pub watch: Vec<Watch>,
}

/// Runs the program: Ok when it ran to an exit; otherwise (it could not
/// start, or timed out) the outcome that ends the check.
pub(super) fn run(
    world: &dyn World,
    role: Role,
    start: Start,
    expected: &str,
    secrets: &Redactor,
) -> Result<Ran, Box<Outcome>> {
    let at = start.path.display().to_string();
    let request = RunRequest {
        program: start.path.clone(),
        args: start.args,
        verbatim: start.verbatim,
        timeout: start.timeout,
        watch: start.watch,
    };
    match world.run(&request) {
        RunOutcome::Exited {
            code,
            stdout,
            stderr,
        } => Ok(Ran {
            code,
            stdout,
            stderr,
        }),
        RunOutcome::FailedToStart(why) => {
            let (message, actual) = match role {
                Role::Tool(name) => (
                    format!("`{name}` is found but does not run: {why}"),
                    "found, does not run",
                ),
                Role::Line { typed, .. } => {
                    (format!("`{typed}` does not run: {why}"), "does not run")
                }
            };
            Err(Box::new(
                Outcome::fail(message)
                    .expected(expected)
                    .actual(actual)
                    .at(at),
            ))
        }
        RunOutcome::TimedOut {
            after,
            stdout,
            stderr,
        } => Err(Box::new(
            Outcome::fail(format!(
                "`{}` timed out after {}; it and its child processes were killed",
                start.typed,
                format_duration(after)
            ))
            .expected(expected)
            .actual(match role {
                Role::Tool(_) => "no answer (timed out)",
                Role::Line { .. } => "timed out",
            })
            .at(at)
            .output(Some(role.output(&stdout, &stderr, secrets))),
        )),
    }
}

/// The first lines of stdout, else of stderr: what a person would see.
fn first_lines(stdout: &str, stderr: &str) -> String {
    let out = excerpt(stdout, 3);
    if out.is_empty() {
        excerpt(stderr, 3)
    } else {
        out
    }
}

/// The first lines of both streams, stdout first.
fn both(stdout: &str, stderr: &str) -> String {
    let out = excerpt(stdout, 5);
    let err = excerpt(stderr, 5);
    match (out.is_empty(), err.is_empty()) {
        (_, true) => out,
        (true, false) => err,
        (false, false) => format!("{out}\n{err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cut_note_says_how_much_of_the_rest_was_read() {
        let mut captured = Captured {
            bytes: vec![b'x'; 1 << 20],
            total: 3 << 20,
            ..Captured::default()
        };
        let note = |c: &Captured| cut_note("stdout", c).expect("cut");
        assert_eq!(
            note(&captured),
            "stdout cut at 1.0 MiB of 3.0 MiB; the rest was read for versions and patterns"
        );
        captured.incomplete = true;
        assert!(note(&captured).ends_with(
            "until the command ended (a process it left behind still holds the stream open)"
        ));
        captured.unscanned = true;
        assert!(note(&captured).ends_with("until the check's time ran out"));
        captured.total = 1 << 20;
        assert_eq!(cut_note("stdout", &captured), None);
    }
}

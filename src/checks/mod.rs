//! Evaluating one check against the world: a plain function of the check
//! and a [`World`], one file per family of checks.

use std::time::{Duration, Instant};

use crate::spec::{Check, CheckKind};
use crate::world::World;

mod command;
mod env;
mod file;
mod run;
mod system;

#[cfg(test)]
mod tests;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    /// The check could not be evaluated (e.g. a `${VAR}` in its path is
    /// unset). Counts as a failure for the exit code.
    Error,
    /// Not for this OS (the check's `os` filter).
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skipped => "skipped",
        }
    }

    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }
}

/// What a check found.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    /// One line a person reads first: what happened.
    pub message: String,
    pub expected: String,
    pub actual: String,
    /// Where: the resolved path, the file, the address.
    pub location: Option<String>,
    /// An excerpt of the command's own output, as printed.
    pub output: Option<String>,
    pub duration: Duration,
}

impl Outcome {
    pub fn new(status: Status, message: impl Into<String>) -> Outcome {
        Outcome {
            status,
            message: message.into(),
            expected: String::new(),
            actual: String::new(),
            location: None,
            output: None,
            duration: Duration::ZERO,
        }
    }

    pub fn pass(message: impl Into<String>) -> Outcome {
        Outcome::new(Status::Pass, message)
    }

    pub fn fail(message: impl Into<String>) -> Outcome {
        Outcome::new(Status::Fail, message)
    }

    pub fn error(message: impl Into<String>) -> Outcome {
        Outcome::new(Status::Error, message)
    }

    pub fn expected(mut self, text: impl Into<String>) -> Outcome {
        self.expected = text.into();
        self
    }

    pub fn actual(mut self, text: impl Into<String>) -> Outcome {
        self.actual = text.into();
        self
    }

    pub fn at(mut self, location: impl Into<String>) -> Outcome {
        self.location = Some(location.into());
        self
    }

    pub fn output(mut self, output: Option<String>) -> Outcome {
        self.output = output.filter(|o| !o.trim().is_empty());
        self
    }

    /// Pass when `ok`, else fail, with the same message.
    pub fn verdict(ok: bool, message: impl Into<String>) -> Outcome {
        Outcome::new(if ok { Status::Pass } else { Status::Fail }, message)
    }
}

/// What every check evaluation may need besides the world.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Timeout for a spawned command when the check sets none.
    pub default_timeout: Duration,
    /// When the whole run must be over.
    pub deadline: Instant,
}

impl Budget {
    /// The time this check may take: its own timeout, cut to what the run has left.
    pub fn for_check(&self, check: &Check) -> Duration {
        let own = check.common.timeout.map_or(self.default_timeout, |t| t.0);
        own.min(self.deadline.saturating_duration_since(Instant::now()))
    }
}

pub fn evaluate(check: &Check, world: &dyn World, budget: &Budget) -> Outcome {
    if let Some(only) = &check.common.os {
        let here = world.os_family();
        if !only.0.contains(&here) {
            let list: Vec<String> = only.0.iter().map(ToString::to_string).collect();
            return Outcome::new(
                Status::Skipped,
                format!("only checked on {}; this is {here}", list.join(", ")),
            );
        }
    }
    let timeout = budget.for_check(check);
    match &check.kind {
        CheckKind::Command(c) => command::command(c, world, timeout),
        CheckKind::Absent(c) => command::absent(c, world),
        CheckKind::PathContains(c) => env::path_contains(c, world),
        CheckKind::Run(c) => run::run(c, world, timeout),
        CheckKind::Env(c) => env::env(c, world),
        CheckKind::File(c) => file::file(c, world),
        CheckKind::Platform(c) => system::platform(c, world),
        CheckKind::Arch(c) => system::arch(c, world),
        CheckKind::Cpus(c) => system::cpus(c, world),
        CheckKind::Memory(c) => system::memory(c, world),
        CheckKind::Disk(c) => system::disk(c, world),
        CheckKind::Process(c) => system::process(c, world),
        CheckKind::Tcp(c) => system::tcp(c, world, timeout),
    }
}

/// A spawned command that outlived its timeout (it and its children were killed).
pub fn timed_out(typed: &str, after: std::time::Duration) -> Outcome {
    Outcome::fail(format!(
        "`{typed}` timed out after {}; it and its child processes were killed",
        crate::quantity::format_duration(after)
    ))
}

/// The first few lines of some output, for a report.
pub fn excerpt(text: &str, max_lines: usize) -> String {
    const MAX_CHARS: usize = 2000;
    let mut out: String = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(max_lines)
        .collect::<Vec<_>>()
        .join("\n");
    if out.chars().count() > MAX_CHARS {
        out = out.chars().take(MAX_CHARS).collect::<String>() + "…";
    }
    out
}

/// Shows an argument list as one would type it.
pub fn shell_words<S: AsRef<str>>(args: &[S]) -> String {
    args.iter()
        .map(|a| {
            let a = a.as_ref();
            if a.is_empty()
                || a.contains(|c: char| c.is_whitespace() || "'\"$`\\|&;<>()*?".contains(c))
            {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

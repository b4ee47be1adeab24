//! What a check found.

use std::time::Duration;

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
    /// Where in the output what was found came from: `line 1 of stdout:
    /// "gcc (Debian 12.2.0-14) 12.2.0"`.
    pub found_in: Option<String>,
    /// Where: the resolved path, the file, the address.
    pub location: Option<String>,
    /// An excerpt of the command's own output, as printed.
    pub output: Option<String>,
    pub duration: Duration,
    /// How many times the check ran: more than 1 when `--retry-timeout`
    /// ran it again after it failed.
    pub attempts: u32,
}

impl Outcome {
    /// For the reports, when the check ran more than once: `passed on
    /// attempt 3`, `failed 3 attempts`.
    pub fn attempts_note(&self) -> Option<String> {
        (self.attempts > 1).then(|| match self.status {
            Status::Pass => format!("passed on attempt {}", self.attempts),
            _ => format!("{} attempts", self.attempts),
        })
    }

    /// The message with the attempts, as the reports show it.
    pub fn message_with_attempts(&self) -> String {
        match self.attempts_note() {
            Some(note) => format!("{} ({note})", self.message),
            None => self.message.clone(),
        }
    }

    pub fn new(status: Status, message: impl Into<String>) -> Outcome {
        Outcome {
            status,
            message: message.into(),
            expected: String::new(),
            actual: String::new(),
            found_in: None,
            location: None,
            output: None,
            duration: Duration::ZERO,
            attempts: 1,
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

    pub fn found_in(mut self, place: impl Into<String>) -> Outcome {
        self.found_in = Some(place.into());
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

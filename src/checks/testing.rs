//! What every kind's tests use: a check read from YAML as a spec file
//! holds it, evaluated against a fake machine.

use std::time::{Duration, Instant};

use super::Check;
use super::{evaluate, Budget, Outcome, Status};
use crate::catalog;
use crate::redact::Redactor;
use crate::spec::OsFamily;
use crate::world::fake::{captured, FakeWorld};
use crate::world::{RunOutcome, RunRequest};

/// Reads one check from YAML text, as a spec file would hold it.
pub fn check(yaml: &str) -> Check {
    let indented: String = yaml.lines().map(|l| format!("    {l}\n")).collect();
    let text = format!("checks:\n  -\n{indented}");
    let catalog =
        catalog::load_str("t", &text).unwrap_or_else(|e| panic!("{}", crate::spec::SpecErrors(e)));
    catalog.resources[0].checks[0].as_ref().clone()
}

pub fn budget() -> Budget {
    Budget {
        default_timeout: Duration::from_secs(10),
        deadline: Instant::now() + Duration::from_secs(60),
    }
}

/// Evaluates a check with the secrets of `world`'s variables hidden, as a
/// run hides them.
pub fn eval(yaml: &str, world: &FakeWorld) -> Outcome {
    let mut secrets = Redactor::default();
    secrets.learn(crate::world::World::vars(world));
    evaluate(&check(yaml), world, &budget(), &secrets)
}

pub fn fail(o: &Outcome) -> &Outcome {
    assert_eq!(o.status, Status::Fail, "{o:#?}");
    o
}

pub fn pass(o: &Outcome) -> &Outcome {
    assert_eq!(o.status, Status::Pass, "{o:#?}");
    o
}

pub fn error(o: &Outcome) -> &Outcome {
    assert_eq!(o.status, Status::Error, "{o:#?}");
    o
}

pub fn timed_out(after_ms: u64, stdout: &str, stderr: &str) -> RunOutcome {
    RunOutcome::TimedOut {
        after: Duration::from_millis(after_ms),
        stdout: captured(stdout),
        stderr: captured(stderr),
    }
}

pub fn killed(stdout: &str, stderr: &str) -> RunOutcome {
    RunOutcome::Exited {
        code: None,
        stdout: captured(stdout),
        stderr: captured(stderr),
    }
}

/// A request's arguments as text.
pub fn args(request: &RunRequest) -> Vec<String> {
    request
        .args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// An OS family that is not the one the tests run on.
pub fn other_os() -> OsFamily {
    if OsFamily::current() == OsFamily::Windows {
        OsFamily::Linux
    } else {
        OsFamily::Windows
    }
}

/// A fake Windows 10, on any machine.
pub fn windows() -> FakeWorld {
    FakeWorld::default().on(OsFamily::Windows).os(
        &["windows"],
        Some("10 (19045)"),
        Some("Windows 10 Pro"),
    )
}

pub const GIB: u64 = 1 << 30;

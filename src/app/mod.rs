//! The application: what `probe` does with its arguments, over a [`World`]
//! (the real machine, or a fake one in tests), writing through an
//! [`Output`]. `main.rs` builds the real world and calls [`main`]; each
//! subcommand's orchestration lives in a file of its own here: `run` (the
//! checks, flags resolved once into a plan), `fleet`, `author` (`add`,
//! `snapshot`), `info` (`lint`, `list`, `schema`, `pipeline`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cli::{Cli, Command};
use crate::output::Output;
use crate::redact::{Markup, Redactor};
use crate::report::{destination, Format};
use crate::world::World;

mod author;
mod fleet;
mod info;
mod run;
#[cfg(test)]
mod tests;

/// How a run ended: the process's exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every check passed (or nothing was to be checked: `--help`, `lint`).
    Passed,
    /// A check failed or could not be checked, or the fleet has a failure.
    Failed,
    /// Bad usage, bad specs, a report that could not be written.
    Usage,
    /// Ended by signal N.
    Interrupted(i32),
}

impl Exit {
    /// 0, 1, 2, or the shell's 128+N for a signal.
    pub fn code(self) -> u8 {
        match self {
            Exit::Passed => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::Interrupted(signal) => 128u8.saturating_add(u8::try_from(signal).unwrap_or(0)),
        }
    }

    /// Passed unless `failed`.
    fn verdict(failed: bool) -> Exit {
        if failed {
            Exit::Failed
        } else {
            Exit::Passed
        }
    }
}

/// A run that could not start (bad usage or bad specs), and what to say.
#[derive(Debug)]
pub(crate) struct Usage(pub String);

impl Usage {
    fn error(message: impl std::fmt::Display) -> Usage {
        Usage(format!("error: {message}"))
    }
}

/// Runs `probe` with `args` (the program's name first) on `world`.
pub fn main(world: Arc<dyn World>, args: Vec<OsString>) -> Exit {
    let (out, exit) = start(world, args, Output::new);
    drop(out);
    exit
}

/// As [`main`], with the output made by `output` from the run's secrets.
fn start(
    world: Arc<dyn World>,
    args: Vec<OsString>,
    output: impl FnOnce(Redactor) -> Output,
) -> (Output, Exit) {
    // Until the flags are parsed, the secrets are those the name rule,
    // PROBE_REDACT and any `--redact NAME` among the arguments find, so
    // that a usage error quoting a value hides it too.
    let mut names: Vec<String> = world
        .var("PROBE_REDACT")
        .map(|v| v.to_string_lossy().split(',').map(String::from).collect())
        .unwrap_or_default();
    let text: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    for (i, arg) in text.iter().enumerate() {
        if let Some(name) = arg.strip_prefix("--redact=") {
            names.push(name.to_string());
        } else if arg == "--redact" {
            names.extend(text.get(i + 1).cloned());
        }
    }
    let mut secrets = Redactor::new(&names);
    secrets.learn(world.vars());
    let mut out = output(secrets);
    let cli = match Cli::parse_from(args) {
        Ok(cli) => cli,
        Err(stop) => {
            if stop.to_stdout {
                out.print(stop.text.as_bytes(), Markup::Plain);
            } else {
                out.eprint(stop.text.trim_end());
            }
            let exit = if stop.code == 0 {
                Exit::Passed
            } else {
                Exit::Usage
            };
            return (out, exit);
        }
    };
    out.secrets_mut()
        .add_names(cli.redact.iter().map(String::as_str));
    let exit = match dispatch(cli, world, &mut out) {
        Ok(exit) => exit,
        Err(Usage(message)) => {
            out.eprint(&message);
            Exit::Usage
        }
    };
    (out, exit)
}

fn dispatch(cli: Cli, world: Arc<dyn World>, out: &mut Output) -> Result<Exit, Usage> {
    match &cli.command {
        Some(Command::Schema) => info::schema(out),
        Some(Command::Fleet(args)) => {
            fleet::fleet(args, cli.probes.as_deref(), world.as_ref(), out)
        }
        Some(Command::Add(args)) => author::add(args, cli.probes.as_deref(), world.as_ref(), out),
        Some(Command::Snapshot(args)) => {
            author::snapshot(args, cli.probes.as_deref(), world.as_ref(), out)
        }
        Some(Command::Lint) => info::lint(cli.probes.as_deref(), out),
        Some(Command::List { format }) => info::list(cli.probes.as_deref(), format, out),
        Some(Command::Pipeline(args)) => info::pipeline(cli.probes.as_deref(), args, out),
        None => {
            let plan = run::Plan::new(&cli, world.as_ref(), out)?;
            run::execute(plan, world, out)
        }
    }
}

/// Two reports never go to one place, however their paths are spelt.
fn distinct_reports(reports: &[(Format, PathBuf)]) -> Result<(), Usage> {
    let places: Vec<_> = reports.iter().map(|(_, path)| destination(path)).collect();
    for (i, place) in places.iter().enumerate() {
        if let Some(earlier) = places[..i].iter().position(|p| p == place) {
            return Err(Usage::error(format!(
                "--report {} and --report {} write to the same file; give each its own",
                reports[earlier].1.display(),
                reports[i].1.display()
            )));
        }
    }
    Ok(())
}

/// Writes each `--report FORMAT=PATH` of a run; whether one failed (which
/// makes the exit status 2: in a GoCD job a missing artifact fails the
/// job anyway, and this says why).
fn write_reports(
    reports: &[(Format, PathBuf)],
    out: &Output,
    what: &str,
    mut render: impl FnMut(Format) -> Result<Vec<u8>, Usage>,
) -> Result<bool, Usage> {
    let mut failed = false;
    for (format, path) in reports {
        if let Err(e) = out.write_file(path, &render(*format)?, format.markup()) {
            out.eprint(&format!(
                "error: cannot write the {} {what} to {}: {e}",
                format.name(),
                path.display()
            ));
            failed = true;
        }
    }
    Ok(failed)
}

/// The specs' directory or file, as given or found (`--probes`,
/// PROBE_PATH, `./probes`).
fn spec_location(given: Option<&Path>) -> Result<PathBuf, Usage> {
    crate::cli::spec_location(given).map_err(Usage::error)
}

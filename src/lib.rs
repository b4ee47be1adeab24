//! `probe`: checks that a build agent provides what its GoCD resources
//! promise. The flow is cli → spec (load, validate) → selection → runner →
//! checks (over the World) → report; ARCHITECTURE.md is the map.
//!
//! The modules are private: the `probe` binary calls [`main`] (the
//! application, `app`) with the real machine, the integration tests
//! read YAML with [`yaml`], and the completions and man pages are generated
//! from [`command`]; so rustc reports whatever is no longer used.

mod app;
#[cfg(test)]
mod architecture;
mod author;
mod catalog;
mod checks;
mod cli;
mod fleet;
mod gocd;
mod http;
mod output;
mod quantity;
mod redact;
mod report;
mod runner;
mod selection;
mod spec;
mod text;
mod version;
mod world;

/// Signals that end a run early.
pub mod interrupt;

/// What the fuzz targets (fuzz/, docs/fuzzing.md) call: the parsers of
/// everything the probe reads that someone else wrote. Each must return
/// for any input, never panic, hang or take unbounded memory.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    use std::time::Duration;

    /// A spec file's text, read as `fuzz.yaml`: errors are fine, and they
    /// must render.
    pub fn spec(text: &str) {
        match crate::catalog::load_str("fuzz", text) {
            Ok(catalog) => {
                for resource in &catalog.resources {
                    for check in &resource.checks {
                        let _ = crate::report::check_name(check);
                        let _ = check.timeout(Duration::from_secs(1));
                    }
                }
            }
            Err(errors) => {
                let _ = crate::spec::SpecErrors(errors).to_string();
            }
        }
    }

    /// A tool's output, as `command` reads a version from it.
    pub fn version(text: &str) {
        let mut middle = text.len() / 2;
        while !text.is_char_boundary(middle) {
            middle -= 1;
        }
        let (out, err) = text.split_at(middle);
        let _ = crate::version::extract(&[("stdout", out), ("stderr", err)], &["tool"]);
        let _ = crate::version::Version::parse(text);
        let _ = crate::version::rejection(text);
    }

    /// A version range, and versions held against it.
    pub fn version_range(text: &str) {
        let (range, version) = text.split_once('\n').unwrap_or((text, "1.2.3"));
        if let Ok(req) = crate::version::VersionReq::parse(range) {
            let _ = req.to_string();
            if let Some(v) = crate::version::Version::parse(version) {
                let _ = req.matches(&v);
            }
        }
    }

    /// Sizes, counts and durations as specs write them.
    pub fn quantity(text: &str) {
        use crate::quantity::{parse_duration, parse_size, AmountReq, Unit};
        if let Ok(size) = parse_size(text) {
            let _ = crate::quantity::format_size(size);
        }
        if let Ok(d) = parse_duration(text) {
            let _ = crate::quantity::format_duration(d);
        }
        for unit in [Unit::Bytes, Unit::Count] {
            if let Ok(req) = AmountReq::parse(text, unit) {
                let _ = req.matches(u64::from(text.len() as u32));
            }
        }
    }

    /// A GoCD job's environment (GO_AGENT_RESOURCES and the rest), with
    /// the lines of `text` as the variables' values, and agent mode's choice
    /// among some specs.
    pub fn gocd_env(text: &str) {
        let mut lines = text.lines();
        let names = [
            "GO_AGENT_RESOURCES",
            "GO_JOB_NAME",
            "GO_PIPELINE_NAME",
            "GO_PIPELINE_COUNTER",
            "GO_STAGE_NAME",
            "GO_STAGE_COUNTER",
            "GO_ENVIRONMENT_NAME",
            "GO_SERVER_URL",
        ];
        let values: Vec<(&str, Option<String>)> = names
            .iter()
            .map(|n| (*n, lines.next().map(String::from)))
            .collect();
        let agent = crate::gocd::AgentContext::from_env(|name| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| v.clone())
        });
        let _ = agent.advertised();
        let _ = agent.job_line();
        if let Ok(catalog) = crate::catalog::load_str("lua", "checks:\n  - command: lua\n") {
            let _ = crate::gocd::select_for_agent(&catalog, &agent, true);
        }
    }
}

pub use app::{main, Exit};
pub use world::RealWorld;

/// The command line as clap sees it (the flags, subcommands and their
/// help), from which examples/completions writes the shell completions and
/// man pages: they say what `--help` says because they are made from it.
pub fn command() -> clap::Command {
    <cli::Cli as clap::CommandFactory>::command()
}

/// The probe's positioned YAML reader, which the integration tests use to
/// read the GoCD YAML the probe generates.
pub mod yaml {
    pub use crate::spec::yaml::{parse, Node, Value};
}

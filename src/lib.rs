//! `probe`: checks that a build agent provides what its GoCD resources
//! promise. The flow is cli → spec (load, validate) → selection → runner →
//! checks (over the World) → report; ARCHITECTURE.md is the map.
//!
//! The modules are private. What the `probe` binary and the integration
//! tests use is re-exported below, so that rustc reports the rest when it
//! is no longer used.

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

pub use checks::{evaluate, Budget};
pub use cli::{spec_location, Cli, Command, FleetArgs, PipelineArgs, RunArgs};
pub use fleet::gather::{gather as gather_fleet, Request as FleetRequest};
pub use fleet::render as fleet_report;
pub use fleet::{Fleet, FleetOptions};
pub use gocd::{generate_pipeline, select_for_agent, AgentContext};
pub use http::Auth;
pub use output::Output;
pub use redact::{Markup, Redactor};
pub use report::{
    list, render, rfc3339, CheckResult, Format, Host, HumanOptions, Notice, Report, ResourceEntry,
};
pub use runner::{run_checks, run_with_retries, Retry, RunLimits};
pub use selection::{select, suggestion, unselected_checks};
pub use spec::{load, Catalog, Check, SpecErrors};
pub use text::did_you_mean;
pub use world::{RealWorld, World};

/// The probe's positioned YAML reader, which the integration tests use to
/// read the GoCD YAML the probe generates.
pub mod yaml {
    pub use crate::spec::yaml::{parse, Node, Value};
}

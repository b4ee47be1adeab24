//! The subcommands that read the specs and run nothing: `lint`, `list`,
//! `schema` and `pipeline` (the GoCD YAML).

use std::path::Path;

use super::{spec_location, Exit, Usage};
use crate::catalog::{load, Catalog};
use crate::cli::PipelineArgs;
use crate::gocd::generate_pipeline;
use crate::output::Output;
use crate::redact::Markup;
use crate::report::list as render_list;
use crate::spec::SpecErrors;
use crate::text::counted;

const SCHEMA: &str = include_str!("../../docs/probe.schema.json");

/// The specs, or every problem in them.
fn catalog(
    probes: Option<&Path>,
    out: &mut Output,
) -> Result<(Catalog, std::path::PathBuf), Usage> {
    let location = spec_location(probes)?;
    let catalog = load(&location).map_err(|errors| Usage(SpecErrors(errors).to_string()))?;
    out.secrets_mut().add_names(catalog.redact_names());
    Ok((catalog, location))
}

pub(super) fn schema(out: &Output) -> Result<Exit, Usage> {
    out.print(SCHEMA.as_bytes(), Markup::Plain);
    Ok(Exit::Passed)
}

pub(super) fn lint(probes: Option<&Path>, out: &mut Output) -> Result<Exit, Usage> {
    let (catalog, location) = catalog(probes, out)?;
    let checks: usize = catalog.resources.iter().map(|r| r.checks.len()).sum();
    out.print_text(&format!(
        "ok: {}, {} in {}\n",
        counted(catalog.resources.len(), "resource"),
        counted(checks, "check"),
        location.display()
    ));
    Ok(Exit::Passed)
}

pub(super) fn list(probes: Option<&Path>, format: &str, out: &mut Output) -> Result<Exit, Usage> {
    let (catalog, _) = catalog(probes, out)?;
    out.print(&render_list(&catalog, format), Markup::Plain);
    Ok(Exit::Passed)
}

pub(super) fn pipeline(
    probes: Option<&Path>,
    args: &PipelineArgs,
    out: &mut Output,
) -> Result<Exit, Usage> {
    let (catalog, location) = catalog(probes, out)?;
    let text = if args.gate.is_empty() {
        generate_pipeline(&catalog, &args.options(&location), &args.command_line())
    } else {
        crate::gocd::pipeline::gate(&catalog, &args.gate, &args.command_line())
    }
    .map_err(Usage::error)?;
    match &args.output {
        Some(path) => out
            .write_file(path, text.as_bytes(), Markup::Plain)
            .map_err(|e| Usage::error(format!("cannot write {}: {e}", path.display())))?,
        None => out.print(text.as_bytes(), Markup::Plain),
    }
    Ok(Exit::Passed)
}

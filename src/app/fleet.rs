//! `probe fleet`: gathering the agents' reports (files, or GoCD) and
//! rendering one fleet report.

use std::path::Path;
use std::time::SystemTime;

use super::{distinct_reports, write_reports, Exit, Usage};
use crate::catalog::load;
use crate::cli::FleetArgs;
use crate::fleet::gather::{gather, Request};
use crate::fleet::render as fleet_report;
use crate::fleet::{spec_checks, Fleet, FleetOptions};
use crate::http::{base64, split_userinfo, Auth};
use crate::output::Output;
use crate::report::{rfc3339, Format};
use crate::spec::SpecErrors;
use crate::world::World;

/// `probe fleet`: many agents' reports in, one fleet report out.
pub(super) fn fleet(
    args: &FleetArgs,
    probes: Option<&Path>,
    world: &dyn World,
    out: &mut Output,
) -> Result<Exit, Usage> {
    distinct_reports(&args.reports)?;
    let var = |name: &str| {
        world
            .var(name)
            .map(|v| v.to_string_lossy().into_owned())
            .filter(|v| !v.is_empty())
    };
    // The specs are optional here: with them, advertised resources are
    // checked against them. Named with --probes, they must load.
    let catalog = match probes {
        Some(path) => Some(load(path).map_err(|errors| Usage(SpecErrors(errors).to_string()))?),
        None => crate::cli::spec_location(None)
            .ok()
            .and_then(|path| load(&path).ok()),
    };
    // Their `redact:` lists count for the fleet's reports too.
    if let Some(catalog) = &catalog {
        out.secrets_mut().add_names(catalog.redact_names());
    }
    let checks = catalog.as_ref().map(spec_checks);
    let specs = catalog.map(|catalog| catalog.names().into_iter().map(String::from).collect());
    let auth = match (
        var("GOCD_TOKEN"),
        var("GOCD_USERNAME"),
        var("GOCD_PASSWORD"),
    ) {
        (Some(token), _, _) => Auth::Bearer(token),
        (None, Some(user), Some(password)) => Auth::Basic { user, password },
        // Only one of the pair, for GoCD: said, rather than asking without.
        (None, Some(_), None) | (None, None, Some(_)) if args.sources.is_empty() => {
            return Err(Usage(
                "error: GOCD_USERNAME and GOCD_PASSWORD go together (or set GOCD_TOKEN, \
                 a personal access token, instead)"
                    .into(),
            ))
        }
        _ => Auth::None,
    };
    // Agents' reports are text someone else wrote: a value hidden where
    // it appears would confirm a guess written into a report. The fleet
    // hides only values too long to guess (docs/gocd.md, "What the fleet
    // trusts").
    out.secrets_mut().only_unguessable();
    let server = args.server.clone().or_else(|| var("GO_SERVER_URL"));
    // A login in --server's URL is a credential like GOCD_PASSWORD, in
    // every form it is sent.
    if let Some((_, Some((user, password)))) = server.as_deref().map(split_userinfo) {
        let login = format!("{user}:{password}");
        out.secrets_mut()
            .add_secret("--server's login", &base64(login.as_bytes()));
        out.secrets_mut().add_secret("--server's login", &login);
        out.secrets_mut()
            .add_secret("--server's password", &password);
    }
    let request = Request {
        files: args.sources.clone(),
        server,
        auth,
        pipelines: args.pipeline.clone(),
        counter: args.counter,
        stage: args.stage.clone(),
        artifact: args.artifact.clone(),
        agents: !args.no_agents,
        parallel: usize::from(args.jobs),
        timeout: args.timeout,
    };
    let mut gathered = gather(&request).map_err(|errors| {
        Usage(
            errors
                .iter()
                .map(|e| format!("error: {e}"))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    gathered.origin.at = rfc3339(SystemTime::now());
    let options = FleetOptions {
        fail_on_drift: args.fail_on_drift,
        strict: args.strict,
        specs,
        min_free_space: args.min_free,
        checks,
        running: gathered.running,
        with_jobs: gathered.with_jobs.iter().cloned().collect(),
    };
    let mut fleet = Fleet::build(gathered.sources, gathered.gocd_agents.as_deref(), &options);
    fleet.findings.splice(0..0, gathered.findings);
    let origin = gathered.origin;
    let render =
        |format: Format| -> Result<Vec<u8>, Usage> {
            Ok(match format {
                Format::Human => fleet_report::human(&fleet, &origin, args.all).into_bytes(),
                Format::Json => fleet_report::json(&fleet, &origin),
                Format::Junit => fleet_report::junit(&fleet, &origin).into_bytes(),
                Format::Html => fleet_report::html(&fleet, &origin).into_bytes(),
                Format::Prometheus => return Err(Usage(
                    "error: the fleet report has no prometheus format: write one on each agent \
                     (probe --agent --report prometheus=…) for node_exporter to collect"
                        .into(),
                )),
            })
        };
    let write_failed = write_reports(&args.reports, out, "fleet report", &render)?;
    out.print(&render(args.format)?, args.format.markup());
    Ok(if write_failed {
        Exit::Usage
    } else {
        Exit::verdict(!fleet.ok())
    })
}

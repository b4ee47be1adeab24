//! `probe fleet`: gathering the agents' reports (files, or GoCD) and
//! rendering one fleet report.

use std::path::Path;
use std::time::SystemTime;

use super::{distinct_reports, write_reports, Exit, Usage};
use crate::catalog::load;
use crate::cli::{FleetArgs, QuarantineMode};
use crate::fleet::gather::{gather, Request};
use crate::fleet::gocd::Gocd;
use crate::fleet::render::{self as fleet_report, TextOptions};
use crate::fleet::{history, quarantine, schedule, spec_checks, Finding, Fleet, FleetOptions};
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
    let specs: Option<Vec<String>> =
        catalog.map(|catalog| catalog.names().into_iter().map(String::from).collect());
    let spec_names = specs.clone().unwrap_or_default();
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
    let mut gathered = gather(&request).map_err(|errors| all_errors(&errors))?;
    let now = SystemTime::now();
    gathered.origin.at = rfc3339(now);
    let jobs = if args.jobs_from.is_empty() {
        None
    } else {
        Some(schedule::read(&args.jobs_from).map_err(|errors| all_errors(&errors))?)
    };
    let options = FleetOptions {
        fail_on_drift: args.fail_on_drift,
        strict: args.strict,
        specs,
        min_free_space: args.min_free,
        now: Some(now),
        stale_after: args.stale.as_secs().max(1),
        jobs,
        baseline: args.baseline.clone(),
        checks,
        running: gathered.running,
        with_jobs: gathered.with_jobs.iter().cloned().collect(),
    };
    let previous = previous(args, &request, world)?;
    let mut fleet = Fleet::build(gathered.sources, gathered.gocd_agents.as_deref(), &options);
    fleet.findings.splice(0..0, gathered.findings);
    if let Some(name) = &args.baseline {
        if fleet.baseline.is_none() {
            let names: Vec<&str> = fleet.agents.iter().map(|a| a.name.as_str()).collect();
            return Err(Usage(format!(
                "error: --baseline {name}: no such agent in the fleet{}",
                crate::text::did_you_mean(name, names.iter().copied())
            )));
        }
    }
    let previous = match previous {
        Previous::Read(previous) => {
            fleet.changes = Some(fleet.changes_since(&previous));
            Some(previous)
        }
        Previous::Missing(why) => {
            fleet.findings.push(Finding {
                failing: false,
                message: why,
            });
            None
        }
        Previous::None => None,
    };
    if let Some(plan) = quarantine(args, &request, &fleet, previous.as_ref(), &spec_names)? {
        for change in plan.failed() {
            fleet.findings.push(Finding {
                failing: true,
                message: format!(
                    "GoCD did not {}: {}",
                    change.action.describe(&change.agent),
                    change.state.why().unwrap_or_default()
                ),
            });
        }
        fleet.quarantine = Some(plan);
    }
    let origin = gathered.origin;
    let text = TextOptions {
        all: args.all,
        color: false,
        width: None,
    };
    let render = |format: Format, text: TextOptions| -> Vec<u8> {
        match format {
            Format::Human => fleet_report::human(&fleet, &origin, text).into_bytes(),
            Format::Json => fleet_report::json(&fleet, &origin),
            Format::Junit => fleet_report::junit(&fleet, &origin).into_bytes(),
            // The parser takes no other format for the fleet.
            Format::Html | Format::Prometheus => fleet_report::html(&fleet, &origin).into_bytes(),
        }
    };
    let write_failed = write_reports(&args.reports, out, "fleet report", |f| Ok(render(f, text)))?;
    let on_stdout = TextOptions {
        color: args.format == Format::Human && args.color.enabled(),
        width: out.terminal_width(),
        ..text
    };
    out.print(&render(args.format, on_stdout), args.format.markup());
    Ok(if write_failed {
        Exit::Usage
    } else {
        Exit::verdict(!fleet.ok())
    })
}

/// Every error, one `error:` line each.
fn all_errors(errors: &[String]) -> Usage {
    Usage(
        errors
            .iter()
            .map(|e| format!("error: {e}"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// `--quarantine`, `--add-resources` and `--schedule-checks`: the plan,
/// made with `--apply`.
fn quarantine(
    args: &FleetArgs,
    request: &Request,
    fleet: &Fleet,
    previous: Option<&history::Previous>,
    specs: &[String],
) -> Result<Option<quarantine::Plan>, Usage> {
    let wanted = args.quarantine.is_some() || args.add_resources || args.schedule_checks;
    if !wanted {
        if args.apply {
            return Err(Usage(
                "error: --apply makes the changes that --quarantine, --add-resources or \
                 --schedule-checks plan; give one of them"
                    .into(),
            ));
        }
        return Ok(None);
    }
    let Some(agents) = fleet.gocd_agents.as_deref() else {
        if request.server.is_some() && request.agents && request.files.is_empty() {
            // GoCD was asked and did not list its agents (the finding says
            // why): the page is still made, with the plan said to be
            // missing.
            return Ok(Some(quarantine::Plan {
                mode: None,
                apply: args.apply,
                changes: Vec::new(),
                missing: Some("no plan: GoCD's agents could not be read (see the findings)".into()),
            }));
        }
        return Err(Usage(
            "error: --quarantine, --add-resources and --schedule-checks work on GoCD's agents: \
             read the reports from GoCD (--server or GO_SERVER_URL, and --pipeline), without \
             --no-agents"
                .into(),
        ));
    };
    let options = quarantine::Options {
        mode: args.quarantine.map(|m| match m {
            QuarantineMode::Resource => quarantine::Mode::Resource,
            QuarantineMode::Disable => quarantine::Mode::Disable,
        }),
        max_share: args.max_quarantined,
        silent: args.quarantine_silent,
        add: args.add_resources,
        schedule: if args.schedule_checks {
            args.pipeline.clone()
        } else {
            Vec::new()
        },
        apply: args.apply,
        specs: specs.to_vec(),
    };
    let mut plan = quarantine::plan(fleet, agents, previous, &options);
    if args.apply {
        let Some(server) = &request.server else {
            return Err(Usage(
                "error: --apply needs the GoCD server (--server)".into(),
            ));
        };
        let gocd = Gocd::new(server, request.auth.clone(), request.timeout)
            .map_err(|e| Usage(format!("error: {e}")))?;
        quarantine::apply(
            &mut plan,
            |uuid, add, remove, state| gocd.update_agent(uuid, add, remove, state),
            |pipeline| gocd.schedule(pipeline),
        );
    }
    Ok(Some(plan))
}

/// The previous fleet report, to compare with.
enum Previous {
    Read(history::Previous),
    /// Looked for, not found: said as a warning.
    Missing(String),
    None,
}

/// `--previous FILE`; else, in a GoCD job that reads GoCD, the fleet JSON
/// the previous run of this very job published.
fn previous(args: &FleetArgs, request: &Request, world: &dyn World) -> Result<Previous, Usage> {
    match args.previous.as_deref() {
        Some("none") => Ok(Previous::None),
        Some(file) => {
            let bytes = read_limited(Path::new(file), history::PREVIOUS_LIMIT)
                .map_err(|e| Usage(format!("error: --previous {file}: {e}")))?;
            history::read_previous(&bytes)
                .map(Previous::Read)
                .map_err(|e| Usage(format!("error: --previous {file}: {e}")))
        }
        None => {
            let var = |name: &str| {
                world
                    .var(name)
                    .map(|v| v.to_string_lossy().into_owned())
                    .filter(|v| !v.is_empty())
            };
            let (Some(pipeline), Some(counter), Some(stage), Some(job)) = (
                var("GO_PIPELINE_NAME"),
                var("GO_PIPELINE_COUNTER").and_then(|c| c.parse::<u64>().ok()),
                var("GO_STAGE_NAME"),
                var("GO_JOB_NAME"),
            ) else {
                return Ok(Previous::None);
            };
            if request.server.is_none() {
                return Ok(Previous::None);
            }
            Ok(
                match previous_from_gocd(request, &pipeline, counter, &stage, &job) {
                    Ok(Some(previous)) => Previous::Read(previous),
                    Ok(None) => Previous::Missing(format!(
                        "no earlier run of {pipeline} (stage {stage}, job {job}) published \
                     {PREVIOUS_ARTIFACT}, so what changed is not shown (give --previous FILE, \
                     or --previous none)"
                    )),
                    Err(e) => Previous::Missing(format!(
                        "the previous fleet report could not be read, so what changed is not \
                     shown: {e}"
                    )),
                },
            )
        }
    }
}

/// Where the shipped fleet pipeline publishes its JSON.
const PREVIOUS_ARTIFACT: &str = "fleet/fleet.json";

/// How many runs back a previous fleet report is looked for.
const PREVIOUS_RUNS: u64 = 5;

fn previous_from_gocd(
    request: &Request,
    pipeline: &str,
    counter: u64,
    stage: &str,
    job: &str,
) -> Result<Option<history::Previous>, String> {
    let Some(server) = &request.server else {
        return Ok(None);
    };
    let gocd = Gocd::new(server, request.auth.clone(), request.timeout)?;
    for earlier in (counter.saturating_sub(PREVIOUS_RUNS)..counter)
        .rev()
        .filter(|c| *c > 0)
    {
        // A run that never reached the stage has nothing; the one before
        // may.
        let Ok(run) = gocd.run(pipeline, earlier, stage) else {
            continue;
        };
        if let Some(bytes) = gocd.artifact(&run, job, PREVIOUS_ARTIFACT)? {
            return history::read_previous(&bytes)
                .map(Some)
                .map_err(|e| format!("{} job {job}: {PREVIOUS_ARTIFACT}: {e}", run.describe()));
        }
    }
    Ok(None)
}

/// A file's bytes, at most `limit` of them.
fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > limit {
        return Err(format!("larger than {} MiB", limit >> 20));
    }
    Ok(bytes)
}

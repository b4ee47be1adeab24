//! Running the checks: the flags, the specs and the agent's environment
//! resolved once into a [`Plan`] (which checks, which notices, what limits,
//! which reports), then [`execute`]: run, retry, report, exit status.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use super::{distinct_reports, spec_location, write_reports, Exit, Usage};
use crate::catalog::{load, Catalog};
use crate::checks::{evaluate, Budget, Check, Outcome, Status};
use crate::cli::{Cli, RunArgs};
use crate::gocd::{select_for_agent, AgentContext};
use crate::output::Output;
use crate::report::{
    render, CheckResult, Format, Host, HumanOptions, Level, Notice, Report, ResourceEntry,
};
use crate::runner::{run_with_retries, Retry, RunLimits};
use crate::selection::{elsewhere, select, suggestion, unselected_checks, Selected};
use crate::spec::SpecErrors;
use crate::text::did_you_mean;
use crate::world::World;

/// A run, resolved from the flags before anything runs.
pub(super) struct Plan {
    catalog: Catalog,
    /// The resources the run covers, in run order: their place in the
    /// catalog, and whether each was asked for by name.
    selected: Vec<(usize, bool)>,
    /// The checks that decide the run, in report order.
    checks: Vec<Arc<Check>>,
    /// `--suggest`: the other specs' checks, run alongside, not counted.
    extra: Vec<Arc<Check>>,
    /// Checks not run, by id, and why: those of a spec for another system
    /// than this one, but the `platform` check that says which (it fails).
    not_here: HashMap<String, String>,
    notices: Vec<Notice>,
    agent: AgentContext,
    /// Whether the report says which GoCD job ran it.
    in_job: bool,
    limits: RunLimits,
    retry: Option<Retry>,
    suggest: bool,
    format: Format,
    reports: Vec<(Format, PathBuf)>,
    human: HumanOptions,
}

impl Plan {
    /// Reads the specs and decides what runs; Err for bad usage or specs.
    pub(super) fn new(cli: &Cli, world: &dyn World, out: &mut Output) -> Result<Plan, Usage> {
        let args: &RunArgs = &cli.run;
        distinct_reports(&args.reports)?;
        let location = spec_location(cli.probes.as_deref())?;
        let catalog = load(&location).map_err(|errors| Usage(SpecErrors(errors).to_string()))?;
        out.secrets_mut().add_names(catalog.redact_names());
        let agent = AgentContext::from_env(|name| {
            world.var(name).map(|v| v.to_string_lossy().into_owned())
        });
        let mut notices = Vec::new();
        let here = world.os_family();
        let selected = if args.agent {
            let chosen = select_for_agent(&catalog, &agent, !args.no_common);
            if chosen.unset {
                notices.push(Notice {
                    message: "GO_AGENT_RESOURCES is not set: this agent advertises no resources \
                              (or GoCD is older than 20.1, which does not set it); only the common checks run \
                              (on an elastic agent, name its resources in PROBE_RESOURCES)"
                        .to_string(),
                    level: Level::Warning,
                });
            }
            if chosen.from_profile {
                notices.push(Notice {
                    message: format!(
                        "GO_AGENT_RESOURCES is not set (GoCD gives an elastic agent no resources): \
                         checking PROBE_RESOURCES instead: {}",
                        agent.profile.as_deref().unwrap_or_default().join(", ")
                    ),
                    level: Level::Warning,
                });
            }
            for name in &chosen.taken {
                notices.push(Notice {
                    message: format!(
                        "`{name}` was taken from this agent by `probe fleet --quarantine` (its resource \
                         `{}` says so): checked all the same, so that the fleet can give it back once it passes",
                        crate::gocd::marker::Marker::Took(name.clone()).name()
                    ),
                    level: Level::Warning,
                });
            }
            for name in &chosen.uncovered {
                let known = catalog.resources.iter().map(|r| r.name.as_str());
                notices.push(Notice {
                    message: format!(
                        "this agent advertises resource `{name}`, but no spec covers it (no {name}.yaml in {}){}",
                        location.display(),
                        did_you_mean(name, known)
                    ),
                    level: if args.strict {
                        Level::Error
                    } else {
                        Level::Warning
                    },
                });
            }
            chosen.selected
        } else {
            let all = args.all.then_some(here);
            let chosen =
                select(&catalog, &args.resources, all, !args.no_common).map_err(Usage::error)?;
            // --all leaves out the specs for another system, one line each.
            if args.all {
                for r in &catalog.resources {
                    let taken = chosen.iter().any(|s| std::ptr::eq(s.resource, r));
                    if let (false, Some(e)) = (taken, elsewhere(&catalog, r, here)) {
                        notices.push(Notice {
                            message: format!("`{}` not checked: it {}", r.name, e.reason()),
                            level: Level::Note,
                        });
                    }
                }
            }
            chosen
        };
        // One asked for by name (or advertised) is run, and cannot pass.
        for s in selected.iter().filter(|s| s.requested) {
            if let Some(e) = elsewhere(&catalog, s.resource, here) {
                notices.push(Notice {
                    message: format!("`{}` cannot pass here: it {}", s.resource.name, e.reason()),
                    level: Level::Warning,
                });
            }
        }
        // A spec for another system, asked for or pulled in, runs only the
        // check that says which system (it fails, saying why); the others
        // would fail for that same reason, each at length.
        let mut not_here = HashMap::new();
        for r in &catalog.resources {
            if let Some(e) = elsewhere(&catalog, r, here) {
                let why = format!("not run: `{}` {}", r.name, e.reason());
                for c in r
                    .checks
                    .iter()
                    .filter(|c| !std::ptr::eq(c.as_ref(), e.platform))
                {
                    not_here.insert(c.id.clone(), why.clone());
                }
            }
        }
        let checks: Vec<Arc<Check>> = selected
            .iter()
            .flat_map(|s| s.resource.checks.iter().cloned())
            .collect();
        let at = |s: &Selected| {
            let place = catalog
                .resources
                .iter()
                .position(|r| std::ptr::eq(r, s.resource));
            (place.unwrap_or(0), s.requested)
        };
        if checks.is_empty() {
            let names: Vec<&str> = selected.iter().map(|s| s.resource.name.as_str()).collect();
            return Err(Usage::error(if names.is_empty() {
                // Agent mode with nothing advertised and no common spec: a
                // green job that checked nothing would mislead.
                "nothing to check: this agent advertises no resource that has a spec, \
                 and there is no common.yaml"
                    .to_string()
            } else {
                format!(
                    "the selected resources ({}) have no checks",
                    names.join(", ")
                )
            }));
        }
        // --suggest: every other spec's checks too, in the same run, for
        // the resources this machine could advertise; they do not count
        // for the verdict.
        let extra = if args.suggest {
            unselected_checks(&catalog, &selected)
        } else {
            Vec::new()
        };
        let selected = selected.iter().map(at).collect();
        Ok(Plan {
            in_job: args.agent || agent.in_job(),
            agent,
            selected,
            checks,
            extra,
            not_here,
            notices,
            limits: RunLimits {
                jobs: usize::from(args.jobs),
                default_timeout: args.timeout,
                total_timeout: args.total_timeout,
            },
            retry: args.retry_timeout.map(|timeout| Retry {
                timeout,
                sleep: args.sleep,
            }),
            suggest: args.suggest,
            format: args.format,
            reports: args.reports.clone(),
            human: HumanOptions {
                color: args.format == Format::Human && args.color.enabled(),
                quiet: args.quiet,
                width: None,
            },
            catalog,
        })
    }
}

/// Runs the plan's checks on `world` and reports them.
pub(super) fn execute(plan: Plan, world: Arc<dyn World>, out: &Output) -> Result<Exit, Usage> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let Plan {
        catalog,
        selected,
        checks,
        extra,
        not_here,
        notices,
        agent,
        in_job,
        limits,
        retry,
        suggest,
        format,
        reports,
        human,
    } = plan;
    let evaluate = {
        let world = Arc::clone(&world);
        let secrets = out.secrets().clone();
        Arc::new(move |c: &Check, b: &Budget| match not_here.get(&c.id) {
            Some(why) => Outcome::new(Status::Skipped, why.clone()),
            None => evaluate(c, world.as_ref(), b, &secrets),
        })
    };
    let selected: Vec<Selected> = selected
        .iter()
        .map(|&(i, requested)| Selected {
            resource: &catalog.resources[i],
            requested,
        })
        .collect();
    // Only the checks that decide the run are tried again.
    let mut finished = run_with_retries(
        checks.iter().chain(&extra).map(Arc::clone).collect(),
        evaluate,
        limits,
        retry,
        checks.len(),
    );
    world.end_run();
    if let Some(signal) = finished.interrupted {
        out.eprint(&format!(
            "probe: interrupted (signal {signal}); the commands it started were killed"
        ));
        return Ok(Exit::Interrupted(signal));
    }
    let extra_outcomes = finished.outcomes.split_off(checks.len());
    let suggest = suggest.then(|| {
        let failing: HashSet<String> = checks
            .iter()
            .zip(&finished.outcomes)
            .chain(extra.iter().zip(&extra_outcomes))
            .filter(|(_, o)| o.status.is_failure())
            .map(|(c, _)| c.resource.to_lowercase())
            .collect();
        suggestion(&catalog, &selected, &failing)
    });
    let release = world.os_release();
    let report = Report {
        host: Host {
            hostname: world.hostname(),
            os: world.os_family().to_string(),
            os_name: release.name,
            arch: world.arch(),
        },
        resources: selected
            .iter()
            .map(|s| ResourceEntry {
                name: s.resource.name.clone(),
                description: s.resource.description.clone(),
                file: s.resource.file.display().to_string(),
                requested: s.requested,
            })
            .collect(),
        results: checks
            .into_iter()
            .zip(finished.outcomes)
            .map(|(check, outcome)| CheckResult { check, outcome })
            .collect(),
        started,
        elapsed: clock.elapsed(),
        notices,
        agent: in_job.then_some(agent),
        suggest,
    };
    // Files first: in a GoCD job a missing report artifact fails the job.
    let file_options = HumanOptions {
        color: false,
        quiet: human.quiet,
        width: None,
    };
    let human = HumanOptions {
        width: out.terminal_width(),
        ..human
    };
    let write_failed = write_reports(&reports, out, "report", |f| {
        Ok(render(f, &report, file_options))
    })?;
    out.print(&render(format, &report, human), format.markup());
    let exit = if write_failed {
        Exit::Usage
    } else {
        Exit::verdict(!report.ok())
    };
    // Everything is written and the process ends soon: freeing every check
    // and result one by one (10 000 of them in a large run) only costs time.
    std::mem::forget(report);
    std::mem::forget(catalog);
    Ok(exit)
}

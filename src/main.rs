//! probe: parse flags → load specs → select → run checks → report.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use probe::{
    evaluate, generate_pipeline, interrupt, list, load, render, run_checks, select,
    select_for_agent, spec_location, write_atomic, AgentContext, Budget, Catalog, Check,
    CheckResult, Cli, Command, Format, Host, HumanOptions, Notice, PipelineArgs, RealWorld, Report,
    ResourceEntry, RunArgs, RunLimits, SpecErrors, World,
};

const SCHEMA: &str = include_str!("../docs/probe.schema.json");

/// A run that could not start: bad usage or bad specs. Exit 2.
struct Usage(String);

fn main() -> ExitCode {
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(problem) => {
            let _ = writeln!(std::io::stderr(), "error: {problem}");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(Usage(message)) => {
            // A closed stderr (`probe lint 2>&1 | head -1`) is not a crash.
            let _ = writeln!(std::io::stderr(), "{message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Usage> {
    if let Some(Command::Schema) = cli.command {
        print(SCHEMA.as_bytes());
        return Ok(ExitCode::SUCCESS);
    }
    let location =
        spec_location(cli.probes.as_deref()).map_err(|e| Usage(format!("error: {e}")))?;
    let catalog = load(&location).map_err(|errors| Usage(SpecErrors(errors).to_string()))?;
    match cli.command {
        Some(Command::Lint) => {
            let checks: usize = catalog.resources.iter().map(|r| r.checks.len()).sum();
            print(
                format!(
                    "ok: {} resources, {checks} checks in {}\n",
                    catalog.resources.len(),
                    location.display()
                )
                .as_bytes(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::List { format }) => {
            print(&list(&catalog, &format));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Pipeline(args)) => pipeline(&catalog, &location, &args),
        Some(Command::Schema) | None => check(&catalog, &location, &cli.run),
    }
}

fn check(catalog: &Catalog, location: &Path, args: &RunArgs) -> Result<ExitCode, Usage> {
    for (i, (_, path)) in args.reports.iter().enumerate() {
        if args.reports[..i].iter().any(|(_, earlier)| earlier == path) {
            return Err(Usage(format!(
                "error: two --report options write to {}; give each its own file",
                path.display()
            )));
        }
    }
    let agent = AgentContext::from_env(|name| std::env::var(name).ok());
    let mut notices = Vec::new();
    let selected = if args.agent {
        let chosen = select_for_agent(catalog, &agent, !args.no_common);
        if chosen.unset {
            notices.push(Notice {
                message: "GO_AGENT_RESOURCES is not set: this agent advertises no resources \
                          (or GoCD is older than 20.1, which does not set it); only the common checks run"
                    .to_string(),
                failing: false,
            });
        }
        for name in &chosen.uncovered {
            notices.push(Notice {
                message: format!(
                    "this agent advertises resource `{name}`, but no spec covers it (no {name}.yaml in {})",
                    location.display()
                ),
                failing: args.strict,
            });
        }
        chosen.selected
    } else {
        select(catalog, &args.resources, args.all, !args.no_common)
            .map_err(|e| Usage(format!("error: {e}")))?
    };
    let checks: Vec<Arc<Check>> = selected
        .iter()
        .flat_map(|s| s.resource.checks.iter().cloned())
        .collect();
    if checks.is_empty() {
        let names: Vec<&str> = selected.iter().map(|s| s.resource.name.as_str()).collect();
        return Err(Usage(if names.is_empty() {
            // Agent mode with nothing advertised and no common spec: a green
            // job that checked nothing would mislead.
            "error: nothing to check: this agent advertises no resource that has a spec, \
             and there is no common.yaml"
                .to_string()
        } else {
            format!(
                "error: the selected resources ({}) have no checks",
                names.join(", ")
            )
        }));
    }

    interrupt::install();
    let started = SystemTime::now();
    let clock = Instant::now();
    let world: Arc<dyn World> = Arc::new(RealWorld::new());
    let evaluate = {
        let world = Arc::clone(&world);
        Box::new(move |c: &Check, b: &Budget| evaluate(c, world.as_ref(), b))
    };
    let limits = RunLimits {
        jobs: usize::from(args.jobs),
        default_timeout: args.timeout,
        total_timeout: args.total_timeout,
    };
    let finished = run_checks(checks.iter().map(Arc::clone).collect(), evaluate, limits);
    if let Some(signal) = finished.interrupted {
        let _ = writeln!(
            std::io::stderr(),
            "probe: interrupted (signal {signal}); the commands it started were killed"
        );
        // The shell's convention for a process ended by a signal.
        return Ok(ExitCode::from(
            128u8.saturating_add(u8::try_from(signal).unwrap_or(0)),
        ));
    }
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
        agent: (args.agent || agent.in_job()).then_some(agent),
    };

    // Files first: in a GoCD job a missing report artifact fails the job.
    let mut write_failed = false;
    for (format, path) in &args.reports {
        let bytes = render(
            *format,
            &report,
            HumanOptions {
                color: false,
                quiet: args.quiet,
            },
        );
        if let Err(e) = write_atomic(path, &bytes) {
            let _ = writeln!(
                std::io::stderr(),
                "error: cannot write the {} report to {}: {e}",
                format.name(),
                path.display()
            );
            write_failed = true;
        }
    }
    let human = HumanOptions {
        color: args.format == Format::Human && args.color.enabled(),
        quiet: args.quiet,
    };
    print(&render(args.format, &report, human));
    if write_failed {
        return Ok(ExitCode::from(2));
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn pipeline(catalog: &Catalog, location: &Path, args: &PipelineArgs) -> Result<ExitCode, Usage> {
    let text = generate_pipeline(catalog, &args.options(location), &args.command_line())
        .map_err(|e| Usage(format!("error: {e}")))?;
    match &args.output {
        Some(path) => write_atomic(path, text.as_bytes())
            .map_err(|e| Usage(format!("error: cannot write {}: {e}", path.display())))?,
        None => print(text.as_bytes()),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to stdout; a closed pipe (`probe ... | head`) is not an error.
fn print(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
}

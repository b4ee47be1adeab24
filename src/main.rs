//! probe: parse flags → load specs → select → run checks → report. Every
//! byte written goes through `Output`, which hides secrets.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use probe::{
    apply, base64, did_you_mean, evaluate, fleet_report, gather_fleet, generate_pipeline,
    interrupt, known_kind, list, load, render, report_destination, rfc3339, run_with_retries,
    select, select_for_agent, shell_words, snapshot_source, spec_checks, spec_location,
    split_userinfo, suggestion, unselected_checks, AddArgs, Added, Addition, AgentContext, Applied,
    Auth, Budget, Catalog, Check, CheckResult, Cli, Command, Fleet, FleetArgs, FleetOptions,
    FleetRequest, Format, Host, HumanOptions, Markup, Notice, Output, PipelineArgs, RealWorld,
    Redactor, Report, ResourceEntry, Retry, RunArgs, RunLimits, SnapshotArgs, Source, SpecErrors,
    Wanted, World,
};

const SCHEMA: &str = include_str!("../docs/probe.schema.json");

/// A run that could not start: bad usage or bad specs. Exit 2.
struct Usage(String);

fn main() -> ExitCode {
    let world = Arc::new(RealWorld::new());
    // Until the flags are parsed, the secrets are those the name rule,
    // PROBE_REDACT and any `--redact NAME` among the arguments find, so
    // that a usage error quoting a value hides it too.
    let mut names: Vec<String> = world
        .var("PROBE_REDACT")
        .map(|v| v.to_string_lossy().split(',').map(String::from).collect())
        .unwrap_or_default();
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    for (i, arg) in args.iter().enumerate() {
        if let Some(name) = arg.strip_prefix("--redact=") {
            names.push(name.to_string());
        } else if arg == "--redact" {
            names.extend(args.get(i + 1).cloned());
        }
    }
    let mut secrets = Redactor::new(&names);
    secrets.learn(world.vars());
    let mut out = Output::new(secrets);
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(stop) => {
            if stop.to_stdout {
                out.print(stop.text.as_bytes(), Markup::Plain);
            } else {
                out.eprint(stop.text.trim_end());
            }
            return ExitCode::from(stop.code);
        }
    };
    out.secrets_mut()
        .add_names(cli.redact.iter().map(String::as_str));
    match run(cli, world, &mut out) {
        Ok(code) => code,
        Err(Usage(message)) => {
            out.eprint(&message);
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli, world: Arc<RealWorld>, out: &mut Output) -> Result<ExitCode, Usage> {
    if let Some(Command::Schema) = cli.command {
        out.print(SCHEMA.as_bytes(), Markup::Plain);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::Fleet(args)) = &cli.command {
        return fleet(args, cli.probes.as_deref(), &world, out);
    }
    // Writing specs: the directory may not exist yet.
    if matches!(cli.command, Some(Command::Add(_) | Command::Snapshot(_))) {
        let dir = spec_location(cli.probes.as_deref()).unwrap_or_else(|_| "probes".into());
        if dir.is_file() {
            return Err(Usage(format!(
                "error: {} is a file; give the directory of the specs with --probes",
                dir.display()
            )));
        }
        // The specs' own `redact:` lists count too; a directory that does
        // not load yet is reported when the new check is loaded with it.
        if let Ok(catalog) = load(&dir) {
            out.secrets_mut().add_names(catalog.redact_names());
        }
        return match &cli.command {
            Some(Command::Add(args)) => add(args, &dir, world.as_ref(), out),
            Some(Command::Snapshot(args)) => snapshot(args, &dir, world.as_ref(), out),
            _ => Ok(ExitCode::SUCCESS),
        };
    }
    let location =
        spec_location(cli.probes.as_deref()).map_err(|e| Usage(format!("error: {e}")))?;
    let catalog = load(&location).map_err(|errors| Usage(SpecErrors(errors).to_string()))?;
    out.secrets_mut().add_names(catalog.redact_names());
    match cli.command {
        Some(Command::Add(_) | Command::Snapshot(_)) => Ok(ExitCode::SUCCESS),
        Some(Command::Lint) => {
            let checks: usize = catalog.resources.iter().map(|r| r.checks.len()).sum();
            out.print_text(&format!(
                "ok: {} resources, {checks} checks in {}\n",
                catalog.resources.len(),
                location.display()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::List { format }) => {
            out.print(&list(&catalog, &format), Markup::Plain);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Pipeline(args)) => pipeline(&catalog, &location, &args, out),
        Some(Command::Schema | Command::Fleet(_)) | None => {
            let code = check(&catalog, &location, &cli.run, world, out);
            // As for the report (see `check`): the process ends next.
            std::mem::forget(catalog);
            code
        }
    }
}

/// Two reports never go to one place, however their paths are spelt.
fn distinct_reports(reports: &[(Format, std::path::PathBuf)]) -> Result<(), Usage> {
    let places: Vec<_> = reports
        .iter()
        .map(|(_, path)| report_destination(path))
        .collect();
    for (i, place) in places.iter().enumerate() {
        if let Some(earlier) = places[..i].iter().position(|p| p == place) {
            return Err(Usage(format!(
                "error: --report {} and --report {} write to the same file; give each its own",
                reports[earlier].1.display(),
                reports[i].1.display()
            )));
        }
    }
    Ok(())
}

fn check(
    catalog: &Catalog,
    location: &Path,
    args: &RunArgs,
    world: Arc<RealWorld>,
    out: &Output,
) -> Result<ExitCode, Usage> {
    distinct_reports(&args.reports)?;
    let agent =
        AgentContext::from_env(|name| world.var(name).map(|v| v.to_string_lossy().into_owned()));
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
            let known = catalog.resources.iter().map(|r| r.name.as_str());
            notices.push(Notice {
                message: format!(
                    "this agent advertises resource `{name}`, but no spec covers it (no {name}.yaml in {}){}",
                    location.display(),
                    did_you_mean(name, known)
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
    let evaluate = {
        let world = Arc::clone(&world);
        let secrets = out.secrets().clone();
        Arc::new(move |c: &Check, b: &Budget| evaluate(c, world.as_ref(), b, &secrets))
    };
    let limits = RunLimits {
        jobs: usize::from(args.jobs),
        default_timeout: args.timeout,
        total_timeout: args.total_timeout,
    };
    // --suggest: every other spec's checks too, in the same run, for the
    // resources this machine could advertise; they do not count for the
    // verdict.
    let extra = if args.suggest {
        unselected_checks(catalog, &selected)
    } else {
        Vec::new()
    };
    let retry = args.retry_timeout.map(|timeout| Retry {
        timeout,
        sleep: args.sleep,
    });
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
        // The shell's convention for a process ended by a signal.
        return Ok(ExitCode::from(
            128u8.saturating_add(u8::try_from(signal).unwrap_or(0)),
        ));
    }
    let extra_outcomes = finished.outcomes.split_off(checks.len());
    let suggest = args.suggest.then(|| {
        let failing: HashSet<String> = checks
            .iter()
            .zip(&finished.outcomes)
            .chain(extra.iter().zip(&extra_outcomes))
            .filter(|(_, o)| o.status.is_failure())
            .map(|(c, _)| c.resource.to_lowercase())
            .collect();
        suggestion(catalog, &selected, &failing)
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
        agent: (args.agent || agent.in_job()).then_some(agent),
        suggest,
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
        if let Err(e) = out.write_file(path, &bytes, format.markup()) {
            out.eprint(&format!(
                "error: cannot write the {} report to {}: {e}",
                format.name(),
                path.display()
            ));
            write_failed = true;
        }
    }
    let human = HumanOptions {
        color: args.format == Format::Human && args.color.enabled(),
        quiet: args.quiet,
    };
    out.print(&render(args.format, &report, human), args.format.markup());
    let code = if write_failed {
        ExitCode::from(2)
    } else if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    // Everything is written and the process ends next: freeing every check
    // and result one by one (10 000 of them in a large run) only costs time.
    std::mem::forget(report);
    Ok(code)
}

fn pipeline(
    catalog: &Catalog,
    location: &Path,
    args: &PipelineArgs,
    out: &Output,
) -> Result<ExitCode, Usage> {
    let text = generate_pipeline(catalog, &args.options(location), &args.command_line())
        .map_err(|e| Usage(format!("error: {e}")))?;
    match &args.output {
        Some(path) => out
            .write_file(path, text.as_bytes(), Markup::Plain)
            .map_err(|e| Usage(format!("error: cannot write {}: {e}", path.display())))?,
        None => out.print(text.as_bytes(), Markup::Plain),
    }
    Ok(ExitCode::SUCCESS)
}

fn fleet(
    args: &FleetArgs,
    probes: Option<&Path>,
    world: &RealWorld,
    out: &mut Output,
) -> Result<ExitCode, Usage> {
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
        None => spec_location(None).ok().and_then(|path| load(&path).ok()),
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
    let request = FleetRequest {
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
    let mut gathered = gather_fleet(&request).map_err(|errors| {
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
    let mut write_failed = false;
    for (format, path) in &args.reports {
        if let Err(e) = out.write_file(path, &render(*format)?, format.markup()) {
            out.eprint(&format!(
                "error: cannot write the {} fleet report to {}: {e}",
                format.name(),
                path.display()
            ));
            write_failed = true;
        }
    }
    out.print(&render(args.format)?, args.format.markup());
    Ok(if write_failed {
        ExitCode::from(2)
    } else if fleet.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `probe add`: one check, observed here, appended to a spec.
fn add(args: &AddArgs, dir: &Path, world: &dyn World, out: &Output) -> Result<ExitCode, Usage> {
    known_kind(&args.kind).map_err(|e| Usage(format!("error: {e}")))?;
    if args.value && args.kind != "env" {
        return Err(Usage(
            "error: --value is for `env` (require the variable's value today)".into(),
        ));
    }
    if matches!(args.kind.as_str(), "cpus" | "memory") && !args.subject.is_empty() {
        return Err(Usage(format!(
            "error: `add {}` takes no subject: it writes what this machine has",
            args.kind
        )));
    }
    // A command line's words, quoted so that they split back the same.
    let subject = if args.kind == "run" {
        shell_words(&args.subject)
    } else {
        args.subject.join(" ")
    };
    // A tool's name names its resource (`command java` goes to java.yaml).
    let plain = matches!(args.kind.as_str(), "command" | "package" | "service")
        && !subject.is_empty()
        && subject
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let resource = match (&args.to, plain) {
        (Some(to), _) => resource_name(to)?,
        (None, true) => subject.clone(),
        (None, false) => {
            return Err(Usage(format!(
                "error: say which spec to add `{} {subject}` to, with --to RESOURCE",
                args.kind
            )))
        }
    };
    let addition = Addition {
        kind: args.kind.clone(),
        subject,
        wanted: Wanted {
            pin: args.pin,
            value: args.value,
            args: None,
        },
        hint: args.hint.clone(),
    };
    let description = format!("Checks for agents with the `{resource}` resource");
    let applied = apply(
        dir,
        &resource,
        &description,
        &Source::Observe(vec![addition]),
        world,
        out.secrets(),
        args.dry_run,
    )
    .map_err(|e| Usage(format!("error: {e}")))?;
    report_applied(&applied, args.dry_run.then_some(false), out)
}

/// `probe snapshot`: a whole spec from the catalogue or a report.
fn snapshot(
    args: &SnapshotArgs,
    dir: &Path,
    world: &dyn World,
    out: &Output,
) -> Result<ExitCode, Usage> {
    let report = match &args.from_report {
        Some(file) => Some((
            file.display().to_string(),
            std::fs::read_to_string(file)
                .map_err(|e| Usage(format!("error: cannot read {}: {e}", file.display())))?,
        )),
        None => None,
    };
    let resource = resource_name(&args.resource)?;
    let report = report
        .as_ref()
        .map(|(name, text)| (name.as_str(), text.as_str()));
    let (description, source) = snapshot_source(&resource, report, args.pin, world.os_family())
        .map_err(|e| Usage(format!("error: {e}")))?;
    let applied = apply(
        dir,
        &resource,
        &description,
        &source,
        world,
        out.secrets(),
        args.dry_run,
    )
    .map_err(|e| Usage(format!("error: {e}")))?;
    report_applied(&applied, args.dry_run.then_some(true), out)
}

/// The resource a spec is written for: the name of its file in the spec
/// directory, without `.yaml`.
fn resource_name(given: &str) -> Result<String, Usage> {
    let name = given
        .strip_suffix(".yaml")
        .or_else(|| given.strip_suffix(".yml"))
        .unwrap_or(given);
    if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
        return Err(Usage(format!(
            "error: `{given}` is not a resource name: give the GoCD resource (`java`), \
             whose spec is <probes>/java.yaml"
        )));
    }
    Ok(name.to_string())
}

/// What `add` and `snapshot` did, in words: what was written on stdout
/// (with --dry-run, the YAML only), what was not on stderr. `dry`: with
/// --dry-run, whether to print the whole spec (else the checks) as it
/// would be.
fn report_applied(applied: &Applied, dry: Option<bool>, out: &Output) -> Result<ExitCode, Usage> {
    let whole = dry == Some(true);
    let file = applied.file.display();
    let mut text = String::new();
    let mut notes = Vec::new();
    let (mut kept, mut failed) = (0, 0);
    for (what, result) in &applied.results {
        match result {
            Ok(Added::Written(lines)) => {
                kept += 1;
                if whole {
                } else if dry.is_some() {
                    for (i, line) in lines.iter().enumerate() {
                        text.push_str(if i == 0 { "- " } else { "  " });
                        text.push_str(line);
                        text.push('\n');
                    }
                } else {
                    text.push_str(&format!("added to {file}: {}\n", lines.join(", ")));
                }
            }
            Ok(Added::AlreadyThere { name, source }) => {
                kept += 1;
                notes.push(format!("already there: {name} ({source}); not added"));
            }
            Err(why) => {
                failed += 1;
                notes.push(format!("left out {what}: {why}"));
            }
        }
    }
    if whole {
        text = applied.text.clone();
    } else if dry.is_none() && applied.changed {
        let written = applied
            .results
            .iter()
            .filter(|(_, r)| matches!(r, Ok(Added::Written(_))))
            .count();
        text.push_str(&format!("{file}: {written} check(s) written\n"));
    }
    out.print_text(&text);
    for note in notes {
        out.eprint(&note);
    }
    // Nothing asked for is in the spec: a failure; a snapshot keeps what
    // it can.
    Ok(if failed > 0 && kept == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

//! Command-line flags, and their resolution into what the rest of the
//! program uses (spec location, colour, report targets). What clap cannot
//! check from the flags alone is checked where the knowledge is: two
//! `--report`s writing one file in main.rs, GoCD's naming rules for
//! pipeline and group names in gocd::pipeline.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::gocd::pipeline::{Binary, Layout, PipelineOptions, Upstream};
use crate::quantity::parse_duration;
use crate::report::Format;

const ABOUT: &str = "Checks that this machine provides what its GoCD resources promise.";

const LONG_ABOUT: &str = "\
Checks that this machine provides what its GoCD resources promise.

Specs live in probes/, one YAML file per GoCD resource (lua.yaml for the
`lua` resource). Each lists checks: commands that must or must not be on
PATH, tool versions, environment variables, files, system facts, TCP ports.
The checks of probes/common.yaml run on every run.";

const EXAMPLES: &str = "\
Examples:
  probe --resource lua                      check the `lua` resource's spec
  probe --agent --report junit=probe.xml    in a GoCD job: check what this agent advertises
  probe -r lua,gradle --report junit=out/junit.xml --report json=out/probe.json
  probe --all --quiet                       every spec; show only failures
  probe lint                                validate the specs, run nothing
  probe list                                resources and their checks
  probe schema > probe.schema.json          JSON Schema for editors
  probe pipeline > agents.gocd.yaml         GoCD pipeline running the probe on every agent
  probe fleet reports/ --format html        one page for many agents' reports

Exit status: 0 all checks passed, 1 a check failed, 2 usage or spec error
(or a --report file could not be written).
Secrets: the values of variables named like TOKEN, SECRET, PASS, KEY, CRED
or AUTH (and of those --redact, PROBE_REDACT or a spec's `redact:` name) are
shown as <hidden: NAME> in every report and message.
Specs are looked for in --probes, then $PROBE_PATH, then ./probes, then
/etc/probe/probes (%ProgramData%\\probe\\probes on Windows).";

#[derive(Debug, Parser)]
#[command(
    name = "probe",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Spec directory, or a single spec file.
    #[arg(
        short = 'p',
        long,
        env = "PROBE_PATH",
        value_name = "PATH",
        global = true
    )]
    pub probes: Option<PathBuf>,

    /// An environment variable whose value must never appear in any output
    /// (repeatable; `*` and `?` allowed), besides those whose names contain
    /// TOKEN, SECRET, PASS, KEY, CRED or AUTH. PROBE_REDACT (comma-separated)
    /// adds more.
    #[arg(
        long = "redact",
        value_name = "NAME",
        value_delimiter = ',',
        global = true
    )]
    pub redact: Vec<String>,

    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the specs and report every problem; run nothing.
    Lint,
    /// Show the resources and their checks.
    List {
        /// `human` or `json`.
        #[arg(short, long, default_value = "human", value_parser = ["human", "json"])]
        format: String,
    },
    /// Print the JSON Schema of spec files (for editors).
    Schema,
    /// Generate GoCD pipeline YAML that runs the probe on every agent.
    Pipeline(PipelineArgs),
    /// One report for many agents: which fail, on what, and how they differ.
    #[command(after_help = FLEET_EXAMPLES)]
    Fleet(FleetArgs),
    /// Add a check that passes on this machine to a spec, e.g. `probe add
    /// command java --to java` (the version and the arguments that print
    /// it are read from the machine).
    #[command(after_help = ADD_EXAMPLES)]
    Add(AddArgs),
    /// Write a whole spec for a resource from the catalogue of what common
    /// resources mean (java, gradle, maven, node, python, docker, lua, go,
    /// rust, dotnet, git, linux, windows), keeping what this machine has; or
    /// from a good agent's report.
    #[command(after_help = SNAPSHOT_EXAMPLES)]
    Snapshot(SnapshotArgs),
}

const ADD_EXAMPLES: &str = "\
Examples:
  probe add command java --to java             command: java, args: [-version], version: \">=17.0.8, <18\"
  probe add command gradle --to gradle --pin minor
  probe add env JAVA_HOME --to java            (--value: require today's value too)
  probe add file /var/run/docker.sock --to docker
  probe add package openjdk-17-jdk-headless --to java
  probe add service docker --to docker
  probe add run luarocks show busted --to lua
  probe add run --to python -- python3 -c \"import venv, ensurepip\"
  probe add absent python2 --to python --dry-run

The check is appended to probes/<RESOURCE>.yaml (created when missing), the
file's comments and formatting kept, and only if it loads and passes here.
Exit status: 0 added (or already there), 1 it would not pass here, 2 usage.";

const SNAPSHOT_EXAMPLES: &str = "\
Examples:
  probe snapshot --resource java               probes/java.yaml from this machine
  probe snapshot --resource java --dry-run     print it instead
  probe snapshot --resource lua --from-report agent-7/probe-report.json

The catalogue is src/author/catalogue.yaml (docs/spec.md, \"Writing a spec
from a machine\"). Checks already in the spec are left as they are; a spec
that is already there gets only the checks it lacks.
Exit status: 0 written (or already there; with --dry-run, always), 1 no
check kept, 2 usage.";

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The kind of check: command, absent, run, env, file, package, service,
    /// user, group, port, http, dns, sysctl, mount, path_contains, process,
    /// tcp, platform, arch, cpus, memory, disk.
    #[arg(value_name = "KIND")]
    pub kind: String,

    /// What it checks: a command, a path, a variable, a package... (for
    /// `run`, the command line, after `--` when it has flags: `probe add
    /// run --to python -- python3 -c "import venv"`; for `platform` and
    /// `arch`, nothing).
    #[arg(value_name = "SUBJECT")]
    pub subject: Vec<String>,

    /// The resource (spec file) to add it to; for a `command`, `package` or
    /// `service` with a plain name, that name by default (`command java`
    /// goes to java.yaml).
    #[arg(long, value_name = "RESOURCE")]
    pub to: Option<String>,

    /// How a version range is chosen from the version found.
    #[arg(long, value_enum, default_value = "major")]
    pub pin: PinChoice,

    /// `env`: require today's value too (never for a secret).
    #[arg(long)]
    pub value: bool,

    /// A hint to go with the check: how to fix an agent that lacks it.
    #[arg(long, value_name = "TEXT")]
    pub hint: Option<String>,

    /// Print the check's YAML instead of writing it.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The resource to write a spec for.
    #[arg(short, long = "resource", value_name = "NAME")]
    pub resource: String,

    /// From a good agent's JSON report (`--report json=…`), or a list of
    /// `KIND SUBJECT = FOUND` lines, instead of this machine.
    #[arg(long, value_name = "FILE")]
    pub from_report: Option<PathBuf>,

    /// How version ranges are chosen from the versions found.
    #[arg(long, value_enum, default_value = "major")]
    pub pin: PinChoice,

    /// Print the spec instead of writing it (stderr says what would be left
    /// out); exits 0.
    #[arg(long)]
    pub dry_run: bool,
}

/// `--pin`: how a version range is chosen from the version found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PinChoice {
    /// This version or newer, within its major version: `>=17.0.8, <18`.
    Major,
    /// This version or newer, within its minor version: `>=17.0.8, <17.1`.
    Minor,
    /// Exactly this version: `==17.0.8`.
    Exact,
    /// This version or newer: `>=17.0.8`.
    Min,
}

const FLEET_EXAMPLES: &str = "\
Examples:
  probe fleet reports/                       every *.json report under reports/
  probe fleet 'reports/*/probe-report.json' --format html > fleet.html
  probe fleet --server https://gocd.example.com:8154/go \\
      --pipeline agent-infrastructure-linux,agent-infrastructure-windows \\
      --report html=fleet.html --report junit=fleet.xml

From GoCD: each job's probe/probe-report.json artifact of the latest run in
which the stage completed (or --counter N), and GoCD's agents, to name the
agents that sent no report. Credentials: GOCD_TOKEN (a personal access
token), or GOCD_USERNAME and GOCD_PASSWORD.
Exit status: 0 every agent passed, 1 an agent failed (or, with --strict, a
finding about the fleet; with --fail-on-drift, agents differ), 2 nothing
could be read.";

#[derive(Debug, Args)]
pub struct FleetArgs {
    /// Agent reports (the JSON of `--report json=…`): files, directories
    /// (every *.json under them) or globs. Without them, GoCD is asked.
    #[arg(value_name = "REPORT")]
    pub sources: Vec<String>,

    /// The GoCD server to fetch reports from and ask about agents; default
    /// GO_SERVER_URL (set inside every GoCD job).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,

    /// Pipelines whose runs' reports to fetch (repeat or separate with commas).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub pipeline: Vec<String>,

    /// The pipeline run; default the latest in which the stage completed.
    #[arg(long, value_name = "N")]
    pub counter: Option<u64>,

    /// The stage whose jobs run the probe.
    #[arg(long, value_name = "NAME", default_value = "check")]
    pub stage: String,

    /// Where the JSON report is among each job's artifacts.
    #[arg(long, value_name = "PATH", default_value = "probe/probe-report.json")]
    pub artifact: String,

    /// Do not ask GoCD's agents API (which names agents that sent no report).
    #[arg(long)]
    pub no_agents: bool,

    /// Format of the fleet report on stdout: human, json, junit or html.
    #[arg(short, long, value_name = "FORMAT", default_value = "human", value_parser = parse_fleet_format)]
    pub format: Format,

    /// Also write the fleet report to a file (repeatable), e.g. html=fleet.html.
    /// Formats: human, json, junit, html.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_fleet_report)]
    pub reports: Vec<(Format, PathBuf)>,

    /// Colour in the text report.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    /// A report older than this is flagged stale (and, with --strict,
    /// fails the fleet): an agent that has not run the probe since. The
    /// default suits the shipped pipeline's 30-minute timer.
    #[arg(long, value_name = "DURATION", default_value = "2h", value_parser = parse_duration)]
    pub stale: Duration,

    /// The previous fleet report's JSON, to show what changed since: new
    /// failures, fixed ones, new and gone agents. In a GoCD job it is read
    /// from the previous run of this job (its fleet/fleet.json artifact)
    /// unless given; `none` for no comparison.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<String>,

    /// Compare each agent with this one (its name in the fleet report)
    /// instead of with what most agents found.
    #[arg(long, value_name = "AGENT")]
    pub baseline: Option<String>,

    /// GoCD pipeline files whose jobs to count agents for (repeatable): a
    /// file, a directory (every *.gocd.yaml under it, e.g. a config repo's
    /// clone) or a glob. Shows, for each set of resources jobs ask for,
    /// how many agents can take them and how many of those are broken; a
    /// job no healthy agent can run is a finding.
    #[arg(long, value_name = "PATH")]
    pub jobs_from: Vec<String>,

    /// Show every check, not only those that fail or differ between agents.
    #[arg(short, long)]
    pub all: bool,

    /// Agents that found different values for a check fail the fleet.
    #[arg(long)]
    pub fail_on_drift: bool,

    /// Findings about the fleet (a resource without a spec, a spec no
    /// agent advertises) fail it instead of being warnings.
    #[arg(long)]
    pub strict: bool,

    /// Name agents GoCD reports with less free space than this.
    #[arg(long, value_name = "SIZE", default_value = "5 GiB", value_parser = crate::quantity::parse_size)]
    pub min_free: u64,

    /// How many reports are downloaded at once.
    #[arg(short, long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,

    /// Timeout for each request to GoCD, from connecting to the last byte.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Plan what stops GoCD sending jobs to an agent that fails a resource
    /// it advertises: `resource` (the default) takes that resource from
    /// the agent, so its other jobs still run; `disable` disables the
    /// whole agent. Resources probe took are given back once the agent
    /// passes again. Nothing changes without --apply. Needs GoCD's agents
    /// API (docs/gocd.md, "Quarantine").
    #[arg(long, value_name = "MODE", num_args = 0..=1, default_missing_value = "resource", require_equals = true, help_heading = "Quarantine")]
    pub quarantine: Option<QuarantineMode>,

    /// Make the planned changes through GoCD's agents API (needs an admin's
    /// token in GOCD_TOKEN; scheduling needs operate permission).
    #[arg(long, help_heading = "Quarantine")]
    pub apply: bool,

    /// The most agents of one resource that may be quarantined at once, in
    /// per cent of those that advertise it (rounded down: with fewer than
    /// 4 agents at 25 %, none).
    #[arg(long, value_name = "PERCENT", default_value_t = 25, value_parser = clap::value_parser!(u8).range(0..=100), help_heading = "Quarantine")]
    pub max_quarantined: u8,

    /// Also quarantine agents that sent no report in two runs in a row
    /// (by default they are named, not changed).
    #[arg(long, help_heading = "Quarantine")]
    pub quarantine_silent: bool,

    /// Plan adding to each agent the resources whose whole spec it passes
    /// and that it does not advertise (from its report's --suggest), with
    /// misspellings corrected. Nothing changes without --apply.
    #[arg(long, help_heading = "Quarantine")]
    pub add_resources: bool,

    /// When GoCD has agents that are new since the previous fleet report,
    /// or whose resources or state changed, schedule the --pipeline
    /// pipelines at once, so new agents are checked within minutes (with
    /// --apply).
    #[arg(long, help_heading = "Quarantine")]
    pub schedule_checks: bool,
}

/// `--quarantine`'s modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QuarantineMode {
    /// Take the failing resource from the agent.
    Resource,
    /// Disable the agent.
    Disable,
}

#[derive(Debug, Args)]
pub struct PipelineArgs {
    /// `fleet`: one run-on-all job without resources, each agent checks what
    /// it advertises (--agent). `per-resource`: one run-on-all job per
    /// resource; GoCD refuses to trigger it while any resource has no agent.
    #[arg(long, value_enum, default_value = "fleet")]
    pub layout: LayoutChoice,

    /// Pipeline name (with --binary fetch, a prefix: one pipeline per OS).
    #[arg(long, default_value = "agent-infrastructure")]
    pub name: String,

    /// Pipeline group; the config repo needs a rule allowing it.
    #[arg(long, default_value = "probe")]
    pub group: String,

    /// Quartz cron (with a seconds field) for a scheduled run; the default is
    /// every 30 minutes, so that an agent that breaks is named within the
    /// half hour (`probe fleet --stale` suits it). Changes to the config
    /// repo trigger it too.
    #[arg(
        long,
        value_name = "CRON",
        default_value = "0 0/30 * * * ?",
        conflicts_with = "no_timer"
    )]
    pub timer: String,

    /// No scheduled run; only changes trigger it.
    #[arg(long)]
    pub no_timer: bool,

    /// Quartz cron for the fleet pipeline (`<name>-fleet`), which makes one
    /// page of every agent's latest report; the default is every 30 minutes,
    /// ten minutes after the checks.
    /// It runs on a timer because GoCD starts a dependent pipeline only
    /// when its upstream passes (docs/gocd.md, "The fleet page").
    #[arg(
        long,
        value_name = "CRON",
        default_value = "0 10/30 * * * ?",
        conflicts_with = "no_fleet"
    )]
    pub fleet_timer: String,

    /// No fleet pipeline.
    #[arg(long)]
    pub no_fleet: bool,

    /// `path`: the probe is on the agents' PATH. `fetch`: fetch it from the
    /// pipeline that builds it (see --from-pipeline), one pipeline per OS.
    #[arg(long, value_enum, default_value = "path")]
    pub binary: BinaryChoice,

    /// With --binary fetch: the OS legs, each picked by an agent resource of
    /// that name.
    #[arg(long, value_delimiter = ',', default_value = "linux,windows")]
    pub os: Vec<String>,

    /// With --binary fetch: the pipeline (and stage) that builds the probe,
    /// with jobs build-<os> publishing probe/probe and probe/probe.exe.
    #[arg(long, default_value = "probe")]
    pub from_pipeline: String,

    /// With --binary fetch: the stage of --from-pipeline whose jobs
    /// (build-linux, build-windows) publish the binaries.
    #[arg(long, default_value = "build")]
    pub from_stage: String,

    /// Job timeout in minutes: instances on agents that lost contact are
    /// cancelled after it.
    #[arg(long, value_name = "MINUTES", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub timeout: u64,

    /// In the fleet layout: an advertised resource without a spec fails the job.
    #[arg(long)]
    pub strict: bool,

    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Instead of pipelines, print the gate: the one task a long job can
    /// start with (`probe --resource …` for the job's own resources), so a
    /// job on a broken agent fails in under a second with the reason.
    #[arg(long, value_name = "RESOURCES", value_delimiter = ',')]
    pub gate: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutChoice {
    Fleet,
    PerResource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BinaryChoice {
    Path,
    Fetch,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Resources to check, as GoCD names them (case-insensitive); repeat or
    /// separate with commas.
    #[arg(short, long = "resource", value_name = "NAME", value_delimiter = ',')]
    pub resources: Vec<String>,

    /// Check every resource that has a spec for this OS (one for another,
    /// by its `platform` check, is left out with a note).
    #[arg(short, long, conflicts_with = "resources")]
    pub all: bool,

    /// Check what this GoCD agent promises: every resource in
    /// GO_AGENT_RESOURCES that has a spec, plus common.yaml.
    #[arg(long, conflicts_with_all = ["resources", "all"])]
    pub agent: bool,

    /// With --agent: an advertised resource that no spec covers fails the
    /// run instead of being a warning.
    #[arg(long, requires = "agent")]
    pub strict: bool,

    /// Do not add the checks of common.yaml.
    #[arg(long)]
    pub no_common: bool,

    /// Also run every other spec, and report (without failing) which ones
    /// this machine passes: the resources it could advertise. `probe fleet`
    /// shows them per agent.
    #[arg(long)]
    pub suggest: bool,

    /// Format of the report on stdout: human, json, junit, html or prometheus.
    #[arg(short, long, value_name = "FORMAT", default_value = "human", value_parser = parse_format)]
    pub format: Format,

    /// Also write a report to a file (repeatable), e.g. junit=out/junit.xml.
    /// Formats: human, json, junit, html, prometheus (node_exporter's
    /// textfile collector). Written also when checks fail: a file atomically
    /// (missing directories are created), through a symlink to its target;
    /// /dev/stdout, /dev/null, a FIFO written through, never replaced.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report)]
    pub reports: Vec<(Format, PathBuf)>,

    /// Show only failing checks and the summary.
    #[arg(short, long)]
    pub quiet: bool,

    /// Colour in the human report.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    /// Default timeout for each spawned command (a check's `timeout` wins).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Timeout for the whole run; checks still running then fail.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub total_timeout: Duration,

    /// How many checks run at once.
    #[arg(short, long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,

    /// Run failing checks again until they pass or this much time has
    /// passed since the first run (for a machine still coming up: a Docker
    /// daemon starting, a GoCD server booting). Reports show the attempts.
    /// Each attempt has --total-timeout of its own.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub retry_timeout: Option<Duration>,

    /// With --retry-timeout: the pause between attempts.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration, requires = "retry_timeout")]
    pub sleep: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Resolved once: the flag, then NO_COLOR / TERM=dumb, then whether
    /// stdout is a terminal.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
                !no_color && !dumb && std::io::stdout().is_terminal()
            }
        }
    }
}

fn parse_format(text: &str) -> Result<Format, String> {
    Format::parse(text).ok_or_else(|| {
        let meant = match text.to_ascii_lowercase().as_str() {
            "xml" => " (JUnit's XML is `junit`)".to_string(),
            "text" | "txt" | "plain" => " (the text report is `human`)".to_string(),
            other => crate::text::did_you_mean(other, Format::NAMES.iter().copied()),
        };
        format!(
            "unknown format `{text}`{meant}; use one of {}",
            Format::NAMES.join(", ")
        )
    })
}

/// The fleet's formats: every agent's but prometheus, which node_exporter
/// reads from each agent.
fn parse_fleet_format(text: &str) -> Result<Format, String> {
    match parse_format(text) {
        Ok(Format::Prometheus) => Err(
            "the fleet report has no prometheus format (write one on each agent with \
             `probe --agent --report prometheus=…` for node_exporter); use one of human, json, \
             junit, html"
                .into(),
        ),
        Ok(format) => Ok(format),
        Err(e) => Err(e.replace(&Format::NAMES.join(", "), "human, json, junit, html")),
    }
}

fn parse_fleet_report(text: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = parse_report(text)?;
    if format == Format::Prometheus {
        return Err(parse_fleet_format("prometheus").unwrap_err());
    }
    Ok((format, path))
}

fn parse_report(text: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = text
        .split_once('=')
        .ok_or_else(|| format!("write FORMAT=PATH, e.g. junit=out/junit.xml (got `{text}`)"))?;
    if path.is_empty() {
        return Err(format!("`{text}` names no file after `=`"));
    }
    if path == "-" {
        return Err(format!(
            "`{text}`: --report writes files; for stdout use --format {format}"
        ));
    }
    Ok((parse_format(format)?, PathBuf::from(path)))
}

impl PipelineArgs {
    /// The generator's options; `location` is where the specs were found,
    /// which the jobs pass to `--probes`.
    pub fn options(&self, location: &Path) -> PipelineOptions {
        PipelineOptions {
            name: self.name.clone(),
            group: self.group.clone(),
            layout: match self.layout {
                LayoutChoice::Fleet => Layout::Fleet,
                LayoutChoice::PerResource => Layout::PerResource,
            },
            binary: match self.binary {
                BinaryChoice::Path => Binary::OnPath,
                BinaryChoice::Fetch => {
                    let oses: Vec<&str> = self
                        .os
                        .iter()
                        .map(|o| o.trim())
                        .filter(|o| !o.is_empty())
                        .collect();
                    let mut upstream = Upstream::shipped(&oses);
                    upstream.pipeline = self.from_pipeline.clone();
                    upstream.stage = self.from_stage.clone();
                    Binary::Fetch(upstream)
                }
            },
            timer: (!self.no_timer).then(|| self.timer.clone()),
            timeout_minutes: self.timeout,
            // Relative to the repository root (the job's working directory):
            // an absolute path from this machine means nothing on an agent.
            probes_dir: std::env::current_dir()
                .ok()
                .and_then(|cwd| location.strip_prefix(cwd).ok().map(Path::to_path_buf))
                .unwrap_or_else(|| location.to_path_buf())
                .display()
                .to_string()
                .replace('\\', "/"),
            strict: self.strict,
            fleet_timer: (!self.no_fleet).then(|| self.fleet_timer.clone()),
        }
    }

    /// How to make the file again, for its header: this process's
    /// arguments less the output file.
    pub fn command_line(&self) -> String {
        let mut words = vec!["probe".to_string()];
        let mut argv = std::env::args().skip(1);
        while let Some(arg) = argv.next() {
            if arg == "-o" || arg == "--output" {
                argv.next();
            } else if !(arg.starts_with("--output=") || arg.starts_with("-o") && arg.len() > 2) {
                words.push(arg);
            }
        }
        crate::text::shell_words(&words)
    }
}

/// What to print instead of running: `--help`, `--version`, or a usage
/// error (exit 2), as clap words it.
#[derive(Debug)]
pub struct Stop {
    pub text: String,
    pub code: u8,
    /// `--help` and `--version` go to stdout, errors to stderr.
    pub to_stdout: bool,
}

impl Cli {
    /// Parses the process's arguments. Flags for running checks given
    /// together with a subcommand (which would ignore them) are refused.
    pub fn parse_from(args: Vec<std::ffi::OsString>) -> Result<Cli, Stop> {
        use clap::{CommandFactory, FromArgMatches};
        let command = Cli::command();
        // An unknown flag gets the project's own did-you-mean (clap's
        // `suggestions` feature costs the static binary 8 KiB).
        let flags: Vec<String> = std::iter::once(&command)
            .chain(command.get_subcommands())
            .flat_map(|c| c.get_arguments())
            .filter_map(|a| a.get_long().map(|long| format!("--{long}")))
            .collect();
        let stop = |e: clap::Error| {
            let mut text = e.render().to_string();
            if e.kind() == clap::error::ErrorKind::UnknownArgument {
                if let Some(clap::error::ContextValue::String(given)) =
                    e.get(clap::error::ContextKind::InvalidArg)
                {
                    let flag = given.split('=').next().unwrap_or(given);
                    let tip = crate::text::did_you_mean(flag, flags.iter().map(String::as_str));
                    if let (false, Some(end)) = (tip.is_empty(), text.find('\n')) {
                        text.insert_str(
                            end,
                            &format!(
                                "\n\n  tip:{}",
                                tip.trim_end_matches(')').replacen(" (", " ", 1)
                            ),
                        );
                    }
                }
            }
            Stop {
                text,
                code: u8::try_from(e.exit_code()).unwrap_or(2),
                to_stdout: !e.use_stderr(),
            }
        };
        let mut args = args;
        // `probe help --help` asks about `help` itself: clap refuses it; the
        // answer is the top-level help.
        if args.len() == 3 && args[1] == "help" && (args[2] == "--help" || args[2] == "-h") {
            args.truncate(1);
            args.push("--help".into());
        }
        let matches = command.clone().try_get_matches_from(args).map_err(stop)?;
        let cli = Cli::from_arg_matches(&matches).map_err(stop)?;
        if let Some(sub) = matches.subcommand_name() {
            // The top-level flags other than the global --probes, as typed.
            let stray: Vec<String> = command
                .get_arguments()
                .filter(|arg| !arg.is_global_set())
                .filter(|arg| {
                    matches.value_source(arg.get_id().as_str())
                        == Some(clap::parser::ValueSource::CommandLine)
                })
                .filter_map(|arg| arg.get_long().map(|long| format!("--{long}")))
                .collect();
            if !stray.is_empty() {
                return Err(Stop {
                    text: format!(
                        "error: {} {} for running checks; `probe {sub}` does not take {}{}\n",
                        stray.join(", "),
                        if stray.len() == 1 { "is" } else { "are" },
                        if stray.len() == 1 { "it" } else { "them" },
                        if sub == "list" {
                            " (`probe list --format json` takes its own)"
                        } else {
                            ""
                        }
                    ),
                    code: 2,
                    to_stdout: false,
                });
            }
        }
        Ok(cli)
    }
}

/// Where the specs are: the flag or PROBE_PATH, else ./probes, else the
/// system location.
pub fn spec_location(flag: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = flag {
        return Ok(path.to_path_buf());
    }
    let local = PathBuf::from("probes");
    if local.is_dir() {
        return Ok(local);
    }
    let system = system_location();
    if system.is_dir() {
        return Ok(system);
    }
    Err(format!(
        "no probe specs found: there is no ./probes and no {}; pass --probes DIR or set PROBE_PATH",
        system.display()
    ))
}

fn system_location() -> PathBuf {
    if cfg!(windows) {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into());
        PathBuf::from(base).join("probe").join("probes")
    } else {
        PathBuf::from("/etc/probe/probes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flags_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn resources_split_on_commas_and_repeat() {
        let cli = Cli::try_parse_from(["probe", "-r", "lua,gradle", "--resource", "java"]).unwrap();
        assert_eq!(cli.run.resources, ["lua", "gradle", "java"]);
    }

    #[test]
    fn reports_parse_format_and_path() {
        let cli = Cli::try_parse_from([
            "probe",
            "-r",
            "lua",
            "--report",
            "junit=out/junit.xml",
            "--report",
            "json=out/p.json",
        ])
        .unwrap();
        assert_eq!(
            cli.run.reports,
            [
                (Format::Junit, PathBuf::from("out/junit.xml")),
                (Format::Json, PathBuf::from("out/p.json"))
            ]
        );
        let err = Cli::try_parse_from(["probe", "--report", "yaml=x"]).unwrap_err();
        assert!(err.to_string().contains("unknown format `yaml`"), "{err}");
        let err = Cli::try_parse_from(["probe", "--report", "out.xml"]).unwrap_err();
        assert!(err.to_string().contains("write FORMAT=PATH"), "{err}");
    }

    #[test]
    fn bad_durations_are_usage_errors() {
        let err = Cli::try_parse_from(["probe", "--timeout", "soon"]).unwrap_err();
        assert!(err.to_string().contains("is not a duration"), "{err}");
    }
}

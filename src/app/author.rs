//! `probe add` and `probe snapshot`: writing specs from a machine (or a
//! report) that is as it should be.

use std::path::{Path, PathBuf};

use super::{Exit, Usage};
use crate::author::{apply, known_kind, snapshot_source, Added, Addition, Applied, Source, Wanted};
use crate::catalog::load;
use crate::checks::Pin;
use crate::cli::{AddArgs, PinChoice, SnapshotArgs};
use crate::output::Output;
use crate::text::{counted, shell_words};
use crate::world::World;

/// The range a version gets, as `--pin` asks.
fn pin(choice: PinChoice) -> Pin {
    match choice {
        PinChoice::Major => Pin::Major,
        PinChoice::Minor => Pin::Minor,
        PinChoice::Exact => Pin::Exact,
        PinChoice::Min => Pin::Min,
    }
}

/// Where specs are written (the directory may not exist yet), with the
/// existing specs' `redact:` names learnt.
fn spec_dir(probes: Option<&Path>, out: &mut Output) -> Result<PathBuf, Usage> {
    let dir = crate::cli::spec_location(probes).unwrap_or_else(|_| "probes".into());
    if dir.is_file() {
        return Err(Usage::error(format!(
            "{} is a file; give the directory of the specs with --probes",
            dir.display()
        )));
    }
    // The specs' own `redact:` lists count too; a directory that does not
    // load yet is reported when the new check is loaded with it.
    if let Ok(catalog) = load(&dir) {
        out.secrets_mut().add_names(catalog.redact_names());
    }
    Ok(dir)
}

/// `probe add`: one check, observed here, appended to a spec.
pub(super) fn add(
    args: &AddArgs,
    probes: Option<&Path>,
    world: &dyn World,
    out: &mut Output,
) -> Result<Exit, Usage> {
    let dir = spec_dir(probes, out)?;
    let dir = dir.as_path();
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
            pin: pin(args.pin),
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
    let mode = if args.dry_run {
        Mode::AddDry
    } else {
        Mode::Add
    };
    report_applied(&applied, &resource, mode, out)
}

/// `probe snapshot`: a whole spec from the catalogue or a report.
pub(super) fn snapshot(
    args: &SnapshotArgs,
    probes: Option<&Path>,
    world: &dyn World,
    out: &mut Output,
) -> Result<Exit, Usage> {
    let dir = spec_dir(probes, out)?;
    let dir = dir.as_path();
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
    let (description, source) =
        snapshot_source(&resource, report, pin(args.pin), world.os_family())
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
    let from_report = args.from_report.is_some();
    let mode = if args.dry_run {
        Mode::SnapshotDry { from_report }
    } else {
        Mode::Snapshot { from_report }
    };
    report_applied(&applied, &resource, mode, out)
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

/// Which command wrote, and whether for real.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Add,
    /// --dry-run: the check's YAML on stdout.
    AddDry,
    /// `from_report`: --from-report, not this machine.
    Snapshot {
        from_report: bool,
    },
    /// --dry-run: the whole spec on stdout.
    SnapshotDry {
        from_report: bool,
    },
}

/// What `add` and `snapshot` did, in words: what was written on stdout
/// (with --dry-run, the YAML only), what was not on stderr. A snapshot
/// that writes nothing says why and what to do instead; a dry run writes
/// nothing, so it does not fail for what it would leave out.
fn report_applied(
    applied: &Applied,
    resource: &str,
    mode: Mode,
    out: &Output,
) -> Result<Exit, Usage> {
    let file = applied.file.display();
    let mut text = String::new();
    let mut notes = Vec::new();
    let (mut written, mut there, mut failed) = (0, 0, 0);
    for (what, result) in &applied.results {
        match result {
            Ok(Added::Written(lines)) => {
                written += 1;
                match mode {
                    Mode::AddDry => {
                        for (i, line) in lines.iter().enumerate() {
                            text.push_str(if i == 0 { "- " } else { "  " });
                            text.push_str(line);
                            text.push('\n');
                        }
                    }
                    Mode::Add | Mode::Snapshot { .. } => {
                        text.push_str(&format!("added to {file}: {}\n", lines.join(", ")));
                    }
                    Mode::SnapshotDry { .. } => {}
                }
            }
            Ok(Added::AlreadyThere { name, source }) => {
                there += 1;
                notes.push(format!("already there: {name} ({source}); not added"));
            }
            Err(why) => {
                failed += 1;
                notes.push(format!("left out {what}: {why}"));
            }
        }
    }
    let dry = matches!(mode, Mode::AddDry | Mode::SnapshotDry { .. });
    match mode {
        Mode::SnapshotDry { .. } => text = applied.text.clone(),
        Mode::Add | Mode::Snapshot { .. } if applied.changed => {
            text.push_str(&format!("{file}: {} written\n", counted(written, "check")));
        }
        _ => {}
    }
    if let Mode::Snapshot { from_report } | Mode::SnapshotDry { from_report } = mode {
        if written == 0 {
            notes.push(nothing_written(
                &file.to_string(),
                resource,
                (applied.existed, there, failed),
                from_report,
                dry,
            ));
        } else if dry {
            notes.push(format!(
                "dry run: {} would be written to {file}; nothing was written",
                counted(written, "check")
            ));
        }
    }
    out.print_text(&text);
    for note in notes {
        out.eprint(&note);
    }
    // Nothing asked for is in the spec: a failure; a snapshot keeps what
    // it can, and a dry run only tells.
    let kept = written + there;
    let snapshot_dry = matches!(mode, Mode::SnapshotDry { .. });
    Ok(Exit::verdict(failed > 0 && kept == 0 && !snapshot_dry))
}

/// Why a snapshot wrote no check, and what to do instead: the spec is
/// already there (a shipped one, or an earlier snapshot), or nothing of it
/// passes on this machine.
/// `counts`: whether the file existed, how many checks were already in
/// it, how many were left out.
fn nothing_written(
    file: &str,
    resource: &str,
    counts: (bool, usize, usize),
    from_report: bool,
    dry: bool,
) -> String {
    let (existed, there, failed) = counts;
    let would = if dry { "would be" } else { "was" };
    let mut parts = Vec::new();
    if there > 0 {
        parts.push(format!("{there} already in it"));
    }
    if failed > 0 {
        parts.push(format!("{failed} left out above"));
    }
    let of = format!(
        "the snapshot's {}: {}",
        counted(there + failed, "check"),
        parts.join(", ")
    );
    if existed {
        format!(
            "{file} already exists: nothing {would} written ({of}). A snapshot only adds the \
             checks a spec lacks; add one with `probe add KIND SUBJECT --to {resource}`, or \
             write a new spec into an empty directory with `probe --probes DIR snapshot \
             --resource {resource}`"
        )
    } else {
        let why = if from_report {
            "the report has no check of it that can be written"
        } else {
            "no check of it passes on this machine"
        };
        format!(
            "nothing {would} written to {file}: {why} ({of}); snapshot `{resource}` where it \
             builds right, or from a good agent's report (--from-report FILE)"
        )
    }
}

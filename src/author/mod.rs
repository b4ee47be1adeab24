//! Writing specs from a machine that is as it should be: `probe add`
//! (one check), `probe snapshot` (a whole spec from the catalogue of what
//! common GoCD resources mean), and both from a good agent's JSON report
//! instead of this machine (`--from-report`).
//!
//! Every check written is first observed (`observe`), appended to the spec
//! file's text without rewriting it (`edit`), loaded with the normal loader
//! and evaluated on the same machine: only a check that passes here is
//! written, atomically.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::catalog::load_with;
use crate::checks::{evaluate, kind_keys, kind_of, Budget, Status};
use crate::redact::Redactor;
use crate::report::{check_name, write_report};
use crate::spec::SpecErrors;
use crate::text::did_you_mean;
use crate::world::World;

pub mod catalogue;
pub mod edit;
pub mod from_report;
#[cfg(test)]
mod tests;

pub use crate::checks::{Draft, Pin, Val, Wanted};

/// One check to add.
#[derive(Debug, Clone)]
pub struct Addition {
    pub kind: String,
    /// What it is about; empty for `platform` and `arch` (this machine's).
    pub subject: String,
    pub wanted: Wanted,
    pub hint: Option<String>,
}

/// What happened to one addition.
#[derive(Debug, Clone, PartialEq)]
pub enum Added {
    /// Appended; the check's lines.
    Written(Vec<String>),
    /// The same check (kind and subject) is already in the spec, at `source`.
    AlreadyThere { name: String, source: String },
}

/// The spec file of `resource` in the spec directory `dir`: the one there
/// is (resource names are compared ignoring case, as GoCD and the loader
/// do), else a new `<resource>.yaml`.
pub fn spec_file(dir: &Path, resource: &str) -> PathBuf {
    let existing = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .find(|entry| {
            let path = entry.path();
            let is_spec = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            is_spec
                && path
                    .file_stem()
                    .is_some_and(|stem| stem.to_string_lossy().eq_ignore_ascii_case(resource))
        });
    existing.map_or_else(
        || dir.join(format!("{resource}.yaml")),
        |entry| entry.path(),
    )
}

/// Err naming the kinds when `kind` is not one.
pub fn known_kind(kind: &str) -> Result<(), String> {
    match kind_of(kind) {
        Some(_) => Ok(()),
        None => Err(format!(
            "`{kind}` is not a kind of check{}; the kinds are {}",
            did_you_mean(kind, kind_keys()),
            kind_keys().collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The check for `addition` as this machine is; Err says why it cannot be
/// written (not here, unknown kind).
pub fn draft(addition: &Addition, world: &dyn World, secrets: &Redactor) -> Result<Draft, String> {
    known_kind(&addition.kind)?;
    let draft = kind_of(&addition.kind).ok_or("no such kind")?.observe(
        &addition.subject,
        &addition.wanted,
        world,
        secrets,
    )?;
    Ok(match &addition.hint {
        Some(hint) => draft.with("hint", Val::text(hint)),
        None => draft,
    })
}

/// The spec file's text with `draft` appended as a check, read back and
/// compared with the draft, loaded (with the other specs in `dir`) and the
/// new check evaluated here: Err unless it is what was meant, loads and
/// passes. `text`: the file's current text (None for a new file, which
/// gets `description`).
pub fn with_check(
    dir: &Path,
    file: &Path,
    text: Option<&str>,
    description: &str,
    draft: &Draft,
    here: Option<(&dyn World, &Redactor)>,
) -> Result<(String, Added), String> {
    let resource = resource_of(file);
    let before = match text {
        Some(text) => text.to_string(),
        None => format!("description: {}\n", edit::scalar(description)),
    };
    let lines = draft.lines()?;
    let after = edit::append_check(&before, &lines)?;
    if !edit::last_check(&after).is_some_and(|item| draft.matches(&item)) {
        return Err(format!(
            "the check does not read back as it was meant (`{}`); nothing is written",
            lines.join("; ")
        ));
    }
    let catalog = load_with(dir, file, &after).map_err(spec_errors)?;
    let checks = catalog
        .find(&resource)
        .map(|r| r.checks.as_slice())
        .unwrap_or_default();
    let (check, earlier) = checks.split_last().ok_or("the check did not load")?;
    // The same kind and subject already there: nothing to add.
    let same = earlier
        .iter()
        .find(|c| c.kind.name() == check.kind.name() && c.kind.subject() == check.kind.subject());
    if let Some(existing) = same {
        return Ok((
            before,
            Added::AlreadyThere {
                name: check_name(existing),
                source: existing.source.clone(),
            },
        ));
    }
    if let Some((world, secrets)) = here {
        let budget = Budget {
            default_timeout: Duration::from_secs(10),
            deadline: Instant::now() + Duration::from_secs(60),
        };
        let outcome = evaluate(check, world, &budget, secrets);
        if outcome.status != Status::Pass {
            return Err(format!(
                "the check would not pass here ({}): {}",
                outcome.status.as_str(),
                outcome.message
            ));
        }
    }
    Ok((after, Added::Written(lines)))
}

/// Where the checks to add come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Observed on this machine, each evaluated here before it is kept.
    Observe(Vec<Addition>),
    /// Written from a report's found values (another machine's): loaded
    /// and validated, not evaluated here. Each: what it is, its check or
    /// why it cannot be written from a report.
    Found(Vec<(String, Result<Draft, String>)>),
}

/// What adding to a spec did.
#[derive(Debug)]
pub struct Applied {
    pub file: PathBuf,
    /// Whether the spec file was there before.
    pub existed: bool,
    /// The spec's text after the additions.
    pub text: String,
    /// Whether the text changed (and, unless dry, was written).
    pub changed: bool,
    /// Per addition: what it is (`command java`), and what became of it.
    pub results: Vec<(String, Result<Added, String>)>,
}

/// Adds each check of `source`, in order, to `resource`'s spec in `dir`
/// (a new file gets `description`), and writes the file unless `dry`.
pub fn apply(
    dir: &Path,
    resource: &str,
    description: &str,
    source: &Source,
    world: &dyn World,
    secrets: &Redactor,
    dry: bool,
) -> Result<Applied, String> {
    let file = spec_file(dir, resource);
    // A byte order mark, which the loader skips, is kept but not edited.
    let mut bom = "";
    let mut text = match std::fs::read_to_string(&file) {
        Ok(text) => match text.strip_prefix('\u{feff}') {
            Some(rest) => {
                bom = "\u{feff}";
                Some(rest.to_string())
            }
            None => Some(text),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
    };
    let existed = text.is_some();
    let mut results = Vec::new();
    let mut changed = false;
    let mut add = |what: String, draft: Result<Draft, String>, here: bool| {
        let result = draft.and_then(|draft| {
            refuse_secrets(&draft.lines()?, secrets)?;
            with_check(
                dir,
                &file,
                text.as_deref(),
                description,
                &draft,
                here.then_some((world, secrets)),
            )
        });
        let result = result.map(|(after, added)| {
            if matches!(added, Added::Written(_)) {
                text = Some(after);
                changed = true;
            }
            added
        });
        results.push((what, result));
    };
    match source {
        Source::Observe(additions) => {
            for addition in additions {
                let what = format!("{} {}", addition.kind, addition.subject)
                    .trim()
                    .to_string();
                add(what, draft(addition, world, secrets), true);
            }
        }
        Source::Found(found) => {
            for (what, draft) in found {
                add(what.clone(), draft.clone(), false);
            }
        }
    }
    let text = text.unwrap_or_default();
    if changed && !dry {
        write(&file, &format!("{bom}{text}"))?;
    }
    Ok(Applied {
        file,
        existed,
        text,
        changed,
        results,
    })
}

/// The checks `probe snapshot` adds for `resource`: the catalogue's
/// entry, or (with a report: its name and text) what the agent passed, of
/// that resource when the report says which.
pub fn snapshot_source(
    resource: &str,
    report: Option<(&str, &str)>,
    pin: Pin,
    os: crate::spec::OsFamily,
) -> Result<(String, Source), String> {
    if let Some((name, text)) = report {
        let found = from_report::read(text).map_err(|e| format!("{name}: {e}"))?;
        let of_resource: Vec<&from_report::Found> = found
            .iter()
            .filter(|f| {
                f.resource
                    .as_deref()
                    .is_none_or(|r| r.eq_ignore_ascii_case(resource))
            })
            .collect();
        if of_resource.is_empty() {
            return Err(format!("the report has no passing check of `{resource}`"));
        }
        let items = of_resource
            .iter()
            .map(|f| {
                (
                    format!("{name}, {}: {} {}", f.place, f.kind, f.subject),
                    from_report::draft(f, pin),
                )
            })
            .collect();
        let description = catalogue::entry(resource)
            .map(|e| e.description)
            .unwrap_or_else(|_| format!("{resource}, as a good agent has it"));
        return Ok((description, Source::Found(items)));
    }
    let entry = catalogue::entry(resource)?;
    let additions = entry
        .checks
        .iter()
        .filter(|item| item.os.as_ref().is_none_or(|only| only.0.contains(&os)))
        .map(|item| {
            let (kind, subject) = item.kind_and_subject();
            Addition {
                kind: kind.to_string(),
                subject: subject.to_string(),
                wanted: Wanted {
                    pin,
                    value: false,
                    args: item.args.clone(),
                },
                hint: item.hint.clone(),
            }
        })
        .collect();
    Ok((entry.description, Source::Observe(additions)))
}

/// A spec is read by everyone who can read the repository: no line of a
/// check may hold a secret's value (a variable's that looks like one, or
/// one named by --redact, PROBE_REDACT or a spec's `redact:`, or a URL's
/// password).
fn refuse_secrets(lines: &[String], secrets: &Redactor) -> Result<(), String> {
    match lines.iter().find(|line| secrets.reveals(line)) {
        Some(line) => Err(format!(
            "the check would write a secret into the spec (`{}`); \
             refer to the variable instead (`${{NAME}}`) and write this check by hand",
            secrets.redact(line)
        )),
        None => Ok(()),
    }
}

/// Writes the spec file atomically (its directory created; a link is
/// written where it points; the file keeps its permissions).
pub fn write(file: &Path, text: &str) -> Result<(), String> {
    write_report(file, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", file.display()))
}

fn resource_of(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn spec_errors(errors: Vec<crate::spec::error::SpecError>) -> String {
    format!("the spec would not load:\n{}", SpecErrors(errors))
}

//! Which resources a run covers: the ones asked for, what they require,
//! and the common spec; and which specs are for another system than this
//! one.

use crate::catalog::{Catalog, Resource, COMMON};
use crate::checks::Check;
use crate::spec::OsFamily;
use crate::text::did_you_mean;

/// Which specs not selected for the run this machine would pass: what it
/// could advertise. Their checks do not count for the verdict.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Suggestion {
    pub passes: Vec<String>,
    pub fails: Vec<String>,
}

/// A resource in a run, and whether it was asked for by name.
#[derive(Debug, Clone, Copy)]
pub struct Selected<'a> {
    pub resource: &'a Resource,
    pub requested: bool,
}

/// A spec for another system than this one: it cannot pass here.
#[derive(Debug, Clone, Copy)]
pub struct Elsewhere<'a> {
    pub resource: &'a Resource,
    /// The `platform` check that says which system: the spec's own, or
    /// that of a spec it requires.
    pub platform: &'a Check,
    pub system: OsFamily,
    pub here: OsFamily,
}

impl Elsewhere<'_> {
    /// Why, after the resource's name: `is for windows
    /// (probes/windows.yaml:10) and this is linux`.
    pub fn reason(&self) -> String {
        if self
            .platform
            .resource
            .eq_ignore_ascii_case(&self.resource.name)
        {
            format!(
                "is for {} ({}) and this is {}",
                self.system, self.platform.source, self.here
            )
        } else {
            format!(
                "requires `{}`, which is for {} ({}), and this is {}",
                self.platform.resource, self.system, self.platform.source, self.here
            )
        }
    }
}

/// Whether `resource`'s spec is for another system than `here` (see
/// [`Catalog::platform_of`]).
pub fn elsewhere<'a>(
    catalog: &'a Catalog,
    resource: &'a Resource,
    here: OsFamily,
) -> Option<Elsewhere<'a>> {
    let platform = catalog.platform_of(resource)?;
    let system = platform.platform()?;
    (system != here).then_some(Elsewhere {
        resource,
        platform,
        system,
        here,
    })
}

/// Resolves names (case-insensitively, as GoCD matches resources) into the
/// resources to check, in run order: common first, then each requested
/// resource after the resources it requires. `all`: `--all` on a machine
/// of this system, which takes every spec but those for another system
/// (a resource asked for by name is taken whatever its system).
pub fn select<'a>(
    catalog: &'a Catalog,
    names: &[String],
    all: Option<OsFamily>,
    with_common: bool,
) -> Result<Vec<Selected<'a>>, String> {
    let mut wanted: Vec<&Resource> = Vec::new();
    let mut unknown = Vec::new();
    if let Some(here) = all {
        wanted.extend(
            catalog
                .resources
                .iter()
                .filter(|r| with_common || !r.name.eq_ignore_ascii_case(COMMON))
                .filter(|r| elsewhere(catalog, r, here).is_none()),
        );
    }
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        match catalog.find(name) {
            Some(r) => wanted.push(r),
            None => unknown.push(name),
        }
    }
    if !unknown.is_empty() {
        let known = catalog.names();
        let described: Vec<String> = unknown
            .iter()
            .map(|u| format!("`{u}`{}", did_you_mean(u, known.iter().copied())))
            .collect();
        return Err(format!(
            "no spec for resource {}; known resources: {}",
            described.join(", "),
            known.join(", ")
        ));
    }
    if let (Some(here), true) = (all, wanted.is_empty()) {
        return Err(format!(
            "nothing to check: every spec here is for another system than {here}; known resources: {}",
            catalog.names().join(", ")
        ));
    }
    if wanted.is_empty() {
        return Err(format!(
            "nothing to check: name resources with --resource NAME or use --all; known resources: {}",
            catalog.names().join(", ")
        ));
    }

    let mut out: Vec<Selected<'a>> = Vec::new();
    if with_common {
        if let Some(common) = catalog.find(COMMON) {
            add(catalog, common, false, &mut out);
        }
    }
    for r in wanted {
        add(catalog, r, true, &mut out);
    }
    Ok(out)
}

fn add<'a>(catalog: &'a Catalog, r: &'a Resource, requested: bool, out: &mut Vec<Selected<'a>>) {
    if let Some(existing) = out.iter_mut().find(|s| std::ptr::eq(s.resource, r)) {
        existing.requested |= requested;
        return;
    }
    // Requirements go first; `load` has already refused cycles.
    for name in &r.requires {
        if let Some(required) = catalog.find(name) {
            add(catalog, required, false, out);
        }
    }
    out.push(Selected {
        resource: r,
        requested,
    });
}

/// `--suggest`: of the specs a run did not select, which this machine
/// passes. A spec passes when none of its checks (nor those of what it
/// requires) failed or could not be checked. `failing`: the resources with
/// a failing check, by name in lower case.
pub fn suggestion(
    catalog: &Catalog,
    selected: &[Selected],
    failing: &std::collections::HashSet<String>,
) -> Suggestion {
    fn passes(
        catalog: &Catalog,
        r: &Resource,
        failing: &std::collections::HashSet<String>,
    ) -> bool {
        !failing.contains(&r.name.to_lowercase())
            && r.requires
                .iter()
                .filter_map(|name| catalog.find(name))
                .all(|required| passes(catalog, required, failing))
    }
    let mut out = Suggestion::default();
    for r in &catalog.resources {
        if r.name.eq_ignore_ascii_case(COMMON)
            || selected.iter().any(|s| std::ptr::eq(s.resource, r))
        {
            continue;
        }
        if passes(catalog, r, failing) {
            out.passes.push(r.name.clone());
        } else {
            out.fails.push(r.name.clone());
        }
    }
    out
}

/// The checks `--suggest` adds: those of every spec the run did not select.
pub fn unselected_checks(
    catalog: &Catalog,
    selected: &[Selected],
) -> Vec<std::sync::Arc<crate::checks::Check>> {
    catalog
        .resources
        .iter()
        .filter(|r| !r.name.eq_ignore_ascii_case(COMMON))
        .filter(|r| !selected.iter().any(|s| std::ptr::eq(s.resource, *r)))
        .flat_map(|r| r.checks.iter().cloned())
        .collect()
}

//! `probe list`: the resources and their checks, for people or as JSON.

use super::check_name;
use crate::catalog::Catalog;

/// `probe list`: each resource, what it requires, and its checks.
pub fn render(catalog: &Catalog, format: &str) -> Vec<u8> {
    if format == "json" {
        let value: Vec<serde_json::Value> = catalog
            .resources
            .iter()
            .map(|r| {
                serde_json::json!({
                    "name": r.name,
                    "description": r.description,
                    "file": r.file.display().to_string(),
                    "requires": r.requires,
                    "checks": r.checks.iter().map(|c| serde_json::json!({
                        "id": c.id,
                        "kind": c.kind.name(),
                        "subject": c.kind.subject(),
                        "name": check_name(c),
                        "source": c.source,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut bytes = serde_json::to_vec_pretty(&value).unwrap_or_default();
        bytes.push(b'\n');
        return bytes;
    }
    // Text for a terminal: names, descriptions and subjects are cleaned.
    let mut out = crate::text::Term::new(false);
    for r in &catalog.resources {
        out.push_str(&r.name);
        if let Some(d) = &r.description {
            out.push_str(&format!(" - {d}"));
        }
        if !r.requires.is_empty() {
            out.push_str(&format!(" (requires {})", r.requires.join(", ")));
        }
        // A spec for one system (its `platform` check, or one it requires),
        // and checks that run on some systems only (`os:`), are marked.
        if let Some(system) = catalog.platform_of(r).and_then(|c| c.platform()) {
            out.push_str(&format!(" [{} only]", systems(&[system])));
        }
        out.push_line();
        for c in &r.checks {
            out.push_str(&format!("    {}", check_name(c)));
            if let Some(only) = c.only_on() {
                out.push_str(&format!(" [{} only]", systems(only)));
            }
            out.push_line();
        }
    }
    out.into_string().into_bytes()
}

/// `linux`, `linux and macos`, `linux, macos and windows`.
fn systems(list: &[impl ToString]) -> String {
    let names: Vec<String> = list.iter().map(ToString::to_string).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

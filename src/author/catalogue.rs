//! The catalogue of what common GoCD resources usually mean
//! (catalogue.yaml, built into the binary): `probe snapshot` writes a spec
//! from an entry, keeping the checks this machine passes.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::spec::de::from_node;
use crate::spec::yaml;
use crate::spec::{OneOrMany, OsFamily};

pub const TEXT: &str = include_str!("catalogue.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub description: String,
    pub checks: Vec<Item>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// `KIND SUBJECT`, as `probe add` takes them.
    pub add: String,
    /// The arguments that print a command's version.
    pub args: Option<Vec<String>>,
    pub hint: Option<String>,
    pub os: Option<OneOrMany<OsFamily>>,
}

impl Item {
    /// The kind and the subject.
    pub fn kind_and_subject(&self) -> (&str, &str) {
        let text = self.add.trim();
        match text.split_once(' ') {
            Some((kind, subject)) => (kind, subject.trim()),
            None => (text, ""),
        }
    }
}

/// The catalogue, read from its text.
pub fn entries() -> Result<BTreeMap<String, Entry>, String> {
    let (root, problems) = yaml::parse(TEXT).map_err(|p| p.message)?;
    if let Some(p) = problems.first() {
        return Err(p.message.clone());
    }
    let root = root.ok_or("the catalogue is empty")?;
    let errors = RefCell::new(Vec::new());
    from_node::<BTreeMap<String, Entry>>(&root, &errors, &[]).ok_or_else(|| {
        errors
            .borrow()
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// The entry for `resource` (in any case).
pub fn entry(resource: &str) -> Result<Entry, String> {
    let all = entries()?;
    all.iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(resource))
        .map(|(_, e)| e.clone())
        .ok_or_else(|| {
            format!(
                "the catalogue has no `{resource}`{}; it knows {} (add an entry to \
                 src/author/catalogue.yaml, or write checks with `probe add`)",
                crate::text::did_you_mean(resource, all.keys().map(String::as_str)),
                all.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_reads_and_names_known_kinds() {
        let all = entries().expect("the catalogue reads");
        for name in [
            "java", "gradle", "maven", "node", "python", "docker", "lua", "go", "rust", "dotnet",
            "git", "linux", "windows",
        ] {
            assert!(all.contains_key(name), "no {name}");
        }
        for (name, entry) in &all {
            assert!(!entry.checks.is_empty(), "{name} has no checks");
            for item in &entry.checks {
                let (kind, _) = item.kind_and_subject();
                assert!(
                    crate::checks::kind_of(kind).is_some(),
                    "{name}: `{kind}` is no kind"
                );
            }
        }
    }

    #[test]
    fn an_unknown_entry_names_the_known_ones() {
        let err = entry("jav").expect_err("none");
        assert!(err.contains("(did you mean `java`?)"), "{err}");
        assert_eq!(
            entry("JAVA").expect("any case").description,
            "JDK for JVM builds"
        );
    }
}

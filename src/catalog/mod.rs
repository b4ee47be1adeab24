//! The catalog: `probes/` read into resources and their checks, one
//! resource per file, every check validated by its kind (`checks::KINDS`),
//! `requires` resolved, and every problem collected before any is
//! reported. Above the spec syntax (`spec`) and the kinds (`checks`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::checks::{self, Check, CheckKind};
use crate::spec::de::{from_node, snippet_of, DeError};
use crate::spec::error::SpecError;
use crate::spec::values::*;
use crate::spec::yaml::{self, Node, Pos, Value};
use crate::text::did_you_mean;

/// A spec file may be at most this large: a spec is text a person writes.
const MAX_SPEC_BYTES: u64 = 4 << 20;

/// The resource whose checks run on every agent.
pub const COMMON: &str = "common";

#[derive(Debug)]
pub struct Catalog {
    pub resources: Vec<Resource>,
}

#[derive(Debug, Clone)]
pub struct Resource {
    /// The file name without `.yaml`, in the file's own case.
    pub name: String,
    pub file: PathBuf,
    pub description: Option<String>,
    /// Variables the spec names secret (`redact:`).
    pub redact: Vec<String>,
    /// Resolved to the required resources' own names.
    pub requires: Vec<String>,
    /// Shared, not copied, with the runs that check them.
    pub checks: Vec<Arc<Check>>,
}

impl Catalog {
    /// Finds a resource by name, ignoring case as GoCD does.
    pub fn find(&self, name: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name.trim()))
    }

    pub fn names(&self) -> Vec<&str> {
        self.resources.iter().map(|r| r.name.as_str()).collect()
    }

    /// The check that says which system `resource`'s spec is for: its own
    /// `platform` check that runs everywhere (no `os:`), else that of a
    /// resource it requires, and so on down. None: the spec runs anywhere
    /// (a mixed fleet's spec limits single checks with `os:` instead).
    pub fn platform_of<'a>(&'a self, resource: &'a Resource) -> Option<&'a Check> {
        let mut seen: Vec<&str> = Vec::new();
        let mut queue = vec![resource];
        while !queue.is_empty() {
            let r = queue.remove(0);
            if seen.iter().any(|s| s.eq_ignore_ascii_case(&r.name)) {
                continue;
            }
            seen.push(&r.name);
            if let Some(check) = r.checks.iter().find(|c| c.platform().is_some()) {
                return Some(check);
            }
            queue.extend(r.requires.iter().filter_map(|name| self.find(name)));
        }
        None
    }

    /// Every variable name (or glob) the specs' `redact:` lists name.
    pub fn redact_names(&self) -> impl Iterator<Item = &str> {
        self.resources
            .iter()
            .flat_map(|r| r.redact.iter().map(String::as_str))
    }
}

/// Loads a directory of specs, or a single spec file.
pub fn load(path: &Path) -> Result<Catalog, Vec<SpecError>> {
    let files = spec_files(path)?
        .into_iter()
        .map(|file| {
            let text = read_spec(&file);
            (file, text)
        })
        .collect();
    assemble(files)
}

/// Loads a directory of specs as [`load`] does, with `file` holding
/// `text` instead of what is on disk (a new file too): an edit is loaded
/// and validated before it is written. A directory that does not exist
/// yet has only that file.
pub fn load_with(dir: &Path, file: &Path, text: &str) -> Result<Catalog, Vec<SpecError>> {
    // No spec there yet is fine: the edited file is the first.
    let mut files: Vec<PathBuf> = if dir.is_dir() {
        spec_files(dir).unwrap_or_default()
    } else {
        Vec::new()
    };
    files.retain(|f| f != file);
    let mut loaded: Vec<(PathBuf, Result<String, Vec<SpecError>>)> = files
        .into_iter()
        .map(|f| {
            let text = read_spec(&f);
            (f, text)
        })
        .collect();
    loaded.push((file.to_path_buf(), Ok(text.to_string())));
    loaded.sort_by(|a, b| a.0.cmp(&b.0));
    assemble(loaded)
}

/// Loads one spec given as text, as if it were the file `<name>.yaml`.
#[cfg(any(test, feature = "fuzzing"))]
pub fn load_str(name: &str, text: &str) -> Result<Catalog, Vec<SpecError>> {
    assemble(vec![(
        PathBuf::from(format!("{name}.yaml")),
        Ok(text.to_string()),
    )])
}

/// Every spec file read (or the errors of reading it) into one catalog.
fn assemble(
    files: Vec<(PathBuf, Result<String, Vec<SpecError>>)>,
) -> Result<Catalog, Vec<SpecError>> {
    let mut errors = Vec::new();
    let mut loaded: Vec<Loaded> = Vec::new();
    let mut broken: Vec<Unloaded> = Vec::new();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for (file, text) in files {
        let name = resource_name(&file);
        if let Some(first) = seen.get(&name.to_lowercase()) {
            errors.push(SpecError::whole_file(
                file.clone(),
                format!(
                    "resource `{name}` is also defined by {}: resource names ignore case, as in GoCD, so merge the two files into one",
                    first.display()
                ),
            ));
            continue;
        }
        seen.insert(name.to_lowercase(), file.clone());
        match text
            .map_err(Failure::Unread)
            .and_then(|text| parse_spec(&file, &name, text))
        {
            Ok((resource, requires, source)) => loaded.push((resource, requires, source)),
            Err(Failure::Unread(mut file_errors)) => errors.append(&mut file_errors),
            Err(Failure::Read(mut file_errors, requires, source)) => {
                errors.append(&mut file_errors);
                broken.push((file.clone(), requires, source));
            }
        }
    }

    // Every spec file names a resource, also one whose file has errors: a
    // `requires` on it is not a second error (its own are reported).
    let mut names: Vec<String> = seen.values().map(|file| resource_name(file)).collect();
    names.sort();
    let loaded_names: Vec<String> = loaded.iter().map(|(r, _, _)| r.name.clone()).collect();
    let unknown_requirement = |file: &Path, source: &str, wanted: &str, node: &Node| {
        SpecError::at(
            file.to_path_buf(),
            source,
            node.pos,
            wanted,
            format!(
                "`requires` names `{wanted}`, but there is no {wanted}.yaml{}; known resources: {}",
                did_you_mean(wanted, names.iter().map(String::as_str)),
                names.join(", ")
            ),
        )
    };
    for (file, requires, source) in &broken {
        for (wanted, node) in requires {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(wanted)) {
                errors.push(unknown_requirement(file, source, wanted, node));
            }
        }
    }
    for (resource, requires, source) in &mut loaded {
        for (wanted, node) in requires.iter() {
            match names.iter().find(|n| n.eq_ignore_ascii_case(wanted)) {
                Some(found) => {
                    if loaded_names.contains(found) {
                        resource.requires.push(found.clone());
                    }
                }
                None => errors.push(unknown_requirement(&resource.file, source, wanted, node)),
            }
        }
    }
    let resources: Vec<Resource> = loaded.iter().map(|(r, _, _)| r).cloned().collect();
    for (i, required, message) in find_cycles(&resources) {
        let (resource, requires, source) = &loaded[i];
        let node = requires
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&required));
        errors.push(match node {
            Some((text, node)) => {
                SpecError::at(resource.file.clone(), source, node.pos, text, message)
            }
            None => SpecError::whole_file(resource.file.clone(), message),
        });
    }
    if errors.is_empty() {
        Ok(Catalog { resources })
    } else {
        // File by file, top to bottom, whatever step found the problem.
        errors.sort_by(|a, b| {
            (&a.file, a.pos.map(|p| (p.line, p.col)))
                .cmp(&(&b.file, b.pos.map(|p| (p.line, p.col))))
        });
        Err(errors)
    }
}

/// A spec's resource is its file name without the extension.
fn resource_name(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn spec_files(path: &Path) -> Result<Vec<PathBuf>, Vec<SpecError>> {
    let meta = std::fs::metadata(path).map_err(|e| {
        vec![SpecError::whole_file(
            path.to_path_buf(),
            format!("cannot read the probe specs: {e}"),
        )]
    })?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        vec![SpecError::whole_file(
            path.to_path_buf(),
            format!("cannot list the probe specs: {e}"),
        )]
    })?;
    let (mut files, others): (Vec<PathBuf>, Vec<PathBuf>) = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml"))
        })
        .partition(|p| p.is_file());
    if !others.is_empty() {
        // A spec's name on a directory (or a dangling link) is a mistake to
        // show, not to skip.
        return Err(others
            .into_iter()
            .map(|p| {
                SpecError::whole_file(p, "named like a spec file, but it is not a readable file")
            })
            .collect());
    }
    files.sort();
    if files.is_empty() {
        return Err(vec![SpecError::whole_file(
            path.to_path_buf(),
            "no spec files here: a spec is a `<resource>.yaml` file, e.g. lua.yaml",
        )]);
    }
    Ok(files)
}

type Loaded = (Resource, Vec<(String, Node)>, String);

/// A file that failed to load but whose `requires` could be read.
type Unloaded = (PathBuf, Vec<(String, Node)>, String);

/// A file with errors. When its YAML could be read, also what its
/// `requires` says, so that an unknown name there is reported in the same run.
enum Failure {
    Unread(Vec<SpecError>),
    Read(Vec<SpecError>, Vec<(String, Node)>, String),
}

/// A spec file's text, checked for size and encoding.
fn read_spec(file: &Path) -> Result<String, Vec<SpecError>> {
    let whole = |msg: String| vec![SpecError::whole_file(file.to_path_buf(), msg)];
    let size = std::fs::metadata(file)
        .map_err(|e| whole(format!("cannot read: {e}")))?
        .len();
    if size > MAX_SPEC_BYTES {
        return Err(whole(format!(
            "the file is {size} bytes; a spec may be at most {MAX_SPEC_BYTES}"
        )));
    }
    let bytes = std::fs::read(file).map_err(|e| whole(format!("cannot read: {e}")))?;
    let mut source =
        String::from_utf8(bytes).map_err(|e| not_utf8(file, e.as_bytes(), e.utf8_error()))?;
    // Some Windows editors start UTF-8 files with a byte order mark.
    if source.starts_with('\u{feff}') {
        source.remove(0);
    }
    Ok(source)
}

fn parse_spec(file: &Path, name: &str, source: String) -> Result<Loaded, Failure> {
    let whole = |msg: String| vec![SpecError::whole_file(file.to_path_buf(), msg)];
    let mut errors = Vec::new();
    let at = |pos, snippet: &str, msg: String| {
        SpecError::at(file.to_path_buf(), &source, pos, snippet, msg)
    };

    let (root, problems) = match yaml::parse(&source) {
        Ok(parsed) => parsed,
        Err(p) => return Err(Failure::Unread(vec![at(p.pos, &p.snippet, p.message)])),
    };
    for p in problems {
        let mut message = p.message;
        if message.starts_with("duplicate key") && checks::kind_of(&p.snippet).is_some() {
            message.push_str(" (or, if this line starts another check, begin it with `- `)");
        }
        errors.push(at(p.pos, &p.snippet, message));
    }
    let Some(root) = root.filter(|r| !r.is_null()) else {
        return Err(Failure::Unread(whole(
            "the file is empty; a spec needs at least `checks:` with a list of checks".into(),
        )));
    };
    let Value::Map(entries) = &root.value else {
        return Err(Failure::Unread(vec![at(
            root.pos,
            &snippet_of(&root),
            format!(
                "a spec is a map with `description`, `requires` and `checks`, not {}",
                root.type_name()
            ),
        )]));
    };

    let de_errors = RefCell::new(Vec::<DeError>::new());
    // `command: lua` at the top: a check written outside the list.
    let errors_before = errors.len();
    for (key, _) in entries {
        let name = key.as_str().unwrap_or_default();
        if checks::kind_of(name).is_some() || COMMON_KEYS.contains(&name) {
            errors.push(at(
                key.pos,
                name,
                format!(
                    "`{name}` belongs to a check: put checks in the list under `checks:`, \
                     e.g. `checks:` then `  - command: lua` on the next line"
                ),
            ));
        }
    }
    let header_node = Node {
        pos: root.pos,
        value: Value::Map(
            entries
                .iter()
                .filter(|(k, _)| {
                    let name = k.as_str().unwrap_or_default();
                    name != "checks"
                        && checks::kind_of(name).is_none()
                        && !COMMON_KEYS.contains(&name)
                })
                .cloned()
                .collect(),
        ),
    };
    let header: SpecHeader = from_node(&header_node, &de_errors, &["checks"]).unwrap_or_default();
    let requires: Vec<(String, Node)> = entries
        .iter()
        .find(|(k, _)| k.as_str() == Some("requires"))
        .and_then(|(_, v)| match &v.value {
            Value::Seq(items) => Some(
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(|s| (s.to_string(), i.clone())))
                    .collect(),
            ),
            _ => None,
        })
        .unwrap_or_default();

    let mut checks = Vec::new();
    match entries.iter().find(|(k, _)| k.as_str() == Some("checks")) {
        None if header.requires.is_empty() && errors.len() == errors_before => errors.push(at(
            root.pos,
            &snippet_of(&root),
            "missing key `checks`: add `checks:` with a list of checks (or `requires:` naming other resources)".into(),
        )),
        None => {}
        Some((_, node)) if node.is_null() => {}
        Some((_, node)) => match &node.value {
            Value::Seq(items) => {
                for item in items {
                    if let Some(check) = read_check(item, name, file, &de_errors) {
                        checks.push(check);
                    }
                }
            }
            _ => errors.push(at(
                node.pos,
                &snippet_of(node),
                format!(
                    "`checks` must be a list (each item starting with `- `), not {}",
                    node.type_name()
                ),
            )),
        },
    }
    for e in de_errors.into_inner() {
        let pos = e.pos.unwrap_or(root.pos);
        errors.push(at(pos, &e.snippet, e.message));
    }
    errors.sort_by_key(|e| e.pos.map(|p| (p.line, p.col)));
    if !errors.is_empty() {
        return Err(Failure::Read(errors, requires, source));
    }
    assign_ids(&mut checks);
    Ok((
        Resource {
            name: name.to_string(),
            file: file.to_path_buf(),
            description: header.description,
            redact: header.redact,
            requires: Vec::new(),
            checks: checks.into_iter().map(Arc::new).collect(),
        },
        requires,
        source,
    ))
}

/// Points at the first byte that is not UTF-8, in a line shown lossily.
fn not_utf8(file: &Path, bytes: &[u8], e: std::str::Utf8Error) -> Vec<SpecError> {
    let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
    let byte = bytes[e.valid_up_to()];
    vec![SpecError::at(
        file.to_path_buf(),
        &String::from_utf8_lossy(bytes),
        Pos::after(&valid),
        "\u{FFFD}",
        format!(
            "the byte 0x{byte:02X} is not UTF-8 (an editor saving in Latin-1 or Windows-1252 \
             writes such bytes); save the spec as UTF-8"
        ),
    )]
}

fn read_check(
    node: &Node,
    resource: &str,
    file: &Path,
    errors: &RefCell<Vec<DeError>>,
) -> Option<Check> {
    let fail = |node: &Node, msg: String| {
        errors.borrow_mut().push(DeError {
            pos: Some(node.pos),
            message: msg,
            snippet: snippet_of(node),
        });
        None
    };
    let Value::Map(entries) = &node.value else {
        return fail(
            node,
            format!(
                "a check is a map such as `- command: lua`, not {}",
                node.type_name()
            ),
        );
    };
    let mut kinds: Vec<(&Node, &'static checks::Registration)> = entries
        .iter()
        .filter_map(|(k, _)| Some((k, checks::kind_of(k.as_str()?)?)))
        .collect();
    // A key that names a kind may also be a key of another kind present
    // (`group` of `file`): then it is that kind's key, not a second kind.
    if kinds.len() > 1 {
        let owners: Vec<&'static checks::Registration> = kinds
            .iter()
            .map(|(_, r)| *r)
            .filter(|r| {
                kinds
                    .iter()
                    .all(|(k, _)| r.has_key(k.as_str().unwrap_or_default()))
            })
            .collect();
        if let [owner] = owners.as_slice() {
            kinds.retain(|(_, r)| r.key == owner.key);
        }
    }
    let registration = match kinds.as_slice() {
        [(_, one)] => *one,
        // The merge key that was to bring the kind is reported already.
        [] if entries
            .iter()
            .any(|(k, _)| k.as_str() == Some(crate::spec::de::MERGE_KEY)) =>
        {
            return None
        }
        [] => {
            // A misspelt kind is the likely cause: point at it.
            let typo = entries
                .iter()
                .map(|(k, _)| k)
                .filter(|k| !COMMON_KEYS.contains(&k.as_str().unwrap_or_default()))
                .map(|k| {
                    (
                        k,
                        did_you_mean(k.as_str().unwrap_or_default(), checks::kind_keys()),
                    )
                })
                .find(|(_, s)| !s.is_empty());
            let (at, suggestion) = typo.unwrap_or((node, String::new()));
            return fail(
                at,
                format!(
                    "this check has no kind{suggestion}; every check needs exactly one of {}",
                    checks::kind_keys()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        [_, (second, _), ..] => {
            let names: Vec<&str> = kinds.iter().map(|(_, k)| k.key).collect();
            return fail(
                second,
                format!(
                    "a check has exactly one kind, this one has {}; split it into {} checks, each starting with `- `",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(" and "),
                    names.len()
                ),
            );
        }
    };
    let kind_key = registration.key;

    let (common_entries, mut kind_entries): (Vec<_>, Vec<_>) = entries
        .iter()
        .cloned()
        .partition(|(k, _)| COMMON_KEYS.contains(&k.as_str().unwrap_or_default()));
    let common_node = Node {
        pos: common_entries.first().map_or(node.pos, |(k, _)| k.pos),
        value: Value::Map(common_entries),
    };
    // An error about the kind's keys as a whole (a missing `free`) points
    // at the kind key, so the kind key goes first.
    kind_entries.sort_by_key(|(k, _)| k.as_str() != Some(kind_key));
    let kind_node = Node {
        pos: kind_entries.first().map_or(node.pos, |(k, _)| k.pos),
        value: Value::Map(kind_entries),
    };
    let common: Option<CheckCommon> = from_node(&common_node, errors, &[]);
    let errors_before = errors.borrow().len();
    let Some(kind) = registration.read(&kind_node, errors) else {
        // A reader that fails says why; one that does not would drop the
        // check without a word.
        if errors.borrow().len() == errors_before {
            return fail(node, format!("this `{kind_key}` check could not be read"));
        }
        return None;
    };
    if let Some(conflict) = conflict(&kind) {
        let at = entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(conflict.key))
            .map(|(k, v)| if conflict.at_value { v } else { k })
            .unwrap_or(node);
        return fail(at, conflict.message);
    }
    let subject = kind.subject();
    Some(Check {
        id: format!("{resource}/{kind_key}:{subject}"),
        resource: resource.to_string(),
        common: common?,
        kind,
        source: format!("{}:{}", file.display(), node.pos.line),
    })
}

/// Keys that are each valid but make no sense together, the kind's own
/// rules after the one every kind shares: a subject to check.
fn conflict(kind: &CheckKind) -> Option<checks::Conflict> {
    if kind.subject().trim().is_empty() {
        return Some(checks::Conflict {
            key: kind.name(),
            message: format!("`{}` is empty: name what to check", kind.name()),
            at_value: false,
        });
    }
    kind.conflict()
}

fn assign_ids(checks: &mut [Check]) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for check in checks {
        let n = counts.entry(check.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            check.id = format!("{}#{n}", check.id);
        }
    }
}

/// Each cycle in `requires`, once: the resource and the `requires` entry
/// that closes it, with the message.
fn find_cycles(resources: &[Resource]) -> Vec<(usize, String, String)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit(
        i: usize,
        resources: &[Resource],
        marks: &mut [Mark],
        path: &mut Vec<usize>,
        out: &mut Vec<(usize, String, String)>,
    ) {
        marks[i] = Mark::Active;
        path.push(i);
        for req in &resources[i].requires {
            let Some(j) = resources.iter().position(|r| &r.name == req) else {
                continue;
            };
            match marks[j] {
                Mark::New => visit(j, resources, marks, path, out),
                Mark::Active => {
                    let start = path.iter().position(|p| *p == j).unwrap_or(0);
                    let mut names: Vec<&str> = path[start..]
                        .iter()
                        .map(|p| resources[*p].name.as_str())
                        .collect();
                    names.push(&resources[j].name);
                    out.push((
                        i,
                        req.clone(),
                        format!(
                            "`requires` goes round in a circle: {}; remove one of these requires",
                            names.join(" -> ")
                        ),
                    ));
                }
                Mark::Done => {}
            }
        }
        path.pop();
        marks[i] = Mark::Done;
    }
    let mut marks = vec![Mark::New; resources.len()];
    let mut out = Vec::new();
    for i in 0..resources.len() {
        if marks[i] == Mark::New {
            visit(i, resources, &mut marks, &mut Vec::new(), &mut out);
        }
    }
    out
}

#[cfg(test)]
pub mod schema;
#[cfg(test)]
mod tests;

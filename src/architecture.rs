//! ARCHITECTURE.md's map of which module uses which, checked against the
//! code: every `crate::MODULE` a module's code (tests aside) names must be
//! in the map's list for it, and the list must name nothing the code does
//! not use, so the map cannot drift. And the graph has no loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The top-level modules each module's code uses, read from src/.
fn from_code(src: &Path) -> Graph {
    let mut graph = Graph::new();
    let mut files = vec![src.to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read src").flatten() {
                files.push(entry.path());
            }
            continue;
        }
        let rel = path.strip_prefix(src).expect("under src");
        let top = rel
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .unwrap_or_default();
        let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let is_test = matches!(
            name,
            "tests.rs" | "testing.rs" | "fake.rs" | "architecture.rs"
        );
        if path.extension().is_none_or(|e| e != "rs")
            || is_test
            || matches!(top.as_str(), "lib" | "main")
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read file");
        // The code before its test modules, without comments.
        let code = before_tests(&text);
        let uses = graph.entry(top.clone()).or_default();
        for line in code.lines() {
            let line = line.split("//").next().unwrap_or_default();
            for (i, _) in line.match_indices("crate::") {
                let used: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !used.is_empty() && used != top {
                    uses.insert(used);
                }
            }
        }
    }
    graph
}

/// A file's text up to its first test module (`#[cfg(test)]`,
/// `#[cfg(all(test, unix))]`… before a `mod`).
fn before_tests(text: &str) -> &str {
    let mut at = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let attribute = line.trim_start();
        if attribute.starts_with("#[cfg(")
            && attribute.contains("test")
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            return &text[..at];
        }
        at += line.len();
    }
    text
}

/// The map's list: the lines of the ```` ```dependencies ```` block,
/// `module -> a, b, c`.
fn from_map(text: &str) -> Graph {
    let block = text
        .split("```dependencies\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("ARCHITECTURE.md has a ```dependencies block");
    block
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (module, uses) = line.split_once("->").unwrap_or((line, ""));
            let uses = uses
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty() && *u != "nothing")
                .map(String::from)
                .collect();
            (module.trim().to_string(), uses)
        })
        .collect()
}

/// A loop in the graph, if there is one: the modules on it.
fn a_loop(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        module: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut found = path[at..].to_vec();
            found.push(module.to_string());
            return Some(found);
        }
        if !done.insert(module.to_string()) {
            return None;
        }
        path.push(module.to_string());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_map_of_dependencies_is_the_code_and_has_no_loop() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let code = from_code(&root.join("src"));
    let map = from_map(&std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("map"));
    let mut wrong = Vec::new();
    for (module, uses) in &code {
        let listed = map.get(module).cloned().unwrap_or_default();
        for missing in uses.difference(&listed) {
            wrong.push(format!(
                "{module} uses {missing}, which the map does not list"
            ));
        }
        for stale in listed.difference(uses) {
            wrong.push(format!(
                "the map says {module} uses {stale}; the code does not"
            ));
        }
    }
    for module in map.keys().filter(|m| !code.contains_key(*m)) {
        wrong.push(format!("the map lists {module}, which is not a module"));
    }
    assert!(
        wrong.is_empty(),
        "ARCHITECTURE.md's dependencies:\n{}",
        wrong.join("\n")
    );
    assert_eq!(a_loop(&code), None, "a loop between modules");
}

#[test]
fn a_loop_is_found() {
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .iter()
        .map(|(m, u)| (m.to_string(), BTreeSet::from([u.to_string()])))
        .collect();
    assert_eq!(
        a_loop(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

/// The fuzz targets (fuzz/, a workspace of their own) are built with the
/// crates the probe ships with: fuzz/Cargo.lock may not pin another
/// version of a crate Cargo.lock has.
#[test]
fn fuzzing_builds_the_versions_that_ship() {
    fn versions(lock: &str) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for package in lock.split("[[package]]").skip(1) {
            let field = |key: &str| {
                package
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim_matches(['=', ' ', '"']).to_string())
            };
            if let (Some(name), Some(version)) = (field("name"), field("version")) {
                out.entry(name).or_default().insert(version);
            }
        }
        out
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).expect(p);
    let (shipped, fuzzed) = (
        versions(&read("Cargo.lock")),
        versions(&read("fuzz/Cargo.lock")),
    );
    let differ: Vec<String> = fuzzed
        .iter()
        .filter_map(|(name, v)| {
            let s = shipped.get(name)?;
            (s != v).then(|| format!("{name}: fuzzed {v:?}, shipped {s:?}"))
        })
        .collect();
    assert!(
        differ.is_empty(),
        "fuzz/Cargo.lock differs (cd fuzz && cargo update -p NAME --precise VERSION):\n{}",
        differ.join("\n")
    );
    assert!(shipped.contains_key("yaml-rust2") && fuzzed.contains_key("yaml-rust2"));
}

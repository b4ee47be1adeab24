//! The JSON Schema of a spec file, built from the very types the loader
//! reads (test builds only), and committed as `docs/probe.schema.json`,
//! which `probe schema` prints.
//!
//! A check in YAML is one flat map: its kind key, that kind's keys, and the
//! keys every check may carry. So each kind's object schema gets
//! [`CheckCommon`]'s properties merged in, and a check is any one of them.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::checks;
use crate::spec::values::*;

/// Where the committed copy lives, from the crate root.
pub const SCHEMA_PATH: &str = "docs/probe.schema.json";

/// A name, not an address: nothing needs to fetch it. Editors are pointed
/// at the file itself (see docs/spec.md).
pub const SCHEMA_ID: &str = "urn:probe:spec-schema:1";

/// The schema, as committed: pretty JSON with a trailing newline.
pub fn spec_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&spec_schema()).unwrap_or_default();
    text.push('\n');
    text
}

pub fn spec_schema() -> Value {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let common = object_of::<CheckCommon>(&mut generator);
    let common_properties = common
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();

    // In the order of the kinds table, which is the order docs/spec.md
    // documents them in.
    let kinds: Vec<(String, Map<String, Value>)> = checks::KINDS
        .iter()
        .map(|kind| (kind.schema)(&mut generator))
        .collect();

    let header = object_of::<SpecHeader>(&mut generator);
    let mut properties = header
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    properties.insert(
        "checks".into(),
        json!({
            "description": "The checks, in the order they are reported. Each is a map with \
                            exactly one kind key (`command`, `absent`, `run`, ...).",
            "type": ["array", "null"],
            "items": { "$ref": "#/$defs/Check" }
        }),
    );

    let mut defs = generator.take_definitions(true);
    let mut refs = Vec::new();
    for (name, mut schema) in kinds {
        let Some(own) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for (key, value) in &common_properties {
            own.insert(key.clone(), value.clone());
        }
        schema.insert("additionalProperties".into(), Value::Bool(false));
        refs.push(json!({ "$ref": format!("#/$defs/{name}") }));
        defs.insert(name, Value::Object(schema));
    }
    defs.insert(
        "Check".into(),
        json!({
            "description": "One check: one kind key with that kind's keys, plus any of \
                            `title`, `hint`, `timeout`, `os`.",
            "anyOf": refs
        }),
    );

    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "probe spec",
        "description": "A probe spec: the checks a build agent must pass to offer one GoCD \
                        resource. One YAML file per resource, named after it (probes/lua.yaml \
                        for `lua`). See docs/spec.md.",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "anyOf": [
            { "required": ["checks"] },
            { "required": ["requires"], "properties": { "requires": { "minItems": 1 } } }
        ],
        "$defs": defs
    });
    unwrap_descriptions(&mut schema);
    schema
}

/// Doc comments keep their line breaks; an editor's tooltip should not.
fn unwrap_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(text) if key == "description" => {
                        *text = text
                            .split("\n\n")
                            .map(|paragraph| paragraph.replace('\n', " "))
                            .collect::<Vec<_>>()
                            .join("\n\n");
                    }
                    other => unwrap_descriptions(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// The object schema of a struct, inline (not a `$ref`).
fn object_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Map<String, Value> {
    match T::json_schema(generator).to_value() {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The kind each `$defs` entry is for: its one required key.
    fn required_keys(schema: &Value, def: &str) -> Vec<String> {
        schema["$defs"][def]["required"]
            .as_array()
            .map(|keys| {
                keys.iter()
                    .filter_map(|k| k.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn each_kind_requires_its_kind_key_and_allows_the_common_keys_and_nothing_else() {
        let schema = spec_schema();
        let branches = schema["$defs"]["Check"]["anyOf"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut kind_keys = Vec::new();
        for branch in &branches {
            let def = branch["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/$defs/"))
                .expect("a $ref into $defs");
            let required = required_keys(&schema, def);
            let kinds: Vec<&String> = required
                .iter()
                .filter(|k| checks::kind_of(k).is_some())
                .collect();
            assert_eq!(kinds.len(), 1, "{def} requires one kind key: {required:?}");
            let object = &schema["$defs"][def];
            assert_eq!(object["additionalProperties"], json!(false), "{def}");
            for key in COMMON_KEYS.iter().chain(&[kinds[0].as_str()]) {
                assert!(object["properties"].get(key).is_some(), "{def} has `{key}`");
            }
            kind_keys.push(kinds[0].clone());
        }
        assert_eq!(
            kind_keys,
            checks::kind_keys().collect::<Vec<_>>(),
            "the schema knows every kind, in order"
        );
    }

    #[test]
    fn the_top_level_is_the_header_plus_checks() {
        let schema = spec_schema();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        let mut keys: Vec<&str> = schema["properties"]
            .as_object()
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        assert_eq!(keys, ["checks", "description", "redact", "requires"]);
        assert_eq!(schema["additionalProperties"], json!(false));
    }

    /// The committed schema is what these types generate. `probe schema`
    /// prints the committed file, so a change to the spec types that is
    /// not regenerated would hand editors a stale schema.
    #[test]
    fn the_committed_schema_matches_the_spec_types() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_PATH);
        let generated = spec_schema_text();
        if std::env::var_os("PROBE_BLESS").is_some_and(|v| v == "1") {
            std::fs::write(&path, &generated)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            return;
        }
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .replace("\r\n", "\n");
        assert!(
            committed == generated,
            "{SCHEMA_PATH} is out of date with the spec types (src/checks/*.rs, src/spec/values.rs).\n\
             Regenerate it, review the diff and commit it:\n\n    \
             PROBE_BLESS=1 cargo test --lib catalog::schema\n"
        );
    }
}

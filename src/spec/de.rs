//! A serde deserializer over [`Node`]s that keeps positions.
//!
//! Every error it returns names the node it happened at, and unknown keys are
//! all collected (with a "did you mean") before the struct itself is read, so
//! one run reports every typo in a check instead of only the first.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use super::yaml::{parse_bool, Node, Pos, Value};
use crate::text::did_you_mean;

/// YAML's merge key, which the spec reader reports rather than reads.
pub const MERGE_KEY: &str = "<<";

#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    pub pos: Option<Pos>,
    pub message: String,
    /// The text the caret underlines.
    pub snippet: String,
}

impl DeError {
    pub fn at(mut self, node: &Node) -> DeError {
        if self.pos.is_none() {
            self.pos = Some(node.pos);
            self.snippet = snippet_of(node);
        }
        self
    }
}

/// The text to underline for a node: a scalar's text, or its first character.
pub fn snippet_of(node: &Node) -> String {
    match &node.value {
        Value::Scalar { text, .. } => text.lines().next().unwrap_or_default().to_string(),
        Value::Seq(_) => "-".to_string(),
        Value::Map(entries) => match entries.first() {
            // A block map starts at its first key; a flow map at its `{`.
            Some((key, _)) if key.pos == node.pos => key.as_str().unwrap_or_default().to_string(),
            _ => "{".to_string(),
        },
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            pos: None,
            message: msg.to_string(),
            snippet: String::new(),
        }
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        let serde_words = exp.to_string();
        let expected = plain_words(&serde_words);
        // One value where a list belongs is the usual slip: show the list.
        let fix = match (expected, unexp) {
            ("a list", de::Unexpected::Str(s)) => format!("; write a list: `[{s}]`"),
            ("a string", de::Unexpected::Seq) => "; write a single value, not a list".into(),
            (_, de::Unexpected::Unit) => "; write a value after the `:`".into(),
            _ => String::new(),
        };
        Self::custom(format_args!(
            "expected {expected}, found {}{fix}",
            describe(unexp)
        ))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::custom(format_args!(
            "unknown value `{variant}`{}; expected {}",
            did_you_mean(variant, expected.iter().copied()),
            one_of(expected)
        ))
    }

    fn missing_field(field: &'static str) -> Self {
        Self::custom(format_args!("missing key `{field}`; add `{field}:` here"))
    }
}

/// Serde's names for what it expected, as a spec's author would say them.
fn plain_words(expected: &str) -> &str {
    match expected {
        "a sequence" => "a list",
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" => "`true` or `false`",
        other => other,
    }
}

fn describe(unexp: de::Unexpected<'_>) -> String {
    match unexp {
        de::Unexpected::Str(s) => format!("the string `{s}`"),
        de::Unexpected::Map => "a map".into(),
        de::Unexpected::Seq => "a list".into(),
        de::Unexpected::Bool(b) => format!("the boolean `{b}`"),
        de::Unexpected::Unsigned(n) => format!("the number `{n}`"),
        de::Unexpected::Signed(n) => format!("the number `{n}`"),
        de::Unexpected::Float(n) => format!("the number `{n}`"),
        de::Unexpected::Unit => "nothing (null)".into(),
        other => other.to_string(),
    }
}

/// "one of `a`, `b`, `c`" (or "`a`" for a single choice).
pub fn one_of(expected: &[&str]) -> String {
    let quoted: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
    match quoted.len() {
        0 => "nothing here".to_string(),
        1 => quoted[0].clone(),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

/// Reads `T` from `node`. Every problem found is added to `errors`; the value
/// is returned only when there was none.
pub fn from_node<T: DeserializeOwned>(
    node: &Node,
    errors: &RefCell<Vec<DeError>>,
    also_known: &'static [&'static str],
) -> Option<T> {
    let before = errors.borrow().len();
    let de = NodeDeserializer {
        node,
        errors,
        also_known,
    };
    match T::deserialize(de) {
        Ok(value) if errors.borrow().len() == before => Some(value),
        Ok(_) => None,
        Err(e) => {
            errors.borrow_mut().push(e.at(node));
            None
        }
    }
}

struct NodeDeserializer<'a> {
    node: &'a Node,
    errors: &'a RefCell<Vec<DeError>>,
    /// Keys that the caller handles itself (the keys every check may carry):
    /// not reported as unknown, but offered as suggestions.
    also_known: &'static [&'static str],
}

impl<'a> NodeDeserializer<'a> {
    fn child(&self, node: &'a Node) -> NodeDeserializer<'a> {
        NodeDeserializer {
            node,
            errors: self.errors,
            also_known: &[],
        }
    }

    fn scalar(&self) -> Option<(&'a str, bool)> {
        match &self.node.value {
            Value::Scalar { text, plain } => Some((text.as_str(), *plain)),
            _ => None,
        }
    }

    fn unexpected(&self) -> de::Unexpected<'a> {
        match &self.node.value {
            Value::Seq(_) => de::Unexpected::Seq,
            Value::Map(_) => de::Unexpected::Map,
            Value::Scalar { text, .. } => {
                if self.node.is_null() {
                    de::Unexpected::Unit
                } else {
                    de::Unexpected::Str(text)
                }
            }
        }
    }

    fn integer<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.node;
        let parsed = self.scalar().and_then(|(t, plain)| {
            if !plain {
                return None;
            }
            t.parse::<u64>()
                .map(Ok)
                .or_else(|_| t.parse::<i64>().map(Err))
                .ok()
        });
        let result = match parsed {
            Some(Ok(n)) => visitor.visit_u64(n),
            Some(Err(n)) => visitor.visit_i64(n),
            None => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        result.map_err(|e: DeError| e.at(node))
    }
}

impl<'de> de::Deserializer<'de> for NodeDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.node;
        let result = match &node.value {
            Value::Seq(items) => visitor.visit_seq(SeqAccess {
                de: &self,
                items: items.iter(),
            }),
            Value::Map(entries) => visitor.visit_map(MapAccess {
                de: &self,
                entries: entries.iter(),
                value: None,
                fields: None,
            }),
            Value::Scalar { text, plain } => {
                if *plain && node.is_null() {
                    visitor.visit_unit()
                } else if let (true, Some(b)) = (*plain, parse_bool(text)) {
                    visitor.visit_bool(b)
                } else if let (true, Ok(n)) = (*plain, text.parse::<u64>()) {
                    visitor.visit_u64(n)
                } else if let (true, Ok(n)) = (*plain, text.parse::<i64>()) {
                    visitor.visit_i64(n)
                } else {
                    visitor.visit_str(text)
                }
            }
        };
        result.map_err(|e: DeError| e.at(node))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.node;
        match self
            .scalar()
            .and_then(|(t, plain)| plain.then(|| parse_bool(t)).flatten())
        {
            Some(b) => visitor.visit_bool(b),
            None => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e: DeError| e.at(node))
    }

    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(v)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.node;
        match self
            .scalar()
            .and_then(|(t, plain)| plain.then(|| t.parse::<f64>().ok()).flatten())
        {
            Some(n) => visitor.visit_f64(n),
            None => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e: DeError| e.at(node))
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    /// Any scalar reads as text: `version: 3.10` must stay "3.10", not 3.1.
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.node;
        match &node.value {
            Value::Scalar { text, .. } if !node.is_null() => visitor.visit_str(text),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e: DeError| e.at(node))
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.node;
        if node.is_null() {
            visitor.visit_unit()
        } else {
            Err(<DeError as de::Error>::invalid_type(self.unexpected(), &visitor).at(node))
        }
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(v)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.node;
        match &node.value {
            Value::Seq(items) => visitor.visit_seq(SeqAccess {
                de: &self,
                items: items.iter(),
            }),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e: DeError| e.at(node))
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.node;
        match &node.value {
            Value::Map(entries) => visitor.visit_map(MapAccess {
                de: &self,
                entries: entries.iter(),
                value: None,
                fields: None,
            }),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e: DeError| e.at(node))
    }

    /// Reports every unknown key up front (but `<<`), then lets the struct read the
    /// known ones.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let node = self.node;
        let Value::Map(entries) = &node.value else {
            return Err(<DeError as de::Error>::invalid_type(self.unexpected(), &visitor).at(node));
        };
        for (key, _) in entries {
            let name = key.as_str().unwrap_or_default();
            // A merge key is reported once, where the YAML is read.
            if name == MERGE_KEY {
                continue;
            }
            if !fields.contains(&name) && !self.also_known.contains(&name) {
                let candidates = fields.iter().chain(self.also_known.iter()).copied();
                let mut known: Vec<&str> = fields.to_vec();
                known.extend(self.also_known.iter().copied());
                self.errors.borrow_mut().push(
                    <DeError as de::Error>::custom(format_args!(
                        "unknown key `{name}`{}; expected {}",
                        did_you_mean(name, candidates),
                        one_of(&known)
                    ))
                    .at(key),
                );
            }
        }
        visitor
            .visit_map(MapAccess {
                de: &self,
                entries: entries.iter(),
                value: None,
                fields: Some(fields),
            })
            .map_err(|e: DeError| e.at(node))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let node = self.node;
        match self.scalar() {
            Some((text, _)) => visitor.visit_enum(text.into_deserializer()),
            None => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e: DeError| e.at(node))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqAccess<'a, 'b> {
    de: &'b NodeDeserializer<'a>,
    items: std::slice::Iter<'a, Node>,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de, '_> {
    type Error = DeError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(item) => seed
                .deserialize(self.de.child(item))
                .map(Some)
                .map_err(|e| e.at(item)),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'a, 'b> {
    de: &'b NodeDeserializer<'a>,
    entries: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
    /// For structs: keys outside this list were already reported; skip them.
    fields: Option<&'static [&'static str]>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        for (key, value) in self.entries.by_ref() {
            if let Some(fields) = self.fields {
                if !fields.contains(&key.as_str().unwrap_or_default()) {
                    continue;
                }
            }
            self.value = Some(value);
            return seed
                .deserialize(self.de.child(key))
                .map(Some)
                .map_err(|e| e.at(key));
        }
        Ok(None)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let node = self
            .value
            .take()
            .ok_or_else(|| <DeError as de::Error>::custom("a key without a value"))?;
        seed.deserialize(self.de.child(node))
            .map_err(|e: DeError| e.at(node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::yaml;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        name: String,
        count: Option<u32>,
        tags: Option<Vec<String>>,
    }

    fn read(src: &str) -> (Option<Sample>, Vec<DeError>) {
        let node = yaml::parse(src).unwrap().0.unwrap();
        let errors = RefCell::new(Vec::new());
        let value = from_node::<Sample>(&node, &errors, &[]);
        (value, errors.into_inner())
    }

    #[test]
    fn reads_a_struct() {
        let (value, errors) = read("name: 3.10\ncount: 2\ntags: [a, b]\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            value,
            Some(Sample {
                name: "3.10".into(),
                count: Some(2),
                tags: Some(vec!["a".into(), "b".into()])
            })
        );
    }

    #[test]
    fn every_unknown_key_is_reported_with_a_suggestion() {
        let (value, errors) = read("nme: x\ncont: 2\nname: y\n");
        assert!(value.is_none());
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "unknown key `nme` (did you mean `name`?); expected one of `name`, `count`, `tags`",
                "unknown key `cont` (did you mean `count`?); expected one of `name`, `count`, `tags`"
            ]
        );
        assert_eq!(errors[1].pos, Some(Pos { line: 2, col: 1 }));
    }

    #[test]
    fn wrong_types_point_at_the_value() {
        let (_, errors) = read("name: x\ncount: lots\n");
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].message,
            "expected a whole number, found the string `lots`"
        );
        assert_eq!(errors[0].pos, Some(Pos { line: 2, col: 8 }));
        let (_, errors) = read("name: x\ntags: a\n");
        assert_eq!(
            errors[0].message,
            "expected a list, found the string `a`; write a list: `[a]`"
        );
    }

    #[test]
    fn a_missing_key_points_at_the_map() {
        let (_, errors) = read("count: 1\n");
        assert_eq!(errors[0].message, "missing key `name`; add `name:` here");
        assert_eq!(errors[0].pos, Some(Pos { line: 1, col: 1 }));
    }
}

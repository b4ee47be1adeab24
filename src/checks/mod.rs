//! The kinds of check. Each kind lives in its own file: the struct a spec's
//! check is read into (its keys, with doc comments that become the JSON
//! Schema), its [`Kind`] implementation (subject, name, how it is checked
//! against a [`World`]) and its tests. [`KINDS`] registers it, once.
//!
//! Why a table of registrations rather than an enum: everything that lists
//! the kinds (the loader's dispatch, the kind keys and their did-you-mean
//! vocabulary, the schema) reads this one table, so a kind cannot be known
//! to one of them and missing from another. A kind the loader sees is a kind
//! it can read: the key and the reader are the same entry.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use crate::redact::Redactor;
use crate::spec::de::{from_node, DeError};
use crate::spec::yaml::Node;
use crate::spec::{CheckCommon, OsFamily, COMMON_KEYS};
use crate::world::World;

mod absent;
mod accounts;
mod arch;
mod command;
mod cpus;
mod disk;
mod dns;
pub(crate) mod draft;
mod env;
pub(crate) mod expand;
mod file;
mod http;
mod memory;
mod mount;
pub(crate) mod observe;
mod outcome;
mod package;
mod path_contains;
mod platform;
mod port;
mod process;
mod run;
mod service;
mod spawn;
mod sysctl;
mod tcp;
#[cfg(test)]
pub(crate) mod testing;
mod user;
mod versioned;

pub use draft::{Draft, Val};
pub use observe::{Ask, Pin, Wanted};
pub use outcome::{Outcome, Status};

/// Every kind of check, in the order docs/spec.md lists them. Adding a kind:
/// ARCHITECTURE.md, "Add a check kind".
pub(crate) const KINDS: &[Registration] = &[
    Registration::of::<command::CommandCheck>(),
    Registration::of::<absent::AbsentCheck>(),
    Registration::of::<run::RunCheck>(),
    Registration::of::<env::EnvCheck>(),
    Registration::of::<path_contains::PathContainsCheck>(),
    Registration::of::<file::FileCheck>(),
    Registration::of::<user::UserCheck>(),
    Registration::of::<user::GroupCheck>(),
    Registration::of::<package::PackageCheck>(),
    Registration::of::<service::ServiceCheck>(),
    Registration::of::<platform::PlatformCheck>(),
    Registration::of::<arch::ArchCheck>(),
    Registration::of::<cpus::CpusCheck>(),
    Registration::of::<memory::MemoryCheck>(),
    Registration::of::<disk::DiskCheck>(),
    Registration::of::<process::ProcessCheck>(),
    Registration::of::<tcp::TcpCheck>(),
    Registration::of::<port::PortCheck>(),
    Registration::of::<http::HttpCheck>(),
    Registration::of::<dns::DnsCheck>(),
    Registration::of::<sysctl::SysctlCheck>(),
    Registration::of::<mount::MountCheck>(),
];

/// The key that names each kind (`command`, `file`...), in [`KINDS`] order.
pub(crate) fn kind_keys() -> impl Iterator<Item = &'static str> + Clone {
    KINDS.iter().map(|k| k.key)
}

/// The registration of `key`, if it names a kind.
pub(crate) fn kind_of(key: &str) -> Option<&'static Registration> {
    KINDS.iter().find(|k| k.key == key)
}

/// What a kind of check does, once its keys are read.
pub(crate) trait Kind: fmt::Debug + Send + Sync + 'static {
    /// What the check is about: a command, a path, a variable. With the
    /// kind's key it is the check's default name (`command lua`) and id.
    fn subject(&self) -> String;

    /// What narrows the check beyond its subject (`version >=17`), for a
    /// name that stays the same from run to run.
    fn qualifier(&self) -> Option<String> {
        None
    }

    /// Keys that are each valid but make no sense together.
    fn conflict(&self) -> Option<Conflict> {
        None
    }

    /// The system a machine must be for the check to pass (`platform:
    /// windows`): a spec with such a check, not limited by `os:`, is for
    /// that system.
    fn platform(&self) -> Option<OsFamily> {
        None
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome;
}

/// The static side of a kind: its key, how its keys are read (serde, over
/// the positioned YAML tree; the JSON Schema in test builds), and what
/// `probe add` writes for it.
pub(crate) trait Declared: Kind + DeserializeOwned + SchemaSource + Sized {
    /// The key that names the kind in a spec and in reports.
    const KEY: &'static str;

    /// The check of this kind about `ask.subject`, as this machine is. By
    /// default the check is its subject: evaluating it here tells whether
    /// it passes. A kind with more to learn (a version, a state) says so.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        ask.subject_only()
    }
}

/// Test builds generate the spec's JSON Schema from the kinds' own types.
#[cfg(test)]
pub(crate) trait SchemaSource: schemars::JsonSchema {}
#[cfg(test)]
impl<T: schemars::JsonSchema> SchemaSource for T {}
#[cfg(not(test))]
pub(crate) trait SchemaSource {}
#[cfg(not(test))]
impl<T> SchemaSource for T {}

/// Two keys of a check that cannot go together: the key to point at, and
/// what to do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conflict {
    pub key: &'static str,
    pub message: String,
    /// Point at the key's value rather than at the key.
    pub at_value: bool,
}

/// One entry of [`KINDS`].
pub(crate) struct Registration {
    pub key: &'static str,
    read: fn(&Node, &RefCell<Vec<DeError>>) -> Option<CheckKind>,
    observe: fn(&Ask) -> Result<Draft, String>,
    /// The kind's keys, as its struct declares them.
    fields: fn() -> &'static [&'static str],
    /// The kind's schema name and object schema (test builds only).
    #[cfg(test)]
    pub schema:
        fn(&mut schemars::SchemaGenerator) -> (String, serde_json::Map<String, serde_json::Value>),
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key)
    }
}

impl Registration {
    pub(crate) const fn of<T: Declared>() -> Registration {
        Registration {
            key: T::KEY,
            read: read_kind::<T>,
            observe: T::observe,
            fields: fields_of::<T>,
            #[cfg(test)]
            schema: schema_of::<T>,
        }
    }

    /// Whether `key` is one of this kind's own keys (`group` is one of
    /// `file`'s, besides naming a kind).
    pub(crate) fn has_key(&self, key: &str) -> bool {
        (self.fields)().contains(&key)
    }

    /// The check of this kind `probe add` writes about `subject`, as this
    /// machine is.
    pub(crate) fn observe(
        &'static self,
        subject: &str,
        wanted: &Wanted,
        world: &dyn World,
        secrets: &Redactor,
    ) -> Result<Draft, String> {
        (self.observe)(&Ask {
            kind: self,
            subject,
            wanted,
            world,
            secrets,
        })
    }

    /// Reads the kind's keys from `node` (the check's map without the
    /// common keys). Every problem is added to `errors`; None when there was one.
    pub(crate) fn read(&self, node: &Node, errors: &RefCell<Vec<DeError>>) -> Option<CheckKind> {
        (self.read)(node, errors)
    }
}

/// The field names serde's derive gives a struct, learnt by asking it to
/// read from a deserializer that only records them.
fn fields_of<T: Declared>() -> &'static [&'static str] {
    struct Fields(&'static [&'static str]);
    #[derive(Debug)]
    struct Stop;
    impl fmt::Display for Stop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("fields recorded")
        }
    }
    impl std::error::Error for Stop {}
    impl serde::de::Error for Stop {
        fn custom<M: fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    struct Recorder<'a>(&'a mut Fields);
    impl<'de> serde::Deserializer<'de> for Recorder<'_> {
        type Error = Stop;
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0 .0 = fields;
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields = Fields(&[]);
    let _ = T::deserialize(Recorder(&mut fields));
    fields.0
}

fn read_kind<T: Declared>(node: &Node, errors: &RefCell<Vec<DeError>>) -> Option<CheckKind> {
    from_node::<T>(node, errors, COMMON_KEYS).map(|spec| CheckKind {
        key: T::KEY,
        spec: Arc::new(spec),
    })
}

#[cfg(test)]
fn schema_of<T: Declared>(
    generator: &mut schemars::SchemaGenerator,
) -> (String, serde_json::Map<String, serde_json::Value>) {
    let object = match T::json_schema(generator).to_value() {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    (T::schema_name().into_owned(), object)
}

#[derive(Debug, Clone)]
/// One check of a spec, as the catalog read it: its kind and the keys
/// every check may carry.
pub struct Check {
    /// `resource/kind:subject`, with `#2`... when the same check repeats.
    pub id: String,
    pub resource: String,
    pub common: CheckCommon,
    pub kind: CheckKind,
    /// Where the check is written: `probes/lua.yaml:7`.
    pub source: String,
}

impl Check {
    /// How long the check may take: its own `timeout`, else the run's default.
    pub fn timeout(&self, default: Duration) -> Duration {
        self.common.timeout.map_or(default, |t| t.0)
    }

    /// The system its spec is for, when this check says so: a `platform`
    /// check that runs everywhere (no `os:`), which fails on any other.
    pub fn platform(&self) -> Option<OsFamily> {
        self.common
            .os
            .is_none()
            .then(|| self.kind.spec.platform())
            .flatten()
    }

    /// The systems it runs on, when `os:` limits them.
    pub fn only_on(&self) -> Option<&[OsFamily]> {
        self.common.os.as_ref().map(|only| only.0.as_slice())
    }
}

/// A check's kind and its keys, as read from the spec.
#[derive(Clone)]
pub struct CheckKind {
    key: &'static str,
    spec: Arc<dyn Kind>,
}

impl fmt::Debug for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.spec.fmt(f)
    }
}

impl CheckKind {
    /// The kind's key, as written in the spec and shown in reports.
    pub fn name(&self) -> &'static str {
        self.key
    }

    pub fn subject(&self) -> String {
        self.spec.subject()
    }

    pub(crate) fn qualifier(&self) -> Option<String> {
        self.spec.qualifier()
    }

    pub(crate) fn conflict(&self) -> Option<Conflict> {
        self.spec.conflict()
    }
}

/// What a check's evaluation may use besides the world.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// How long a command it spawns (or a connection it makes) may take.
    pub timeout: Duration,
    /// The run's secrets: text a check shortens (an output excerpt, a long
    /// value) is redacted first, so that no part of a secret survives the cut.
    pub secrets: &'a Redactor,
    /// When the check's time is up: matching a pattern against output
    /// stops there (see [`too_slow`]).
    pub deadline: Instant,
}

/// The outcome of a pattern whose matching against `what` did not finish
/// in the check's time.
pub(crate) fn too_slow(pattern: &crate::spec::Pattern, what: &str, cx: &Context) -> Outcome {
    Outcome::error(format!(
        "matching `{}` against {what} did not finish within the check's timeout ({}): \
         simplify the pattern, or give the check a longer `timeout`",
        pattern.as_str(),
        crate::quantity::format_duration(cx.timeout)
    ))
}

/// What every check evaluation may need besides the world.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Timeout for a spawned command when the check sets none.
    pub default_timeout: Duration,
    /// When the whole run must be over.
    pub deadline: Instant,
}

impl Budget {
    /// The time this check may take: its own timeout, cut to what the run has left.
    pub(crate) fn for_check(&self, check: &Check) -> Duration {
        check
            .timeout(self.default_timeout)
            .min(self.deadline.saturating_duration_since(Instant::now()))
    }
}

/// Evaluates one check: skipped when its `os` filter excludes this machine.
/// What it found is redacted: secret values never leave the check.
pub fn evaluate(check: &Check, world: &dyn World, budget: &Budget, secrets: &Redactor) -> Outcome {
    let outcome = evaluate_unredacted(check, world, budget, secrets);
    redact(outcome, check.common.sensitive == Some(true), secrets)
}

fn evaluate_unredacted(
    check: &Check,
    world: &dyn World,
    budget: &Budget,
    secrets: &Redactor,
) -> Outcome {
    if let Some(only) = &check.common.os {
        let here = world.os_family();
        if !only.0.contains(&here) {
            let list: Vec<String> = only.0.iter().map(ToString::to_string).collect();
            return Outcome::new(
                Status::Skipped,
                format!("only checked on {}; this is {here}", list.join(", ")),
            );
        }
    }
    let timeout = budget.for_check(check);
    let cx = Context {
        timeout,
        secrets,
        deadline: Instant::now() + timeout,
    };
    check.kind.spec.evaluate(world, &cx)
}

/// What the report shows of a sensitive check's findings.
const SENSITIVE: &str = "<hidden: sensitive check>";

fn redact(mut o: Outcome, sensitive: bool, secrets: &Redactor) -> Outcome {
    if sensitive {
        if !o.actual.is_empty() {
            o.actual = SENSITIVE.to_string();
        }
        o.found_in = None;
        o.output = None;
    }
    let clean = |text: &mut String| {
        if let std::borrow::Cow::Owned(redacted) = secrets.redact(text) {
            *text = redacted;
        }
    };
    clean(&mut o.message);
    clean(&mut o.expected);
    clean(&mut o.actual);
    if let Some(location) = &mut o.location {
        clean(location);
    }
    if let Some(found_in) = &mut o.found_in {
        clean(found_in);
    }
    if let Some(output) = &mut o.output {
        clean(output);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::testing::{check, eval, other_os};
    use super::*;
    use crate::spec::OsFamily;
    use crate::world::fake::{exited, FakeWorld};

    #[test]
    fn every_kind_has_one_key_and_reads_a_minimal_check() {
        let keys: Vec<&str> = kind_keys().collect();
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "a key registered twice: {keys:?}");
        // The smallest check of each kind: its key and what it requires.
        let minimal = |key: &str| -> String {
            match key {
                "run" => "run: [true]".into(),
                "disk" => "disk: .\nfree: 1 B".into(),
                "tcp" => "tcp: localhost:1".into(),
                "port" => "port: 1".into(),
                "http" => "http: http://x/".into(),
                "platform" => "platform: linux".into(),
                "cpus" | "memory" => format!("{key}: 1"),
                other => format!("{other}: x"),
            }
        };
        for key in keys {
            let c = check(&minimal(key));
            assert_eq!(c.kind.name(), key);
            assert!(!c.kind.subject().is_empty(), "{key} has a subject");
            assert!(c.id.contains(&format!("/{key}:")), "{}", c.id);
        }
    }

    /// A kind in the table is a kind people can read about: docs/spec.md
    /// has a section for it, and the README names it.
    #[test]
    fn every_kind_is_documented() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let spec = std::fs::read_to_string(root.join("docs/spec.md")).expect("docs/spec.md");
        let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
        let headings: Vec<&str> = spec.lines().filter(|l| l.starts_with("### ")).collect();
        for key in kind_keys() {
            let named = format!("`{key}`");
            assert!(
                headings.iter().any(|h| h.contains(&named)),
                "docs/spec.md has no `### ` section for the `{key}` kind"
            );
            assert!(
                readme.contains(&named) || readme.contains(&format!("- {key}:")),
                "README.md does not name the `{key}` kind"
            );
        }
    }

    #[test]
    fn each_kind_knows_its_own_keys() {
        let file = kind_of("file").expect("file");
        assert!(file.has_key("file") && file.has_key("group") && file.has_key("owner"));
        assert!(!file.has_key("groups"));
        for key in kind_keys() {
            assert!(
                kind_of(key).expect("kind").has_key(key),
                "{key} is a key of its own kind"
            );
        }
    }

    #[test]
    fn a_kind_added_through_the_table_is_read_named_and_evaluated() {
        // What ARCHITECTURE.md's recipe asks of a new kind, followed here
        // with a throwaway one that lives only in this test.
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        struct GreetingCheck {
            greeting: String,
            loud: Option<bool>,
        }
        impl Kind for GreetingCheck {
            fn subject(&self) -> String {
                self.greeting.clone()
            }
            fn qualifier(&self) -> Option<String> {
                self.loud.filter(|l| *l).map(|_| "loud".into())
            }
            fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
                Outcome::verdict(
                    world.var("GREETING").is_some_and(|v| v == *self.greeting),
                    format!("hello {}", self.greeting),
                )
            }
        }
        impl Declared for GreetingCheck {
            const KEY: &'static str = "greeting";
        }
        static ENTRY: Registration = Registration::of::<GreetingCheck>();
        let entry = &ENTRY;
        assert_eq!(entry.key, "greeting");
        let node = crate::spec::yaml::parse("greeting: world\nloud: true\n")
            .ok()
            .and_then(|(root, _)| root)
            .expect("yaml");
        let errors = RefCell::new(Vec::new());
        let kind = entry.read(&node, &errors).expect("read");
        assert!(errors.borrow().is_empty());
        assert_eq!(
            (kind.name(), kind.subject(), kind.qualifier()),
            ("greeting", "world".to_string(), Some("loud".to_string()))
        );
        let world = FakeWorld::default().var("GREETING", "world");
        // `probe add greeting world` writes it, with nothing to add elsewhere.
        let draft = entry
            .observe(
                "world",
                &Wanted::default(),
                &world,
                &crate::redact::Redactor::default(),
            )
            .expect("observed");
        assert_eq!(draft.lines(), Ok(vec!["greeting: world".to_string()]));
        let o = kind.spec.evaluate(
            &world,
            &Context {
                timeout: Duration::from_secs(1),
                secrets: &crate::redact::Redactor::default(),
                deadline: std::time::Instant::now() + Duration::from_secs(1),
            },
        );
        assert_eq!(
            (o.status, o.message.as_str()),
            (Status::Pass, "hello world")
        );
        // Its keys are checked like every kind's.
        let bad = crate::spec::yaml::parse("greeting: world\nlod: true\n")
            .ok()
            .and_then(|(root, _)| root)
            .expect("yaml");
        assert!(entry.read(&bad, &errors).is_none());
        assert!(
            errors.borrow()[0].message.contains("did you mean `loud`?"),
            "{:?}",
            errors.borrow()
        );
        let (name, schema) = (entry.schema)(&mut schemars::SchemaGenerator::default());
        assert_eq!(name, "GreetingCheck");
        assert_eq!(schema["required"], serde_json::json!(["greeting"]));
    }

    #[test]
    fn the_os_filter_skips_other_systems_and_names_them() {
        let here = OsFamily::current();
        let other = other_os();
        let o = eval(&format!("command: x\nos: {other}"), &FakeWorld::default());
        assert_eq!(o.status, Status::Skipped);
        assert_eq!(
            o.message,
            format!("only checked on {other}; this is {here}")
        );
        // The current OS in the list: the check runs.
        let o = eval(
            &format!("command: x\nos: [{other}, {here}]"),
            &FakeWorld::default(),
        );
        assert_eq!(o.status, Status::Fail);
    }

    #[test]
    fn the_os_filter_asks_the_world() {
        let windows = FakeWorld::default().on(OsFamily::Windows);
        let o = eval("command: apt-get\nos: linux", &windows);
        assert_eq!(o.status, Status::Skipped);
        assert_eq!(o.message, "only checked on linux; this is windows");
    }

    #[test]
    fn the_run_deadline_cuts_a_check_timeout() {
        let world = FakeWorld::default().tool("lua", "-v", exited(0, "Lua 5.4.6", ""));
        let budget = Budget {
            default_timeout: Duration::from_secs(10),
            deadline: Instant::now() + Duration::from_secs(3),
        };
        let c = check("command: lua\nargs: [-v]\ntimeout: 30s");
        assert_eq!(
            evaluate(&c, &world, &budget, &crate::redact::Redactor::default()).status,
            Status::Pass
        );
        let timeout = world.ran()[0].timeout;
        assert!(timeout <= Duration::from_secs(3), "{timeout:?}");
        assert!(timeout > Duration::from_secs(1), "{timeout:?}");
    }
}

//! What a spec file may say. These types are read straight from YAML (each
//! value is validated as it is read, so a bad regex or range points at its
//! own line) and are also the source of `probe schema`.

use std::fmt;
use std::time::Duration;

use regex::Regex;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::quantity::{self, AmountReq, Unit};
use crate::version::VersionReq;

#[cfg(test)]
use schemars::JsonSchema;

/// The keys of a spec file other than `checks`.
#[derive(Debug, Deserialize, Default)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SpecHeader {
    /// What agents with this resource are for; shown by `probe list`.
    pub description: Option<String>,
    /// Other resources whose checks also run whenever this one is selected
    /// (file names in the same directory, without `.yaml`).
    #[serde(default)]
    pub requires: Vec<String>,
}

/// The keys any check may carry besides its kind.
#[derive(Debug, Deserialize, Default, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckCommon {
    /// A name for the check in reports, instead of the generated one.
    pub title: Option<String>,
    /// Shown when the check fails: how to fix the agent.
    pub hint: Option<String>,
    /// How long a spawned command may run (e.g. `500ms`, `10s`); default `--timeout`.
    pub timeout: Option<DurationText>,
    /// Run the check only on these operating systems; elsewhere it is skipped.
    pub os: Option<OneOrMany<OsFamily>>,
}

pub const COMMON_KEYS: &[&str] = &["title", "hint", "timeout", "os"];

/// The key that names each kind of check, in the order documented.
pub const KIND_KEYS: &[&str] = &[
    "command",
    "absent",
    "run",
    "env",
    "path_contains",
    "file",
    "platform",
    "arch",
    "cpus",
    "memory",
    "disk",
    "process",
    "tcp",
];

#[derive(Debug, Clone)]
pub enum CheckKind {
    Command(CommandCheck),
    Absent(AbsentCheck),
    Run(RunCheck),
    Env(EnvCheck),
    PathContains(PathContainsCheck),
    File(FileCheck),
    Platform(PlatformCheck),
    Arch(ArchCheck),
    Cpus(CpusCheck),
    Memory(MemoryCheck),
    Disk(DiskCheck),
    Process(ProcessCheck),
    Tcp(TcpCheck),
}

impl CheckKind {
    /// The kind's key, as written in the spec and shown in reports.
    pub fn name(&self) -> &'static str {
        match self {
            CheckKind::Command(_) => "command",
            CheckKind::Absent(_) => "absent",
            CheckKind::Run(_) => "run",
            CheckKind::Env(_) => "env",
            CheckKind::PathContains(_) => "path_contains",
            CheckKind::File(_) => "file",
            CheckKind::Platform(_) => "platform",
            CheckKind::Arch(_) => "arch",
            CheckKind::Cpus(_) => "cpus",
            CheckKind::Memory(_) => "memory",
            CheckKind::Disk(_) => "disk",
            CheckKind::Process(_) => "process",
            CheckKind::Tcp(_) => "tcp",
        }
    }

    /// What the check is about: a command, a path, a variable...
    pub fn subject(&self) -> String {
        match self {
            CheckKind::Command(c) => c.command.clone(),
            CheckKind::Absent(c) => c.absent.clone(),
            CheckKind::Run(c) => c.run.display(),
            CheckKind::Env(c) => c.env.clone(),
            CheckKind::PathContains(c) => c.path_contains.clone(),
            CheckKind::File(c) => c.file.clone(),
            CheckKind::Platform(c) => c.platform.to_string(),
            CheckKind::Arch(c) => c.arch.0.join(" or "),
            CheckKind::Cpus(c) => c.cpus.0.to_string(),
            CheckKind::Memory(c) => c.memory.0.to_string(),
            CheckKind::Disk(c) => c.disk.clone(),
            CheckKind::Process(c) => c.process.clone(),
            CheckKind::Tcp(c) => c.tcp.clone(),
        }
    }

    /// Whether running this check spawns a process.
    pub fn spawns(&self) -> bool {
        match self {
            CheckKind::Command(c) => c.runs(),
            CheckKind::Run(_) => true,
            _ => false,
        }
    }
}

/// A command must be on PATH; with `version`, `version_matches` or `args`
/// it is also run, and must start and exit 0.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CommandCheck {
    /// The command's name as typed in a shell (`lua`, `java`, `python3`).
    pub command: String,
    /// The range the version must be in: `>=3.10, <3.13`, `^1.2`, `~1.2.3`,
    /// `==3.11.*`, `!=3.12`, `17` (any 17.x), alternatives joined by `||`.
    pub version: Option<VersionReq>,
    /// A regular expression the version must match (instead of, or besides, a range).
    pub version_matches: Option<Pattern>,
    /// Where to find the version in the output: a regular expression whose
    /// first capture group (or whole match) is the version. Default: the first
    /// version-like token of stdout, then stderr.
    pub version_regex: Option<Pattern>,
    /// Arguments that make the command print its version; default `["--version"]`.
    pub args: Option<Vec<String>>,
}

impl CommandCheck {
    pub fn runs(&self) -> bool {
        self.version.is_some() || self.version_matches.is_some() || self.args.is_some()
    }
}

/// A command must NOT be on PATH.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AbsentCheck {
    /// The command that must not resolve on PATH (`python2`).
    pub absent: String,
}

/// Run a command and check its exit code and output.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RunCheck {
    /// The command: a list of arguments (`[luarocks, list]`), run without a
    /// shell; a string only together with `shell`.
    pub run: Argv,
    /// Run through a shell: `true` (sh on Unix, cmd on Windows), `sh`,
    /// `bash`, `cmd` or `powershell`.
    pub shell: Option<ShellChoice>,
    /// The exit code(s) that count as success; default 0.
    pub exit: Option<OneOrMany<i32>>,
    /// A regular expression stdout must match (multi-line: `^` is a line start).
    pub stdout: Option<Pattern>,
    /// A regular expression stdout must NOT match.
    pub stdout_not: Option<Pattern>,
    /// A regular expression stderr must match.
    pub stderr: Option<Pattern>,
    /// A regular expression stderr must NOT match.
    pub stderr_not: Option<Pattern>,
}

/// An environment variable: set (the default), unset, equal to, or matching.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EnvCheck {
    /// The variable's name (case-insensitive on Windows).
    pub env: String,
    /// `false`: the variable must NOT be set. Default `true`.
    pub set: Option<bool>,
    /// The exact value wanted.
    pub equals: Option<String>,
    /// A regular expression the value must match.
    pub matches: Option<Pattern>,
}

/// PATH must contain a directory.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PathContainsCheck {
    /// The directory that must be one of PATH's entries (`/usr/local/bin`).
    pub path_contains: String,
}

/// A file or directory: exists (the default) or absent, its type, mode,
/// executable bit, contents.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FileCheck {
    /// The path; `~` and `${VAR}` are expanded.
    pub file: String,
    /// `false`: the path must NOT exist. Default `true`.
    pub exists: Option<bool>,
    /// What the path must be (symlinks are not followed for `symlink`).
    #[serde(rename = "type")]
    pub file_type: Option<FileType>,
    /// Unix permission bits, octal (`"0755"`). Not available on Windows:
    /// there the check reports an error instead of passing.
    pub mode: Option<Mode>,
    /// `true`: the file must be executable by the probe's user.
    pub executable: Option<bool>,
    /// A regular expression the contents must match (first 1 MiB read).
    pub contains: Option<Pattern>,
}

/// The operating system family, and on Linux the distribution and release.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PlatformCheck {
    /// `linux`, `windows` or `macos`.
    pub platform: OsFamily,
    /// Distribution id(s) from /etc/os-release `ID` or `ID_LIKE` (`debian`, `ubuntu`, `alpine`).
    pub distro: Option<OneOrMany<String>>,
    /// Range for the OS release (`VERSION_ID` on Linux): `>=12`.
    pub release: Option<VersionReq>,
}

/// The CPU architecture (`x86_64`, `aarch64`; `amd64`, `x64`, `arm64` are aliases).
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ArchCheck {
    /// One architecture or a list of acceptable ones.
    pub arch: OneOrMany<String>,
}

/// How many logical CPUs the probe may use.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CpusCheck {
    /// A comparison such as `>= 2`; a bare number means at least.
    pub cpus: CountReq,
}

/// Total physical memory.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MemoryCheck {
    /// A comparison such as `>= 2 GiB`; a bare size means at least.
    pub memory: SizeReq,
}

/// Free space on the filesystem that holds a path.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DiskCheck {
    /// A path on the filesystem to measure (`.` is the job's working directory).
    pub disk: String,
    /// Space available to unprivileged users, e.g. `>= 5 GiB`.
    pub free: SizeReq,
}

/// A process with this name is running.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProcessCheck {
    /// The process name (`dockerd`); `.exe` may be left out on Windows.
    pub process: String,
}

/// A TCP port accepts a connection within the check's timeout.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TcpCheck {
    /// `host:port` (`localhost:5432`, `[::1]:8153`).
    #[serde(deserialize_with = "host_port")]
    pub tcp: String,
}

fn host_port<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    let valid = text
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
    if valid {
        Ok(text)
    } else {
        Err(de::Error::custom(format_args!(
            "`{text}` is not host:port; write e.g. `localhost:5432`"
        )))
    }
}

// ---- values ----

/// A regular expression, compiled when the spec is read.
#[derive(Debug, Clone)]
pub struct Pattern(pub Regex);

impl Pattern {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        regex::RegexBuilder::new(&text)
            .multi_line(true)
            .size_limit(1 << 20)
            .build()
            .map(Pattern)
            .map_err(|e| {
                let reason = match &e {
                    regex::Error::Syntax(s) => s
                        .lines()
                        .rev()
                        .find_map(|l| l.strip_prefix("error: "))
                        .unwrap_or("invalid syntax")
                        .to_string(),
                    other => other.to_string(),
                };
                de::Error::custom(format_args!(
                    "`{text}` is not a valid regular expression: {reason}"
                ))
            })
    }
}

impl<'de> Deserialize<'de> for VersionReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        VersionReq::parse(&text).map_err(de::Error::custom)
    }
}

/// `>= 2 GiB`.
#[derive(Debug, Clone)]
pub struct SizeReq(pub AmountReq);

impl<'de> Deserialize<'de> for SizeReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AmountReq::parse(&text, Unit::Bytes)
            .map(SizeReq)
            .map_err(de::Error::custom)
    }
}

/// `>= 2`.
#[derive(Debug, Clone)]
pub struct CountReq(pub AmountReq);

impl<'de> Deserialize<'de> for CountReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AmountReq::parse(&text, Unit::Count)
            .map(CountReq)
            .map_err(de::Error::custom)
    }
}

/// `500ms`, `10s`, `2m`.
#[derive(Debug, Clone, Copy)]
pub struct DurationText(pub Duration);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        quantity::parse_duration(&text)
            .map(DurationText)
            .map_err(de::Error::custom)
    }
}

/// Octal permission bits: `"0755"` or `"755"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode(pub u32);

impl<'de> Deserialize<'de> for Mode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let digits = text.trim_start_matches("0o");
        match u32::from_str_radix(digits, 8) {
            Ok(bits) if (3..=4).contains(&digits.len()) && bits <= 0o7777 => Ok(Mode(bits)),
            _ => Err(de::Error::custom(format_args!(
                "`{text}` is not an octal mode; write e.g. \"0755\" (quoted)"
            ))),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04o}", self.0)
    }
}

/// One value or a list of them: `os: linux` or `os: [linux, macos]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    out.push(item);
                }
                if out.is_empty() {
                    return Err(de::Error::custom(
                        "the list is empty; give at least one value, or leave the key out",
                    ));
                }
                Ok(OneOrMany(out))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::<E>::new(v)).map(|t| OneOrMany(vec![t]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(de::value::U64Deserializer::<E>::new(v)).map(|t| OneOrMany(vec![t]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(de::value::I64Deserializer::<E>::new(v)).map(|t| OneOrMany(vec![t]))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A command line: a list of arguments, or one string for a shell.
#[derive(Debug, Clone, PartialEq)]
pub enum Argv {
    List(Vec<String>),
    Line(String),
}

impl Argv {
    pub fn display(&self) -> String {
        match self {
            Argv::List(args) => args.join(" "),
            Argv::Line(line) => line.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for Argv {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Argv;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of arguments or a command line")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Argv, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    out.push(item);
                }
                if out.is_empty() {
                    return Err(de::Error::custom(
                        "the command is empty; write the program and its arguments, e.g. `[luarocks, list]`",
                    ));
                }
                Ok(Argv::List(out))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Argv, E> {
                Ok(Argv::Line(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum OsFamily {
    Linux,
    Windows,
    Macos,
}

impl OsFamily {
    pub fn current() -> OsFamily {
        if cfg!(windows) {
            OsFamily::Windows
        } else if cfg!(target_os = "macos") {
            OsFamily::Macos
        } else {
            OsFamily::Linux
        }
    }
}

impl fmt::Display for OsFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OsFamily::Linux => "linux",
            OsFamily::Windows => "windows",
            OsFamily::Macos => "macos",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    File,
    Dir,
    Symlink,
    Socket,
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileType::File => "a regular file",
            FileType::Dir => "a directory",
            FileType::Symlink => "a symlink",
            FileType::Socket => "a socket",
        })
    }
}

/// `shell: true` or the shell's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellChoice {
    /// sh on Unix, cmd on Windows.
    Default,
    Sh,
    Bash,
    Cmd,
    Powershell,
}

impl<'de> Deserialize<'de> for ShellChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ShellChoice;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`true` or one of `sh`, `bash`, `cmd`, `powershell`")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ShellChoice, E> {
                if v {
                    Ok(ShellChoice::Default)
                } else {
                    Err(E::custom("leave `shell` out to run without a shell"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ShellChoice, E> {
                const NAMES: &[&str] = &["sh", "bash", "cmd", "powershell"];
                match v {
                    "sh" => Ok(ShellChoice::Sh),
                    "bash" => Ok(ShellChoice::Bash),
                    "cmd" => Ok(ShellChoice::Cmd),
                    "powershell" => Ok(ShellChoice::Powershell),
                    _ => Err(E::unknown_variant(v, NAMES)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

// ---- JSON Schema for the hand-written value types (test builds only) ----

#[cfg(test)]
mod schema_impls {
    use super::*;
    use schemars::{json_schema, Schema, SchemaGenerator};
    use std::borrow::Cow;

    // The loader reads any scalar as text, while an editor reads `17`,
    // `2` or `10` as numbers: such values are numbers in the schema too.
    macro_rules! text_schema {
        ($ty:ty, $name:literal, $description:literal) => {
            impl JsonSchema for $ty {
                fn schema_name() -> Cow<'static, str> {
                    $name.into()
                }
                fn json_schema(_: &mut SchemaGenerator) -> Schema {
                    json_schema!({ "type": ["string", "number"], "description": $description })
                }
            }
        };
    }

    impl JsonSchema for Pattern {
        fn schema_name() -> Cow<'static, str> {
            "Pattern".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": "A regular expression (Rust regex syntax), searched for anywhere in the text; multi-line mode: `^` and `$` match at line starts and ends."
            })
        }
    }
    text_schema!(
        VersionReq,
        "VersionReq",
        "A version range: `>=3.10, <3.13`, `^1.2`, `~1.2.3`, `==3.11.*`, `!=3.12`, `17` (any 17.x); `||` between alternatives. Quote it: `version: \"3.10\"`."
    );
    text_schema!(
        SizeReq,
        "SizeReq",
        "A size comparison such as `>= 2 GiB` (>=, >, <=, <, ==, !=; a bare size means at least). Units B, KB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (powers of 1024); no unit means bytes."
    );
    text_schema!(
        CountReq,
        "CountReq",
        "A number comparison such as `>= 2` (>=, >, <=, <, ==, !=; a bare number means at least)."
    );
    text_schema!(
        DurationText,
        "Duration",
        "A duration: `500ms`, `10s`, `2m` (or `2min`), `1h`; a bare number is seconds."
    );

    impl JsonSchema for Mode {
        fn schema_name() -> Cow<'static, str> {
            "Mode".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": ["string", "integer"],
                "pattern": "^(0o)?[0-7]{3,4}$",
                "description": "Octal Unix permission bits, quoted: \"0755\". Not available on Windows."
            })
        }
    }

    impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
        fn schema_name() -> Cow<'static, str> {
            format!("OneOrMany_{}", T::schema_name()).into()
        }
        fn json_schema(g: &mut SchemaGenerator) -> Schema {
            let item = g.subschema_for::<T>();
            json_schema!({ "anyOf": [item, { "type": "array", "items": item, "minItems": 1 }] })
        }
    }

    impl JsonSchema for Argv {
        fn schema_name() -> Cow<'static, str> {
            "Argv".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "A list of arguments, run without a shell; or one string, run by `shell`.",
                "anyOf": [
                    { "type": "array", "items": { "type": "string" }, "minItems": 1 },
                    { "type": "string" }
                ]
            })
        }
    }

    impl JsonSchema for ShellChoice {
        fn schema_name() -> Cow<'static, str> {
            "ShellChoice".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "anyOf": [
                    { "const": true },
                    { "enum": ["sh", "bash", "cmd", "powershell"] }
                ]
            })
        }
    }
}

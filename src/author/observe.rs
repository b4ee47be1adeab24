//! Looking at this machine to write a check that passes on it: the version
//! a command prints and the arguments that make it, a variable's value, a
//! file's type and mode, a package's version, a service's state…
//! Each function returns the check as a [`Draft`]; `add` then writes it,
//! loads the result and evaluates it on the same machine before anything
//! is written.

use std::path::Path;
use std::time::{Duration, Instant};

use super::draft::{Draft, Val};
use crate::checks::expand::expand;
use crate::checks::observe as kinds;
use crate::http::Method;
use crate::redact::Redactor;
use crate::spec::OsFamily;
use crate::version::{extract, Version, VersionReq};
use crate::world::{FileKind, HttpRequest, Lookup, RunOutcome, RunRequest, World};

/// How a version range is chosen from the version found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Pin {
    /// This version or newer, within its major version: `>=17.0.8, <18`.
    #[default]
    Major,
    /// This version or newer, within its minor version: `>=17.0.8, <17.1`.
    Minor,
    /// Exactly this version: `==17.0.8`.
    Exact,
    /// This version or newer: `>=17.0.8`.
    Min,
}

/// What `probe add` was asked to write beyond the kind and its subject.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    pub pin: Pin,
    /// `env`: require today's value too.
    pub value: bool,
    /// `command`: the arguments to try first for its version.
    pub args: Option<Vec<String>>,
}

/// The arguments tried, in turn, to make a command print its version.
pub const VERSION_ARGS: &[&[&str]] = &[
    &["--version"],
    &["-version"],
    &["-v"],
    &["version"],
    &["-V"],
];

/// How long each try may take: a tool that waits for input or hangs on
/// an argument it does not know is given up on, and the next one tried.
const TRY_TIMEOUT: Duration = Duration::from_secs(3);

/// The check of `kind` about `subject`, as this machine is.
pub fn observe(
    kind: &str,
    subject: &str,
    wanted: &Wanted,
    world: &dyn World,
    secrets: &Redactor,
) -> Result<Draft, String> {
    let cx = kinds::Context {
        timeout: Duration::from_secs(10),
        secrets,
        deadline: Instant::now() + Duration::from_secs(10),
    };
    let first = || Draft::new(kind, Val::text(subject));
    match kind {
        "command" => command(subject, wanted, world),
        "env" => env(subject, wanted.value, world, secrets),
        "file" => file(subject, world, &cx),
        "package" => {
            let versions = kinds::installed_versions(world, subject, &cx)?;
            let Some(version) = versions.iter().find_map(|v| kinds::comparable_version(v)) else {
                return Err(format!("package {subject} is not installed here"));
            };
            Ok(first()?.with("version", Val::Text(range(&version, wanted.pin))))
        }
        "service" => {
            let (running, enabled) = kinds::service(world, subject, &cx)?;
            Ok(first()?
                .with("running", Val::Bool(running))
                .with("enabled", Val::Bool(enabled)))
        }
        "user" => {
            let groups = kinds::groups_of(world, subject, &cx)?;
            Ok(first()?.with("groups", Val::List(groups)))
        }
        "http" => {
            let request = HttpRequest {
                method: Method::Get,
                url: expand(subject, world)?.to_string_lossy().into_owned(),
                timeout: Duration::from_secs(10),
                ca_file: None,
                insecure: false,
                auth: None,
            };
            match world.http(&request) {
                Ok(response) => {
                    Ok(first()?.with("status", Val::Number(i64::from(response.status))))
                }
                Err(
                    crate::world::HttpFailure::Settings(why)
                    | crate::world::HttpFailure::Request(why),
                ) => Err(format!("{subject} does not answer here: {why}")),
            }
        }
        "sysctl" => match kinds::sysctl_value(world, subject) {
            Some(value) => Ok(first()?.with("equals", Val::Text(value))),
            None => Err(format!("there is no kernel parameter {subject} here")),
        },
        "mount" => match kinds::fstype_at(world, Path::new(&expand(subject, world)?)) {
            Some(fstype) => Ok(first()?.with("fstype", Val::Text(fstype))),
            None => Err(format!("{subject} is not a mount point here")),
        },
        "cpus" => {
            let n = world
                .cpus()
                .map_err(|e| format!("the CPUs could not be counted: {e}"))?;
            Draft::new(kind, Val::Text(format!(">= {n}")))
        }
        "memory" => {
            let bytes = world
                .total_memory()
                .ok_or("the memory size could not be read")?;
            Draft::new(
                kind,
                Val::Text(format!(">= {} GiB", (bytes >> 30).max(1) - 1)),
            )
        }
        "disk" => {
            let free = world
                .disk_free(Path::new(&expand(subject, world)?))
                .map_err(|e| format!("free space at {subject} could not be read: {e}"))?;
            Ok(first()?.with(
                "free",
                Val::Text(format!(">= {} GiB", (free >> 30).max(1) - 1)),
            ))
        }
        "platform" if subject.is_empty() => {
            Draft::new(kind, Val::Text(world.os_family().to_string()))
        }
        "arch" if subject.is_empty() => Draft::new(kind, Val::Text(world.arch())),
        "run" => run(subject, world),
        _ if subject.is_empty() => Err(format!("`{kind}` needs a subject: what to check")),
        // The rest has nothing more to learn: the check is its subject, and
        // evaluating it tells whether it passes here.
        _ => first(),
    }
}

/// The range `pin` asks for around `version`.
pub fn range(version: &Version, pin: Pin) -> String {
    let text = &version.text;
    let major = version.parts.first().copied().unwrap_or(0);
    let minor = version.parts.get(1).copied().unwrap_or(0);
    let candidate = match pin {
        Pin::Major => format!(">={text}, <{}", major.saturating_add(1)),
        Pin::Minor => format!(">={text}, <{major}.{}", minor.saturating_add(1)),
        Pin::Exact => format!("=={text}"),
        Pin::Min => format!(">={text}"),
    };
    // A version text the range syntax does not take (or a range it does
    // not meet) falls back to its numbers.
    let fits = VersionReq::parse(&candidate).is_ok_and(|r| r.matches(version));
    if fits {
        return candidate;
    }
    let numbers: Vec<String> = version.parts.iter().map(ToString::to_string).collect();
    format!(">={}", numbers.join("."))
}

/// The arguments that make `name` print a version, and the range; only
/// `command: name` when none does.
fn command(name: &str, wanted: &Wanted, world: &dyn World) -> Result<Draft, String> {
    let first = Draft::new("command", Val::text(name))?;
    // `${JAVA_HOME}/bin/java` is the JDK's java, as the check will read it.
    let program = expand(name, world)?;
    let path = match world.lookup(&program) {
        Lookup::Found(path) => path,
        Lookup::NotExecutable(path) => {
            return Err(format!("{} is not executable here", path.display()))
        }
        Lookup::Missing if program.to_string_lossy().contains(['/', '\\']) => {
            return Err(format!("{} does not exist here", program.to_string_lossy()))
        }
        Lookup::Missing => return Err(format!("`{name}` is not on PATH here")),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let given: Option<Vec<&str>> = wanted
        .args
        .as_ref()
        .map(|a| a.iter().map(String::as_str).collect());
    let tries = given
        .iter()
        .map(Vec::as_slice)
        .chain(VERSION_ARGS.iter().copied());
    for args in tries {
        let request = RunRequest {
            program: path.clone(),
            args: args
                .iter()
                .map(|a| expand(a, world))
                .collect::<Result<_, _>>()?,
            verbatim: false,
            timeout: TRY_TIMEOUT,
            watch: Vec::new(),
        };
        let RunOutcome::Exited {
            code: Some(code),
            stdout,
            stderr,
        } = world.run(&request)
        else {
            continue;
        };
        let (out, err) = (stdout.text(), stderr.text());
        let names = [name, file_name.as_str()];
        let Some(found) = extract(&[("stdout", &out), ("stderr", &err)], &names) else {
            continue;
        };
        let mut draft = first;
        if args != ["--version"] {
            draft = draft.with(
                "args",
                Val::List(args.iter().map(|a| a.to_string()).collect()),
            );
        }
        if code != 0 {
            draft = draft.with("exit", Val::Number(i64::from(code)));
        }
        return Ok(draft.with("version", Val::Text(range(&found.version, wanted.pin))));
    }
    Ok(first)
}

fn env(name: &str, value: bool, world: &dyn World, secrets: &Redactor) -> Result<Draft, String> {
    let Some(current) = world.var(name) else {
        return Err(format!("${name} is not set here"));
    };
    let draft = Draft::new("env", Val::text(name))?;
    if value {
        if secrets.is_secret(name) {
            return Err(format!(
                "${name} is a secret: its value is not written into a spec (drop --value)"
            ));
        }
        return Ok(draft.with("equals", Val::Text(current.to_string_lossy().into_owned())));
    }
    Ok(draft)
}

fn file(path: &str, world: &dyn World, cx: &kinds::Context) -> Result<Draft, String> {
    // `~/.m2/settings.xml` is looked at where the check will look.
    let info = world
        .file_info(Path::new(&expand(path, world)?), true)
        .map_err(|e| format!("{path} cannot be looked at here: {e}"))?;
    let kind = match info.kind {
        FileKind::File => "file",
        FileKind::Dir => "dir",
        FileKind::Symlink => "symlink",
        FileKind::Socket => "socket",
        FileKind::Other => return Err(format!("{path} is a special file; check it by hand")),
    };
    let mut draft = Draft::new("file", Val::text(path))?.with("type", Val::text(kind));
    if let Some(mode) = info.mode {
        draft = draft.with("mode", Val::Text(format!("{:04o}", mode & 0o7777)));
    }
    if world.os_family() != OsFamily::Windows {
        if let (Some(uid), Some(gid)) = (info.owner, info.group) {
            let (owner, group) = kinds::owner_names(world, uid, gid, cx);
            draft = draft
                .with("owner", Val::Text(owner))
                .with("group", Val::Text(group));
        }
    }
    Ok(draft)
}

/// `run` with a command line: its words, and its exit code when not 0.
fn run(line: &str, world: &dyn World) -> Result<Draft, String> {
    let words = crate::text::split_words(line)?;
    let expanded = words
        .iter()
        .map(|w| expand(w, world))
        .collect::<Result<Vec<_>, _>>()?;
    let Some((program, args)) = expanded.split_first() else {
        return Err("`run` needs a command line".into());
    };
    let Lookup::Found(path) = world.lookup(program) else {
        return Err(format!("`{}` is not on PATH here", words[0]));
    };
    let request = RunRequest {
        program: path,
        args: args.to_vec(),
        verbatim: false,
        timeout: Duration::from_secs(10),
        watch: Vec::new(),
    };
    let draft = Draft::new("run", Val::List(words.clone()))?;
    match world.run(&request) {
        RunOutcome::Exited { code: Some(0), .. } => Ok(draft),
        RunOutcome::Exited {
            code: Some(code), ..
        } => Ok(draft.with("exit", Val::Number(i64::from(code)))),
        _ => Err(format!("`{line}` did not run to an exit here")),
    }
}

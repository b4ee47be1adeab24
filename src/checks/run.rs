//! `run`: a command line runs, with the exit code and output it should have.

use super::draft::{Draft, Val};
use super::observe::Ask;
use std::ffi::OsString;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::expand::expand;
use super::spawn::{self, Role, Start};
use super::versioned::{self, VersionKeys};
use super::{Conflict, Context, Declared, Kind, Outcome};
use crate::spec::{OneOrMany, OsFamily, Pattern};
use crate::text::{excerpt, first_line, shell_words};
use crate::version::VersionReq;
use crate::world::{Captured, Stream, Watch, World};

/// How much of a passing command's first line of output its message shows.
const FIRST_LINE_CHARS: usize = 100;

/// Run a command and check its exit code and output.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RunCheck {
    /// The command: a list of arguments (`[luarocks, list]`), run without a
    /// shell; a string only together with `shell`.
    pub run: Argv,
    /// Run through a shell: `true` (sh on Unix, cmd on Windows), `sh`,
    /// `bash`, `cmd` or `powershell`.
    pub shell: Option<ShellChoice>,
    /// The exit code, or a list of them, that counts as success; default 0.
    pub exit: Option<OneOrMany<i32>>,
    /// A regular expression stdout must match (multi-line: `^` is a line start).
    pub stdout: Option<Pattern>,
    /// A regular expression stdout must NOT match.
    pub stdout_not: Option<Pattern>,
    /// A regular expression stderr must match.
    pub stderr: Option<Pattern>,
    /// A regular expression stderr must NOT match.
    pub stderr_not: Option<Pattern>,
    /// The range the version it prints must be in (read as for `command`).
    pub version: Option<VersionReq>,
    /// A regular expression the version must match.
    pub version_matches: Option<Pattern>,
    /// Where to find the version in the output: a regular expression whose
    /// first capture group (or whole match) is the version.
    pub version_regex: Option<Pattern>,
}

impl Declared for RunCheck {
    const KEY: &'static str = "run";

    /// A command line's words, and its exit code here when not 0.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        use crate::world::{Lookup, RunOutcome, RunRequest};
        let (line, world) = (ask.subject, ask.world);
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
            timeout: std::time::Duration::from_secs(10),
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
}

impl Kind for RunCheck {
    fn subject(&self) -> String {
        self.run.display()
    }

    fn qualifier(&self) -> Option<String> {
        self.version_keys().qualifier()
    }

    fn conflict(&self) -> Option<Conflict> {
        if let Some(conflict) = self.version_keys().regex_without_use() {
            return Some(conflict);
        }
        (matches!(self.run, Argv::Line(_)) && self.shell.is_none()).then(|| Conflict {
            key: "run",
            message:
                "`run` is a single string but `shell` is not set: write the command as a list \
                      (`run: [luarocks, list]`), or add `shell: true` to run it through a shell"
                    .into(),
            at_value: true,
        })
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let windows = world.os_family() == OsFamily::Windows;
        let expected = self.expected();
        let (program, args, typed, verbatim) = match command_line(self, windows, world) {
            Ok(parts) => parts,
            Err(outcome) => return (*outcome).expected(expected),
        };
        let program_shown = program.to_string_lossy().into_owned();
        let role = Role::Line {
            typed: &typed,
            program: &program_shown,
        };
        let path = match spawn::look_up(world, role, &program, &expected) {
            Ok(path) => path,
            Err(outcome) => return *outcome,
        };
        let at = path.display().to_string();
        let (watch, watched_at) = self.watch_list();
        let start = Start {
            path: &path,
            args,
            verbatim,
            timeout: cx.timeout,
            typed: &typed,
            watch,
        };
        let ran = match spawn::run(world, role, start, &expected, cx.secrets) {
            Ok(ran) => ran,
            Err(outcome) if self.version_keys().wanted() => {
                return versioned::timed_out_hint(*outcome, cx.timeout)
            }
            Err(outcome) => return *outcome,
        };
        let output = Some(role.output(&ran.stdout, &ran.stderr, cx.secrets));
        let (code, stdout, stderr) = (ran.code, ran.stdout.text(), ran.stderr.text());
        let allowed: Vec<i32> = self.exit.as_ref().map_or(vec![0], |e| e.0.clone());
        let exit_text = code.map_or("killed by a signal".to_string(), |c| format!("exit {c}"));
        if !code.is_some_and(|c| allowed.contains(&c)) {
            let want: Vec<String> = allowed.iter().map(ToString::to_string).collect();
            let ended = code.map_or("was killed by a signal".to_string(), |c| {
                format!("ended with exit {c}")
            });
            return Outcome::fail(format!(
                "`{typed}` {ended}, expected exit {}",
                want.join(" or ")
            ))
            .expected(expected)
            .actual(exit_text)
            .at(at)
            .output(output);
        }
        let pattern_checks: [(&Option<Pattern>, &str, &Captured, &str, bool); 4] = [
            (&self.stdout, &stdout, &ran.stdout, "stdout", true),
            (&self.stdout_not, &stdout, &ran.stdout, "stdout", false),
            (&self.stderr, &stderr, &ran.stderr, "stderr", true),
            (&self.stderr_not, &stderr, &ran.stderr, "stderr", false),
        ];
        for (slot, (pattern, text, captured, stream, must)) in
            pattern_checks.into_iter().enumerate()
        {
            let Some(pattern) = pattern else { continue };
            let Ok(in_head) = pattern.is_match_before(text, cx.deadline) else {
                return super::too_slow(pattern, &format!("the {stream} of `{typed}`"), cx)
                    .expected(expected)
                    .at(at);
            };
            // Past the output's cap, the lines were matched as they came.
            let past_cap = watched_at[slot].is_some_and(|i| captured.watched.get(i) == Some(&true));
            let matched = in_head || past_cap;
            if captured.unscanned && matched != must {
                return Outcome::error(format!(
                    "the {stream} of `{typed}` was {} long and its time ran out before all of \
                     it was matched against `{}`: give the check a longer `timeout`",
                    crate::quantity::format_size(captured.total),
                    pattern.as_str()
                ))
                .expected(expected)
                .at(at);
            }
            if matched != must {
                let verb = if must { "does not match" } else { "matches" };
                return Outcome::fail(format!(
                    "{stream} of `{typed}` {verb} `{}`",
                    pattern.as_str()
                ))
                .expected(expected)
                .actual(format!(
                    "{exit_text}, {stream} {verb} `{}`",
                    pattern.as_str()
                ))
                .at(at)
                .output(Some(pattern_output(
                    text, captured, stream, pattern, in_head, cx,
                )));
            }
        }
        let keys = self.version_keys();
        if keys.wanted() {
            let names = [program_shown.as_str(), at.as_str()];
            return keys
                .verdict(
                    &program_shown,
                    &typed,
                    (&ran.stdout, &ran.stderr),
                    &names,
                    cx,
                )
                .expected(expected)
                .at(at)
                .output(output);
        }
        // What it said, so a passing report shows more than "it ran".
        // Secrets are hidden before the line is cut.
        let said = [&stdout, &stderr]
            .into_iter()
            .find_map(|text| first_line(&cx.secrets.redact(text), FIRST_LINE_CHARS));
        let message = match said {
            Some(line) => format!("`{typed}` ran ({exit_text}): {line}"),
            None => format!("`{typed}` ran ({exit_text})"),
        };
        Outcome::pass(message)
            .expected(expected)
            .actual(exit_text)
            .at(at)
            .output(output)
    }
}

impl RunCheck {
    /// The patterns to look for past the output's cap, and where each of
    /// `stdout`, `stdout_not`, `stderr`, `stderr_not` is among them.
    fn watch_list(&self) -> (Vec<Watch>, [Option<usize>; 4]) {
        let mut watch = self.version_keys().watch();
        let mut at = [None; 4];
        let slots = [
            (&self.stdout, Stream::Stdout),
            (&self.stdout_not, Stream::Stdout),
            (&self.stderr, Stream::Stderr),
            (&self.stderr_not, Stream::Stderr),
        ];
        for (slot, (pattern, stream)) in slots.into_iter().enumerate() {
            if let Some(p) = pattern {
                at[slot] = Some(watch.len());
                watch.push(versioned::watched(Some(stream), p));
            }
        }
        (watch, at)
    }

    fn version_keys(&self) -> VersionKeys<'_> {
        VersionKeys {
            range: self.version.as_ref(),
            matches: self.version_matches.as_ref(),
            regex: self.version_regex.as_ref(),
        }
    }

    fn expected(&self) -> String {
        let codes: Vec<String> = self.exit.as_ref().map_or(vec!["0".into()], |e| {
            e.0.iter().map(ToString::to_string).collect()
        });
        let mut text = format!("exit {}", codes.join(" or "));
        let parts = [
            (&self.stdout, "stdout matches"),
            (&self.stdout_not, "stdout does not match"),
            (&self.stderr, "stderr matches"),
            (&self.stderr_not, "stderr does not match"),
        ];
        for (pattern, words) in parts {
            if let Some(p) = pattern {
                text.push_str(&format!(", {words} `{}`", p.as_str()));
            }
        }
        text.push_str(&self.version_keys().describe());
        text
    }
}

/// The output shown for a pattern's verdict: where it matched when that
/// was past the output's cap (the first lines say nothing then), else the
/// first lines; and where the stream was cut. Secrets are hidden before
/// anything is cut.
fn pattern_output(
    head: &str,
    captured: &Captured,
    stream: &str,
    pattern: &Pattern,
    in_head: bool,
    cx: &Context,
) -> String {
    let matched_later = (!in_head)
        .then(|| {
            captured
                .later
                .iter()
                .find(|(_, line)| pattern.is_match_before(line, cx.deadline) == Ok(true))
        })
        .flatten();
    let mut shown = match matched_later {
        Some((number, line)) => format!("line {number}: {}", cx.secrets.redact(line)),
        None => excerpt(&cx.secrets.redact(head), 5),
    };
    if let Some(note) = spawn::cut_note(stream, captured) {
        shown.push_str(&format!("\n({note})"));
    }
    shown
}

/// The program, its arguments, the command as a person types it, and
/// whether the arguments go on a Windows command line as they are.
type CommandLine = (OsString, Vec<OsString>, String, bool);

/// How to start the check's command. `windows`: `shell: true` means cmd.exe.
/// The words of a list have `~` and `${VAR}` expanded; a line given to a
/// shell is the shell's to expand.
///
/// cmd.exe gets `/S /C "line"`: with `/S` it removes exactly the outer
/// quotes and runs the line as typed, whatever quotes it holds, so the line
/// goes on its command line verbatim (the usual quoting, `\"` for a quote,
/// means nothing to cmd).
fn command_line(
    check: &RunCheck,
    windows: bool,
    world: &dyn World,
) -> Result<CommandLine, Box<Outcome>> {
    match (&check.run, check.shell) {
        (Argv::List(argv), None) => {
            let mut words = Vec::with_capacity(argv.len());
            for word in argv {
                words.push(expand(word, world).map_err(|why| Box::new(Outcome::error(why)))?);
            }
            let shown: Vec<String> = words
                .iter()
                .map(|w| w.to_string_lossy().into_owned())
                .collect();
            let typed = shell_words(&shown);
            let program = words.remove(0);
            Ok((program, words, typed, false))
        }
        (Argv::Line(line), None) => Err(Box::new(Outcome::error(format!(
            "`{line}` is one string; add `shell: true` or write it as a list"
        )))),
        (argv, Some(shell)) => {
            let shell = match shell {
                ShellChoice::Default if windows => ShellChoice::Cmd,
                ShellChoice::Default => ShellChoice::Sh,
                named => named,
            };
            let line = match argv {
                // Each word stays one word: quoted for sh, double-quoted
                // where it has spaces for cmd and PowerShell.
                Argv::List(args) => match shell {
                    ShellChoice::Cmd | ShellChoice::Powershell => args
                        .iter()
                        .map(|a| {
                            if a.contains(' ') {
                                format!("\"{a}\"")
                            } else {
                                a.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" "),
                    _ => shell_words(args),
                },
                Argv::Line(line) => line.clone(),
            };
            let (program, flags) = shell_program(shell);
            let mut args: Vec<OsString> = flags.iter().map(OsString::from).collect();
            let verbatim = shell == ShellChoice::Cmd;
            args.push(OsString::from(if verbatim {
                format!("\"{line}\"")
            } else {
                line.clone()
            }));
            Ok((OsString::from(program), args, line, verbatim))
        }
    }
}

/// The shell's program and the flags before the command line. `Default`
/// is resolved to `Sh` or `Cmd` by the caller.
fn shell_program(shell: ShellChoice) -> (&'static str, &'static [&'static str]) {
    match shell {
        ShellChoice::Default | ShellChoice::Sh => ("sh", &["-c"]),
        ShellChoice::Bash => ("bash", &["-c"]),
        ShellChoice::Cmd => ("cmd", &["/S", "/C"]),
        ShellChoice::Powershell => ("powershell", &["-NoProfile", "-NonInteractive", "-Command"]),
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

#[cfg(test)]
mod schema {
    use super::{Argv, ShellChoice};
    use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
    use std::borrow::Cow;

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

#[cfg(test)]
mod tests {
    use super::super::testing::{args, error, eval, fail, killed, pass, timed_out, windows};
    use super::super::Status;
    use super::{Argv, Context, Kind, RunCheck};
    use crate::spec::OsFamily;
    use crate::world::fake::{exited, FakeWorld};
    use crate::world::{Lookup, RunOutcome};
    use std::path::PathBuf;
    use std::time::Duration;

    #[test]
    fn run_list_with_a_shell_keeps_each_word_one_word() {
        let world = FakeWorld::default().tool("sh", "-c grep 'a b' f", exited(0, "", ""));
        let o = eval("run: [grep, \"a b\", f]\nshell: sh", &world);
        assert_eq!(o.status, Status::Pass, "{o:?}");
    }

    #[test]
    fn run_argv_list_runs_without_a_shell() {
        let world = FakeWorld::default().tool(
            "luarocks",
            "list",
            exited(0, "busted\n   2.2.0-1 (installed)\n", ""),
        );
        let o = eval("run: [luarocks, list]\nstdout: '^busted$'", &world);
        pass(&o);
        assert_eq!(o.message, "`luarocks list` ran (exit 0): busted");
        assert_eq!(o.expected, "exit 0, stdout matches `^busted$`");
        assert_eq!(o.actual, "exit 0");
        assert_eq!(o.location.as_deref(), Some("/fake/bin/luarocks"));
        assert_eq!(o.output.as_deref(), Some("busted\n   2.2.0-1 (installed)"));
        let ran = world.ran();
        assert_eq!(ran.len(), 1);
        assert_eq!(ran[0].program, PathBuf::from("/fake/bin/luarocks"));
        assert_eq!(args(&ran[0]), ["list"]);
    }

    #[test]
    fn run_exit_code_list() {
        let one = FakeWorld::default().tool("grep", "-q x f", exited(1, "", ""));
        let o = eval("run: [grep, -q, x, f]\nexit: [0, 1]", &one);
        pass(&o);
        assert_eq!(o.message, "`grep -q x f` ran (exit 1)");
        assert_eq!(o.expected, "exit 0 or 1");

        let two =
            FakeWorld::default().tool("grep", "-q x f", exited(2, "", "grep: f: No such file\n"));
        let o = eval("run: [grep, -q, x, f]\nexit: [0, 1]", &two);
        fail(&o);
        assert_eq!(
            o.message,
            "`grep -q x f` ended with exit 2, expected exit 0 or 1"
        );
        assert_eq!(o.actual, "exit 2");
        assert_eq!(o.output.as_deref(), Some("grep: f: No such file"));
    }

    #[test]
    fn run_single_exit_code_other_than_zero() {
        let world = FakeWorld::default().tool("false", "", exited(1, "", ""));
        pass(&eval("run: [\"false\"]\nexit: 1", &world));
        let o = eval("run: [\"false\"]", &world);
        fail(&o);
        assert_eq!(o.message, "`false` ended with exit 1, expected exit 0");
    }

    #[test]
    fn run_killed_by_a_signal_reads_well() {
        let world = FakeWorld::default().tool("crashy", "", killed("", "Segmentation fault\n"));
        let o = eval("run: [crashy]", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "`crashy` was killed by a signal, expected exit 0"
        );
        assert_eq!(o.actual, "killed by a signal");
    }

    #[test]
    fn run_stdout_must_match() {
        let world = FakeWorld::default().tool("luarocks", "list", exited(0, "penlight\n", ""));
        let o = eval("run: [luarocks, list]\nstdout: busted", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "stdout of `luarocks list` does not match `busted`"
        );
        assert_eq!(o.actual, "exit 0, stdout does not match `busted`");
        assert_eq!(o.output.as_deref(), Some("penlight"));
    }

    #[test]
    fn run_stdout_not() {
        let world = FakeWorld::default().tool(
            "docker",
            "info",
            exited(
                0,
                "Server Version: 27.1\nWARNING: No swap limit support\n",
                "",
            ),
        );
        let o = eval("run: [docker, info]\nstdout_not: '^WARNING'", &world);
        fail(&o);
        assert_eq!(o.message, "stdout of `docker info` matches `^WARNING`");
        assert_eq!(o.expected, "exit 0, stdout does not match `^WARNING`");
        assert_eq!(o.actual, "exit 0, stdout matches `^WARNING`");
        pass(&eval("run: [docker, info]\nstdout_not: '^ERROR'", &world));
    }

    #[test]
    fn run_stderr_and_stderr_not() {
        let world = FakeWorld::default().tool(
            "java",
            "-version",
            exited(0, "", "openjdk version \"17.0.15\"\n"),
        );
        pass(&eval("run: [java, -version]\nstderr: openjdk", &world));
        let o = eval("run: [java, -version]\nstderr: 'Temurin'", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "stderr of `java -version` does not match `Temurin`"
        );
        assert_eq!(o.output.as_deref(), Some("openjdk version \"17.0.15\""));
        let o = eval("run: [java, -version]\nstderr_not: openjdk", &world);
        fail(&o);
        assert_eq!(o.message, "stderr of `java -version` matches `openjdk`");
        assert_eq!(o.expected, "exit 0, stderr does not match `openjdk`");
    }

    #[test]
    fn run_output_shows_stdout_then_stderr() {
        let world = FakeWorld::default().tool("tool", "", exited(0, "out\n", "err\n"));
        let o = eval("run: [tool]", &world);
        pass(&o);
        assert_eq!(o.output.as_deref(), Some("out\nerr"));
    }

    #[test]
    fn run_shell_true_builds_sh_dash_c() {
        let line = "test -d \"$HOME\" && echo ok";
        let world = FakeWorld::default().on(OsFamily::Linux).tool(
            "sh",
            &format!("-c {line}"),
            exited(0, "ok\n", ""),
        );
        let o = eval(&format!("run: '{line}'\nshell: true\nstdout: ok"), &world);
        pass(&o);
        assert_eq!(o.message, format!("`{line}` ran (exit 0): ok"));
        let ran = world.ran();
        assert_eq!(ran.len(), 1);
        assert_eq!(ran[0].program, PathBuf::from("/fake/bin/sh"));
        assert_eq!(args(&ran[0]), ["-c", line]);
    }

    #[test]
    fn run_named_shells() {
        let world = FakeWorld::default()
            .tool("bash", "-c echo ok", exited(0, "ok\n", ""))
            .tool(
                "powershell",
                "-NoProfile -NonInteractive -Command echo ok",
                exited(0, "ok\n", ""),
            )
            .tool("cmd", "/S /C \"echo ok\"", exited(0, "ok\n", ""));
        pass(&eval("run: echo ok\nshell: bash", &world));
        pass(&eval("run: echo ok\nshell: powershell", &world));
        pass(&eval("run: echo ok\nshell: cmd", &world));
        let ran: Vec<(PathBuf, Vec<String>)> = world
            .ran()
            .iter()
            .map(|r| (r.program.clone(), args(r)))
            .collect();
        assert_eq!(
            ran,
            [
                (
                    PathBuf::from("/fake/bin/bash"),
                    vec!["-c".to_string(), "echo ok".into()]
                ),
                (
                    PathBuf::from("/fake/bin/powershell"),
                    vec![
                        "-NoProfile".to_string(),
                        "-NonInteractive".into(),
                        "-Command".into(),
                        "echo ok".into()
                    ]
                ),
                (
                    PathBuf::from("/fake/bin/cmd"),
                    vec!["/S".to_string(), "/C".into(), "\"echo ok\"".into()]
                ),
            ]
        );
    }

    #[test]
    fn run_program_missing() {
        let o = eval("run: [luarocks, list]", &FakeWorld::default());
        fail(&o);
        assert_eq!(
            o.message,
            "cannot run `luarocks list`: `luarocks` is not on PATH"
        );
        assert_eq!(o.expected, "exit 0");
        assert_eq!(o.actual, "`luarocks` not found on PATH");
    }

    #[test]
    fn run_shell_missing_names_the_shell() {
        let o = eval("run: echo hi\nshell: bash", &FakeWorld::default());
        fail(&o);
        assert_eq!(o.message, "cannot run `echo hi`: `bash` is not on PATH");
    }

    #[test]
    fn run_program_not_executable() {
        let world = FakeWorld::default().lookup_as(
            "luarocks",
            Lookup::NotExecutable(PathBuf::from("/opt/bin/luarocks")),
        );
        let o = eval("run: [luarocks, list]", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "cannot run `luarocks list`: /opt/bin/luarocks is not executable"
        );
        assert_eq!(o.actual, "not executable");
        assert_eq!(o.location.as_deref(), Some("/opt/bin/luarocks"));
        assert!(world.ran().is_empty());
    }

    #[test]
    fn run_failed_to_start() {
        let world = FakeWorld::default().tool(
            "luarocks",
            "list",
            RunOutcome::FailedToStart(
                "it could not be started (no such file, or its interpreter is missing)".into(),
            ),
        );
        let o = eval("run: [luarocks, list]", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "`luarocks list` does not run: it could not be started (no such file, or its interpreter is missing)"
        );
        assert_eq!(o.actual, "does not run");
    }

    #[test]
    fn run_timeout() {
        let world =
            FakeWorld::default().tool("luarocks", "list", timed_out(500, "partial\n", "warn\n"));
        let o = eval("run: [luarocks, list]\ntimeout: 500ms", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "`luarocks list` timed out after 500ms; it and its child processes were killed"
        );
        assert_eq!(o.actual, "timed out");
        assert_eq!(o.output.as_deref(), Some("partial\nwarn"));
        assert_eq!(world.ran()[0].timeout, Duration::from_millis(500));
    }

    #[test]
    fn run_timing_out_on_a_version_says_to_raise_its_timeout() {
        let world = FakeWorld::default().tool("gradle", "--version", timed_out(3000, "", ""));
        let o = eval(
            "run: [gradle, --version]\nversion: \">=8\"\ntimeout: 3s",
            &world,
        );
        fail(&o);
        assert_eq!(
            o.message,
            "`gradle --version` timed out after 3.000s; it and its child processes were killed: \
             the check's `timeout` was 3s; if the tool is only slow to start (a JVM or BEAM \
             tool on a busy machine), raise `timeout`"
        );
        assert_eq!(o.actual, "timed out");
    }

    #[test]
    fn run_one_string_without_a_shell_is_an_error() {
        // The loader refuses this combination; the check still must not run it.
        let c = RunCheck {
            run: Argv::Line("echo hi".into()),
            shell: None,
            exit: None,
            stdout: None,
            stdout_not: None,
            stderr: None,
            stderr_not: None,
            version: None,
            version_matches: None,
            version_regex: None,
        };
        let world = FakeWorld::default().tool("echo", "hi", exited(0, "hi\n", ""));
        let o = c.evaluate(
            &world,
            &Context {
                timeout: Duration::from_secs(1),
                secrets: &crate::redact::Redactor::default(),
                deadline: std::time::Instant::now() + Duration::from_secs(1),
            },
        );
        error(&o);
        assert_eq!(
            o.message,
            "`echo hi` is one string; add `shell: true` or write it as a list"
        );
        assert!(world.ran().is_empty());
    }

    #[test]
    fn run_shell_true_on_windows_is_cmd_with_the_line_verbatim() {
        let line = r#""C:\Program Files\Git\cmd\git.exe" --version & exit /b 0"#;
        let world = windows().tool(
            "cmd",
            &format!("/S /C \"{line}\""),
            exited(0, "git\r\n", ""),
        );
        let o = eval(&format!("run: '{line}'\nshell: true\nstdout: git"), &world);
        pass(&o);
        assert_eq!(o.message, format!("`{line}` ran (exit 0): git"));
        let ran = world.ran();
        assert_eq!(ran[0].program, PathBuf::from("/fake/bin/cmd"));
        assert_eq!(args(&ran[0]), ["/S", "/C", &format!("\"{line}\"")]);
        assert!(ran[0].verbatim, "cmd's line must not get the usual quoting");
    }

    #[test]
    fn run_list_with_cmd_quotes_words_with_spaces() {
        let world = windows().tool(
            "cmd",
            r#"/S /C "dir "C:\Program Files" /b""#,
            exited(0, "", ""),
        );
        pass(&eval(
            "run: [dir, 'C:\\Program Files', /b]\nshell: true",
            &world,
        ));
        // PowerShell's arguments are passed the usual way.
        let world = windows().tool(
            "powershell",
            "-NoProfile -NonInteractive -Command Get-Item \"C:\\Program Files\"",
            exited(0, "", ""),
        );
        pass(&eval(
            "run: [Get-Item, 'C:\\Program Files']\nshell: powershell",
            &world,
        ));
        assert!(!world.ran()[0].verbatim);
    }

    #[test]
    fn run_reads_a_version_from_the_output_like_command() {
        let world = FakeWorld::default().tool(
            "docker",
            "version --format {{.Server.Version}}",
            exited(0, "24.0.7\n", ""),
        );
        let yaml = "run: [docker, version, --format, \"{{.Server.Version}}\"]\nversion: \">=24\"";
        let o = eval(yaml, &world);
        pass(&o);
        assert_eq!(o.expected, "exit 0, version >=24");
        let old = FakeWorld::default().tool(
            "docker",
            "version --format {{.Server.Version}}",
            exited(0, "20.10.24\n", ""),
        );
        let o = eval(yaml, &old);
        fail(&o);
        assert!(o.message.contains("20.10.24"), "{}", o.message);
        assert!(o.message.contains(">=24"), "{}", o.message);
    }

    #[test]
    fn run_without_a_version_in_its_output_fails_saying_so() {
        let world = FakeWorld::default().tool("docker", "info", exited(0, "Server: ok\n", ""));
        let o = eval("run: [docker, info]\nversion_matches: \"^2\"", &world);
        fail(&o);
        assert!(
            o.message
                .starts_with("no version found in the output of `docker info`"),
            "{}",
            o.message
        );
    }

    #[test]
    fn run_version_regex_alone_is_refused_by_the_loader() {
        let text = "checks:\n  - run: [docker, info]\n    version_regex: \"v(\\\\d+)\"\n";
        let errors = crate::catalog::load_str("t", text).unwrap_err();
        let shown = crate::spec::SpecErrors(errors).to_string();
        assert!(shown.contains("nothing asks for one"), "{shown}");
    }

    #[test]
    fn run_words_are_expanded_and_a_path_program_is_not_looked_up_on_path() {
        let world = FakeWorld::default()
            .var("GRADLE_HOME", "/opt/gradle")
            .var("HOME", "/home/go")
            .tool_at(
                "/opt/gradle/bin/gradle",
                "-p /home/go/app help",
                exited(0, "ok\n", ""),
            );
        let o = eval(
            "run: [\"${GRADLE_HOME}/bin/gradle\", -p, ~/app, help]",
            &world,
        );
        pass(&o);
        let missing = FakeWorld::default().var("GRADLE_HOME", "/opt/none");
        let o = eval("run: [\"${GRADLE_HOME}/bin/gradle\", help]", &missing);
        fail(&o);
        assert_eq!(
            o.message,
            "cannot run `/opt/none/bin/gradle help`: /opt/none/bin/gradle does not exist"
        );
        let unset = eval(
            "run: [\"${GRADLE_HOME}/bin/gradle\", help]",
            &FakeWorld::default(),
        );
        error(&unset);
        assert_eq!(
            unset.message,
            "GRADLE_HOME is not set (`${GRADLE_HOME}/bin/gradle` uses it)"
        );
    }

    #[test]
    fn a_passing_run_shows_its_first_line_with_secrets_hidden_before_the_cut() {
        let secret = "s3cr3t-value-that-is-long";
        let long = format!(
            "{}{secret} and a tail long enough to be cut",
            "x".repeat(70)
        );
        let world = FakeWorld::default().var("API_TOKEN", secret).tool(
            "tool",
            "",
            exited(0, &format!("\n{long}\nsecond\n"), ""),
        );
        let o = eval("run: [tool]", &world);
        pass(&o);
        assert!(!o.message.contains("s3cr3t"), "{}", o.message);
        assert!(
            o.message.starts_with("`tool` ran (exit 0): xxxx"),
            "{}",
            o.message
        );
        assert!(o.message.contains("<hidden: API_TOKEN>"), "{}", o.message);
        assert!(o.message.ends_with('…'), "{}", o.message);
        let quiet = FakeWorld::default().tool("tool", "", exited(0, "", "only stderr\n"));
        assert_eq!(
            eval("run: [tool]", &quiet).message,
            "`tool` ran (exit 0): only stderr"
        );
    }
}

//! `run`: a command line runs, with the exit code and output it should have.

use std::ffi::OsString;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::spawn::{self, Role, Start};
use super::{Conflict, Context, Declared, Kind, Outcome};
use crate::spec::{OneOrMany, OsFamily, Pattern};
use crate::text::{excerpt, shell_words};
use crate::world::World;

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

impl Declared for RunCheck {
    const KEY: &'static str = "run";
}

impl Kind for RunCheck {
    fn subject(&self) -> String {
        self.run.display()
    }

    fn conflict(&self) -> Option<Conflict> {
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
        let (program, args, typed, verbatim) = match command_line(self, windows) {
            Ok(parts) => parts,
            Err(outcome) => return *outcome,
        };
        let expected = self.expected();
        let role = Role::Line {
            typed: &typed,
            program: &program,
        };
        let path = match spawn::look_up(world, role, &expected) {
            Ok(path) => path,
            Err(outcome) => return *outcome,
        };
        let at = path.display().to_string();
        let start = Start {
            path: &path,
            args: args.into_iter().map(OsString::from).collect(),
            verbatim,
            timeout: cx.timeout,
            typed: &typed,
        };
        let ran = match spawn::run(world, role, start, &expected, cx.secrets) {
            Ok(ran) => ran,
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
        let pattern_checks: [(&Option<Pattern>, &str, &str, bool); 4] = [
            (&self.stdout, &stdout, "stdout", true),
            (&self.stdout_not, &stdout, "stdout", false),
            (&self.stderr, &stderr, "stderr", true),
            (&self.stderr_not, &stderr, "stderr", false),
        ];
        for (pattern, text, stream, must) in pattern_checks {
            let Some(pattern) = pattern else { continue };
            if pattern.0.is_match(text) != must {
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
                .output(Some(excerpt(&cx.secrets.redact(text), 5)));
            }
        }
        Outcome::pass(format!("`{typed}` ran ({exit_text})"))
            .expected(expected)
            .actual(exit_text)
            .at(at)
            .output(output)
    }
}

impl RunCheck {
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
        text
    }
}

/// The program, its arguments, the command as a person types it, and
/// whether the arguments go on a Windows command line as they are.
type CommandLine = (String, Vec<String>, String, bool);

/// How to start the check's command. `windows`: `shell: true` means cmd.exe.
///
/// cmd.exe gets `/S /C "line"`: with `/S` it removes exactly the outer
/// quotes and runs the line as typed, whatever quotes it holds, so the line
/// goes on its command line verbatim (the usual quoting, `\"` for a quote,
/// means nothing to cmd).
fn command_line(check: &RunCheck, windows: bool) -> Result<CommandLine, Box<Outcome>> {
    match (&check.run, check.shell) {
        (Argv::List(argv), None) => {
            let typed = shell_words(argv);
            Ok((argv[0].clone(), argv[1..].to_vec(), typed, false))
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
            let mut args: Vec<String> = flags.iter().map(ToString::to_string).collect();
            let verbatim = shell == ShellChoice::Cmd;
            args.push(if verbatim {
                format!("\"{line}\"")
            } else {
                line.clone()
            });
            Ok((program.to_string(), args, line, verbatim))
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
        assert_eq!(o.message, "`luarocks list` ran (exit 0)");
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
        assert_eq!(o.message, format!("`{line}` ran (exit 0)"));
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
        };
        let world = FakeWorld::default().tool("echo", "hi", exited(0, "hi\n", ""));
        let o = c.evaluate(
            &world,
            &Context {
                timeout: Duration::from_secs(1),
                secrets: &crate::redact::Redactor::default(),
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
        assert_eq!(o.message, format!("`{line}` ran (exit 0)"));
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
}

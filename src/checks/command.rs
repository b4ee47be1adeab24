//! `command`: a tool is on PATH; with a version range or pattern it is run
//! and its version read from what it prints.

use super::draft::{Draft, Val};
use super::observe::{range, Ask};
use serde::Deserialize;

use super::expand::expand;
use super::spawn::{self, Role, Start};
use super::versioned::{self, VersionKeys};
use super::{Context, Declared, Kind, Outcome};
use crate::spec::{OneOrMany, Pattern};
use crate::text::shell_words;
use crate::version::VersionReq;
use crate::world::World;

/// A command must be on PATH; with `version`, `version_matches` or `args`
/// it is also run, and must start and exit 0.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
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
    /// The exit code, or a list of them, that counts as success when it is
    /// run; default 0.
    /// For tools that print their version and exit non-zero (`unzip -v`).
    pub exit: Option<OneOrMany<i32>>,
}

impl Declared for CommandCheck {
    const KEY: &'static str = "command";

    /// The arguments that make the command print a version, and the
    /// range; only `command: name` when no form prints one.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        observe_command(ask)
    }
}

impl Kind for CommandCheck {
    fn subject(&self) -> String {
        self.command.clone()
    }

    fn qualifier(&self) -> Option<String> {
        self.version_keys().qualifier()
    }

    fn conflict(&self) -> Option<super::Conflict> {
        self.version_keys().regex_without_use()
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let keys = self.version_keys();
        let wanted = self.wanted();
        // `${JAVA_HOME}/bin/java`: the command as the machine has it.
        let program = match expand(&self.command, world) {
            Ok(program) => program,
            Err(why) => return Outcome::error(why).expected(wanted),
        };
        let name = program.to_string_lossy().into_owned();
        let role = Role::Tool(&name);
        let path = match spawn::look_up(world, role, &program, &wanted) {
            Ok(path) => path,
            Err(outcome) => return *outcome,
        };
        let shown = path.display().to_string();
        if !self.runs() {
            return Outcome::pass(format!("`{name}` is {shown}"))
                .expected(wanted)
                .actual(shown.clone())
                .at(shown);
        }

        let written: Vec<String> = self
            .args
            .clone()
            .unwrap_or_else(|| vec!["--version".to_string()]);
        let mut args = Vec::with_capacity(written.len());
        for arg in &written {
            match expand(arg, world) {
                Ok(arg) => args.push(arg),
                Err(why) => return Outcome::error(why).expected(wanted).at(shown),
            }
        }
        let words: Vec<String> = std::iter::once(name.clone())
            .chain(args.iter().map(|a| a.to_string_lossy().into_owned()))
            .collect();
        let typed = shell_words(&words);
        let start = Start {
            path: &path,
            args,
            verbatim: false,
            timeout: cx.timeout,
            typed: &typed,
            watch: keys.watch(),
        };
        let ran = match spawn::run(world, role, start, &wanted, cx.secrets) {
            Ok(ran) => ran,
            Err(outcome) if keys.wanted() => {
                return versioned::timed_out_hint(*outcome, cx.timeout)
            }
            Err(outcome) => return *outcome,
        };
        let raw = role.output(&ran.stdout, &ran.stderr, cx.secrets);
        let allowed = self.exit.as_ref().map_or(&[0][..], |e| e.0.as_slice());
        if !ran.code.is_some_and(|c| allowed.contains(&c)) {
            let how = ran.code.map_or("was killed by a signal".to_string(), |c| {
                format!("exited with {c}")
            });
            // 126/127 is how shells and shims (pyenv, asdf) say "cannot run
            // this"; 9009 is cmd.exe's "is not recognized as an internal or
            // external command" (a .cmd wrapper whose program is gone, or
            // Windows' app execution alias for a Python from the Store).
            let message = if matches!(ran.code, Some(126 | 127 | 9009)) {
                format!("`{name}` is found but does not run: `{typed}` {how}")
            } else {
                format!("`{typed}` {how}")
            };
            return Outcome::fail(message)
                .expected(wanted)
                .actual(format!("found, `{typed}` {how}"))
                .at(shown)
                .output(Some(raw));
        }

        if !keys.wanted() {
            return Outcome::pass(format!("`{typed}` ran"))
                .expected(wanted)
                .actual(format!("{shown}, exit 0"))
                .at(shown)
                .output(Some(raw));
        }
        let names = [
            self.command.as_str(),
            name.as_str(),
            &shown,
            path_name(&path),
        ];
        keys.verdict(&name, &typed, (&ran.stdout, &ran.stderr), &names, cx)
            .expected(wanted)
            .at(shown)
            .output(Some(raw))
    }
}

impl CommandCheck {
    fn version_keys(&self) -> VersionKeys<'_> {
        VersionKeys {
            range: self.version.as_ref(),
            matches: self.version_matches.as_ref(),
            regex: self.version_regex.as_ref(),
        }
    }

    /// Whether the check runs the command (else it only looks it up).
    fn runs(&self) -> bool {
        self.version_keys().wanted() || self.args.is_some()
    }

    fn wanted(&self) -> String {
        let where_ = if self.command.contains(['/', '\\']) {
            "exists"
        } else {
            "on PATH"
        };
        let mut text = format!("`{}` {where_}", self.command);
        text.push_str(&self.version_keys().describe());
        if !self.version_keys().wanted() && self.runs() {
            let codes = self.exit.as_ref().map(|e| e.0.as_slice()).unwrap_or(&[0]);
            let codes: Vec<String> = codes.iter().map(ToString::to_string).collect();
            text.push_str(&format!(", runs and exits {}", codes.join(" or ")));
        }
        text
    }
}

/// The file name of a resolved command (`gcc-12` for /usr/bin/gcc-12).
fn path_name(path: &std::path::Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
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
const TRY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

fn observe_command(ask: &Ask) -> Result<Draft, String> {
    use crate::version::extract;
    use crate::world::{Lookup, RunOutcome, RunRequest};
    let (name, world) = (ask.subject, ask.world);
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
    let given: Option<Vec<&str>> = ask
        .wanted
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
            watch: vec![versioned::version_lines()],
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
        return Ok(draft.with("version", Val::Text(range(&found.version, ask.wanted.pin))));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{args, error, eval, fail, killed, pass, timed_out, windows};
    use super::super::Status;
    use crate::world::fake::{exited, FakeWorld};
    use crate::world::{Lookup, RunOutcome};
    use std::path::PathBuf;
    use std::time::Duration;

    #[test]
    fn command_version_in_range_passes() {
        let world = FakeWorld::default().tool(
            "lua",
            "-v",
            exited(0, "Lua 5.4.6  Copyright (C) 1994-2023\n", ""),
        );
        let o = eval(
            "command: lua\nversion: \">=5.3, <5.5\"\nargs: [\"-v\"]",
            &world,
        );
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert_eq!(o.actual, "5.4.6");
        assert_eq!(o.location.as_deref(), Some("/fake/bin/lua"));
    }

    #[test]
    fn command_version_out_of_range_names_range_version_and_output() {
        let world = FakeWorld::default().tool(
            "lua",
            "-v",
            exited(0, "Lua 5.1.5  Copyright (C) 1994-2012\n", ""),
        );
        let o = eval(
            "command: lua\nversion: \">=5.3, <5.5\"\nargs: [\"-v\"]",
            &world,
        );
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message, "lua 5.1.5 is not in >=5.3, <5.5");
        assert_eq!(o.expected, "`lua` on PATH, version >=5.3, <5.5");
        assert_eq!(
            o.output.as_deref(),
            Some("Lua 5.1.5  Copyright (C) 1994-2012")
        );
    }

    #[test]
    fn version_on_stderr_is_read() {
        let world = FakeWorld::default().tool(
            "java",
            "-version",
            exited(
                0,
                "",
                "openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime Environment\n",
            ),
        );
        let o = eval("command: java\nversion: \">=17\"\nargs: [-version]", &world);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert_eq!(o.actual, "17.0.15");
    }

    #[test]
    fn a_shim_exiting_127_is_found_but_does_not_run() {
        let world = FakeWorld::default().tool(
            "python2",
            "--version",
            exited(127, "", "pyenv: python2: command not found\n"),
        );
        let o = eval("command: python2\nversion: \">=2.7\"", &world);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "`python2` is found but does not run: `python2 --version` exited with 127"
        );
        assert_eq!(
            o.output.as_deref(),
            Some("pyenv: python2: command not found")
        );
    }

    #[test]
    fn missing_command_fails_and_shows_path() {
        let world = FakeWorld::default().var("PATH", "/usr/bin:/bin");
        let o = eval("command: busted", &world);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message, "`busted` is not on PATH");
        assert_eq!(o.location.as_deref(), Some("PATH=/usr/bin:/bin"));
    }

    #[test]
    fn command_present_without_version_is_only_looked_up() {
        let world = FakeWorld::default().tool("lua", "--version", exited(0, "Lua 5.4.6", ""));
        let o = eval("command: lua", &world);
        pass(&o);
        assert_eq!(o.message, "`lua` is /fake/bin/lua");
        assert_eq!(o.expected, "`lua` on PATH");
        assert_eq!(o.actual, "/fake/bin/lua");
        assert_eq!(o.location.as_deref(), Some("/fake/bin/lua"));
        assert!(world.ran().is_empty(), "ran {:?}", world.ran());
    }

    #[test]
    fn missing_command_without_path_variable_shows_no_output() {
        let o = eval("command: busted", &FakeWorld::default());
        fail(&o);
        assert_eq!(o.expected, "`busted` on PATH");
        assert_eq!(o.actual, "not found on PATH");
        assert_eq!(o.output, None);
    }

    #[test]
    fn command_not_executable_names_the_file_and_runs_nothing() {
        let world = FakeWorld::default().lookup_as(
            "lua",
            Lookup::NotExecutable(PathBuf::from("/opt/lua/bin/lua")),
        );
        let o = eval("command: lua\nversion: \">=5.3\"", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "`lua` is found but does not run: /opt/lua/bin/lua is not executable"
        );
        assert_eq!(o.expected, "`lua` on PATH, version >=5.3");
        assert_eq!(o.actual, "found, not executable");
        assert_eq!(o.location.as_deref(), Some("/opt/lua/bin/lua"));
        assert!(world.ran().is_empty());
    }

    #[test]
    fn command_that_fails_to_start_says_why() {
        let world = FakeWorld::default().tool(
            "lua",
            "--version",
            RunOutcome::FailedToStart(
                "permission denied: it is not executable by this user".into(),
            ),
        );
        let o = eval("command: lua\nversion: \">=5.3\"", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "`lua` is found but does not run: permission denied: it is not executable by this user"
        );
        assert_eq!(o.actual, "found, does not run");
        assert_eq!(o.location.as_deref(), Some("/fake/bin/lua"));
    }

    #[test]
    fn command_timing_out_is_reported_with_its_partial_output_and_own_timeout() {
        let world = FakeWorld::default().tool("lua", "-v", timed_out(2500, "", "loading...\n"));
        let o = eval(
            "command: lua\nargs: [-v]\nversion: \">=5\"\ntimeout: 2s",
            &world,
        );
        fail(&o);
        assert_eq!(
            o.message,
            "`lua -v` timed out after 2.500s; it and its child processes were killed: \
             the check's `timeout` was 2s; if the tool is only slow to start (a JVM or BEAM \
             tool on a busy machine), raise `timeout`"
        );
        assert_eq!(o.actual, "no answer (timed out)");
        assert_eq!(o.output.as_deref(), Some("loading..."));
        let ran = world.ran();
        assert_eq!(ran.len(), 1);
        assert_eq!(ran[0].timeout, Duration::from_secs(2));
    }

    #[test]
    fn command_exit_126_is_found_but_does_not_run() {
        let world = FakeWorld::default().tool(
            "node",
            "--version",
            exited(126, "", "asdf: no version set for node\n"),
        );
        let o = eval("command: node\nversion: \">=20\"", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "`node` is found but does not run: `node --version` exited with 126"
        );
        assert_eq!(o.actual, "found, `node --version` exited with 126");
        assert_eq!(o.output.as_deref(), Some("asdf: no version set for node"));
    }

    #[test]
    fn command_non_zero_exit_fails_even_with_a_version_in_the_output() {
        let world = FakeWorld::default().tool(
            "lua",
            "--version",
            exited(3, "Lua 5.4.6\n", "lua: cannot open --version\n"),
        );
        let o = eval("command: lua\nversion: \">=5.3\"", &world);
        fail(&o);
        assert_eq!(o.message, "`lua --version` exited with 3");
        assert_eq!(o.expected, "`lua` on PATH, version >=5.3");
        assert_eq!(o.actual, "found, `lua --version` exited with 3");
        // stdout first: it is what a person would see.
        assert_eq!(o.output.as_deref(), Some("Lua 5.4.6"));
    }

    #[test]
    fn command_killed_by_a_signal_says_so() {
        let world = FakeWorld::default().tool("lua", "--version", killed("", ""));
        let o = eval("command: lua\nversion: \">=5.3\"", &world);
        fail(&o);
        assert_eq!(o.message, "`lua --version` was killed by a signal");
        assert_eq!(o.actual, "found, `lua --version` was killed by a signal");
        assert_eq!(o.output, None);
    }

    #[test]
    fn command_without_a_version_in_its_output_fails() {
        let world = FakeWorld::default().tool(
            "lua",
            "--version",
            exited(0, "Lua, the programming language\n", ""),
        );
        let o = eval("command: lua\nversion: \">=5.3\"", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "no version found in the output of `lua --version`: no version-like text"
        );
        assert_eq!(o.actual, "no version in the output");
        assert_eq!(o.output.as_deref(), Some("Lua, the programming language"));
    }

    #[test]
    fn version_regex_capture_group_picks_the_version() {
        let output = "built 2024.01.05, release 1.4.2\n";
        let world = FakeWorld::default().tool("tool", "--version", exited(0, output, ""));
        let o = eval(
            "command: tool\nversion: \">=1.4, <2\"\nversion_regex: 'release (\\d+\\.\\d+\\.\\d+)'",
            &world,
        );
        pass(&o);
        assert_eq!(o.message, "tool 1.4.2");
        assert_eq!(o.actual, "1.4.2");
        // Without the regex, the first version-like token is taken.
        let o = eval("command: tool\nversion: \">=1.4, <2\"", &world);
        fail(&o);
        assert_eq!(o.message, "tool 2024.01.05 is not in >=1.4, <2");
    }

    #[test]
    fn version_regex_without_a_group_uses_the_whole_match() {
        let world = FakeWorld::default().tool(
            "tool",
            "--version",
            exited(0, "tool 9.9 (protocol v3.2)\n", ""),
        );
        let o = eval(
            "command: tool\nversion: \"3\"\nversion_regex: 'v\\d+\\.\\d+'",
            &world,
        );
        pass(&o);
        assert_eq!(o.actual, "3.2");
    }

    #[test]
    fn version_regex_matching_nothing_names_the_regex() {
        let world = FakeWorld::default().tool("tool", "--version", exited(0, "tool 1.4.2\n", ""));
        let o = eval(
            "command: tool\nversion: \">=1\"\nversion_regex: 'release (\\d+)'",
            &world,
        );
        fail(&o);
        assert_eq!(
            o.message,
            "no version found in the output of `tool --version`: nothing matched `release (\\d+)`"
        );
        assert_eq!(o.actual, "no version in the output");
    }

    #[test]
    fn version_matches_is_a_regex_on_the_version_text() {
        let world = FakeWorld::default().tool(
            "go",
            "version",
            exited(0, "go version go1.22.3 linux/amd64\n", ""),
        );
        let o = eval(
            "command: go\nargs: [version]\nversion_matches: '^1\\.22\\.'",
            &world,
        );
        pass(&o);
        assert_eq!(o.message, "go 1.22.3");
        assert_eq!(o.expected, "`go` on PATH, version matching `^1\\.22\\.`");
        assert_eq!(o.actual, "1.22.3");

        let o = eval(
            "command: go\nargs: [version]\nversion_matches: '^1\\.21\\.'",
            &world,
        );
        fail(&o);
        assert_eq!(o.message, "go 1.22.3 does not match `^1\\.21\\.`");
        assert_eq!(o.actual, "1.22.3");
    }

    #[test]
    fn version_in_range_but_not_matching_the_pattern_fails_on_the_pattern() {
        let world = FakeWorld::default().tool(
            "go",
            "version",
            exited(0, "go version go1.22.3 linux/amd64\n", ""),
        );
        let o = eval(
            "command: go\nargs: [version]\nversion: \">=1.21\"\nversion_matches: '^1\\.21\\.'",
            &world,
        );
        fail(&o);
        assert_eq!(o.message, "go 1.22.3 does not match `^1\\.21\\.`");
        assert_eq!(
            o.expected,
            "`go` on PATH, version >=1.21, version matching `^1\\.21\\.`"
        );
    }

    #[test]
    fn version_on_stdout_wins_over_stderr() {
        let world = FakeWorld::default().tool(
            "tool",
            "--version",
            exited(0, "tool 2.0.1\n", "warning: config 1.0.0 is old\n"),
        );
        let o = eval("command: tool\nversion: \"2\"", &world);
        pass(&o);
        assert_eq!(o.actual, "2.0.1");
    }

    #[test]
    fn args_only_runs_the_command_and_wants_exit_zero() {
        let world = FakeWorld::default().tool(
            "make",
            "--help",
            exited(0, "Usage: make [options] [target] ...\nOptions:\n", ""),
        );
        let o = eval("command: make\nargs: [--help]", &world);
        pass(&o);
        assert_eq!(o.message, "`make --help` ran");
        assert_eq!(o.expected, "`make` on PATH, runs and exits 0");
        assert_eq!(o.actual, "/fake/bin/make, exit 0");
        assert_eq!(
            o.output.as_deref(),
            Some("Usage: make [options] [target] ...\nOptions:")
        );
        let ran = world.ran();
        assert_eq!(ran.len(), 1);
        assert_eq!(ran[0].program, PathBuf::from("/fake/bin/make"));
        assert_eq!(args(&ran[0]), ["--help"]);
    }

    #[test]
    fn args_only_run_with_a_failing_exit_fails() {
        let world = FakeWorld::default().tool("make", "--help", exited(2, "", "make: *** oops\n"));
        let o = eval("command: make\nargs: [--help]", &world);
        fail(&o);
        assert_eq!(o.message, "`make --help` exited with 2");
        assert_eq!(o.expected, "`make` on PATH, runs and exits 0");
    }

    #[test]
    fn default_args_are_dash_dash_version() {
        let world = FakeWorld::default().tool("lua", "--version", exited(0, "Lua 5.4.6\n", ""));
        pass(&eval("command: lua\nversion: \"5.4\"", &world));
        let ran = world.ran();
        assert_eq!(ran.len(), 1);
        assert_eq!(args(&ran[0]), ["--version"]);
        assert_eq!(
            ran[0].timeout,
            Duration::from_secs(10),
            "the default timeout"
        );
    }

    #[test]
    fn arguments_are_shown_quoted_as_typed() {
        let world = FakeWorld::default().tool("lua", "-e os.exit(4)", exited(4, "", ""));
        let o = eval("command: lua\nargs: [-e, 'os.exit(4)']", &world);
        fail(&o);
        assert_eq!(o.message, "`lua -e 'os.exit(4)'` exited with 4");
        assert_eq!(args(&world.ran()[0]), ["-e", "os.exit(4)"]);
    }

    #[test]
    fn a_command_is_never_run_verbatim() {
        let world = windows().tool("node", "--version", exited(0, "v20.11.1\r\n", ""));
        pass(&eval("command: node\nversion: \">=20\"", &world));
        assert!(!world.ran()[0].verbatim);
    }

    #[test]
    fn exit_9009_from_a_cmd_wrapper_is_found_but_does_not_run() {
        let world = windows().tool(
            "python",
            "--version",
            exited(
                9009,
                "",
                "Python was not found; run without arguments to install from the Microsoft Store\r\n",
            ),
        );
        let o = eval("command: python\nversion: \">=3.9\"", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "`python` is found but does not run: `python --version` exited with 9009"
        );
        assert_eq!(
            o.output.as_deref(),
            Some("Python was not found; run without arguments to install from the Microsoft Store")
        );
    }

    #[test]
    fn a_tool_that_prints_its_version_and_exits_non_zero_passes_with_exit() {
        let world = FakeWorld::default().tool(
            "unzip",
            "-v",
            exited(10, "UnZip 6.00 of 20 April 2009, by Debian.\n", ""),
        );
        let o = eval("command: unzip\nargs: [-v]\nversion: '>=6'", &world);
        fail(&o);
        assert_eq!(o.message, "`unzip -v` exited with 10");
        let o = eval(
            "command: unzip\nargs: [-v]\nversion: '>=6'\nexit: [0, 10]",
            &world,
        );
        pass(&o);
        assert_eq!(o.actual, "6.00");
        let o = eval("command: unzip\nargs: [-v]\nexit: 10", &world);
        pass(&o);
        assert_eq!(o.expected, "`unzip` on PATH, runs and exits 10");
    }

    #[test]
    fn the_report_says_where_the_version_came_from() {
        let world = FakeWorld::default().tool(
            "x86_64-w64-mingw32-gcc",
            "--version",
            exited(
                0,
                "x86_64-w64-mingw32-gcc (GCC) 12-win32\nCopyright (C) 2022\n",
                "",
            ),
        );
        let o = eval("command: x86_64-w64-mingw32-gcc\nversion: '>=12'", &world);
        pass(&o);
        assert_eq!(o.actual, "12");
        assert_eq!(
            o.found_in.as_deref(),
            Some("line 1 of stdout: \"x86_64-w64-mingw32-gcc (GCC) 12-win32\"")
        );
        // A version_regex names its line too.
        let o = eval(
            "command: x86_64-w64-mingw32-gcc\nversion: '>=12'\nversion_regex: '\\(GCC\\) (\\d+)'",
            &world,
        );
        pass(&o);
        assert_eq!(
            o.found_in.as_deref(),
            Some("line 1 of stdout: \"x86_64-w64-mingw32-gcc (GCC) 12-win32\"")
        );
    }

    #[test]
    fn a_tool_that_rejects_the_argument_gives_no_version_whatever_numbers_it_prints() {
        let world = FakeWorld::default().tool(
            "oldtool",
            "--version",
            exited(
                0,
                "",
                "oldtool: invalid option -- '-'\nTry 'oldtool -h', see section 2\n",
            ),
        );
        let o = eval("command: oldtool\nversion: '>=2'", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "no version found in the output of `oldtool --version`: it rejects the argument \
             (`invalid option`); set `args` to what makes it print its version"
        );
    }

    #[test]
    fn a_command_with_a_variable_is_that_path_and_is_run_for_its_version() {
        let world = FakeWorld::default()
            .var("JAVA_HOME", "/opt/jdk-17")
            .tool_at(
                "/opt/jdk-17/bin/java",
                "-version",
                exited(0, "", "openjdk version \"17.0.9\" 2023-10-17\n"),
            );
        let o = eval(
            "command: ${JAVA_HOME}/bin/java\nargs: [-version]\nversion: \">=17\"",
            &world,
        );
        pass(&o);
        assert_eq!(o.location.as_deref(), Some("/opt/jdk-17/bin/java"));
        assert_eq!(o.expected, "`${JAVA_HOME}/bin/java` exists, version >=17");
        assert_eq!(
            world.ran()[0].program,
            PathBuf::from("/opt/jdk-17/bin/java")
        );
    }

    #[test]
    fn a_command_whose_variable_is_unset_could_not_be_checked() {
        let world = FakeWorld::default().tool("java", "-version", exited(0, "", "17.0.9"));
        let o = eval("command: ${JAVA_HOME}/bin/java\nversion: \">=17\"", &world);
        error(&o);
        assert_eq!(
            o.message,
            "JAVA_HOME is not set (`${JAVA_HOME}/bin/java` uses it)"
        );
        assert!(world.ran().is_empty());
    }

    #[test]
    fn a_command_path_that_is_missing_does_not_exist_rather_than_not_on_path() {
        let world = FakeWorld::default().var("JAVA_HOME", "/opt/jdk-11");
        let o = eval("command: ${JAVA_HOME}/bin/java", &world);
        fail(&o);
        assert_eq!(o.message, "/opt/jdk-11/bin/java does not exist");
        assert_eq!(o.actual, "does not exist");
        assert_eq!(o.location.as_deref(), Some("/opt/jdk-11/bin/java"));
    }

    #[test]
    fn arguments_are_expanded_too() {
        let world = FakeWorld::default().var("HOME", "/home/go").tool(
            "mvn",
            "-s /home/go/.m2/settings.xml --version",
            exited(0, "Apache Maven 3.9.6", ""),
        );
        let o = eval(
            "command: mvn\nargs: [-s, ~/.m2/settings.xml, --version]\nversion: \">=3.8\"",
            &world,
        );
        pass(&o);
    }
}

//! Running a command and checking its exit code and output.

use std::ffi::OsString;
use std::time::Duration;

use super::{excerpt, shell_words, timed_out, Outcome};
use crate::spec::{Argv, OsFamily, Pattern, RunCheck, ShellChoice};
use crate::world::{Lookup, RunOutcome, RunRequest, World};

pub fn run(check: &RunCheck, world: &dyn World, timeout: Duration) -> Outcome {
    let windows = world.os_family() == OsFamily::Windows;
    let (program, args, typed, verbatim) = match command_line(check, windows) {
        Ok(parts) => parts,
        Err(outcome) => return *outcome,
    };
    let program_path = match world.lookup(&program) {
        Lookup::Found(path) => path,
        Lookup::Missing => {
            return Outcome::fail(format!("cannot run `{typed}`: `{program}` is not on PATH"))
                .expected(expected(check))
                .actual(format!("`{program}` not found on PATH"));
        }
        Lookup::NotExecutable(path) => {
            return Outcome::fail(format!(
                "cannot run `{typed}`: {} is not executable",
                path.display()
            ))
            .expected(expected(check))
            .actual("not executable")
            .at(path.display().to_string());
        }
    };
    let at = program_path.display().to_string();
    let request = RunRequest {
        program: program_path,
        args: args.into_iter().map(OsString::from).collect(),
        verbatim,
        timeout,
    };
    let (code, stdout, stderr) = match world.run(&request) {
        RunOutcome::FailedToStart(why) => {
            return Outcome::fail(format!("`{typed}` does not run: {why}"))
                .expected(expected(check))
                .actual("does not run")
                .at(at);
        }
        RunOutcome::TimedOut {
            after,
            stdout,
            stderr,
        } => {
            return timed_out(&typed, after)
                .expected(expected(check))
                .actual("timed out")
                .at(at)
                .output(Some(both(&stdout.text(), &stderr.text())));
        }
        RunOutcome::Exited {
            code,
            stdout,
            stderr,
        } => (code, stdout.text(), stderr.text()),
    };
    let allowed: Vec<i32> = check.exit.as_ref().map_or(vec![0], |e| e.0.clone());
    let exit_text = code.map_or("killed by a signal".to_string(), |c| format!("exit {c}"));
    let output = Some(both(&stdout, &stderr));
    if !code.is_some_and(|c| allowed.contains(&c)) {
        let want: Vec<String> = allowed.iter().map(ToString::to_string).collect();
        let ended = code.map_or("was killed by a signal".to_string(), |c| {
            format!("ended with exit {c}")
        });
        return Outcome::fail(format!(
            "`{typed}` {ended}, expected exit {}",
            want.join(" or ")
        ))
        .expected(expected(check))
        .actual(exit_text)
        .at(at)
        .output(output);
    }
    let pattern_checks: [(&Option<Pattern>, &str, &str, bool); 4] = [
        (&check.stdout, &stdout, "stdout", true),
        (&check.stdout_not, &stdout, "stdout", false),
        (&check.stderr, &stderr, "stderr", true),
        (&check.stderr_not, &stderr, "stderr", false),
    ];
    for (pattern, text, stream, must) in pattern_checks {
        let Some(pattern) = pattern else { continue };
        if pattern.0.is_match(text) != must {
            let verb = if must { "does not match" } else { "matches" };
            return Outcome::fail(format!(
                "{stream} of `{typed}` {verb} `{}`",
                pattern.as_str()
            ))
            .expected(expected(check))
            .actual(format!(
                "{exit_text}, {stream} {verb} `{}`",
                pattern.as_str()
            ))
            .at(at)
            .output(Some(excerpt(text, 5)));
        }
    }
    Outcome::pass(format!("`{typed}` ran ({exit_text})"))
        .expected(expected(check))
        .actual(exit_text)
        .at(at)
        .output(output)
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

fn expected(check: &RunCheck) -> String {
    let codes: Vec<String> = check.exit.as_ref().map_or(vec!["0".into()], |e| {
        e.0.iter().map(ToString::to_string).collect()
    });
    let mut text = format!("exit {}", codes.join(" or "));
    let parts = [
        (&check.stdout, "stdout matches"),
        (&check.stdout_not, "stdout does not match"),
        (&check.stderr, "stderr matches"),
        (&check.stderr_not, "stderr does not match"),
    ];
    for (pattern, words) in parts {
        if let Some(p) = pattern {
            text.push_str(&format!(", {words} `{}`", p.as_str()));
        }
    }
    text
}

fn both(stdout: &str, stderr: &str) -> String {
    let out = excerpt(stdout, 5);
    let err = excerpt(stderr, 5);
    match (out.is_empty(), err.is_empty()) {
        (_, true) => out,
        (true, false) => err,
        (false, false) => format!("{out}\n{err}"),
    }
}

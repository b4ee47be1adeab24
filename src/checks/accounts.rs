//! Unix users and groups, for `user`, `group` and `file`'s `owner` and
//! `group`: /etc/passwd and /etc/group are read as files; a name they do
//! not have is asked of `getent`, which also answers for directory users
//! (LDAP, SSSD). A static binary cannot load the system's NSS modules
//! itself, so `getent` is how it sees what every other program sees.

use std::path::Path;

use super::Context;
use crate::spec::OsFamily;
use crate::world::{Lookup, RunOutcome, RunRequest, World};

const PASSWD: &str = "/etc/passwd";
const GROUP: &str = "/etc/group";
/// Account files of any real machine are far smaller.
const MAX_FILE: usize = 64 * 1024 * 1024;

/// A passwd entry.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
    pub shell: String,
    /// Found through `getent` rather than in /etc/passwd.
    pub from_directory: bool,
}

/// A group entry.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Group {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// The account databases of one machine, for one check.
pub(super) struct Accounts<'a> {
    world: &'a dyn World,
    cx: &'a Context<'a>,
}

impl<'a> Accounts<'a> {
    /// The databases, or why this system has none the probe reads.
    pub fn of(world: &'a dyn World, cx: &'a Context<'a>) -> Result<Accounts<'a>, String> {
        match world.os_family() {
            OsFamily::Linux => Ok(Accounts { world, cx }),
            OsFamily::Windows => Err(
                "Unix users and groups are not checked on Windows; there, ask with `run`, e.g. \
                 `run: [net, localgroup, docker-users]` with `stdout: agent`"
                    .into(),
            ),
            OsFamily::Macos => Err(
                "users and groups are not checked on macOS yet (its directory service is not \
                 /etc/passwd)"
                    .into(),
            ),
        }
    }

    /// A user by name, or by uid when `key` is a number.
    pub fn user(&self, key: &str) -> Result<Option<User>, String> {
        let by_uid = key.parse::<u32>().ok();
        let found = self.file(PASSWD)?.and_then(|text| {
            text.lines()
                .filter_map(parse_passwd)
                .find(|u| u.name == key || Some(u.uid) == by_uid)
        });
        if found.is_some() {
            return Ok(found);
        }
        Ok(self
            .getent("passwd", key)?
            .and_then(|line| parse_passwd(&line))
            .map(|u| User {
                from_directory: true,
                ..u
            }))
    }

    /// A group by name, or by gid when `key` is a number.
    pub fn group(&self, key: &str) -> Result<Option<Group>, String> {
        let by_gid = key.parse::<u32>().ok();
        let found = self.file(GROUP)?.and_then(|text| {
            text.lines()
                .filter_map(parse_group)
                .find(|g| g.name == key || Some(g.gid) == by_gid)
        });
        if found.is_some() {
            return Ok(found);
        }
        Ok(self
            .getent("group", key)?
            .and_then(|line| parse_group(&line)))
    }

    /// The groups `user` belongs to as configured: the primary group and
    /// every group listing it as a member. For a directory user, `id -Gn`
    /// (the system's own answer, with directory groups).
    pub fn groups_of(&self, user: &User) -> Result<Vec<String>, String> {
        if user.from_directory {
            if let Some(names) = self.id_groups(&user.name)? {
                return Ok(names);
            }
        }
        let mut names = Vec::new();
        if let Some(primary) = self.group(&user.gid.to_string())? {
            names.push(primary.name);
        }
        if let Some(text) = self.file(GROUP)? {
            for group in text.lines().filter_map(parse_group) {
                if group.members.contains(&user.name) && !names.contains(&group.name) {
                    names.push(group.name);
                }
            }
        }
        Ok(names)
    }

    /// The name of a group id, or the number.
    pub fn group_name(&self, gid: u32) -> String {
        match self.group(&gid.to_string()) {
            Ok(Some(g)) => g.name,
            _ => gid.to_string(),
        }
    }

    /// The name of a user id, or the number.
    pub fn user_name(&self, uid: u32) -> String {
        match self.user(&uid.to_string()) {
            Ok(Some(u)) => u.name,
            _ => uid.to_string(),
        }
    }

    fn file(&self, path: &str) -> Result<Option<String>, String> {
        match self.world.read_head(Path::new(path), MAX_FILE) {
            Ok(bytes) => Ok(Some(crate::text::utf8_lossy(bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{path} could not be read: {e}")),
        }
    }

    /// `getent DATABASE KEY`: its line, None when it knows no such entry
    /// (exit 2) or is not installed.
    fn getent(&self, database: &str, key: &str) -> Result<Option<String>, String> {
        let Some(out) = self.ask("getent", &[database, key])? else {
            return Ok(None);
        };
        Ok(out.lines().next().map(str::to_string))
    }

    /// `id -Gn NAME`: the group names, None when `id` is not there.
    fn id_groups(&self, name: &str) -> Result<Option<Vec<String>>, String> {
        Ok(self
            .ask("id", &["-Gn", name])?
            .map(|out| out.split_whitespace().map(str::to_string).collect()))
    }

    /// Runs a lookup tool: its stdout, or None when the tool is missing or
    /// knows no such entry (exit 1 or 2).
    fn ask(&self, tool: &str, args: &[&str]) -> Result<Option<String>, String> {
        let Lookup::Found(program) = self.world.lookup(tool.as_ref()) else {
            return Ok(None);
        };
        let request = RunRequest {
            program,
            args: args.iter().map(Into::into).collect(),
            verbatim: false,
            timeout: self.cx.timeout,
            watch: Vec::new(),
        };
        let typed = format!("{tool} {}", args.join(" "));
        match self.world.run(&request) {
            RunOutcome::Exited {
                code: Some(0),
                stdout,
                ..
            } => Ok(Some(stdout.text())),
            RunOutcome::Exited {
                code: Some(1 | 2), ..
            } => Ok(None),
            RunOutcome::Exited { code, stderr, .. } => Err(format!(
                "`{typed}` ended with {}: {}",
                code.map_or("a signal".into(), |c| format!("exit {c}")),
                stderr.text().trim()
            )),
            RunOutcome::TimedOut { after, .. } => Err(format!(
                "`{typed}` did not answer within {} (a directory server that does not answer?)",
                crate::quantity::format_duration(after)
            )),
            RunOutcome::FailedToStart(why) => Err(format!("`{typed}` could not start: {why}")),
        }
    }
}

/// `name:password:uid:gid:gecos:home:shell`; comments and `+`/`-` NIS
/// lines are skipped.
fn parse_passwd(line: &str) -> Option<User> {
    let fields: Vec<&str> = line.split(':').collect();
    if fields.len() < 7 || fields[0].is_empty() || line.starts_with(['#', '+', '-']) {
        return None;
    }
    Some(User {
        name: fields[0].to_string(),
        uid: fields[2].parse().ok()?,
        gid: fields[3].parse().ok()?,
        home: fields[5].to_string(),
        shell: fields[6].trim_end().to_string(),
        from_directory: false,
    })
}

/// `name:password:gid:member,member`.
fn parse_group(line: &str) -> Option<Group> {
    let fields: Vec<&str> = line.split(':').collect();
    if fields.len() < 4 || fields[0].is_empty() || line.starts_with(['#', '+', '-']) {
        return None;
    }
    Some(Group {
        name: fields[0].to_string(),
        gid: fields[2].parse().ok()?,
        members: fields[3]
            .trim_end()
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_and_group_lines_are_read_as_the_files_write_them() {
        assert_eq!(
            parse_passwd("go:x:998:998:GoCD agent:/var/go:/bin/bash"),
            Some(User {
                name: "go".into(),
                uid: 998,
                gid: 998,
                home: "/var/go".into(),
                shell: "/bin/bash".into(),
                from_directory: false,
            })
        );
        assert_eq!(parse_passwd("# comment"), None);
        assert_eq!(parse_passwd("+@netgroup::::::"), None);
        assert_eq!(parse_passwd("broken:x:abc:1:::"), None);
        assert_eq!(
            parse_group("docker:x:999:go,jenkins"),
            Some(Group {
                name: "docker".into(),
                gid: 999,
                members: vec!["go".into(), "jenkins".into()],
            })
        );
        assert_eq!(
            parse_group("empty:x:100:").unwrap().members,
            Vec::<String>::new()
        );
    }
}

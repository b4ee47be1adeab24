//! `user` and `group`: Unix accounts exist, with the ids, home, shell and
//! group memberships wanted. `user: current` is the user the probe runs
//! as: on an agent, the agent's user ("may I use docker?").

use super::draft::{Draft, Val};
use super::observe::Ask;
use serde::Deserialize;

use super::accounts::Accounts;
use super::{Context, Declared, Kind, Outcome};
use crate::world::World;

/// A user exists, with the uid, home, shell and groups wanted.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct UserCheck {
    /// The user's name or uid; `current` (or `$USER`) is the user the
    /// probe runs as, whatever the USER variable says.
    pub user: String,
    /// The user id wanted.
    pub uid: Option<u32>,
    /// The home directory wanted.
    pub home: Option<String>,
    /// The login shell wanted.
    pub shell: Option<String>,
    /// Groups the user must be in (names or gids), the primary group and
    /// supplementary ones. For `current`, the groups the running process
    /// has; a probe running as root passes, as root needs none.
    pub groups: Option<Vec<String>>,
}

impl Declared for UserCheck {
    const KEY: &'static str = "user";

    /// The groups the user is in here.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        let groups = groups_of(ask.world, ask.subject, &ask.context())?;
        Ok(ask.subject_only()?.with("groups", Val::List(groups)))
    }
}

/// The names that mean the probe's own user.
const CURRENT: &[&str] = &["current", "$USER", "${USER}"];

impl Kind for UserCheck {
    fn subject(&self) -> String {
        self.user.clone()
    }

    fn qualifier(&self) -> Option<String> {
        self.groups.as_ref().map(|g| format!("in {}", g.join(",")))
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let expected = self.expected();
        let accounts = match Accounts::of(world, cx) {
            Ok(a) => a,
            Err(why) => return Outcome::error(why).expected(expected),
        };
        let result = if CURRENT.contains(&self.user.as_str()) {
            self.current(world, &accounts)
        } else {
            self.named(&accounts)
        };
        match result {
            Ok(verdict) => verdict.expected(expected),
            Err(why) => Outcome::error(why).expected(expected),
        }
    }
}

impl UserCheck {
    fn expected(&self) -> String {
        let who = if CURRENT.contains(&self.user.as_str()) {
            "the probe's user".to_string()
        } else {
            format!("user {}", self.user)
        };
        let mut parts = vec![format!("{who} exists")];
        if let Some(uid) = self.uid {
            parts.push(format!("uid {uid}"));
        }
        if let Some(home) = &self.home {
            parts.push(format!("home {home}"));
        }
        if let Some(shell) = &self.shell {
            parts.push(format!("shell {shell}"));
        }
        if let Some(groups) = &self.groups {
            parts.push(format!("in {}", groups.join(", ")));
        }
        parts.join(", ")
    }

    fn named(&self, accounts: &Accounts) -> Result<Outcome, String> {
        let Some(user) = accounts.user(&self.user)? else {
            return Ok(Outcome::fail(format!("there is no user {}", self.user))
                .actual("no such user")
                .at(where_users_are()));
        };
        let shown = format!("{} (uid {})", user.name, user.uid);
        let source = if user.from_directory {
            "getent passwd".to_string()
        } else {
            "/etc/passwd".to_string()
        };
        if let Some(problem) = self.entry_problem(&user) {
            return Ok(Outcome::fail(format!("user {}", problem))
                .actual(shown)
                .at(source));
        }
        let member_of = accounts.groups_of(&user)?;
        let missing = missing_groups(accounts, self.groups.as_deref(), &member_of)?;
        if !missing.is_empty() {
            return Ok(Outcome::fail(format!(
                "user {} is not in {}; it is in {}",
                user.name,
                missing.join(", "),
                list_or_none(&member_of)
            ))
            .actual(format!("in {}", list_or_none(&member_of)))
            .at(source));
        }
        Ok(Outcome::pass(format!(
            "user {shown} exists, in {}",
            list_or_none(&member_of)
        ))
        .actual(shown)
        .at(source))
    }

    /// The user the probe runs as: its ids from the process itself, and
    /// the groups the process has now, which is what decides what it may
    /// open (a group added since the agent started is not among them).
    fn current(&self, world: &dyn World, accounts: &Accounts) -> Result<Outcome, String> {
        let me = world
            .credentials()
            .map_err(|e| format!("the probe's user and groups could not be read: {e}"))?;
        let entry = accounts.user(&me.uid.to_string())?;
        let name = entry
            .as_ref()
            .map_or_else(|| format!("uid {}", me.uid), |u| u.name.clone());
        let shown = match &entry {
            Some(_) => format!("{name} (uid {})", me.uid),
            None => name.clone(),
        };
        match &entry {
            Some(user) => {
                if let Some(problem) = self.entry_problem(user) {
                    return Ok(Outcome::fail(format!("the probe's user {problem}"))
                        .actual(shown)
                        .at("the probe's process"));
                }
            }
            None if self.home.is_some() || self.shell.is_some() => {
                return Ok(Outcome::fail(format!(
                    "the probe runs as uid {}, which has no passwd entry, so no home or shell",
                    me.uid
                ))
                .actual(shown)
                .at(where_users_are()))
            }
            None => {
                if let Some(uid) = self.uid.filter(|u| *u != me.uid) {
                    return Ok(Outcome::fail(format!(
                        "the probe runs as uid {}, not {uid}",
                        me.uid
                    ))
                    .actual(shown)
                    .at("the probe's process"));
                }
            }
        }
        // Root may open what any group would let it: membership is moot.
        if me.uid == 0 && self.groups.is_some() {
            return Ok(Outcome::pass(format!(
                "the probe runs as {shown}, which needs no group to be let in"
            ))
            .actual(shown)
            .at("the probe's process"));
        }
        let mut ids = vec![me.gid];
        ids.extend(me.groups.iter().copied().filter(|g| *g != me.gid));
        let has: Vec<String> = ids.iter().map(|g| accounts.group_name(*g)).collect();
        let missing = missing_groups(accounts, self.groups.as_deref(), &has)?;
        if !missing.is_empty() {
            let configured = match &entry {
                Some(user) => accounts.groups_of(user)?,
                None => Vec::new(),
            };
            let only_configured: Vec<&String> =
                missing.iter().filter(|g| configured.contains(g)).collect();
            let mut message = format!(
                "the probe's user {name} is not in {} in this process; it has {}",
                missing.join(", "),
                list_or_none(&has)
            );
            if !only_configured.is_empty() {
                message.push_str(&format!(
                    ". /etc/group lists {name} in {}, but the process started before that: \
                     restart the agent (or log in again) to take it up",
                    only_configured
                        .iter()
                        .map(|g| g.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            return Ok(Outcome::fail(message)
                .actual(format!("in {}", list_or_none(&has)))
                .at("the probe's process"));
        }
        Ok(Outcome::pass(format!(
            "the probe runs as {shown}, in {}",
            list_or_none(&has)
        ))
        .actual(shown)
        .at("the probe's process"))
    }

    /// What in a passwd entry is not as wanted.
    fn entry_problem(&self, user: &super::accounts::User) -> Option<String> {
        let name = &user.name;
        if let Some(uid) = self.uid.filter(|u| *u != user.uid) {
            return Some(format!("{name} has uid {}, not {uid}", user.uid));
        }
        if let Some(home) = self.home.as_ref().filter(|h| **h != user.home) {
            return Some(format!("{name} has home {}, not {home}", user.home));
        }
        if let Some(shell) = self.shell.as_ref().filter(|s| **s != user.shell) {
            return Some(format!("{name} has shell {}, not {shell}", user.shell));
        }
        None
    }
}

/// The names of a file owner's uid and gid here (for `probe add`); the
/// numbers where the account databases have no name for them.
pub(crate) fn owner_names(world: &dyn World, uid: u32, gid: u32, cx: &Context) -> (String, String) {
    match Accounts::of(world, cx) {
        Ok(accounts) => (accounts.user_name(uid), accounts.group_name(gid)),
        Err(_) => (uid.to_string(), gid.to_string()),
    }
}

/// The groups of user `name` here, or of the probe's own user for
/// `current` (for `probe add`).
pub(crate) fn groups_of(
    world: &dyn World,
    name: &str,
    cx: &Context,
) -> Result<Vec<String>, String> {
    let accounts = Accounts::of(world, cx)?;
    if CURRENT.contains(&name) {
        let me = world
            .credentials()
            .map_err(|e| format!("the probe's user and groups could not be read: {e}"))?;
        let mut ids = vec![me.gid];
        ids.extend(me.groups.iter().copied().filter(|g| *g != me.gid));
        return Ok(ids.iter().map(|g| accounts.group_name(*g)).collect());
    }
    let user = accounts
        .user(name)?
        .ok_or_else(|| format!("there is no user {name} here"))?;
    accounts.groups_of(&user)
}

/// The wanted groups that `member_of` (names) does not hold; a wanted gid
/// is matched through its name. A group that does not exist says so.
fn missing_groups(
    accounts: &Accounts,
    wanted: Option<&[String]>,
    member_of: &[String],
) -> Result<Vec<String>, String> {
    let mut missing = Vec::new();
    for want in wanted.unwrap_or_default() {
        let group = accounts.group(want)?;
        let name = group.as_ref().map_or(want.clone(), |g| g.name.clone());
        if !member_of.contains(&name) {
            missing.push(match group {
                Some(_) => name,
                None => format!("{want} (there is no such group)"),
            });
        }
    }
    Ok(missing)
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "no group".into()
    } else {
        names.join(", ")
    }
}

fn where_users_are() -> String {
    "/etc/passwd and getent".into()
}

/// A group exists, with the gid wanted.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupCheck {
    /// The group's name or gid.
    pub group: String,
    /// The group id wanted.
    pub gid: Option<u32>,
}

impl Declared for GroupCheck {
    const KEY: &'static str = "group";
}

impl Kind for GroupCheck {
    fn subject(&self) -> String {
        self.group.clone()
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let expected = match self.gid {
            Some(gid) => format!("group {} exists, gid {gid}", self.group),
            None => format!("group {} exists", self.group),
        };
        let found = Accounts::of(world, cx).and_then(|a| a.group(&self.group));
        match found {
            Err(why) => Outcome::error(why).expected(expected),
            Ok(None) => Outcome::fail(format!("there is no group {}", self.group))
                .expected(expected)
                .actual("no such group")
                .at("/etc/group and getent"),
            Ok(Some(group)) => {
                let shown = format!("{} (gid {})", group.name, group.gid);
                let message = match self.gid {
                    Some(gid) if gid != group.gid => {
                        format!("group {} has gid {}, not {gid}", group.name, group.gid)
                    }
                    _ => format!("group {shown} exists"),
                };
                Outcome::verdict(self.gid.is_none_or(|g| g == group.gid), message)
                    .expected(expected)
                    .actual(shown)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass, windows};
    use crate::spec::OsFamily;
    use crate::world::fake::{exited, FakeWorld};
    use crate::world::FileKind;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash
go:x:998:998:GoCD agent:/var/go:/bin/bash
jenkins:x:1001:1001::/home/jenkins:/bin/sh
";
    const GROUP: &str = "root:x:0:
docker:x:999:go
go:x:998:
jenkins:x:1001:
";

    fn agent() -> FakeWorld {
        FakeWorld::default()
            .on(OsFamily::Linux)
            .file("/etc/passwd", FileKind::File, 0o644, PASSWD)
            .file("/etc/group", FileKind::File, 0o644, GROUP)
    }

    #[test]
    fn a_user_with_its_ids_home_shell_and_groups() {
        let o = eval(
            "user: go\nuid: 998\nhome: /var/go\nshell: /bin/bash\ngroups: [docker, go]",
            &agent(),
        );
        pass(&o);
        assert_eq!(o.message, "user go (uid 998) exists, in go, docker");
        assert_eq!(o.location.as_deref(), Some("/etc/passwd"));
        pass(&eval("user: \"998\"", &agent()));
    }

    #[test]
    fn wrong_details_and_missing_groups_say_what_is_there() {
        let o = eval("user: go\nhome: /home/go", &agent());
        fail(&o);
        assert_eq!(o.message, "user go has home /var/go, not /home/go");
        let o = eval("user: jenkins\ngroups: [docker, dockr]", &agent());
        fail(&o);
        assert_eq!(
            o.message,
            "user jenkins is not in docker, dockr (there is no such group); it is in jenkins"
        );
        pass(&eval("user: jenkins\ngroups: [\"1001\"]", &agent()));
    }

    #[test]
    fn an_unknown_user_is_asked_of_getent_then_fails() {
        let w = agent().tool("getent", "passwd ldapuser", exited(2, "", ""));
        let o = eval("user: ldapuser", &w);
        fail(&o);
        assert_eq!(o.message, "there is no user ldapuser");
        let w = agent()
            .tool(
                "getent",
                "passwd ldapuser",
                exited(
                    0,
                    "ldapuser:*:50001:50001:LDAP:/home/ldapuser:/bin/bash\n",
                    "",
                ),
            )
            .tool(
                "id",
                "-Gn ldapuser",
                exited(0, "ldapusers docker-ldap\n", ""),
            );
        let mut w = w;
        w.runs.insert(
            "/fake/bin/getent group docker-ldap".into(),
            exited(0, "docker-ldap:*:60000:ldapuser\n", ""),
        );
        let o = eval("user: ldapuser\ngroups: [docker-ldap]", &w);
        pass(&o);
        assert_eq!(o.location.as_deref(), Some("getent passwd"));
    }

    #[test]
    fn current_is_the_process_and_its_groups_now() {
        // go, in docker by /etc/group and in the process.
        let w = agent().running_as(998, 998, &[998, 999]);
        let o = eval("user: current\ngroups: [docker]", &w);
        pass(&o);
        assert_eq!(o.message, "the probe runs as go (uid 998), in go, docker");
        pass(&eval(
            "user: $USER\nuid: 998",
            &w.var("USER", "someone-else"),
        ));
    }

    #[test]
    fn current_added_to_a_group_after_it_started_is_told_to_restart() {
        let w = agent().running_as(998, 998, &[998]);
        let o = eval("user: current\ngroups: [docker]", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "the probe's user go is not in docker in this process; it has go. /etc/group lists \
             go in docker, but the process started before that: restart the agent (or log in \
             again) to take it up"
        );
    }

    #[test]
    fn current_as_root_needs_no_group() {
        let w = agent().running_as(0, 0, &[0]);
        let o = eval("user: current\ngroups: [docker]", &w);
        pass(&o);
        assert_eq!(
            o.message,
            "the probe runs as root (uid 0), which needs no group to be let in"
        );
        fail(&eval("user: current\nuid: 998\ngroups: [docker]", &w));
    }

    #[test]
    fn current_without_a_passwd_entry_still_has_ids_and_groups() {
        // An OpenShift-style arbitrary uid.
        let w = agent().running_as(1000650000, 0, &[0]);
        let o = eval("user: current\ngroups: [root]", &w);
        pass(&o);
        assert_eq!(o.message, "the probe runs as uid 1000650000, in root");
        let o = eval("user: current\nhome: /var/go", &w);
        fail(&o);
        assert!(o.message.contains("has no passwd entry"), "{}", o.message);
    }

    #[test]
    fn groups_exist_with_their_gid() {
        let o = eval("group: docker\ngid: 999", &agent());
        pass(&o);
        assert_eq!(o.message, "group docker (gid 999) exists");
        let o = eval("group: docker\ngid: 998", &agent());
        fail(&o);
        assert_eq!(o.message, "group docker has gid 999, not 998");
        let o = eval("group: podman", &agent());
        fail(&o);
        assert_eq!(o.message, "there is no group podman");
    }

    #[test]
    fn windows_says_to_use_run() {
        let o = eval("user: go", &windows());
        error(&o);
        assert!(
            o.message.contains("not checked on Windows"),
            "{}",
            o.message
        );
        error(&eval("group: docker", &windows()));
    }
}

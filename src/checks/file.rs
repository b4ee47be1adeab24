//! `file`: a file or directory exists (or not), with a type, mode,
//! executable bit and contents.

use super::draft::{Draft, Val};
use super::observe::Ask;
use std::fmt;
use std::io::ErrorKind;

use serde::de::{self, Deserializer};
use serde::Deserialize;

use super::accounts::Accounts;
use super::expand::expand_path;
use super::{Conflict, Context, Declared, Kind, Outcome};
use crate::spec::Pattern;
use crate::world::{FileInfo, FileKind, World};

/// Bytes of a file read for `contains`.
const CONTENT_LIMIT: usize = 1 << 20;

/// A file or directory: exists (the default) or absent, its type, mode,
/// executable bit, contents.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
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
    /// The owning user, by name or uid (Unix).
    pub owner: Option<String>,
    /// The owning group, by name or gid (Unix).
    pub group: Option<String>,
}

impl Declared for FileCheck {
    const KEY: &'static str = "file";

    /// Its type, mode, owner and group, as they are here.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        let (path, world) = (ask.subject, ask.world);
        // `~/.m2/settings.xml` is looked at where the check will look.
        let info = world
            .file_info(std::path::Path::new(&expand_path(path, world)?), true)
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
        if world.os_family() != crate::spec::OsFamily::Windows {
            if let (Some(uid), Some(gid)) = (info.owner, info.group) {
                let (owner, group) = super::user::owner_names(world, uid, gid, &ask.context());
                draft = draft
                    .with("owner", Val::Text(owner))
                    .with("group", Val::Text(group));
            }
        }
        Ok(draft)
    }
}

impl Kind for FileCheck {
    fn subject(&self) -> String {
        self.file.clone()
    }

    fn qualifier(&self) -> Option<String> {
        if self.exists == Some(false) {
            return Some("absent".into());
        }
        self.file_type.map(|t| t.to_string())
    }

    fn conflict(&self) -> Option<Conflict> {
        if self.exists != Some(false) {
            return None;
        }
        let (key, what) = [
            ("type", self.file_type.is_some(), "type"),
            ("mode", self.mode.is_some(), "mode"),
            ("executable", self.executable.is_some(), "executable bit"),
            ("contains", self.contains.is_some(), "contents"),
            ("owner", self.owner.is_some(), "owner"),
            ("group", self.group.is_some(), "group"),
        ]
        .into_iter()
        .find_map(|(key, given, what)| given.then_some((key, what)))?;
        Some(Conflict {
            key,
            message: format!(
                "`{key}` cannot be combined with `exists: false`: a path that must not exist \
                 has no {what}; remove one of the two"
            ),
            at_value: false,
        })
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let expected = self.expected();
        let path = match expand_path(&self.file, world) {
            Ok(path) => path,
            Err(why) => return Outcome::error(why).expected(expected),
        };
        let shown = path.display().to_string();
        let follow = self.file_type != Some(FileType::Symlink);
        let info = match world.file_info(&path, follow) {
            Ok(info) => info,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let must_exist = self.exists.unwrap_or(true);
                return Outcome::verdict(!must_exist, format!("{shown} does not exist"))
                    .expected(expected)
                    .actual("does not exist")
                    .at(shown);
            }
            Err(e) => {
                return Outcome::error(format!("cannot look at {shown}: {e}"))
                    .expected(expected)
                    .at(shown)
            }
        };
        let what = describe(info.kind);
        if self.exists == Some(false) {
            return Outcome::fail(format!("{shown} exists ({what})"))
                .expected(expected)
                .actual(format!("exists ({what})"))
                .at(shown);
        }
        if let Some(wanted) = self.file_type {
            let ok = matches!(
                (wanted, info.kind),
                (FileType::File, FileKind::File)
                    | (FileType::Dir, FileKind::Dir)
                    | (FileType::Symlink, FileKind::Symlink)
                    | (FileType::Socket, FileKind::Socket)
            );
            if !ok {
                return Outcome::fail(format!("{shown} is {what}, not {wanted}"))
                    .expected(expected)
                    .actual(what)
                    .at(shown);
            }
        }
        if let Some(mode) = self.mode {
            match info.mode {
                None => {
                    return Outcome::error(format!(
                    "{shown}: `mode` cannot be checked here, this OS has no Unix permission bits"
                ))
                    .expected(expected)
                    .at(shown)
                }
                Some(bits) if bits != mode.0 => {
                    return Outcome::fail(format!("{shown} has mode {bits:04o}, not {mode}"))
                        .expected(expected)
                        .actual(format!("mode {bits:04o}"))
                        .at(shown)
                }
                Some(_) => {}
            }
        }
        if let Some(problem) = self.ownership(world, cx, &info, &shown) {
            return problem.expected(expected).at(shown);
        }
        if let Some(wanted) = self.executable {
            if info.executable != wanted {
                let is = if info.executable { "is" } else { "is not" };
                return Outcome::fail(format!("{shown} {is} executable by this user"))
                    .expected(expected)
                    .actual(format!("{is} executable"))
                    .at(shown);
            }
        }
        if let Some(pattern) = &self.contains {
            if info.kind == FileKind::Dir {
                return Outcome::fail(format!("{shown} is a directory; `contains` needs a file"))
                    .expected(expected)
                    .actual(what)
                    .at(shown);
            }
            let bytes = match world.read_head(&path, CONTENT_LIMIT) {
                Ok(bytes) => bytes,
                Err(e) => {
                    return Outcome::error(format!("cannot read {shown}: {e}"))
                        .expected(expected)
                        .at(shown)
                }
            };
            let text = String::from_utf8_lossy(&bytes);
            let Ok(matched) = pattern.is_match_before(&text, cx.deadline) else {
                return super::too_slow(pattern, &format!("{shown}'s contents"), cx)
                    .expected(expected)
                    .at(shown);
            };
            if !matched {
                return Outcome::fail(format!(
                    "{shown} does not contain a match for `{}`",
                    pattern.as_str()
                ))
                .expected(expected)
                .actual("no match in its contents")
                .at(shown);
            }
        }
        Outcome::pass(format!("{shown} is {what}"))
            .expected(expected)
            .actual(what)
            .at(shown)
    }
}

impl FileCheck {
    /// A wrong owner or group, or why it cannot be checked.
    fn ownership(
        &self,
        world: &dyn World,
        cx: &Context,
        info: &FileInfo,
        shown: &str,
    ) -> Option<Outcome> {
        if self.owner.is_none() && self.group.is_none() {
            return None;
        }
        let (Some(uid), Some(gid)) = (info.owner, info.group) else {
            return Some(Outcome::error(format!(
                "{shown}: `owner` and `group` cannot be checked here, this OS has no Unix owners"
            )));
        };
        // Numbers compare as they are (on macOS too); names need the
        // account databases.
        let accounts = Accounts::of(world, cx);
        let sides = [(&self.owner, uid, true), (&self.group, gid, false)];
        for (want, id, is_user) in sides {
            let Some(want) = want else { continue };
            let wanted_id = match want.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    let a = match &accounts {
                        Ok(a) => a,
                        Err(why) => return Some(Outcome::error(why.clone())),
                    };
                    let found = if is_user {
                        a.user(want).map(|u| u.map(|u| u.uid))
                    } else {
                        a.group(want).map(|g| g.map(|g| g.gid))
                    };
                    match found {
                        Ok(found) => found,
                        Err(why) => return Some(Outcome::error(why)),
                    }
                }
            };
            if wanted_id == Some(id) {
                continue;
            }
            let name = match (&accounts, is_user) {
                (Ok(a), true) => a.user_name(id),
                (Ok(a), false) => a.group_name(id),
                (Err(_), _) => id.to_string(),
            };
            let (verb, word, id_word) = if is_user {
                ("is owned by", "user", "uid")
            } else {
                ("belongs to group", "group", "gid")
            };
            let none = if wanted_id.is_none() {
                format!(" (there is no such {word})")
            } else {
                String::new()
            };
            let key = if is_user { "owner" } else { "group" };
            return Some(
                Outcome::fail(format!(
                    "{shown} {verb} {name} ({id_word} {id}), not {want}{none}"
                ))
                .actual(format!("{key} {name}")),
            );
        }
        None
    }

    fn expected(&self) -> String {
        if self.exists == Some(false) {
            return format!("{} absent", self.file);
        }
        let mut parts = vec![format!("{} exists", self.file)];
        if let Some(t) = self.file_type {
            parts.push(format!("is {t}"));
        }
        if let Some(m) = self.mode {
            parts.push(format!("mode {m}"));
        }
        match self.executable {
            Some(true) => parts.push("executable".into()),
            Some(false) => parts.push("not executable".into()),
            None => {}
        }
        if let Some(p) = &self.contains {
            parts.push(format!("contains `{}`", p.as_str()));
        }
        if let Some(owner) = &self.owner {
            parts.push(format!("owner {owner}"));
        }
        if let Some(group) = &self.group {
            parts.push(format!("group {group}"));
        }
        parts.join(", ")
    }
}

fn describe(kind: FileKind) -> String {
    match kind {
        FileKind::File => "a regular file",
        FileKind::Dir => "a directory",
        FileKind::Symlink => "a symlink",
        FileKind::Socket => "a socket",
        FileKind::Other => "a special file",
    }
    .to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
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

#[cfg(test)]
impl schemars::JsonSchema for Mode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Mode".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["string", "integer"],
            "pattern": "^(0o)?[0-7]{3,4}$",
            "description": "Octal Unix permission bits, quoted: \"0755\". Not available on Windows."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass, windows};
    use crate::world::fake::FakeWorld;
    use crate::world::FileKind;
    use std::io::ErrorKind;

    #[test]
    fn file_exists() {
        let world =
            FakeWorld::default().file("/etc/hosts", FileKind::File, 0o644, "127.0.0.1 localhost\n");
        let o = eval("file: /etc/hosts", &world);
        pass(&o);
        assert_eq!(o.message, "/etc/hosts is a regular file");
        assert_eq!(o.expected, "/etc/hosts exists");
        assert_eq!(o.actual, "a regular file");
        assert_eq!(o.location.as_deref(), Some("/etc/hosts"));

        let o = eval("file: /etc/nope", &world);
        fail(&o);
        assert_eq!(o.message, "/etc/nope does not exist");
        assert_eq!(o.actual, "does not exist");
        assert_eq!(o.location.as_deref(), Some("/etc/nope"));
    }

    #[test]
    fn file_absent() {
        let world = FakeWorld::default().file("/tmp/agent.lock", FileKind::File, 0o600, "");
        let o = eval("file: /tmp/other.lock\nexists: false", &world);
        pass(&o);
        assert_eq!(o.message, "/tmp/other.lock does not exist");
        assert_eq!(o.expected, "/tmp/other.lock absent");

        let o = eval("file: /tmp/agent.lock\nexists: false", &world);
        fail(&o);
        assert_eq!(o.message, "/tmp/agent.lock exists (a regular file)");
        assert_eq!(o.actual, "exists (a regular file)");
    }

    #[test]
    fn file_types() {
        let world = FakeWorld::default()
            .file("/etc/hosts", FileKind::File, 0o644, "")
            .file("/etc", FileKind::Dir, 0o755, "")
            .file("/var/run/docker.sock", FileKind::Socket, 0o660, "");
        pass(&eval("file: /etc\ntype: dir", &world));
        pass(&eval("file: /etc/hosts\ntype: file", &world));
        let o = eval("file: /var/run/docker.sock\ntype: socket", &world);
        pass(&o);
        assert_eq!(o.message, "/var/run/docker.sock is a socket");
        assert_eq!(o.expected, "/var/run/docker.sock exists, is a socket");

        let o = eval("file: /etc/hosts\ntype: dir", &world);
        fail(&o);
        assert_eq!(o.message, "/etc/hosts is a regular file, not a directory");
        assert_eq!(o.actual, "a regular file");
        let o = eval("file: /etc\ntype: file", &world);
        fail(&o);
        assert_eq!(o.message, "/etc is a directory, not a regular file");
        let o = eval("file: /etc/hosts\ntype: socket", &world);
        fail(&o);
        assert_eq!(o.message, "/etc/hosts is a regular file, not a socket");
    }

    #[test]
    fn file_symlinks_are_followed_except_for_type_symlink() {
        let world = FakeWorld::default()
            .file("/usr/bin/python", FileKind::File, 0o755, "")
            .symlink("/usr/bin/python")
            .symlink("/usr/bin/dangling")
            .file("/usr/bin/real", FileKind::File, 0o755, "");
        let o = eval("file: /usr/bin/python\ntype: symlink", &world);
        pass(&o);
        assert_eq!(o.message, "/usr/bin/python is a symlink");
        let o = eval("file: /usr/bin/python\ntype: file", &world);
        pass(&o);
        assert_eq!(o.message, "/usr/bin/python is a regular file");
        pass(&eval("file: /usr/bin/python\nexecutable: true", &world));
        // A dangling link is a symlink, but nothing exists behind it.
        pass(&eval("file: /usr/bin/dangling\ntype: symlink", &world));
        let o = eval("file: /usr/bin/dangling", &world);
        fail(&o);
        assert_eq!(o.message, "/usr/bin/dangling does not exist");
        let o = eval("file: /usr/bin/real\ntype: symlink", &world);
        fail(&o);
        assert_eq!(o.message, "/usr/bin/real is a regular file, not a symlink");
    }

    #[test]
    fn file_mode() {
        let world = FakeWorld::default()
            .file("/etc/shadow", FileKind::File, 0o644, "")
            .file("/opt/setuid", FileKind::File, 0o4755, "");
        pass(&eval("file: /etc/shadow\nmode: \"0644\"", &world));
        pass(&eval("file: /etc/shadow\nmode: \"644\"", &world));
        pass(&eval("file: /opt/setuid\nmode: \"4755\"", &world));
        let o = eval("file: /etc/shadow\nmode: \"0640\"", &world);
        fail(&o);
        assert_eq!(o.message, "/etc/shadow has mode 0644, not 0640");
        assert_eq!(o.expected, "/etc/shadow exists, mode 0640");
        assert_eq!(o.actual, "mode 0644");
        let o = eval("file: /opt/setuid\nmode: \"0755\"", &world);
        fail(&o);
        assert_eq!(o.message, "/opt/setuid has mode 4755, not 0755");
    }

    #[test]
    fn file_mode_where_the_platform_has_none_is_an_error() {
        let world = FakeWorld::default().file_without_mode("/opt/tool.exe", FileKind::File, true);
        let o = eval("file: /opt/tool.exe\nmode: \"0755\"", &world);
        error(&o);
        assert_eq!(
            o.message,
            "/opt/tool.exe: `mode` cannot be checked here, this OS has no Unix permission bits"
        );
        assert_eq!(o.expected, "/opt/tool.exe exists, mode 0755");
        // Without `mode` the same file passes.
        pass(&eval("file: /opt/tool.exe\nexecutable: true", &world));
    }

    #[test]
    fn file_executable() {
        let world = FakeWorld::default()
            .file("/opt/script", FileKind::File, 0o644, "")
            .file("/opt/tool", FileKind::File, 0o755, "");
        pass(&eval("file: /opt/tool\nexecutable: true", &world));
        pass(&eval("file: /opt/script\nexecutable: false", &world));
        let o = eval("file: /opt/script\nexecutable: true", &world);
        fail(&o);
        assert_eq!(o.message, "/opt/script is not executable by this user");
        assert_eq!(o.expected, "/opt/script exists, executable");
        assert_eq!(o.actual, "is not executable");
        let o = eval("file: /opt/tool\nexecutable: false", &world);
        fail(&o);
        assert_eq!(o.message, "/opt/tool is executable by this user");
        assert_eq!(o.expected, "/opt/tool exists, not executable");
    }

    #[test]
    fn file_contains() {
        let world = FakeWorld::default()
            .file(
                "/etc/hosts",
                FileKind::File,
                0o644,
                "# hosts\n127.0.0.1 localhost\n",
            )
            .file("/etc", FileKind::Dir, 0o755, "");
        pass(&eval(
            "file: /etc/hosts\ncontains: '^127\\.0\\.0\\.1\\s'",
            &world,
        ));
        let o = eval("file: /etc/hosts\ncontains: '^::1'", &world);
        fail(&o);
        assert_eq!(o.message, "/etc/hosts does not contain a match for `^::1`");
        assert_eq!(o.expected, "/etc/hosts exists, contains `^::1`");
        assert_eq!(o.actual, "no match in its contents");
        let o = eval("file: /etc\ncontains: x", &world);
        fail(&o);
        assert_eq!(o.message, "/etc is a directory; `contains` needs a file");
        assert_eq!(o.actual, "a directory");
    }

    #[test]
    fn file_that_cannot_be_looked_at_is_an_error() {
        let world =
            FakeWorld::default().unreadable("/root/.ssh/id_rsa", ErrorKind::PermissionDenied);
        let o = eval("file: /root/.ssh/id_rsa", &world);
        error(&o);
        assert_eq!(
            o.message,
            "cannot look at /root/.ssh/id_rsa: permission denied"
        );
        assert_eq!(o.location.as_deref(), Some("/root/.ssh/id_rsa"));
    }

    #[test]
    fn file_paths_expand_variables() {
        let world = FakeWorld::default()
            .var("JAVA_HOME", "/usr/lib/jvm/17")
            .var("HOME", "/home/go")
            .file("/usr/lib/jvm/17/bin/java", FileKind::File, 0o755, "")
            .file("/home/go/.m2/settings.xml", FileKind::File, 0o644, "");
        let o = eval("file: ${JAVA_HOME}/bin/java\nexecutable: true", &world);
        pass(&o);
        assert_eq!(o.location.as_deref(), Some("/usr/lib/jvm/17/bin/java"));
        assert_eq!(o.expected, "${JAVA_HOME}/bin/java exists, executable");
        let o = eval("file: $HOME/.m2/settings.xml", &world);
        pass(&o);
        assert_eq!(o.location.as_deref(), Some("/home/go/.m2/settings.xml"));
    }

    #[test]
    fn file_paths_expand_tilde() {
        let world = FakeWorld::default().var("HOME", "/home/go").file(
            "/home/go/.gradle",
            FileKind::Dir,
            0o755,
            "",
        );
        let o = eval("file: ~/.gradle\ntype: dir", &world);
        pass(&o);
        assert_eq!(o.message, "/home/go/.gradle is a directory");
        // Windows has USERPROFILE instead.
        let world = FakeWorld::default().var("USERPROFILE", "/home/go").file(
            "/home/go/.gradle",
            FileKind::Dir,
            0o755,
            "",
        );
        pass(&eval("file: ~/.gradle", &world));
        // `~user` is not expanded.
        let o = eval("file: ~go/.gradle", &world);
        fail(&o);
        assert_eq!(o.message, "~go/.gradle does not exist");
    }

    #[test]
    fn file_path_with_an_unset_variable_is_an_error() {
        let o = eval("file: ${JAVA_HOME}/bin/java", &FakeWorld::default());
        error(&o);
        assert_eq!(
            o.message,
            "JAVA_HOME is not set (`${JAVA_HOME}/bin/java` uses it)"
        );
        assert_eq!(o.expected, "${JAVA_HOME}/bin/java exists");
        assert_eq!(o.location, None);

        let o = eval(
            "file: $ANDROID_HOME/tools\nexists: false",
            &FakeWorld::default(),
        );
        error(&o);
        assert_eq!(
            o.message,
            "ANDROID_HOME is not set (`$ANDROID_HOME/tools` uses it)"
        );

        let o = eval("file: ~/.gradle", &FakeWorld::default());
        error(&o);
        assert_eq!(
            o.message,
            "`~` is used but neither HOME nor USERPROFILE is set"
        );

        let o = eval("file: ${JAVA_HOME/bin", &FakeWorld::default());
        error(&o);
        assert_eq!(o.message, "`${` without a closing `}` in `${JAVA_HOME/bin`");
    }

    #[test]
    fn a_lone_dollar_is_kept() {
        let world = FakeWorld::default().file("/opt/$/x$", FileKind::File, 0o644, "");
        pass(&eval("file: /opt/$/x$", &world));
    }

    #[test]
    fn file_mode_on_a_fake_windows_file_is_an_error_not_a_pass() {
        let world = windows().file_without_mode(r"C:\tools\probe.exe", FileKind::File, true);
        let o = eval("file: 'C:\\tools\\probe.exe'\nmode: \"0755\"", &world);
        error(&o);
        assert!(o.status.is_failure());
    }

    #[test]
    fn owner_and_group_by_name_or_number() {
        let w = FakeWorld::default()
            .on(crate::spec::OsFamily::Linux)
            .file(
                "/etc/passwd",
                FileKind::File,
                0o644,
                "root:x:0:0::/root:/bin/sh\ngo:x:998:998::/var/go:/bin/bash\n",
            )
            .file(
                "/etc/group",
                FileKind::File,
                0o644,
                "root:x:0:\ndocker:x:999:go\n",
            )
            .file("/var/run/docker.sock", FileKind::Socket, 0o660, "")
            .owned("/var/run/docker.sock", 0, 999);
        pass(&eval(
            "file: /var/run/docker.sock\nowner: root\ngroup: docker",
            &w,
        ));
        pass(&eval(
            "file: /var/run/docker.sock\nowner: 0\ngroup: 999",
            &w,
        ));
        let o = eval("file: /var/run/docker.sock\ngroup: root", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "/var/run/docker.sock belongs to group docker (gid 999), not root"
        );
        let o = eval("file: /var/run/docker.sock\nowner: go", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "/var/run/docker.sock is owned by root (uid 0), not go"
        );
        let o = eval("file: /var/run/docker.sock\nowner: nobody", &w);
        fail(&o);
        assert!(
            o.message.ends_with("not nobody (there is no such user)"),
            "{}",
            o.message
        );
    }

    #[test]
    fn numeric_owners_need_no_account_database() {
        let w = FakeWorld::default()
            .on(crate::spec::OsFamily::Macos)
            .file("/usr/local/bin/tool", FileKind::File, 0o755, "")
            .owned("/usr/local/bin/tool", 501, 20);
        pass(&eval(
            "file: /usr/local/bin/tool\nowner: 501\ngroup: 20",
            &w,
        ));
        let o = eval("file: /usr/local/bin/tool\nowner: 0", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "/usr/local/bin/tool is owned by 501 (uid 501), not 0"
        );
        error(&eval("file: /usr/local/bin/tool\nowner: admin", &w));
    }

    #[test]
    fn owner_where_there_are_no_unix_owners_is_an_error() {
        let w = windows().file_without_mode(r"C:\tools\x.exe", FileKind::File, true);
        let o = eval("file: 'C:\\tools\\x.exe'\nowner: go", &w);
        error(&o);
        assert!(o.message.contains("no Unix owners"), "{}", o.message);
    }
}

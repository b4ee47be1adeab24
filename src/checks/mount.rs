//! `mount`: a path is a mount point, of a filesystem type, with options
//! (Linux, from /proc/self/mountinfo).

use super::draft::{Draft, Val};
use super::observe::Ask;
use std::path::Path;

use serde::Deserialize;

use super::expand::expand_path;
use super::{Context, Declared, Kind, Outcome};
use crate::spec::OsFamily;
use crate::world::World;

/// A path is a mount point (Linux), optionally of a filesystem type and
/// with mount options.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MountCheck {
    /// The mount point; `~` and `${VAR}` are expanded.
    pub mount: String,
    /// The filesystem type: `tmpfs`, `ext4`, `overlay`, `nfs4`.
    pub fstype: Option<String>,
    /// Options that must be in effect: `noexec`, `ro`, `size=2g`.
    pub options: Option<Vec<String>>,
}

impl Declared for MountCheck {
    const KEY: &'static str = "mount";

    /// The file system type mounted there here.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        let at = expand_path(ask.subject, ask.world)?;
        match fstype_at(ask.world, Path::new(&at)) {
            Some(fstype) => Ok(ask.subject_only()?.with("fstype", Val::Text(fstype))),
            None => Err(format!("{} is not a mount point here", ask.subject)),
        }
    }
}

const MOUNTINFO: &str = "/proc/self/mountinfo";
/// Far more than the mount table of a busy Kubernetes node.
const MAX_MOUNTINFO: usize = 32 * 1024 * 1024;

impl Kind for MountCheck {
    fn subject(&self) -> String {
        self.mount.clone()
    }

    fn qualifier(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(t) = &self.fstype {
            parts.push(t.clone());
        }
        if let Some(o) = &self.options {
            parts.push(o.join(","));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let mut expected = format!("{} is a mount point", self.mount);
        if let Some(t) = &self.fstype {
            expected.push_str(&format!(", type {t}"));
        }
        if let Some(o) = &self.options {
            expected.push_str(&format!(", options {}", o.join(",")));
        }
        if world.os_family() != OsFamily::Linux {
            return Outcome::error(format!(
                "mount checks read {MOUNTINFO}, which only Linux has (this is {})",
                world.os_family()
            ))
            .expected(expected);
        }
        let path = match expand_path(&self.mount, world) {
            Ok(p) => p,
            Err(why) => return Outcome::error(why).expected(expected),
        };
        let table = match world.read_head(Path::new(MOUNTINFO), MAX_MOUNTINFO) {
            Ok(bytes) => crate::text::utf8_lossy(bytes),
            Err(e) => {
                return Outcome::error(format!("{MOUNTINFO} could not be read: {e}"))
                    .expected(expected)
            }
        };
        let mounts = parse_mountinfo(&table);
        let wanted = normalize(&path.to_string_lossy());
        // The last mount at a path is the one in effect (it hides the others).
        let Some(mount) = mounts.iter().rev().find(|m| m.point == wanted) else {
            // The deepest mount point above it; of several stacked there,
            // the last (max_by_key keeps the last of equals).
            let holder = mounts
                .iter()
                .filter(|m| is_under(&wanted, &m.point))
                .max_by_key(|m| m.point.len());
            let on = holder.map_or(String::new(), |m| {
                format!(
                    "; it is on the {} filesystem mounted at {}",
                    m.fstype, m.point
                )
            });
            return Outcome::fail(format!("{wanted} is not a mount point{on}"))
                .expected(expected)
                .actual("not a mount point")
                .at(wanted);
        };
        let options: Vec<&str> = mount.options.iter().map(String::as_str).collect();
        let shown = format!("{} ({}, {})", mount.point, mount.fstype, options.join(","));
        if let Some(t) = &self.fstype {
            if !t.eq_ignore_ascii_case(&mount.fstype) {
                return Outcome::fail(format!(
                    "{} is a {} filesystem, not {t}",
                    mount.point, mount.fstype
                ))
                .expected(expected)
                .actual(shown)
                .at(mount.source.clone());
            }
        }
        let missing: Vec<&str> = self
            .options
            .iter()
            .flatten()
            .filter(|o| !options.contains(&o.as_str()))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Outcome::fail(format!(
                "{} is mounted without {}",
                mount.point,
                missing.join(", ")
            ))
            .expected(expected)
            .actual(shown)
            .at(mount.source.clone());
        }
        Outcome::pass(format!("{} is mounted: {}", mount.point, mount.fstype))
            .expected(expected)
            .actual(shown)
            .at(mount.source.clone())
    }
}

/// The filesystem type mounted at `path` here (for `probe add`).
pub(crate) fn fstype_at(world: &dyn World, path: &Path) -> Option<String> {
    let table = world.read_head(Path::new(MOUNTINFO), MAX_MOUNTINFO).ok()?;
    let wanted = normalize(&path.to_string_lossy());
    parse_mountinfo(&String::from_utf8_lossy(&table))
        .into_iter()
        .rev()
        .find(|m| m.point == wanted)
        .map(|m| m.fstype)
}

/// One line of /proc/self/mountinfo.
#[derive(Debug, PartialEq)]
struct Mount {
    point: String,
    fstype: String,
    source: String,
    /// The mount's own options, then the filesystem's (deduplicated), with
    /// one of `ro`/`rw`: the one in effect.
    options: Vec<String>,
}

/// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`:
/// fields 5 and 6 are the mount point and its options; after the `-` come
/// the type, the source and the filesystem's options. Lines that do not
/// parse are skipped.
fn parse_mountinfo(table: &str) -> Vec<Mount> {
    table
        .lines()
        .filter_map(|line| {
            let (before, after) = line.split_once(" - ")?;
            let fields: Vec<&str> = before.split(' ').collect();
            let point = unescape(fields.get(4)?);
            let mut options: Vec<String> = fields.get(5)?.split(',').map(String::from).collect();
            let mut rest = after.split(' ');
            let fstype = unescape(rest.next()?);
            let source = unescape(rest.next().unwrap_or_default());
            let super_options: Vec<&str> = rest.next().unwrap_or_default().split(',').collect();
            // Read-only if either the mount or the filesystem is: a `:ro`
            // bind mount of an `rw` filesystem is read-only.
            if super_options.contains(&"ro") {
                options.retain(|o| o != "rw");
                if !options.iter().any(|o| o == "ro") {
                    options.insert(0, "ro".into());
                }
            }
            for o in super_options {
                if matches!(o, "ro" | "rw") {
                    continue;
                }
                if !o.is_empty() && !options.iter().any(|have| have == o) {
                    options.push(o.to_string());
                }
            }
            Some(Mount {
                point,
                fstype,
                source,
                options,
            })
        })
        .collect()
}

/// The kernel writes a space, tab, newline and backslash as `\040`,
/// `\011`, `\012` and `\134`.
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let code = rest
            .get(i + 1..i + 4)
            .and_then(|o| u8::from_str_radix(o, 8).ok());
        match code {
            Some(byte) => {
                out.push(char::from(byte));
                rest = &rest[i + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Without a trailing slash (except for `/`), as mountinfo writes it.
fn normalize(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        trimmed.into()
    }
}

fn is_under(path: &str, point: &str) -> bool {
    point == "/" || path == point || path.starts_with(&format!("{point}/"))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass, windows};
    use super::*;
    use crate::world::fake::FakeWorld;
    use crate::world::FileKind;

    const TABLE: &str = "\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw,errors=remount-ro
30 27 0:25 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw,size=2097152k
31 27 0:26 / /tmp rw,nosuid,nodev,noexec - tmpfs tmpfs rw,size=1048576k
40 27 0:30 / /mnt/build\\040cache rw,relatime shared:5 - nfs4 fs1:/cache rw,vers=4.2
41 27 8:1 /cache /var/cache/shared ro,relatime - ext4 /dev/sda1 rw,errors=remount-ro
42 27 8:2 / /srv rw,relatime - ext4 /dev/sdb1 ro
";

    fn linux() -> FakeWorld {
        FakeWorld::default()
            .on(OsFamily::Linux)
            .file(MOUNTINFO, FileKind::File, 0o444, TABLE)
    }

    #[test]
    fn the_table_is_read_with_escapes_and_both_sets_of_options() {
        let mounts = parse_mountinfo(TABLE);
        assert_eq!(mounts.len(), 7);
        assert_eq!(mounts[4].point, "/mnt/build cache");
        assert_eq!(mounts[4].fstype, "nfs4");
        assert_eq!(mounts[4].source, "fs1:/cache");
        assert_eq!(
            mounts[3].options,
            ["rw", "nosuid", "nodev", "noexec", "size=1048576k"]
        );
        assert_eq!(unescape(r"a\134b\zz"), r"a\b\zz");
    }

    #[test]
    fn the_last_mount_at_a_path_is_the_one_in_effect() {
        let w = linux();
        let o = eval("mount: /tmp/\nfstype: tmpfs\noptions: [noexec, nosuid]", &w);
        pass(&o);
        assert_eq!(o.message, "/tmp is mounted: tmpfs");
        assert_eq!(
            o.actual,
            "/tmp (tmpfs, rw,nosuid,nodev,noexec,size=1048576k)"
        );
        pass(&eval("mount: /mnt/build cache\nfstype: nfs4", &w));
    }

    #[test]
    fn wrong_type_missing_options_and_no_mount_say_what_is_there() {
        let w = linux();
        let o = eval("mount: /tmp\nfstype: ext4", &w);
        fail(&o);
        assert_eq!(o.message, "/tmp is a tmpfs filesystem, not ext4");
        let o = eval("mount: /\noptions: [noexec, ro]", &w);
        fail(&o);
        assert_eq!(o.message, "/ is mounted without noexec, ro");
        let o = eval("mount: /var/lib/docker", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "/var/lib/docker is not a mount point; it is on the ext4 filesystem mounted at /"
        );
    }

    #[test]
    fn read_only_on_either_side_is_read_only() {
        let w = linux();
        // A `:ro` bind mount of a read-write filesystem.
        let o = eval("mount: /var/cache/shared\noptions: [rw]", &w);
        fail(&o);
        assert_eq!(o.message, "/var/cache/shared is mounted without rw");
        pass(&eval("mount: /var/cache/shared\noptions: [ro]", &w));
        // A filesystem that is read-only under a mount that says rw.
        fail(&eval("mount: /srv\noptions: [rw]", &w));
        pass(&eval("mount: /srv\noptions: [ro]", &w));
    }

    #[test]
    fn other_systems_and_an_unreadable_table_are_errors() {
        let o = eval("mount: /tmp", &windows());
        error(&o);
        assert_eq!(
            o.message,
            "mount checks read /proc/self/mountinfo, which only Linux has (this is windows)"
        );
        let o = eval("mount: /tmp", &FakeWorld::default().on(OsFamily::Linux));
        error(&o);
        assert!(
            o.message
                .starts_with("/proc/self/mountinfo could not be read"),
            "{}",
            o.message
        );
    }
}

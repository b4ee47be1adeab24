//! `package`: a package is installed (at a version), from the system's own
//! package database: dpkg's and apk's are read as files, RPM's is asked
//! through `rpm -q`, Windows' installed-programs list through the registry.

use super::draft::{Draft, Val};
use super::observe::Ask;
use std::path::Path;

use serde::Deserialize;

use super::{Conflict, Context, Declared, Kind, Outcome};
use crate::spec::OsFamily;
use crate::text::glob_match;
use crate::version::{Version, VersionReq};
use crate::world::{FileKind, Lookup, RegistryView, RunOutcome, RunRequest, World};

/// A package is installed (by default), at a version in a range, or not
/// installed at all.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PackageCheck {
    /// The package's name: `openjdk-17-jdk-headless` (dpkg; `name:arch`
    /// for one architecture), `openjdk17` (apk), `java-17-openjdk` (RPM).
    /// On Windows the program's name in "Apps & features" (`Git`), where
    /// `*` and `?` match any text and one character (`Python 3.11*`).
    pub package: String,
    /// The range the installed version must be in.
    pub version: Option<VersionReq>,
    /// `false`: the package must NOT be installed. Default `true`.
    pub installed: Option<bool>,
}

impl Declared for PackageCheck {
    const KEY: &'static str = "package";

    /// The version installed here, as a range.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        let subject = ask.subject;
        let versions = installed_versions(ask.world, subject, &ask.context())?;
        let Some(version) = versions.iter().find_map(|v| comparable_version(v)) else {
            return Err(format!("package {subject} is not installed here"));
        };
        Ok(ask.subject_only()?.with(
            "version",
            Val::Text(super::observe::range(&version, ask.wanted.pin)),
        ))
    }
}

const DPKG_STATUS: &str = "/var/lib/dpkg/status";
const APK_INSTALLED: &str = "/lib/apk/db/installed";
/// Where RPM keeps its database: the classic place, and the one newer
/// Fedora and openSUSE use.
const RPM_DATABASES: &[&str] = &["/var/lib/rpm", "/usr/lib/sysimage/rpm"];
/// Far more than the database of any real machine (a Debian system with
/// 5 000 packages has a status file of about 5 MiB).
const MAX_DATABASE: usize = 256 * 1024 * 1024;

impl Kind for PackageCheck {
    fn subject(&self) -> String {
        self.package.clone()
    }

    fn qualifier(&self) -> Option<String> {
        if self.installed == Some(false) {
            return Some("not installed".into());
        }
        self.version.as_ref().map(|v| format!("version {v}"))
    }

    fn conflict(&self) -> Option<Conflict> {
        (self.installed == Some(false) && self.version.is_some()).then(|| Conflict {
            key: "version",
            message: "a package that must not be installed has no version to compare; remove \
                      `version` or `installed: false`"
                .into(),
            at_value: false,
        })
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let name = &self.package;
        let wanted = self.installed.unwrap_or(true);
        let expected = match (&self.version, wanted) {
            (_, false) => format!("package {name} not installed"),
            (Some(range), true) => format!("package {name} installed, version {range}"),
            (None, true) => format!("package {name} installed"),
        };
        let found = match find(world, name, cx) {
            Ok(found) => found,
            Err(why) => {
                return Outcome::error(format!("cannot tell whether {name} is installed: {why}"))
                    .expected(expected)
            }
        };
        let Found {
            installed,
            database,
            not_installed_because,
            similar,
        } = found;
        let listed = list(&installed);
        if !wanted {
            let message = if installed.is_empty() {
                format!("package {name} is not installed")
            } else {
                format!("package {name} is installed ({listed}) and must not be")
            };
            return Outcome::verdict(installed.is_empty(), message)
                .expected(expected)
                .actual(if installed.is_empty() {
                    "not installed".to_string()
                } else {
                    listed
                })
                .at(database);
        }
        if installed.is_empty() {
            let mut message = format!("package {name} is not installed");
            if let Some(why) = not_installed_because {
                message.push_str(&format!(" ({why})"));
            }
            if !similar.is_empty() {
                message.push_str(&format!(
                    "; installed with similar names: {}",
                    similar.join(", ")
                ));
            }
            return Outcome::fail(message)
                .expected(expected)
                .actual("not installed")
                .at(database);
        }
        let Some(range) = &self.version else {
            return Outcome::pass(format!("package {name} is installed ({listed})"))
                .expected(expected)
                .actual(listed)
                .at(database);
        };
        if let Some(hit) = installed
            .iter()
            .find(|p| upstream_version(&p.version).is_some_and(|v| range.matches(&v)))
        {
            return Outcome::pass(format!("package {name} {} is installed", hit.shown()))
                .expected(expected)
                .actual(listed)
                .at(database);
        }
        if installed
            .iter()
            .all(|p| upstream_version(&p.version).is_none())
        {
            return Outcome::error(format!(
                "package {name} is installed ({listed}), but that is not a version to compare \
                 with {range}"
            ))
            .expected(expected)
            .actual(listed)
            .at(database);
        }
        Outcome::fail(format!(
            "package {name} is installed at another version: {listed}, not {range}"
        ))
        .expected(expected)
        .actual(listed)
        .at(database)
    }
}

/// One installed instance of a package.
#[derive(Debug, Clone, PartialEq)]
struct Installed {
    /// The name as the database has it (on Windows, the display name).
    name: String,
    version: String,
    /// dpkg's architecture, apk's, RPM's; the registry view on Windows.
    arch: Option<String>,
}

impl Installed {
    fn shown(&self) -> String {
        match &self.arch {
            Some(arch) => format!("{} ({arch})", self.version),
            None => self.version.clone(),
        }
    }
}

/// What a database says about one name.
struct Found {
    installed: Vec<Installed>,
    /// Where the answer came from: a file, `rpm -q`, the registry.
    database: String,
    /// dpkg knows the package but it is not (fully) installed: why.
    not_installed_because: Option<String>,
    /// Windows: installed programs whose names contain the name asked for.
    similar: Vec<String>,
}

impl Found {
    fn from(database: &str, installed: Vec<Installed>) -> Found {
        Found {
            installed,
            database: database.to_string(),
            not_installed_because: None,
            similar: Vec::new(),
        }
    }
}

fn list(installed: &[Installed]) -> String {
    installed
        .iter()
        .map(|p| {
            if installed.iter().any(|o| o.name != p.name) {
                format!("{} {}", p.name, p.shown())
            } else {
                p.shown()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The version ranges compare: without a Debian epoch (`1:`) and revision
/// (`-1ubuntu2`), an apk revision (`-r0`) or an RPM release.
fn upstream_version(version: &str) -> Option<Version> {
    let no_epoch = match version.split_once(':') {
        Some((epoch, rest)) if epoch.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => version,
    };
    let upstream = no_epoch.rsplit_once('-').map_or(no_epoch, |(u, _)| u);
    Version::parse(upstream).or_else(|| Version::parse(no_epoch))
}

/// The versions at which `name` is installed here (for `probe add`), as
/// the database writes them.
pub(crate) fn installed_versions(
    world: &dyn World,
    name: &str,
    cx: &Context,
) -> Result<Vec<String>, String> {
    let found = find(world, name, cx)?;
    Ok(found.installed.into_iter().map(|p| p.version).collect())
}

/// The version a range compares, from a version as a database writes it.
pub(crate) fn comparable_version(written: &str) -> Option<Version> {
    upstream_version(written)
}

/// Asks the database this system has.
fn find(world: &dyn World, name: &str, cx: &Context) -> Result<Found, String> {
    match world.os_family() {
        OsFamily::Windows => windows_programs(world, name),
        OsFamily::Macos => Err(
            "macOS has no system package database the probe reads; for Homebrew, check the \
             command with `command` (and its `version`)"
                .into(),
        ),
        OsFamily::Linux => {
            if let Some(text) = read_database(world, DPKG_STATUS)? {
                return Ok(dpkg(&text, name));
            }
            if let Some(text) = read_database(world, APK_INSTALLED)? {
                return Ok(Found::from(APK_INSTALLED, apk(&text, name)));
            }
            // An RPM system has its database; an `rpm` alone may be
            // busybox's applet, or Debian's rpm package with no database.
            let rpm_db = RPM_DATABASES.iter().any(|d| {
                world
                    .file_info(Path::new(d), true)
                    .is_ok_and(|i| i.kind == FileKind::Dir)
            });
            if rpm_db {
                if let Lookup::Found(rpm) = world.lookup("rpm".as_ref()) {
                    return rpm_query(world, &rpm, name, cx);
                }
                return Err("this system has an RPM database but no `rpm` on PATH".into());
            }
            Err(format!(
                "this system has no package database the probe knows: no {DPKG_STATUS} (dpkg), \
                 no {APK_INSTALLED} (apk), no {} (RPM)",
                RPM_DATABASES.join(" or ")
            ))
        }
    }
}

/// The database's text, or None when this system does not have it.
fn read_database(world: &dyn World, file: &str) -> Result<Option<String>, String> {
    match world.read_head(Path::new(file), MAX_DATABASE) {
        Ok(bytes) => Ok(Some(crate::text::utf8_lossy(bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{file} could not be read: {e}")),
    }
}

/// dpkg's status file: stanzas of `Field: value` lines, a blank line
/// between. A package counts as installed when its `Status` ends in
/// `installed`; `name:arch` picks one architecture.
fn dpkg(status: &str, asked: &str) -> Found {
    let (name, arch) = match asked.split_once(':') {
        Some((name, arch)) => (name, Some(arch)),
        None => (asked, None),
    };
    let mut found = Found::from(DPKG_STATUS, Vec::new());
    // One search through the file for the package's own stanzas: a status
    // file of 2 000 packages is about 2 MiB.
    let needle = format!("Package: {}\n", name.to_ascii_lowercase());
    let mut from = 0;
    while let Some(offset) = status[from..].find(&needle) {
        let at = from + offset;
        from = at + needle.len();
        if at > 0 && status.as_bytes()[at - 1] != b'\n' {
            continue;
        }
        let end = status[at..].find("\n\n").map_or(status.len(), |e| at + e);
        let stanza = &status[at..end];
        let field = |key: &str| {
            stanza.lines().find_map(|line| {
                line.strip_prefix(key)
                    .and_then(|rest| rest.strip_prefix(':'))
                    .map(str::trim)
            })
        };
        let package_arch = field("Architecture").map(str::to_string);
        if arch.is_some_and(|a| package_arch.as_deref() != Some(a)) {
            continue;
        }
        let state = field("Status").unwrap_or_default();
        let version = field("Version").unwrap_or_default();
        // `triggers-pending` and `triggers-awaited` come after a package is
        // configured: it is installed, its triggers not yet run.
        match state.rsplit(' ').next() {
            Some("installed" | "triggers-pending" | "triggers-awaited") => {
                found.installed.push(Installed {
                    name: name.to_string(),
                    version: version.to_string(),
                    arch: package_arch,
                })
            }
            Some("config-files") => {
                found.not_installed_because =
                    Some("it was removed; its configuration files remain".into())
            }
            Some(other) if !other.is_empty() && other != "not-installed" => {
                found.not_installed_because = Some(format!(
                    "dpkg says it is {other}: an install or removal did not finish; \
                     reinstall it"
                ))
            }
            _ => {}
        }
    }
    found
}

/// apk's installed database: blocks of `X:value` lines (`P` the name, `V`
/// the version, `A` the architecture), a blank line between.
fn apk(db: &str, name: &str) -> Vec<Installed> {
    db.split("\n\n")
        .filter_map(|block| {
            let field = |key: char| {
                block.lines().find_map(|line| {
                    line.strip_prefix(key)
                        .and_then(|rest| rest.strip_prefix(':'))
                })
            };
            (field('P')? == name).then(|| Installed {
                name: name.to_string(),
                version: field('V').unwrap_or_default().to_string(),
                arch: field('A').map(str::to_string),
            })
        })
        .collect()
}

/// `rpm -q`, one line per installed instance; exit 1 when none is.
fn rpm_query(world: &dyn World, rpm: &Path, name: &str, cx: &Context) -> Result<Found, String> {
    let request = RunRequest {
        program: rpm.to_path_buf(),
        args: vec![
            "-q".into(),
            "--queryformat".into(),
            "%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n".into(),
            name.into(),
        ],
        verbatim: false,
        timeout: cx.timeout,
        watch: Vec::new(),
    };
    let database = format!("rpm -q {name}");
    match world.run(&request) {
        RunOutcome::Exited {
            code: Some(0),
            stdout,
            ..
        } => {
            let installed = stdout
                .text()
                .lines()
                .filter_map(|line| {
                    let mut fields = line.split('\t');
                    let name = fields.next()?.to_string();
                    // RPM prints `(none)` for a package without an epoch.
                    let version = fields.next()?.trim_start_matches("(none):").to_string();
                    let arch = fields.next().map(str::to_string);
                    Some(Installed {
                        name,
                        version,
                        arch,
                    })
                })
                .collect();
            Ok(Found::from(&database, installed))
        }
        // "package X is not installed" on stdout, in the user's language;
        // a real error says something on stderr.
        RunOutcome::Exited {
            code: Some(1),
            stderr,
            ..
        } if stderr.text().trim().is_empty() => Ok(Found::from(&database, Vec::new())),
        RunOutcome::Exited { code, stderr, .. } => Err(format!(
            "`{database}` ended with {}: {}",
            code.map_or("a signal".into(), |c| format!("exit {c}")),
            // Secrets hidden before the line is cut, so none is cut in two.
            crate::text::first_line(&cx.secrets.redact(&stderr.text()), 200).unwrap_or_default()
        )),
        RunOutcome::TimedOut { after, .. } => Err(format!(
            "`{database}` did not answer within {}",
            crate::quantity::format_duration(after)
        )),
        RunOutcome::FailedToStart(why) => Err(format!("`{database}` could not start: {why}")),
    }
}

/// Windows' installed programs whose display name (or registry key) is the
/// name, or matches it as a glob.
fn windows_programs(world: &dyn World, asked: &str) -> Result<Found, String> {
    let programs = world
        .installed_programs()
        .map_err(|e| format!("the installed-programs registry keys could not be read: {e}"))?;
    let matches = |text: &str| glob_match(asked, text);
    let mut found = Found::from(
        r"the registry (HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall and its 32-bit and per-user views)",
        Vec::new(),
    );
    let lower = asked.trim_matches(['*', '?']).to_ascii_lowercase();
    for program in &programs {
        if matches(&program.name) || matches(&program.key) {
            found.installed.push(Installed {
                name: program.name.clone(),
                version: program.version.clone().unwrap_or_default(),
                arch: Some(
                    match program.view {
                        RegistryView::Machine64 => "64-bit",
                        RegistryView::Machine32 => "32-bit",
                        RegistryView::User => "this user",
                    }
                    .into(),
                ),
            });
        } else if !lower.is_empty()
            && program.name.to_ascii_lowercase().contains(&lower)
            && found.similar.len() < 5
            && !found.similar.contains(&program.name)
        {
            found.similar.push(program.name.clone());
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{args, error, eval, fail, pass, windows};
    use crate::spec::OsFamily;
    use crate::world::fake::{exited, FakeWorld};
    use crate::world::{FileKind, InstalledProgram, RegistryView};

    const STATUS: &str = "\
Package: openjdk-17-jdk-headless
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 17.0.9+9-1~deb12u1
Description: OpenJDK Development Kit (JDK) (headless)
 OpenJDK is a development environment for building applications.

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u3

Package: libc6
Status: install ok installed
Architecture: i386
Version: 2.36-9+deb12u3

Package: python2.7
Status: deinstall ok config-files
Architecture: amd64
Version: 2.7.18-8

Package: docker-ce
Status: install reinstreq half-installed
Architecture: amd64
Version: 5:24.0.7-1~debian.12~bookworm

Package: vim
Status: install ok installed
Architecture: amd64
Version: 2:9.0.1378-2

Package: man-db
Status: install ok triggers-pending
Architecture: amd64
Version: 2.11.2-2
";

    fn debian() -> FakeWorld {
        FakeWorld::default().on(OsFamily::Linux).file(
            super::DPKG_STATUS,
            FileKind::File,
            0o644,
            STATUS,
        )
    }

    #[test]
    fn dpkg_installed_at_a_version_in_the_range() {
        let o = eval(
            "package: openjdk-17-jdk-headless\nversion: \">=17\"",
            &debian(),
        );
        pass(&o);
        assert_eq!(
            o.message,
            "package openjdk-17-jdk-headless 17.0.9+9-1~deb12u1 (amd64) is installed"
        );
        assert_eq!(o.location.as_deref(), Some("/var/lib/dpkg/status"));
        // The epoch and the revision take no part in the comparison.
        pass(&eval("package: vim\nversion: \"~9.0\"", &debian()));
        pass(&eval("package: vim", &debian()));
    }

    #[test]
    fn dpkg_at_another_version_lists_every_installed_one() {
        let o = eval("package: libc6\nversion: \">=2.38\"", &debian());
        fail(&o);
        assert_eq!(
            o.message,
            "package libc6 is installed at another version: 2.36-9+deb12u3 (amd64), \
             2.36-9+deb12u3 (i386), not >=2.38"
        );
        pass(&eval("package: libc6:i386", &debian()));
        fail(&eval("package: libc6:arm64", &debian()));
    }

    #[test]
    fn dpkg_not_installed_says_why_when_dpkg_knows() {
        let o = eval("package: openjdk-21-jdk", &debian());
        fail(&o);
        assert_eq!(o.message, "package openjdk-21-jdk is not installed");
        assert_eq!(o.actual, "not installed");
        let o = eval("package: python2.7", &debian());
        fail(&o);
        assert_eq!(
            o.message,
            "package python2.7 is not installed (it was removed; its configuration files remain)"
        );
        let o = eval("package: docker-ce", &debian());
        fail(&o);
        assert!(o.message.contains("half-installed"), "{}", o.message);
        assert!(o.message.contains("reinstall it"), "{}", o.message);
        // A prefix of another package's name is not that package.
        fail(&eval("package: openjdk-17", &debian()));
        // Installed, its triggers still to run (an interrupted apt).
        pass(&eval("package: man-db", &debian()));
    }

    #[test]
    fn installed_false_wants_it_gone() {
        pass(&eval("package: python2.7\ninstalled: false", &debian()));
        let o = eval("package: vim\ninstalled: false", &debian());
        fail(&o);
        assert_eq!(
            o.message,
            "package vim is installed (2:9.0.1378-2 (amd64)) and must not be"
        );
    }

    #[test]
    fn apk_database_is_read_when_there_is_no_dpkg() {
        let db = "C:Q1abc=\nP:openjdk17-jdk\nV:17.0.9_p9-r0\nA:x86_64\n\nP:lua5.4\nV:5.4.6-r1\nA:x86_64\n";
        let w = FakeWorld::default().on(OsFamily::Linux).file(
            super::APK_INSTALLED,
            FileKind::File,
            0o644,
            db,
        );
        let o = eval("package: lua5.4\nversion: \"~5.4\"", &w);
        pass(&o);
        assert_eq!(o.location.as_deref(), Some("/lib/apk/db/installed"));
        pass(&eval("package: openjdk17-jdk\nversion: \">=17.0.9\"", &w));
        fail(&eval("package: lua5.3", &w));
    }

    #[test]
    fn rpm_is_asked_when_there_is_no_file_database() {
        let format = "-q --queryformat %{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n";
        let w = FakeWorld::default()
            .on(OsFamily::Linux)
            .file("/var/lib/rpm", FileKind::Dir, 0o755, "")
            .tool(
                "rpm",
                &format!("{format} java-17-openjdk"),
                exited(0, "java-17-openjdk\t1:17.0.9.0.9-3.el9\tx86_64\n", ""),
            );
        let o = eval("package: java-17-openjdk\nversion: \">=17\"", &w);
        pass(&o);
        assert_eq!(o.location.as_deref(), Some("rpm -q java-17-openjdk"));
        assert_eq!(
            args(&w.ran()[0]).last().map(String::as_str),
            Some("java-17-openjdk")
        );
        let w = FakeWorld::default()
            .on(OsFamily::Linux)
            .file("/usr/lib/sysimage/rpm", FileKind::Dir, 0o755, "")
            .tool(
                "rpm",
                &format!("{format} lua"),
                exited(1, "package lua is not installed\n", ""),
            );
        let o = eval("package: lua", &w);
        fail(&o);
        assert_eq!(o.message, "package lua is not installed");
        let w = FakeWorld::default()
            .on(OsFamily::Linux)
            .file("/var/lib/rpm", FileKind::Dir, 0o755, "")
            .tool(
                "rpm",
                &format!("{format} lua"),
                exited(1, "", "error: rpmdb: BDB0113 Thread/process failed\nmore\n"),
            );
        let o = eval("package: lua", &w);
        error(&o);
        assert_eq!(
            o.message,
            "cannot tell whether lua is installed: `rpm -q lua` ended with exit 1: \
             error: rpmdb: BDB0113 Thread/process failed"
        );
    }

    #[test]
    fn a_system_without_a_known_database_cannot_tell() {
        // busybox's rpm applet on PATH is not an RPM system.
        let busybox = FakeWorld::default()
            .on(OsFamily::Linux)
            .tool("rpm", "", exited(1, "", ""));
        let o = eval("package: lua", &busybox);
        error(&o);
        assert!(busybox.ran().is_empty());
        let o = eval("package: lua", &FakeWorld::default().on(OsFamily::Linux));
        error(&o);
        assert!(
            o.message.starts_with(
                "cannot tell whether lua is installed: this system has no package database"
            ),
            "{}",
            o.message
        );
        let o = eval("package: lua", &FakeWorld::default().on(OsFamily::Macos));
        error(&o);
        assert!(o.message.contains("Homebrew"), "{}", o.message);
    }

    fn program(
        name: &str,
        version: Option<&str>,
        key: &str,
        view: RegistryView,
    ) -> InstalledProgram {
        InstalledProgram {
            name: name.into(),
            version: version.map(Into::into),
            key: key.into(),
            view,
        }
    }

    fn windows_with_programs() -> FakeWorld {
        FakeWorld {
            programs: Some(vec![
                program("Git", Some("2.43.0"), "Git_is1", RegistryView::Machine64),
                program(
                    "Python 3.11.7 (64-bit)",
                    Some("3.11.7150.0"),
                    "{a1b2}",
                    RegistryView::Machine64,
                ),
                program(
                    "Python 3.8.10 (32-bit)",
                    Some("3.8.10150.0"),
                    "{c3d4}",
                    RegistryView::Machine32,
                ),
                program(
                    "7-Zip 23.01 (x64)",
                    Some("23.01"),
                    "7-Zip",
                    RegistryView::Machine64,
                ),
                program("Node.js", Some("20.10.0"), "{e5f6}", RegistryView::User),
            ]),
            ..windows()
        }
    }

    #[test]
    fn windows_programs_by_name_glob_or_key() {
        let w = windows_with_programs();
        let o = eval("package: git\nversion: \">=2.40\"", &w);
        pass(&o);
        assert_eq!(o.message, "package git 2.43.0 (64-bit) is installed");
        pass(&eval("package: 7-Zip", &w));
        let o = eval("package: Python 3.*\nversion: \">=3.11\"", &w);
        pass(&o);
        let o = eval("package: Python 3.*\nversion: \">=3.12\"", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "package Python 3.* is installed at another version: Python 3.11.7 (64-bit) \
             3.11.7150.0 (64-bit), Python 3.8.10 (32-bit) 3.8.10150.0 (32-bit), not >=3.12"
        );
        pass(&eval("package: node.js", &w));
    }

    #[test]
    fn windows_not_installed_names_similar_programs() {
        let o = eval("package: Python", &windows_with_programs());
        fail(&o);
        assert_eq!(
            o.message,
            "package Python is not installed; installed with similar names: \
             Python 3.11.7 (64-bit), Python 3.8.10 (32-bit)"
        );
        let o = eval("package: Git", &windows());
        error(&o);
        assert!(
            o.message.contains("registry keys could not be read"),
            "{}",
            o.message
        );
    }

    #[test]
    fn installed_false_with_a_version_is_refused() {
        let text = "checks:\n  - package: vim\n    installed: false\n    version: '>=9'\n";
        let errors = crate::catalog::load_str("t", text).unwrap_err();
        let shown = crate::spec::SpecErrors(errors).to_string();
        assert!(shown.contains("no version to compare"), "{shown}");
    }
}

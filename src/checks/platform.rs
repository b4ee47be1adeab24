//! `platform`: the OS family, and on Linux the distribution and release.

use super::draft::{Draft, Val};
use super::observe::Ask;
use serde::Deserialize;

use super::{Context, Declared, Kind, Outcome};
use crate::spec::{OneOrMany, OsFamily};
use crate::version::Version;
use crate::version::VersionReq;
use crate::world::World;

/// The operating system family, and on Linux the distribution and release.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PlatformCheck {
    /// `linux`, `windows` or `macos`.
    pub platform: OsFamily,
    /// Distribution id, or a list of them, from /etc/os-release `ID` or
    /// `ID_LIKE` (`debian`, `ubuntu`, `alpine`).
    pub distro: Option<OneOrMany<String>>,
    /// Range for the OS release (`VERSION_ID` on Linux): `>=12`.
    pub release: Option<VersionReq>,
}

impl Declared for PlatformCheck {
    const KEY: &'static str = "platform";

    /// This machine's OS family, when no subject is given.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        if ask.subject.is_empty() {
            return Draft::new("platform", Val::Text(ask.world.os_family().to_string()));
        }
        ask.subject_only()
    }
}

impl Kind for PlatformCheck {
    fn subject(&self) -> String {
        self.platform.to_string()
    }

    fn platform(&self) -> Option<OsFamily> {
        Some(self.platform)
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let here = world.os_family();
        let mut expected = self.platform.to_string();
        if let Some(distro) = &self.distro {
            expected.push_str(&format!(" ({})", distro.0.join(" or ")));
        }
        if let Some(release) = &self.release {
            expected.push_str(&format!(", release {release}"));
        }
        let release = world.os_release();
        let mut actual = here.to_string();
        if let Some(id) = release.ids.first() {
            actual.push_str(&format!(" ({id})"));
        }
        if let Some(v) = &release.version {
            actual.push_str(&format!(", release {v}"));
        }
        if here != self.platform {
            return Outcome::fail(format!("this is {here}, not {}", self.platform))
                .expected(expected)
                .actual(actual);
        }
        if let Some(distro) = &self.distro {
            let found = distro
                .0
                .iter()
                .any(|d| release.ids.iter().any(|id| id.eq_ignore_ascii_case(d)));
            if !found {
                let ids = if release.ids.is_empty() {
                    "unknown".to_string()
                } else {
                    release.ids.join(", ")
                };
                return Outcome::fail(format!(
                    "the distribution is {ids}, not {}",
                    distro.0.join(" or ")
                ))
                .expected(expected)
                .actual(actual);
            }
        }
        if let Some(range) = &self.release {
            let Some(version) = release.version.as_deref().and_then(Version::parse) else {
                return Outcome::error("the OS release could not be read")
                    .expected(expected)
                    .actual(actual);
            };
            if !range.matches(&version) {
                return Outcome::fail(format!("release {version} is not in {range}"))
                    .expected(expected)
                    .actual(actual);
            }
        }
        let name = release.name.unwrap_or_else(|| actual.clone());
        Outcome::pass(name).expected(expected).actual(actual)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, other_os, pass, windows};
    use crate::spec::OsFamily;
    use crate::world::fake::FakeWorld;

    fn ubuntu() -> FakeWorld {
        FakeWorld::default().os(
            &["ubuntu", "debian"],
            Some("24.04"),
            Some("Ubuntu 24.04 LTS"),
        )
    }

    #[test]
    fn platform_family() {
        let here = OsFamily::current();
        let o = eval(&format!("platform: {here}"), &ubuntu());
        pass(&o);
        assert_eq!(o.message, "Ubuntu 24.04 LTS");
        assert_eq!(o.expected, here.to_string());
        assert_eq!(o.actual, format!("{here} (ubuntu), release 24.04"));

        let other = other_os();
        let o = eval(&format!("platform: {other}"), &ubuntu());
        fail(&o);
        assert_eq!(o.message, format!("this is {here}, not {other}"));
    }

    #[test]
    fn platform_distro_matches_id_or_id_like() {
        let here = OsFamily::current();
        pass(&eval(
            &format!("platform: {here}\ndistro: ubuntu"),
            &ubuntu(),
        ));
        pass(&eval(
            &format!("platform: {here}\ndistro: debian"),
            &ubuntu(),
        ));
        pass(&eval(
            &format!("platform: {here}\ndistro: Debian"),
            &ubuntu(),
        ));
        pass(&eval(
            &format!("platform: {here}\ndistro: [alpine, debian]"),
            &ubuntu(),
        ));
        let o = eval(
            &format!("platform: {here}\ndistro: [fedora, rhel]"),
            &ubuntu(),
        );
        fail(&o);
        assert_eq!(
            o.message,
            "the distribution is ubuntu, debian, not fedora or rhel"
        );
        assert_eq!(o.expected, format!("{here} (fedora or rhel)"));

        let o = eval(
            &format!("platform: {here}\ndistro: debian"),
            &FakeWorld::default(),
        );
        fail(&o);
        assert_eq!(o.message, "the distribution is unknown, not debian");
        assert_eq!(o.actual, here.to_string());
    }

    #[test]
    fn platform_release_range() {
        let here = OsFamily::current();
        let o = eval(
            &format!("platform: {here}\nrelease: \">=22.04\""),
            &ubuntu(),
        );
        pass(&o);
        assert_eq!(o.expected, format!("{here}, release >=22.04"));
        let o = eval(&format!("platform: {here}\nrelease: \"<24\""), &ubuntu());
        fail(&o);
        assert_eq!(o.message, "release 24.04 is not in <24");

        let unknown = FakeWorld::default().os(&["arch"], None, None);
        let o = eval(&format!("platform: {here}\nrelease: \">=1\""), &unknown);
        error(&o);
        assert_eq!(o.message, "the OS release could not be read");
        // Without a release to check, an unnamed OS is described by what is known.
        let o = eval(&format!("platform: {here}"), &unknown);
        pass(&o);
        assert_eq!(o.message, format!("{here} (arch)"));
    }

    #[test]
    fn platform_windows_passes_on_windows_only() {
        let o = eval("platform: windows", &windows());
        pass(&o);
        assert_eq!(o.message, "Windows 10 Pro");
        assert_eq!(o.actual, "windows (windows), release 10 (19045)");
        let o = eval("platform: linux", &windows());
        fail(&o);
        assert_eq!(o.message, "this is windows, not linux");
        let o = eval("platform: windows", &ubuntu().on(OsFamily::Linux));
        fail(&o);
        assert_eq!(o.message, "this is linux, not windows");
    }
}

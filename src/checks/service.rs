//! `service`: a service runs and starts at boot: systemd on Linux (through
//! `systemctl show`), the Service Control Manager on Windows.

use super::draft::{Draft, Val};
use super::observe::Ask;
use std::path::Path;

use serde::Deserialize;

use super::{Context, Declared, Kind, Outcome};
use crate::spec::OsFamily;
use crate::world::{FileKind, Lookup, RunOutcome, RunRequest, ServiceState, StartType, World};

/// A service is running (by default) and, if asked, enabled at boot.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceCheck {
    /// The service: a systemd unit (`docker`, taken as `docker.service`, or
    /// `docker.socket`), or a Windows service's name or display name.
    pub service: String,
    /// Whether it must be running (`false`: must not be). Default `true`
    /// when `enabled` is not given.
    pub running: Option<bool>,
    /// Whether it must start at boot (systemd: enabled as `systemctl
    /// is-enabled` counts it; Windows: automatic start).
    pub enabled: Option<bool>,
    /// Where no service manager runs (a container without an init):
    /// `error` (the default) or `skip`, for a spec shared by machines and
    /// containers.
    pub no_manager: Option<NoManager>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum NoManager {
    Error,
    Skip,
}

impl Declared for ServiceCheck {
    const KEY: &'static str = "service";

    /// Whether it runs and starts at boot, here.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        let (running, enabled) = observe(ask.world, ask.subject, &ask.context())?;
        Ok(ask
            .subject_only()?
            .with("running", Val::Bool(running))
            .with("enabled", Val::Bool(enabled)))
    }
}

/// What one service manager says about a service.
struct State {
    /// `active (running)`, `Running`.
    activity: String,
    running: bool,
    /// `enabled`, `disabled`, `Automatic`, `Manual`.
    start: String,
    enabled: bool,
    /// Where the answer came from.
    source: String,
}

impl Kind for ServiceCheck {
    fn subject(&self) -> String {
        self.service.clone()
    }

    fn qualifier(&self) -> Option<String> {
        let mut parts = Vec::new();
        match self.running {
            Some(false) => parts.push("not running"),
            Some(true) if self.enabled.is_some() => parts.push("running"),
            _ => {}
        }
        match self.enabled {
            Some(true) => parts.push("enabled"),
            Some(false) => parts.push("not enabled"),
            None => {}
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let name = &self.service;
        let running = self.running.or(self.enabled.is_none().then_some(true));
        let mut wants = Vec::new();
        match running {
            Some(true) => wants.push("running"),
            Some(false) => wants.push("not running"),
            None => {}
        }
        match self.enabled {
            Some(true) => wants.push("enabled"),
            Some(false) => wants.push("not enabled"),
            None => {}
        }
        let expected = format!("service {name} {}", wants.join(", "));
        let state = match world.os_family() {
            OsFamily::Linux => systemd(world, name, cx),
            OsFamily::Windows => windows(world, name),
            OsFamily::Macos => Err(Unknown::Error(
                "services are not checked on macOS (launchd) yet".into(),
            )),
        };
        let state = match state {
            Ok(state) => state,
            // A service that must not run (nor start at boot) is fine
            // where there is no such service at all.
            Err(Unknown::NoSuchService(why)) => {
                let absent_is_fine = running != Some(true) && self.enabled != Some(true);
                let message = if absent_is_fine {
                    format!("{why}, so it does not run")
                } else {
                    why
                };
                return Outcome::verdict(absent_is_fine, message)
                    .expected(expected)
                    .actual("no such service");
            }
            Err(Unknown::NoManager(why)) if self.no_manager == Some(NoManager::Skip) => {
                return Outcome::new(
                    crate::checks::Status::Skipped,
                    format!("no service manager here: {why}"),
                )
                .expected(expected)
            }
            Err(Unknown::Error(why) | Unknown::NoManager(why)) => {
                return Outcome::error(format!("service {name} could not be checked: {why}"))
                    .expected(expected)
            }
        };
        let actual = format!("{}, {}", state.activity, state.start);
        let mut wrong = Vec::new();
        if running.is_some_and(|want| want != state.running) {
            wrong.push(state.activity.clone());
        }
        match self.enabled {
            Some(true) if !state.enabled => wrong.push(format!("not enabled ({})", state.start)),
            Some(false) if state.enabled => wrong.push(format!("enabled ({})", state.start)),
            _ => {}
        }
        let message = if wrong.is_empty() {
            format!("service {name} is {}, {}", state.activity, state.start)
        } else {
            format!("service {name} is {}", wrong.join(" and "))
        };
        Outcome::verdict(wrong.is_empty(), message)
            .expected(expected)
            .actual(actual)
            .at(state.source)
    }
}

/// Whether `name` runs and starts at boot here (for `probe add`).
pub(crate) fn observe(world: &dyn World, name: &str, cx: &Context) -> Result<(bool, bool), String> {
    let state = match world.os_family() {
        OsFamily::Linux => systemd(world, name, cx),
        OsFamily::Windows => windows(world, name),
        OsFamily::Macos => Err(Unknown::Error("services are not read on macOS yet".into())),
    };
    match state {
        Ok(state) => Ok((state.running, state.enabled)),
        Err(Unknown::NoSuchService(why) | Unknown::NoManager(why) | Unknown::Error(why)) => {
            Err(why)
        }
    }
}

enum Unknown {
    /// The service manager runs and has no such service: a failure.
    NoSuchService(String),
    /// No service manager runs here.
    NoManager(String),
    /// The question cannot be asked here.
    Error(String),
}

/// systemd's unit file states that `systemctl is-enabled` answers 0 for.
const SYSTEMD_ENABLED: &[&str] = &[
    "enabled",
    "enabled-runtime",
    "alias",
    "static",
    "indirect",
    "generated",
    "transient",
];

fn systemd(world: &dyn World, name: &str, cx: &Context) -> Result<State, Unknown> {
    // How systemd itself tells that it is the running init (sd_booted).
    let booted = world
        .file_info(Path::new("/run/systemd/system"), true)
        .is_ok_and(|info| info.kind == FileKind::Dir);
    if !booted {
        return Err(Unknown::NoManager(
            "systemd is not running (no /run/systemd/system); a container without an init \
             system runs no services: check the program with `process` instead"
                .into(),
        ));
    }
    let Lookup::Found(systemctl) = world.lookup("systemctl".as_ref()) else {
        return Err(Unknown::Error(
            "systemd runs but `systemctl` is not on PATH".into(),
        ));
    };
    let unit = if name.contains('.') {
        name.to_string()
    } else {
        format!("{name}.service")
    };
    let request = RunRequest {
        program: systemctl,
        args: vec![
            "show".into(),
            "--property=LoadState,ActiveState,SubState,UnitFileState".into(),
            "--".into(),
            unit.clone().into(),
        ],
        verbatim: false,
        timeout: cx.timeout,
        watch: Vec::new(),
    };
    let shown = format!("systemctl show {unit}");
    let text = match world.run(&request) {
        RunOutcome::Exited {
            code: Some(0),
            stdout,
            ..
        } => stdout.text(),
        RunOutcome::Exited { code, stderr, .. } => {
            return Err(Unknown::Error(format!(
                "`{shown}` ended with {}: {}",
                code.map_or("a signal".into(), |c| format!("exit {c}")),
                stderr.text().trim()
            )))
        }
        RunOutcome::TimedOut { after, .. } => {
            return Err(Unknown::Error(format!(
                "`{shown}` did not answer within {}",
                crate::quantity::format_duration(after)
            )))
        }
        RunOutcome::FailedToStart(why) => {
            return Err(Unknown::Error(format!("`{shown}` could not start: {why}")))
        }
    };
    let property = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let load = property("LoadState");
    if load == "not-found" {
        return Err(Unknown::NoSuchService(format!(
            "there is no service {name}: systemd has no unit {unit}"
        )));
    }
    let active = property("ActiveState");
    let sub = property("SubState");
    let file_state = property("UnitFileState");
    let start = if load == "masked" {
        "masked".to_string()
    } else if file_state.is_empty() {
        "no unit file state".to_string()
    } else {
        file_state.clone()
    };
    Ok(State {
        activity: if sub.is_empty() {
            active.clone()
        } else {
            format!("{active} ({sub})")
        },
        running: matches!(active.as_str(), "active" | "reloading" | "refreshing"),
        enabled: SYSTEMD_ENABLED.contains(&file_state.as_str()),
        start,
        source: shown,
    })
}

fn windows(world: &dyn World, name: &str) -> Result<State, Unknown> {
    let service = match world.windows_service(name) {
        Ok(Some(service)) => service,
        Ok(None) => {
            return Err(Unknown::NoSuchService(format!(
                "there is no service {name}: the Service Control Manager knows no service of \
                 that name or display name"
            )))
        }
        Err(e) => {
            return Err(Unknown::Error(format!(
                "the Service Control Manager could not be asked: {e}"
            )))
        }
    };
    let activity = match service.state {
        ServiceState::Stopped => "Stopped",
        ServiceState::Starting => "Starting",
        ServiceState::Stopping => "Stopping",
        ServiceState::Running => "Running",
        ServiceState::Resuming => "Resuming",
        ServiceState::Pausing => "Pausing",
        ServiceState::Paused => "Paused",
    };
    let start = match service.start {
        StartType::Boot => "Boot",
        StartType::System => "System",
        StartType::Automatic => "Automatic",
        StartType::AutomaticDelayed => "Automatic (Delayed Start)",
        StartType::Manual => "Manual",
        StartType::Disabled => "Disabled",
    };
    Ok(State {
        activity: activity.into(),
        running: service.state == ServiceState::Running,
        enabled: !matches!(service.start, StartType::Manual | StartType::Disabled),
        start: start.into(),
        source: format!(
            "Windows service {} ({})",
            service.name, service.display_name
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{args, error, eval, fail, pass, windows};
    use crate::spec::OsFamily;
    use crate::world::fake::{exited, FakeWorld};
    use crate::world::{FileKind, ServiceInfo, ServiceState, StartType};

    const SHOW: &str = "show --property=LoadState,ActiveState,SubState,UnitFileState --";

    fn systemd(unit: &str, answer: &str) -> FakeWorld {
        FakeWorld::default()
            .on(OsFamily::Linux)
            .file("/run/systemd/system", FileKind::Dir, 0o755, "")
            .tool(
                "systemctl",
                &format!("{SHOW} {unit}"),
                exited(0, answer, ""),
            )
    }

    const RUNNING: &str =
        "LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n";

    #[test]
    fn a_running_enabled_unit_passes() {
        let w = systemd("docker.service", RUNNING);
        let o = eval("service: docker\nrunning: true\nenabled: true", &w);
        pass(&o);
        assert_eq!(o.message, "service docker is active (running), enabled");
        assert_eq!(o.expected, "service docker running, enabled");
        assert_eq!(o.location.as_deref(), Some("systemctl show docker.service"));
        assert_eq!(
            args(&w.ran()[0]).last().map(String::as_str),
            Some("docker.service")
        );
        pass(&eval("service: docker", &w));
    }

    #[test]
    fn a_stopped_or_disabled_unit_fails_saying_which() {
        let w = systemd(
            "docker.service",
            "LoadState=loaded\nActiveState=failed\nSubState=failed\nUnitFileState=disabled\n",
        );
        let o = eval("service: docker\nrunning: true\nenabled: true", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "service docker is failed (failed) and not enabled (disabled)"
        );
        // Only what is asked: enabled alone does not ask for running.
        let o = eval("service: docker\nenabled: true", &w);
        assert_eq!(o.message, "service docker is not enabled (disabled)");
        assert_eq!(o.expected, "service docker enabled");
        assert_eq!(o.actual, "failed (failed), disabled");
        pass(&eval("service: docker\nrunning: false\nenabled: false", &w));
    }

    #[test]
    fn a_unit_with_a_suffix_is_taken_as_written_and_static_counts_as_enabled() {
        let w = systemd(
            "docker.socket",
            "LoadState=loaded\nActiveState=active\nSubState=listening\nUnitFileState=static\n",
        );
        pass(&eval("service: docker.socket\nenabled: true", &w));
    }

    #[test]
    fn an_unknown_unit_fails_and_no_systemd_cannot_be_checked() {
        let w = systemd(
            "dockr.service",
            "LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n",
        );
        let o = eval("service: dockr", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "there is no service dockr: systemd has no unit dockr.service"
        );
        let container = FakeWorld::default().on(OsFamily::Linux);
        let o = eval("service: docker", &container);
        error(&o);
        assert!(
            o.message
                .starts_with("service docker could not be checked: systemd is not running"),
            "{}",
            o.message
        );
        assert!(container.ran().is_empty());
        let o = eval("service: docker\nno_manager: skip", &container);
        assert_eq!(o.status, crate::checks::Status::Skipped);
        assert!(
            o.message
                .starts_with("no service manager here: systemd is not running"),
            "{}",
            o.message
        );
    }

    fn windows_with(state: ServiceState, start: StartType) -> FakeWorld {
        FakeWorld {
            services: vec![ServiceInfo {
                name: "docker".into(),
                display_name: "Docker Engine".into(),
                state,
                start,
            }],
            ..windows()
        }
    }

    #[test]
    fn windows_services_by_name_or_display_name() {
        let w = windows_with(ServiceState::Running, StartType::AutomaticDelayed);
        let o = eval("service: Docker Engine\nenabled: true", &w);
        pass(&o);
        assert_eq!(
            o.message,
            "service Docker Engine is Running, Automatic (Delayed Start)"
        );
        assert_eq!(
            o.location.as_deref(),
            Some("Windows service docker (Docker Engine)")
        );
        let w = windows_with(ServiceState::Stopped, StartType::Manual);
        let o = eval("service: docker\nrunning: true\nenabled: true", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "service docker is Stopped and not enabled (Manual)"
        );
        let o = eval("service: W3SVC", &w);
        fail(&o);
        assert!(
            o.message.starts_with("there is no service W3SVC"),
            "{}",
            o.message
        );
    }

    #[test]
    fn a_service_that_must_not_run_may_be_missing_altogether() {
        let w = systemd(
            "unattended-upgrades.service",
            "LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n",
        );
        let o = eval("service: unattended-upgrades\nrunning: false", &w);
        pass(&o);
        assert_eq!(
            o.message,
            "there is no service unattended-upgrades: systemd has no unit \
             unattended-upgrades.service, so it does not run"
        );
        pass(&eval(
            "service: unattended-upgrades\nrunning: false\nenabled: false",
            &w,
        ));
        fail(&eval(
            "service: unattended-upgrades\nrunning: false\nenabled: true",
            &w,
        ));
    }

    #[test]
    fn macos_is_not_checked_yet() {
        let o = eval("service: docker", &FakeWorld::default().on(OsFamily::Macos));
        error(&o);
        assert!(o.message.contains("launchd"), "{}", o.message);
    }
}

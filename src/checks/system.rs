//! Facts about the machine: OS, architecture, CPUs, memory, disk,
//! processes, and TCP ports.

use std::time::Duration;

use super::file::expand_path;
use super::Outcome;
use crate::quantity::format_size;
use crate::spec::{
    ArchCheck, CpusCheck, DiskCheck, MemoryCheck, OsFamily, PlatformCheck, ProcessCheck, TcpCheck,
};
use crate::version::Version;
use crate::world::World;

pub fn platform(check: &PlatformCheck, world: &dyn World) -> Outcome {
    let here = world.os_family();
    let mut expected = check.platform.to_string();
    if let Some(distro) = &check.distro {
        expected.push_str(&format!(" ({})", distro.0.join(" or ")));
    }
    if let Some(release) = &check.release {
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
    if here != check.platform {
        return Outcome::fail(format!("this is {here}, not {}", check.platform))
            .expected(expected)
            .actual(actual);
    }
    if let Some(distro) = &check.distro {
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
    if let Some(range) = &check.release {
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

/// The name Rust uses for the architecture, for the aliases people write.
fn canonical_arch(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "amd64" | "x64" | "x86-64" => "x86_64".into(),
        "arm64" => "aarch64".into(),
        "i386" | "i686" | "386" => "x86".into(),
        other => other.to_string(),
    }
}

pub fn arch(check: &ArchCheck, world: &dyn World) -> Outcome {
    let here = world.arch();
    let ok = check
        .arch
        .0
        .iter()
        .any(|a| canonical_arch(a) == canonical_arch(&here));
    let expected = check.arch.0.join(" or ");
    Outcome::verdict(
        ok,
        if ok {
            format!("the CPU architecture is {here}")
        } else {
            format!("the CPU architecture is {here}, not {expected}")
        },
    )
    .expected(expected)
    .actual(here)
}

pub fn cpus(check: &CpusCheck, world: &dyn World) -> Outcome {
    let n = world.cpus();
    let ok = check.cpus.0.matches(n);
    Outcome::verdict(ok, format!("{n} CPUs available"))
        .expected(format!("CPUs {}", check.cpus.0))
        .actual(n.to_string())
}

pub fn memory(check: &MemoryCheck, world: &dyn World) -> Outcome {
    let expected = format!("memory {}", check.memory.0);
    let Some(total) = world.total_memory() else {
        return Outcome::error("the memory size could not be read").expected(expected);
    };
    let ok = check.memory.0.matches(total);
    Outcome::verdict(ok, format!("{} of memory", format_size(total)))
        .expected(expected)
        .actual(format_size(total))
}

pub fn disk(check: &DiskCheck, world: &dyn World) -> Outcome {
    let expected = format!("free space at {} {}", check.disk, check.free.0);
    let path = match expand_path(&check.disk, world) {
        Ok(p) => p,
        Err(why) => return Outcome::error(why).expected(expected),
    };
    let shown = path.display().to_string();
    match world.disk_free(&path) {
        Ok(free) => Outcome::verdict(
            check.free.0.matches(free),
            format!("{} free at {shown}", format_size(free)),
        )
        .expected(expected)
        .actual(format!("{} free", format_size(free)))
        .at(shown),
        Err(e) => Outcome::error(format!("cannot measure free space at {shown}: {e}"))
            .expected(expected)
            .at(shown),
    }
}

pub fn process(check: &ProcessCheck, world: &dyn World) -> Outcome {
    let wanted = &check.process;
    let names = world.processes();
    let windows = world.os_family() == OsFamily::Windows;
    let matches = |name: &str| {
        if windows {
            let name = name.to_lowercase();
            let wanted = wanted.to_lowercase();
            name == wanted || name == format!("{wanted}.exe")
        } else {
            // Linux keeps only the first 15 bytes of a process name.
            name == wanted || (name.len() == 15 && wanted.starts_with(name))
        }
    };
    let ok = names.iter().any(|n| matches(n));
    Outcome::verdict(
        ok,
        if ok {
            format!("a `{wanted}` process is running")
        } else {
            format!("no `{wanted}` process is running")
        },
    )
    .expected(format!("`{wanted}` running"))
    .actual(if ok { "running" } else { "not running" })
}

pub fn tcp(check: &TcpCheck, world: &dyn World, timeout: Duration) -> Outcome {
    let address = &check.tcp;
    let expected = format!("{address} accepts TCP connections");
    match world.tcp_connect(address, timeout) {
        Ok(peer) => Outcome::pass(format!("{address} accepted a connection ({peer})"))
            .expected(expected)
            .actual("connected")
            .at(peer),
        Err(why) => Outcome::fail(format!("{address} did not accept a connection: {why}"))
            .expected(expected)
            .actual("no connection")
            .at(address.clone()),
    }
}

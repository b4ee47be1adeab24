//! Marker resources: how `probe fleet --quarantine --apply` records, on the
//! agent itself, what it changed there.
//!
//! GoCD has no field for why an agent was changed (gocd/gocd#4970), and a
//! fleet job may run on any agent, so the record cannot live in a file. It
//! lives in the agent's own resource list, where every run of the fleet job
//! reads it through the agents API and where an admin sees it on GoCD's
//! Agents page:
//!
//! - `probe-took-lua`: probe took `lua` from this agent. The agent is still
//!   checked for `lua` (`probe --agent` reads the marker), and when it
//!   passes again in two runs in a row, the fleet gives `lua` back and
//!   removes the marker.
//! - `probe-added-lua`: probe added `lua` (`--add-resources`).
//! - `probe-disabled`: probe disabled this agent (`--quarantine=disable`).
//!
//! A marker is a resource no job asks for, so it changes no scheduling.
//! A person who removes a marker tells probe to forget that change; one who
//! gives `lua` back while `probe-took-lua` is still there has overridden
//! probe, which then leaves `lua` on that agent alone.

const TOOK: &str = "probe-took-";
const ADDED: &str = "probe-added-";
/// The marker of an agent probe disabled.
pub const DISABLED: &str = "probe-disabled";

/// A marker resource, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// probe took this resource from the agent.
    Took(String),
    /// probe added this resource to the agent.
    Added(String),
    /// probe disabled the agent.
    Disabled,
}

impl Marker {
    /// The resource name GoCD stores.
    pub fn name(&self) -> String {
        match self {
            Marker::Took(r) => format!("{TOOK}{r}"),
            Marker::Added(r) => format!("{ADDED}{r}"),
            Marker::Disabled => DISABLED.to_string(),
        }
    }
}

/// The marker a resource name is, if it is one (case-insensitively, as
/// GoCD matches resources); the resource it names keeps its spelling.
pub fn parse(name: &str) -> Option<Marker> {
    let name = name.trim();
    let lower = name.to_ascii_lowercase();
    if lower == DISABLED {
        return Some(Marker::Disabled);
    }
    for (prefix, make) in [
        (TOOK, Marker::Took as fn(String) -> Marker),
        (ADDED, Marker::Added as fn(String) -> Marker),
    ] {
        if lower.starts_with(prefix) && name.len() > prefix.len() {
            return Some(make(name[prefix.len()..].to_string()));
        }
    }
    None
}

/// Whether a resource name is one of probe's markers.
pub fn is_marker(name: &str) -> bool {
    parse(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_read_back_as_what_they_record() {
        for marker in [
            Marker::Took("lua".into()),
            Marker::Added("Java-17".into()),
            Marker::Disabled,
        ] {
            assert_eq!(parse(&marker.name()), Some(marker));
        }
        assert_eq!(parse(" PROBE-TOOK-Lua "), Some(Marker::Took("Lua".into())));
        assert_eq!(parse("probe-took-"), None);
        assert_eq!(parse("probe"), None);
        assert_eq!(parse("lua"), None);
        assert!(!is_marker("probe-tool"));
    }

    /// GoCD refuses resource names outside `^[-\w\s|.]*$`
    /// (ResourceConfig.VALID_REGEX); a marker of a valid name is valid.
    #[test]
    fn a_marker_of_a_valid_resource_name_is_a_valid_resource_name() {
        let valid = |s: &str| {
            s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "-|.".contains(c))
        };
        for r in ["lua", "java-17", "python 3.11", "a|b", "x_y"] {
            assert!(valid(&Marker::Took(r.into()).name()), "{r}");
            assert!(valid(&Marker::Added(r.into()).name()), "{r}");
        }
        assert!(valid(DISABLED));
    }
}

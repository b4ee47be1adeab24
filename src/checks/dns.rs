//! `dns`: a host name resolves, optionally to given addresses.

use std::net::IpAddr;

use serde::Deserialize;

use super::expand::expand_text;
use super::{Context, Declared, Kind, Outcome};
use crate::spec::IpText;
use crate::world::World;

/// A host name resolves, as programs on this machine resolve it (hosts
/// file, DNS, whatever the system is set up to use).
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DnsCheck {
    /// The host name; `${VAR}` is expanded.
    pub dns: String,
    /// Addresses that must all be among the answers.
    pub addresses: Option<Vec<IpText>>,
}

impl Declared for DnsCheck {
    const KEY: &'static str = "dns";
}

impl Kind for DnsCheck {
    fn subject(&self) -> String {
        self.dns.clone()
    }

    fn qualifier(&self) -> Option<String> {
        self.addresses
            .as_ref()
            .map(|a| format!("to {}", list(&ips(a))))
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let expected = match &self.addresses {
            Some(a) => format!("{} resolves to {}", self.dns, list(&ips(a))),
            None => format!("{} resolves", self.dns),
        };
        let host = match expand_text(&self.dns, world) {
            Ok(host) => host,
            Err(why) => return Outcome::error(why).expected(expected),
        };
        let found = match world.resolve(&host, cx.timeout) {
            Ok(found) if !found.is_empty() => found,
            Ok(_) => {
                return Outcome::fail(format!("{host} resolves to no address"))
                    .expected(expected)
                    .actual("no address")
            }
            Err(why) => {
                return Outcome::fail(format!("{host} does not resolve: {why}"))
                    .expected(expected)
                    .actual("does not resolve")
            }
        };
        let missing: Vec<IpAddr> = self
            .addresses
            .iter()
            .flatten()
            .map(|a| a.0)
            .filter(|a| !found.contains(a))
            .collect();
        // In order, so that agents that resolve alike read alike (the
        // resolver's order rotates).
        let mut sorted = found.clone();
        sorted.sort();
        let actual = list(&sorted);
        if missing.is_empty() {
            Outcome::pass(format!("{host} resolves to {actual}"))
        } else {
            Outcome::fail(format!(
                "{host} resolves to {actual}, not to {}",
                list(&missing)
            ))
        }
        .expected(expected)
        .actual(actual)
    }
}

fn ips(written: &[IpText]) -> Vec<IpAddr> {
    written.iter().map(|a| a.0).collect()
}

fn list(addresses: &[IpAddr]) -> String {
    addresses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass};
    use crate::world::fake::FakeWorld;

    #[test]
    fn a_name_resolves_to_the_addresses_wanted() {
        let w = FakeWorld::default().resolving("nexus.corp", &["10.0.0.7", "fd00::7"]);
        let o = eval("dns: nexus.corp", &w);
        pass(&o);
        assert_eq!(o.message, "nexus.corp resolves to 10.0.0.7, fd00::7");
        pass(&eval("dns: nexus.corp\naddresses: [\"fd00::7\"]", &w));
        let o = eval("dns: nexus.corp\naddresses: [10.0.0.7, 10.0.0.8]", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "nexus.corp resolves to 10.0.0.7, fd00::7, not to 10.0.0.8"
        );
        assert_eq!(o.expected, "nexus.corp resolves to 10.0.0.7, 10.0.0.8");
    }

    #[test]
    fn a_name_that_does_not_resolve_fails_with_the_resolvers_words() {
        let w = FakeWorld::default().resolving("nexus.corp", &[]);
        let o = eval("dns: nexus.corp", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "nexus.corp does not resolve: Name or service not known"
        );
    }

    #[test]
    fn the_name_may_come_from_a_variable() {
        let w = FakeWorld::default()
            .var("GO_SERVER_HOST", "gocd.corp")
            .resolving("gocd.corp", &["10.1.1.1"]);
        pass(&eval("dns: ${GO_SERVER_HOST}", &w));
        error(&eval("dns: ${MIRROR_HOST}", &w));
    }

    #[test]
    fn an_address_that_is_not_one_is_refused_when_the_spec_is_read() {
        let text = "checks:\n  - dns: x\n    addresses: [10.0.0.300]\n";
        let errors = crate::catalog::load_str("t", text).unwrap_err();
        let shown = crate::spec::SpecErrors(errors).to_string();
        assert!(
            shown.contains("`10.0.0.300` is not an IP address"),
            "{shown}"
        );
    }
}

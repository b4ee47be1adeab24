//! `port`: something on this machine listens on a port. Unlike `tcp`, which
//! connects (to any host), this asks the OS which sockets listen here: it
//! sees a UDP service, a listener bound to another address, and answers
//! without touching the service.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use serde::de::{self, Deserializer};
use serde::Deserialize;

use super::expand::{expand_text, has_variables};
use super::{Context, Declared, Kind, Outcome};
use crate::spec::IpText;
use crate::world::{Protocol, World};

/// Something on this machine listens on a port.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PortCheck {
    /// The port: a number (`8153`), or text with `${VAR}`.
    pub port: PortText,
    /// `tcp` (the default) or `udp`.
    pub protocol: Option<PortProtocol>,
    /// The IP address the socket must listen on (`127.0.0.1`, `::1`); one
    /// listening on every address (`0.0.0.0`, `::`) of that family counts.
    /// Default: any address.
    pub address: Option<IpText>,
    /// `false`: nothing may listen on the port. Default `true`.
    pub listening: Option<bool>,
}

/// A port number as written; checked when read unless it holds a variable.
#[derive(Debug, Clone)]
pub struct PortText(String);

impl<'de> Deserialize<'de> for PortText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if !has_variables(&text) {
            port_number(&text).map_err(de::Error::custom)?;
        }
        Ok(PortText(text))
    }
}

fn port_number(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(format!("`{text}` is not a port number (1 to 65535)")),
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum PortProtocol {
    Tcp,
    Udp,
}

impl fmt::Display for PortProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PortProtocol::Tcp => "TCP",
            PortProtocol::Udp => "UDP",
        })
    }
}

impl Declared for PortCheck {
    const KEY: &'static str = "port";
}

impl Kind for PortCheck {
    fn subject(&self) -> String {
        self.port.0.clone()
    }

    fn qualifier(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.protocol == Some(PortProtocol::Udp) {
            parts.push("udp".to_string());
        }
        if let Some(address) = self.address {
            parts.push(format!("on {address}"));
        }
        if self.listening == Some(false) {
            parts.push("not listening".into());
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let protocol = self.protocol.unwrap_or(PortProtocol::Tcp);
        let wanted = self.listening.unwrap_or(true);
        let on = self.address.map(|a| format!(" on {a}")).unwrap_or_default();
        let expected = format!(
            "{protocol} port {}{on} {}",
            self.port.0,
            if wanted { "listening" } else { "not listening" }
        );
        let port = match expand_text(&self.port.0, world).and_then(|p| port_number(&p)) {
            Ok(port) => port,
            Err(why) => return Outcome::error(why).expected(expected),
        };
        let all = match world.listeners(match protocol {
            PortProtocol::Tcp => Protocol::Tcp,
            PortProtocol::Udp => Protocol::Udp,
        }) {
            Ok(all) => all,
            Err(e) => {
                return Outcome::error(format!(
                    "the listening {protocol} sockets could not be read: {e}"
                ))
                .expected(expected)
            }
        };
        let on_port: Vec<SocketAddr> = all.into_iter().filter(|a| a.port() == port).collect();
        let dual_stack = v6_takes_v4(world);
        let matching: Vec<&SocketAddr> = on_port
            .iter()
            .filter(|a| {
                self.address
                    .is_none_or(|want| covers(a.ip(), want.0, dual_stack))
            })
            .collect();
        let list = |addrs: &[&SocketAddr]| {
            addrs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let actual;
        let message = if !matching.is_empty() {
            actual = format!("listening on {}", list(&matching));
            format!("{protocol} port {port} is listening on {}", list(&matching))
        } else if on_port.is_empty() {
            actual = "not listening".into();
            format!("nothing listens on {protocol} port {port}")
        } else {
            let others: Vec<&SocketAddr> = on_port.iter().collect();
            actual = format!("listening only on {}", list(&others));
            format!(
                "{protocol} port {port} listens only on {}, not{on}",
                list(&others)
            )
        };
        let outcome = Outcome::verdict(matching.is_empty() != wanted, message)
            .expected(expected)
            .actual(actual);
        match matching.first() {
            Some(first) => outcome.at(first.to_string()),
            None => outcome,
        }
    }
}

/// Whether a socket bound to `bound` receives what is sent to `wanted`: the
/// same address, or the wildcard of its family; the IPv6 wildcard (`::`)
/// also takes IPv4 where sockets are dual-stack (Java's listeners are
/// IPv6 sockets on `::`).
fn covers(bound: IpAddr, wanted: IpAddr, dual_stack: bool) -> bool {
    bound == wanted
        || (bound.is_unspecified() && bound.is_ipv4() == wanted.is_ipv4())
        || (dual_stack && bound == IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED) && wanted.is_ipv4())
}

/// Whether a socket on `::` takes IPv4 too: on Linux unless
/// net.ipv6.bindv6only is 1; elsewhere taken to be so (the tables do not
/// tell a dual-stack socket from another).
fn v6_takes_v4(world: &dyn World) -> bool {
    if world.os_family() != crate::spec::OsFamily::Linux {
        return true;
    }
    world
        .read_head(std::path::Path::new("/proc/sys/net/ipv6/bindv6only"), 16)
        .map_or(true, |v| v.trim_ascii() != b"1")
}

#[cfg(test)]
impl schemars::JsonSchema for PortText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PortText".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["integer", "string"],
            "description": "A port number, 1 to 65535, or text with `${VAR}` that expands to one."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass};
    use crate::world::fake::FakeWorld;
    use crate::world::Protocol;

    fn world(sockets: &[(Protocol, &str)]) -> FakeWorld {
        FakeWorld {
            listeners: Some(
                sockets
                    .iter()
                    .map(|(p, a)| (*p, a.parse().unwrap()))
                    .collect(),
            ),
            ..FakeWorld::default()
        }
    }

    #[test]
    fn a_listening_port_passes_and_names_its_addresses() {
        let w = world(&[
            (Protocol::Tcp, "0.0.0.0:8153"),
            (Protocol::Tcp, "[::]:8153"),
            (Protocol::Tcp, "127.0.0.1:8154"),
        ]);
        let o = eval("port: 8153", &w);
        pass(&o);
        assert_eq!(
            o.message,
            "TCP port 8153 is listening on 0.0.0.0:8153, [::]:8153"
        );
        assert_eq!(o.expected, "TCP port 8153 listening");
        assert_eq!(o.location.as_deref(), Some("0.0.0.0:8153"));
        let o = eval("port: 8155", &w);
        fail(&o);
        assert_eq!(o.message, "nothing listens on TCP port 8155");
        assert_eq!(o.actual, "not listening");
    }

    #[test]
    fn udp_is_asked_for_apart_from_tcp() {
        let w = world(&[(Protocol::Udp, "0.0.0.0:53")]);
        pass(&eval("port: 53\nprotocol: udp", &w));
        fail(&eval("port: 53", &w));
    }

    #[test]
    fn an_address_is_matched_exactly_or_by_its_family_wildcard() {
        let w = world(&[
            (Protocol::Tcp, "127.0.0.1:5432"),
            (Protocol::Tcp, "0.0.0.0:80"),
        ]);
        pass(&eval("port: 5432\naddress: 127.0.0.1", &w));
        let o = eval("port: 5432\naddress: 10.0.0.5", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "TCP port 5432 listens only on 127.0.0.1:5432, not on 10.0.0.5"
        );
        pass(&eval("port: 80\naddress: 10.0.0.5", &w));
        // An IPv4 wildcard says nothing about IPv6.
        fail(&eval("port: 80\naddress: \"::1\"", &w));
    }

    #[test]
    fn an_ipv6_wildcard_takes_ipv4_unless_the_kernel_says_v6_only() {
        // GoCD's server (Java) listens on `::`.
        let w = world(&[(Protocol::Tcp, "[::]:8153")]).on(crate::spec::OsFamily::Linux);
        pass(&eval("port: 8153\naddress: 10.0.0.5", &w));
        let v6only = w.file(
            "/proc/sys/net/ipv6/bindv6only",
            crate::world::FileKind::File,
            0o644,
            "1\n",
        );
        fail(&eval("port: 8153\naddress: 10.0.0.5", &v6only));
        pass(&eval("port: 8153\naddress: \"::1\"", &v6only));
    }

    #[test]
    fn listening_false_wants_nothing_there() {
        let w = world(&[(Protocol::Tcp, "0.0.0.0:23")]);
        let o = eval("port: 23\nlistening: false", &w);
        fail(&o);
        assert_eq!(o.expected, "TCP port 23 not listening");
        pass(&eval("port: 2323\nlistening: false", &w));
    }

    #[test]
    fn a_port_from_a_variable_and_what_cannot_be_read() {
        let w = world(&[(Protocol::Tcp, "0.0.0.0:8153")]).var("GO_PORT", "8153");
        pass(&eval("port: ${GO_PORT}", &w));
        let o = eval("port: ${GO_PORT}", &w.var("GO_PORT", "http"));
        error(&o);
        assert_eq!(o.message, "`http` is not a port number (1 to 65535)");
        let o = eval("port: 8153", &FakeWorld::default());
        error(&o);
        assert_eq!(
            o.message,
            "the listening TCP sockets could not be read: no socket table on this fake machine"
        );
    }

    #[test]
    fn a_port_out_of_range_is_refused_when_the_spec_is_read() {
        let text = "checks:\n  - port: 70000\n";
        let errors = crate::catalog::load_str("t", text).unwrap_err();
        let shown = crate::spec::SpecErrors(errors).to_string();
        assert!(
            shown.contains("`70000` is not a port number (1 to 65535)"),
            "{shown}"
        );
    }
}

//! `tcp`: a TCP port accepts a connection.

use serde::de::{self, Deserializer};
use serde::Deserialize;

use super::expand::{expand_text, has_variables};
use super::{Context, Declared, Kind, Outcome};
use crate::world::World;

/// A TCP port accepts a connection within the check's timeout.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TcpCheck {
    /// `host:port` (`localhost:5432`, `[::1]:8153`); `${VAR}` is expanded.
    #[serde(deserialize_with = "host_port")]
    pub tcp: String,
}

impl Declared for TcpCheck {
    const KEY: &'static str = "tcp";
}

impl Kind for TcpCheck {
    fn subject(&self) -> String {
        self.tcp.clone()
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let expected = format!("{} accepts TCP connections", self.tcp);
        let address = match expand_text(&self.tcp, world).and_then(valid_host_port) {
            Ok(address) => address,
            Err(why) => return Outcome::error(why).expected(expected),
        };
        let address = &address;
        match world.tcp_connect(address, cx.timeout) {
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
}

/// Refuses what is not `host:port` when the spec is read; one with a
/// variable is checked once it is expanded.
fn host_port<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    if has_variables(&text) {
        return Ok(text);
    }
    valid_host_port(text).map_err(de::Error::custom)
}

fn valid_host_port(text: String) -> Result<String, String> {
    let valid = text
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
    if valid {
        Ok(text)
    } else {
        Err(format!(
            "`{text}` is not host:port; write e.g. `localhost:5432`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{eval, fail, pass};
    use crate::world::fake::FakeWorld;

    #[test]
    fn tcp() {
        let world = FakeWorld::default().listening("localhost:5432", "127.0.0.1:5432");
        let o = eval("tcp: localhost:5432", &world);
        pass(&o);
        assert_eq!(
            o.message,
            "localhost:5432 accepted a connection (127.0.0.1:5432)"
        );
        assert_eq!(o.expected, "localhost:5432 accepts TCP connections");
        assert_eq!(o.actual, "connected");
        assert_eq!(o.location.as_deref(), Some("127.0.0.1:5432"));
        let o = eval("tcp: localhost:5433", &world);
        fail(&o);
        assert_eq!(
            o.message,
            "localhost:5433 did not accept a connection: connection refused"
        );
        assert_eq!(o.actual, "no connection");
        assert_eq!(o.location.as_deref(), Some("localhost:5433"));
    }

    #[test]
    fn tcp_expands_variables_and_checks_the_result() {
        let world = FakeWorld::default()
            .var("GOCD_HOST", "gocd.corp")
            .var("BAD", "gocd.corp")
            .listening("gocd.corp:8153", "10.0.0.5:8153");
        let o = eval("tcp: ${GOCD_HOST}:8153", &world);
        pass(&o);
        assert_eq!(o.expected, "${GOCD_HOST}:8153 accepts TCP connections");
        let o = eval("tcp: ${BAD}", &world);
        super::super::testing::error(&o);
        assert_eq!(
            o.message,
            "`gocd.corp` is not host:port; write e.g. `localhost:5432`"
        );
        let o = eval("tcp: ${NOPE}:1", &world);
        assert_eq!(o.message, "NOPE is not set (`${NOPE}:1` uses it)");
    }
}

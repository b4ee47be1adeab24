//! Facts Linux keeps in /proc: the sockets listening in the probe's network
//! namespace (/proc/net/{tcp,tcp6,udp,udp6}).

use std::fs;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::Protocol;

/// TCP's LISTEN state, and the state of a UDP socket bound and not
/// connected (one that receives from anyone), as /proc/net prints them.
const TCP_LISTEN: &str = "0A";
const UDP_UNCONNECTED: &str = "07";

/// The local addresses of listening TCP sockets or bound UDP sockets, over
/// IPv4 and IPv6. A missing table (IPv6 disabled) has no sockets.
pub fn listeners(protocol: Protocol) -> io::Result<Vec<SocketAddr>> {
    let (files, state) = match protocol {
        Protocol::Tcp => (["/proc/net/tcp", "/proc/net/tcp6"], TCP_LISTEN),
        Protocol::Udp => (["/proc/net/udp", "/proc/net/udp6"], UDP_UNCONNECTED),
    };
    let mut found = Vec::new();
    let mut read_any = false;
    for file in files {
        match fs::read(file) {
            Ok(bytes) => {
                read_any = true;
                found.extend(parse_sockets(&String::from_utf8_lossy(&bytes), state));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io::Error::new(e.kind(), format!("{file}: {e}"))),
        }
    }
    if !read_any {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "neither {} nor {} exists (is /proc mounted?)",
                files[0], files[1]
            ),
        ));
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// The local addresses of the sockets in `state` in one /proc/net table.
/// Lines that do not parse are skipped: the header, and any format a
/// future kernel might add.
pub fn parse_sockets(table: &str, state: &str) -> Vec<SocketAddr> {
    table
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _slot = fields.next()?;
            let local = fields.next()?;
            let _remote = fields.next()?;
            (fields.next()? == state).then_some(())?;
            parse_address(local)
        })
        .collect()
}

/// `0100007F:1F90` or the IPv6 form: the address as the kernel's 32-bit
/// words, each printed in the machine's byte order, then the port.
fn parse_address(text: &str) -> Option<SocketAddr> {
    let (address, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |i: usize| -> Option<[u8; 4]> {
        let hex = address.get(i * 8..i * 8 + 8)?;
        Some(u32::from_str_radix(hex, 16).ok()?.to_ne_bytes())
    };
    let ip = match address.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut bytes = [0u8; 16];
            for i in 0..4 {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            // An IPv6 socket bound to an IPv4 address (Java binds
            // `127.0.0.1` this way) is listed as `::ffff:127.0.0.1`.
            let v6 = Ipv6Addr::from(bytes);
            match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(v6),
            }
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words as a little-endian machine prints them.
    #[cfg(target_endian = "little")]
    #[test]
    fn tables_are_read_as_the_kernel_prints_them() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1593 1
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1594 1
   2: 0100007F:A2C4 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 1595 1
   garbage line
";
        assert_eq!(
            parse_sockets(tcp, TCP_LISTEN),
            [
                "127.0.0.1:8080".parse::<SocketAddr>().unwrap(),
                "0.0.0.0:22".parse().unwrap()
            ]
        );
        let tcp6 =
            "  sl  local_address                         remote_address                        st
   0: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 0
   1: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 0
   2: 0000000000000000FFFF00000100007F:1F92 00000000000000000000000000000000:0000 0A 0
";
        assert_eq!(
            parse_sockets(tcp6, TCP_LISTEN),
            [
                "[::1]:8081".parse::<SocketAddr>().unwrap(),
                "[::]:80".parse().unwrap(),
                "127.0.0.1:8082".parse().unwrap()
            ]
        );
        let udp = "   sl  local_address rem_address   st
  10: 00000000:0044 00000000:0000 07 0
  11: 0100007F:0035 08080808:0035 01 0
";
        assert_eq!(
            parse_sockets(udp, UDP_UNCONNECTED),
            ["0.0.0.0:68".parse::<SocketAddr>().unwrap()]
        );
    }

    #[test]
    fn this_machine_sees_a_listener_this_test_opens() {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        assert!(listeners(Protocol::Tcp)
            .unwrap()
            .contains(&tcp.local_addr().unwrap()));
        assert!(listeners(Protocol::Udp)
            .unwrap()
            .contains(&udp.local_addr().unwrap()));
        // A connected socket is not a listener.
        let client = std::net::TcpStream::connect(tcp.local_addr().unwrap()).unwrap();
        assert!(!listeners(Protocol::Tcp)
            .unwrap()
            .contains(&client.local_addr().unwrap()));
    }
}

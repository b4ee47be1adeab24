//! What only Windows' own APIs answer: the installed-programs registry
//! keys, the Service Control Manager, and the TCP/UDP listener tables.

use std::io;
use std::net::SocketAddr;

use super::{InstalledProgram, Protocol, ServiceInfo};

/// Every program listed under the Uninstall keys: HKLM's 64-bit and 32-bit
/// views and HKCU.
pub fn installed_programs() -> io::Result<Vec<InstalledProgram>> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "reading the installed-programs registry is not written yet",
    ))
}

/// A service by its name or its display name.
pub fn service(name: &str) -> io::Result<Option<ServiceInfo>> {
    let _ = name;
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "asking the Service Control Manager is not written yet",
    ))
}

/// The local addresses of listening TCP sockets or bound UDP sockets.
pub fn listeners(protocol: Protocol) -> io::Result<Vec<SocketAddr>> {
    let _ = protocol;
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "reading the TCP and UDP tables is not written yet",
    ))
}

//! What only Windows' own APIs answer: the installed-programs registry
//! keys, the Service Control Manager, and the TCP/UDP listener tables.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use super::path::pathext;
use super::Credentials;
use std::ffi::c_void;
use std::io;
use std::mem::{offset_of, size_of};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::ptr;

use windows_sys::Win32::Foundation::{
    GetLastError, ERROR_FILE_NOT_FOUND, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_NAME,
    ERROR_MORE_DATA, ERROR_NO_MORE_ITEMS, ERROR_PATH_NOT_FOUND, ERROR_SERVICE_DOES_NOT_EXIST,
    NO_ERROR,
};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetExtendedTcpTable, GetExtendedUdpTable, MIB_TCP6ROW_OWNER_PID, MIB_TCP6TABLE_OWNER_PID,
    MIB_TCPROW_OWNER_PID, MIB_TCPTABLE_OWNER_PID, MIB_UDP6ROW_OWNER_PID, MIB_UDP6TABLE_OWNER_PID,
    MIB_UDPROW_OWNER_PID, MIB_UDPTABLE_OWNER_PID, TCP_TABLE_OWNER_PID_LISTENER,
    UDP_TABLE_OWNER_PID,
};
use windows_sys::Win32::System::Registry::{
    RegCloseKey, RegEnumKeyExW, RegOpenKeyExW, RegQueryValueExW, HKEY, HKEY_CURRENT_USER,
    HKEY_LOCAL_MACHINE, KEY_QUERY_VALUE, KEY_READ, KEY_WOW64_32KEY, KEY_WOW64_64KEY, REG_EXPAND_SZ,
    REG_SAM_FLAGS, REG_SZ,
};
use windows_sys::Win32::System::Services::{
    CloseServiceHandle, GetServiceKeyNameW, OpenSCManagerW, OpenServiceW, QueryServiceConfig2W,
    QueryServiceConfigW, QueryServiceStatus, QUERY_SERVICE_CONFIGW, SC_HANDLE, SC_MANAGER_CONNECT,
    SC_MANAGER_ENUMERATE_SERVICE, SERVICE_AUTO_START, SERVICE_BOOT_START,
    SERVICE_CONFIG_DELAYED_AUTO_START_INFO, SERVICE_CONTINUE_PENDING,
    SERVICE_DELAYED_AUTO_START_INFO, SERVICE_DEMAND_START, SERVICE_DISABLED, SERVICE_PAUSED,
    SERVICE_PAUSE_PENDING, SERVICE_QUERY_CONFIG, SERVICE_QUERY_STATUS, SERVICE_RUNNING,
    SERVICE_START_PENDING, SERVICE_STATUS, SERVICE_STOPPED, SERVICE_STOP_PENDING,
    SERVICE_SYSTEM_START,
};

use super::{InstalledProgram, Protocol, RegistryView, ServiceInfo, ServiceState, StartType};

const UNINSTALL: &str = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall";

/// Every program listed under the Uninstall keys: HKLM's 64-bit and 32-bit
/// views and HKCU, in that order. A subkey without a `DisplayName` is not a
/// program Windows lists, so neither does this.
pub fn installed_programs() -> io::Result<Vec<InstalledProgram>> {
    Ok(merge_views(
        uninstall_entries(HKEY_LOCAL_MACHINE, KEY_WOW64_64KEY, RegistryView::Machine64)?,
        uninstall_entries(HKEY_LOCAL_MACHINE, KEY_WOW64_32KEY, RegistryView::Machine32)?,
        uninstall_entries(HKEY_CURRENT_USER, 0, RegistryView::User)?,
    ))
}

/// The three lists in order, less the 32-bit view's entries that the 64-bit
/// view has too (same key, name and version): a 32-bit Windows has one
/// view, which both HKLM opens read.
fn merge_views(
    machine64: Vec<InstalledProgram>,
    machine32: Vec<InstalledProgram>,
    user: Vec<InstalledProgram>,
) -> Vec<InstalledProgram> {
    let in_64: HashSet<_> = machine64
        .iter()
        .map(|p| (&p.key, &p.name, &p.version))
        .collect();
    let machine32: Vec<_> = machine32
        .into_iter()
        .filter(|p| !in_64.contains(&(&p.key, &p.name, &p.version)))
        .collect();
    machine64.into_iter().chain(machine32).chain(user).collect()
}

/// The programs under one Uninstall key; none when the key does not exist
/// (HKCU's often does not).
fn uninstall_entries(
    root: HKEY,
    wow64: REG_SAM_FLAGS,
    view: RegistryView,
) -> io::Result<Vec<InstalledProgram>> {
    let context = |e: io::Error| {
        let hive = if view == RegistryView::User {
            "HKCU"
        } else {
            "HKLM"
        };
        io::Error::new(e.kind(), format!(r"{hive}\{UNINSTALL} ({view:?}): {e}"))
    };
    let Some(uninstall) = Key::open(root, &wide(UNINSTALL), KEY_READ | wow64).map_err(context)?
    else {
        return Ok(Vec::new());
    };
    let mut programs = Vec::new();
    for subkey in uninstall.subkeys().map_err(context)? {
        // One removed since the listing, or closed to this user, lists nothing.
        let Ok(Some(entry)) = Key::open(uninstall.0, &subkey, KEY_QUERY_VALUE | wow64) else {
            continue;
        };
        let key = text(&subkey);
        let read = |value| {
            entry
                .string(value)
                .map_err(|e| context(io::Error::new(e.kind(), format!("{key}\\{value}: {e}"))))
        };
        let Some(name) = read("DisplayName")?.filter(|n| !n.is_empty()) else {
            continue;
        };
        let version = read("DisplayVersion")?.filter(|v| !v.is_empty());
        programs.push(InstalledProgram {
            name,
            version,
            key,
            view,
        });
    }
    Ok(programs)
}

/// An open registry key, closed when dropped.
struct Key(HKEY);

impl Key {
    /// Opens `path` (NUL-terminated) under `parent`; None when it does not exist.
    fn open(parent: HKEY, path: &[u16], access: REG_SAM_FLAGS) -> io::Result<Option<Key>> {
        let mut key = ptr::null_mut();
        // SAFETY: parent is a predefined or open key, path is NUL-terminated and
        // outlives the call, and key is a valid place for the result.
        match unsafe { RegOpenKeyExW(parent, path.as_ptr(), 0, access, &mut key) } {
            NO_ERROR => Ok(Some(Key(key))),
            ERROR_FILE_NOT_FOUND | ERROR_PATH_NOT_FOUND => Ok(None),
            code => Err(os_error(code)),
        }
    }

    /// The names of the subkeys (NUL-terminated), in the registry's order.
    fn subkeys(&self) -> io::Result<Vec<Vec<u16>>> {
        let mut names = Vec::new();
        // A key name has at most 255 characters; grow should one not fit.
        let mut name = vec![0u16; 256];
        let mut index = 0;
        loop {
            let mut len = u32::try_from(name.len()).unwrap_or(u32::MAX);
            // SAFETY: name has room for len characters; the class and time
            // outputs are optional and null.
            let code = unsafe {
                RegEnumKeyExW(
                    self.0,
                    index,
                    name.as_mut_ptr(),
                    &mut len,
                    ptr::null(),
                    ptr::null_mut(),
                    ptr::null_mut(),
                    ptr::null_mut(),
                )
            };
            match code {
                NO_ERROR => {
                    let found = &name[..(len as usize).min(name.len())];
                    names.push(found.iter().copied().chain([0]).collect());
                    index += 1;
                }
                ERROR_NO_MORE_ITEMS => return Ok(names),
                ERROR_MORE_DATA if name.len() < 1 << 16 => name.resize(name.len() * 2, 0),
                code => return Err(os_error(code)),
            }
        }
    }

    /// A string value (REG_SZ or REG_EXPAND_SZ, not expanded) up to its
    /// first NUL, whether or not it has one; None when the value is missing
    /// or is not a string.
    fn string(&self, value: &str) -> io::Result<Option<String>> {
        let value = wide(value);
        let mut kind = 0;
        let read = sized_call(|data, size| {
            // SAFETY: value is NUL-terminated, data has room for *size bytes
            // (sized_call's promise), and kind and size are valid places.
            unsafe {
                RegQueryValueExW(
                    self.0,
                    value.as_ptr(),
                    ptr::null(),
                    &mut kind,
                    data.cast(),
                    size,
                )
            }
        });
        let (buf, len) = match read {
            Ok(read) => read,
            Err(e) if e.raw_os_error() == Some(ERROR_FILE_NOT_FOUND as i32) => return Ok(None),
            Err(e) => return Err(e),
        };
        if kind != REG_SZ && kind != REG_EXPAND_SZ {
            return Ok(None);
        }
        Ok(Some(text(&as_u16(&buf)[..(len / 2).min(buf.len() * 4)])))
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: the key was opened by RegOpenKeyExW and is closed only here.
        unsafe { RegCloseKey(self.0) };
    }
}

/// A service by its name or its display name; None when there is neither.
pub fn service(name: &str) -> io::Result<Option<ServiceInfo>> {
    if name.is_empty() || name.contains('\0') {
        return Ok(None);
    }
    find_service(name).map_err(|e| io::Error::new(e.kind(), format!("service '{name}': {e}")))
}

fn find_service(name: &str) -> io::Result<Option<ServiceInfo>> {
    // One question to the Service Control Manager at a time: checks run on
    // several threads, and concurrent connections were seen to fail with
    // "Invalid handle" (under wine); each question takes milliseconds.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    // SAFETY: null machine and database names mean this machine's active
    // services database.
    let manager = unsafe {
        OpenSCManagerW(
            ptr::null(),
            ptr::null(),
            SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE,
        )
    };
    if manager.is_null() {
        return Err(last_error("OpenSCManagerW"));
    }
    let manager = ScHandle(manager);
    let typed = wide(name);
    let found = match open_service(&manager, &typed)? {
        Some(service) => Some((service, typed)),
        None => match key_name(&manager, &typed)? {
            Some(key) => open_service(&manager, &key)?.map(|service| (service, key)),
            None => None,
        },
    };
    let Some((service, opened)) = found else {
        return Ok(None);
    };

    let mut status = SERVICE_STATUS::default();
    // SAFETY: service is open with SERVICE_QUERY_STATUS; status is writable.
    if unsafe { QueryServiceStatus(service.0, &mut status) } == 0 {
        return Err(last_error("QueryServiceStatus"));
    }
    let state = match status.dwCurrentState {
        SERVICE_STOPPED => ServiceState::Stopped,
        SERVICE_START_PENDING => ServiceState::Starting,
        SERVICE_STOP_PENDING => ServiceState::Stopping,
        SERVICE_RUNNING => ServiceState::Running,
        SERVICE_CONTINUE_PENDING => ServiceState::Resuming,
        SERVICE_PAUSE_PENDING => ServiceState::Pausing,
        SERVICE_PAUSED => ServiceState::Paused,
        other => return Err(invalid(format!("unknown service state {other}"))),
    };

    let (config, _) = sized_call(|buf, size| {
        let capacity = *size;
        // SAFETY: service is open with SERVICE_QUERY_CONFIG; buf has room for
        // capacity bytes and is 8-byte aligned, as QUERY_SERVICE_CONFIGW needs.
        if unsafe { QueryServiceConfigW(service.0, buf.cast(), capacity, size) } != 0 {
            return NO_ERROR;
        }
        // SAFETY: GetLastError has no preconditions.
        unsafe { GetLastError() }
    })
    .map_err(|e| context("QueryServiceConfigW", e))?;
    if config.len() * 8 < size_of::<QUERY_SERVICE_CONFIGW>() {
        return Err(invalid("QueryServiceConfigW returned too little".into()));
    }
    // SAFETY: the buffer holds a QUERY_SERVICE_CONFIGW that the call wrote,
    // and is aligned for it.
    let head = unsafe { config.as_ptr().cast::<QUERY_SERVICE_CONFIGW>().read() };
    let start = match head.dwStartType {
        SERVICE_BOOT_START => StartType::Boot,
        SERVICE_SYSTEM_START => StartType::System,
        SERVICE_AUTO_START if delayed_auto_start(&service) => StartType::AutomaticDelayed,
        SERVICE_AUTO_START => StartType::Automatic,
        SERVICE_DEMAND_START => StartType::Manual,
        SERVICE_DISABLED => StartType::Disabled,
        other => return Err(invalid(format!("unknown start type {other}"))),
    };
    let display = string_in(&config, head.lpDisplayName);

    // The SCM ignores case: ask it, through the display name, for the key
    // name as written rather than as typed.
    let opened = text(&opened);
    let name = display
        .as_deref()
        .and_then(|display| key_name(&manager, &wide(display)).ok().flatten())
        .map(|key| text(&key))
        .filter(|key| key.to_lowercase() == opened.to_lowercase())
        .unwrap_or(opened);
    Ok(Some(ServiceInfo {
        display_name: display.unwrap_or_else(|| name.clone()),
        name,
        state,
        start,
    }))
}

/// A Service Control Manager handle, closed when dropped.
struct ScHandle(SC_HANDLE);

impl Drop for ScHandle {
    fn drop(&mut self) {
        // SAFETY: the handle came from OpenSCManagerW or OpenServiceW, is not
        // null, and is closed only here.
        unsafe { CloseServiceHandle(self.0) };
    }
}

/// Opens a service by key name (NUL-terminated); None when there is none.
fn open_service(manager: &ScHandle, name: &[u16]) -> io::Result<Option<ScHandle>> {
    // SAFETY: manager is open and name is NUL-terminated.
    let service = unsafe {
        OpenServiceW(
            manager.0,
            name.as_ptr(),
            SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG,
        )
    };
    if !service.is_null() {
        return Ok(Some(ScHandle(service)));
    }
    // SAFETY: GetLastError has no preconditions.
    match unsafe { GetLastError() } {
        ERROR_SERVICE_DOES_NOT_EXIST | ERROR_INVALID_NAME => Ok(None),
        code => Err(context("OpenServiceW", os_error(code))),
    }
}

/// The key name (NUL-terminated) of the service with this display name
/// (NUL-terminated); None when there is none.
fn key_name(manager: &ScHandle, display: &[u16]) -> io::Result<Option<Vec<u16>>> {
    // A service name has at most 256 characters; grow should one not fit.
    let mut name = vec![0u16; 257];
    loop {
        let mut len = u32::try_from(name.len()).unwrap_or(u32::MAX);
        // SAFETY: manager is open, display is NUL-terminated and name has room
        // for len characters.
        if unsafe { GetServiceKeyNameW(manager.0, display.as_ptr(), name.as_mut_ptr(), &mut len) }
            != 0
        {
            // Cut at the NUL and keep it, for opening the service by it.
            name.truncate(name.iter().position(|&c| c == 0).unwrap_or(name.len()));
            name.push(0);
            return Ok(Some(name));
        }
        // SAFETY: GetLastError has no preconditions.
        match unsafe { GetLastError() } {
            ERROR_SERVICE_DOES_NOT_EXIST | ERROR_INVALID_NAME => return Ok(None),
            ERROR_INSUFFICIENT_BUFFER if name.len() < 1 << 16 => {
                let wanted = (len as usize).saturating_add(1);
                name.resize(wanted.max(name.len() * 2), 0);
            }
            code => return Err(context("GetServiceKeyNameW", os_error(code))),
        }
    }
}

/// Whether an automatic service starts delayed; false when the SCM will not
/// say (older systems).
fn delayed_auto_start(service: &ScHandle) -> bool {
    let mut info = SERVICE_DELAYED_AUTO_START_INFO::default();
    let mut needed = 0;
    // SAFETY: service is open with SERVICE_QUERY_CONFIG; info is a writable
    // SERVICE_DELAYED_AUTO_START_INFO of the size passed.
    let ok = unsafe {
        QueryServiceConfig2W(
            service.0,
            SERVICE_CONFIG_DELAYED_AUTO_START_INFO,
            (&raw mut info).cast(),
            size_of::<SERVICE_DELAYED_AUTO_START_INFO>() as u32,
            &mut needed,
        )
    };
    ok != 0 && info.fDelayedAutostart != 0
}

/// The NUL-terminated string `p` points to inside `buf`, where a call wrote
/// both; None when `p` is null or points elsewhere.
fn string_in(buf: &[u64], p: *const u16) -> Option<String> {
    let offset = (p as usize).checked_sub(buf.as_ptr() as usize)?;
    let chars = as_u16(buf).get(offset / 2..).filter(|_| offset % 2 == 0)?;
    Some(text(chars))
}

/// Windows' two families, as GetExtended*Table take them (ws2def.h).
const AF_INET: u32 = 2;
const AF_INET6: u32 = 23;

/// The local addresses of listening TCP sockets or bound UDP sockets, IPv4
/// and then IPv6.
pub fn listeners(protocol: Protocol) -> io::Result<Vec<SocketAddr>> {
    let call = match protocol {
        Protocol::Tcp => "GetExtendedTcpTable",
        Protocol::Udp => "GetExtendedUdpTable",
    };
    let mut found = Vec::new();
    for (family, family_name) in [(AF_INET, "IPv4"), (AF_INET6, "IPv6")] {
        let (table, _) = sized_call(|buf, size| match protocol {
            // SAFETY: buf has room for *size bytes (sized_call's promise); the
            // other arguments are plain values.
            Protocol::Tcp => unsafe {
                GetExtendedTcpTable(buf, size, 0, family, TCP_TABLE_OWNER_PID_LISTENER, 0)
            },
            // SAFETY: as above.
            Protocol::Udp => unsafe {
                GetExtendedUdpTable(buf, size, 0, family, UDP_TABLE_OWNER_PID, 0)
            },
        })
        .map_err(|e| context(&format!("{call} ({family_name})"), e))?;
        // SAFETY: the row types are plain structs of integers and byte
        // arrays, valid for any bytes.
        unsafe {
            match (protocol, family) {
                (Protocol::Tcp, AF_INET) => found.extend(
                    rows(&table, offset_of!(MIB_TCPTABLE_OWNER_PID, table))
                        .map(|r: MIB_TCPROW_OWNER_PID| v4(r.dwLocalAddr, r.dwLocalPort)),
                ),
                (Protocol::Tcp, _) => found.extend(
                    rows(&table, offset_of!(MIB_TCP6TABLE_OWNER_PID, table)).map(
                        |r: MIB_TCP6ROW_OWNER_PID| {
                            v6(r.ucLocalAddr, r.dwLocalScopeId, r.dwLocalPort)
                        },
                    ),
                ),
                (Protocol::Udp, AF_INET) => found.extend(
                    rows(&table, offset_of!(MIB_UDPTABLE_OWNER_PID, table))
                        .map(|r: MIB_UDPROW_OWNER_PID| v4(r.dwLocalAddr, r.dwLocalPort)),
                ),
                (Protocol::Udp, _) => found.extend(
                    rows(&table, offset_of!(MIB_UDP6TABLE_OWNER_PID, table)).map(
                        |r: MIB_UDP6ROW_OWNER_PID| {
                            v6(r.ucLocalAddr, r.dwLocalScopeId, r.dwLocalPort)
                        },
                    ),
                ),
            }
        }
    }
    Ok(found)
}

/// An IPv4 address and a port as the tables hold them: both in network byte
/// order, the port in the low 16 bits.
fn v4(addr: u32, port: u32) -> SocketAddr {
    SocketAddrV4::new(
        Ipv4Addr::from(addr.to_ne_bytes()),
        u16::from_be(port as u16),
    )
    .into()
}

/// An IPv6 address, its scope id and a port (network byte order, low 16
/// bits). The scope id is kept for link-local addresses only, the one kind
/// it tells apart (by interface): for others it means nothing, and wine
/// puts a number of its own there (0x1000 for `::1`), which would make
/// `[::1]:80` differ from `[::1%4096]:80`.
fn v6(addr: [u8; 16], scope: u32, port: u32) -> SocketAddr {
    let ip = Ipv6Addr::from(addr);
    let scope = if ip.is_unicast_link_local() { scope } else { 0 };
    SocketAddrV6::new(ip, u16::from_be(port as u16), 0, scope).into()
}

/// The rows of a `MIB_*TABLE_OWNER_PID` in `buf`: a u32 count, then the
/// rows from `offset` on. Rows the buffer does not hold are not read,
/// whatever the count says.
///
/// # Safety
/// `R` must be valid for any bytes (a plain struct of integers).
unsafe fn rows<R>(buf: &[u64], offset: usize) -> impl Iterator<Item = R> + '_ {
    let bytes = as_u8(buf);
    let count = bytes.first_chunk().map_or(0, |c| u32::from_ne_bytes(*c));
    bytes
        .get(offset..)
        .unwrap_or_default()
        .chunks_exact(size_of::<R>())
        .take(count as usize)
        // SAFETY: each chunk holds size_of::<R>() bytes, any of which make an
        // R (the caller's promise); read_unaligned needs no alignment.
        .map(|row| unsafe { row.as_ptr().cast::<R>().read_unaligned() })
}

/// Calls `fill` with a buffer and its size in bytes until the buffer is big
/// enough: the Windows pattern where a call fails with
/// ERROR_INSUFFICIENT_BUFFER or ERROR_MORE_DATA and sets the size it needs,
/// asked again because what it describes can grow in between. The buffer is
/// never null and is 8-byte aligned, so the structs these calls write can be
/// read in place. Returns the buffer and the size `fill` last set.
fn sized_call(mut fill: impl FnMut(*mut c_void, &mut u32) -> u32) -> io::Result<(Vec<u64>, usize)> {
    let mut buf = vec![0u64; 64];
    for _ in 0..8 {
        let mut size = u32::try_from(buf.len() * 8).unwrap_or(u32::MAX);
        match fill(buf.as_mut_ptr().cast(), &mut size) {
            NO_ERROR => return Ok((buf, size as usize)),
            ERROR_INSUFFICIENT_BUFFER | ERROR_MORE_DATA => {
                let words = (size as usize).div_ceil(8);
                buf.resize(words.max(buf.len() * 2), 0);
            }
            code => return Err(os_error(code)),
        }
    }
    Err(io::Error::other(
        "the answer kept growing while it was asked for",
    ))
}

/// A string as Windows takes it: UTF-16, NUL-terminated.
fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// UTF-16 from Windows up to its first NUL, or all of it when it has none.
fn text(wide: &[u16]) -> String {
    let end = wide.iter().position(|&c| c == 0).unwrap_or(wide.len());
    String::from_utf16_lossy(&wide[..end])
}

fn as_u16(buf: &[u64]) -> &[u16] {
    // SAFETY: the same bytes, seen as a type with no invalid values and a
    // smaller alignment.
    unsafe { std::slice::from_raw_parts(buf.as_ptr().cast(), buf.len() * 4) }
}

fn as_u8(buf: &[u64]) -> &[u8] {
    // SAFETY: as in as_u16.
    unsafe { std::slice::from_raw_parts(buf.as_ptr().cast(), buf.len() * 8) }
}

fn os_error(code: u32) -> io::Error {
    io::Error::from_raw_os_error(code as i32)
}

/// The thread's last Win32 error, naming the call that failed.
fn last_error(call: &str) -> io::Error {
    context(call, io::Error::last_os_error())
}

fn context(call: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{call}: {e}"))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

// ---- What Unix answers through libc, as Windows has it ----

/// Windows has no sockets in its file system, as the probe looks at it.
pub(super) fn is_socket(_ft: &fs::FileType) -> bool {
    false
}

pub(super) fn mode_bits(_meta: &fs::Metadata) -> Option<u32> {
    None
}

pub(super) fn owner_ids(_meta: &fs::Metadata) -> (Option<u32>, Option<u32>) {
    (None, None)
}

pub(super) fn credentials() -> io::Result<Credentials> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "Unix user and group ids do not exist on this system",
    ))
}

/// Windows has no execute bit: a file runs by name when its extension is
/// in PATHEXT.
pub(super) fn is_executable(path: &Path) -> bool {
    path.extension().is_some_and(|ext| {
        let ext = format!(".{}", ext.to_string_lossy());
        pathext().iter().any(|e| e.eq_ignore_ascii_case(&ext))
    })
}

/// The bytes this user may still write on the volume holding `path`
/// (quotas included): `GetDiskFreeSpaceExW`'s "available to the caller".
pub(super) fn disk_free(path: &Path) -> io::Result<u64> {
    use std::os::windows::ffi::OsStrExt;
    use windows_sys::Win32::Storage::FileSystem::GetDiskFreeSpaceExW;
    // It wants a directory (a share's root with a trailing backslash): a
    // file is measured by its folder.
    let dir = if fs::metadata(path)?.is_dir() {
        path
    } else {
        match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        }
    };
    let mut wide: Vec<u16> = dir.as_os_str().encode_wide().collect();
    if !matches!(wide.last(), Some(&c) if c == u16::from(b'\\') || c == u16::from(b'/')) {
        wide.push(u16::from(b'\\'));
    }
    wide.push(0);
    let mut available = 0u64;
    // SAFETY: a NUL-terminated wide path we own; the other outputs may be null.
    let ok = unsafe {
        GetDiskFreeSpaceExW(
            wide.as_ptr(),
            &mut available,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(available)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream, UdpSocket};
    use windows_sys::Win32::System::Registry::{
        RegCreateKeyExW, RegDeleteKeyW, RegDeleteTreeW, RegSetValueExW, KEY_ALL_ACCESS,
        REG_CREATED_NEW_KEY, REG_DWORD, REG_OPTION_NON_VOLATILE, REG_VALUE_TYPE,
    };

    /// Creates (or opens) `path` under `parent` for writing; whether it is new.
    fn create(parent: HKEY, path: &str) -> (Key, bool) {
        let (mut key, mut disposition) = (ptr::null_mut(), 0);
        // SAFETY: the path is NUL-terminated and outlives the call; key and
        // disposition are valid places; no security attributes.
        let code = unsafe {
            RegCreateKeyExW(
                parent,
                wide(path).as_ptr(),
                0,
                ptr::null(),
                REG_OPTION_NON_VOLATILE,
                KEY_ALL_ACCESS,
                ptr::null(),
                &mut key,
                &mut disposition,
            )
        };
        assert_eq!(code, NO_ERROR, "creating {path}");
        (Key(key), disposition == REG_CREATED_NEW_KEY)
    }

    /// Subkeys of HKCU's Uninstall key that a test writes, deleted when
    /// dropped, and the Uninstall key too if the test made it.
    struct Scratch {
        uninstall: Key,
        made_uninstall: bool,
        subkeys: Vec<String>,
    }

    impl Scratch {
        fn new() -> Scratch {
            let (uninstall, made_uninstall) = create(HKEY_CURRENT_USER, UNINSTALL);
            Scratch {
                uninstall,
                made_uninstall,
                subkeys: Vec::new(),
            }
        }

        /// Writes subkey `name` with values of any type and bytes.
        fn entry(&mut self, name: &str, values: &[(&str, REG_VALUE_TYPE, Vec<u8>)]) {
            self.subkeys.push(name.to_string());
            let (key, _) = create(self.uninstall.0, name);
            for (value, kind, data) in values {
                // SAFETY: the value name is NUL-terminated; data holds the
                // length passed.
                let code = unsafe {
                    RegSetValueExW(
                        key.0,
                        wide(value).as_ptr(),
                        0,
                        *kind,
                        data.as_ptr(),
                        data.len() as u32,
                    )
                };
                assert_eq!(code, NO_ERROR, "writing {name}\\{value}");
            }
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            for name in &self.subkeys {
                // SAFETY: the key is open and the name NUL-terminated.
                unsafe { RegDeleteTreeW(self.uninstall.0, wide(name).as_ptr()) };
            }
            if self.made_uninstall {
                // SAFETY: as above; this fails, harmlessly, once the key has
                // subkeys of someone else's.
                unsafe { RegDeleteKeyW(HKEY_CURRENT_USER, wide(UNINSTALL).as_ptr()) };
            }
        }
    }

    /// A REG_SZ's bytes: UTF-16LE, NUL-terminated.
    fn sz(text: &str) -> Vec<u8> {
        wide(text).iter().flat_map(|c| c.to_le_bytes()).collect()
    }

    #[test]
    fn programs_in_the_users_uninstall_key_are_listed() {
        let tag = format!("probe-test-{}", std::process::id());
        let long_name = format!("{tag} {}", "long ".repeat(300));
        let mut scratch = Scratch::new();
        let key = |suffix: &str| format!("{tag}-{suffix}");
        scratch.entry(
            &key("plain"),
            &[
                ("DisplayName", REG_SZ, sz(&format!("{tag} Plain"))),
                ("DisplayVersion", REG_SZ, sz("1.2.3")),
            ],
        );
        scratch.entry(&key("nameless"), &[("DisplayVersion", REG_SZ, sz("1.0"))]);
        scratch.entry(&key("empty"), &[("DisplayName", REG_SZ, sz(""))]);
        scratch.entry(
            &key("dword"),
            &[("DisplayName", REG_DWORD, vec![1, 0, 0, 0])],
        );
        // No NUL at the end; a NUL inside; an odd byte count; a REG_DWORD
        // version; a name longer than the first buffer.
        let mut unterminated = sz(&format!("{tag} Raw"));
        unterminated.truncate(unterminated.len() - 2);
        let mut odd = sz("3.1");
        odd.truncate(odd.len() - 1);
        scratch.entry(
            &key("raw"),
            &[
                ("DisplayName", REG_SZ, unterminated),
                ("DisplayVersion", REG_EXPAND_SZ, sz("2.0\0junk")),
            ],
        );
        scratch.entry(
            &key("odd"),
            &[
                ("DisplayName", REG_EXPAND_SZ, sz(&format!("{tag} %Odd%"))),
                ("DisplayVersion", REG_SZ, odd),
            ],
        );
        scratch.entry(
            &key("long"),
            &[
                ("DisplayName", REG_SZ, sz(&long_name)),
                ("DisplayVersion", REG_DWORD, vec![1, 0, 0, 0]),
            ],
        );

        let programs = installed_programs().expect("reading the Uninstall keys");
        let mut ours: Vec<_> = programs
            .iter()
            .filter(|p| p.key.starts_with(&tag))
            .collect();
        ours.sort_by(|a, b| a.key.cmp(&b.key));
        let program = |suffix: &str, name: &str, version: Option<&str>| InstalledProgram {
            name: name.to_string(),
            version: version.map(str::to_string),
            key: key(suffix),
            view: RegistryView::User,
        };
        let expected = [
            program("long", &long_name, None),
            program("odd", &format!("{tag} %Odd%"), Some("3.1")),
            program("plain", &format!("{tag} Plain"), Some("1.2.3")),
            program("raw", &format!("{tag} Raw"), Some("2.0")),
        ];
        assert_eq!(ours, expected.iter().collect::<Vec<_>>());

        drop(scratch);
        let programs = installed_programs().expect("reading the Uninstall keys");
        assert!(
            !programs.iter().any(|p| p.key.starts_with(&tag)),
            "left behind"
        );
    }

    #[test]
    fn the_32_bit_view_lists_what_the_64_bit_one_does_not() {
        let program = |key: &str, version: Option<&str>, view| InstalledProgram {
            name: "Tool".to_string(),
            version: version.map(str::to_string),
            key: key.to_string(),
            view,
        };
        use RegistryView::{Machine32, Machine64, User};
        let merged = merge_views(
            vec![
                program("a", Some("1"), Machine64),
                program("b", None, Machine64),
            ],
            vec![
                program("a", Some("1"), Machine32),
                program("a", Some("2"), Machine32),
                program("b", None, Machine32),
                program("c", None, Machine32),
            ],
            vec![program("a", Some("1"), User)],
        );
        let listed: Vec<_> = merged
            .iter()
            .map(|p| (p.key.as_str(), p.version.as_deref(), p.view))
            .collect();
        assert_eq!(
            listed,
            [
                ("a", Some("1"), Machine64),
                ("b", None, Machine64),
                ("a", Some("2"), Machine32),
                ("c", None, Machine32),
                ("a", Some("1"), User),
            ]
        );
    }

    #[test]
    fn a_service_is_found_by_key_name_or_display_name() {
        // Wine has it, as every Windows does.
        let by_key = service("PlugPlay").expect("asking for PlugPlay");
        let by_key = by_key.expect("PlugPlay is a service");
        assert_eq!(by_key.name, "PlugPlay");
        assert!(!by_key.display_name.is_empty());

        let by_display = service(&by_key.display_name).expect("asking by display name");
        assert_eq!(by_display.as_ref(), Some(&by_key));
        // The key name as the SCM writes it, not as typed.
        let by_other_case = service("plugplay").expect("asking for plugplay");
        assert_eq!(by_other_case.map(|s| s.name).as_deref(), Some("PlugPlay"));
    }

    #[test]
    fn an_unknown_service_is_none() {
        let long = "x".repeat(300);
        for name in ["probe-no-such-service", "", "a\0b", "back\\slash", &long] {
            assert_eq!(service(name).expect(name), None, "{name}");
        }
    }

    #[test]
    fn listening_and_bound_sockets_are_listed() {
        let tcp = TcpListener::bind("127.0.0.1:0").expect("binding TCP");
        let udp = UdpSocket::bind("127.0.0.1:0").expect("binding UDP");
        let client = TcpStream::connect(tcp.local_addr().expect("address")).expect("connecting");
        let _accepted = tcp.accept().expect("accepting");
        let mut bound = vec![
            (Protocol::Tcp, tcp.local_addr()),
            (Protocol::Udp, udp.local_addr()),
        ];
        let v6 = (TcpListener::bind("[::1]:0"), UdpSocket::bind("[::1]:0"));
        match &v6 {
            (Ok(tcp6), Ok(udp6)) => {
                bound.extend([
                    (Protocol::Tcp, tcp6.local_addr()),
                    (Protocol::Udp, udp6.local_addr()),
                ]);
            }
            (tcp6, udp6) => eprintln!(
                "!!! IPv6 NOT TESTED: binding [::1] failed ({:?}, {:?})",
                tcp6.as_ref().err(),
                udp6.as_ref().err()
            ),
        }

        let tcp_listeners = listeners(Protocol::Tcp).expect("reading the TCP tables");
        let udp_listeners = listeners(Protocol::Udp).expect("reading the UDP tables");
        for (protocol, addr) in bound {
            let addr = addr.expect("address");
            let table = if protocol == Protocol::Tcp {
                &tcp_listeners
            } else {
                &udp_listeners
            };
            assert!(
                table.contains(&addr),
                "{protocol:?} {addr} not in {table:?}"
            );
        }
        let client = client.local_addr().expect("address");
        assert!(
            !tcp_listeners.iter().any(|a| a.port() == client.port()),
            "the connected socket {client} is not listening"
        );
    }

    #[test]
    fn a_table_is_read_no_further_than_its_buffer() {
        // A count of 1000 but room for two rows after the 4-byte count.
        let row = |port: u16| [0x0100_007f, u32::from(port.to_be())];
        let words: Vec<u32> = [1000].into_iter().chain(row(80)).chain(row(443)).collect();
        let mut buf = vec![0u64; (words.len() * 4).div_ceil(8)];
        as_u8_mut(&mut buf)[..words.len() * 4].copy_from_slice(
            &words
                .iter()
                .flat_map(|w| w.to_ne_bytes())
                .collect::<Vec<_>>(),
        );
        // SAFETY: the row is a pair of integers.
        let rows = unsafe { rows::<[u32; 2]>(&buf, 4) };
        let addrs: Vec<_> = rows.map(|r| v4(r[0], r[1]).to_string()).collect();
        assert_eq!(addrs, ["127.0.0.1:80", "127.0.0.1:443"]);
    }

    #[test]
    fn only_a_link_local_address_keeps_its_scope() {
        let port = u32::from(8080u16.to_be());
        let loopback = Ipv6Addr::LOCALHOST.octets();
        let link_local: Ipv6Addr = "fe80::1".parse().expect("an address");
        assert_eq!(v6(loopback, 0x1000, port).to_string(), "[::1]:8080");
        assert_eq!(
            v6(link_local.octets(), 12, port).to_string(),
            "[fe80::1%12]:8080"
        );
    }

    fn as_u8_mut(buf: &mut [u64]) -> &mut [u8] {
        // SAFETY: the same bytes, seen as a type with no invalid values and a
        // smaller alignment.
        unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast(), buf.len() * 8) }
    }
}

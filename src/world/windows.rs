//! What only Windows' own APIs answer: the installed-programs registry
//! keys, the Service Control Manager, and the TCP/UDP listener tables.

use std::collections::HashSet;
use std::ffi::c_void;
use std::io;
use std::net::SocketAddr;
use std::ptr;

use windows_sys::Win32::Foundation::{
    ERROR_FILE_NOT_FOUND, ERROR_INSUFFICIENT_BUFFER, ERROR_MORE_DATA, ERROR_NO_MORE_ITEMS,
    ERROR_PATH_NOT_FOUND, NO_ERROR,
};
use windows_sys::Win32::System::Registry::{
    RegCloseKey, RegEnumKeyExW, RegOpenKeyExW, RegQueryValueExW, HKEY, HKEY_CURRENT_USER,
    HKEY_LOCAL_MACHINE, KEY_QUERY_VALUE, KEY_READ, KEY_WOW64_32KEY, KEY_WOW64_64KEY, REG_EXPAND_SZ,
    REG_SAM_FLAGS, REG_SZ,
};

use super::{InstalledProgram, Protocol, RegistryView, ServiceInfo};

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

fn os_error(code: u32) -> io::Error {
    io::Error::from_raw_os_error(code as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
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
}

//! Tool versions as tools really print them, and ranges to compare them with.
//!
//! Real `--version` output is sloppy: `1.8.0_292`, `go1.22.3`,
//! `2.39.2.windows.1`, `v20.1.0`, `Python 3.11.7`, `17.0.8.1+1`. A version
//! here is any number of numeric parts plus an optional pre-release tag;
//! whatever else trails it (`.windows.1`, `+1`, `-14+deb12u1`) is build
//! metadata and does not take part in comparisons.

use std::cmp::Ordering;
use std::fmt;

mod extract;

pub use extract::{extract, rejection, Found};

/// Whether a line may hold a version: a digit, a dot, a digit, the least
/// one is. Lines past a tool's output cap are kept for reading only then.
pub fn may_hold(line: &str) -> bool {
    line.as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub parts: Vec<u64>,
    pub pre: Option<PreRelease>,
    /// The token as it was found in the output, e.g. `1.8.0_292`.
    pub text: String,
}

/// `rc1`, `beta.2`, `a1`, `ea`: sorts before the release it precedes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreRelease {
    rank: u8,
    number: u64,
}

impl Version {
    /// Reads a version from a short text such as `v20.1.0` or `3.11`. The
    /// first version-like token is used, so `go1.22.3` and `Lua 5.4` work.
    pub fn parse(text: &str) -> Option<Version> {
        scan_tokens(text)
            .find(|t| t.dotted)
            .or_else(|| scan_tokens(text).next())
            .map(|t| t.version)
    }

    fn cmp_parts(&self, other: &[u64]) -> Ordering {
        let len = self.parts.len().max(other.len());
        for i in 0..len {
            let a = self.parts.get(i).copied().unwrap_or(0);
            let b = other.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => continue,
                unequal => return unequal,
            }
        }
        Ordering::Equal
    }

    /// Full ordering against a bound: numeric parts (missing ones are 0),
    /// then a pre-release sorts before the release.
    fn cmp_bound(&self, bound: &Bound) -> Ordering {
        self.cmp_parts(&bound.parts)
            .then_with(|| match (&self.pre, &bound.pre) {
                (None, None) => Ordering::Equal,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(a), Some(b)) => (a.rank, a.number).cmp(&(b.rank, b.number)),
            })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

struct Token {
    version: Version,
    dotted: bool,
}

/// Yields the version-like tokens of one line, left to right.
fn scan_tokens(line: &str) -> impl Iterator<Item = Token> + '_ {
    let bytes = line.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let starts_token = bytes[i].is_ascii_digit()
                && (i == 0 || !(bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b'.'));
            if !starts_token {
                i += 1;
                continue;
            }
            let start = i;
            let mut parts = Vec::new();
            let mut dotted = false;
            loop {
                let run_start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                // A part too long for u64 is not a version (a hash, a date stamp).
                let Ok(part) = line[run_start..i].parse::<u64>() else {
                    parts.clear();
                    break;
                };
                parts.push(part);
                // `.` separates parts; `_` only after a dotted prefix (1.8.0_292).
                let sep = bytes.get(i).copied();
                let next_is_digit = bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit());
                if next_is_digit && (sep == Some(b'.') || (sep == Some(b'_') && dotted)) {
                    dotted = true;
                    i += 1;
                } else {
                    break;
                }
            }
            if parts.is_empty() {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                continue;
            }
            let (pre, end) = scan_pre_release(line, i);
            i = end;
            return Some(Token {
                version: Version {
                    parts,
                    pre,
                    text: line[start..end].to_string(),
                },
                dotted,
            });
        }
        None
    })
}

/// Reads a pre-release tag such as `rc1`, `-beta.2`, `a1`, `-ea` at `at`.
fn scan_pre_release(line: &str, at: usize) -> (Option<PreRelease>, usize) {
    const TAGS: [(&str, u8); 10] = [
        ("snapshot", 0),
        ("preview", 4),
        ("alpha", 2),
        ("beta", 3),
        ("dev", 0),
        ("pre", 4),
        ("rc", 5),
        ("ea", 1),
        ("a", 2),
        ("b", 3),
    ];
    let rest = &line[at..];
    let body = rest.strip_prefix(['-', '.']).unwrap_or(rest);
    let skipped = rest.len() - body.len();
    // Every tag starts with a letter: after most numbers there is none, and
    // the tags need not be compared.
    if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return (None, at);
    }
    for (tag, rank) in TAGS {
        let tagged = body
            .as_bytes()
            .get(..tag.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(tag.as_bytes()));
        if !tagged {
            continue;
        }
        let after = &body[tag.len()..];
        let digits_from = after.strip_prefix(['.', '-']).unwrap_or(after);
        let sep = after.len() - digits_from.len();
        let digits = digits_from.bytes().take_while(u8::is_ascii_digit).count();
        let consumed = if digits > 0 { sep + digits } else { 0 };
        let tail = &after[consumed..];
        // `1.2.3abc` or `2.0-beta-thing` is not a tag we understand.
        if tail.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return (None, at);
        }
        let number = digits_from[..digits].parse().unwrap_or(0);
        return (
            Some(PreRelease { rank, number }),
            at + skipped + tag.len() + consumed,
        );
    }
    (None, at)
}

/// A wanted range: `>=3.10, <3.13`, `^1.2`, `~1.2.3`, `==3.11.*`, `!=3.12`,
/// `17` (any 17.x), alternatives joined by `||`.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionReq {
    alternatives: Vec<Vec<Comparator>>,
    text: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Comparator {
    op: Op,
    bound: Bound,
}

#[derive(Debug, Clone, PartialEq)]
struct Bound {
    parts: Vec<u64>,
    pre: Option<PreRelease>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    /// `==1.2.*`, `1.2.x` or a bare `1.2`: the version starts with these parts.
    Prefix,
    NotPrefix,
}

impl VersionReq {
    pub fn parse(text: &str) -> Result<VersionReq, String> {
        let mut alternatives = Vec::new();
        for alt in text.split("||") {
            let comparators = parse_alternative(alt)?;
            if comparators.is_empty() {
                return Err(if text.trim().is_empty() {
                    "the version range is empty; write e.g. `>=3.10, <3.13`".to_string()
                } else {
                    format!("`{}` has an empty alternative around `||`", text.trim())
                });
            }
            if never_matches(&comparators) {
                let parts: Vec<&str> = alt
                    .split([',', ' ', '\t'])
                    .filter(|p| !p.is_empty())
                    .collect();
                return Err(format!(
                    "`{}` can never match: no version is {} at once; check the comparisons",
                    alt.trim(),
                    parts.join(" and ")
                ));
            }
            alternatives.push(comparators);
        }
        Ok(VersionReq {
            alternatives,
            text: text.trim().to_string(),
        })
    }

    pub fn matches(&self, v: &Version) -> bool {
        self.alternatives
            .iter()
            .any(|all| all.iter().all(|c| c.matches(v)))
    }
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Comparator {
    fn matches(&self, v: &Version) -> bool {
        let b = &self.bound;
        let ord = v.cmp_bound(b);
        // PEP 440's rule: `<3.13` must not admit 3.13.0rc1.
        let pre_of_bound = v.pre.is_some() && b.pre.is_none() && v.cmp_parts(&b.parts).is_eq();
        match self.op {
            Op::Eq => ord.is_eq(),
            Op::Ne => !ord.is_eq(),
            Op::Gt => ord.is_gt(),
            Op::Ge => ord.is_ge(),
            Op::Lt => ord.is_lt() && !pre_of_bound,
            Op::Le => ord.is_le(),
            Op::Prefix => has_prefix(v, &b.parts),
            Op::NotPrefix => !has_prefix(v, &b.parts),
        }
    }
}

/// Whether the comparators of one alternative leave no version at all:
/// the highest lower bound above the lowest upper bound (`<1 >2`,
/// `>=3.12, <3.10`, `==3.9, >=3.10`).
fn never_matches(all: &[Comparator]) -> bool {
    // (bound, inclusive)
    let mut lower: Option<(Bound, bool)> = None;
    let mut upper: Option<(Bound, bool)> = None;
    let mut raise = |b: &Bound, inclusive: bool| {
        let higher = lower.as_ref().is_none_or(|(l, li)| match cmp_bounds(b, l) {
            Ordering::Greater => true,
            Ordering::Equal => *li && !inclusive,
            Ordering::Less => false,
        });
        if higher {
            lower = Some((b.clone(), inclusive));
        }
    };
    let mut lowered: Vec<(Bound, bool)> = Vec::new();
    for c in all {
        let b = &c.bound;
        match c.op {
            Op::Gt => raise(b, false),
            Op::Ge => raise(b, true),
            Op::Eq => {
                raise(b, true);
                lowered.push((b.clone(), true));
            }
            Op::Lt => lowered.push((b.clone(), false)),
            Op::Le => lowered.push((b.clone(), true)),
            Op::Prefix if !b.parts.is_empty() => {
                raise(b, true);
                let mut next = b.parts.clone();
                if let Some(last) = next.last_mut() {
                    *last = last.saturating_add(1);
                }
                lowered.push((
                    Bound {
                        parts: next,
                        pre: Some(PreRelease { rank: 0, number: 0 }),
                    },
                    false,
                ));
            }
            _ => {}
        }
    }
    for (b, inclusive) in lowered {
        let lower_than = upper
            .as_ref()
            .is_none_or(|(u, ui)| match cmp_bounds(&b, u) {
                Ordering::Less => true,
                Ordering::Equal => *ui && !inclusive,
                Ordering::Greater => false,
            });
        if lower_than {
            upper = Some((b, inclusive));
        }
    }
    match (lower, upper) {
        (Some((l, li)), Some((u, ui))) => match cmp_bounds(&l, &u) {
            Ordering::Greater => true,
            Ordering::Equal => !(li && ui),
            Ordering::Less => false,
        },
        _ => false,
    }
}

/// Orders two bounds: numeric parts (missing ones are 0), then a
/// pre-release before the release.
fn cmp_bounds(a: &Bound, b: &Bound) -> Ordering {
    let len = a.parts.len().max(b.parts.len());
    for i in 0..len {
        let (x, y) = (
            a.parts.get(i).copied().unwrap_or(0),
            b.parts.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x.cmp(&y);
        }
    }
    match (&a.pre, &b.pre) {
        (None, None) => Ordering::Equal,
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(x), Some(y)) => (x.rank, x.number).cmp(&(y.rank, y.number)),
    }
}

fn has_prefix(v: &Version, prefix: &[u64]) -> bool {
    prefix
        .iter()
        .enumerate()
        .all(|(i, p)| v.parts.get(i).copied().unwrap_or(0) == *p)
}

fn parse_alternative(alt: &str) -> Result<Vec<Comparator>, String> {
    let mut out = Vec::new();
    let mut rest = alt.trim_start_matches([' ', '\t', ',']);
    while !rest.is_empty() {
        let op_len = rest
            .find(|c: char| !matches!(c, '<' | '>' | '=' | '!' | '^' | '~'))
            .unwrap_or(rest.len());
        let op_text = &rest[..op_len];
        rest = rest[op_len..].trim_start();
        let ver_len = rest
            .find(|c: char| c.is_whitespace() || c == ',')
            .unwrap_or(rest.len());
        let ver_text = &rest[..ver_len];
        rest = rest[ver_len..].trim_start_matches([' ', '\t', ',']);
        if ver_text.is_empty() {
            return Err(format!(
                "`{op_text}` needs a version after it, e.g. `{op_text}3.10`"
            ));
        }
        out.extend(parse_comparator(op_text, ver_text)?);
    }
    Ok(out)
}

fn parse_comparator(op_text: &str, ver_text: &str) -> Result<Vec<Comparator>, String> {
    let wildcard = ver_text.ends_with(".*") || ver_text.ends_with(".x") || ver_text == "*";
    let core = ver_text
        .trim_end_matches(".*")
        .trim_end_matches(".x")
        .trim_start_matches(['v', 'V']);
    let bad_version = || {
        format!("`{ver_text}` is not a version; write numbers separated by dots, e.g. `3.10` or `1.8.0_292`")
    };
    let bound = if core == "*" {
        Bound {
            parts: Vec::new(),
            pre: None,
        }
    } else {
        let mut tokens = scan_tokens(core);
        let token = tokens.next().ok_or_else(bad_version)?;
        if token.version.text.len() != core.len() || tokens.next().is_some() {
            return Err(bad_version());
        }
        Bound {
            parts: token.version.parts,
            pre: token.version.pre,
        }
    };
    if wildcard && !matches!(op_text, "" | "=" | "==" | "!=") {
        return Err(format!(
            "`{op_text}{ver_text}`: a wildcard only goes with `==` or `!=`; write `{op_text}{core}`"
        ));
    }
    let single = |op| {
        Ok(vec![Comparator {
            op,
            bound: bound.clone(),
        }])
    };
    match op_text {
        "" if wildcard || bound.pre.is_none() => single(Op::Prefix),
        "" | "=" | "==" if !wildcard => single(Op::Eq),
        "=" | "==" => single(Op::Prefix),
        "!=" if wildcard => single(Op::NotPrefix),
        "!=" => single(Op::Ne),
        ">" => single(Op::Gt),
        ">=" => single(Op::Ge),
        "<" => single(Op::Lt),
        "<=" => single(Op::Le),
        "^" | "~" => {
            if bound.parts.is_empty() {
                return Err(bad_version());
            }
            let bump_at = if op_text == "^" {
                bound
                    .parts
                    .iter()
                    .position(|p| *p != 0)
                    .unwrap_or(bound.parts.len() - 1)
            } else {
                usize::from(bound.parts.len() >= 2)
            };
            let mut upper: Vec<u64> = bound.parts[..=bump_at].to_vec();
            upper[bump_at] = upper[bump_at].saturating_add(1);
            Ok(vec![
                Comparator {
                    op: Op::Ge,
                    bound: bound.clone(),
                },
                Comparator {
                    op: Op::Lt,
                    bound: Bound {
                        parts: upper,
                        pre: Some(PreRelease { rank: 0, number: 0 }),
                    },
                },
            ])
        }
        other => Err(format!(
            "`{other}` is not a comparison; use one of >=, >, <=, <, ==, !=, ^, ~"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_that_can_never_match_is_refused() {
        for never in [
            "<1 >2",
            ">=3.12, <3.10",
            "==3.9, >=3.10",
            ">2, <2",
            ">=2, <2",
            "17, >=18",
            "~1.2, >=1.3",
        ] {
            let err = VersionReq::parse(never).expect_err(never);
            assert!(err.contains("can never match"), "{never}: {err}");
        }
        assert_eq!(
            VersionReq::parse("<1 >2").unwrap_err(),
            "`<1 >2` can never match: no version is <1 and >2 at once; check the comparisons"
        );
        // Narrow but possible.
        for fine in [
            ">=2, <=2",
            "==2",
            ">=3.10, <3.13",
            "17, >=17.0.8",
            "^0.0.3",
            "~1.2, <1.2.5",
            ">=1 || <0.5",
            "!=3.12",
        ] {
            VersionReq::parse(fine).unwrap_or_else(|e| panic!("{fine}: {e}"));
        }
        assert!(VersionReq::parse(">=1 || <2, >3").is_err());
    }

    /// (raw output, extracted version text, numeric parts)
    const REAL_OUTPUTS: &[(&str, &str, &[u64])] = &[
        ("Python 3.11.7\n", "3.11.7", &[3, 11, 7]),
        ("Python 2.7.18\n", "2.7.18", &[2, 7, 18]),
        (
            "openjdk version \"1.8.0_292\"\nOpenJDK Runtime Environment (AdoptOpenJDK)(build 1.8.0_292-b10)\n",
            "1.8.0_292",
            &[1, 8, 0, 292],
        ),
        (
            "openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\nOpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)\n",
            "17.0.15",
            &[17, 0, 15],
        ),
        (
            "openjdk version \"21\" 2023-09-19\nOpenJDK Runtime Environment (build 21+35-2513)\nOpenJDK 64-Bit Server VM (build 21+35-2513, mixed mode, sharing)\n",
            "21",
            &[21],
        ),
        (
            "openjdk version \"17.0.8.1\" 2023-08-24\nOpenJDK Runtime Environment Temurin-17.0.8.1+1 (build 17.0.8.1+1)\n",
            "17.0.8.1",
            &[17, 0, 8, 1],
        ),
        ("go version go1.22.3 linux/amd64\n", "1.22.3", &[1, 22, 3]),
        ("go version go1.21rc2 linux/amd64\n", "1.21rc2", &[1, 21]),
        ("git version 2.39.2.windows.1\n", "2.39.2", &[2, 39, 2]),
        ("git version 2.47.3\n", "2.47.3", &[2, 47, 3]),
        ("v20.1.0\n", "20.1.0", &[20, 1, 0]),
        (
            "Lua 5.4.6  Copyright (C) 1994-2023 Lua.org, PUC-Rio\n",
            "5.4.6",
            &[5, 4, 6],
        ),
        (
            "Lua 5.1.5  Copyright (C) 1994-2012 Lua.org, PUC-Rio\n",
            "5.1.5",
            &[5, 1, 5],
        ),
        (
            "\n------------------------------------------------------------\nGradle 8.5\n------------------------------------------------------------\n\nBuild time:   2023-11-29 14:08:57 UTC\nKotlin:       1.9.20\n",
            "8.5",
            &[8, 5],
        ),
        (
            "Apache Maven 3.8.7\nMaven home: /usr/share/maven\nJava version: 17.0.15, vendor: Debian\n",
            "3.8.7",
            &[3, 8, 7],
        ),
        (
            "gcc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022 Free Software Foundation, Inc.\n",
            "12.2.0",
            &[12, 2, 0],
        ),
        ("rustc 1.95.0 (59807616e 2026-04-14)\n", "1.95.0", &[1, 95, 0]),
        ("cargo 1.95.0 (f2d3ce0bd 2026-03-21)\n", "1.95.0", &[1, 95, 0]),
        ("Docker version 28.2.2, build e6534b4\n", "28.2.2", &[28, 2, 2]),
        ("Python 3.13.0a1\n", "3.13.0a1", &[3, 13, 0]),
        ("Python 3.12.0rc3\n", "3.12.0rc3", &[3, 12, 0]),
        ("1.0.0-beta.2\n", "1.0.0-beta.2", &[1, 0, 0]),
        ("/usr/bin/luarocks 3.8.0\nLuaRocks main command-line tool\n", "3.8.0", &[3, 8, 0]),
        ("Busted 2.2.0\n", "2.2.0", &[2, 2, 0]),
        ("This is perl 5, version 36, subversion 0 (v5.36.0) built for x86_64-linux-gnu-thread-multi\n", "5.36.0", &[5, 36, 0]),
        ("10.8.2\n", "10.8.2", &[10, 8, 2]),
        ("ruby 3.1.2p20 (2022-04-12 revision 4491bb740a) [x86_64-linux-gnu]\n", "3.1.2", &[3, 1, 2]),
        ("Microsoft Windows [Version 10.0.19045.3693]\n", "10.0.19045.3693", &[10, 0, 19045, 3693]),
    ];

    #[test]
    fn extracts_versions_from_real_tool_output() {
        for (output, text, parts) in REAL_OUTPUTS {
            let v = extract(&[("stdout", output)], &[])
                .unwrap_or_else(|| panic!("nothing in {output:?}"))
                .version;
            assert_eq!(v.text, *text, "from {output:?}");
            assert_eq!(v.parts, *parts, "from {output:?}");
        }
    }

    #[test]
    fn output_without_a_version_gives_none() {
        assert_eq!(extract(&[("stdout", "command not found\n")], &[]), None);
        assert_eq!(extract(&[("stdout", "")], &[]), None);
    }

    fn req(text: &str) -> VersionReq {
        VersionReq::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn ver(text: &str) -> Version {
        Version::parse(text).unwrap_or_else(|| panic!("not a version: {text}"))
    }

    #[test]
    fn ranges_match_as_documented() {
        let cases: &[(&str, &str, bool)] = &[
            (">=3.10, <3.13", "3.11.7", true),
            (">=3.10, <3.13", "3.9.18", false),
            (">=3.10, <3.13", "3.13.0", false),
            (">=3.10, <3.13", "3.13.0rc1", false),
            (">=3.10 <3.13", "3.12.1", true),
            (">= 3.10, < 3.13", "3.10", true),
            (">=1.8", "1.8.0_292", true),
            (">1.8.0_291", "1.8.0_292", true),
            ("<1.8.0_300", "1.8.0_292", true),
            ("17", "17.0.8.1", true),
            ("17", "1.17", false),
            ("==3.11.*", "3.11.7", true),
            ("==3.11.*", "3.12.0", false),
            ("3.11.x", "3.11.0", true),
            ("==3.11", "3.11.0", true),
            ("==3.11", "3.11.7", false),
            ("!=3.12", "3.12.0", false),
            ("!=3.12", "3.12.1", true),
            ("!=3.12.*", "3.12.1", false),
            ("^1.2.3", "1.9.0", true),
            ("^1.2.3", "2.0.0", false),
            ("^1.2.3", "2.0.0-beta.1", false),
            ("^1.2.3", "1.2.2", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("^0.0.3", "0.0.4", false),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("~1", "1.9", true),
            ("~1", "2.0", false),
            (">=8, <9 || >=11", "10.0.1", false),
            (">=8, <9 || >=11", "17.0.15", true),
            (">=8, <9 || >=11", "8.0.292", true),
            (">=5.3, <5.5", "5.4.6", true),
            (">=5.3, <5.5", "5.1.5", false),
            (">=1.22", "1.22rc1", false),
            (">=1.22rc1", "1.22rc2", true),
            (">=2.39", "2.39.2.windows.1", true),
            ("<=20", "20.1.0", false),
            ("<=20.1", "20.1.0", true),
            ("*", "0.0.1", true),
        ];
        for (range, version, expected) in cases {
            assert_eq!(
                req(range).matches(&ver(version)),
                *expected,
                "{version} in {range}"
            );
        }
    }

    #[test]
    fn bad_ranges_say_what_to_write() {
        let cases: &[(&str, &str)] = &[
            ("", "the version range is empty; write e.g. `>=3.10, <3.13`"),
            (">=", "`>=` needs a version after it, e.g. `>=3.10`"),
            (
                ">=three",
                "`three` is not a version; write numbers separated by dots, e.g. `3.10` or `1.8.0_292`",
            ),
            (
                ">=3.1o",
                "`3.1o` is not a version; write numbers separated by dots, e.g. `3.10` or `1.8.0_292`",
            ),
            (
                "=>3.10",
                "`=>` is not a comparison; use one of >=, >, <=, <, ==, !=, ^, ~",
            ),
            (
                ">=3.*",
                "`>=3.*`: a wildcard only goes with `==` or `!=`; write `>=3`",
            ),
            (">=3 ||", "`>=3 ||` has an empty alternative around `||`"),
        ];
        for (range, message) in cases {
            assert_eq!(VersionReq::parse(range).unwrap_err(), *message, "{range}");
        }
    }

    #[test]
    fn the_largest_part_does_not_overflow_a_caret() {
        // Bumping u64::MAX for the upper bound must not panic or wrap to 0
        // (which would make the range match everything): the range has no
        // room left, and says so.
        let err = VersionReq::parse("^18446744073709551615").expect_err("no room");
        assert!(err.contains("can never match"), "{err}");
    }

    #[test]
    fn huge_numbers_are_not_versions() {
        assert_eq!(Version::parse("123456789012345678901234567890"), None);
        assert_eq!(
            ver("build 99999999999999999999999 then 1.2").parts,
            vec![1, 2]
        );
    }
}

#[cfg(test)]
mod corpus;

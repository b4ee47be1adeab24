//! What a person sees for every kind of spec mistake: the exact rendered
//! text of each error, as `catalog::load` reports it for files on disk.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::spec::SpecErrors;

/// A `probes/` directory in a temporary folder.
struct Probes {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Probes {
    fn new() -> Probes {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("probes");
        fs::create_dir(&path).expect("probes dir");
        Probes { _dir: dir, path }
    }

    fn file(self, name: &str, contents: impl AsRef<[u8]>) -> Probes {
        fs::write(self.path.join(name), contents).expect("write spec");
        self
    }

    /// Each error as rendered, with the temporary folder shown as `probes`
    /// (what a run from the repository root shows).
    fn errors(&self) -> Vec<String> {
        match load(&self.path) {
            Ok(catalog) => panic!("expected errors, loaded {:?}", catalog.names()),
            Err(errors) => errors.iter().map(|e| self.shown(&e.to_string())).collect(),
        }
    }

    /// On Windows too: `probes\lua.yaml` is shown as `probes/lua.yaml`.
    fn shown(&self, text: &str) -> String {
        let dir = self.path.display().to_string();
        text.replace(&format!("{dir}{}", std::path::MAIN_SEPARATOR), "probes/")
            .replace(&dir, "probes")
    }
}

/// The one error a single `lua.yaml` gives.
fn error_in(yaml: &str) -> String {
    let errors = Probes::new().file("lua.yaml", yaml).errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap_or_default()
}

fn lines(lines: &[&str]) -> String {
    lines.join("\n")
}

/// Every kind key, as the loader's messages list them.
fn kinds() -> String {
    crate::checks::kind_keys()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- YAML itself ----

#[test]
fn a_yaml_syntax_error_points_at_the_end_of_the_line_left_open() {
    assert_eq!(
        error_in("checks:\n  - command: [lua\n"),
        lines(&[
            "probes/lua.yaml:2:18: error: this is not valid YAML: while parsing a flow sequence, \
             expected ',' or ']' (at the end of the file); close the list with `]`",
            "  |",
            "2 |   - command: [lua",
            "  |                  ^",
        ])
    );
}

#[test]
fn a_bad_indentation_says_to_check_the_indentation() {
    assert_eq!(
        error_in("checks:\n  - command: lua\n   version: '5.4'\n"),
        lines(&[
            "probes/lua.yaml:3:11: error: this is not valid YAML: while parsing a block collection, \
             did not find expected '-' indicator; check the indentation: the keys of one check \
             line up under each other, and each check starts with `- `",
            "  |",
            "3 |    version: '5.4'",
            "  |           ^",
        ])
    );
}

#[test]
fn a_tab_in_the_indentation_says_to_use_spaces() {
    assert_eq!(
        error_in("checks:\n\t- command: lua\n"),
        lines(&[
            "probes/lua.yaml:2:1: error: this is not valid YAML: tabs disallowed within this \
             context (block indentation); indent with spaces, not tabs",
            "  |",
            "2 |  - command: lua",
            "  | ^",
        ])
    );
    // A tab after the first check: the scanner notices it on the line above.
    let shown = error_in("checks:\n  - command: lua\n  \t- command: git\n");
    assert!(shown.starts_with("probes/lua.yaml:3:3: "), "{shown}");
}

#[test]
fn a_duplicate_key_is_an_error_not_a_dropped_value() {
    // goss silently drops the first of two duplicate keys (PEERS.md).
    assert_eq!(
        error_in("description: Lua\ndescription: Lua 5.4\nchecks: []\n"),
        lines(&[
            "probes/lua.yaml:2:1: error: duplicate key `description` (first written at line 1): \
             remove one; YAML would silently keep only one of the values",
            "  |",
            "2 | description: Lua 5.4",
            "  | ^^^^^^^^^^^",
        ])
    );
}

#[test]
fn a_duplicate_kind_key_suggests_a_missing_dash() {
    assert_eq!(
        error_in("checks:\n  - command: lua\n    command: luarocks\n"),
        lines(&[
            "probes/lua.yaml:3:5: error: duplicate key `command` (first written at line 2): \
             remove one; YAML would silently keep only one of the values (or, if this line \
             starts another check, begin it with `- `)",
            "  |",
            "3 |     command: luarocks",
            "  |     ^^^^^^^",
        ])
    );
}

#[test]
fn a_second_yaml_document_is_refused() {
    assert_eq!(
        error_in("checks: []\n---\nchecks: []\n"),
        lines(&[
            "probes/lua.yaml:2:1: error: a spec file holds one YAML document; remove the `---` \
             that starts a second one",
            "  |",
            "2 | ---",
            "  | ^^^",
        ])
    );
}

// ---- the file as a whole ----

#[test]
fn an_empty_file_is_an_error() {
    let expected = "probes/lua.yaml: error: the file is empty; a spec needs at least \
                    `checks:` with a list of checks";
    assert_eq!(error_in(""), expected);
    assert_eq!(error_in("# only a comment\n"), expected);
}

#[test]
fn a_file_that_is_not_utf8_points_at_the_byte() {
    // `luacheck` saved as Latin-1: é is the single byte 0xE9.
    let errors = Probes::new()
        .file("lua.yaml", b"checks:\n  - command: lu\xe9check\n")
        .errors();
    assert_eq!(
        errors,
        [lines(&[
            "probes/lua.yaml:2:16: error: the byte 0xE9 is not UTF-8 (an editor saving in \
             Latin-1 or Windows-1252 writes such bytes); save the spec as UTF-8",
            "  |",
            "2 |   - command: lu\u{FFFD}check",
            "  |                ^",
        ])]
    );
}

#[test]
fn the_top_level_must_be_a_map() {
    assert_eq!(
        error_in("- command: lua\n"),
        lines(&[
            "probes/lua.yaml:1:1: error: a spec is a map with `description`, `requires` and \
             `checks`, not a list",
            "  |",
            "1 | - command: lua",
            "  | ^",
        ])
    );
}

#[test]
fn an_unknown_top_level_key_suggests_the_near_one() {
    assert_eq!(
        error_in("descripton: Lua toolchain\nchecks:\n  - command: lua\n"),
        lines(&[
            "probes/lua.yaml:1:1: error: unknown key `descripton` (did you mean `description`?); \
             expected one of `description`, `requires`, `redact`, `checks`",
            "  |",
            "1 | descripton: Lua toolchain",
            "  | ^^^^^^^^^^",
        ])
    );
}

#[test]
fn a_check_written_at_the_top_level_says_where_checks_go() {
    assert_eq!(
        error_in("description: Lua\ncommand: lua\n"),
        lines(&[
            "probes/lua.yaml:2:1: error: `command` belongs to a check: put checks in the list \
             under `checks:`, e.g. `checks:` then `  - command: lua` on the next line",
            "  |",
            "2 | command: lua",
            "  | ^^^^^^^",
        ])
    );
}

#[test]
fn checks_are_required_unless_the_spec_requires_others() {
    assert_eq!(
        error_in("description: Lua\n"),
        lines(&[
            "probes/lua.yaml:1:1: error: missing key `checks`: add `checks:` with a list of \
             checks (or `requires:` naming other resources)",
            "  |",
            "1 | description: Lua",
            "  | ^^^^^^^^^^^",
        ])
    );
}

#[test]
fn checks_must_be_a_list() {
    assert_eq!(
        error_in("checks:\n  command: lua\n"),
        lines(&[
            "probes/lua.yaml:2:3: error: `checks` must be a list (each item starting with `- `), \
             not a map",
            "  |",
            "2 |   command: lua",
            "  |   ^^^^^^^",
        ])
    );
}

#[test]
fn requires_given_as_a_string_shows_the_list_to_write() {
    assert_eq!(
        error_in("requires: linux\nchecks:\n  - command: lua\n"),
        lines(&[
            "probes/lua.yaml:1:11: error: expected a list, found the string `linux`; write a \
             list: `[linux]`",
            "  |",
            "1 | requires: linux",
            "  |           ^^^^^",
        ])
    );
}

// ---- a check's kind ----

#[test]
fn a_misspelt_kind_is_pointed_at_with_a_suggestion() {
    assert_eq!(
        error_in("checks:\n  - title: Lua interpreter\n    comand: lua\n"),
        lines(&[
            &format!(
                "probes/lua.yaml:3:5: error: this check has no kind (did you mean `command`?); \
                 every check needs exactly one of {}",
                kinds()
            ),
            "  |",
            "3 |     comand: lua",
            "  |     ^^^^^^",
        ])
    );
}

#[test]
fn a_check_without_a_kind_points_at_its_first_key() {
    assert_eq!(
        error_in("checks:\n  - title: Lua\n    hint: apt-get install lua5.4\n"),
        lines(&[
            &format!(
                "probes/lua.yaml:2:5: error: this check has no kind; every check needs exactly \
                 one of {}",
                kinds()
            ),
            "  |",
            "2 |   - title: Lua",
            "  |     ^^^^^",
        ])
    );
}

#[test]
fn a_flow_style_check_is_pointed_at_by_its_brace() {
    assert_eq!(
        error_in("checks:\n  - {title: Lua, hint: install it}\n"),
        lines(&[
            &format!(
                "probes/lua.yaml:2:5: error: this check has no kind; every check needs exactly \
                 one of {}",
                kinds()
            ),
            "  |",
            "2 |   - {title: Lua, hint: install it}",
            "  |     ^",
        ])
    );
}

#[test]
fn a_check_with_two_kinds_points_at_the_second() {
    assert_eq!(
        error_in("checks:\n  - command: lua\n    absent: python2\n"),
        lines(&[
            "probes/lua.yaml:3:5: error: a check has exactly one kind, this one has `command` \
             and `absent`; split it into 2 checks, each starting with `- `",
            "  |",
            "3 |     absent: python2",
            "  |     ^^^^^^",
        ])
    );
}

#[test]
fn a_check_that_is_not_a_map() {
    assert_eq!(
        error_in("checks:\n  - lua\n"),
        lines(&[
            "probes/lua.yaml:2:5: error: a check is a map such as `- command: lua`, not a string",
            "  |",
            "2 |   - lua",
            "  |     ^^^",
        ])
    );
}

// ---- keys inside a check ----

#[test]
fn an_unknown_check_key_lists_the_kind_keys_and_the_common_ones() {
    assert_eq!(
        error_in("checks:\n  - command: lua\n    verison: '>=5.3'\n"),
        lines(&[
            "probes/lua.yaml:3:5: error: unknown key `verison` (did you mean `version`?); \
             expected one of `command`, `version`, `version_matches`, `version_regex`, `args`, \
             `exit`, `title`, `hint`, `timeout`, `os`, `sensitive`",
            "  |",
            "3 |     verison: '>=5.3'",
            "  |     ^^^^^^^",
        ])
    );
}

#[test]
fn a_misspelt_common_key_is_suggested_too() {
    assert_eq!(
        error_in("checks:\n  - absent: python2\n    hnit: remove python2\n"),
        lines(&[
            "probes/lua.yaml:3:5: error: unknown key `hnit` (did you mean `hint`?); expected \
             one of `absent`, `title`, `hint`, `timeout`, `os`, `sensitive`",
            "  |",
            "3 |     hnit: remove python2",
            "  |     ^^^^",
        ])
    );
}

#[test]
fn a_missing_key_points_at_the_kind_key_not_the_first_key() {
    assert_eq!(
        error_in("checks:\n  - title: workspace space\n    disk: .\n"),
        lines(&[
            "probes/lua.yaml:3:5: error: missing key `free`; add `free:` here",
            "  |",
            "3 |     disk: .",
            "  |     ^^^^",
        ])
    );
}

#[test]
fn a_key_without_a_value() {
    assert_eq!(
        error_in("checks:\n  - command:\n"),
        lines(&[
            "probes/lua.yaml:2:13: error: expected a string, found nothing (null); write a \
             value after the `:`",
            "  |",
            "2 |   - command:",
            "  |             ^",
        ])
    );
}

// ---- wrong types ----

#[test]
fn a_string_where_a_list_belongs() {
    assert_eq!(
        error_in("checks:\n  - command: lua\n    args: -v\n"),
        lines(&[
            "probes/lua.yaml:3:11: error: expected a list, found the string `-v`; write a list: \
             `[-v]`",
            "  |",
            "3 |     args: -v",
            "  |           ^^",
        ])
    );
}

#[test]
fn a_list_where_a_string_belongs() {
    assert_eq!(
        error_in("checks:\n  - command: [lua, luajit]\n"),
        lines(&[
            "probes/lua.yaml:2:14: error: expected a string, found a list; write a single \
             value, not a list",
            "  |",
            "2 |   - command: [lua, luajit]",
            "  |              ^",
        ])
    );
}

#[test]
fn an_exit_code_that_is_not_a_number() {
    assert_eq!(
        error_in("checks:\n  - run: [luarocks, list]\n    exit: zero\n"),
        lines(&[
            "probes/lua.yaml:3:11: error: expected a whole number, found the string `zero`",
            "  |",
            "3 |     exit: zero",
            "  |           ^^^^",
        ])
    );
}

#[test]
fn a_boolean_that_is_not_true_or_false() {
    // YAML 1.2: `no` is a string, not false.
    assert_eq!(
        error_in("checks:\n  - file: /usr/bin/python2\n    exists: no\n"),
        lines(&[
            "probes/lua.yaml:3:13: error: expected `true` or `false`, found the string `no`",
            "  |",
            "3 |     exists: no",
            "  |             ^^",
        ])
    );
}

// ---- values ----

#[test]
fn a_bad_regex_underlines_the_whole_quoted_value() {
    assert_eq!(
        error_in("checks:\n  - env: LUA_PATH\n    matches: '(unclosed'\n"),
        lines(&[
            "probes/lua.yaml:3:14: error: `(unclosed` is not a valid regular expression: \
             unclosed group",
            "  |",
            "3 |     matches: '(unclosed'",
            "  |              ^^^^^^^^^^^",
        ])
    );
}

#[test]
fn a_bad_version_range() {
    assert_eq!(
        error_in("checks:\n  - command: lua\n    version: \">=5.3, <five\"\n"),
        lines(&[
            "probes/lua.yaml:3:14: error: `five` is not a version; write numbers separated by \
             dots, e.g. `3.10` or `1.8.0_292`",
            "  |",
            "3 |     version: \">=5.3, <five\"",
            "  |              ^^^^^^^^^^^^^^",
        ])
    );
    assert_eq!(
        error_in("checks:\n  - command: lua\n    version: =>5.3\n"),
        lines(&[
            "probes/lua.yaml:3:14: error: `=>` is not a comparison; use one of >=, >, <=, <, \
             ==, !=, ^, ~",
            "  |",
            "3 |     version: =>5.3",
            "  |              ^^^^^",
        ])
    );
}

#[test]
fn a_bad_size() {
    assert_eq!(
        error_in("checks:\n  - memory: 2 gigs\n"),
        lines(&[
            "probes/lua.yaml:2:13: error: `2 gigs` is not a size; write a number and a unit, \
             e.g. `5 GiB`, `512 MiB`, `2 GB`",
            "  |",
            "2 |   - memory: 2 gigs",
            "  |             ^^^^^^",
        ])
    );
}

#[test]
fn a_bad_duration() {
    assert_eq!(
        error_in("checks:\n  - command: lua\n    args: [-v]\n    timeout: soon\n"),
        lines(&[
            "probes/lua.yaml:4:14: error: `soon` is not a duration; write e.g. `500ms`, `10s` \
             or `2m`",
            "  |",
            "4 |     timeout: soon",
            "  |              ^^^^",
        ])
    );
}

#[test]
fn a_bad_mode() {
    assert_eq!(
        error_in("checks:\n  - file: /usr/local/bin/busted\n    mode: \"0999\"\n"),
        lines(&[
            "probes/lua.yaml:3:11: error: `0999` is not an octal mode; write e.g. \"0755\" \
             (quoted)",
            "  |",
            "3 |     mode: \"0999\"",
            "  |           ^^^^^^",
        ])
    );
}

#[test]
fn a_bad_tcp_address() {
    assert_eq!(
        error_in("checks:\n  - tcp: localhost\n"),
        lines(&[
            "probes/lua.yaml:2:10: error: `localhost` is not host:port; write e.g. \
             `localhost:5432`",
            "  |",
            "2 |   - tcp: localhost",
            "  |          ^^^^^^^^^",
        ])
    );
}

#[test]
fn an_unknown_os_suggests_the_near_one() {
    assert_eq!(
        error_in("checks:\n  - command: lua\n    os: linx\n"),
        lines(&[
            "probes/lua.yaml:3:9: error: unknown value `linx` (did you mean `linux`?); expected \
             one of `linux`, `windows`, `macos`",
            "  |",
            "3 |     os: linx",
            "  |         ^^^^",
        ])
    );
    assert_eq!(
        error_in("checks:\n  - command: lua\n    os: [linux, widnows]\n"),
        lines(&[
            "probes/lua.yaml:3:17: error: unknown value `widnows` (did you mean `windows`?); \
             expected one of `linux`, `windows`, `macos`",
            "  |",
            "3 |     os: [linux, widnows]",
            "  |                 ^^^^^^^",
        ])
    );
}

#[test]
fn an_empty_command_list() {
    assert_eq!(
        error_in("checks:\n  - run: []\n"),
        lines(&[
            "probes/lua.yaml:2:10: error: the command is empty; write the program and its \
             arguments, e.g. `[luarocks, list]`",
            "  |",
            "2 |   - run: []",
            "  |          ^",
        ])
    );
}

// ---- keys that are valid alone but not together ----

#[test]
fn run_as_one_string_needs_a_shell() {
    assert_eq!(
        error_in("checks:\n  - run: luarocks list\n"),
        lines(&[
            "probes/lua.yaml:2:10: error: `run` is a single string but `shell` is not set: \
             write the command as a list (`run: [luarocks, list]`), or add `shell: true` to run \
             it through a shell",
            "  |",
            "2 |   - run: luarocks list",
            "  |          ^^^^^^^^^^^^^",
        ])
    );
}

#[test]
fn set_false_with_equals_points_at_equals() {
    assert_eq!(
        error_in("checks:\n  - env: LUA_INIT\n    set: false\n    equals: ''\n"),
        lines(&[
            "probes/lua.yaml:4:5: error: `equals` cannot be combined with `set: false`: a \
             variable that must not be set has no value to compare; remove one of the two",
            "  |",
            "4 |     equals: ''",
            "  |     ^^^^^^",
        ])
    );
}

#[test]
fn exists_false_with_type_points_at_type() {
    assert_eq!(
        error_in("checks:\n  - file: /usr/lib/python2.7\n    exists: false\n    type: dir\n"),
        lines(&[
            "probes/lua.yaml:4:5: error: `type` cannot be combined with `exists: false`: a path \
             that must not exist has no type; remove one of the two",
            "  |",
            "4 |     type: dir",
            "  |     ^^^^",
        ])
    );
}

#[test]
fn version_regex_without_a_version_points_at_version_regex() {
    let expected = lines(&[
        "probes/lua.yaml:3:5: error: `version_regex` says where to find the version, but \
         nothing asks for one: add `version` (a range) or `version_matches` (a pattern)",
        "  |",
        "3 |     version_regex: 'Lua (\\S+)'",
        "  |     ^^^^^^^^^^^^^",
    ]);
    assert_eq!(
        error_in("checks:\n  - command: lua\n    version_regex: 'Lua (\\S+)'\n"),
        expected
    );
    // `args` runs the command, but still nothing reads the version.
    assert_eq!(
        error_in("checks:\n  - command: lua\n    version_regex: 'Lua (\\S+)'\n    args: [-v]\n"),
        expected
    );
}

// ---- across files ----

#[test]
fn requires_naming_an_unknown_resource_suggests_the_near_one() {
    let errors = Probes::new()
        .file(
            "gradle.yaml",
            "requires: [jav]\nchecks:\n  - command: gradle\n",
        )
        .file("java.yaml", "checks:\n  - command: java\n")
        .errors();
    assert_eq!(
        errors,
        [lines(&[
            "probes/gradle.yaml:1:12: error: `requires` names `jav`, but there is no jav.yaml \
             (did you mean `java`?); known resources: gradle, java",
            "  |",
            "1 | requires: [jav]",
            "  |            ^^^",
        ])]
    );
}

#[test]
fn an_unknown_requires_is_reported_beside_the_file_s_other_errors() {
    let errors = Probes::new()
        .file(
            "gradle.yaml",
            "requires: [jav]\nchecks:\n  - comand: gradle\n",
        )
        .file("java.yaml", "checks:\n  - command: java\n")
        .errors();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].starts_with("probes/gradle.yaml:1:12: error: `requires` names `jav`"));
    assert!(errors[1].starts_with("probes/gradle.yaml:3:5: error: this check has no kind"));
}

#[test]
fn requiring_a_resource_whose_spec_has_errors_is_not_a_second_error() {
    let errors = Probes::new()
        .file(
            "gradle.yaml",
            "requires: [java]\nchecks:\n  - command: gradle\n",
        )
        .file("java.yaml", "checks:\n  - comand: java\n")
        .errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].starts_with("probes/java.yaml:2:5: error: this check has no kind"));
}

#[test]
fn a_requires_cycle_names_the_whole_circle() {
    let errors = Probes::new()
        .file("a.yaml", "requires: [b]\n")
        .file("b.yaml", "requires: [a]\n")
        .errors();
    assert_eq!(
        errors,
        [lines(&[
            "probes/b.yaml:1:12: error: `requires` goes round in a circle: a -> b -> a; remove \
             one of these requires",
            "  |",
            "1 | requires: [a]",
            "  |            ^",
        ])]
    );
}

#[test]
fn two_files_whose_names_differ_only_in_case_are_refused() {
    // docs/gocd.md: resource names match ignoring case, as GoCD does: — `Lua` and `lua` are one resource.
    let probes = Probes::new()
        .file("Lua.yaml", "checks:\n  - command: lua\n")
        .file("lua.yaml", "checks:\n  - command: lua5.4\n");
    if fs::read_dir(&probes.path).map_or(0, Iterator::count) < 2 {
        return; // a case-insensitive file system holds only one of them
    }
    assert_eq!(
        probes.errors(),
        [
            "probes/lua.yaml: error: resource `lua` is also defined by probes/Lua.yaml: resource \
          names ignore case, as in GoCD, so merge the two files into one"
        ]
    );
}

#[test]
fn every_error_in_every_file_is_reported_in_one_load_in_file_and_line_order() {
    let probes = Probes::new()
        .file(
            "lua.yaml",
            "description: Lua\n\
             requires: [linx]\n\
             checks:\n\
             \x20 - command: lua\n\
             \x20   verison: '>=5.3'\n\
             \x20 - memory: 2 gigs\n\
             \x20 - env: LUA_PATH\n\
             \x20   matches: '(x'\n\
             \x20   set: false\n\
             \x20 - comand: busted\n\
             \x20 - absent: python2\n\
             \x20   hint: remove it\n\
             \x20   hint: really\n",
        )
        .file(
            "java.yaml",
            "checks:\n  - command: java\n    version: '>=eleven'\n  - file: x\n    mode: '9'\n",
        )
        .file("linux.yaml", "checks:\n  - platform: linux\n");
    let errors = probes.errors();
    let heads: Vec<&str> = errors
        .iter()
        .map(|e| e.lines().next().unwrap_or_default())
        .collect();
    assert_eq!(
        heads,
        [
            "probes/java.yaml:3:14: error: `eleven` is not a version; write numbers separated \
             by dots, e.g. `3.10` or `1.8.0_292`",
            "probes/java.yaml:5:11: error: `9` is not an octal mode; write e.g. \"0755\" (quoted)",
            "probes/lua.yaml:2:12: error: `requires` names `linx`, but there is no linx.yaml \
             (did you mean `linux`?); known resources: java, linux, lua",
            "probes/lua.yaml:5:5: error: unknown key `verison` (did you mean `version`?); \
             expected one of `command`, `version`, `version_matches`, `version_regex`, `args`, \
             `exit`, `title`, `hint`, `timeout`, `os`, `sensitive`",
            "probes/lua.yaml:6:13: error: `2 gigs` is not a size; write a number and a unit, \
             e.g. `5 GiB`, `512 MiB`, `2 GB`",
            "probes/lua.yaml:8:14: error: `(x` is not a valid regular expression: unclosed group",
            &format!(
                "probes/lua.yaml:10:5: error: this check has no kind (did you mean `command`?); \
                 every check needs exactly one of {}",
                kinds()
            ),
            "probes/lua.yaml:13:5: error: duplicate key `hint` (first written at line 12): \
             remove one; YAML would silently keep only one of the values",
        ]
    );
    // A file with errors is not loaded, so its `requires: [linx]` is only
    // checked once those are fixed.
    let only_requires = Probes::new()
        .file("lua.yaml", "requires: [linx]\nchecks: []\n")
        .file("linux.yaml", "checks: []\n")
        .errors();
    assert_eq!(only_requires.len(), 1);
    assert!(only_requires[0].contains("(did you mean `linux`?)"));
}

#[test]
fn all_errors_render_together_with_a_count() {
    let probes = Probes::new()
        .file("a.yaml", "checks:\n  - tcp: nowhere\n")
        .file("b.yaml", "");
    let errors = load(&probes.path).expect_err("two bad files");
    assert_eq!(
        probes.shown(&SpecErrors(errors).to_string()),
        lines(&[
            "probes/a.yaml:2:10: error: `nowhere` is not host:port; write e.g. `localhost:5432`",
            "  |",
            "2 |   - tcp: nowhere",
            "  |          ^^^^^^^",
            "",
            "probes/b.yaml: error: the file is empty; a spec needs at least `checks:` with a \
             list of checks",
            "",
            "2 errors in the probe specs; nothing was run",
        ])
    );
}

// ---- what loads ----

#[test]
fn a_valid_spec_loads_with_ids_and_sources() {
    let probes = Probes::new()
        .file(
            "lua.yaml",
            "description: Lua\nrequires: [Linux]\nchecks:\n  - command: lua\n    version: \
             '>=5.3, <5.5'\n    args: [-v]\n  - absent: python2\n  - absent: python2\n",
        )
        .file("linux.yaml", "checks:\n  - platform: linux\n");
    let catalog = load(&probes.path).unwrap_or_else(|e| panic!("{}", SpecErrors(e)));
    let lua = catalog.find("LUA").expect("found ignoring case");
    assert_eq!(lua.description.as_deref(), Some("Lua"));
    assert_eq!(lua.requires, ["linux"], "resolved to the file's own name");
    let ids: Vec<&str> = lua.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "lua/command:lua",
            "lua/absent:python2",
            "lua/absent:python2#2"
        ]
    );
    assert_eq!(probes.shown(&lua.checks[1].source), "probes/lua.yaml:7");
}

/// The specs this repository ships, which the README runs.
fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("probes")
}

#[test]
fn the_shipped_specs_load_without_errors() {
    let catalog = load(&shipped()).unwrap_or_else(|e| panic!("{}", SpecErrors(e)));
    for name in [
        COMMON, "rust", "lua", "java", "gradle", "python", "docker", "node", "linux",
    ] {
        let resource = catalog
            .find(name)
            .unwrap_or_else(|| panic!("probes/{name}.yaml is shipped"));
        assert!(
            resource.description.is_some(),
            "probes/{name}.yaml has a description"
        );
        assert!(
            !resource.checks.is_empty() || !resource.requires.is_empty(),
            "probes/{name}.yaml checks something"
        );
    }
    assert_eq!(
        catalog.find("gradle").map(|r| r.requires.clone()),
        Some(vec!["java".to_string()])
    );
}

#[test]
fn every_shipped_check_that_can_fail_says_how_to_fix_it() {
    let catalog = load(&shipped()).unwrap_or_else(|e| panic!("{}", SpecErrors(e)));
    let without_hint: Vec<&str> = catalog
        .resources
        .iter()
        .flat_map(|r| &r.checks)
        .filter(|c| c.common.hint.is_none())
        .map(|c| c.id.as_str())
        .collect();
    assert!(without_hint.is_empty(), "no hint: {without_hint:?}");
}

/// The README's first command runs `probe --resource rust` on a machine
/// that has only a basic Debian and the Rust toolchain: the common spec
/// and the rust spec may ask for nothing more.
#[test]
fn the_rust_and_common_specs_ask_only_for_what_a_rust_machine_has() {
    let catalog = load(&shipped()).unwrap_or_else(|e| panic!("{}", SpecErrors(e)));
    for name in [COMMON, "rust"] {
        let resource = catalog.find(name).expect("shipped");
        assert!(resource.requires.is_empty(), "{name} requires nothing");
        for check in &resource.checks {
            let allowed = match check.kind.name() {
                "command" => {
                    ["cargo", "rustc", "rustup", "sh"].contains(&check.kind.subject().as_str())
                }
                "memory" | "disk" | "cpus" => true,
                _ => false,
            };
            assert!(allowed, "{} may fail on a fresh Rust machine", check.id);
            assert!(
                check.common.os.is_none() || name == "rust",
                "{} runs everywhere",
                check.id
            );
        }
    }
}

/// Every `yaml` example in docs/spec.md is a spec that loads, or a list of
/// checks that loads under `checks:` (errors are shown as `text`).
#[test]
fn the_examples_in_the_spec_docs_load() {
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/spec.md");
    let doc = fs::read_to_string(&doc_path).expect("docs/spec.md");
    let mut examples = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(block), "```") => {
                examples.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(examples.len() >= 15, "found {} examples", examples.len());
    for example in examples {
        let spec = if example.trim_start().starts_with("- ") {
            let indented: String = example.lines().map(|l| format!("  {l}\n")).collect();
            format!("checks:\n{indented}")
        } else {
            example.clone()
        };
        // What the examples `requires`.
        let probes = Probes::new()
            .file("example.yaml", &spec)
            .file("linux.yaml", "checks: []\n")
            .file("java.yaml", "checks: []\n");
        if let Err(errors) = load(&probes.path) {
            panic!(
                "an example in docs/spec.md does not load:\n{example}\n{}",
                probes.shown(&SpecErrors(errors).to_string())
            );
        }
    }
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let probes = Probes::new().file(
        "bom.yaml",
        "\u{feff}description: bom\nchecks:\n  - command: sh\n",
    );
    let catalog = load(&probes.path).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(catalog.resources[0].description.as_deref(), Some("bom"));
}

#[test]
fn an_empty_subject_is_an_error() {
    let errors = Probes::new()
        .file("e.yaml", "checks:\n  - absent: \"\"\n  - command: ' '\n")
        .errors();
    let heads: Vec<&str> = errors
        .iter()
        .map(|e| e.lines().next().unwrap_or_default())
        .collect();
    assert_eq!(
        heads,
        [
            "probes/e.yaml:2:5: error: `absent` is empty: name what to check",
            "probes/e.yaml:3:5: error: `command` is empty: name what to check",
        ]
    );
}

#[test]
fn a_directory_named_like_a_spec_is_an_error_not_skipped() {
    let probes = Probes::new().file("java.yaml", "checks:\n  - command: java\n");
    fs::create_dir(probes.path.join("lua.yaml")).expect("mkdir");
    assert_eq!(
        probes.errors(),
        ["probes/lua.yaml: error: named like a spec file, but it is not a readable file"]
    );
}

#[test]
fn a_variable_in_a_flow_list_gets_a_hint_to_quote_it() {
    let shown = error_in("checks:\n  - run: [${JAVA_HOME}/bin/java, -version]\n");
    assert!(
        shown.contains("inside `[...]` a word with `${VAR}` must be quoted"),
        "{shown}"
    );
}

#[test]
fn a_nul_byte_and_a_merge_key_say_what_they_are() {
    let shown = error_in("checks:\n  - command: lua\0\n");
    assert!(
        shown.starts_with("probes/lua.yaml:2:17: error: this file holds a NUL byte"),
        "{shown}"
    );
    let shown = error_in("checks:\n  - &lua\n    command: lua\n  - <<: *lua\n    hint: x\n");
    assert!(
        shown.starts_with("probes/lua.yaml:4:5: error: YAML merge keys (`<<:`) are not read"),
        "{shown}"
    );
}

#[test]
fn a_version_range_that_can_never_match_fails_lint() {
    let shown = error_in("checks:\n  - command: lua\n    version: '<1 >2'\n");
    assert!(shown.contains("`<1 >2` can never match"), "{shown}");
}

#[test]
fn a_spec_is_for_the_system_its_platform_check_names_or_that_of_what_it_requires() {
    let probes = Probes::new()
        .file(
            "windows.yaml",
            "checks:\n  - command: git\n  - platform: windows\n",
        )
        .file(
            "msbuild.yaml",
            "requires: [windows]\nchecks:\n  - command: msbuild\n",
        )
        // Limited by `os:`, a platform check only narrows that system's
        // agents (a distribution): the spec is for any system.
        .file(
            "mixed.yaml",
            "checks:\n  - platform: linux\n    distro: debian\n    os: linux\n  - command: git\n",
        );
    let catalog = load(&probes.path).expect("loads");
    let platform = |name: &str| {
        let resource = catalog.find(name).expect("resource");
        catalog
            .platform_of(resource)
            .map(|check| (check.platform(), check.id.clone()))
    };
    let windows = Some((
        Some(crate::spec::OsFamily::Windows),
        "windows/platform:windows".to_string(),
    ));
    assert_eq!(platform("windows"), windows);
    assert_eq!(platform("msbuild"), windows);
    assert_eq!(platform("mixed"), None);
}

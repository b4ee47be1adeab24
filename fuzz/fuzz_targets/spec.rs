//! Fuzz target: probe::fuzzing::spec on any UTF-8 input (docs/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    probe::fuzzing::spec(text);
});

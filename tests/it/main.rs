//! The integration tests: the real `probe` binary run end to end, one
//! module per area, linked once. `common` is what they share.

mod common;

mod author;
mod browser;
mod cli;
mod completions;
mod compose;
mod docker;
mod fleet;
mod gocd_yaml;
mod kinds;
mod quarantine;
mod readme;
mod secrets;
mod windows;

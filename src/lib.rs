//! `probe`: checks that a build agent provides what its GoCD resources
//! promise. The flow is spec (load, validate) → checks → runner → report.

pub mod checks;
pub mod cli;
pub mod gocd;
pub mod quantity;
pub mod report;
pub mod runner;
pub mod selection;
pub mod spec;
pub mod version;
pub mod world;

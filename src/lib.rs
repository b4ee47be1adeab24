//! `probe`: checks that a build agent provides what its GoCD resources
//! promise. The flow is spec (load, validate) → checks → runner → report.

pub mod checks;
pub mod quantity;
pub mod spec;
pub mod version;
pub mod world;

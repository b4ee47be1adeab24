//! Probe specs: YAML files in `probes/`, one per GoCD resource.

pub mod de;
pub mod error;
pub mod load;
#[cfg(test)]
pub mod schema;
pub mod types;
pub mod yaml;

pub use error::{SpecError, SpecErrors};
pub use load::{load, Catalog, Check, Resource, COMMON};
pub use types::*;

#[cfg(test)]
mod tests;

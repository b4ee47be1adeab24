//! Probe specs: YAML files in `probes/`, one per GoCD resource. Reading one
//! goes yaml (a positioned tree) → de (serde over that tree, every problem
//! collected with its position) → values and the kinds' own types → load
//! (the catalog: resources, their checks, `requires` resolved).

pub mod de;
pub mod emit;
pub mod error;
pub mod load;
#[cfg(test)]
pub mod schema;
pub mod values;
pub mod yaml;

pub use error::SpecErrors;
#[cfg(any(test, feature = "fuzzing"))]
pub use load::load_str;
pub use load::{load, load_with, Catalog, Check, Resource, COMMON};
pub use values::*;

#[cfg(test)]
mod tests;

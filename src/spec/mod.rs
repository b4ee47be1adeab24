//! How specs are written: the YAML syntax of `probes/` and the values in
//! it. `yaml` (a positioned tree), `de` (serde over that tree, every problem
//! collected with its position), `error` (`file:line:col`, the line, a
//! caret), `values` (patterns, version ranges, sizes, durations, OS
//! families, the keys every check may carry) and `emit` (the one YAML
//! scalar writer). A leaf: it knows no kind of check; the catalog
//! (`crate::catalog`) reads files into checks with it.

pub mod de;
pub mod emit;
pub mod error;
pub mod values;
pub mod yaml;

pub use error::SpecErrors;
pub use values::*;

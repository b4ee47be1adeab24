//! GoCD: what a job on an agent can see, and the pipeline YAML that fans
//! the probe out over every agent.

pub mod agent;
pub mod marker;
pub mod pipeline;
pub mod yaml_out;

pub use agent::{select_for_agent, AgentContext};
pub use pipeline::generate as generate_pipeline;

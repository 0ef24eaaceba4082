//! Command-line subcommands that are more than wiring.

pub mod demo;
pub mod kpi;
pub mod replay;

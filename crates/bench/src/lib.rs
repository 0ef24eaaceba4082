//! Benchmark commands: `noaber bench store` and `noaber bench projections`.

pub mod projections;
pub mod store;

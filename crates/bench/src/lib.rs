//! Noaber's benchmarks, run as `noaber bench store`, `noaber bench projections`, `noaber
//! bench kpi` and `noaber bench http`: they print figures, and ratios against the raw database ceiling, and never
//! assert on time.
//!
//! A crate of its own so that the production library crates need no direct database driver:
//! only the ceilings here read the tables past the store.
#![deny(missing_docs)]

pub mod http;
pub mod kpi;
pub mod projections;
pub mod routes;
pub mod store;

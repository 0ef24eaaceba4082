//! The demo crate's integration tests, in one test binary.

mod demo_history;

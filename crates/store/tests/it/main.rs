//! The store crate's integration tests, built as one test binary: each module used to be a
//! binary of its own, and linking every one of them against sqlx cost more than running them.

mod conformance;
mod exec;
mod postgres_log;
mod postgres_order;
mod postgres_pages;
mod privacy_at_rest;
mod sqlite_store;

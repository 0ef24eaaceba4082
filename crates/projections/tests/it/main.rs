//! The read models' integration tests, in one test binary: each module is one behaviour or one
//! model, and `support` holds the event builders and history generators they share.
//!
//! One binary rather than one per file: every test file used to be compiled and linked on its
//! own against the whole dependency tree, which dominated the suite's time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod audit_history;
mod demo_sqlite;
mod directory_behaviour;
mod erasure_across_instances;
mod feed_behaviour;
mod kpi_as_of;
mod kpi_oracle;
mod kpi_report;
mod queue_behaviour;
mod rebuild_pipeline;
mod roles_behaviour;
mod runner_incremental;
mod runner_snapshots;
mod runner_store;
mod safeguarding_behaviour;
mod scenario_year;
mod signals_behaviour;
mod standing_offers_behaviour;

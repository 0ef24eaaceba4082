//! Noaber's read models, folded from the event log: resident feeds, connector queues, the helper
//! directory with match suggestions, funder KPIs, signals and the audit view.
#![deny(missing_docs)]

pub mod model;
pub mod runner;
pub mod feed;
pub mod queue;
pub mod directory;
pub mod audit;
pub mod signals;
pub mod kpi;
pub mod demo;

//! Noaber's read models, folded from the event log: resident feeds, connector queues, the helper
//! directory with match suggestions, funder KPIs, signals, the roles granted, safeguarding (who
//! is screened or suspended, which categories are sensitive), retention (the ended requests
//! waiting for their tenant's period to run out), the social map (neighbourhoods and the
//! organisations a connector refers to), the calls to the volunteer list, the neighbours'
//! standing offers of help and the audit view.
//!
//! Every model implements [`model::ReadModel`]; the [`runner`] folds the log into all of them
//! at once, keeps them in memory following the log, and snapshots them.
#![deny(missing_docs)]

pub mod audit;
pub mod calls;
mod codes;
pub mod directory;
mod fastmap;
pub mod feed;
pub mod kpi;
pub mod model;
mod owners;
mod pipeline;
pub mod queue;
pub mod retention;
pub mod roles;
pub mod runner;
pub mod safeguarding;
mod sealed;
pub mod signals;
pub mod snapshot;
pub mod social_map;
pub mod standing_offers;

pub use model::{Envelope, ReadModel};
pub use runner::{fold_all, fold_decoded, Projections, ReadModels, RunnerConfig, RunnerError};
pub use snapshot::{FileSnapshotStore, MemorySnapshotStore, SnapshotStore};

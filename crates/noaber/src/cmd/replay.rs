//! `noaber replay`: rebuilds every read model from the start of the log, showing a progress
//! bar, and ends with a throughput line. It checks that the whole log still folds (events that
//! no longer decode are counted) and measures how long a cold start would take.

use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use noaber_projections::runner::{rebuild_from, RunnerError};
use noaber_store::{Checkpoint, EventStore, StoreError};
use serde::Serialize;

/// What a replay did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplaySummary {
    /// Events read from the log and folded.
    pub events: u64,
    /// Events that could not be decoded and were skipped.
    pub decode_failures: u64,
    /// The checkpoint the models reached.
    pub checkpoint: Checkpoint,
    /// Wall-clock seconds the replay took.
    pub seconds: f64,
    /// Events per second.
    pub events_per_second: f64,
    /// The back-end that was read (`postgres`, `sqlite`).
    pub backend: &'static str,
}

impl ReplaySummary {
    /// The one-line summary printed at the end.
    pub fn throughput_line(&self) -> String {
        format!(
            "replayed {} events from {} in {:.2} s: {:.0} events/s into every read model ({} could not be decoded)",
            self.events,
            self.backend,
            self.seconds,
            self.events_per_second,
            self.decode_failures
        )
    }
}

/// Why a replay failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The event log could not be read.
    #[error("the replay could not read the event log: {0}")]
    Store(#[from] StoreError),
    /// The read models could not be rebuilt.
    #[error("the replay failed: {0}")]
    Runner(#[from] RunnerError),
}

/// Rebuilds every read model from the start of `store`'s log, with a progress bar, and prints
/// the throughput line.
pub async fn run(store: Arc<dyn EventStore>) -> Result<ReplaySummary, ReplayError> {
    let head = store.head().await?;
    // Positions can have gaps, so the head's position is an upper bound of the event count.
    let bar = ProgressBar::new(u64::try_from(head.position).unwrap_or(0));
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} replaying [{bar:40}] {pos}/{len} events ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let started = Instant::now();
    let models = rebuild_from(store.as_ref(), Checkpoint::START, 10_000, |read| {
        bar.set_position(read);
    })
    .await;
    bar.finish_and_clear();
    let models = models?;
    let seconds = started.elapsed().as_secs_f64();
    let stats = models.stats();
    let events = stats.applied + stats.decode_failures;
    let summary = ReplaySummary {
        events,
        decode_failures: stats.decode_failures,
        checkpoint: models.checkpoint(),
        seconds,
        events_per_second: if seconds > 0.0 {
            events as f64 / seconds
        } else {
            0.0
        },
        backend: store.backend(),
    };
    println!("{}", summary.throughput_line());
    Ok(summary)
}

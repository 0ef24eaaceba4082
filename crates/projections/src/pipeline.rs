//! The rebuild's fold on a thread of its own: the task reading the log decodes what it reads
//! and hands batches of decoded events to a blocking thread that folds them, in the order
//! received, so reading and decoding overlap with folding instead of taking turns.
//!
//! Spent batches travel back to the reading task and are freed there. Every temporary value
//! (the stored event, its JSON payload, the decoded event) is then allocated and freed on the
//! same thread, and the fold's thread only touches the models' own state. Freeing on another
//! thread than the one that allocated is what makes the system allocator slow: measured on the
//! 1M-event log, a pipeline that decoded on a third thread spent half as much CPU again as the
//! serial fold, mostly in the allocator, and was slower than it.
//!
//! Channels carry whole batches (about a thousand events), so their cost is spread thin. The
//! fold ends when its input is closed and drained; dropping the reading side stops it.

use noaber_domain::{AnyEvent, DecodeError};
use noaber_store::RecordedEvent;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::runner::ReadModels;

/// Events per batch handed to the fold during a rebuild.
pub(crate) const BATCH: usize = 1_024;

/// Batches waiting for the fold: enough for the reader to run ahead for a moment, few enough
/// that the events in flight stay a few thousand.
const IN_FLIGHT: usize = 4;

/// A stored event with the outcome of decoding it. The payload has been moved out of `raw`
/// into the decoder (`raw.payload` is `null`): the models read the decoded event.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// The stored event, without its payload.
    pub(crate) raw: RecordedEvent,
    /// The decoded event, or why it could not be decoded.
    pub(crate) event: Result<AnyEvent, DecodeError>,
}

impl Decoded {
    /// Decodes `raw`, moving its payload into the decoder instead of copying it.
    pub(crate) fn new(mut raw: RecordedEvent) -> Self {
        let payload = std::mem::take(&mut raw.payload);
        let event = AnyEvent::decode(&raw.event_type, raw.schema_version, payload);
        Self { raw, event }
    }
}

/// The reading side of a fold running on a blocking thread.
#[derive(Debug)]
pub(crate) struct Folder {
    to_fold: mpsc::Sender<Vec<Decoded>>,
    spent: mpsc::UnboundedReceiver<Vec<Decoded>>,
    folding: JoinHandle<ReadModels>,
}

impl Folder {
    /// Starts folding into `models` on a blocking thread.
    pub(crate) fn start(mut models: ReadModels) -> Self {
        let (to_fold, mut batches) = mpsc::channel::<Vec<Decoded>>(IN_FLIGHT);
        let (give_back, spent) = mpsc::unbounded_channel();
        let span = tracing::Span::current();
        let folding = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            while let Some(batch) = batches.blocking_recv() {
                for event in &batch {
                    models.apply_decoded(event);
                }
                // The reader frees it (or is gone, and then it is freed here).
                let _ = give_back.send(batch);
            }
            models
        });
        Self {
            to_fold,
            spent,
            folding,
        }
    }

    /// An empty batch to fill, reusing a spent one when the fold has given one back (its events
    /// are freed here, on the thread that made them).
    pub(crate) fn empty_batch(&mut self) -> Vec<Decoded> {
        let mut reused = None;
        while let Ok(mut spent) = self.spent.try_recv() {
            spent.clear();
            reused.get_or_insert(spent);
        }
        reused.unwrap_or_else(|| Vec::with_capacity(BATCH))
    }

    /// Hands a batch to the fold, waiting while it is busy with earlier ones. False when the
    /// fold has stopped (it panicked: [`Self::finish`] reports that).
    pub(crate) async fn fold(&mut self, batch: Vec<Decoded>) -> bool {
        if batch.is_empty() {
            return true;
        }
        self.to_fold.send(batch).await.is_ok()
    }

    /// Waits until everything handed over is folded and returns the models. A panic in a
    /// model's fold is passed on to the caller; `None` if the fold was cancelled.
    pub(crate) async fn finish(self) -> Option<ReadModels> {
        let Self {
            to_fold,
            mut spent,
            folding,
        } = self;
        drop(to_fold);
        let finished = folding.await;
        // The last batches given back are freed here too.
        while spent.try_recv().is_ok() {}
        match finished {
            Ok(models) => Some(models),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => None,
        }
    }
}

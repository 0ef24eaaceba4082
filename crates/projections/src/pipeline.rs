//! The decoding stage between reading the log and folding it: batches of stored events go to a
//! blocking thread that decodes them and hands them on, in the order received, so reading,
//! decoding and folding overlap on different cores instead of taking turns.
//!
//! Channels carry whole batches (a few hundred to a few thousand events), so their cost is
//! spread thin. Each stage ends when the stage before it closes its channel, or when the stage
//! after it has gone away, so dropping either end of a pipeline stops the others.

use noaber_domain::{AnyEvent, DecodeError};
use noaber_store::RecordedEvent;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::runner::ReadModels;

/// Events per batch handed between stages during a rebuild.
pub(crate) const BATCH: usize = 1_024;

/// Batches waiting in each channel: enough for one stage to run ahead of the next for a
/// moment, few enough that the events in flight stay a few thousand.
const IN_FLIGHT: usize = 4;

/// A stored event with the outcome of decoding it. The payload has been moved out of `raw`
/// into the decoded event (`raw.payload` is `null`).
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

/// Starts a decoder on a blocking thread: send it batches of stored events, receive them
/// decoded, in the same order. It stops when its input is closed and drained, or when the
/// decoded side is dropped.
pub(crate) fn decoder() -> (
    mpsc::Sender<Vec<RecordedEvent>>,
    mpsc::Receiver<Vec<Decoded>>,
) {
    let (to_decoder, mut raw) = mpsc::channel::<Vec<RecordedEvent>>(IN_FLIGHT);
    let (to_next, decoded) = mpsc::channel::<Vec<Decoded>>(IN_FLIGHT);
    let span = tracing::Span::current();
    // The handle is not kept: the thread's end is seen through the channels.
    drop(tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        while let Some(batch) = raw.blocking_recv() {
            let batch: Vec<Decoded> = batch.into_iter().map(Decoded::new).collect();
            if to_next.blocking_send(batch).is_err() {
                return;
            }
        }
    }));
    (to_decoder, decoded)
}

/// Starts folding decoded batches into `models` on a blocking thread; the handle yields the
/// models once `decoded` is closed and drained.
pub(crate) fn folder(
    mut decoded: mpsc::Receiver<Vec<Decoded>>,
    mut models: ReadModels,
) -> JoinHandle<ReadModels> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        while let Some(batch) = decoded.blocking_recv() {
            for event in &batch {
                models.apply_decoded(event);
            }
        }
        models
    })
}

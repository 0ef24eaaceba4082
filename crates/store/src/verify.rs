//! The audit behind `noaber verify`: every stream of a log is read back and its hash chain
//! checked, so that an edited, removed or unreadable event is found and named.
//!
//! It lives beside the log rather than in the command line because it is log logic: it needs
//! nothing but [`EventStore`] and [`crate::hash::verify_chain`].

use std::collections::BTreeSet;

use futures::StreamExt;

use crate::{Checkpoint, EventFilter, EventStore, RecordedEvent, StoreError, StoreErrorKind};

/// What [`verify_log`] found.
#[derive(Debug, Default)]
pub struct VerifyReport {
    /// Streams checked.
    pub streams: u64,
    /// Events checked.
    pub events: u64,
    /// Every break found, one sentence each.
    pub breaks: Vec<String>,
}

impl std::fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.breaks.is_empty() {
            write!(
                f,
                "verified {} events in {} streams: every hash chain holds",
                self.events, self.streams
            )
        } else {
            writeln!(
                f,
                "verified {} events in {} streams: {} chain(s) BROKEN",
                self.events,
                self.streams,
                self.breaks.len()
            )?;
            for b in &self.breaks {
                writeln!(f, "  {b}")?;
            }
            Ok(())
        }
    }
}

/// Reads every stream of the log and checks its hash chain.
///
/// The log is walked in pages to learn the stream ids (only they are kept in memory), then each
/// stream is read on its own and checked with [`crate::hash::verify_chain`]. An error is
/// returned only when the log cannot be read; breaks are reported, not returned.
pub async fn verify_log(store: &dyn EventStore) -> Result<VerifyReport, StoreError> {
    const PAGE: usize = 10_000;
    let filter = EventFilter::all();
    let mut streams = BTreeSet::new();
    let mut after = Checkpoint::START;
    loop {
        let mut page = store.read_all(after, PAGE, &filter);
        let mut seen = 0usize;
        while let Some(event) = page.next().await {
            let event = event?;
            after = event.checkpoint;
            streams.insert(event.stream_id);
            seen += 1;
        }
        if seen < PAGE {
            break;
        }
    }
    let mut report = VerifyReport::default();
    for stream in &streams {
        report.streams += 1;
        let mut events: Vec<RecordedEvent> = Vec::new();
        let mut reading = store.read_stream(stream, 1);
        let mut unreadable = None;
        while let Some(event) = reading.next().await {
            match event {
                Ok(event) => events.push(event),
                // A stored event that no longer parses is a break of the log, not a reason to
                // stop checking the other streams.
                Err(e) if matches!(e.kind(), StoreErrorKind::Corrupt) => {
                    unreadable = Some(e);
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        report.events += events.len() as u64;
        if let Some(e) = unreadable {
            report.breaks.push(format!(
                "stream {stream}: a stored event cannot be read: {e}"
            ));
        } else if let Err(b) = crate::hash::verify_chain(events.iter()) {
            report.breaks.push(b.to_string());
        }
    }
    Ok(report)
}

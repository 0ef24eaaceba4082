//! The pipelined rebuild (`runner::rebuild_from`: reading, decoding and folding on different
//! threads) gives exactly what folding the same log one event at a time gives: same state, same
//! checkpoints, same counts of undecodable events, whatever the batch and page boundaries; it
//! reports progress page by page and stops at the first read error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use crate::support::*;
use async_trait::async_trait;
use futures::stream;
use noaber_projections::runner::{fold_all, rebuild_from, ReadModels, RunnerError};
use noaber_store::{
    AppendOutcome, Checkpoint, EventFilter, EventStore, EventStream, ExpectedVersion, NewEvent,
    RecordedEvent, StoreError, StoreErrorKind, StreamId,
};
use proptest::prelude::*;

/// A read-only log held in a vector; reading fails after `fail_after` events when set.
#[derive(Debug, Default)]
struct VecStore {
    events: Vec<RecordedEvent>,
    fail_after: Option<usize>,
}

impl VecStore {
    fn events_after(&self, after: Checkpoint, limit: usize) -> EventStream<'static> {
        let mut out: Vec<Result<RecordedEvent, StoreError>> = self
            .events
            .iter()
            .filter(|e| e.checkpoint > after)
            .take(limit)
            .cloned()
            .map(Ok)
            .collect();
        if let Some(n) = self.fail_after {
            out.truncate(n);
            out.push(Err(StoreError::new(
                StoreErrorKind::Unavailable,
                "the log went away",
            )));
        }
        Box::pin(stream::iter(out))
    }
}

#[async_trait]
impl EventStore for VecStore {
    async fn append(
        &self,
        _stream: &StreamId,
        _expected: ExpectedVersion,
        _events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, StoreError> {
        Err(StoreError::new(
            StoreErrorKind::InvalidInput,
            "this log is read-only",
        ))
    }

    fn read_stream<'a>(&'a self, _stream: &'a StreamId, _from_version: u64) -> EventStream<'a> {
        Box::pin(stream::empty())
    }

    fn read_all<'a>(
        &'a self,
        after: Checkpoint,
        limit: usize,
        _filter: &'a EventFilter,
    ) -> EventStream<'a> {
        self.events_after(after, limit)
    }

    fn subscribe(&self, after: Checkpoint, _filter: EventFilter) -> EventStream<'static> {
        self.events_after(after, usize::MAX)
    }

    async fn stream_version(&self, _stream: &StreamId) -> Result<u64, StoreError> {
        Ok(0)
    }

    async fn head(&self) -> Result<Checkpoint, StoreError> {
        Ok(self
            .events
            .last()
            .map_or(Checkpoint::START, |e| e.checkpoint))
    }

    fn backend(&self) -> &'static str {
        "vec"
    }
}

/// Every model's snapshot: name, checkpoint and state (as a JSON value, so that the order in
/// which a map happens to list its entries does not count).
fn states(models: &ReadModels) -> Vec<(String, Checkpoint, serde_json::Value)> {
    models
        .snapshots()
        .unwrap()
        .into_iter()
        .map(|s| {
            (
                s.name,
                s.checkpoint,
                serde_json::from_slice(&s.state).unwrap(),
            )
        })
        .collect()
}

/// A log of a few thousand events (more than one batch of the pipeline), with every 997th
/// event's payload damaged so that it no longer decodes.
fn long_log_with_damaged_events() -> Vec<RecordedEvent> {
    let mut h = History::new();
    h.at(day(2025, 1, 6));
    for n in 0..4 {
        h.push(neighbourhood_registered(n));
    }
    for p in 0..200 {
        h.push(registered(p, p % 4, Some(place(f64::from(p % 9) * 0.3))));
        if p % 3 == 0 {
            h.push(opted_in(p));
        }
    }
    for r in 0..1_200 {
        h.at(day(2025, 1, 6) + chrono::Duration::minutes(i64::from(r)));
        h.push(posted(r, r % 200, r % 4));
        h.push(offered(r, (r * 7 + 3) % 200 / 3 * 3));
        if r % 3 != 0 {
            h.push(matched(r, (r * 7 + 3) % 200 / 3 * 3));
        }
    }
    let mut events = h.events;
    for e in events.iter_mut().skip(500).step_by(997) {
        e.payload = serde_json::json!({"not": "this event"});
    }
    events
}

fn rebuilt(store: &VecStore, page_size: usize) -> (Result<ReadModels, RunnerError>, Vec<u64>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&calls);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let models = runtime.block_on(rebuild_from(store, Checkpoint::START, page_size, |n| {
        seen.lock().unwrap().push(n)
    }));
    let calls = calls.lock().unwrap().clone();
    (models, calls)
}

#[test]
fn a_rebuild_through_the_pipeline_equals_the_fold_of_the_same_log() {
    let events = long_log_with_damaged_events();
    assert!(events.len() > 3_000, "the log spans several batches");
    let whole = fold_all(&events);
    assert!(whole.stats().decode_failures >= 3);
    let store = VecStore {
        events,
        fail_after: None,
    };
    let (models, _) = rebuilt(&store, 10_000);
    let models = models.unwrap();
    assert_eq!(models.stats(), whole.stats());
    assert_eq!(models.checkpoints(), whole.checkpoints());
    assert_eq!(states(&models), states(&whole));
}

#[test]
fn progress_is_reported_after_every_page_and_at_the_end() {
    let events = long_log_with_damaged_events();
    let n = events.len() as u64;
    let store = VecStore {
        events,
        fail_after: None,
    };
    let (_, calls) = rebuilt(&store, 1_000);
    let mut expected: Vec<u64> = (1..=n / 1_000).map(|p| p * 1_000).collect();
    if n % 1_000 != 0 {
        expected.push(n);
    }
    assert_eq!(calls, expected);
}

#[test]
fn an_empty_log_rebuilds_to_empty_models_and_reports_zero() {
    let (models, calls) = rebuilt(&VecStore::default(), 10);
    let models = models.unwrap();
    assert_eq!(models.stats().applied, 0);
    assert_eq!(models.checkpoint(), Checkpoint::START);
    assert_eq!(calls, vec![0]);
}

#[test]
fn a_read_error_in_the_middle_of_the_log_fails_the_rebuild() {
    let store = VecStore {
        events: long_log_with_damaged_events(),
        fail_after: Some(2_000),
    };
    let (models, _) = rebuilt(&store, 500);
    assert!(matches!(models, Err(RunnerError::Store(_))), "{models:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_history_rebuilt_through_the_pipeline_equals_its_fold(
        steps in prop::collection::vec(step(), 0..60),
        page_size in 1usize..40,
    ) {
        let events = history_from(&steps).events;
        let whole = fold_all(&events);
        let store = VecStore { events, fail_after: None };
        let (models, _) = rebuilt(&store, page_size);
        let models = models.unwrap();
        prop_assert_eq!(models.stats(), whole.stats());
        prop_assert_eq!(models.checkpoints(), whole.checkpoints());
        prop_assert_eq!(states(&models), states(&whole));
    }
}

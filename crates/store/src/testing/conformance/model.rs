//! The log's central property, checked against a model: any sequence of appends, retries and
//! reused ids reads back exactly the acknowledged events.

use super::*;

/// What a writer tries to do to the log, in the property below.
#[derive(Clone, Debug)]
enum Op {
    /// A new batch of `size` events for stream `stream`.
    Append {
        stream: usize,
        expect: Expect,
        size: u64,
    },
    /// Resends the `pick`-th acknowledged batch unchanged.
    Retry { pick: usize },
    /// Reuses the id of the `pick`-th acknowledged event with different content.
    Reuse { pick: usize, stream: usize },
    /// A batch of new events that also carries the `pick`-th acknowledged event.
    Overlap { pick: usize, size: u64 },
}

/// The expectation of an [`Op::Append`], relative to the stream's current version.
#[derive(Clone, Copy, Debug)]
enum Expect {
    Any,
    NoStream,
    /// `Exact(current + offset)`, floored at 0.
    Exact(i64),
}

const STREAMS: usize = 3;

fn op() -> impl Strategy<Value = Op> {
    let expect = prop_oneof![
        2 => Just(Expect::Any),
        1 => Just(Expect::NoStream),
        4 => (-2i64..=1).prop_map(Expect::Exact),
    ];
    prop_oneof![
        6 => (0..STREAMS, expect, 1u64..=4).prop_map(|(stream, expect, size)| Op::Append { stream, expect, size }),
        2 => any::<prop::sample::Index>().prop_map(|i| Op::Retry { pick: i.index(usize::MAX) }),
        1 => (any::<prop::sample::Index>(), 0..STREAMS).prop_map(|(i, stream)| Op::Reuse { pick: i.index(usize::MAX), stream }),
        1 => (any::<prop::sample::Index>(), 1u64..=3).prop_map(|(i, size)| Op::Overlap { pick: i.index(usize::MAX), size }),
    ]
}

/// What the log must hold after a sequence of operations: the acknowledged events only.
#[derive(Default)]
struct Model {
    /// Per stream: the acknowledged events in version order.
    streams: Vec<Vec<NewEvent>>,
    /// Every acknowledged batch with the expectation it was sent with and its outcome.
    batches: Vec<(usize, ExpectedVersion, Vec<NewEvent>, AppendOutcome)>,
    /// Every acknowledged event in global order, with its position and stream.
    log: Vec<(i64, usize, NewEvent)>,
}

async fn run_ops(store: &dyn EventStore, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let tenant = Uuid::new_v4();
    let streams: Vec<StreamId> = ["request", "person", "call"]
        .iter()
        .map(|c| new_stream(c))
        .collect();
    let mut model = Model {
        streams: vec![Vec::new(); STREAMS],
        ..Model::default()
    };
    let mut counter = 0u64;
    let mut fresh = |size: u64| {
        counter += size;
        sample_batch(
            tenant,
            if counter % 3 == 0 { "Beta" } else { "Alpha" },
            counter,
            size,
        )
    };

    for op in ops {
        let must_not_write;
        match op {
            Op::Append {
                stream,
                expect,
                size,
            } => {
                let current = model.streams[stream].len() as u64;
                let expected = match expect {
                    Expect::Any => ExpectedVersion::Any,
                    Expect::NoStream => ExpectedVersion::NoStream,
                    Expect::Exact(offset) => {
                        ExpectedVersion::Exact(current.saturating_add_signed(offset))
                    }
                };
                let batch = fresh(size);
                let result = store
                    .append(&streams[stream], expected, batch.clone())
                    .await;
                if expected.admits(current) {
                    let outcome = result.map_err(|e| {
                        TestCaseError::fail(format!("an admissible append failed: {e}"))
                    })?;
                    prop_assert!(!outcome.was_retry);
                    prop_assert_eq!(outcome.next_version, current + size);
                    prop_assert_eq!(outcome.positions.len() as u64, size);
                    let last = model.log.last().map_or(0, |(p, _, _)| *p);
                    prop_assert!(outcome.positions.windows(2).all(|w| w[0] < w[1]));
                    prop_assert!(outcome.positions[0] > last, "positions grow along the log");
                    for (position, event) in outcome.positions.iter().zip(&batch) {
                        model.log.push((*position, stream, event.clone()));
                    }
                    model.streams[stream].extend(batch.iter().cloned());
                    model.batches.push((stream, expected, batch, outcome));
                    must_not_write = false;
                } else {
                    match result {
                        Err(e) => prop_assert_eq!(
                            e.kind().clone(),
                            StoreErrorKind::Conflict {
                                expected,
                                actual: current
                            }
                        ),
                        Ok(outcome) => {
                            return Err(TestCaseError::fail(format!(
                                "{expected:?} at version {current} was admitted: {outcome:?}"
                            )))
                        }
                    }
                    must_not_write = true;
                }
            }
            Op::Retry { pick } => {
                if model.batches.is_empty() {
                    continue;
                }
                let (stream, expected, batch, original) =
                    model.batches[pick % model.batches.len()].clone();
                let outcome = store
                    .append(&streams[stream], expected, batch)
                    .await
                    .map_err(|e| TestCaseError::fail(format!("a retry failed: {e}")))?;
                prop_assert!(outcome.was_retry);
                prop_assert_eq!(&outcome.positions, &original.positions);
                prop_assert_eq!(outcome.next_version, original.next_version);
                must_not_write = true;
            }
            Op::Reuse { pick, stream } => {
                if model.log.is_empty() {
                    continue;
                }
                let (_, _, event) = &model.log[pick % model.log.len()];
                let changed = NewEvent {
                    payload: json!({ "changed": pick }),
                    ..event.clone()
                };
                let result = store
                    .append(&streams[stream], ExpectedVersion::Any, vec![changed])
                    .await;
                prop_assert_eq!(
                    result.map_err(|e| e.kind().clone()).err(),
                    Some(StoreErrorKind::EventIdReused)
                );
                must_not_write = true;
            }
            Op::Overlap { pick, size } => {
                if model.log.is_empty() {
                    continue;
                }
                let (_, stream, event) = model.log[pick % model.log.len()].clone();
                let mut batch = fresh(size);
                batch.push(event);
                let result = store
                    .append(&streams[stream], ExpectedVersion::Any, batch)
                    .await;
                prop_assert_eq!(
                    result.map_err(|e| e.kind().clone()).err(),
                    Some(StoreErrorKind::EventIdReused)
                );
                must_not_write = true;
            }
        }
        if must_not_write {
            // The tenant's part of the log is exactly what was acknowledged so far.
            let written = settled_log(store, &of_tenant(tenant), model.log.len()).await;
            prop_assert_eq!(
                written.len(),
                model.log.len(),
                "a refused or retried append wrote nothing"
            );
        }
    }

    let log = settled_log(store, &of_tenant(tenant), model.log.len()).await;
    prop_assert_eq!(
        log.len(),
        model.log.len(),
        "read_all returns exactly the acknowledged events"
    );
    let mut versions: HashMap<usize, u64> = HashMap::new();
    for (recorded, (position, stream, sent)) in log.iter().zip(&model.log) {
        prop_assert_eq!(
            recorded.event_id,
            sent.event_id,
            "in the order they were acknowledged"
        );
        prop_assert_eq!(recorded.position, *position);
        prop_assert_eq!(&recorded.stream_id, &streams[*stream]);
        let version = versions.entry(*stream).or_insert(0);
        *version += 1;
        prop_assert_eq!(recorded.stream_version, *version);
        prop_assert_eq!(&recorded.payload, &sent.payload);
    }
    for (i, stream) in streams.iter().enumerate() {
        let events: Vec<RecordedEvent> = store
            .read_stream(stream, 1)
            .try_collect()
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            ids(&events),
            sent_ids(&model.streams[i]),
            "read_stream of {}",
            stream
        );
        prop_assert_eq!(
            store
                .stream_version(stream)
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?,
            model.streams[i].len() as u64
        );
        if let Err(e) = hash::verify_chain(&events) {
            return Err(TestCaseError::fail(format!(
                "the chain of {stream} does not verify: {e}"
            )));
        }
    }
    Ok(())
}

/// The log's central property: for any sequence of appends (admissible or not, with retries,
/// reused ids and half-new batches), `read_all` returns exactly the acknowledged events in
/// the order they were acknowledged; `read_stream` equals each stream's events in version
/// order; every expected-version violation is rejected and writes nothing; retried batches
/// return their original outcome and never duplicate; the hash chain of every stream
/// verifies. Runs `cases` generated sequences on `runtime`, each with a tenant and streams of
/// its own, so they can share `store`.
///
/// # Panics
/// With the smallest failing sequence, when the store breaks the property.
pub fn any_sequence_of_appends_reads_back_exactly_the_acknowledged_events(
    runtime: &tokio::runtime::Runtime,
    store: &dyn EventStore,
    cases: u32,
) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(op(), 1..40), |ops| {
        runtime.block_on(run_ops(store, ops))
    });
    if let Err(failure) = result {
        panic!("{} breaks the log's contract: {failure}", store.backend());
    }
}

//! Checks of reading: one stream from a version, the global order after a checkpoint with
//! limits and filters, logs longer than a page, and the head and stream versions.

use super::*;

/// `read_stream` starts at the requested version, and a stream without events reads as empty.
pub async fn read_stream_starts_at_the_requested_version(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("person");
    let batch = sample_batch(tenant, "A", 0, 5);
    append_ok(store, &stream, ExpectedVersion::NoStream, batch.clone()).await;
    append_ok(
        store,
        &new_stream("person"),
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 5, 2),
    )
    .await;

    let from_three = stream_events(store, &stream, 3).await;
    let from_zero = stream_events(store, &stream, 0).await;
    let past_end = stream_events(store, &stream, 6).await;
    let unknown = stream_events(store, &new_stream("person"), 1).await;

    assert_eq!(
        ids(&from_three),
        sent_ids(&batch[2..]),
        "versions 3 to 5, of this stream only"
    );
    assert_eq!(
        ids(&from_zero),
        sent_ids(&batch),
        "version 0 reads from the start"
    );
    assert!(past_end.is_empty(), "nothing past the last version");
    assert!(unknown.is_empty(), "a stream without events reads as empty");
}

/// `read_all` returns events in global order strictly after a checkpoint, at most `limit`,
/// so a reader that resumes from its last checkpoint sees every event exactly once.
pub async fn read_all_resumes_after_a_checkpoint_and_honours_the_limit(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let filter = of_tenant(tenant);
    let mut sent = Vec::new();
    for i in 0..5 {
        let batch = sample_batch(tenant, "A", i * 2, 2);
        sent.extend(sent_ids(&batch));
        append_ok(
            store,
            &new_stream("request"),
            ExpectedVersion::NoStream,
            batch,
        )
        .await;
    }

    let everything = settled_log(store, &filter, 10).await;
    let first = all_events(store, Checkpoint::START, 4, &filter).await;
    let rest = all_events(store, first[3].checkpoint, 100, &filter).await;
    let none = all_events(store, Checkpoint::START, 0, &filter).await;
    let at_end = all_events(store, everything[9].checkpoint, 100, &filter).await;

    assert_eq!(
        ids(&everything),
        sent,
        "the log's order is the order of acknowledged appends"
    );
    assert!(
        everything
            .windows(2)
            .all(|w| w[0].checkpoint < w[1].checkpoint),
        "checkpoints grow strictly along the log"
    );
    assert_eq!(first.len(), 4, "the limit is honoured");
    assert_eq!(
        [ids(&first), ids(&rest)].concat(),
        sent,
        "resuming neither skips nor repeats"
    );
    assert!(none.is_empty(), "a limit of 0 reads nothing");
    assert!(at_end.is_empty(), "nothing after the last event");
}

/// `read_all` and `read_stream` stream logs longer than any one page the store fetches.
pub async fn reads_stream_more_events_than_one_page(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("neighbourhood");
    let mut sent = Vec::new();
    for i in 0..12 {
        let batch = sample_batch(tenant, "A", i * 100, 100);
        sent.extend(sent_ids(&batch));
        append_ok(store, &stream, ExpectedVersion::Exact(i * 100), batch).await;
    }

    let all = settled_log(store, &of_tenant(tenant), 1200).await;
    let whole = stream_events(store, &stream, 1).await;
    let tail = stream_events(store, &stream, 601).await;

    assert_eq!(ids(&all), sent, "read_all returns all 1200 in order");
    assert_eq!(ids(&whole), sent, "read_stream returns all 1200 in order");
    assert_eq!(
        ids(&tail),
        sent[600..].to_vec(),
        "read_stream from version 601"
    );
    assert!(
        whole.iter().zip(1..).all(|(e, v)| e.stream_version == v),
        "versions 1 to 1200"
    );
}

/// `read_all` filters by tenant, by stream category (any of several) and by event type (any
/// of several), and combines them.
pub async fn read_all_filters_by_tenant_category_and_event_type(store: &dyn EventStore) {
    let (tenant_a, tenant_b) = (Uuid::new_v4(), Uuid::new_v4());
    let mut n = 0;
    for tenant in [tenant_a, tenant_b] {
        for category in ["person", "request", "call"] {
            for event_type in ["Alpha", "Beta"] {
                n += 1;
                let event = sample_event(tenant, event_type, n);
                append_ok(
                    store,
                    &new_stream(category),
                    ExpectedVersion::NoStream,
                    vec![event],
                )
                .await;
            }
        }
    }
    let everything = settled_log(store, &EventFilter::all(), 12).await;
    assert_eq!(everything.len(), 12, "all events without a filter");
    let filters = [
        of_tenant(tenant_a),
        EventFilter {
            categories: vec!["request".into()],
            ..EventFilter::all()
        },
        EventFilter {
            categories: vec!["person".into(), "call".into()],
            ..EventFilter::all()
        },
        EventFilter {
            event_types: vec!["Beta".into()],
            ..EventFilter::all()
        },
        EventFilter {
            event_types: vec!["Alpha".into(), "Beta".into()],
            ..EventFilter::all()
        },
        EventFilter {
            tenant_id: Some(tenant_b),
            categories: vec!["call".into()],
            event_types: vec!["Alpha".into()],
        },
        EventFilter {
            categories: vec!["organisation".into()],
            ..EventFilter::all()
        },
    ];
    let expected_counts = [6, 4, 8, 6, 12, 1, 0];

    for (filter, count) in filters.iter().zip(expected_counts) {
        let got = all_events(store, Checkpoint::START, 100, filter).await;
        let want: Vec<RecordedEvent> = everything
            .iter()
            .filter(|e| filter.matches(e))
            .cloned()
            .collect();
        assert_eq!(got, want, "read_all with {filter:?}");
        assert_eq!(got.len(), count, "how many events match {filter:?}");
    }
    let limited = EventFilter {
        event_types: vec!["Beta".into()],
        ..EventFilter::all()
    };
    let two = all_events(store, Checkpoint::START, 2, &limited).await;
    assert_eq!(two.len(), 2, "the limit counts matching events");
    assert!(two.iter().all(|e| e.event_type == "Beta"));
}

/// `head` is [`Checkpoint::START`] on an empty log and then the checkpoint of the last event.
pub async fn head_is_the_checkpoint_of_the_last_event(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    assert_eq!(
        store.head().await.expect("head reads"),
        Checkpoint::START,
        "an empty log"
    );
    append_ok(
        store,
        &new_stream("request"),
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 0, 3),
    )
    .await;
    append_ok(
        store,
        &new_stream("request"),
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 3, 1),
    )
    .await;

    let log = settled_log(store, &EventFilter::all(), 4).await;
    let head = store.head().await.expect("head reads");

    assert_eq!(Some(head), log.last().map(|e| e.checkpoint));
    assert!(
        all_events(store, head, 100, &EventFilter::all())
            .await
            .is_empty(),
        "nothing after the head"
    );
}

/// `stream_version` is the number of events in a stream, 0 for a stream without any.
pub async fn stream_version_is_the_last_version_of_a_stream(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        0
    );
    append_ok(
        store,
        &stream,
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 0, 3),
    )
    .await;
    append_ok(
        store,
        &new_stream("request"),
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 3, 5),
    )
    .await;
    append_ok(
        store,
        &stream,
        ExpectedVersion::Exact(3),
        sample_batch(tenant, "A", 8, 1),
    )
    .await;

    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        4
    );
}

//! Checks of subscriptions: catching up then following, checkpoints and filters, and a
//! subscriber that sees concurrent appends once each, in log order.

use super::*;

/// A subscription first delivers what is in the log, then follows appends made after it
/// started, in global order.
pub async fn subscribe_catches_up_then_follows_new_appends(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    let before = sample_batch(tenant, "A", 0, 3);
    append_ok(store, &stream, ExpectedVersion::NoStream, before.clone()).await;
    let mut subscription = store.subscribe(Checkpoint::START, of_tenant(tenant));

    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(
            next_event(&mut subscription, "the events already in the log")
                .await
                .event_id,
        );
    }
    let after = sample_batch(tenant, "A", 3, 2);
    append_ok(store, &stream, ExpectedVersion::Exact(3), after.clone()).await;
    let other = sample_batch(tenant, "A", 5, 1);
    append_ok(
        store,
        &new_stream("person"),
        ExpectedVersion::NoStream,
        other.clone(),
    )
    .await;
    for _ in 0..3 {
        seen.push(
            next_event(&mut subscription, "the events appended later")
                .await
                .event_id,
        );
    }

    assert_eq!(
        seen,
        [sent_ids(&before), sent_ids(&after), sent_ids(&other)].concat()
    );
}

/// A subscription starts strictly after its checkpoint and delivers only what its filter
/// matches, also for events appended while it waits.
pub async fn subscribe_honours_its_checkpoint_and_filter(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    let mut batch = Vec::new();
    for n in 0..6 {
        batch.push(sample_event(
            tenant,
            if n % 2 == 0 { "Alpha" } else { "Beta" },
            n,
        ));
    }
    append_ok(store, &stream, ExpectedVersion::NoStream, batch.clone()).await;
    let written = stream_events(store, &stream, 1).await;
    let filter = EventFilter {
        tenant_id: Some(tenant),
        event_types: vec!["Alpha".into()],
        ..EventFilter::all()
    };
    let mut subscription = store.subscribe(written[1].checkpoint, filter);

    let third = next_event(&mut subscription, "the first Alpha after the checkpoint").await;
    let fifth = next_event(&mut subscription, "the second Alpha after the checkpoint").await;
    let later = vec![
        sample_event(tenant, "Beta", 6),
        sample_event(tenant, "Alpha", 7),
    ];
    append_ok(store, &stream, ExpectedVersion::Exact(6), later.clone()).await;
    let eighth = next_event(&mut subscription, "the Alpha appended later").await;

    assert_eq!(
        third.event_id, batch[2].event_id,
        "version 3 is the first Alpha after version 2"
    );
    assert_eq!(fifth.event_id, batch[4].event_id);
    assert_eq!(
        eighth.event_id, later[1].event_id,
        "the Beta in between was filtered out"
    );
}

/// Many writers on their own streams at once, and a subscriber following them: the subscriber
/// sees every acknowledged event exactly once, in the same order as a later `read_all`.
pub async fn a_subscriber_sees_concurrent_appends_once_each_in_log_order(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let mut subscription = store.subscribe(Checkpoint::START, of_tenant(tenant));
    let writers = (0..8u64).map(|w| async move {
        let stream = new_stream("person");
        let mut written = Vec::new();
        for i in 0..5u64 {
            let batch = sample_batch(tenant, "A", w * 100 + i * 2, 2);
            written.extend(sent_ids(&batch));
            append_ok(store, &stream, ExpectedVersion::Exact(i * 2), batch).await;
        }
        (stream, written)
    });
    let reader = async {
        let mut seen = Vec::new();
        for _ in 0..80 {
            seen.push(next_event(&mut subscription, "an event of a concurrent writer").await);
        }
        seen
    };

    let (written, seen) = tokio::join!(futures::future::join_all(writers), reader);

    let log = settled_log(store, &of_tenant(tenant), 80).await;
    assert_eq!(
        seen, log,
        "the subscriber saw the log's order, each event once"
    );
    let acknowledged: HashSet<Uuid> = written
        .iter()
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    assert_eq!(ids(&log).into_iter().collect::<HashSet<_>>(), acknowledged);
    for (stream, ids_of_stream) in &written {
        assert_eq!(&ids(&stream_events(store, stream, 1).await), ids_of_stream);
        assert_chain_verifies(store, stream).await;
    }
}

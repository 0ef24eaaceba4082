//! The PostgreSQL read path across page boundaries: `read_all` and a subscription's catch-up
//! fetch the global order in pages of several thousand rows, so these logs are longer than a
//! page and every event must come back once, in order, decoded exactly as it was written.

use chrono::Utc;
use futures::{StreamExt, TryStreamExt};
use noaber_store::testing::fresh_pg_store;
use noaber_store::{
    Checkpoint, EventFilter, EventStore, ExpectedVersion, Metadata, NewEvent, RecordedEvent,
    StreamId,
};
use uuid::Uuid;

/// More than two pages of the global order (a page is 5,000 rows).
const EVENTS: usize = 11_500;
/// The largest append the store takes.
const BATCH: usize = 1000;

fn event(tenant: Uuid, n: usize) -> NewEvent {
    NewEvent {
        event_id: Uuid::new_v4(),
        tenant_id: tenant,
        event_type: if n % 2 == 0 { "Even" } else { "Odd" }.to_owned(),
        schema_version: 2,
        payload: serde_json::json!({ "n": n, "nested": { "text": "zoë \"quoted\"" } }),
        metadata: Metadata {
            actor_id: Some(Uuid::from_u128(n as u128)),
            actor_role: Some("resident".to_owned()),
            ..Metadata::default()
        },
        occurred_at: Utc::now(),
    }
}

/// Appends [`EVENTS`] events of `tenant` in full batches, one stream per batch; returns them
/// once all of them are below the log's read horizon. Transactions are numbered across the
/// whole server, so a transaction another test keeps open holds the horizon back for a while.
async fn fill(store: &dyn EventStore, tenant: Uuid) -> Vec<NewEvent> {
    let sent = append_all(store, tenant).await;
    let filter = EventFilter::all();
    for _ in 0..200 {
        let visible = store
            .read_all(Checkpoint::START, usize::MAX, &filter)
            .try_collect::<Vec<_>>()
            .await
            .expect("read_all")
            .len();
        if visible == sent.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sent
}

async fn append_all(store: &dyn EventStore, tenant: Uuid) -> Vec<NewEvent> {
    let mut sent = Vec::with_capacity(EVENTS);
    for (k, start) in (0..EVENTS).step_by(BATCH).enumerate() {
        let batch: Vec<NewEvent> = (start..(start + BATCH).min(EVENTS))
            .map(|n| event(tenant, n))
            .collect();
        sent.extend(batch.iter().cloned());
        let stream = StreamId::parse(&format!("paged-{k}")).expect("valid stream id");
        store
            .append(&stream, ExpectedVersion::NoStream, batch)
            .await
            .expect("append");
    }
    sent
}

fn assert_same(read: &[RecordedEvent], sent: &[NewEvent]) {
    assert_eq!(read.len(), sent.len(), "every event comes back once");
    for (r, s) in read.iter().zip(sent) {
        assert_eq!(r.event_id, s.event_id, "in the order they were written");
        assert_eq!(r.payload, s.payload, "payload of {}", r.event_id);
        assert_eq!(r.metadata, s.metadata, "metadata of {}", r.event_id);
        assert_eq!(r.event_type, s.event_type);
        assert_eq!(r.tenant_id, s.tenant_id);
        assert_eq!(r.schema_version, s.schema_version);
    }
    assert!(
        read.windows(2).all(|w| w[0].checkpoint < w[1].checkpoint),
        "checkpoints increase"
    );
}

#[tokio::test]
async fn read_all_and_catch_up_return_a_log_longer_than_two_pages_once_and_in_order() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let tenant = Uuid::new_v4();
    let sent = fill(&store, tenant).await;

    let all: Vec<RecordedEvent> = store
        .read_all(Checkpoint::START, usize::MAX, &EventFilter::all())
        .try_collect()
        .await
        .expect("read_all");
    assert_same(&all, &sent);

    let caught_up: Vec<RecordedEvent> = store
        .subscribe(Checkpoint::START, EventFilter::all())
        .take(EVENTS)
        .try_collect()
        .await
        .expect("catch-up");
    assert_same(&caught_up, &sent);

    // A limit that ends inside the second page, then the rest from where it stopped.
    let head: Vec<RecordedEvent> = store
        .read_all(Checkpoint::START, 7_001, &EventFilter::all())
        .try_collect()
        .await
        .expect("read_all with a limit");
    let rest: Vec<RecordedEvent> = store
        .read_all(head[7_000].checkpoint, usize::MAX, &EventFilter::all())
        .try_collect()
        .await
        .expect("read_all from a checkpoint");
    assert_same(&head, &sent[..7_001]);
    assert_same(&rest, &sent[7_001..]);
}

#[tokio::test]
async fn a_filtered_read_pages_through_the_matching_events_only() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let tenant = Uuid::new_v4();
    let sent = fill(&store, tenant).await;
    let filter = EventFilter {
        tenant_id: Some(tenant),
        categories: vec!["paged".to_owned()],
        event_types: vec!["Even".to_owned()],
    };
    let even: Vec<RecordedEvent> = store
        .read_all(Checkpoint::START, usize::MAX, &filter)
        .try_collect()
        .await
        .expect("filtered read_all");
    let expected: Vec<NewEvent> = sent
        .into_iter()
        .filter(|e| e.event_type == "Even")
        .collect();
    assert_same(&even, &expected);
}

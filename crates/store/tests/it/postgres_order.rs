//! The global order on PostgreSQL never skips an event that commits late (ADR 0003): writers
//! commit out of position order while a transaction is held open, and a live subscriber still
//! sees every event exactly once, in the order a later full replay gives.

use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use noaber_store::hash;
use noaber_store::postgres::PgStore;
use noaber_store::testing::fresh_pg_store;
use noaber_store::{
    Checkpoint, EventFilter, EventStore, EventStream, ExpectedVersion, Metadata, NewEvent,
    RecordedEvent, StreamId,
};
use uuid::Uuid;

fn event(n: u32) -> NewEvent {
    NewEvent {
        event_id: Uuid::new_v4(),
        tenant_id: Uuid::nil(),
        event_type: "Tested".to_owned(),
        schema_version: 1,
        payload: serde_json::json!({ "n": n }),
        metadata: Metadata::default(),
        occurred_at: Utc::now(),
    }
}

/// Appends one event through the store's own insert path (`noaber_append`) inside a
/// transaction that the caller keeps open.
async fn append_in(
    tx: &mut sqlx::PgConnection,
    stream: &StreamId,
    e: &NewEvent,
) -> Result<(), sqlx::Error> {
    let payload = String::from_utf8(hash::canonical_json(&e.payload)).expect("JSON is UTF-8");
    let metadata = String::from_utf8(hash::canonical_metadata(&e.metadata)).expect("UTF-8");
    let occurred_us = hash::to_micros(e.occurred_at);
    let content = hash::content_hash(&hash::HashInput {
        tenant_id: e.tenant_id,
        stream_id: stream.as_str(),
        version: 0,
        event_id: e.event_id,
        event_type: &e.event_type,
        schema_version: e.schema_version,
        payload: payload.as_bytes(),
        metadata: metadata.as_bytes(),
        occurred_at_us: occurred_us,
        recorded_at_us: 0,
    });
    sqlx::query("select * from noaber_append($1, $2, null, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(stream.as_str())
        .bind(stream.category())
        .bind(vec![e.tenant_id])
        .bind(vec![e.event_id])
        .bind(vec![e.event_type.clone()])
        .bind(vec![1i32])
        .bind(vec![payload])
        .bind(vec![metadata])
        .bind(vec![
            chrono::DateTime::from_timestamp_micros(occurred_us).expect("valid time")
        ])
        .bind(vec![content.to_vec()])
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn next_event(sub: &mut EventStream<'static>) -> RecordedEvent {
    tokio::time::timeout(Duration::from_secs(20), sub.next())
        .await
        .expect("the subscription delivers the event")
        .expect("the subscription is still open")
        .expect("the subscription has no error")
}

/// Fails if the subscription delivers anything within more than one poll interval.
async fn assert_quiet(sub: &mut EventStream<'static>, why: &str) {
    if let Ok(item) = tokio::time::timeout(Duration::from_millis(800), sub.next()).await {
        panic!("{why}: the subscription delivered {item:?}");
    }
}

async fn one_round(store: &PgStore, round: u32) {
    let start = store.head().await.expect("the head can be read");
    let mut sub = store.subscribe(start, EventFilter::all());
    let a = StreamId::parse(&format!("a-{round}")).expect("valid stream id");
    let b = StreamId::parse(&format!("b-{round}")).expect("valid stream id");
    let c = StreamId::parse(&format!("c-{round}")).expect("valid stream id");
    let (ea, eb, ec) = (event(1), event(2), event(3));

    let mut held = store.pool().begin().await.expect("a transaction opens");
    let early_xid = round % 2 == 0;
    if early_xid {
        // A takes its transaction id first but writes last: its position comes after B's and
        // C's, its transaction id before theirs.
        sqlx::query("select pg_current_xact_id()")
            .execute(&mut *held)
            .await
            .expect("a transaction id is assigned");
        store
            .append(&b, ExpectedVersion::NoStream, vec![eb.clone()])
            .await
            .expect("B commits");
        store
            .append(&c, ExpectedVersion::NoStream, vec![ec.clone()])
            .await
            .expect("C commits");
        append_in(&mut held, &a, &ea).await.expect("A writes");
        assert_quiet(&mut sub, "B and C committed behind A's open transaction").await;
    } else {
        // B commits before A starts; A holds a position before C's.
        store
            .append(&b, ExpectedVersion::NoStream, vec![eb.clone()])
            .await
            .expect("B commits");
        append_in(&mut held, &a, &ea).await.expect("A writes");
        store
            .append(&c, ExpectedVersion::NoStream, vec![ec.clone()])
            .await
            .expect("C commits");
        let first = next_event(&mut sub).await;
        assert_eq!(first.event_id, eb.event_id, "B was complete before A began");
        assert_quiet(&mut sub, "C committed behind A's open transaction").await;
    }
    held.commit().await.expect("A commits");

    let mut seen = Vec::new();
    if !early_xid {
        seen.push(eb.event_id);
    }
    while seen.len() < 3 {
        seen.push(next_event(&mut sub).await.event_id);
    }

    let filter = EventFilter::all();
    let replay: Vec<Uuid> = store
        .read_all(start, 100, &filter)
        .map(|e| e.expect("the replay reads").event_id)
        .collect()
        .await;
    assert_eq!(seen, replay, "the subscriber saw the replay's order");
    let mut sorted = seen.clone();
    sorted.sort();
    let mut expected = vec![ea.event_id, eb.event_id, ec.event_id];
    expected.sort();
    assert_eq!(sorted, expected, "every event exactly once, A's included");
    if round == 19 {
        assert_quiet(&mut sub, "nothing more was written").await;
    }
}

#[tokio::test]
async fn a_subscriber_never_skips_an_event_that_commits_late_twenty_runs_in_a_row() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    for round in 0..20 {
        one_round(&store, round).await;
    }
    let whole: Vec<RecordedEvent> = store
        .read_all(Checkpoint::START, 1000, &EventFilter::all())
        .map(|e| e.expect("the log reads"))
        .collect()
        .await;
    assert_eq!(whole.len(), 60);
    assert!(
        whole.windows(2).any(|w| w[0].position > w[1].position),
        "some rounds committed out of position order, as intended"
    );
}

#[tokio::test]
async fn read_all_stops_before_an_open_transaction_and_continues_once_it_commits() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let first = StreamId::parse("x-1").expect("valid stream id");
    let late = StreamId::parse("x-2").expect("valid stream id");
    let after = StreamId::parse("x-3").expect("valid stream id");
    store
        .append(&first, ExpectedVersion::NoStream, vec![event(1)])
        .await
        .expect("the first event commits");
    let mut held = store.pool().begin().await.expect("a transaction opens");
    append_in(&mut held, &late, &event(2))
        .await
        .expect("the late event is written");
    store
        .append(&after, ExpectedVersion::NoStream, vec![event(3)])
        .await
        .expect("a later event commits");

    let filter = EventFilter::all();
    let visible: Vec<RecordedEvent> = store
        .read_all(Checkpoint::START, 100, &filter)
        .map(|e| e.expect("the log reads"))
        .collect()
        .await;
    assert_eq!(
        visible.len(),
        1,
        "only the event before the open transaction"
    );
    assert_eq!(store.head().await.expect("head"), visible[0].checkpoint);

    held.commit().await.expect("the late event commits");
    let rest: Vec<RecordedEvent> = store
        .read_all(visible[0].checkpoint, 100, &filter)
        .map(|e| e.expect("the log reads"))
        .collect()
        .await;
    let streams: Vec<&str> = rest.iter().map(|e| e.stream_id.as_str()).collect();
    assert_eq!(streams, vec!["x-2", "x-3"]);
}

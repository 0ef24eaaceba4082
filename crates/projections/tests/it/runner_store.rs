//! The projection runner against real stores (the embedded SQLite one and PostgreSQL): it
//! follows live appends, lets a caller wait for its own writes, restarts from snapshots without
//! replaying everything, rebuilds from the start, reports its lag, and skips undecodable
//! events without stopping.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use crate::support::*;
use noaber_domain::AnyEvent;
use noaber_projections::feed::Audience;
use noaber_projections::runner::{Projections, RunnerConfig, RunnerError};
use noaber_projections::snapshot::{FileSnapshotStore, MemorySnapshotStore, SnapshotStore};
use noaber_store::{Checkpoint, EventStore, ExpectedVersion, Metadata, NewEvent, StreamId};

const WAIT: Duration = Duration::from_secs(20);

async fn append(store: &dyn EventStore, event: AnyEvent) -> i64 {
    let stream = StreamId::parse(&event.stream_id()).unwrap();
    let new = new_event(&event, day(2025, 3, 3), meta_of(connector(), "connector"));
    let out = store
        .append(&stream, ExpectedVersion::Any, vec![new])
        .await
        .unwrap();
    out.positions[0]
}

async fn post_requests(store: &dyn EventStore, range: std::ops::Range<u32>) {
    for r in range {
        append(store, posted(r, 1, 0)).await;
    }
}

fn config() -> RunnerConfig {
    RunnerConfig {
        snapshot_every: 1_000_000,
        page_size: 7,
        batch_size: 5,
        retry_after: Duration::from_millis(50),
    }
}

async fn feed_len(p: &Projections) -> usize {
    p.read().await.feed.len(hood(0), Audience::Resident)
}

async fn follows_live_appends_and_reads_its_own_writes(store: Arc<dyn EventStore>) {
    let projections = Projections::start(
        Arc::clone(&store),
        Arc::new(MemorySnapshotStore::new()),
        config(),
    )
    .await;
    post_requests(store.as_ref(), 0..12).await;
    projections.catch_up(WAIT).await.unwrap();
    assert_eq!(feed_len(&projections).await, 12);
    // A write made after the runner caught up is visible once waited for.
    append(store.as_ref(), posted(50, 2, 0)).await;
    let head = store.head().await.unwrap();
    let at = projections.wait_for(head, WAIT).await.unwrap();
    assert!(at >= head);
    assert_eq!(feed_len(&projections).await, 13);
    let lag = projections.lag().await.unwrap();
    assert!(lag.iter().all(|l| l.events_behind == 0), "{lag:?}");
    assert_eq!(lag.len(), 12, "one lag per read model");
    projections.shutdown().await.unwrap();
}

async fn restarts_from_snapshots_and_replays_only_what_came_after(store: Arc<dyn EventStore>) {
    let dir = tempfile::tempdir().unwrap();
    let snapshots: Arc<dyn SnapshotStore> =
        Arc::new(FileSnapshotStore::in_data_dir(dir.path()).unwrap());
    let first = Projections::start(Arc::clone(&store), Arc::clone(&snapshots), config()).await;
    post_requests(store.as_ref(), 0..10).await;
    first.catch_up(WAIT).await.unwrap();
    let saved_at = first.applied();
    first.shutdown().await.unwrap();
    assert!(dir.path().join("snapshots").join("feed.snapshot").exists());

    post_requests(store.as_ref(), 10..15).await;
    let second = Projections::start(Arc::clone(&store), Arc::clone(&snapshots), config()).await;
    // Restored at the snapshot's checkpoint, not at the start of the log.
    let restored = second.read().await;
    assert!(restored.checkpoint() >= saved_at);
    assert!(
        restored.stats().applied <= 5,
        "replayed {:?}",
        restored.stats()
    );
    drop(restored);
    second.catch_up(WAIT).await.unwrap();
    assert_eq!(feed_len(&second).await, 15);
    assert_eq!(second.read().await.stats().applied, 5);
    second.shutdown().await.unwrap();
}

async fn rebuilds_from_the_start_and_keeps_following(store: Arc<dyn EventStore>) {
    let projections = Projections::start(
        Arc::clone(&store),
        Arc::new(MemorySnapshotStore::new()),
        config(),
    )
    .await;
    post_requests(store.as_ref(), 0..9).await;
    projections.catch_up(WAIT).await.unwrap();
    let stats = projections.rebuild().await.unwrap();
    assert_eq!(stats.applied, 9);
    assert_eq!(feed_len(&projections).await, 9);
    post_requests(store.as_ref(), 9..11).await;
    projections.catch_up(WAIT).await.unwrap();
    assert_eq!(feed_len(&projections).await, 11);
    projections.shutdown().await.unwrap();
}

async fn skips_an_undecodable_event_and_goes_on(store: Arc<dyn EventStore>) {
    let projections = Projections::start(
        Arc::clone(&store),
        Arc::new(MemorySnapshotStore::new()),
        config(),
    )
    .await;
    append(store.as_ref(), posted(1, 1, 0)).await;
    let bogus = NewEvent {
        event_id: uuid::Uuid::new_v4(),
        tenant_id: tenant(),
        event_type: "SomethingNobodyKnows".into(),
        schema_version: 1,
        payload: serde_json::json!({"x": 1}),
        metadata: Metadata::default(),
        occurred_at: day(2025, 3, 3),
    };
    store
        .append(
            &StreamId::parse("request-bogus").unwrap(),
            ExpectedVersion::Any,
            vec![bogus],
        )
        .await
        .unwrap();
    append(store.as_ref(), posted(2, 1, 0)).await;
    projections.catch_up(WAIT).await.unwrap();
    let models = projections.read().await;
    assert_eq!(models.stats().decode_failures, 1);
    assert_eq!(models.feed.len(hood(0), Audience::Resident), 2);
    drop(models);
    projections.shutdown().await.unwrap();
}

async fn waiting_for_a_position_never_written_times_out(store: Arc<dyn EventStore>) {
    let projections = Projections::start(
        Arc::clone(&store),
        Arc::new(MemorySnapshotStore::new()),
        config(),
    )
    .await;
    let far = Checkpoint {
        tx: i64::MAX,
        position: i64::MAX,
    };
    let err = projections
        .wait_for(far, Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(matches!(err, RunnerError::Timeout { .. }), "{err}");
    projections.shutdown().await.unwrap();
}

macro_rules! on_sqlite {
    ($($name:ident),+) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
                    super::$name(Arc::new(store)).await;
                }
            )+
        }
    };
}

macro_rules! on_postgres {
    ($($name:ident),+) => {
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(store) = noaber_store::testing::fresh_pg_store().await else {
                        return;
                    };
                    super::$name(Arc::new(store)).await;
                }
            )+
        }
    };
}

on_sqlite!(
    follows_live_appends_and_reads_its_own_writes,
    restarts_from_snapshots_and_replays_only_what_came_after,
    rebuilds_from_the_start_and_keeps_following,
    skips_an_undecodable_event_and_goes_on,
    waiting_for_a_position_never_written_times_out
);

on_postgres!(
    follows_live_appends_and_reads_its_own_writes,
    restarts_from_snapshots_and_replays_only_what_came_after,
    rebuilds_from_the_start_and_keeps_following,
    skips_an_undecodable_event_and_goes_on,
    waiting_for_a_position_never_written_times_out
);

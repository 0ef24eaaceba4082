//! The demo generator end to end on the embedded store: every planned command goes through the
//! command executor (decide, seal, append), none is refused, personal data is stored sealed,
//! and the read models fold the result without a decoding failure.

use std::sync::Arc;

use futures::TryStreamExt;
use noaber_demo::{self as demo, Scale};
use noaber_projections::runner::fold_all;
use noaber_store::exec::Executor;
use noaber_store::privacy::{MasterKey, Privacy};
use noaber_store::{Checkpoint, EventFilter, EventStore, KeyStore};

#[tokio::test]
async fn the_small_demo_is_written_through_the_executor_without_a_refusal() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let store = Arc::new(store);
    let keys: Arc<dyn KeyStore> = store.clone();
    let log: Arc<dyn EventStore> = store.clone();
    let executor = Executor::new(
        log.clone(),
        Arc::new(Privacy::new(MasterKey::generate(), keys)),
    );

    let summary = demo::run(&executor, 42, Scale::Small, 1, &|_| {})
        .await
        .expect("the demo is written");

    assert_eq!(summary.refused, 0, "refused: {:?}", summary.refusals);
    let planned = demo::tenant_history(42, 0, demo::TenantSize::SMALL)
        .expect("plans")
        .len() as u64;
    assert_eq!(summary.commands, planned);
    assert!(summary.events >= planned);

    let filter = EventFilter::all();
    let events: Vec<_> = log
        .read_all(Checkpoint::START, 1_000_000, &filter)
        .try_collect()
        .await
        .expect("the log reads back");
    assert_eq!(events.len() as u64, summary.events);

    // No personal text is stored in clear: every `$pii` was sealed on the way in.
    let raw = serde_json::to_string(&events.iter().map(|e| &e.payload).collect::<Vec<_>>())
        .expect("payloads serialise");
    assert!(
        !raw.contains("\"$pii\""),
        "a personal field was stored in clear"
    );
    assert!(raw.contains("\"$sealed\""));
    for word in ["Wie kan mij helpen", "Molenstraat", "Heel fijn geholpen"] {
        assert!(!raw.contains(word), "{word:?} found in clear in the log");
    }

    let models = fold_all(events.iter());
    assert_eq!(models.stats().decode_failures, 0);
    assert_eq!(models.stats().applied, summary.events);

    // Writing the same history again is a no-op: every command id was carried out already.
    let again = demo::run(&executor, 42, Scale::Small, 1, &|_| {})
        .await
        .expect("the retry runs");
    assert_eq!(again.refused, 0, "refused on retry: {:?}", again.refusals);
    let after: Vec<_> = log
        .read_all(Checkpoint::START, 1_000_000, &filter)
        .try_collect()
        .await
        .expect("the log reads back");
    assert_eq!(after.len(), events.len(), "a second run appended events");
}

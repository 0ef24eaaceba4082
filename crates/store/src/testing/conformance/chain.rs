//! Checks of the hash chain: every stream's chain verifies and links only its own events.

use super::*;

/// Every stream's hash chain verifies, across batches, and links only events of its own
/// stream; the chain check itself notices a changed event.
pub async fn every_stream_hash_chain_verifies(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let (one, two) = (new_stream("request"), new_stream("person"));
    for i in 0..3 {
        append_ok(
            store,
            &one,
            ExpectedVersion::Any,
            sample_batch(tenant, "A", i * 10, 3),
        )
        .await;
        append_ok(
            store,
            &two,
            ExpectedVersion::Any,
            sample_batch(tenant, "B", i * 10 + 5, 2),
        )
        .await;
    }

    assert_chain_verifies(store, &one).await;
    assert_chain_verifies(store, &two).await;
    let mut events = stream_events(store, &two, 1).await;
    assert_eq!(
        events[0].prev_hash, GENESIS,
        "each stream starts its own chain"
    );
    events[3].payload = json!({ "n": "changed" });
    assert!(
        hash::verify_chain(&events).is_err(),
        "a changed payload no longer verifies"
    );
}

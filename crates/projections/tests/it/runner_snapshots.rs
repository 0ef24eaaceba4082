//! Snapshot stores: files are written atomically and read back whole; a snapshot of another
//! shape version or a damaged file is ignored so the model is rebuilt instead of misread.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use noaber_projections::feed::Feed;
use noaber_projections::runner::ReadModels;
use noaber_projections::snapshot::{
    self, FileSnapshotStore, MemorySnapshotStore, Snapshot, SnapshotError, SnapshotStore,
};
use noaber_projections::{fold_all, ReadModel};
use noaber_store::Checkpoint;

fn some_models() -> ReadModels {
    let mut h = History::new();
    h.push(neighbourhood_registered(0));
    h.push(posted(1, 1, 0)).push(posted(2, 1, 0));
    fold_all(&h.events)
}

#[test]
fn a_file_snapshot_reads_back_exactly_as_it_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileSnapshotStore::in_data_dir(dir.path()).unwrap();
    let models = some_models();
    for s in models.snapshots().unwrap() {
        store.save(&s).unwrap();
        assert_eq!(store.load(&s.name).unwrap().as_ref(), Some(&s));
    }
    let restored = ReadModels::restore(&store);
    assert_eq!(restored.checkpoints(), models.checkpoints());
    assert_eq!(
        serde_json::to_value(&restored.feed).unwrap(),
        serde_json::to_value(&models.feed).unwrap()
    );
}

#[test]
fn a_snapshot_of_another_shape_version_is_ignored() {
    let models = some_models();
    let mut s = snapshot::take(&models.feed, models.checkpoint()).unwrap();
    s.version = Feed::SNAPSHOT_VERSION + 1;
    assert!(snapshot::restore::<Feed>(&s).unwrap().is_none());
    let store = MemorySnapshotStore::new();
    store.save(&s).unwrap();
    let restored = ReadModels::restore(&store);
    assert_eq!(restored.checkpoints().feed, Checkpoint::START);
}

#[test]
fn a_damaged_snapshot_file_is_reported_and_the_model_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileSnapshotStore::in_data_dir(dir.path()).unwrap();
    std::fs::write(store.dir().join("feed.snapshot"), b"{not json\n[]").unwrap();
    assert!(matches!(
        store.load("feed"),
        Err(SnapshotError::Damaged { .. })
    ));
    let restored = ReadModels::restore(&store);
    assert_eq!(restored.checkpoints().feed, Checkpoint::START);
}

#[test]
fn a_missing_snapshot_is_none_and_removing_it_twice_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileSnapshotStore::in_data_dir(dir.path()).unwrap();
    assert_eq!(store.load("feed").unwrap(), None);
    store.remove("feed").unwrap();
    store
        .save(&Snapshot {
            name: "feed".into(),
            version: 1,
            checkpoint: Checkpoint::START,
            state: b"{}".to_vec(),
        })
        .unwrap();
    store.remove("feed").unwrap();
    store.remove("feed").unwrap();
    assert_eq!(store.load("feed").unwrap(), None);
}

#[test]
fn a_model_name_that_is_not_a_plain_file_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileSnapshotStore::in_data_dir(dir.path()).unwrap();
    assert!(matches!(
        store.load("../etc"),
        Err(SnapshotError::BadName(_))
    ));
}

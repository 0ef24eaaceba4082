//! Shared helpers of the HTTP tests: the application built in-process over a temporary
//! embedded store, and the identity headers of a `/v1` call.

use std::sync::Arc;

/// The in-process application over a fresh embedded store, with the store's guard.
pub async fn sqlite_app() -> (axum::Router, tempfile::TempDir) {
    let (store, dir) = noaber_store::testing::fresh_sqlite_store().await;
    let store = Arc::new(store);
    let privacy = Arc::new(noaber_store::privacy::Privacy::new(
        noaber_store::privacy::MasterKey::generate(),
        store.clone(),
    ));
    let state = state_over(store.clone(), store, privacy).await;
    (noaber_api::http::app(state), dir)
}

/// Application state over `store`, with read models following it (snapshots kept in memory).
pub async fn state_over(
    store: Arc<dyn noaber_store::EventStore>,
    keys: Arc<dyn noaber_store::KeyStore>,
    privacy: Arc<noaber_store::privacy::Privacy>,
) -> noaber_api::http::AppState {
    let _ = keys;
    noaber_api::http::AppState::start(
        store,
        privacy,
        Arc::new(noaber_projections::snapshot::MemorySnapshotStore::new()),
        noaber_projections::runner::RunnerConfig::default(),
    )
    .await
}

/// Headers saying who is asking, for `/v1` calls.
pub fn actor_headers(role: &str) -> [(&'static str, String); 3] {
    [
        (
            "x-noaber-tenant",
            "0190a0a0-0000-7000-8000-000000000001".to_owned(),
        ),
        (
            "x-noaber-actor",
            "0190a0a0-0000-7000-8000-000000000002".to_owned(),
        ),
        ("x-noaber-role", role.to_owned()),
    ]
}

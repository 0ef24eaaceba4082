//! Test support shared by every crate's tests: throwaway PostgreSQL databases, temporary SQLite
//! stores, and the conformance suite that every back-end must pass.
//!
//! PostgreSQL tests find their server through `NOABER_TEST_DATABASE_URL` or `DATABASE_URL`.
//! Without either they are skipped with a note, unless `CI` is set: then they fail, so that CI
//! can never pass by skipping them.

pub mod conformance;
mod counting;

pub use counting::CountingStore;

use uuid::Uuid;

/// The base PostgreSQL URL for tests, or `None` (with a note on stderr) when there is none and
/// `CI` is unset.
///
/// # Panics
/// When no URL is set and the `CI` environment variable is: a CI run must not skip these tests.
pub fn pg_url() -> Option<String> {
    let url = std::env::var("NOABER_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CI is set but no PostgreSQL is configured: set DATABASE_URL (scripts/test.sh starts a throwaway cluster)"
            );
        }
        eprintln!("note: no DATABASE_URL set; skipping a PostgreSQL test (run scripts/test.sh to include it)");
    }
    url
}

pub use crate::postgres::url_with_database as with_database;

/// Creates a new, empty database on the test server and returns its URL, or `None` when
/// PostgreSQL tests are skipped (see [`pg_url`]).
///
/// # Panics
/// When the server cannot be reached or the database cannot be created: a test cannot go on.
pub async fn fresh_pg_database() -> Option<String> {
    use sqlx::Connection;
    let url = pg_url()?;
    let name = format!("noaber_test_{}", Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .expect("the test PostgreSQL server is reachable");
    sqlx::query(&format!("create database {name}"))
        .execute(&mut conn)
        .await
        .expect("a test database can be created");
    let _ = conn.close().await;
    Some(with_database(&url, &name))
}

/// A migrated [`crate::postgres::PgStore`] on a fresh database, or `None` when skipped.
///
/// # Panics
/// When the store cannot be opened.
pub async fn fresh_pg_store() -> Option<crate::postgres::PgStore> {
    let url = fresh_pg_database().await?;
    let store = crate::postgres::PgStore::connect(&url)
        .await
        .expect("the fresh test database accepts connections");
    store
        .migrate()
        .await
        .expect("migrations apply to a fresh database");
    Some(store)
}

/// A [`crate::sqlite::SqliteStore`] in a temporary directory, kept alive by the returned guard.
///
/// # Panics
/// When the temporary directory or the database file cannot be created.
pub async fn fresh_sqlite_store() -> (crate::sqlite::SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory can be created");
    let store = crate::sqlite::SqliteStore::open(&dir.path().join("noaber.db"))
        .await
        .expect("a new SQLite store opens");
    (store, dir)
}

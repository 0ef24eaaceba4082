//! The per-person key table in the SQLite file (`subject_keys`), beside the log: the one place
//! where something is ever deleted (see [`KeyStore`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Connection;
use uuid::Uuid;

use super::{db_error, SqliteStore};
use crate::error::{StoreError, StoreErrorKind};
use crate::hash;
use crate::{KeyStore, SubjectKey};

/// Reads a subject's row of `subject_keys`.
fn subject_key(wrapped: Option<Vec<u8>>, erased_at: Option<i64>) -> Result<SubjectKey, StoreError> {
    match (wrapped, erased_at) {
        (Some(key), _) => Ok(SubjectKey::Wrapped(key)),
        (None, Some(at)) => DateTime::from_timestamp_micros(at)
            .map(SubjectKey::Erased)
            .ok_or_else(|| {
                StoreError::new(
                    StoreErrorKind::Corrupt,
                    "a key's erasure time is out of range",
                )
            }),
        (None, None) => Err(StoreError::new(
            StoreErrorKind::Corrupt,
            "a subject's key row holds neither a key nor an erasure time",
        )),
    }
}

#[async_trait]
impl KeyStore for SqliteStore {
    #[tracing::instrument(skip_all, fields(backend = "sqlite", tenant = %tenant_id, subject = %subject))]
    async fn put_key_if_absent(
        &self,
        tenant_id: Uuid,
        subject: Uuid,
        wrapped: Vec<u8>,
    ) -> Result<SubjectKey, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let mut tx = writer
            .begin_with("begin immediate")
            .await
            .map_err(db_error)?;
        sqlx::query(
            "insert into subject_keys (subject_id, tenant_id, wrapped_key, created_at) \
             values (?, ?, ?, ?) on conflict (subject_id) do nothing",
        )
        .bind(subject)
        .bind(tenant_id)
        .bind(wrapped)
        .bind(hash::to_micros(Utc::now()))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        let (key, erased_at): (Option<Vec<u8>>, Option<i64>) =
            sqlx::query_as("select wrapped_key, erased_at from subject_keys where subject_id = ?")
                .bind(subject)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        subject_key(key, erased_at)
    }

    #[tracing::instrument(skip_all, fields(backend = "sqlite", subject = %subject))]
    async fn get_key(&self, subject: Uuid) -> Result<Option<SubjectKey>, StoreError> {
        let row: Option<(Option<Vec<u8>>, Option<i64>)> =
            sqlx::query_as("select wrapped_key, erased_at from subject_keys where subject_id = ?")
                .bind(subject)
                .fetch_optional(&self.inner.readers)
                .await
                .map_err(db_error)?;
        row.map(|(key, erased_at)| subject_key(key, erased_at))
            .transpose()
    }

    #[tracing::instrument(skip_all, fields(backend = "sqlite", subject = %subject))]
    async fn erase_key(&self, subject: Uuid) -> Result<bool, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let done = sqlx::query(
            "update subject_keys set wrapped_key = null, erased_at = ? \
             where subject_id = ? and wrapped_key is not null",
        )
        .bind(hash::to_micros(Utc::now()))
        .bind(subject)
        .execute(&mut *writer)
        .await
        .map_err(db_error)?;
        let erased = done.rows_affected() > 0;
        if !erased {
            // No key yet (nothing personal was ever sealed): leave a tombstone all the same, so
            // that no key can be made for this person afterwards. The tenant is unknown here.
            sqlx::query(
                "insert into subject_keys (subject_id, tenant_id, wrapped_key, created_at, erased_at) \
                 values (?, ?, null, ?, ?) on conflict (subject_id) do nothing",
            )
            .bind(subject)
            .bind(Uuid::nil())
            .bind(hash::to_micros(Utc::now()))
            .bind(hash::to_micros(Utc::now()))
            .execute(&mut *writer)
            .await
            .map_err(db_error)?;
        }
        if erased {
            // secure_delete zeroes the old key in the database file; the write-ahead log may
            // still hold a copy of the page until it is checkpointed and truncated. Best
            // effort: a reader in the middle of a read can keep the log from being truncated,
            // and the key is wrapped by the master key in any case.
            if let Err(e) = sqlx::query("pragma wal_checkpoint(truncate)")
                .execute(&mut *writer)
                .await
            {
                tracing::warn!(error = %e, "the write-ahead log could not be truncated after an erasure");
            }
        }
        Ok(erased)
    }

    async fn wrapped_keys(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
        sqlx::query_as(
            "select subject_id, wrapped_key from subject_keys \
             where wrapped_key is not null and (?1 is null or subject_id > ?1) \
             order by subject_id limit ?2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.inner.readers)
        .await
        .map_err(db_error)
    }

    async fn replace_wrapped(
        &self,
        subject: Uuid,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let done = sqlx::query(
            "update subject_keys set wrapped_key = ? where subject_id = ? and wrapped_key = ?",
        )
        .bind(new)
        .bind(subject)
        .bind(old)
        .execute(&mut *writer)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }
}

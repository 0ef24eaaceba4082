//! The per-person key table on PostgreSQL (`subject_keys`), beside the log: the one place where
//! something is ever deleted (see [`KeyStore`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::PgStore;
use crate::error::{StoreError, StoreErrorKind};
use crate::{KeyStore, SubjectKey};

fn subject_key(wrapped: Option<Vec<u8>>, erased_at: Option<DateTime<Utc>>) -> SubjectKey {
    match (wrapped, erased_at) {
        (Some(key), None) => SubjectKey::Wrapped(key),
        (_, Some(at)) => SubjectKey::Erased(at),
        // The table's check constraint rules this out; treat it as erased, never as a key.
        (None, None) => SubjectKey::Erased(DateTime::<Utc>::UNIX_EPOCH),
    }
}

#[async_trait]
impl KeyStore for PgStore {
    #[tracing::instrument(skip_all, fields(backend = "postgres", tenant = %tenant_id, subject = %subject))]
    async fn put_key_if_absent(
        &self,
        tenant_id: Uuid,
        subject: Uuid,
        wrapped: Vec<u8>,
    ) -> Result<SubjectKey, StoreError> {
        let inserted = sqlx::query(
            "insert into subject_keys (subject, tenant_id, wrapped) values ($1, $2, $3) \
             on conflict (subject) do nothing",
        )
        .bind(subject)
        .bind(tenant_id)
        .bind(&wrapped)
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(SubjectKey::Wrapped(wrapped));
        }
        self.get_key(subject).await?.ok_or_else(|| {
            StoreError::new(
                StoreErrorKind::Database,
                format!("the key of subject {subject} was neither stored nor found"),
            )
        })
    }

    #[tracing::instrument(skip_all, fields(backend = "postgres", subject = %subject))]
    async fn get_key(&self, subject: Uuid) -> Result<Option<SubjectKey>, StoreError> {
        let row: Option<(Option<Vec<u8>>, Option<DateTime<Utc>>)> =
            sqlx::query_as("select wrapped, erased_at from subject_keys where subject = $1")
                .bind(subject)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(wrapped, erased_at)| subject_key(wrapped, erased_at)))
    }

    #[tracing::instrument(skip_all, fields(backend = "postgres", subject = %subject))]
    async fn erase_key(&self, subject: Uuid) -> Result<bool, StoreError> {
        let erased = sqlx::query(
            "update subject_keys set wrapped = null, erased_at = now() \
             where subject = $1 and erased_at is null",
        )
        .bind(subject)
        .execute(&self.pool)
        .await?;
        if erased.rows_affected() == 0 {
            // No key yet (nothing personal was ever sealed): leave a tombstone all the same, so
            // that no key can be made for this person afterwards. The tenant is unknown here.
            sqlx::query(
                "insert into subject_keys (subject, tenant_id, wrapped, erased_at) \
                 values ($1, $2, null, now()) on conflict (subject) do nothing",
            )
            .bind(subject)
            .bind(Uuid::nil())
            .execute(&self.pool)
            .await?;
        }
        Ok(erased.rows_affected() == 1)
    }

    async fn wrapped_keys(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
        Ok(sqlx::query_as(
            "select subject, wrapped from subject_keys \
             where wrapped is not null and ($1::uuid is null or subject > $1) \
             order by subject limit $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?)
    }

    async fn replace_wrapped(
        &self,
        subject: Uuid,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        let done =
            sqlx::query("update subject_keys set wrapped = $3 where subject = $1 and wrapped = $2")
                .bind(subject)
                .bind(old)
                .bind(new)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}

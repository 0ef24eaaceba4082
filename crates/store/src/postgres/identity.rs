//! Accounts, credentials, sign-in failures and the access log on PostgreSQL (see
//! [`IdentityStore`]).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::PgStore;
use crate::access_pack::{self, EntryHead};
use crate::error::{StoreError, StoreErrorKind};
use crate::identity::{
    AccessEntry, AccessRecord, Account, Closing, Credential, CredentialKind, IdentityStore,
    NewCredential,
};

/// Access-log rows per insert statement (9 parameters each, well within both databases'
/// limits on parameters per statement).
const ACCESS_ROWS_PER_STATEMENT: usize = 500;

const CREDENTIAL_COLUMNS: &str = "id, kind, tenant_id, person_id, role, label, data, created_at, \
     expires_at, used_at, revoked_at";

/// A unique violation on the login key means the name is taken: the caller's input.
fn login_taken(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.code().as_deref() == Some("23505") {
            return StoreError::new(
                StoreErrorKind::InvalidInput,
                "this login name belongs to another account",
            );
        }
    }
    StoreError::from(err)
}

fn account(row: &sqlx::postgres::PgRow) -> Result<Account, StoreError> {
    Ok(Account {
        person_id: row.try_get("person_id")?,
        tenant_id: row.try_get("tenant_id")?,
        login_key: row.try_get("login_key")?,
        login_sealed: row.try_get("login_sealed")?,
        password_hash: row.try_get("password_hash")?,
        created_at: row.try_get("created_at")?,
        closed_at: row.try_get("closed_at")?,
    })
}

fn credential(row: &sqlx::postgres::PgRow) -> Result<Credential, StoreError> {
    let kind: String = row.try_get("kind")?;
    let kind = CredentialKind::parse(&kind).ok_or_else(|| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!("a credential has an unknown kind {kind:?}"),
        )
    })?;
    Ok(Credential {
        issued: NewCredential {
            id: row.try_get("id")?,
            kind,
            tenant_id: row.try_get("tenant_id")?,
            person_id: row.try_get("person_id")?,
            role: row.try_get("role")?,
            label: row.try_get("label")?,
            data: row.try_get("data")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
        },
        used_at: row.try_get("used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// Closes the open accounts of one person or one tenant and revokes their credentials, in one
/// transaction; returns how many accounts were closed.
async fn close_where(
    store: &PgStore,
    whose: Closing,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let column = whose.column();
    let mut tx = store.pool.begin().await?;
    let done = sqlx::query(&format!(
        "update accounts set closed_at = $2, password_hash = null \
         where {column} = $1 and closed_at is null"
    ))
    .bind(id)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "update credentials set revoked_at = $2 where {column} = $1 and revoked_at is null"
    ))
    .bind(id)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

fn kind_names(kinds: &[CredentialKind]) -> Vec<&'static str> {
    kinds.iter().map(|k| k.as_str()).collect()
}

#[async_trait]
impl IdentityStore for PgStore {
    async fn create_account(&self, account: &Account) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "insert into accounts (person_id, tenant_id, login_key, login_sealed, password_hash, \
             created_at, closed_at) values ($1, $2, $3, $4, $5, $6, $7) \
             on conflict (person_id) do nothing",
        )
        .bind(account.person_id)
        .bind(account.tenant_id)
        .bind(&account.login_key)
        .bind(&account.login_sealed)
        .bind(&account.password_hash)
        .bind(account.created_at)
        .bind(account.closed_at)
        .execute(&self.pool)
        .await
        .map_err(login_taken)?;
        Ok(done.rows_affected() == 1)
    }

    async fn account(&self, person: Uuid) -> Result<Option<Account>, StoreError> {
        sqlx::query("select * from accounts where person_id = $1")
            .bind(person)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account)
            .transpose()
    }

    async fn account_by_login(&self, login_key: &[u8]) -> Result<Option<Account>, StoreError> {
        sqlx::query("select * from accounts where login_key = $1")
            .bind(login_key)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account)
            .transpose()
    }

    async fn set_login(
        &self,
        person: Uuid,
        login_key: &[u8],
        login_sealed: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "update accounts set login_key = $2, login_sealed = $3 where person_id = $1",
        )
        .bind(person)
        .bind(login_key)
        .bind(login_sealed)
        .execute(&self.pool)
        .await
        .map_err(login_taken)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_password(&self, person: Uuid, hash: Option<&str>) -> Result<bool, StoreError> {
        let done = sqlx::query("update accounts set password_hash = $2 where person_id = $1")
            .bind(person)
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn close_account(&self, person: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(close_where(self, Closing::Person, person, at).await? == 1)
    }

    async fn close_tenant(&self, tenant: Uuid, at: DateTime<Utc>) -> Result<u64, StoreError> {
        close_where(self, Closing::Tenant, tenant, at).await
    }

    async fn issue(&self, token_hash: &[u8; 32], c: &NewCredential) -> Result<(), StoreError> {
        sqlx::query(
            "insert into credentials (token_hash, id, kind, tenant_id, person_id, role, label, \
             data, created_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&token_hash[..])
        .bind(c.id)
        .bind(c.kind.as_str())
        .bind(c.tenant_id)
        .bind(c.person_id)
        .bind(&c.role)
        .bind(&c.label)
        .bind(&c.data)
        .bind(c.created_at)
        .bind(c.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn credential(&self, token_hash: &[u8; 32]) -> Result<Option<Credential>, StoreError> {
        sqlx::query(&format!(
            "select {CREDENTIAL_COLUMNS} from credentials where token_hash = $1"
        ))
        .bind(&token_hash[..])
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(credential)
        .transpose()
    }

    async fn redeem(
        &self,
        token_hash: &[u8; 32],
        kinds: &[CredentialKind],
        now: DateTime<Utc>,
    ) -> Result<Option<Credential>, StoreError> {
        sqlx::query(&format!(
            "update credentials set used_at = $2 where token_hash = $1 and kind = any($3) \
             and used_at is null and revoked_at is null and expires_at > $2 \
             returning {CREDENTIAL_COLUMNS}"
        ))
        .bind(&token_hash[..])
        .bind(now)
        .bind(kind_names(kinds))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(credential)
        .transpose()
    }

    async fn revoke(&self, person: Uuid, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "update credentials set revoked_at = $3 \
             where person_id = $1 and id = $2 and revoked_at is null",
        )
        .bind(person)
        .bind(id)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_all(
        &self,
        person: Uuid,
        kinds: &[CredentialKind],
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "update credentials set revoked_at = $3 \
             where person_id = $1 and kind = any($2) and revoked_at is null",
        )
        .bind(person)
        .bind(kind_names(kinds))
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn credentials_of(
        &self,
        person: Uuid,
        kind: CredentialKind,
        now: DateTime<Utc>,
    ) -> Result<Vec<Credential>, StoreError> {
        sqlx::query(&format!(
            "select {CREDENTIAL_COLUMNS} from credentials where person_id = $1 and kind = $2 \
             and revoked_at is null and used_at is null and expires_at > $3 \
             order by created_at desc, id"
        ))
        .bind(person)
        .bind(kind.as_str())
        .bind(now)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(credential)
        .collect()
    }

    async fn purge(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let gone = sqlx::query(
            "delete from credentials where expires_at < $1 or used_at < $1 or revoked_at < $1",
        )
        .bind(before)
        .execute(&self.pool)
        .await?;
        sqlx::query("delete from sign_in_failures where window_start < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(gone.rows_affected())
    }

    async fn note_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let failures: i32 = sqlx::query_scalar(
            "insert into sign_in_failures (key, window_start, failures) values ($1, $2, 1) \
             on conflict (key) do update set \
             failures = case when sign_in_failures.window_start < $3 then 1 \
                             else sign_in_failures.failures + 1 end, \
             window_start = case when sign_in_failures.window_start < $3 then $2 \
                                 else sign_in_failures.window_start end \
             returning failures",
        )
        .bind(key)
        .bind(now)
        .bind(window_start)
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(failures).unwrap_or(0))
    }

    async fn failures(&self, key: &str, window_start: DateTime<Utc>) -> Result<u32, StoreError> {
        let failures: Option<i32> = sqlx::query_scalar(
            "select failures from sign_in_failures where key = $1 and window_start >= $2",
        )
        .bind(key)
        .bind(window_start)
        .fetch_optional(&self.pool)
        .await?;
        Ok(failures.and_then(|f| u32::try_from(f).ok()).unwrap_or(0))
    }

    async fn clear_failures(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("delete from sign_in_failures where key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn record_access(&self, records: &[AccessRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        // Many rows per statement: a busy server writes thousands of rows a second.
        for chunk in records.chunks(ACCESS_ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::new(
                "insert into access_entries (entry_id, at, tenant_id, reader_id, reader_role, \
                 resource, request_id) ",
            );
            insert.push_values(chunk, |mut row, e| {
                row.push_bind(e.entry_id)
                    .push_bind(e.at)
                    .push_bind(e.tenant_id)
                    .push_bind(e.reader_id)
                    .push_bind(&e.reader_role)
                    .push_bind(&e.resource)
                    .push_bind(&e.request_id);
            });
            insert.push(" on conflict do nothing");
            insert.build().execute(&mut *tx).await?;
        }
        let packs = access_pack::pack(records);
        for chunk in packs.chunks(ACCESS_ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::new(
                "insert into access_packs (subject_id, at, pack_id, entries) ",
            );
            insert.push_values(chunk, |mut row, p| {
                row.push_bind(p.subject_id)
                    .push_bind(p.at)
                    .push_bind(p.pack_id)
                    .push_bind(&p.entries);
            });
            insert.push(" on conflict do nothing");
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn access_of(&self, subject: Uuid, limit: u32) -> Result<Vec<AccessEntry>, StoreError> {
        let pool = &self.pool;
        let opened = access_pack::newest(limit, |offset, size| async move {
            let rows = sqlx::query(
                "select at, entries from access_packs where subject_id = $1 \
                 order by at desc, pack_id limit $2 offset $3",
            )
            .bind(subject)
            .bind(size)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| Ok((row.try_get("at")?, row.try_get("entries")?)))
                .collect()
        })
        .await?;
        let ids: Vec<Uuid> = opened.iter().map(|e| e.entry_id).collect();
        let rows = sqlx::query(
            "select entry_id, tenant_id, reader_id, reader_role, resource, request_id \
             from access_entries where entry_id = any($1)",
        )
        .bind(&ids)
        .fetch_all(pool)
        .await?;
        let mut heads = HashMap::with_capacity(rows.len());
        for row in &rows {
            heads.insert(
                row.try_get("entry_id")?,
                EntryHead {
                    tenant_id: row.try_get("tenant_id")?,
                    reader_id: row.try_get("reader_id")?,
                    reader_role: row.try_get("reader_role")?,
                    resource: row.try_get("resource")?,
                    request_id: row.try_get("request_id")?,
                },
            );
        }
        access_pack::assemble(subject, opened, &heads)
    }
}

//! Accounts, credentials, sign-in failures and the access log in the SQLite file (see
//! [`IdentityStore`]). Writes go through the one writer connection, like appends.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Connection, Row};
use uuid::Uuid;

use super::{db_error, SqliteStore};
use crate::access_pack::{self, EntryHead};
use crate::error::{StoreError, StoreErrorKind};
use crate::hash::to_micros;
use crate::identity::{
    AccessEntry, AccessRecord, Account, Closing, Credential, CredentialKind, IdentityStore,
    NewCredential,
};

/// Access-log rows per insert statement (9 parameters each, well within both databases'
/// limits on parameters per statement).
const ACCESS_ROWS_PER_STATEMENT: usize = 500;

const CREDENTIAL_COLUMNS: &str = "id, kind, tenant_id, person_id, role, label, data, created_at, \
     expires_at, used_at, revoked_at";

fn time(micros: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| StoreError::new(StoreErrorKind::Corrupt, "a stored time is out of range"))
}

fn optional_time(micros: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    micros.map(time).transpose()
}

/// A unique violation on the login key means the name is taken: the caller's input.
fn login_taken(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            return StoreError::new(
                StoreErrorKind::InvalidInput,
                "this login name belongs to another account",
            );
        }
    }
    db_error(err)
}

fn account(row: &SqliteRow) -> Result<Account, StoreError> {
    Ok(Account {
        person_id: row.try_get("person_id").map_err(db_error)?,
        tenant_id: row.try_get("tenant_id").map_err(db_error)?,
        login_key: row.try_get("login_key").map_err(db_error)?,
        login_sealed: row.try_get("login_sealed").map_err(db_error)?,
        password_hash: row.try_get("password_hash").map_err(db_error)?,
        created_at: time(row.try_get("created_at").map_err(db_error)?)?,
        closed_at: optional_time(row.try_get("closed_at").map_err(db_error)?)?,
    })
}

fn credential(row: &SqliteRow) -> Result<Credential, StoreError> {
    let kind: String = row.try_get("kind").map_err(db_error)?;
    let kind = CredentialKind::parse(&kind).ok_or_else(|| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!("a credential has an unknown kind {kind:?}"),
        )
    })?;
    Ok(Credential {
        issued: NewCredential {
            id: row.try_get("id").map_err(db_error)?,
            kind,
            tenant_id: row.try_get("tenant_id").map_err(db_error)?,
            person_id: row.try_get("person_id").map_err(db_error)?,
            role: row.try_get("role").map_err(db_error)?,
            label: row.try_get("label").map_err(db_error)?,
            data: row.try_get("data").map_err(db_error)?,
            created_at: time(row.try_get("created_at").map_err(db_error)?)?,
            expires_at: time(row.try_get("expires_at").map_err(db_error)?)?,
        },
        used_at: optional_time(row.try_get("used_at").map_err(db_error)?)?,
        revoked_at: optional_time(row.try_get("revoked_at").map_err(db_error)?)?,
    })
}

/// Closes the open accounts of one person or one tenant and revokes their credentials, in one
/// transaction; returns how many accounts were closed.
async fn close_where(
    store: &SqliteStore,
    whose: Closing,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let column = whose.column();
    let mut writer = store.inner.writer.lock().await;
    let mut tx = writer
        .begin_with("begin immediate")
        .await
        .map_err(db_error)?;
    let done = sqlx::query(&format!(
        "update accounts set closed_at = ?1, password_hash = null \
         where {column} = ?2 and closed_at is null"
    ))
    .bind(to_micros(at))
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    sqlx::query(&format!(
        "update credentials set revoked_at = ?1 where {column} = ?2 and revoked_at is null"
    ))
    .bind(to_micros(at))
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(done.rows_affected())
}

/// `kind in ('a', 'b')`: the kinds are our own constants, never a caller's text.
fn kinds_in(kinds: &[CredentialKind]) -> String {
    let names: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.as_str())).collect();
    format!("kind in ({})", names.join(", "))
}

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn create_account(&self, account: &Account) -> Result<bool, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let done = sqlx::query(
            "insert into accounts (person_id, tenant_id, login_key, login_sealed, password_hash, \
             created_at, closed_at) values (?, ?, ?, ?, ?, ?, ?) \
             on conflict (person_id) do nothing",
        )
        .bind(account.person_id)
        .bind(account.tenant_id)
        .bind(&account.login_key)
        .bind(&account.login_sealed)
        .bind(&account.password_hash)
        .bind(to_micros(account.created_at))
        .bind(account.closed_at.map(to_micros))
        .execute(&mut *writer)
        .await
        .map_err(login_taken)?;
        Ok(done.rows_affected() == 1)
    }

    async fn account(&self, person: Uuid) -> Result<Option<Account>, StoreError> {
        sqlx::query("select * from accounts where person_id = ?")
            .bind(person)
            .fetch_optional(&self.inner.readers)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(account)
            .transpose()
    }

    async fn account_by_login(&self, login_key: &[u8]) -> Result<Option<Account>, StoreError> {
        sqlx::query("select * from accounts where login_key = ?")
            .bind(login_key)
            .fetch_optional(&self.inner.readers)
            .await
            .map_err(db_error)?
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
        let mut writer = self.inner.writer.lock().await;
        let done =
            sqlx::query("update accounts set login_key = ?, login_sealed = ? where person_id = ?")
                .bind(login_key)
                .bind(login_sealed)
                .bind(person)
                .execute(&mut *writer)
                .await
                .map_err(login_taken)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_password(&self, person: Uuid, hash: Option<&str>) -> Result<bool, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let done = sqlx::query("update accounts set password_hash = ? where person_id = ?")
            .bind(hash)
            .bind(person)
            .execute(&mut *writer)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn close_account(&self, person: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(close_where(self, Closing::Person, person, at).await? == 1)
    }

    async fn close_tenant(&self, tenant: Uuid, at: DateTime<Utc>) -> Result<u64, StoreError> {
        close_where(self, Closing::Tenant, tenant, at).await
    }

    async fn issue(&self, token_hash: &[u8; 32], c: &NewCredential) -> Result<(), StoreError> {
        let mut writer = self.inner.writer.lock().await;
        sqlx::query(
            "insert into credentials (token_hash, id, kind, tenant_id, person_id, role, label, \
             data, created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&token_hash[..])
        .bind(c.id)
        .bind(c.kind.as_str())
        .bind(c.tenant_id)
        .bind(c.person_id)
        .bind(&c.role)
        .bind(&c.label)
        .bind(&c.data)
        .bind(to_micros(c.created_at))
        .bind(to_micros(c.expires_at))
        .execute(&mut *writer)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn credential(&self, token_hash: &[u8; 32]) -> Result<Option<Credential>, StoreError> {
        sqlx::query(&format!(
            "select {CREDENTIAL_COLUMNS} from credentials where token_hash = ?"
        ))
        .bind(&token_hash[..])
        .fetch_optional(&self.inner.readers)
        .await
        .map_err(db_error)?
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
        let mut writer = self.inner.writer.lock().await;
        sqlx::query(&format!(
            "update credentials set used_at = ?1 where token_hash = ?2 and {} \
             and used_at is null and revoked_at is null and expires_at > ?1 \
             returning {CREDENTIAL_COLUMNS}",
            kinds_in(kinds)
        ))
        .bind(to_micros(now))
        .bind(&token_hash[..])
        .fetch_optional(&mut *writer)
        .await
        .map_err(db_error)?
        .as_ref()
        .map(credential)
        .transpose()
    }

    async fn revoke(&self, person: Uuid, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let done = sqlx::query(
            "update credentials set revoked_at = ? \
             where person_id = ? and id = ? and revoked_at is null",
        )
        .bind(to_micros(at))
        .bind(person)
        .bind(id)
        .execute(&mut *writer)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_all(
        &self,
        person: Uuid,
        kinds: &[CredentialKind],
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let done = sqlx::query(&format!(
            "update credentials set revoked_at = ? \
             where person_id = ? and {} and revoked_at is null",
            kinds_in(kinds)
        ))
        .bind(to_micros(at))
        .bind(person)
        .execute(&mut *writer)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected())
    }

    async fn credentials_of(
        &self,
        person: Uuid,
        kind: CredentialKind,
        now: DateTime<Utc>,
    ) -> Result<Vec<Credential>, StoreError> {
        sqlx::query(&format!(
            "select {CREDENTIAL_COLUMNS} from credentials where person_id = ? and kind = ? \
             and revoked_at is null and used_at is null and expires_at > ? \
             order by created_at desc, id"
        ))
        .bind(person)
        .bind(kind.as_str())
        .bind(to_micros(now))
        .fetch_all(&self.inner.readers)
        .await
        .map_err(db_error)?
        .iter()
        .map(credential)
        .collect()
    }

    async fn purge(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let at = to_micros(before);
        let gone = sqlx::query(
            "delete from credentials where expires_at < ?1 or used_at < ?1 or revoked_at < ?1",
        )
        .bind(at)
        .execute(&mut *writer)
        .await
        .map_err(db_error)?;
        sqlx::query("delete from sign_in_failures where window_start < ?")
            .bind(at)
            .execute(&mut *writer)
            .await
            .map_err(db_error)?;
        Ok(gone.rows_affected())
    }

    async fn note_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let failures: i64 = sqlx::query_scalar(
            "insert into sign_in_failures (key, window_start, failures) values (?1, ?2, 1) \
             on conflict (key) do update set \
             failures = case when sign_in_failures.window_start < ?3 then 1 \
                             else sign_in_failures.failures + 1 end, \
             window_start = case when sign_in_failures.window_start < ?3 then ?2 \
                                 else sign_in_failures.window_start end \
             returning failures",
        )
        .bind(key)
        .bind(to_micros(now))
        .bind(to_micros(window_start))
        .fetch_one(&mut *writer)
        .await
        .map_err(db_error)?;
        Ok(u32::try_from(failures).unwrap_or(0))
    }

    async fn failures(&self, key: &str, window_start: DateTime<Utc>) -> Result<u32, StoreError> {
        let failures: Option<i64> = sqlx::query_scalar(
            "select failures from sign_in_failures where key = ? and window_start >= ?",
        )
        .bind(key)
        .bind(to_micros(window_start))
        .fetch_optional(&self.inner.readers)
        .await
        .map_err(db_error)?;
        Ok(failures.and_then(|f| u32::try_from(f).ok()).unwrap_or(0))
    }

    async fn clear_failures(&self, key: &str) -> Result<(), StoreError> {
        let mut writer = self.inner.writer.lock().await;
        sqlx::query("delete from sign_in_failures where key = ?")
            .bind(key)
            .execute(&mut *writer)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn record_access(&self, records: &[AccessRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut writer = self.inner.writer.lock().await;
        let mut tx = writer
            .begin_with("begin immediate")
            .await
            .map_err(db_error)?;
        // Many rows per statement: a busy server writes thousands of rows a second.
        for chunk in records.chunks(ACCESS_ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::new(
                "insert into access_entries (entry_id, at, tenant_id, reader_id, reader_role, \
                 resource, request_id) ",
            );
            insert.push_values(chunk, |mut row, e| {
                row.push_bind(e.entry_id)
                    .push_bind(to_micros(e.at))
                    .push_bind(e.tenant_id)
                    .push_bind(e.reader_id)
                    .push_bind(&e.reader_role)
                    .push_bind(&e.resource)
                    .push_bind(&e.request_id);
            });
            insert.push(" on conflict do nothing");
            insert.build().execute(&mut *tx).await.map_err(db_error)?;
        }
        let packs = access_pack::pack(records);
        for chunk in packs.chunks(ACCESS_ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::new(
                "insert into access_packs (subject_id, at, pack_id, entries) ",
            );
            insert.push_values(chunk, |mut row, p| {
                row.push_bind(p.subject_id)
                    .push_bind(to_micros(p.at))
                    .push_bind(p.pack_id)
                    .push_bind(&p.entries);
            });
            insert.push(" on conflict do nothing");
            insert.build().execute(&mut *tx).await.map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(())
    }

    async fn access_of(&self, subject: Uuid, limit: u32) -> Result<Vec<AccessEntry>, StoreError> {
        let readers = &self.inner.readers;
        let opened = access_pack::newest(limit, |offset, size| async move {
            let rows = sqlx::query(
                "select at, entries from access_packs where subject_id = ? \
                 order by at desc, pack_id limit ? offset ?",
            )
            .bind(subject)
            .bind(size)
            .bind(offset)
            .fetch_all(readers)
            .await
            .map_err(db_error)?;
            rows.iter()
                .map(|row| {
                    Ok((
                        time(row.try_get("at").map_err(db_error)?)?,
                        row.try_get("entries").map_err(db_error)?,
                    ))
                })
                .collect()
        })
        .await?;
        let mut heads = HashMap::with_capacity(opened.len());
        for chunk in opened.chunks(ACCESS_ROWS_PER_STATEMENT) {
            let mut select = sqlx::QueryBuilder::new(
                "select entry_id, tenant_id, reader_id, reader_role, resource, request_id \
                 from access_entries where entry_id in ",
            );
            select.push_tuples(chunk, |mut row, e| {
                row.push_bind(e.entry_id);
            });
            for row in select.build().fetch_all(readers).await.map_err(db_error)? {
                heads.insert(
                    row.try_get("entry_id").map_err(db_error)?,
                    EntryHead {
                        tenant_id: row.try_get("tenant_id").map_err(db_error)?,
                        reader_id: row.try_get("reader_id").map_err(db_error)?,
                        reader_role: row.try_get("reader_role").map_err(db_error)?,
                        resource: row.try_get("resource").map_err(db_error)?,
                        request_id: row.try_get("request_id").map_err(db_error)?,
                    },
                );
            }
        }
        access_pack::assemble(subject, opened, &heads)
    }
}

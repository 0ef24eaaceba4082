//! Checks of the identity tables: accounts, credentials (single use, revocation, expiry),
//! sign-in failure windows and the access log.

use super::*;
use crate::identity::{AccessRecord, Account, CredentialKind, IdentityStore, NewCredential};

fn an_account(person: Uuid, tenant: Uuid, login: Option<&[u8]>) -> Account {
    Account {
        person_id: person,
        tenant_id: tenant,
        login_key: login.map(<[u8]>::to_vec),
        login_sealed: login.map(|_| "{\"$sealed\":{}}".to_owned()),
        password_hash: None,
        created_at: micros(1_700_000_000_000_000),
        closed_at: None,
    }
}

fn a_credential(kind: CredentialKind, person: Uuid, expires_at: DateTime<Utc>) -> NewCredential {
    NewCredential {
        id: Uuid::new_v4(),
        kind,
        tenant_id: Uuid::new_v4(),
        person_id: person,
        role: Some("connector".into()),
        label: Some("a label".into()),
        data: None,
        created_at: micros(1_700_000_000_000_000),
        expires_at,
    }
}

fn token(n: u8) -> [u8; 32] {
    let mut t = [0u8; 32];
    t[0] = n;
    t[31] = n.wrapping_mul(7);
    t
}

/// An account is created once, found by person and by login key; a login key is one person's.
pub async fn an_account_is_created_once_and_found_by_its_login(ids: &dyn IdentityStore) {
    let (person, tenant) = (Uuid::new_v4(), Uuid::new_v4());
    let account = an_account(person, tenant, Some(b"login-key-1"));
    assert!(ids.create_account(&account).await.expect("created"));
    assert!(
        !ids.create_account(&account).await.expect("answered"),
        "a second account for one person is not made"
    );
    assert_eq!(
        ids.account(person).await.expect("read"),
        Some(account.clone())
    );
    assert_eq!(
        ids.account_by_login(b"login-key-1").await.expect("read"),
        Some(account)
    );
    assert_eq!(ids.account_by_login(b"nobody").await.expect("read"), None);

    let other = an_account(Uuid::new_v4(), tenant, Some(b"login-key-1"));
    let error = ids
        .create_account(&other)
        .await
        .expect_err("a login key belongs to one account");
    assert_eq!(*error.kind(), StoreErrorKind::InvalidInput);

    let second = an_account(Uuid::new_v4(), tenant, None);
    assert!(ids.create_account(&second).await.expect("created"));
    let error = ids
        .set_login(second.person_id, b"login-key-1", "{}")
        .await
        .expect_err("a taken login cannot be set");
    assert_eq!(*error.kind(), StoreErrorKind::InvalidInput);
    assert!(ids
        .set_login(second.person_id, b"login-key-2", "{}")
        .await
        .expect("set"));
    assert_eq!(
        ids.account_by_login(b"login-key-2")
            .await
            .expect("read")
            .map(|a| a.person_id),
        Some(second.person_id)
    );
}

/// A password hash is set, replaced and removed; closing an account revokes its credentials.
pub async fn passwords_are_set_and_closing_revokes_everything(ids: &dyn IdentityStore) {
    let person = Uuid::new_v4();
    assert!(!ids.set_password(person, Some("x")).await.expect("answered"));
    ids.create_account(&an_account(person, Uuid::new_v4(), None))
        .await
        .expect("created");
    assert!(ids
        .set_password(person, Some("$argon2id$1"))
        .await
        .expect("set"));
    assert_eq!(
        ids.account(person)
            .await
            .expect("read")
            .and_then(|a| a.password_hash),
        Some("$argon2id$1".to_owned())
    );
    let later = micros(1_900_000_000_000_000);
    ids.issue(
        &token(1),
        &a_credential(CredentialKind::Session, person, later),
    )
    .await
    .expect("issued");
    let now = micros(1_800_000_000_000_000);
    assert!(ids.close_account(person, now).await.expect("closed"));
    assert!(!ids.close_account(person, now).await.expect("answered"));
    let account = ids.account(person).await.expect("read").expect("kept");
    assert_eq!(account.closed_at, Some(now));
    assert_eq!(
        account.password_hash, None,
        "a closed account has no password"
    );
    let session = ids
        .credential(&token(1))
        .await
        .expect("read")
        .expect("kept");
    assert!(!session.is_live(now), "closing revokes every credential");
}

/// A link is redeemed once: a second redemption, an expired link or one of another kind gives
/// nothing.
pub async fn a_link_is_redeemed_once_and_only_while_live(ids: &dyn IdentityStore) {
    let person = Uuid::new_v4();
    let now = micros(1_800_000_000_000_000);
    let soon = micros(1_800_000_900_000_000);
    let link = a_credential(CredentialKind::SignInLink, person, soon);
    ids.issue(&token(2), &link).await.expect("issued");
    assert_eq!(
        ids.redeem(&token(2), &[CredentialKind::Invitation], now)
            .await
            .expect("answered"),
        None,
        "a link of another kind is not redeemed"
    );
    let used = ids
        .redeem(&token(2), &[CredentialKind::SignInLink], now)
        .await
        .expect("answered")
        .expect("a live link is redeemed");
    assert_eq!(used.issued, link);
    assert_eq!(used.used_at, Some(now));
    assert_eq!(
        ids.redeem(&token(2), &[CredentialKind::SignInLink], now)
            .await
            .expect("answered"),
        None,
        "a link is used once"
    );

    ids.issue(
        &token(3),
        &a_credential(CredentialKind::SignInLink, person, soon),
    )
    .await
    .expect("issued");
    assert_eq!(
        ids.redeem(&token(3), &[CredentialKind::SignInLink], soon)
            .await
            .expect("answered"),
        None,
        "an expired link is not redeemed"
    );
    assert_eq!(
        ids.redeem(&token(9), &[CredentialKind::SignInLink], now)
            .await
            .expect("answered"),
        None,
        "an unknown token redeems nothing"
    );
}

/// Credentials are listed live and newest first, revoked one by one or all of a kind.
pub async fn credentials_are_listed_and_revoked(ids: &dyn IdentityStore) {
    let person = Uuid::new_v4();
    let now = micros(1_800_000_000_000_000);
    let later = micros(1_900_000_000_000_000);
    let mut first = a_credential(CredentialKind::Bearer, person, later);
    first.created_at = micros(1_700_000_000_000_000);
    let mut second = a_credential(CredentialKind::Bearer, person, later);
    second.created_at = micros(1_700_000_100_000_000);
    let expired = a_credential(CredentialKind::Bearer, person, now);
    ids.issue(&token(4), &first).await.expect("issued");
    ids.issue(&token(5), &second).await.expect("issued");
    ids.issue(&token(6), &expired).await.expect("issued");
    ids.issue(
        &token(7),
        &a_credential(CredentialKind::Session, person, later),
    )
    .await
    .expect("issued");

    let listed: Vec<Uuid> = ids
        .credentials_of(person, CredentialKind::Bearer, now)
        .await
        .expect("listed")
        .into_iter()
        .map(|c| c.issued.id)
        .collect();
    assert_eq!(listed, [second.id, first.id], "live ones, newest first");

    assert!(ids.revoke(person, first.id, now).await.expect("revoked"));
    assert!(!ids.revoke(person, first.id, now).await.expect("answered"));
    assert!(
        !ids.revoke(Uuid::new_v4(), second.id, now)
            .await
            .expect("answered"),
        "only its owner revokes a credential"
    );
    let revoked = ids
        .credential(&token(4))
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(revoked.revoked_at, Some(now));

    let n = ids
        .revoke_all(person, &[CredentialKind::Session], now)
        .await
        .expect("revoked");
    assert_eq!(n, 1, "only the kinds named are revoked");
    assert_eq!(
        ids.credentials_of(person, CredentialKind::Bearer, now)
            .await
            .expect("listed")
            .len(),
        1
    );

    // A month on, what stopped working is purged; what still works stays.
    let month_later = micros(1_802_600_000_000_000);
    let purged = ids.purge(month_later).await.expect("purged");
    assert_eq!(
        purged, 3,
        "the revoked bearer, the expired one and the revoked session"
    );
    assert!(ids.credential(&token(4)).await.expect("read").is_none());
    assert!(
        ids.credential(&token(5)).await.expect("read").is_some(),
        "a live token stays"
    );
}

/// Failures count within their window, start again after it, and are cleared on success.
pub async fn sign_in_failures_count_within_their_window(ids: &dyn IdentityStore) {
    let t0 = micros(1_800_000_000_000_000);
    let t1 = micros(1_800_000_060_000_000);
    let t2 = micros(1_800_001_000_000_000);
    let window = |now: DateTime<Utc>| now - chrono::Duration::minutes(15);
    assert_eq!(
        ids.note_failure("acct:a", t0, window(t0))
            .await
            .expect("counted"),
        1
    );
    assert_eq!(
        ids.note_failure("acct:a", t1, window(t1))
            .await
            .expect("counted"),
        2
    );
    assert_eq!(ids.failures("acct:a", window(t1)).await.expect("read"), 2);
    assert_eq!(ids.failures("acct:b", window(t1)).await.expect("read"), 0);
    assert_eq!(
        ids.failures("acct:a", window(t2)).await.expect("read"),
        0,
        "a passed window counts nothing"
    );
    assert_eq!(
        ids.note_failure("acct:a", t2, window(t2))
            .await
            .expect("counted"),
        1,
        "a new window starts at one"
    );
    ids.clear_failures("acct:a").await.expect("cleared");
    assert_eq!(ids.failures("acct:a", window(t2)).await.expect("read"), 0);
}

/// The access log keeps every entry of a batch, with each person it showed, and answers per
/// person, newest first; writing the same entry again changes nothing.
pub async fn the_access_log_answers_per_subject_newest_first(ids: &dyn IdentityStore) {
    let (tenant, reader, subject, other) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let record = |us: i64, subjects: Vec<(Uuid, &str)>| AccessRecord {
        entry_id: Uuid::new_v4(),
        at: micros(us),
        tenant_id: tenant,
        reader_id: reader,
        reader_role: "connector".into(),
        resource: "GET /v1/requests/{id}".into(),
        request_id: Some("r-1".into()),
        subjects: subjects
            .into_iter()
            .map(|(s, f)| (s, f.to_owned()))
            .collect(),
    };
    let first = record(
        1_800_000_000_000_000,
        vec![(subject, "name,contact"), (other, "description")],
    );
    let second = record(1_800_000_100_000_000, vec![(subject, "description")]);
    let batch = vec![first.clone(), second.clone()];
    ids.record_access(&batch).await.expect("recorded");
    ids.record_access(&[])
        .await
        .expect("an empty batch is fine");
    ids.record_access(&batch[..1])
        .await
        .expect("a retried batch is fine");
    let rows = |r: &AccessRecord, who: Uuid| {
        r.entries()
            .filter(|e| e.subject_id == who)
            .collect::<Vec<_>>()
    };
    let seen = ids.access_of(subject, 10).await.expect("read");
    assert_eq!(
        seen,
        [rows(&second, subject), rows(&first, subject)].concat()
    );
    assert_eq!(seen[1].fields, "name,contact");
    assert_eq!(ids.access_of(subject, 1).await.expect("read").len(), 1);
    assert_eq!(
        ids.access_of(other, 10).await.expect("read"),
        rows(&first, other)
    );
    assert!(ids
        .access_of(Uuid::new_v4(), 10)
        .await
        .expect("read")
        .is_empty());
}

/// A person read by many responses over many batches, some batches written twice in other
/// shapes (a retried write): every entry comes back once, newest first, however many the
/// reader asks for.
pub async fn the_access_log_keeps_every_entry_once_over_many_batches(ids: &dyn IdentityStore) {
    let (tenant, reader, subject, other) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let mut all = Vec::new();
    for batch in 0..30_i64 {
        // Batches of 1 to 4 entries whose times interleave with the next batch's.
        let records: Vec<AccessRecord> = (0..=(batch % 4))
            .map(|n| AccessRecord {
                entry_id: Uuid::new_v4(),
                at: micros(1_800_000_000_000_000 + batch * 1_000 + n * 700),
                tenant_id: tenant,
                reader_id: reader,
                reader_role: "resident".into(),
                resource: "GET /v1/feed".into(),
                request_id: None,
                subjects: vec![
                    (subject, format!("description-{batch}-{n}")),
                    (other, "name".into()),
                ],
            })
            .collect();
        ids.record_access(&records).await.expect("recorded");
        if batch % 3 == 0 {
            ids.record_access(&records[records.len() / 2..])
                .await
                .expect("a retried part of the batch");
        }
        all.extend(records);
    }
    let mut expected: Vec<_> = all
        .iter()
        .flat_map(|r| r.entries().filter(|e| e.subject_id == subject))
        .collect();
    expected.sort_by(|a, b| b.at.cmp(&a.at).then(a.entry_id.cmp(&b.entry_id)));
    for limit in [1, 5, 16, 17, 40, 74, 75, 200] {
        let seen = ids.access_of(subject, limit).await.expect("read");
        let want = &expected[..expected.len().min(limit as usize)];
        assert_eq!(seen, want, "the newest {limit}");
    }
}

//! Checks of the per-person key store: a key is stored once, and erasure is for good.

use super::*;

/// A subject's key is stored once: a second put keeps (and returns) the first key.
pub async fn a_subject_key_is_stored_once_and_kept(keys: &dyn KeyStore) {
    let (tenant, subject) = (Uuid::new_v4(), Uuid::new_v4());
    assert_eq!(
        keys.get_key(subject).await.expect("the key store reads"),
        None,
        "no key yet"
    );

    let first = keys
        .put_key_if_absent(tenant, subject, vec![1, 2, 3])
        .await
        .expect("a key is stored");
    let second = keys
        .put_key_if_absent(tenant, subject, vec![9, 9, 9])
        .await
        .expect("a put is answered");

    assert_eq!(first, SubjectKey::Wrapped(vec![1, 2, 3]));
    assert_eq!(
        second,
        SubjectKey::Wrapped(vec![1, 2, 3]),
        "the first key is kept"
    );
    assert_eq!(
        keys.get_key(subject).await.expect("the key store reads"),
        Some(first)
    );
    let other = keys
        .put_key_if_absent(tenant, Uuid::new_v4(), vec![4])
        .await
        .expect("a key is stored");
    assert_eq!(
        other,
        SubjectKey::Wrapped(vec![4]),
        "another subject has a key of its own"
    );
}

/// Erasing a key destroys it for good: what remains is a tombstone, no new key is ever made
/// for the subject, and erasing again (or erasing a subject that never had a key) erases
/// nothing.
pub async fn an_erased_key_is_gone_for_good(keys: &dyn KeyStore) {
    let (tenant, subject) = (Uuid::new_v4(), Uuid::new_v4());
    keys.put_key_if_absent(tenant, subject, vec![7; 32])
        .await
        .expect("a key is stored");
    let kept = Uuid::new_v4();
    keys.put_key_if_absent(tenant, kept, vec![8; 32])
        .await
        .expect("a key is stored");

    let erased = keys
        .erase_key(subject)
        .await
        .expect("the key can be erased");
    let tombstone = keys.get_key(subject).await.expect("the key store reads");
    let put_again = keys
        .put_key_if_absent(tenant, subject, vec![1; 32])
        .await
        .expect("a put is answered");
    let erased_again = keys.erase_key(subject).await.expect("an erase is answered");
    let never_had_one = keys
        .erase_key(Uuid::new_v4())
        .await
        .expect("an erase is answered");

    assert!(erased, "the key was there to erase");
    let Some(SubjectKey::Erased(at)) = tombstone else {
        panic!("an erased key reads as a tombstone, not {tombstone:?}");
    };
    assert_eq!(
        put_again,
        SubjectKey::Erased(at),
        "no new key is made for an erased subject"
    );
    assert!(!erased_again, "a tombstone has nothing left to erase");
    assert!(
        !never_had_one,
        "a subject without a key has nothing to erase"
    );
    assert_eq!(
        keys.get_key(kept).await.expect("the key store reads"),
        Some(SubjectKey::Wrapped(vec![8; 32])),
        "other subjects' keys are untouched"
    );
}

/// Erasing a subject that never had a key (nothing personal was sealed yet) still leaves a
/// tombstone: no key can be made for them afterwards.
pub async fn erasing_a_subject_without_a_key_still_forbids_one_later(keys: &dyn KeyStore) {
    let (tenant, subject) = (Uuid::new_v4(), Uuid::new_v4());
    let erased = keys.erase_key(subject).await.expect("an erase is answered");
    let put = keys
        .put_key_if_absent(tenant, subject, vec![3; 32])
        .await
        .expect("a put is answered");
    assert!(!erased, "there was no key to destroy");
    assert!(
        matches!(put, SubjectKey::Erased(_)),
        "no key is made for an erased subject, got {put:?}"
    );
}

/// Rotating the master key rewraps every live key: what was sealed under the old key opens
/// under the new one, an erased subject stays erased, and running it again changes nothing.
pub async fn rotating_the_master_key_rewraps_every_live_key<K>(keys: &K)
where
    K: KeyStore + Clone + 'static,
{
    use crate::privacy::{rotate_master_key, MasterKey, Privacy, Rotation};
    let (old, new) = (MasterKey::generate(), MasterKey::generate());
    let tenant = Uuid::new_v4();
    let before = Privacy::new(old.clone(), std::sync::Arc::new(keys.clone()));
    let mut sealed = Vec::new();
    for text in ["Anna", "Bram", "Carla"] {
        let subject = Uuid::new_v4();
        sealed.push((
            subject,
            before
                .seal_text(tenant, subject, text)
                .await
                .expect("sealed"),
            text,
        ));
    }
    before.erase(sealed[2].0).await.expect("erased");

    let report = rotate_master_key(keys, &old, &new).await.expect("rotated");
    assert_eq!(report.rotated, 2, "{report:?}");
    let again = rotate_master_key(keys, &old, &new)
        .await
        .expect("run again");
    assert_eq!(
        again,
        Rotation {
            rotated: 0,
            already: 2,
            gone: 0
        }
    );

    let after = Privacy::new(new, std::sync::Arc::new(keys.clone()));
    for (_, text_sealed, text) in &sealed[..2] {
        assert_eq!(
            after
                .open_text(text_sealed)
                .await
                .expect("opens")
                .as_deref(),
            Some(*text)
        );
    }
    assert_eq!(
        after.open_text(&sealed[2].1).await.expect("answers"),
        None,
        "still erased"
    );
    let stale = Privacy::new(old, std::sync::Arc::new(keys.clone()));
    assert!(
        stale.open_text(&sealed[0].1).await.is_err(),
        "the old key opens nothing any more"
    );
}

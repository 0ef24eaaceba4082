//! Live credentials resolved lately, by the hash of their token, so that a busy client's every
//! call does not ask the database who it is (ADR 0035).
//!
//! An entry is trusted for [`TTL`] at most; a credential ended through [`super::Identity`] on
//! this instance (sign-out, token revocation, password reset) empties the cache at once, and
//! one ended on another instance stops working here within [`TTL`]. Whether the person still
//! holds the credential's role is not cached: it is checked against the log on every call.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;
use noaber_store::identity::Credential;

/// How long a resolved credential is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(2);
/// How many credentials are kept.
const CAPACITY: usize = 10_000;

/// Token hash to the credential and when it was read.
type Entries = LruCache<[u8; 32], (Credential, Instant)>;

/// The cache of one instance.
#[derive(Clone, Debug)]
pub struct CredentialCache {
    entries: Arc<Mutex<Entries>>,
}

impl Default for CredentialCache {
    fn default() -> Self {
        let capacity = NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: Arc::new(Mutex::new(LruCache::new(capacity))),
        }
    }
}

impl CredentialCache {
    /// The credential of `hash`, if it was read less than [`TTL`] ago.
    pub fn get(&self, hash: &[u8; 32]) -> Option<Credential> {
        let mut entries = self.entries.lock().ok()?;
        match entries.get(hash) {
            Some((credential, read)) if read.elapsed() < TTL => Some(credential.clone()),
            Some(_) => {
                entries.pop(hash);
                None
            }
            None => None,
        }
    }

    /// Remembers the credential of `hash`, read just now.
    pub fn put(&self, hash: [u8; 32], credential: Credential) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.put(hash, (credential, Instant::now()));
        }
    }

    /// Forgets everything: a credential was ended.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

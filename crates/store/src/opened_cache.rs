//! Personal values opened lately, kept in memory for as long as keys are, so that a page showing
//! the same descriptions again does not decrypt them again (ADR 0035). A value is found by its
//! nonce and returned only for the same subject, scope and ciphertext; every value of a person
//! or scope is dropped when that person or scope is erased or forgotten.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use lru::LruCache;
use uuid::Uuid;

use crate::privacy::CacheLimits;

/// One opened value.
struct Entry {
    subject: Uuid,
    scope: Option<Uuid>,
    ciphertext: u64,
    text: Arc<str>,
    at: Instant,
}

/// Opened values by the nonce they were sealed with.
pub(crate) struct OpenedCache {
    limits: CacheLimits,
    entries: Mutex<LruCache<Box<str>, Entry>>,
}

/// Which sealed value: its nonce, subject, scope and ciphertext, as stored.
pub(crate) struct SealedRef<'a> {
    pub(crate) nonce: &'a str,
    pub(crate) subject: Uuid,
    pub(crate) scope: Option<Uuid>,
    pub(crate) ciphertext: &'a str,
}

fn digest(ciphertext: &str) -> u64 {
    let mut h = DefaultHasher::new();
    ciphertext.hash(&mut h);
    h.finish()
}

impl OpenedCache {
    pub(crate) fn new(limits: CacheLimits) -> Self {
        Self {
            limits,
            entries: Mutex::new(LruCache::new(limits.capacity)),
        }
    }

    /// The text of `value`, if it was opened less than the keys' lifetime ago.
    pub(crate) fn get(&self, value: &SealedRef<'_>) -> Option<String> {
        let mut entries = self.entries.lock().ok()?;
        let entry = entries.get(value.nonce)?;
        let same = entry.subject == value.subject
            && entry.scope == value.scope
            && entry.ciphertext == digest(value.ciphertext);
        if !same {
            return None;
        }
        if entry.at.elapsed() >= self.limits.time_to_live {
            entries.pop(value.nonce);
            return None;
        }
        Some(entry.text.to_string())
    }

    /// Remembers the text of `value`, opened just now.
    pub(crate) fn put(&self, value: &SealedRef<'_>, text: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.put(
                value.nonce.into(),
                Entry {
                    subject: value.subject,
                    scope: value.scope,
                    ciphertext: digest(value.ciphertext),
                    text: text.into(),
                    at: Instant::now(),
                },
            );
        }
    }

    /// Drops every value of `id`, as their person or as their scope.
    pub(crate) fn forget(&self, id: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            let gone: Vec<Box<str>> = entries
                .iter()
                .filter(|(_, e)| e.subject == id || e.scope == Some(id))
                .map(|(nonce, _)| nonce.clone())
                .collect();
            for nonce in gone {
                entries.pop(&nonce);
            }
        }
    }
}

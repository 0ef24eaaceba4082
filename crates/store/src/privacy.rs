//! Privacy at the log's boundary: personal data is encrypted per data subject before an event
//! is stored, and decrypted (or shown as erased) when it is read.
//!
//! The domain marks every name, contact detail, address and free text as personal data, which
//! serialises as `{"$pii": {"subject": "<uuid>", "text": "..."}}`. [`Privacy::seal`] replaces
//! each such object with `{"$sealed": {"subject", "alg", "nonce", "ct"}}`: the text encrypted
//! with XChaCha20-Poly1305 under the subject's own key, the subject id bound in as associated
//! data. Subject keys live in the [`KeyStore`], wrapped by the master key from configuration.
//! [`Privacy::unseal`] turns `$sealed` back into clear `$pii`, or into
//! `{"$pii": {"subject", "erased": true}}` once the subject's key has been destroyed.
//!
//! A value that names a key **scope** (a request: `"scope": "<uuid>"`) is sealed under a key
//! derived from both its subject's key and the scope's own key, and the scope id is bound in as
//! associated data too: destroying either key (erasing the person, or the request's retention
//! period ending) makes it unreadable (ADR 0033).
//!
//! Erasure ([`Privacy::erase`]) destroys the key and nothing else: every stored byte of the log,
//! and therefore its hash chain, stays as it was (see ADR 0011).
//!
//! Opened keys are cached, bounded in number and in age ([`CacheLimits`]). Another instance that
//! erases someone cannot reach this cache, so each instance's read-model follower calls
//! [`Privacy::forget`] when it sees `PersonErased`; the age limit bounds how long a key could
//! outlive its erasure should that event be missed.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{KeyStore, StoreError, SubjectKey};

/// The algorithm name written into every sealed value, so a future change can be recognised.
pub const ALG: &str = "xchacha20poly1305";
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// Why personal data could not be sealed or unsealed.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// The master key is missing, malformed, or not the one the subject keys were wrapped with.
    #[error("the master key is not usable: {0}")]
    MasterKey(String),
    /// The person was erased: no new personal data may be written about them.
    #[error("person {0} was erased; personal data about them can no longer be recorded")]
    SubjectErased(Uuid),
    /// A `$pii` or `$sealed` value does not have the expected shape.
    #[error("a personal-data field is malformed: {0}")]
    Malformed(String),
    /// A sealed value does not decrypt with its subject's key: it was altered.
    #[error("a personal-data field of person {0} does not decrypt: it was altered or the wrong master key is configured")]
    Undecryptable(Uuid),
    /// The key store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The master key that wraps every subject key. Never logged: its `Debug` prints nothing secret.
#[derive(Clone)]
pub struct MasterKey([u8; KEY_LEN]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<secret>)")
    }
}

impl MasterKey {
    /// A new random master key.
    pub fn generate() -> Self {
        let mut key = [0u8; KEY_LEN];
        OsRng.fill_bytes(&mut key);
        Self(key)
    }

    /// Parses a master key from its base64 text (32 bytes once decoded).
    pub fn from_base64(text: &str) -> Result<Self, PrivacyError> {
        let bytes = B64.decode(text.trim()).map_err(|_| {
            PrivacyError::MasterKey(
                "it is not valid base64 (expected 32 bytes, base64-encoded)".into(),
            )
        })?;
        let key: [u8; KEY_LEN] = bytes.try_into().map_err(|b: Vec<u8>| {
            PrivacyError::MasterKey(format!("it is {} bytes long; 32 are needed", b.len()))
        })?;
        Ok(Self(key))
    }

    /// The base64 text of the key, for writing it to a key file.
    pub fn to_base64(&self) -> String {
        B64.encode(self.0)
    }

    /// Reads the key from `path`, or, when the file does not exist, generates one and writes it
    /// there (readable by the owner only). Returns the key and whether it was generated.
    pub fn load_or_generate(path: &Path) -> Result<(Self, bool), PrivacyError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok((Self::from_base64(&text)?, false)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                write_private(path, &key.to_base64()).map_err(|e| {
                    PrivacyError::MasterKey(format!("cannot write {}: {e}", path.display()))
                })?;
                Ok((key, true))
            }
            Err(e) => Err(PrivacyError::MasterKey(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    fn wrap(&self, subject: Uuid, key: &[u8; KEY_LEN]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ct = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: key,
                    aad: subject.as_bytes(),
                },
            )
            .expect("encrypting 32 bytes in memory cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        out
    }

    fn unwrap_key(&self, subject: Uuid, wrapped: &[u8]) -> Result<[u8; KEY_LEN], PrivacyError> {
        if wrapped.len() <= NONCE_LEN {
            return Err(PrivacyError::MasterKey(format!(
                "the stored key of person {subject} is truncated"
            )));
        }
        let (nonce, ct) = wrapped.split_at(NONCE_LEN);
        let key = self
            .cipher()
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: subject.as_bytes() })
            .map_err(|_| {
                PrivacyError::MasterKey(format!(
                    "the key of person {subject} does not unwrap: is this the master key the data was written with?"
                ))
            })?;
        key.try_into().map_err(|_| {
            PrivacyError::MasterKey(format!("the key of person {subject} has the wrong length"))
        })
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// What a rotation of the master key did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rotation {
    /// Keys now wrapped by the new master key.
    pub rotated: u64,
    /// Keys that already were (a rotation run again after an interruption).
    pub already: u64,
    /// Keys erased or replaced while the rotation ran (nothing to do for them).
    pub gone: u64,
}

/// Whether `master` opens the keys stored in `keys`: tries up to `sample` of them and says how
/// many it opened; an error names the first it could not open (the wrong master key).
pub async fn check_master_key(
    keys: &dyn KeyStore,
    master: &MasterKey,
    sample: u32,
) -> Result<usize, PrivacyError> {
    let page = keys.wrapped_keys(None, sample).await?;
    for (subject, wrapped) in &page {
        master.unwrap_key(*subject, wrapped)?;
    }
    Ok(page.len())
}

/// Wraps every person's key in `keys` by `new` instead of `old`, page by page. Each key is
/// replaced only if it is still the one read (an erasure meanwhile wins), and a key `old`
/// cannot open but `new` can counts as already rotated, so an interrupted rotation is simply
/// run again. Instances holding `old` must restart with `new` once it is done.
pub async fn rotate_master_key(
    keys: &dyn KeyStore,
    old: &MasterKey,
    new: &MasterKey,
) -> Result<Rotation, PrivacyError> {
    let mut report = Rotation::default();
    let mut after = None;
    loop {
        let page = keys.wrapped_keys(after, 500).await?;
        let Some((last, _)) = page.last() else {
            return Ok(report);
        };
        after = Some(*last);
        for (subject, wrapped) in page {
            let key = match old.unwrap_key(subject, &wrapped) {
                Ok(key) => key,
                Err(e) => {
                    if new.unwrap_key(subject, &wrapped).is_ok() {
                        report.already += 1;
                        continue;
                    }
                    return Err(e);
                }
            };
            if keys
                .replace_wrapped(subject, &wrapped, &new.wrap(subject, &key))
                .await?
            {
                report.rotated += 1;
            } else {
                report.gone += 1;
            }
        }
    }
}

/// Where the embedded default keeps its generated master key: `<data_dir>/master.key`.
pub fn default_master_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("master.key")
}

#[derive(Clone)]
enum Cached {
    Key([u8; KEY_LEN]),
    Erased,
}

/// How many opened keys a [`Privacy`] keeps in memory, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheLimits {
    /// The most subjects cached at once; the least recently used is dropped first.
    pub capacity: NonZeroUsize,
    /// How long a cached key is trusted before the key store is asked again.
    pub time_to_live: Duration,
}

impl Default for CacheLimits {
    /// 10,000 subjects (about 0.5 MB) for 5 minutes: enough to keep a busy neighbourhood's
    /// people warm, short enough that a missed erasure notice cannot keep a key alive long.
    fn default() -> Self {
        Self {
            capacity: NonZeroUsize::new(10_000).unwrap_or(NonZeroUsize::MIN),
            time_to_live: Duration::from_secs(300),
        }
    }
}

/// Seals and unseals personal data in event payloads, with per-subject keys.
pub struct Privacy {
    master: MasterKey,
    keys: Arc<dyn KeyStore>,
    limits: CacheLimits,
    cache: Mutex<lru::LruCache<Uuid, (Instant, Cached)>>,
    opened: crate::opened_cache::OpenedCache,
}

impl std::fmt::Debug for Privacy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Privacy")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl Privacy {
    /// A codec over `keys`, with subject keys wrapped by `master` and the default cache limits.
    pub fn new(master: MasterKey, keys: Arc<dyn KeyStore>) -> Self {
        Self::with_cache_limits(master, keys, CacheLimits::default())
    }

    /// A codec whose key cache keeps at most `limits.capacity` subjects for `limits.time_to_live`.
    pub fn with_cache_limits(
        master: MasterKey,
        keys: Arc<dyn KeyStore>,
        limits: CacheLimits,
    ) -> Self {
        Self {
            master,
            keys,
            limits,
            cache: Mutex::new(lru::LruCache::new(limits.capacity)),
            opened: crate::opened_cache::OpenedCache::new(limits),
        }
    }

    fn cached(&self, subject: Uuid) -> Option<Cached> {
        let mut cache = self.cache.lock().ok()?;
        match cache.get(&subject) {
            Some((at, entry)) if at.elapsed() < self.limits.time_to_live => Some(entry.clone()),
            Some(_) => {
                cache.pop(&subject);
                None
            }
            None => None,
        }
    }

    fn remember(&self, subject: Uuid, entry: Cached) {
        if let Ok(mut c) = self.cache.lock() {
            c.put(subject, (Instant::now(), entry));
        }
    }

    /// How many subjects' keys (or erasure marks) are cached now.
    pub fn cached_subjects(&self) -> usize {
        self.cache.lock().map_or(0, |c| c.len())
    }

    /// The subject's key, made and stored when they have none yet.
    async fn key_for_writing(
        &self,
        tenant: Uuid,
        subject: Uuid,
    ) -> Result<[u8; KEY_LEN], PrivacyError> {
        match self.cached(subject) {
            Some(Cached::Key(k)) => return Ok(k),
            Some(Cached::Erased) => return Err(PrivacyError::SubjectErased(subject)),
            None => {}
        }
        let mut fresh = [0u8; KEY_LEN];
        OsRng.fill_bytes(&mut fresh);
        let wrapped = self.master.wrap(subject, &fresh);
        match self
            .keys
            .put_key_if_absent(tenant, subject, wrapped)
            .await?
        {
            SubjectKey::Wrapped(w) => {
                let key = self.master.unwrap_key(subject, &w)?;
                self.remember(subject, Cached::Key(key));
                Ok(key)
            }
            SubjectKey::Erased(_) => {
                self.remember(subject, Cached::Erased);
                Err(PrivacyError::SubjectErased(subject))
            }
        }
    }

    /// The subject's key for reading, or `None` when it was erased or never existed.
    async fn key_for_reading(&self, subject: Uuid) -> Result<Option<[u8; KEY_LEN]>, PrivacyError> {
        match self.cached(subject) {
            Some(Cached::Key(k)) => return Ok(Some(k)),
            Some(Cached::Erased) => return Ok(None),
            None => {}
        }
        match self.keys.get_key(subject).await? {
            Some(SubjectKey::Wrapped(w)) => {
                let key = self.master.unwrap_key(subject, &w)?;
                self.remember(subject, Cached::Key(key));
                Ok(Some(key))
            }
            Some(SubjectKey::Erased(_)) => {
                self.remember(subject, Cached::Erased);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    /// Encrypts every clear `$pii` value in `payload` under its subject's key (creating the key
    /// on first use). Already sealed or erased values are left as they are.
    pub async fn seal(&self, tenant: Uuid, payload: &mut Value) -> Result<(), PrivacyError> {
        let mut found = Vec::new();
        collect(payload, "$pii", &mut found);
        for path in found {
            let Some(node) = at_path(payload, &path) else {
                continue;
            };
            let Some(Pii {
                subject,
                scope,
                text: Some(text),
            }) = parse_pii(node)?
            else {
                continue;
            };
            let mut key = self.key_for_writing(tenant, subject).await?;
            if let Some(scope) = scope {
                key = scoped_key(&key, &self.key_for_writing(tenant, scope).await?);
            }
            let cipher = XChaCha20Poly1305::new((&key).into());
            let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
            let ct = cipher
                .encrypt(
                    &nonce,
                    Payload {
                        msg: text.as_bytes(),
                        aad: &aad(subject, scope),
                    },
                )
                .expect("encrypting in memory cannot fail");
            let mut inner = Map::new();
            inner.insert("subject".into(), Value::String(subject.to_string()));
            if let Some(scope) = scope {
                inner.insert("scope".into(), Value::String(scope.to_string()));
            }
            inner.insert("alg".into(), Value::String(ALG.into()));
            inner.insert("nonce".into(), Value::String(B64.encode(nonce)));
            inner.insert("ct".into(), Value::String(B64.encode(ct)));
            let mut outer = Map::new();
            outer.insert("$sealed".into(), Value::Object(inner));
            *node = Value::Object(outer);
        }
        Ok(())
    }

    /// Decrypts every `$sealed` value in `payload` into clear `$pii`, or marks it erased when
    /// its subject's key is gone.
    pub async fn unseal(&self, payload: &mut Value) -> Result<(), PrivacyError> {
        let mut found = Vec::new();
        collect(payload, "$sealed", &mut found);
        for path in found {
            let Some(node) = at_path(payload, &path) else {
                continue;
            };
            let sealed = parse_sealed(node)?;
            let text = self.open_parts(&sealed).await?;
            *node = pii(sealed.subject, sealed.scope, text);
        }
        Ok(())
    }

    /// Opens one sealed value given as the object under its `$sealed` (as read models keep it):
    /// its text, or `None` when its subject was erased. Cheaper than [`Privacy::unseal`] on a
    /// payload: no walk over a document.
    ///
    /// A value opened lately is answered from memory (ADR 0035), for as long as keys are kept
    /// and never after its person or scope was erased or forgotten here.
    pub async fn open_sealed(&self, inner: &Value) -> Result<Option<String>, PrivacyError> {
        let inner = inner
            .as_object()
            .ok_or_else(|| PrivacyError::Malformed("$sealed is not an object".into()))?;
        let text = |name: &str| inner.get(name).and_then(Value::as_str);
        let known = match (text("nonce"), text("ct")) {
            (Some(nonce), Some(ciphertext)) => Some(crate::opened_cache::SealedRef {
                nonce,
                subject: subject_of(inner)?,
                scope: scope_of(inner)?,
                ciphertext,
            }),
            _ => None,
        };
        if let Some(text) = known.as_ref().and_then(|k| self.opened.get(k)) {
            return Ok(Some(text));
        }
        let opened = self.open_parts(&parse_sealed_inner(inner)?).await?;
        if let (Some(known), Some(text)) = (&known, &opened) {
            self.opened.put(known, text);
        }
        Ok(opened)
    }

    async fn open_parts(&self, sealed: &Sealed) -> Result<Option<String>, PrivacyError> {
        let Some(mut key) = self.key_for_reading(sealed.subject).await? else {
            return Ok(None);
        };
        if let Some(scope) = sealed.scope {
            let Some(scope_key) = self.key_for_reading(scope).await? else {
                return Ok(None);
            };
            key = scoped_key(&key, &scope_key);
        }
        let cipher = XChaCha20Poly1305::new((&key).into());
        let clear = cipher
            .decrypt(
                XNonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ct,
                    aad: &aad(sealed.subject, sealed.scope),
                },
            )
            .map_err(|_| PrivacyError::Undecryptable(sealed.subject))?;
        String::from_utf8(clear)
            .map(Some)
            .map_err(|_| PrivacyError::Malformed("a decrypted field is not UTF-8 text".into()))
    }

    /// Erases a person: destroys their key, so every sealed field about them reads as erased
    /// from now on, everywhere. Returns false when they had no key (nothing was ever sealed).
    pub async fn erase(&self, subject: Uuid) -> Result<bool, PrivacyError> {
        let erased = self.keys.erase_key(subject).await?;
        self.remember(subject, Cached::Erased);
        self.opened.forget(subject);
        Ok(erased)
    }

    /// A keyed digest of `value` for `purpose` (HMAC-SHA-256 under a key derived from the master
    /// key): finds a record by a secret or personal value without storing the value (a blind
    /// index of a login name), or derives a per-session value (the CSRF token of a session).
    /// The same purpose and value give the same digest on every instance sharing the master key.
    pub fn digest(&self, purpose: &str, value: &[u8]) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut derive = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.master.0)
            .expect("HMAC takes a key of any length");
        derive.update(b"noaber digest v1: ");
        derive.update(purpose.as_bytes());
        let key = derive.finalize().into_bytes();
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key)
            .expect("HMAC takes a key of any length");
        mac.update(value);
        mac.finalize().into_bytes().into()
    }

    /// Seals one text about `subject` of `tenant`, as the JSON text of its sealed form.
    pub async fn seal_text(
        &self,
        tenant: Uuid,
        subject: Uuid,
        text: &str,
    ) -> Result<String, PrivacyError> {
        let mut value = pii(subject, None, Some(text.to_owned()));
        self.seal(tenant, &mut value).await?;
        Ok(value.to_string())
    }

    /// Opens a text sealed by [`Privacy::seal_text`]: `None` when its subject was erased.
    pub async fn open_text(&self, sealed: &str) -> Result<Option<String>, PrivacyError> {
        let mut value: Value = serde_json::from_str(sealed)
            .map_err(|e| PrivacyError::Malformed(format!("a sealed text is not JSON: {e}")))?;
        self.unseal(&mut value).await?;
        Ok(value
            .get("$pii")
            .and_then(|v| v.get("text"))
            .and_then(Value::as_str)
            .map(str::to_owned))
    }

    /// Forgets the cached key of `subject`, so the next use asks the key store, which knows
    /// whether another instance erased them. Called by the read-model follower for every
    /// `PersonErased` it sees.
    pub fn forget(&self, subject: Uuid) {
        if let Ok(mut c) = self.cache.lock() {
            c.pop(&subject);
        }
        self.opened.forget(subject);
    }
}

/// The key of a scoped value: both the subject's key and the scope's key are needed for it.
fn scoped_key(subject_key: &[u8; KEY_LEN], scope_key: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(subject_key)
        .expect("HMAC takes a key of any length");
    mac.update(b"noaber scoped key v1: ");
    mac.update(scope_key);
    mac.finalize().into_bytes().into()
}

/// The associated data a value is sealed with: its subject, and its scope when it has one.
fn aad(subject: Uuid, scope: Option<Uuid>) -> Vec<u8> {
    let mut out = subject.as_bytes().to_vec();
    if let Some(scope) = scope {
        out.extend_from_slice(scope.as_bytes());
    }
    out
}

fn pii(subject: Uuid, scope: Option<Uuid>, text: Option<String>) -> Value {
    let mut inner = Map::new();
    inner.insert("subject".into(), Value::String(subject.to_string()));
    if let Some(scope) = scope {
        inner.insert("scope".into(), Value::String(scope.to_string()));
    }
    match text {
        Some(t) => inner.insert("text".into(), Value::String(t)),
        None => inner.insert("erased".into(), Value::Bool(true)),
    };
    let mut outer = Map::new();
    outer.insert("$pii".into(), Value::Object(inner));
    Value::Object(outer)
}

/// A path to a node inside a JSON value: object keys and array indices.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Collects the paths of every object whose only key is `marker`.
fn collect(value: &Value, marker: &str, out: &mut Vec<Vec<Step>>) {
    fn walk(value: &Value, marker: &str, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match value {
            Value::Object(map) => {
                if map.len() == 1 && map.contains_key(marker) {
                    out.push(path.clone());
                    return;
                }
                for (k, v) in map {
                    path.push(Step::Key(k.clone()));
                    walk(v, marker, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    walk(v, marker, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    walk(value, marker, &mut Vec::new(), out);
}

fn at_path<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut node = value;
    for step in path {
        node = match step {
            Step::Key(k) => node.get_mut(k.as_str())?,
            Step::Index(i) => node.get_mut(*i)?,
        };
    }
    Some(node)
}

fn subject_of(inner: &Map<String, Value>) -> Result<Uuid, PrivacyError> {
    inner
        .get("subject")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| PrivacyError::Malformed("the subject is missing or not a UUID".into()))
}

/// The parts of a `$pii` node.
struct Pii {
    subject: Uuid,
    scope: Option<Uuid>,
    /// `None` when the value is marked erased.
    text: Option<String>,
}

/// The parts of a `$pii` node, if `node` is one.
fn parse_pii(node: &Value) -> Result<Option<Pii>, PrivacyError> {
    let Some(inner) = node.get("$pii").and_then(Value::as_object) else {
        return Ok(None);
    };
    Ok(Some(Pii {
        subject: subject_of(inner)?,
        scope: scope_of(inner)?,
        text: inner.get("text").and_then(Value::as_str).map(str::to_owned),
    }))
}

/// The key scope of a personal value, if it names one.
fn scope_of(inner: &Map<String, Value>) -> Result<Option<Uuid>, PrivacyError> {
    inner
        .get("scope")
        .map(|s| {
            s.as_str()
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| PrivacyError::Malformed("the scope is not a UUID".into()))
        })
        .transpose()
}

struct Sealed {
    subject: Uuid,
    scope: Option<Uuid>,
    nonce: Vec<u8>,
    ct: Vec<u8>,
}

fn parse_sealed(node: &Value) -> Result<Sealed, PrivacyError> {
    let inner = node
        .get("$sealed")
        .and_then(Value::as_object)
        .ok_or_else(|| PrivacyError::Malformed("$sealed is not an object".into()))?;
    parse_sealed_inner(inner)
}

/// The parts of a sealed value from the object under its `$sealed`.
fn parse_sealed_inner(inner: &Map<String, Value>) -> Result<Sealed, PrivacyError> {
    let subject = subject_of(inner)?;
    if inner.get("alg").and_then(Value::as_str) != Some(ALG) {
        return Err(PrivacyError::Malformed(format!(
            "unknown algorithm for person {subject}"
        )));
    }
    let field = |name: &str| {
        inner
            .get(name)
            .and_then(Value::as_str)
            .and_then(|s| B64.decode(s).ok())
            .ok_or_else(|| {
                PrivacyError::Malformed(format!("the {name} of a sealed field is missing"))
            })
    };
    let nonce = field("nonce")?;
    if nonce.len() != NONCE_LEN {
        return Err(PrivacyError::Malformed(
            "a sealed field's nonce has the wrong length".into(),
        ));
    }
    Ok(Sealed {
        subject,
        scope: scope_of(inner)?,
        nonce,
        ct: field("ct")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use chrono::Utc;
    use serde_json::json;
    use std::collections::HashMap;

    #[derive(Debug, Default)]
    struct MemKeys(Mutex<HashMap<Uuid, SubjectKey>>);

    #[async_trait]
    impl KeyStore for MemKeys {
        async fn put_key_if_absent(
            &self,
            _t: Uuid,
            s: Uuid,
            w: Vec<u8>,
        ) -> Result<SubjectKey, StoreError> {
            let mut m = self.0.lock().expect("test lock");
            Ok(m.entry(s).or_insert(SubjectKey::Wrapped(w)).clone())
        }
        async fn get_key(&self, s: Uuid) -> Result<Option<SubjectKey>, StoreError> {
            Ok(self.0.lock().expect("test lock").get(&s).cloned())
        }
        async fn erase_key(&self, s: Uuid) -> Result<bool, StoreError> {
            let mut m = self.0.lock().expect("test lock");
            let had = matches!(m.get(&s), Some(SubjectKey::Wrapped(_)));
            m.insert(s, SubjectKey::Erased(Utc::now()));
            Ok(had)
        }
    }

    fn privacy() -> Privacy {
        Privacy::new(MasterKey::generate(), Arc::new(MemKeys::default()))
    }

    #[tokio::test]
    async fn sealing_hides_the_text_and_unsealing_gives_it_back() {
        let p = privacy();
        let subject = Uuid::now_v7();
        let mut payload = json!({
            "request_id": "x",
            "description": {"$pii": {"subject": subject.to_string(), "text": "Mevrouw Jansen, Dorpsstraat 12"}},
            "answers": [{"$pii": {"subject": subject.to_string(), "text": "06-12345678"}}]
        });
        let original = payload.clone();
        p.seal(Uuid::nil(), &mut payload).await.expect("seals");
        let stored = payload.to_string();
        assert!(
            !stored.contains("Jansen") && !stored.contains("06-1234"),
            "{stored}"
        );
        assert!(stored.contains("$sealed"));
        p.unseal(&mut payload).await.expect("unseals");
        assert_eq!(payload, original);
    }

    #[tokio::test]
    async fn a_scoped_value_needs_both_keys_and_ends_with_its_scope_alone() {
        let p = privacy();
        let (subject, request, other_request) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let scoped = |scope: Uuid, text: &str| json!({"$pii": {"subject": subject.to_string(), "scope": scope.to_string(), "text": text}});
        let mut payload = json!({
            "description": scoped(request, "boodschappen voor mevrouw"),
            "other": scoped(other_request, "een lamp ophangen"),
            "name": {"$pii": {"subject": subject.to_string(), "text": "Anna"}},
        });
        let original = payload.clone();
        p.seal(Uuid::nil(), &mut payload).await.expect("seals");
        assert_eq!(
            payload["description"]["$sealed"]["scope"],
            json!(request.to_string()),
            "the scope is kept beside the ciphertext"
        );
        let mut opened = payload.clone();
        p.unseal(&mut opened).await.expect("unseals");
        assert_eq!(opened, original);

        // Moving a sealed value into another scope does not open it: the scope is bound in.
        let mut moved = payload.clone();
        moved["description"]["$sealed"]["scope"] = json!(other_request.to_string());
        assert!(matches!(
            p.unseal(&mut moved).await,
            Err(PrivacyError::Undecryptable(_))
        ));

        p.erase(request)
            .await
            .expect("the scope's key is destroyed");
        let mut after = payload.clone();
        p.unseal(&mut after).await.expect("unseals");
        assert_eq!(after["description"]["$pii"]["erased"], json!(true));
        assert_eq!(
            after["other"], original["other"],
            "another scope is untouched"
        );
        assert_eq!(
            after["name"], original["name"],
            "the person's own data is untouched"
        );

        p.erase(subject).await.expect("the person is erased");
        let mut gone = payload;
        p.unseal(&mut gone).await.expect("unseals");
        assert_eq!(gone["other"]["$pii"]["erased"], json!(true));
        assert_eq!(gone["name"]["$pii"]["erased"], json!(true));
    }

    #[tokio::test]
    async fn after_erasure_sealed_fields_read_as_erased_and_new_ones_are_refused() {
        let p = privacy();
        let subject = Uuid::now_v7();
        let mut payload =
            json!({"name": {"$pii": {"subject": subject.to_string(), "text": "Piet"}}});
        p.seal(Uuid::nil(), &mut payload).await.expect("seals");
        let sealed = payload.clone();
        assert!(p.erase(subject).await.expect("erases"));
        p.unseal(&mut payload).await.expect("unseals");
        assert_eq!(
            payload,
            json!({"name": {"$pii": {"subject": subject.to_string(), "erased": true}}})
        );
        let mut again = json!({"name": {"$pii": {"subject": subject.to_string(), "text": "Piet"}}});
        assert!(matches!(
            p.seal(Uuid::nil(), &mut again).await,
            Err(PrivacyError::SubjectErased(s)) if s == subject
        ));
        // The stored bytes themselves never changed.
        assert!(sealed.to_string().contains("$sealed"));
    }

    #[tokio::test]
    async fn a_tampered_ciphertext_is_an_error_not_garbage() {
        let p = privacy();
        let subject = Uuid::now_v7();
        let mut payload = json!({"n": {"$pii": {"subject": subject.to_string(), "text": "Piet"}}});
        p.seal(Uuid::nil(), &mut payload).await.expect("seals");
        let ct = payload["n"]["$sealed"]["ct"]
            .as_str()
            .expect("ct")
            .to_owned();
        let mut bytes = B64.decode(ct).expect("b64");
        bytes[0] ^= 1;
        payload["n"]["$sealed"]["ct"] = Value::String(B64.encode(bytes));
        assert!(matches!(
            p.unseal(&mut payload).await,
            Err(PrivacyError::Undecryptable(_))
        ));
    }

    #[test]
    fn a_master_key_round_trips_through_base64_and_rejects_the_wrong_length() {
        let k = MasterKey::generate();
        let back = MasterKey::from_base64(&k.to_base64()).expect("parses");
        assert_eq!(back.0, k.0);
        assert!(MasterKey::from_base64("c2hvcnQ=").is_err());
        assert!(format!("{k:?}").contains("secret"));
    }

    #[test]
    fn the_master_key_file_is_generated_once_and_then_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys/master.key");
        let (a, generated) = MasterKey::load_or_generate(&path).expect("generates");
        assert!(generated);
        let (b, generated) = MasterKey::load_or_generate(&path).expect("loads");
        assert!(!generated);
        assert_eq!(a.0, b.0);
    }

    #[tokio::test]
    async fn the_key_cache_never_holds_more_subjects_than_its_capacity() {
        let limits = CacheLimits {
            capacity: NonZeroUsize::new(3).expect("3 is not zero"),
            time_to_live: Duration::from_secs(60),
        };
        let privacy =
            Privacy::with_cache_limits(MasterKey::generate(), Arc::new(MemKeys::default()), limits);
        for _ in 0..10 {
            let subject = Uuid::now_v7();
            let mut payload = json!({ "$pii": { "subject": subject, "text": "x" } });
            privacy
                .seal(Uuid::nil(), &mut payload)
                .await
                .expect("seals");
        }
        assert_eq!(privacy.cached_subjects(), 3);
    }

    #[tokio::test]
    async fn an_expired_cache_entry_asks_the_key_store_again_and_sees_an_erasure() {
        let keys: Arc<MemKeys> = Arc::new(MemKeys::default());
        let master = MasterKey::generate();
        let limits = CacheLimits {
            capacity: NonZeroUsize::new(10).expect("10 is not zero"),
            time_to_live: Duration::ZERO,
        };
        let here = Privacy::with_cache_limits(master.clone(), keys.clone(), limits);
        let elsewhere = Privacy::new(master, keys);
        let subject = Uuid::now_v7();
        let mut payload = json!({ "$pii": { "subject": subject, "text": "Anna" } });
        here.seal(Uuid::nil(), &mut payload).await.expect("seals");
        elsewhere.erase(subject).await.expect("erases");
        let mut again = json!({ "$pii": { "subject": subject, "text": "Anna" } });
        let refused = here.seal(Uuid::nil(), &mut again).await;
        assert!(matches!(refused, Err(PrivacyError::SubjectErased(s)) if s == subject));
    }

    #[tokio::test]
    async fn an_opened_value_is_answered_from_memory_until_its_person_or_scope_is_forgotten() {
        let keys: Arc<MemKeys> = Arc::new(MemKeys::default());
        let master = MasterKey::generate();
        let here = Privacy::new(master.clone(), keys.clone());
        let elsewhere = Privacy::new(master, keys);
        let (subject, request) = (Uuid::now_v7(), Uuid::now_v7());
        let mut payload =
            json!({"d": {"$pii": {"subject": subject, "scope": request, "text": "Een lamp"}}});
        here.seal(Uuid::nil(), &mut payload).await.expect("seals");
        let inner = payload["d"]["$sealed"].clone();
        assert_eq!(
            here.open_sealed(&inner).await.expect("opens").as_deref(),
            Some("Een lamp")
        );
        // A copy that names another person is not answered from memory: that person has no key.
        let mut forged = inner.clone();
        forged["subject"] = json!(Uuid::now_v7());
        assert_eq!(here.open_sealed(&forged).await.expect("opens"), None);
        // The scope ends elsewhere; here it is still remembered until the scope is forgotten.
        elsewhere.erase(request).await.expect("the scope ends");
        assert!(here.open_sealed(&inner).await.expect("opens").is_some());
        here.forget(request);
        assert_eq!(here.open_sealed(&inner).await.expect("opens"), None);
        // Erasing the person here drops their values at once.
        let (other, mut again) = (
            Uuid::now_v7(),
            json!({"$pii": {"subject": Uuid::nil(), "text": "x"}}),
        );
        again["$pii"]["subject"] = json!(other);
        here.seal(Uuid::nil(), &mut again).await.expect("seals");
        let inner = again["$sealed"].clone();
        assert!(here.open_sealed(&inner).await.expect("opens").is_some());
        here.erase(other).await.expect("erases");
        assert_eq!(here.open_sealed(&inner).await.expect("opens"), None);
    }

    #[tokio::test]
    async fn forgetting_a_subject_makes_the_next_use_see_an_erasure_made_elsewhere() {
        let keys: Arc<MemKeys> = Arc::new(MemKeys::default());
        let master = MasterKey::generate();
        let here = Privacy::new(master.clone(), keys.clone());
        let elsewhere = Privacy::new(master, keys);
        let subject = Uuid::now_v7();
        let mut payload = json!({ "$pii": { "subject": subject, "text": "Anna" } });
        here.seal(Uuid::nil(), &mut payload).await.expect("seals");
        elsewhere.erase(subject).await.expect("erases");
        // Still cached here: the erasure elsewhere is not visible until the key is forgotten.
        let mut cached = json!({ "$pii": { "subject": subject, "text": "Anna" } });
        assert!(here.seal(Uuid::nil(), &mut cached).await.is_ok());
        here.forget(subject);
        let mut sealed = payload.clone();
        here.unseal(&mut sealed).await.expect("unseals");
        assert_eq!(sealed["$pii"]["erased"], json!(true));
    }
}

//! Who is calling: accounts, passwords, single-use links, sessions and bearer tokens, over the
//! store's [`IdentityStore`]; and the access log of personal data opened on read.
//!
//! Tokens are 256 random bits, shown once, stored only as their SHA-256. A login name (an email
//! address) is found by a keyed digest and kept sealed with its person's key. Passwords are
//! hashed with argon2id. Failed sign-ins are counted in the database per account and per client
//! address, so every instance sees the same counts, and a refusal never says whether an account
//! exists. ADR 0027 records the choices.

pub mod access_log;
pub mod bootstrap;
pub mod credential_cache;
pub mod sso;

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use noaber_domain::{PersonId, Role, TenantId};
use noaber_store::identity::{Account, Credential, CredentialKind, IdentityStore, NewCredential};
use noaber_store::privacy::{Privacy, PrivacyError};
use noaber_store::StoreError;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

pub use access_log::{AccessLog, Opened};

/// The limits and lifetimes of identity, with the defaults the README documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentitySettings {
    /// How long a browser session lasts after sign-in.
    pub session_ttl: Duration,
    /// How long a sign-in link works.
    pub sign_in_link_ttl: Duration,
    /// How long an invitation works.
    pub invitation_ttl: Duration,
    /// How long a password reset link works.
    pub reset_ttl: Duration,
    /// The longest a bearer token may live.
    pub max_token_ttl: Duration,
    /// Failed sign-ins per account within a window before further attempts are refused.
    pub account_failures: u32,
    /// Failed sign-ins per client address within a window before further attempts are refused.
    pub address_failures: u32,
    /// The window failures are counted in.
    pub failure_window: Duration,
}

impl Default for IdentitySettings {
    fn default() -> Self {
        Self {
            session_ttl: Duration::hours(12),
            sign_in_link_ttl: Duration::minutes(15),
            invitation_ttl: Duration::days(7),
            reset_ttl: Duration::hours(1),
            max_token_ttl: Duration::days(365),
            account_failures: 5,
            address_failures: 50,
            failure_window: Duration::minutes(15),
        }
    }
}

/// Why an identity operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The login name or password is not right, or the account cannot sign in; deliberately the
    /// same answer whichever it was.
    #[error("the email address or the password is not right")]
    SignInFailed,
    /// Too many failed sign-ins for this account or from this address.
    #[error("too many failed sign-ins; try again in {retry_after_secs} seconds")]
    TooManyAttempts {
        /// When to try again.
        retry_after_secs: u64,
    },
    /// The link was used, has expired, was revoked, or was never issued.
    #[error("this link cannot be used: it was used already, has expired, or was never issued; ask for a new one")]
    LinkNotValid,
    /// The new password is not acceptable.
    #[error("{0}")]
    WeakPassword(String),
    /// The login name is not an email address.
    #[error("{0}")]
    BadLogin(String),
    /// The login name belongs to another account.
    #[error("this email address belongs to another account")]
    LoginTaken,
    /// The identity tables could not be used.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Personal data could not be sealed or opened.
    #[error(transparent)]
    Privacy(#[from] PrivacyError),
    /// Hashing a password failed.
    #[error("a password could not be hashed: {0}")]
    Hashing(String),
}

/// A credential just issued, with its token: the one moment the token exists in clear.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The token to hand to its holder (in a link, a cookie or a client's configuration).
    pub token: String,
    /// What was stored.
    pub credential: NewCredential,
}

/// Accounts, sign-in and credentials: the one place that knows how identity is proven.
#[derive(Clone, Debug)]
pub struct Identity {
    store: Arc<dyn IdentityStore>,
    privacy: Arc<Privacy>,
    settings: IdentitySettings,
    access: AccessLog,
    credentials: credential_cache::CredentialCache,
}

/// The prefix of bearer tokens, so that a leaked one is recognisable (secret scanners).
pub const BEARER_PREFIX: &str = "nbr_";

/// A fresh random token: 256 bits, URL-safe base64 without padding.
fn fresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    B64.encode(bytes)
}

/// The SHA-256 of a token, under which its credential is stored.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The normal form of a login name: trimmed and lower-cased; it must look like an email address.
pub fn normalise_login(login: &str) -> Result<String, IdentityError> {
    let login = login.trim().to_lowercase();
    let valid = login.len() <= 254
        && login
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !login.chars().any(char::is_whitespace);
    if valid {
        Ok(login)
    } else {
        Err(IdentityError::BadLogin(
            "the login name must be an email address (name@example.org)".into(),
        ))
    }
}

/// Checks a new password: at least 10 characters and at most 200 (long passphrases welcome).
pub fn check_password(password: &str) -> Result<(), IdentityError> {
    let n = password.chars().count();
    if n < 10 {
        Err(IdentityError::WeakPassword(
            "the password must have at least 10 characters; a few words in a row make a good one"
                .into(),
        ))
    } else if n > 200 {
        Err(IdentityError::WeakPassword(
            "the password may have at most 200 characters".into(),
        ))
    } else {
        Ok(())
    }
}

/// A time cut to whole microseconds, the precision both stores keep.
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// Verifies `password` against `hash`; without a hash (no account, no password) it hashes the
/// password all the same and says no, so that an unknown login takes as long to refuse as a
/// wrong password.
fn verify(hash: Option<&str>, password: &str) -> bool {
    let argon = Argon2::default();
    match hash.and_then(|h| PasswordHash::new(h).ok()) {
        Some(parsed) => argon.verify_password(password.as_bytes(), &parsed).is_ok(),
        None => {
            let salt = SaltString::from_b64("bm9hYmVyLW5vLWFjY291bnQ").ok();
            if let Some(salt) = salt {
                let _ = argon.hash_password(password.as_bytes(), &salt);
            }
            false
        }
    }
}

impl Identity {
    /// Identity over `store`, sealing login names with `privacy`, writing the access log in
    /// batches (starts the writer task: call inside a tokio runtime).
    pub fn new(
        store: Arc<dyn IdentityStore>,
        privacy: Arc<Privacy>,
        settings: IdentitySettings,
    ) -> Self {
        let access = AccessLog::start(store.clone());
        Self {
            store,
            privacy,
            settings,
            access,
            credentials: credential_cache::CredentialCache::default(),
        }
    }

    /// The identity tables.
    pub fn store(&self) -> &Arc<dyn IdentityStore> {
        &self.store
    }

    /// The settings in force.
    pub fn settings(&self) -> &IdentitySettings {
        &self.settings
    }

    /// The access log writer.
    pub fn access_log(&self) -> &AccessLog {
        &self.access
    }

    /// The keyed digest under which a login name is found.
    pub fn login_key(&self, login: &str) -> Result<Vec<u8>, IdentityError> {
        let login = normalise_login(login)?;
        Ok(self.privacy.digest("login", login.as_bytes()).to_vec())
    }

    /// Makes sure `person` of `tenant` has an account, with `login` as its login name when
    /// given; returns the account.
    pub async fn ensure_account(
        &self,
        tenant: TenantId,
        person: PersonId,
        login: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Account, IdentityError> {
        let (login_key, login_sealed) = match login {
            Some(login) => {
                let normal = normalise_login(login)?;
                let key = self.login_key(&normal)?;
                let sealed = self
                    .privacy
                    .seal_text(tenant.as_uuid(), person.as_uuid(), &normal)
                    .await?;
                (Some(key), Some(sealed))
            }
            None => (None, None),
        };
        if let Some(mut existing) = self.store.account(person.as_uuid()).await? {
            if let (Some(key), Some(sealed)) = (login_key, login_sealed) {
                if existing.login_key.as_deref() != Some(key.as_slice()) {
                    self.store
                        .set_login(person.as_uuid(), &key, &sealed)
                        .await
                        .map_err(taken)?;
                    existing.login_key = Some(key);
                    existing.login_sealed = Some(sealed);
                }
            }
            return Ok(existing);
        }
        let account = Account {
            person_id: person.as_uuid(),
            tenant_id: tenant.as_uuid(),
            login_key,
            login_sealed,
            password_hash: None,
            created_at: micros(now),
            closed_at: None,
        };
        self.store.create_account(&account).await.map_err(taken)?;
        Ok(account)
    }

    /// The login name of `account` in clear, when it has one and its person was not erased.
    pub async fn login_of(&self, account: &Account) -> Result<Option<String>, IdentityError> {
        match &account.login_sealed {
            Some(sealed) => Ok(self.privacy.open_text(sealed).await?),
            None => Ok(None),
        }
    }

    /// Issues a credential of `kind` for `person`, working for `ttl`.
    #[allow(clippy::too_many_arguments)]
    pub async fn issue(
        &self,
        kind: CredentialKind,
        tenant: TenantId,
        person: PersonId,
        role: Option<Role>,
        label: Option<String>,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Result<Issued, IdentityError> {
        let token = match kind {
            CredentialKind::Bearer => format!("{BEARER_PREFIX}{}", fresh_token()),
            _ => fresh_token(),
        };
        let now = micros(now);
        let credential = NewCredential {
            id: Uuid::now_v7(),
            kind,
            tenant_id: tenant.as_uuid(),
            person_id: person.as_uuid(),
            role: role.map(|r| r.as_str().to_owned()),
            label,
            data: None,
            created_at: now,
            expires_at: now + ttl,
        };
        self.store.issue(&token_hash(&token), &credential).await?;
        Ok(Issued { token, credential })
    }

    /// Uses a single-use link of one of `kinds`.
    pub async fn redeem(
        &self,
        token: &str,
        kinds: &[CredentialKind],
        now: DateTime<Utc>,
    ) -> Result<Credential, IdentityError> {
        if token.is_empty() || token.len() > 200 {
            return Err(IdentityError::LinkNotValid);
        }
        self.store
            .redeem(&token_hash(token), kinds, micros(now))
            .await?
            .ok_or(IdentityError::LinkNotValid)
    }

    /// The live credential of `kind` that `token` stands for, if any.
    pub async fn resolve(
        &self,
        token: &str,
        kind: CredentialKind,
        now: DateTime<Utc>,
    ) -> Result<Option<Credential>, IdentityError> {
        if token.is_empty() || token.len() > 200 {
            return Ok(None);
        }
        let hash = token_hash(token);
        let found = match self.credentials.get(&hash) {
            Some(cached) => Some(cached),
            None => {
                let found = self.store.credential(&hash).await?;
                if let Some(credential) = found.as_ref().filter(|c| c.is_live(now)) {
                    self.credentials.put(hash, credential.clone());
                }
                found
            }
        };
        Ok(found.filter(|c| c.issued.kind == kind && c.is_live(now)))
    }

    /// Ends `person`'s credential `id` (a session at sign-out, a token they revoke); false when
    /// they have no such live credential. Effective at once on this instance, and within the
    /// credential cache's lifetime on the others.
    pub async fn revoke(
        &self,
        person: PersonId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, IdentityError> {
        let ended = self.store.revoke(person.as_uuid(), id, now).await?;
        self.credentials.clear();
        Ok(ended)
    }

    /// Ends every live credential of `kinds` of `person` (all sessions after a password reset).
    pub async fn revoke_all(
        &self,
        person: PersonId,
        kinds: &[CredentialKind],
        now: DateTime<Utc>,
    ) -> Result<u64, IdentityError> {
        let ended = self.store.revoke_all(person.as_uuid(), kinds, now).await?;
        self.credentials.clear();
        Ok(ended)
    }

    /// The CSRF token of a session: derived from the session's token, so nothing is stored and
    /// every instance derives the same one.
    pub fn csrf_token(&self, session_token: &str) -> String {
        B64.encode(self.privacy.digest("csrf", session_token.as_bytes()))
    }

    /// Whether `presented` is the CSRF token of the session `session_token`, compared in
    /// constant time.
    pub fn csrf_matches(&self, session_token: &str, presented: &str) -> bool {
        let expected = self.csrf_token(session_token);
        expected.as_bytes().ct_eq(presented.as_bytes()).into()
    }

    /// Sets `person`'s password (after checking it), hashing with argon2id off the async threads.
    pub async fn set_password(
        &self,
        person: PersonId,
        password: &str,
    ) -> Result<(), IdentityError> {
        check_password(password)?;
        let password = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await
        .map_err(|e| IdentityError::Hashing(e.to_string()))?
        .map_err(|e| IdentityError::Hashing(e.to_string()))?;
        if self
            .store
            .set_password(person.as_uuid(), Some(&hash))
            .await?
        {
            Ok(())
        } else {
            Err(IdentityError::SignInFailed)
        }
    }

    /// Signs in with a login name and password from client address `client`.
    ///
    /// Refused alike when the account does not exist, is closed, has no password, or the
    /// password is wrong; refused with [`IdentityError::TooManyAttempts`] while the account or
    /// the address has too many recent failures, whatever the password.
    pub async fn sign_in_password(
        &self,
        login: &str,
        password: &str,
        client: &str,
        now: DateTime<Utc>,
    ) -> Result<Account, IdentityError> {
        let key = self
            .login_key(login)
            .map_err(|_| IdentityError::SignInFailed)?;
        let account_key = format!("account:{}", B64.encode(&key));
        let address_key = format!("address:{client}");
        let since = now - self.settings.failure_window;
        let retry = u64::try_from(self.settings.failure_window.num_seconds()).unwrap_or(900);
        if self.store.failures(&account_key, since).await? >= self.settings.account_failures
            || self.store.failures(&address_key, since).await? >= self.settings.address_failures
        {
            return Err(IdentityError::TooManyAttempts {
                retry_after_secs: retry,
            });
        }
        let account = self
            .store
            .account_by_login(&key)
            .await?
            .filter(|a| a.closed_at.is_none());
        let hash = account.as_ref().and_then(|a| a.password_hash.clone());
        let password = password.to_owned();
        let verified = tokio::task::spawn_blocking(move || verify(hash.as_deref(), &password))
            .await
            .unwrap_or(false);
        match account {
            Some(account) if verified && account.password_hash.is_some() => {
                self.store.clear_failures(&account_key).await?;
                Ok(account)
            }
            _ => {
                self.store.note_failure(&account_key, now, since).await?;
                self.store.note_failure(&address_key, now, since).await?;
                Err(IdentityError::SignInFailed)
            }
        }
    }
}

fn taken(err: StoreError) -> IdentityError {
    if matches!(err.kind(), noaber_store::StoreErrorKind::InvalidInput) {
        IdentityError::LoginTaken
    } else {
        IdentityError::Store(err)
    }
}

//! Who may sign in, and what they hold: accounts, credentials (sessions, bearer tokens, links),
//! sign-in failure counters and the access log, kept in the database beside the log.
//!
//! None of this is a domain fact: an account is how a person of a tenant proves who they are,
//! and it changes (passwords, sessions) where events never do. Roles, by contrast, are facts in
//! the log (`RoleGranted`, `RoleRevoked`). Secrets are never stored: a credential is found by the
//! SHA-256 of its token, a login name by a keyed hash (a blind index), and a password by its
//! argon2id hash. Both back-ends implement [`IdentityStore`] and pass one conformance suite
//! (`testing::conformance::identity`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::StoreError;

/// A person's account: how they sign in.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// The person the account belongs to (one account per person).
    pub person_id: Uuid,
    /// The person's tenant.
    pub tenant_id: Uuid,
    /// The keyed hash of the normalised login name (an email address), when there is one.
    pub login_key: Option<Vec<u8>>,
    /// The login name itself, sealed with the person's key (so erasure makes it unreadable).
    pub login_sealed: Option<String>,
    /// The argon2id hash of the password (a PHC string), when one was set.
    pub password_hash: Option<String>,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
    /// When the account was closed (erasure, end of contract); a closed account signs nobody in.
    pub closed_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Account {
    // By hand: the password hash and the login name never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("person_id", &self.person_id)
            .field("tenant_id", &self.tenant_id)
            .field("has_login", &self.login_key.is_some())
            .field("has_password", &self.password_hash.is_some())
            .field("created_at", &self.created_at)
            .field("closed_at", &self.closed_at)
            .finish()
    }
}

/// What a credential lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// A browser session (a cookie).
    Session,
    /// A bearer token of a client app or partner system.
    Bearer,
    /// A single-use sign-in link.
    SignInLink,
    /// A single-use invitation link (sign in and choose a password).
    Invitation,
    /// A single-use password reset link.
    PasswordReset,
    /// A sign-in under way at an OpenID provider (the state of the flow).
    OidcLogin,
}

impl CredentialKind {
    /// Every kind, in a stable order.
    pub const ALL: [CredentialKind; 6] = [
        CredentialKind::Session,
        CredentialKind::Bearer,
        CredentialKind::SignInLink,
        CredentialKind::Invitation,
        CredentialKind::PasswordReset,
        CredentialKind::OidcLogin,
    ];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Session => "session",
            CredentialKind::Bearer => "bearer",
            CredentialKind::SignInLink => "sign_in_link",
            CredentialKind::Invitation => "invitation",
            CredentialKind::PasswordReset => "password_reset",
            CredentialKind::OidcLogin => "oidc_login",
        }
    }

    /// The kind of a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A credential to store: its token itself is never stored, only `SHA-256(token)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    /// The credential's public id (to list and revoke it).
    pub id: Uuid,
    /// What it lets its holder do.
    pub kind: CredentialKind,
    /// The tenant it acts in.
    pub tenant_id: Uuid,
    /// The person it signs in.
    pub person_id: Uuid,
    /// The role it acts in (a session's current role, a token's scope).
    pub role: Option<String>,
    /// A name its owner gave it (a token's "case system of the youth club").
    pub label: Option<String>,
    /// Data that belongs with it (a pending OpenID sign-in); never personal data.
    pub data: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// A stored credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// What was stored.
    pub issued: NewCredential,
    /// When a single-use credential was used.
    pub used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Credential {
    /// Whether it still works at `now`: not revoked, not expired, and (for a link) not used.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.used_at.is_none() && self.issued.expires_at > now
    }
}

/// One response that opened personal data, as the writer hands it to the store: one entry, with
/// the fields it showed of each person. Stored as one row per response and a small row per
/// person, so each person's readings are found without a row per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecord {
    /// The response's entry id.
    pub entry_id: Uuid,
    /// When the data was opened.
    pub at: DateTime<Utc>,
    /// The tenant.
    pub tenant_id: Uuid,
    /// Who read it.
    pub reader_id: Uuid,
    /// In which role.
    pub reader_role: String,
    /// What was read (`GET /v1/requests/{id}`), without query strings.
    pub resource: String,
    /// The request id of the response, to match it with the server's logs.
    pub request_id: Option<String>,
    /// Whose data it showed, and which fields of each (comma-separated).
    pub subjects: Vec<(Uuid, String)>,
}

impl AccessRecord {
    /// The entry as each person it names reads it.
    pub fn entries(&self) -> impl Iterator<Item = AccessEntry> + '_ {
        self.subjects.iter().map(|(subject, fields)| AccessEntry {
            entry_id: self.entry_id,
            at: self.at,
            tenant_id: self.tenant_id,
            reader_id: self.reader_id,
            reader_role: self.reader_role.clone(),
            subject_id: *subject,
            fields: fields.clone(),
            resource: self.resource.clone(),
            request_id: self.request_id.clone(),
        })
    }
}

/// One opening of someone's personal data as that person reads it in their access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    /// The response's entry id (shared by every person it showed).
    pub entry_id: Uuid,
    /// When the data was opened.
    pub at: DateTime<Utc>,
    /// The tenant.
    pub tenant_id: Uuid,
    /// Who read it.
    pub reader_id: Uuid,
    /// In which role.
    pub reader_role: String,
    /// Whose data it was.
    pub subject_id: Uuid,
    /// Which fields were opened (`name`, `contact`, `description`, ...), comma-separated.
    pub fields: String,
    /// What was read (`GET /v1/requests/{id}`), without query strings.
    pub resource: String,
    /// The request id of the response, to match it with the server's logs.
    pub request_id: Option<String>,
}

/// Whose accounts a closing closes: the back-ends' one statement for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closing {
    /// One person's.
    Person,
    /// Every person's of one tenant.
    Tenant,
}

impl Closing {
    /// The column of both tables that names whose.
    pub(crate) const fn column(self) -> &'static str {
        match self {
            Closing::Person => "person_id",
            Closing::Tenant => "tenant_id",
        }
    }
}

/// Accounts, credentials, sign-in failure counters and the access log.
#[async_trait]
pub trait IdentityStore: Send + Sync + std::fmt::Debug {
    /// Creates `account` unless the person already has one; returns whether it was created.
    /// A login key another account holds is [`crate::StoreErrorKind::InvalidInput`].
    async fn create_account(&self, account: &Account) -> Result<bool, StoreError>;

    /// The account of `person`.
    async fn account(&self, person: Uuid) -> Result<Option<Account>, StoreError>;

    /// The account whose login key is `login_key`.
    async fn account_by_login(&self, login_key: &[u8]) -> Result<Option<Account>, StoreError>;

    /// Sets a person's login name (its key and sealed form); returns false when the person has
    /// no account. A key another account holds is [`crate::StoreErrorKind::InvalidInput`].
    async fn set_login(
        &self,
        person: Uuid,
        login_key: &[u8],
        login_sealed: &str,
    ) -> Result<bool, StoreError>;

    /// Sets (or, with `None`, removes) a person's password hash; false when there is no account.
    async fn set_password(&self, person: Uuid, hash: Option<&str>) -> Result<bool, StoreError>;

    /// Closes a person's account and revokes all their credentials; false when there was no
    /// open account.
    async fn close_account(&self, person: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Closes every open account of `tenant` (its contract ended) and revokes every credential
    /// of its people; returns how many accounts were closed.
    async fn close_tenant(&self, tenant: Uuid, at: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Stores a credential under the hash of its token.
    async fn issue(
        &self,
        token_hash: &[u8; 32],
        credential: &NewCredential,
    ) -> Result<(), StoreError>;

    /// The credential whose token hashes to `token_hash`, live or not.
    async fn credential(&self, token_hash: &[u8; 32]) -> Result<Option<Credential>, StoreError>;

    /// Uses a single-use credential of one of `kinds` at `now`: marks it used and returns it,
    /// only if it was live. Two callers racing for one link: exactly one gets it.
    async fn redeem(
        &self,
        token_hash: &[u8; 32],
        kinds: &[CredentialKind],
        now: DateTime<Utc>,
    ) -> Result<Option<Credential>, StoreError>;

    /// Revokes credential `id` of `person`; false when there was no such live credential.
    async fn revoke(&self, person: Uuid, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Revokes every live credential of `person` of one of `kinds`; returns how many.
    async fn revoke_all(
        &self,
        person: Uuid,
        kinds: &[CredentialKind],
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// The live credentials of `person` of `kind` at `now`, newest first.
    async fn credentials_of(
        &self,
        person: Uuid,
        kind: CredentialKind,
        now: DateTime<Utc>,
    ) -> Result<Vec<Credential>, StoreError>;

    /// Deletes credentials that stopped working before `before` (expired, used or revoked),
    /// and failure counters older than it; returns how many credentials went.
    async fn purge(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Counts one failed sign-in under `key` (an account's or a client address's) and returns
    /// the failures in the window that ends at `now` and started at `window_start` or later;
    /// an older window starts again at one.
    async fn note_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> Result<u32, StoreError>;

    /// The failures under `key` since `window_start` (0 when the window has passed).
    async fn failures(&self, key: &str, window_start: DateTime<Utc>) -> Result<u32, StoreError>;

    /// Forgets the failures under `key` (after a successful sign-in).
    async fn clear_failures(&self, key: &str) -> Result<(), StoreError>;

    /// Writes a batch of access-log entries in one transaction.
    async fn record_access(&self, records: &[AccessRecord]) -> Result<(), StoreError>;

    /// Who read `subject`'s data, newest first, at most `limit` entries.
    async fn access_of(&self, subject: Uuid, limit: u32) -> Result<Vec<AccessEntry>, StoreError>;
}

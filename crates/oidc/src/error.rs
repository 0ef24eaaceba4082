//! What can go wrong in a sign-in, as variants a caller can answer with the right HTTP status.
//!
//! No message carries a secret, a code, a token or a PKCE verifier: only what was wrong.

use std::error::Error as StdError;
use std::fmt;

/// Why a sign-in with an OpenID provider failed.
///
/// Each variant's documentation suggests the HTTP status a server answers it with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OidcError {
    /// The provider configuration cannot be used: an issuer or redirect URL that is not an
    /// absolute URL, or plain `http` to a host other than this machine. A configuration error:
    /// 500, and the operator fixes the tenant's configuration.
    #[error("the OpenID provider configuration is invalid: {reason}")]
    Config {
        /// What is wrong with it.
        reason: String,
    },
    /// The client secret could not be read: its file is missing or unreadable, its environment
    /// variable is unset, or it is empty. A configuration error: 500.
    #[error("the OpenID client secret could not be read: {reason}")]
    Secret {
        /// Which file or variable, and what went wrong (never the secret).
        reason: String,
    },
    /// The provider's discovery document or signing keys could not be fetched or are invalid
    /// (unreachable, an error status, a redirect, or an issuer other than the configured one).
    /// The provider is at fault or down: 502.
    #[error("the OpenID provider {issuer} could not be discovered: {reason}")]
    Discovery {
        /// The configured issuer.
        issuer: String,
        /// What went wrong.
        reason: String,
    },
    /// The `state` the browser came back with is not the one of the pending sign-in: a forged
    /// or crossed-over callback. 400, and the person starts again.
    #[error(
        "the state returned by the OpenID provider does not match the sign-in that was started"
    )]
    StateMismatch,
    /// The pending sign-in is older than [`crate::PendingLogin::LIFETIME`]. 400, and the person
    /// starts again.
    #[error("the sign-in was started too long ago; start again")]
    Expired,
    /// The authorization code could not be exchanged for tokens: the provider refused it (used
    /// before, expired, wrong PKCE verifier or client credentials) or could not be reached. 502
    /// (or 400 when the person may simply start again).
    #[error("the authorization code could not be exchanged for tokens: {reason}")]
    Exchange {
        /// What went wrong, with the provider's error code when it sent one.
        reason: String,
    },
    /// The provider's ID token failed verification. 401: the sign-in is refused.
    #[error("the ID token was refused: {reason}")]
    InvalidIdToken {
        /// Which check it failed.
        reason: IdTokenProblem,
    },
    /// The verified person has no role in Noaber: their role claim holds no value the tenant's
    /// `role_map` knows, and there is no `default_role`. 403.
    #[error("the role claim maps to no Noaber role (values: {claim_values:?}) and no default role is configured")]
    NoRole {
        /// The claim's values as the provider sent them (empty when the claim was missing).
        claim_values: Vec<String>,
    },
}

/// Which check of an ID token failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenProblem {
    /// The token response held no ID token.
    Missing,
    /// `iss` is not the configured issuer.
    WrongIssuer,
    /// `aud` does not name this client, or names others it does not trust.
    WrongAudience,
    /// `exp` has passed.
    Expired,
    /// The signature does not verify with the provider's key, or uses an algorithm the provider
    /// does not announce (including unsigned tokens).
    BadSignature,
    /// No key of the provider's key set matches the token's key id: the provider may have rotated
    /// its keys, and building the client again (discovery) fetches the new ones.
    UnknownSigningKey,
    /// `nonce` is missing or is not the one of the pending sign-in (a replayed token).
    NonceMismatch,
    /// `at_hash` does not match the access token issued with it.
    AccessTokenHashMismatch,
    /// Another check failed (a malformed claim, for instance).
    Other(String),
}

impl fmt::Display for IdTokenProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdTokenProblem::Missing => f.write_str("the provider sent no ID token"),
            IdTokenProblem::WrongIssuer => f.write_str("it was issued by another issuer"),
            IdTokenProblem::WrongAudience => f.write_str("it was issued for another client"),
            IdTokenProblem::Expired => f.write_str("it has expired"),
            IdTokenProblem::BadSignature => f.write_str("its signature does not verify"),
            IdTokenProblem::UnknownSigningKey => {
                f.write_str("it is signed with a key the provider does not publish")
            }
            IdTokenProblem::NonceMismatch => {
                f.write_str("its nonce is not the one of this sign-in")
            }
            IdTokenProblem::AccessTokenHashMismatch => {
                f.write_str("its at_hash does not match the access token")
            }
            IdTokenProblem::Other(detail) => f.write_str(detail),
        }
    }
}

/// An error and its sources as one line, cut to a length fit for a log line.
pub(crate) fn describe(err: &(dyn StdError + 'static)) -> String {
    const MAX: usize = 400;
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    if text.chars().count() > MAX {
        text = text.chars().take(MAX).collect::<String>() + "…";
    }
    text
}

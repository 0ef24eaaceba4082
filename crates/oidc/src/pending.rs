//! A sign-in that was started and waits for the browser to come back from the provider.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// What Noaber must remember between sending a browser to the provider and its return: the
/// `state`, the `nonce` and the PKCE verifier of this one sign-in, and when it expires.
///
/// It serialises (to JSON, say) so that the server can keep it by [`PendingLogin::state`] in
/// its database until the callback. It holds secrets for the few minutes of a sign-in: keep it
/// server-side, never in the browser; its `Debug` shows only the state and the expiry.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogin {
    state: String,
    nonce: String,
    pkce_verifier: String,
    expires_at: DateTime<Utc>,
}

impl PendingLogin {
    /// How long a person has to sign in at the provider.
    pub const LIFETIME: TimeDelta = TimeDelta::minutes(10);

    pub(crate) fn new(
        state: String,
        nonce: String,
        pkce_verifier: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            state,
            nonce,
            pkce_verifier,
            expires_at: now + Self::LIFETIME,
        }
    }

    /// The `state` sent to the provider, which comes back with the browser: the key to keep
    /// this pending sign-in under.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// When this sign-in stops being accepted.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// Whether this sign-in is no longer accepted at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// Whether `returned` is this sign-in's state, compared in constant time.
    pub(crate) fn state_matches(&self, returned: &str) -> bool {
        self.state.as_bytes().ct_eq(returned.as_bytes()).into()
    }

    pub(crate) fn nonce(&self) -> &str {
        &self.nonce
    }

    pub(crate) fn into_pkce_verifier(self) -> String {
        self.pkce_verifier
    }
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("state", &self.state)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(now: DateTime<Utc>) -> PendingLogin {
        PendingLogin::new(
            "the-state".into(),
            "the-nonce".into(),
            "the-verifier".into(),
            now,
        )
    }

    #[test]
    fn a_pending_sign_in_expires_ten_minutes_after_it_started() {
        let now = Utc::now();
        let login = pending(now);

        assert_eq!(login.expires_at(), now + TimeDelta::minutes(10));
        assert!(!login.is_expired(now + TimeDelta::minutes(10) - TimeDelta::seconds(1)));
        assert!(login.is_expired(now + TimeDelta::minutes(10)));
    }

    #[test]
    fn only_its_own_state_matches() {
        let login = pending(Utc::now());

        assert!(login.state_matches("the-state"));
        assert!(!login.state_matches("the-statf"));
        assert!(!login.state_matches("the-state-and-more"));
        assert!(!login.state_matches(""));
    }

    #[test]
    fn it_round_trips_through_json() {
        let login = pending(Utc::now());

        let json = serde_json::to_string(&login).expect("serialises");
        let back: PendingLogin = serde_json::from_str(&json).expect("deserialises");

        assert_eq!(back, login);
    }

    #[test]
    fn its_debug_output_shows_neither_nonce_nor_verifier() {
        let text = format!("{:?}", pending(Utc::now()));

        assert!(text.contains("the-state"));
        assert!(!text.contains("the-nonce"));
        assert!(!text.contains("the-verifier"));
    }
}

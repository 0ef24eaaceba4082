//! Single sign-on for Noaber: signing a tenant's people in with their OpenID Connect provider.
//!
//! A tenant's [`ProviderConfig`] names its provider, Noaber's client there and how the
//! provider's group or role claim maps to Noaber [roles](noaber_domain::Role). The flow is the
//! authorization code flow with PKCE:
//!
//! 1. [`OidcClient::discover`] reads the provider's discovery document and signing keys once;
//! 2. [`OidcClient::begin`] gives the URL to send the browser to and a [`PendingLogin`] that the
//!    server keeps by its state;
//! 3. [`OidcClient::finish`] takes the code and state the browser comes back with, exchanges the
//!    code, verifies the ID token and gives a [`VerifiedLogin`].
//!
//! The crate holds no sessions and no accounts: it says who the provider vouches for and with
//! which roles, and the server decides what follows.

#![deny(missing_docs)]

mod client;
mod config;
mod error;
mod pending;
mod roles;
#[cfg(feature = "testing")]
pub mod testing;

pub use client::{OidcClient, VerifiedLogin};
pub use config::{default_scopes, ProviderConfig, Secret, SecretSource};
pub use error::{IdTokenProblem, OidcError};
pub use pending::PendingLogin;

/// The URL type of the authorization URL (the `url` crate's).
pub use openidconnect::url::Url;

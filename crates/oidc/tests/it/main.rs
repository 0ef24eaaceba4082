//! The single sign-on crate's integration tests, in one test binary: against a small provider
//! of the tests' own for every way a sign-in can fail, and end to end against a real OpenID
//! provider (`oidc-provider`, started by scripts/with-oidc-provider.sh).

mod support;

mod discovery;
mod id_token;
mod real_provider;
mod sign_in;

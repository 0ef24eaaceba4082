//! Test support shared by every crate that signs in at the real OpenID provider the test script
//! starts (tests/oidc-provider): its configuration from the environment, and a browser played
//! over HTTP from the authorization URL back to the redirect.
//!
//! Behind the `testing` feature; never in a release build.

use std::collections::BTreeMap;

use noaber_domain::Role;
use reqwest::header::LOCATION;
use reqwest::redirect::Policy;

use crate::{ProviderConfig, SecretSource, Url};

/// The account tests/oidc-provider/server.js knows (its email is `alice@example.org`).
pub const ACCOUNT: &str = "connector-alice";
/// The account's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// The provider's configuration for Noaber, or `None` (with a note) when no provider runs.
///
/// # Panics
/// When no provider is configured and `CI` is set: a CI run must not skip these tests.
pub fn provider_config() -> Option<ProviderConfig> {
    let issuer = std::env::var("NOABER_TEST_OIDC_ISSUER")
        .ok()
        .filter(|issuer| !issuer.is_empty());
    let Some(issuer) = issuer else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CI is set but no OpenID provider is configured: set NOABER_TEST_OIDC_ISSUER (scripts/with-oidc-provider.sh starts one)"
            );
        }
        eprintln!("note: no NOABER_TEST_OIDC_ISSUER set; skipping an OpenID provider test (run scripts/with-oidc-provider.sh to include it)");
        return None;
    };
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    Some(ProviderConfig {
        issuer,
        client_id: var("NOABER_TEST_OIDC_CLIENT_ID", "noaber-test"),
        client_secret: SecretSource::Env("NOABER_TEST_OIDC_CLIENT_SECRET".into()),
        redirect_url: var(
            "NOABER_TEST_OIDC_REDIRECT_URL",
            "http://127.0.0.1:9/oidc/callback",
        ),
        scopes: ["openid", "email", "profile", "groups"]
            .map(String::from)
            .to_vec(),
        role_claim: "groups".into(),
        role_map: BTreeMap::from([("noaber-connectors".to_owned(), Role::Connector)]),
        default_role: None,
    })
}

/// Plays a browser from the authorization URL to the redirect back to `redirect_url`: follows
/// every redirect with a cookie jar, and submits the login form when the provider shows it.
/// Returns the `code` and `state` of the redirect back.
///
/// # Panics
/// When the provider answers anything a browser could not go on from.
pub async fn sign_in_as_a_browser(start: Url, redirect_url: &str) -> (String, String) {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("a browser-like client");
    let mut current = start;
    let mut request = browser.get(current.clone());
    let mut logins = 0;
    for _ in 0..12 {
        let response = request.send().await.expect("the provider answers");
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .expect("a redirect has a Location");
            let next = current.join(location).expect("a valid Location");
            if next.as_str().starts_with(redirect_url) {
                let param = |name: &str| {
                    next.query_pairs()
                        .find(|(key, _)| key == name)
                        .map(|(_, value)| value.into_owned())
                        .unwrap_or_else(|| panic!("no {name} in {next}"))
                };
                return (param("code"), param("state"));
            }
            current = next;
            request = browser.get(current.clone());
            continue;
        }
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, 200, "the provider answered {status}: {body}");
        assert!(body.contains("name=\"login\""), "a login form: {body}");
        logins += 1;
        assert_eq!(logins, 1, "the login form comes once");
        current = current
            .join(&format!("{}/login", current.path()))
            .expect("the form's address");
        request = browser
            .post(current.clone())
            .form(&[("login", ACCOUNT), ("password", PASSWORD)]);
    }
    panic!("the sign-in did not come back to {redirect_url}");
}

//! End to end against a real OpenID provider: the `oidc-provider` package that
//! scripts/with-oidc-provider.sh starts from tests/oidc-provider, driven over HTTP as a browser
//! would be (follow the redirects, fill in the login form), up to the redirect back to Noaber.
//!
//! The provider is found through `NOABER_TEST_OIDC_ISSUER` (and `_CLIENT_ID`, `_CLIENT_SECRET`,
//! `_REDIRECT_URL`). Without it these tests are skipped with a note, unless `CI` is set: then
//! they fail, so that CI can never pass by skipping them.

use std::collections::BTreeMap;

use chrono::Utc;
use noaber_domain::Role;
use noaber_oidc::{OidcClient, OidcError, ProviderConfig, SecretSource, Url};
use reqwest::header::LOCATION;
use reqwest::redirect::Policy;

/// The account tests/oidc-provider/server.js knows, and its password.
const ACCOUNT: &str = "connector-alice";
const PASSWORD: &str = "correct horse battery staple";

/// The provider's configuration for Noaber, or `None` (with a note) when no provider runs.
fn provider_config() -> Option<ProviderConfig> {
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
async fn sign_in_as_a_browser(start: Url, redirect_url: &str) -> (String, String) {
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

#[tokio::test]
async fn a_person_signs_in_at_a_real_provider_and_comes_back_as_a_connector() {
    let Some(config) = provider_config() else {
        return;
    };
    let client = OidcClient::discover(&config)
        .await
        .expect("the real provider is discovered");
    let (url, pending) = client.begin(Utc::now());

    let (code, state) = sign_in_as_a_browser(url, &config.redirect_url).await;
    let login = client
        .finish(pending, &code, &state, Utc::now())
        .await
        .expect("the sign-in is verified");

    assert_eq!(login.issuer, config.issuer);
    assert_eq!(login.subject, ACCOUNT);
    assert_eq!(login.email.as_deref(), Some("alice@example.org"));
    assert!(login.email_verified);
    assert_eq!(login.name.as_deref(), Some("Alice de Vries"));
    assert_eq!(login.roles, vec![Role::Connector]);
}

#[tokio::test]
async fn a_real_providers_code_is_exchanged_only_once() {
    let Some(config) = provider_config() else {
        return;
    };
    let client = OidcClient::discover(&config).await.expect("discovered");
    let (url, pending) = client.begin(Utc::now());
    let (code, state) = sign_in_as_a_browser(url, &config.redirect_url).await;
    client
        .finish(pending.clone(), &code, &state, Utc::now())
        .await
        .expect("the first exchange");

    let again = client.finish(pending, &code, &state, Utc::now()).await;

    assert!(
        matches!(&again, Err(OidcError::Exchange { reason }) if reason.contains("invalid_grant")),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_tenant_that_maps_none_of_the_real_providers_groups_refuses_the_person() {
    let Some(mut config) = provider_config() else {
        return;
    };
    config.role_map = BTreeMap::from([("noaber-admins".to_owned(), Role::Admin)]);
    let client = OidcClient::discover(&config).await.expect("discovered");
    let (url, pending) = client.begin(Utc::now());
    let (code, state) = sign_in_as_a_browser(url, &config.redirect_url).await;

    let result = client.finish(pending, &code, &state, Utc::now()).await;

    assert_eq!(
        result,
        Err(OidcError::NoRole {
            claim_values: vec!["noaber-connectors".into(), "staff-everyone".into()]
        })
    );
}

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
use noaber_oidc::testing::{provider_config, sign_in_as_a_browser, ACCOUNT};
use noaber_oidc::{OidcClient, OidcError};

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

//! Starting and finishing a sign-in against the tests' own provider: the authorization URL,
//! the state, the expiry, the code exchange with PKCE, and the roles.

use std::collections::HashMap;

use chrono::{TimeDelta, Utc};
use noaber_domain::Role;
use noaber_oidc::{OidcClient, OidcError, PendingLogin, VerifiedLogin};
use serde_json::json;

use crate::support::{FakeProvider, CLIENT_ID, REDIRECT_URL};

async fn client(fake: &FakeProvider) -> OidcClient {
    OidcClient::discover(&fake.config())
        .await
        .expect("the fake provider is discovered")
}

#[tokio::test]
async fn the_authorization_url_asks_for_a_code_with_pkce_state_nonce_and_the_scopes() {
    let fake = FakeProvider::start().await;
    let client = client(&fake).await;

    let (url, pending) = client.begin(Utc::now());

    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert!(url
        .as_str()
        .starts_with(&format!("{}/authorize?", fake.issuer)));
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["redirect_uri"], REDIRECT_URL);
    assert_eq!(query["scope"], "openid email profile");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"].len(), 43, "a base64url SHA-256");
    assert_eq!(query["state"], pending.state());
    assert!(query["nonce"].len() >= 16);
}

#[tokio::test]
async fn every_sign_in_gets_its_own_state_nonce_and_challenge() {
    let fake = FakeProvider::start().await;
    let client = client(&fake).await;

    let (first, _) = client.begin(Utc::now());
    let (second, _) = client.begin(Utc::now());

    let param = |url: &noaber_oidc::Url, name: &str| {
        url.query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    for name in ["state", "nonce", "code_challenge"] {
        assert_ne!(param(&first, name), param(&second, name), "{name}");
    }
}

#[tokio::test]
async fn a_sign_in_finishes_with_the_person_and_their_roles() {
    let fake = FakeProvider::start().await;
    let client = client(&fake).await;
    let (url, pending) = client.begin(Utc::now());
    let callback = fake.sign_in(&url, |_| {});

    let login = client
        .finish(pending, &callback.code, &callback.state, Utc::now())
        .await
        .expect("a valid sign-in");

    assert_eq!(
        login,
        VerifiedLogin {
            issuer: fake.issuer.clone(),
            subject: "person-4711".into(),
            email: Some("alice@example.org".into()),
            email_verified: true,
            name: Some("Alice de Vries".into()),
            roles: vec![Role::Connector],
        }
    );
}

#[tokio::test]
async fn a_pending_sign_in_kept_as_json_finishes_like_the_original() {
    let fake = FakeProvider::start().await;
    let client = client(&fake).await;
    let (url, pending) = client.begin(Utc::now());
    let kept = serde_json::to_string(&pending).expect("serialises");
    let callback = fake.sign_in(&url, |_| {});

    let restored: PendingLogin = serde_json::from_str(&kept).expect("deserialises");
    let login = client
        .finish(restored, &callback.code, &callback.state, Utc::now())
        .await;

    assert_eq!(login.map(|login| login.subject), Ok("person-4711".into()));
}

#[tokio::test]
async fn a_returned_state_that_is_not_the_pending_one_is_refused_before_any_exchange() {
    let fake = FakeProvider::start().await;
    let client = client(&fake).await;
    let (url, pending) = client.begin(Utc::now());
    let callback = fake.sign_in(&url, |_| {});

    let result = client
        .finish(pending, &callback.code, "forged-state", Utc::now())
        .await;

    assert_eq!(result, Err(OidcError::StateMismatch));
    assert_eq!(fake.token_requests(), 0);
}

#[tokio::test]
async fn a_sign_in_older_than_ten_minutes_is_expired() {
    let fake = FakeProvider::start().await;
    let client = client(&fake).await;
    let started = Utc::now();
    let (url, pending) = client.begin(started);
    let callback = fake.sign_in(&url, |_| {});

    let result = client
        .finish(
            pending,
            &callback.code,
            &callback.state,
            started + TimeDelta::minutes(10) + TimeDelta::seconds(1),
        )
        .await;

    assert_eq!(result, Err(OidcError::Expired));
    assert_eq!(fake.token_requests(), 0);
}

#[tokio::test]
async fn a_code_is_exchanged_once() {
    let fake = FakeProvider::start().await;
    let client = client(&fake).await;
    let (url, pending) = client.begin(Utc::now());
    let callback = fake.sign_in(&url, |_| {});
    client
        .finish(pending.clone(), &callback.code, &callback.state, Utc::now())
        .await
        .expect("the first exchange");

    let again = client
        .finish(pending, &callback.code, &callback.state, Utc::now())
        .await;

    assert!(
        matches!(&again, Err(OidcError::Exchange { reason }) if reason.contains("invalid_grant")),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_code_is_only_exchanged_with_the_pkce_verifier_of_its_own_sign_in() {
    let fake = FakeProvider::start().await;
    let client = client(&fake).await;
    let (url, pending) = client.begin(Utc::now());
    let callback = fake.sign_in(&url, |_| {});
    let mut kept = serde_json::to_value(&pending).expect("serialises");
    kept["pkce_verifier"] = json!("a-verifier-of-another-sign-in-that-is-long-enough-0123");
    let tampered: PendingLogin = serde_json::from_value(kept).expect("deserialises");

    let result = client
        .finish(tampered, &callback.code, &callback.state, Utc::now())
        .await;

    assert!(
        matches!(&result, Err(OidcError::Exchange { reason }) if reason.contains("invalid_grant")),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_wrong_client_secret_is_an_exchange_error_that_does_not_repeat_the_secret() {
    let fake = FakeProvider::start().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("secret"), "not-the-registered-secret").expect("written");
    let mut config = fake.config();
    config.client_secret = noaber_oidc::SecretSource::File(dir.path().join("secret"));
    let client = OidcClient::discover(&config).await.expect("discovered");
    let (url, pending) = client.begin(Utc::now());
    let callback = fake.sign_in(&url, |_| {});

    let result = client
        .finish(pending, &callback.code, &callback.state, Utc::now())
        .await;

    let err = result.expect_err("the provider refuses the client");
    assert!(matches!(&err, OidcError::Exchange { reason } if reason.contains("invalid_client")));
    assert!(!format!("{err} {err:?}").contains("not-the-registered-secret"));
    assert!(!format!("{err} {err:?}").contains(&callback.code));
}

#[tokio::test]
async fn a_role_claim_that_maps_to_nothing_is_no_role_with_its_values() {
    let fake = FakeProvider::start().await;
    let client = client(&fake).await;
    let (url, pending) = client.begin(Utc::now());
    let callback = fake.sign_in(&url, |token| {
        token.claims["groups"] = json!(["everyone", "volunteers"]);
    });

    let result = client
        .finish(pending, &callback.code, &callback.state, Utc::now())
        .await;

    assert_eq!(
        result,
        Err(OidcError::NoRole {
            claim_values: vec!["everyone".into(), "volunteers".into()]
        })
    );
}

#[tokio::test]
async fn a_missing_role_claim_gives_the_default_role_when_one_is_configured() {
    let fake = FakeProvider::start().await;
    let mut config = fake.config();
    config.default_role = Some(Role::Resident);
    let client = OidcClient::discover(&config).await.expect("discovered");
    let (url, pending) = client.begin(Utc::now());
    let callback = fake.sign_in(&url, |token| {
        token
            .claims
            .as_object_mut()
            .expect("an object")
            .remove("groups");
    });

    let login = client
        .finish(pending, &callback.code, &callback.state, Utc::now())
        .await;

    assert_eq!(login.map(|login| login.roles), Ok(vec![Role::Resident]));
}

#[tokio::test]
async fn a_role_claim_of_another_name_holding_one_string_is_mapped() {
    let fake = FakeProvider::start().await;
    let mut config = fake.config();
    config.role_claim = "https://noaber.example.org/roles".into();
    let client = OidcClient::discover(&config).await.expect("discovered");
    let (url, pending) = client.begin(Utc::now());
    let callback = fake.sign_in(&url, |token| {
        token.claims["https://noaber.example.org/roles"] = json!("noaber-admins");
    });

    let login = client
        .finish(pending, &callback.code, &callback.state, Utc::now())
        .await;

    assert_eq!(login.map(|login| login.roles), Ok(vec![Role::Admin]));
}

#[tokio::test]
async fn an_unverified_email_and_no_name_are_reported_as_such() {
    let fake = FakeProvider::start().await;
    let client = client(&fake).await;
    let (url, pending) = client.begin(Utc::now());
    let callback = fake.sign_in(&url, |token| {
        let claims = token.claims.as_object_mut().expect("an object");
        claims.remove("email_verified");
        claims.remove("name");
    });

    let login = client
        .finish(pending, &callback.code, &callback.state, Utc::now())
        .await
        .expect("a valid sign-in");

    assert_eq!(login.email.as_deref(), Some("alice@example.org"));
    assert!(!login.email_verified);
    assert_eq!(login.name, None);
}

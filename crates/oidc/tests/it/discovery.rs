//! Building a client: discovery, its failures, and the configuration it refuses.

use noaber_oidc::{OidcClient, OidcError, SecretSource};

use crate::support::{Discovery, FakeProvider};

#[tokio::test]
async fn a_provider_is_discovered_from_its_issuer() {
    let fake = FakeProvider::start().await;

    let client = OidcClient::discover(&fake.config()).await;

    assert_eq!(
        client.map(|c| c.issuer().to_owned()),
        Ok(fake.issuer.clone())
    );
}

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_is_refused() {
    let fake = FakeProvider::start().await;
    fake.set_discovery(Discovery::OtherIssuer);

    let result = OidcClient::discover(&fake.config()).await;

    assert!(
        matches!(&result, Err(OidcError::Discovery { issuer, .. }) if *issuer == fake.issuer),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_redirect_from_the_discovery_address_is_not_followed() {
    let fake = FakeProvider::start().await;
    fake.set_discovery(Discovery::Redirect);

    let result = OidcClient::discover(&fake.config()).await;

    assert!(
        matches!(&result, Err(OidcError::Discovery { reason, .. }) if reason.contains("307")),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_provider_that_does_not_answer_is_a_discovery_error() {
    let fake = FakeProvider::start().await;
    let mut config = fake.config();
    // Nothing listens on port 1 of this machine.
    config.issuer = "http://127.0.0.1:1".into();

    let result = OidcClient::discover(&config).await;

    assert!(
        matches!(result, Err(OidcError::Discovery { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_missing_secret_is_a_secret_error_before_the_provider_is_asked() {
    let fake = FakeProvider::start().await;
    let mut config = fake.config();
    config.client_secret = SecretSource::Env("NOABER_OIDC_IT_SECRET_NEVER_SET".into());

    let result = OidcClient::discover(&config).await;

    assert!(
        matches!(&result, Err(OidcError::Secret { reason }) if reason.contains("NOABER_OIDC_IT_SECRET_NEVER_SET")),
        "{result:?}"
    );
}

#[tokio::test]
async fn an_issuer_over_plain_http_to_another_machine_is_a_configuration_error() {
    let fake = FakeProvider::start().await;
    let mut config = fake.config();
    config.issuer = "http://login.example.org".into();

    let result = OidcClient::discover(&config).await;

    assert!(
        matches!(result, Err(OidcError::Config { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn the_client_secret_never_appears_in_the_clients_debug_output() {
    let fake = FakeProvider::start().await;

    let client = OidcClient::discover(&fake.config())
        .await
        .expect("discovered");

    let text = format!("{client:?}");
    assert!(text.contains(crate::support::CLIENT_ID));
    assert!(!text.contains(crate::support::CLIENT_SECRET));
}

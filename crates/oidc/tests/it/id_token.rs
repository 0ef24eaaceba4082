//! Every check of the ID token, each failed on its own by a token the tests' provider signs.

use chrono::Utc;
use noaber_oidc::{IdTokenProblem, OidcClient, OidcError, VerifiedLogin};
use serde_json::json;

use crate::support::{keys, FakeProvider, Token};

/// Signs in at a fresh fake provider with the token `change` makes, and finishes.
async fn finish_with(change: impl FnOnce(&mut Token)) -> Result<VerifiedLogin, OidcError> {
    let fake = FakeProvider::start().await;
    let client = OidcClient::discover(&fake.config())
        .await
        .expect("the fake provider is discovered");
    let (url, pending) = client.begin(Utc::now());
    let callback = fake.sign_in(&url, change);
    client
        .finish(pending, &callback.code, &callback.state, Utc::now())
        .await
}

fn refused(reason: IdTokenProblem) -> Result<VerifiedLogin, OidcError> {
    Err(OidcError::InvalidIdToken { reason })
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let result = finish_with(|token| token.claims["iss"] = json!("https://evil.example")).await;

    assert_eq!(result, refused(IdTokenProblem::WrongIssuer));
}

#[tokio::test]
async fn a_token_for_another_client_is_refused() {
    let result = finish_with(|token| token.claims["aud"] = json!("another-client")).await;

    assert_eq!(result, refused(IdTokenProblem::WrongAudience));
}

#[tokio::test]
async fn a_token_also_meant_for_an_untrusted_audience_is_refused() {
    let result = finish_with(|token| {
        token.claims["aud"] = json!([crate::support::CLIENT_ID, "another-client"]);
    })
    .await;

    assert_eq!(result, refused(IdTokenProblem::WrongAudience));
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let result = finish_with(|token| {
        let an_hour_ago = Utc::now().timestamp() - 3600;
        token.claims["iat"] = json!(an_hour_ago - 300);
        token.claims["exp"] = json!(an_hour_ago);
    })
    .await;

    assert_eq!(result, refused(IdTokenProblem::Expired));
}

#[tokio::test]
async fn a_token_signed_by_another_key_under_the_providers_key_id_is_refused() {
    let result = finish_with(|token| token.key = Some(&keys().other)).await;

    assert_eq!(result, refused(IdTokenProblem::BadSignature));
}

#[tokio::test]
async fn a_token_signed_under_a_key_id_the_provider_does_not_publish_is_refused() {
    let result = finish_with(|token| {
        token.key = Some(&keys().other);
        token.kid = "rotated-key".into();
    })
    .await;

    assert_eq!(result, refused(IdTokenProblem::UnknownSigningKey));
}

#[tokio::test]
async fn an_unsigned_token_is_refused() {
    let result = finish_with(|token| token.key = None).await;

    assert_eq!(result, refused(IdTokenProblem::BadSignature));
}

#[tokio::test]
async fn a_token_with_the_nonce_of_another_sign_in_is_refused() {
    let result =
        finish_with(|token| token.claims["nonce"] = json!("nonce-of-another-sign-in")).await;

    assert_eq!(result, refused(IdTokenProblem::NonceMismatch));
}

#[tokio::test]
async fn a_token_without_a_nonce_is_refused() {
    let result = finish_with(|token| {
        token
            .claims
            .as_object_mut()
            .expect("an object")
            .remove("nonce");
    })
    .await;

    assert_eq!(result, refused(IdTokenProblem::NonceMismatch));
}

#[tokio::test]
async fn a_token_whose_at_hash_belongs_to_another_access_token_is_refused() {
    let result =
        finish_with(|token| token.claims["at_hash"] = json!("AAAAAAAAAAAAAAAAAAAAAA")).await;

    assert_eq!(result, refused(IdTokenProblem::AccessTokenHashMismatch));
}

#[tokio::test]
async fn a_token_response_without_an_id_token_is_refused() {
    let result = finish_with(|token| token.omitted = true).await;

    assert_eq!(result, refused(IdTokenProblem::Missing));
}

#[tokio::test]
async fn a_token_without_at_hash_is_accepted() {
    let result = finish_with(|token| {
        token
            .claims
            .as_object_mut()
            .expect("an object")
            .remove("at_hash");
    })
    .await;

    assert!(result.is_ok(), "{result:?}");
}

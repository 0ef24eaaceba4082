//! Single sign-on end to end: a connector signs in at the real OpenID provider the test script
//! starts, comes back through Noaber's callback and works in a session like any other; a
//! provider whose role claim names no role the person holds, and a callback used twice, are
//! refused. (Wrong issuer, audience, expiry and signatures are `noaber-oidc`'s own tests.)

use noaber_api::identity::sso::{Sso, SsoConfig, TenantProvider};
use noaber_domain::Role;
use noaber_oidc::testing::{provider_config, sign_in_as_a_browser};
use noaber_oidc::ProviderConfig;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;

use crate::live::{Live, World};

fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// The world, with the connector invited under the provider's email address, and a second
/// server over it knowing the provider as `gemeente`.
async fn world_with_provider(config: ProviderConfig) -> (Live, World, String, ProviderConfig) {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (status, body) = live
        .call(
            Method::POST,
            "/v1/invitations",
            world.token(Role::Admin),
            Some(json!({"person_id": world.connector, "email": "alice@example.org"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let sso = Sso::new(SsoConfig {
        provider: vec![TenantProvider {
            name: "gemeente".into(),
            tenant: world.tenant,
            oidc: config.clone(),
        }],
    })
    .expect("a valid configuration");
    let base = live.also_serve_with(sso).await;
    (live, world, base, config)
}

/// Runs the flow as a browser; the callback's response.
async fn sign_in(client: &Client, base: &str, config: &ProviderConfig) -> reqwest::Response {
    let start = client
        .get(format!("{base}/auth/oidc/gemeente/start"))
        .send()
        .await
        .expect("start answers");
    assert_eq!(
        start.status(),
        StatusCode::SEE_OTHER,
        "start sends the browser away"
    );
    let location = start
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("a location")
        .to_owned();
    let url = noaber_oidc::Url::parse(&location).expect("an absolute URL");
    let (code, state) = sign_in_as_a_browser(url, &config.redirect_url).await;
    client
        .get(format!("{base}/auth/oidc/callback"))
        .query(&[("code", code.as_str()), ("state", state.as_str())])
        .send()
        .await
        .expect("the callback answers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_signs_in_at_their_organisations_provider_and_works_in_a_session() {
    let Some(config) = provider_config() else {
        return;
    };
    let (_live, world, base, config) = world_with_provider(config).await;
    let client = browser();
    let back = sign_in(&client, &base, &config).await;
    assert_eq!(
        back.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        back.text().await
    );
    let me: serde_json::Value = client
        .get(format!("{base}/v1/me"))
        .send()
        .await
        .expect("me answers")
        .json()
        .await
        .expect("a JSON body");
    assert_eq!(me["person_id"], world.connector.to_string());
    assert_eq!(me["role"], "connector");
    assert_eq!(me["authenticated_by"], "session");
    let queue = client
        .get(format!("{base}/v1/queue?neighbourhoods={}", world.n1))
        .send()
        .await
        .expect("the queue answers");
    assert_eq!(queue.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_naming_a_role_the_person_does_not_hold_is_refused() {
    let Some(mut config) = provider_config() else {
        return;
    };
    config.role_map = [("noaber-connectors".to_owned(), Role::Admin)].into();
    let (_live, _world, base, config) = world_with_provider(config).await;
    let back = sign_in(&browser(), &base, &config).await;
    assert_eq!(back.status(), StatusCode::FORBIDDEN);
    let problem: serde_json::Value = back.json().await.expect("a problem document");
    assert_eq!(problem["type"], "urn:noaber:problem:role-not-held");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_provider_and_a_callback_without_a_flow_are_refused() {
    let Some(config) = provider_config() else {
        return;
    };
    let (_live, _world, base, _) = world_with_provider(config).await;
    let client = browser();
    let unknown = client
        .get(format!("{base}/auth/oidc/elsewhere/start"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let forged = client
        .get(format!(
            "{base}/auth/oidc/callback?code=abc&state=never-issued"
        ))
        .send()
        .await
        .expect("an answer");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}

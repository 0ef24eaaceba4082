//! Signing in over real HTTP: single-use links, the link page, sessions and their CSRF token,
//! invitations with a password, password sign-in and its rate limits, resets, bearer tokens and
//! their revocation, and a revoked role ending the sessions that act in it.

use chrono::Utc;
use noaber_api::identity::bootstrap::{bootstrap, Plan};
use noaber_domain::Role;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

use crate::live::{Live, World};

fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

async fn post(
    client: &Client,
    live: &Live,
    path: &str,
    body: Value,
    csrf: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = client.post(format!("{}{path}", live.base)).json(&body);
    if let Some(csrf) = csrf {
        request = request.header("x-csrf-token", csrf);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status();
    let text = response.text().await.expect("a body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn get(client: &Client, live: &Live, path: &str) -> (StatusCode, Value) {
    let response = client
        .get(format!("{}{path}", live.base))
        .send()
        .await
        .expect("an answer");
    let status = response.status();
    let text = response.text().await.expect("a body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A fresh tenant and its administrator's sign-in link token.
async fn first_admin(live: &Live) -> (noaber_api::identity::bootstrap::Bootstrapped, String) {
    let done = bootstrap(
        &live.state.executor,
        &live.state.identity,
        &Plan::first_run(),
        Utc::now(),
    )
    .await
    .expect("a tenant is set up");
    live.settle().await;
    let token = done.link.token.clone();
    (done, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_link_opens_a_session_once() {
    let live = Live::sqlite().await;
    let (done, token) = first_admin(&live).await;
    let client = browser();
    let (status, signed) = post(
        &client,
        &live,
        "/v1/auth/link",
        json!({"token": token}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["role"], "admin");
    let (status, me) = get(&client, &live, "/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["person_id"], done.admin.to_string());
    assert_eq!(me["authenticated_by"], "session");
    assert_eq!(me["name"], "Beheerder");
    assert_eq!(me["csrf_token"], signed["csrf_token"]);

    let (status, again) = post(
        &browser(),
        &live,
        "/v1/auth/link",
        json!({"token": token}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(again["type"], "urn:noaber:problem:link-not-valid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_page_signs_in_with_a_button_and_lands_on_the_start_page() {
    let live = Live::sqlite().await;
    let (_, token) = first_admin(&live).await;
    let client = browser();
    let (status, page) = get(&client, &live, &format!("/auth/link?token={token}")).await;
    assert_eq!(status, StatusCode::OK);
    let page = page.as_str().unwrap_or_default().to_owned();
    assert!(page.contains("<form method=\"post\""), "{page}");
    // Opening the page did not use the link up (a mail scanner may fetch it).
    let response = client
        .post(format!("{}/auth/link", live.base))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers().get_all("set-cookie").iter().any(|c| c
        .to_str()
        .is_ok_and(|c| c.contains("HttpOnly") && c.contains("SameSite=Lax"))));
    let (_, start) = get(&client, &live, "/").await;
    assert!(
        start
            .as_str()
            .is_some_and(|p| p.contains("signed in as admin")),
        "{start}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_with_the_session_cookie_needs_its_csrf_token() {
    let live = Live::sqlite().await;
    let (_, token) = first_admin(&live).await;
    let client = browser();
    let (_, signed) = post(
        &client,
        &live,
        "/v1/auth/link",
        json!({"token": token}),
        None,
    )
    .await;
    let csrf = signed["csrf_token"]
        .as_str()
        .expect("a csrf token")
        .to_owned();
    let body = json!({"name": "Noord", "centroid": {"lat": 52.1, "lon": 5.12}, "radius_m": 1000});
    let (status, problem) = post(&client, &live, "/v1/neighbourhoods", body.clone(), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["type"], "urn:noaber:problem:csrf-refused");
    let (status, _) = post(
        &client,
        &live,
        "/v1/neighbourhoods",
        body.clone(),
        Some("forged"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, written) = post(&client, &live, "/v1/neighbourhoods", body, Some(&csrf)).await;
    assert_eq!(status, StatusCode::CREATED, "{written}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_resident_chooses_a_password_signs_in_with_it_and_is_stopped_after_five_failures(
) {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let admin = world.token(Role::Admin);
    let (status, invitation) = live
        .call(
            Method::POST,
            "/v1/invitations",
            admin,
            Some(json!({"person_id": world.r1, "email": "Anna@Example.org"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invitation}");
    assert_eq!(invitation["kind"], "invitation");
    assert!(invitation["link"]
        .as_str()
        .is_some_and(|l| l.contains("/auth/link?token=")));
    let token = invitation["token"].as_str().expect("a token").to_owned();

    let client = browser();
    let (status, weak) = post(
        &client,
        &live,
        "/v1/auth/link",
        json!({"token": token, "new_password": "short"}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak["type"], "urn:noaber:problem:weak-password");
    let password = "drie woorden achter elkaar";
    let (status, signed) = post(
        &client,
        &live,
        "/v1/auth/link",
        json!({"token": token, "new_password": password}),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a weak password did not use the invitation up: {signed}"
    );
    assert_eq!(signed["role"], "resident");
    let csrf = signed["csrf_token"].as_str().expect("csrf").to_owned();
    let (status, _) = post(&client, &live, "/v1/auth/sign-out", json!({}), Some(&csrf)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(&client, &live, "/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed out");

    let sign_in = |email: &str, password: &str| json!({"email": email, "password": password});
    let (status, signed) = post(
        &browser(),
        &live,
        "/v1/auth/sign-in",
        sign_in("anna@example.org ", password),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{signed}");

    let (wrong_status, wrong) = post(
        &browser(),
        &live,
        "/v1/auth/sign-in",
        sign_in("anna@example.org", "not the password"),
        None,
    )
    .await;
    let (unknown_status, unknown) = post(
        &browser(),
        &live,
        "/v1/auth/sign-in",
        sign_in("nobody@example.org", "not the password"),
        None,
    )
    .await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown_status, wrong_status,
        "an unknown account answers like a wrong password"
    );
    assert_eq!(wrong, unknown, "with the same body");
    for _ in 0..4 {
        let (status, _) = post(
            &browser(),
            &live,
            "/v1/auth/sign-in",
            sign_in("anna@example.org", "still wrong"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = browser()
        .post(format!("{}/v1/auth/sign-in", live.base))
        .json(&sign_in("anna@example.org", password))
        .send()
        .await
        .expect("an answer");
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_needs_the_new_password_and_ends_every_other_session() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let admin = world.token(Role::Admin);
    let (_, invitation) = live
        .call(
            Method::POST,
            "/v1/invitations",
            admin,
            Some(json!({"person_id": world.r1, "email": "anna@example.org"})),
        )
        .await;
    let old = browser();
    let (status, _) = post(
        &old,
        &live,
        "/v1/auth/link",
        json!({"token": invitation["token"], "new_password": "het oude wachtwoord"}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, reset) = live
        .call(
            Method::POST,
            &format!("/v1/persons/{}/sign-in-links", world.r1),
            admin,
            Some(json!({"purpose": "password_reset"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reset}");
    let (status, problem) = post(
        &browser(),
        &live,
        "/v1/auth/link",
        json!({"token": reset["token"]}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["type"], "urn:noaber:problem:new-password-required");
    let (status, _) = post(
        &browser(),
        &live,
        "/v1/auth/link",
        json!({"token": reset["token"], "new_password": "het nieuwe wachtwoord"}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(&old, &live, "/v1/me").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the old session ended with the reset"
    );
    let (status, _) = post(
        &browser(),
        &live,
        "/v1/auth/sign-in",
        json!({"email": "anna@example.org", "password": "het nieuwe wachtwoord"}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_token_is_shown_once_listed_without_its_secret_and_revocable() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let connector = world.token(Role::Connector);
    let (status, made) = live
        .call(
            Method::POST,
            "/v1/me/tokens",
            connector,
            Some(json!({"name": "case system", "expires_in_days": 30})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let secret = made["token"].as_str().expect("the secret").to_owned();
    assert!(secret.starts_with("nbr_"));
    let (status, me) = live.call(Method::GET, "/v1/me", &secret, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "connector");
    assert_eq!(me["authenticated_by"], "bearer_token");
    let (_, listed) = live
        .call(Method::GET, "/v1/me/tokens", connector, None)
        .await;
    assert!(
        !listed.to_string().contains(&secret),
        "listing never shows a secret"
    );
    let (status, _) = live
        .call(
            Method::POST,
            &format!(
                "/v1/me/tokens/{}/revoke",
                made["id"].as_str().unwrap_or_default()
            ),
            connector,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = live.call(Method::GET, "/v1/me", &secret, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, problem) = live
        .call(
            Method::POST,
            "/v1/me/tokens",
            connector,
            Some(json!({"name": "forever", "expires_in_days": 5000})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_role_ends_every_session_and_token_acting_in_it_at_once() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let connector = world.token(Role::Connector);
    let (_, me) = live.call(Method::GET, "/v1/me", connector, None).await;
    let person = me["person_id"].as_str().expect("an id").to_owned();
    let (status, _) = live
        .call(
            Method::POST,
            &format!("/v1/persons/{person}/roles/revoke"),
            world.token(Role::Admin),
            Some(json!({"role": "connector"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    live.settle().await;
    let (status, _) = live.call(Method::GET, "/v1/me", connector, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_invites_residents_of_their_neighbourhoods_only() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let connector = world.token(Role::Connector);
    let (status, _) = live
        .call(
            Method::POST,
            "/v1/invitations",
            connector,
            Some(json!({"person_id": world.r1})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = live
        .call(
            Method::POST,
            "/v1/invitations",
            connector,
            Some(json!({"person_id": world.r2})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another neighbourhood");
    let (_, partner) = live
        .call(Method::GET, "/v1/me", world.token(Role::Partner), None)
        .await;
    let (status, _) = live
        .call(
            Method::POST,
            "/v1/invitations",
            connector,
            Some(json!({"person_id": partner["person_id"]})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "staff are invited by an administrator"
    );
    let (status, _) = live
        .call(
            Method::POST,
            "/v1/invitations",
            world.token(Role::Resident),
            Some(json!({"person_id": world.r2})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_ended_elsewhere_stops_working_here_within_the_cache_lifetime() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let token = world.token(Role::Connector);
    let (status, me) = live.call(Method::GET, "/v1/me", token, None).await;
    assert_eq!(status, StatusCode::OK);
    let person: uuid::Uuid = me["person_id"]
        .as_str()
        .and_then(|p| p.parse().ok())
        .expect("an id");
    // Another instance (or `noaber admin close-account`) ends it in the database directly.
    let ended = live
        .state
        .identity
        .store()
        .revoke_all(
            person,
            &[noaber_store::identity::CredentialKind::Bearer],
            chrono::Utc::now(),
        )
        .await
        .expect("revoked");
    assert!(ended >= 1);
    tokio::time::sleep(noaber_api::identity::credential_cache::TTL).await;
    let (status, _) = live.call(Method::GET, "/v1/me", token, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

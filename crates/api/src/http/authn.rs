//! Authentication of every protected call: a bearer token, or a session cookie with its CSRF
//! token on state-changing calls (or, in tests only, the development identity headers). The
//! caller found is put in the request's extensions as an [`Actor`].
//!
//! A session or token acts in one role. That role must still be held when the call arrives
//! (roles are facts in the log: a revocation ends every session acting in it at once). A
//! failure is a 401 problem that never says whether an account exists.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use cookie::{Cookie, SameSite};
use noaber_domain::{PersonId, Role, TenantId};
use noaber_store::identity::{Credential, CredentialKind};

use super::extract::{Actor, Via};
use super::{ApiError, AppState};

/// The session cookie's name over plain http (development on a laptop).
pub const SESSION_COOKIE: &str = "noaber_session";
/// The session cookie's name over https: the `__Host-` prefix makes browsers refuse it unless
/// it is `Secure`, for the whole host and path `/`.
pub const SECURE_SESSION_COOKIE: &str = "__Host-noaber_session";
/// The header a cookie-authenticated, state-changing call carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session cookie's name under the state's configuration.
pub fn session_cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The cookie carrying a new session's token.
pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    let max_age = state.identity.settings().session_ttl.num_seconds();
    Cookie::build((session_cookie_name(state), token))
        .http_only(true)
        .secure(state.config.secure_cookies())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age))
        .build()
}

/// The cookie that removes the session cookie from the browser.
pub fn removal_cookie(state: &AppState) -> Cookie<'static> {
    Cookie::build((session_cookie_name(state), ""))
        .http_only(true)
        .secure(state.config.secure_cookies())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .build()
}

/// The session token a request carries in its cookie, if any.
pub fn session_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let name = session_cookie_name(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_owned()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// The bearer token a request carries, if any.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The client's address for rate limits: the peer, or behind a trusted proxy the last address
/// the proxies did not add themselves.
pub fn client_address(state: &AppState, req_headers: &HeaderMap, peer: Option<IpAddr>) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !state.config.trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<IpAddr> = req_headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|a| !state.config.trusted_proxies.contains(a))
        .copied()
        .unwrap_or(peer)
        .to_string()
}

/// The peer address of a request served with connection info.
pub fn peer_of(req: &Request) -> Option<IpAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

fn not_signed_in() -> ApiError {
    ApiError::Unauthenticated(
        "sign in first: send the session cookie of POST /v1/auth/sign-in, or a bearer token in the Authorization header".into(),
    )
}

fn ended() -> ApiError {
    ApiError::Unauthenticated(
        "this session or token no longer works (signed out, expired, revoked, or its role was taken away); sign in again".into(),
    )
}

/// Whether `method` changes state (and so needs the CSRF token when sent with a cookie).
fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The caller a live credential stands for, if its person still holds its role.
async fn actor_of(state: &AppState, credential: &Credential, via: Via) -> Result<Actor, ApiError> {
    let issued = &credential.issued;
    let role = issued
        .role
        .as_deref()
        .and_then(|r| r.parse::<Role>().ok())
        .ok_or_else(ended)?;
    let actor = Actor {
        tenant: TenantId::new(issued.tenant_id),
        actor: PersonId::new(issued.person_id),
        role,
        via,
    };
    if super::policy::holds(state, actor.tenant, actor.actor, role).await? {
        Ok(actor)
    } else {
        Err(ended())
    }
}

/// Finds the caller of a request: bearer token, session cookie (with CSRF on changes), or the
/// development headers when the configuration allows them.
pub async fn authenticate(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Actor, ApiError> {
    let now = Utc::now();
    if let Some(token) = bearer_token(headers) {
        let credential = state
            .identity
            .resolve(token, CredentialKind::Bearer, now)
            .await
            .map_err(super::auth::identity_error)?
            .ok_or_else(ended)?;
        let id = credential.issued.id;
        return actor_of(state, &credential, Via::Bearer(id)).await;
    }
    if let Some(token) = session_token(state, headers) {
        let credential = state
            .identity
            .resolve(&token, CredentialKind::Session, now)
            .await
            .map_err(super::auth::identity_error)?
            .ok_or_else(ended)?;
        if changes_state(method) {
            let presented = headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !state.identity.csrf_matches(&token, presented) {
                return Err(ApiError::Refused {
                    kind: noaber_domain::ErrorKind::Forbidden,
                    code: "csrf-refused",
                    detail: format!(
                        "a change made with a session cookie must carry the session's CSRF token in the {CSRF_HEADER} header (GET /v1/me gives it)"
                    ),
                });
            }
        }
        let id = credential.issued.id;
        return actor_of(state, &credential, Via::Session(id)).await;
    }
    if state.config.insecure_dev_headers && headers.contains_key(super::extract::TENANT_HEADER) {
        return Actor::from_headers(headers);
    }
    Err(not_signed_in())
}

/// Middleware for the protected tree: every call proves who is asking; the [`Actor`] is kept in
/// the request's extensions for handlers.
pub async fn require_actor(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The parts, not the request, are held across the lookup: a body is not `Sync`.
    let (mut parts, body) = req.into_parts();
    match authenticate(&state, &parts.method, &parts.headers).await {
        Ok(actor) => {
            parts.extensions.insert(actor);
            next.run(Request::from_parts(parts, body)).await
        }
        Err(e) => e.into_response(),
    }
}

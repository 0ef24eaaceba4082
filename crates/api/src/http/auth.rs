//! Signing in: by password (`POST /v1/auth/sign-in`) or with a single-use link
//! (`POST /v1/auth/link`, and the page `GET /auth/link?token=…` a person opens from the link),
//! each ending in a session cookie and its CSRF token; and the start page `/`.
//!
//! These routes are public by design; everything else under `/v1` needs the session or a
//! bearer token. A refused sign-in never says whether the account exists; repeated failures
//! are refused for a while per account and per client address (`too-many-attempts`, 429).

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{DateTime, Utc};
use noaber_domain::{PersonId, Role, TenantId};
use noaber_store::identity::CredentialKind;
use serde::{Deserialize, Serialize};

use super::authn::{self, client_address, peer_of, session_cookie};
use super::{ApiError, ApiJson, AppState};
use crate::identity::IdentityError;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The public sign-in routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in))
        .routes(routes!(redeem_link))
}

/// The pages outside `/v1`: the start page and the page a sign-in link opens.
pub fn pages() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_page))
        .routes(routes!(link_page, link_form))
}

/// The one mapping from identity errors to problems.
pub fn identity_error(e: IdentityError) -> ApiError {
    match e {
        IdentityError::SignInFailed => ApiError::SignIn {
            code: "sign-in-failed",
            detail: e.to_string(),
        },
        IdentityError::LinkNotValid => ApiError::SignIn {
            code: "link-not-valid",
            detail: e.to_string(),
        },
        IdentityError::TooManyAttempts { retry_after_secs } => {
            ApiError::TooManyAttempts { retry_after_secs }
        }
        IdentityError::WeakPassword(_) => ApiError::rule("weak-password", e.to_string()),
        IdentityError::BadLogin(_) => ApiError::rule("not-an-email-address", e.to_string()),
        IdentityError::LoginTaken => ApiError::Conflict {
            code: "login-taken",
            detail: e.to_string(),
        },
        IdentityError::Store(e) => ApiError::from(e),
        IdentityError::Privacy(e) => ApiError::from(e),
        IdentityError::Hashing(_) => ApiError::internal(e.to_string()),
    }
}

/// Body of `POST /v1/auth/sign-in`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    /// The email address of the account.
    pub email: String,
    /// Its password.
    pub password: String,
}

impl std::fmt::Debug for SignInBody {
    // By hand: a password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInBody").finish_non_exhaustive()
    }
}

/// Body of `POST /v1/auth/link`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The token of the link (the `token` of its address).
    pub token: String,
    /// A new password: required for a reset link, optional for an invitation.
    #[serde(default)]
    pub new_password: Option<String>,
}

impl std::fmt::Debug for LinkBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkBody").finish_non_exhaustive()
    }
}

/// What a sign-in answers (the session itself travels in the cookie).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct SignedIn {
    /// The person signed in.
    pub person_id: PersonId,
    /// Their tenant.
    pub tenant_id: TenantId,
    /// The role the session acts in (change it with `POST /v1/me/role`).
    pub role: Role,
    /// The token to send in the `x-csrf-token` header with every change made with the cookie.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

/// Starts a session for `person` of `tenant` in their most capable role; the response carries
/// the cookie.
async fn start_session(
    state: &AppState,
    tenant: TenantId,
    person: PersonId,
) -> Result<(String, SignedIn), ApiError> {
    let role = super::policy::default_role(state, tenant, person)
        .await?
        .ok_or_else(|| identity_error(IdentityError::SignInFailed))?;
    session_in(state, tenant, person, role).await
}

/// Starts a session for `person` of `tenant` acting in `role` (which the caller checked they
/// hold): the session's token, for the cookie, and what the sign-in answers.
pub(super) async fn session_in(
    state: &AppState,
    tenant: TenantId,
    person: PersonId,
    role: Role,
) -> Result<(String, SignedIn), ApiError> {
    let issued = state
        .identity
        .issue(
            CredentialKind::Session,
            tenant,
            person,
            Some(role),
            None,
            state.identity.settings().session_ttl,
            Utc::now(),
        )
        .await
        .map_err(identity_error)?;
    let signed = SignedIn {
        person_id: person,
        tenant_id: tenant,
        role,
        csrf_token: state.identity.csrf_token(&issued.token),
        expires_at: issued.credential.expires_at,
    };
    Ok((issued.token, signed))
}

/// `response` with the cookie of the session `token`, never cached.
pub(super) fn with_cookie(
    state: &AppState,
    token: String,
    response: impl IntoResponse,
) -> Response {
    let mut response = response.into_response();
    if let Ok(value) = HeaderValue::from_str(&session_cookie(state, token).to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[utoipa::path(
    post,
    path = "/auth/sign-in",
    tag = "sign-in",
    operation_id = "sign_in",
    summary = "Sign in with a password",
    description = "Starts a session in the person's most capable role. A refusal never says whether the account exists.",
    request_body = SignInBody,
    responses((status = 200, description = "Signed in.", body = SignedIn, headers(("set-cookie" = String, description = "The session cookie (HttpOnly, SameSite=Lax)."))))
)]
async fn sign_in(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let peer = peer_of(&req);
    let client = client_address(&state, req.headers(), peer);
    let ApiJson(body) =
        <ApiJson<SignInBody> as FromRequest<AppState>>::from_request(req, &state).await?;
    let account = state
        .identity
        .sign_in_password(&body.email, &body.password, &client, Utc::now())
        .await
        .map_err(identity_error)?;
    let (token, signed) = start_session(
        &state,
        TenantId::new(account.tenant_id),
        PersonId::new(account.person_id),
    )
    .await?;
    Ok(with_cookie(&state, token, Json(signed)))
}

/// Redeems a link's token (sign-in, invitation or reset), setting a new password first when
/// one is given; answers the new session.
async fn redeem(
    state: &AppState,
    token: &str,
    new_password: Option<&str>,
) -> Result<(String, SignedIn), ApiError> {
    if let Some(password) = new_password {
        crate::identity::check_password(password).map_err(identity_error)?;
    }
    let now = Utc::now();
    let kinds = [
        CredentialKind::SignInLink,
        CredentialKind::Invitation,
        CredentialKind::PasswordReset,
    ];
    // A reset link without a new password is refused before it is used up.
    if new_password.is_none()
        && state
            .identity
            .resolve(token, CredentialKind::PasswordReset, now)
            .await
            .map_err(identity_error)?
            .is_some()
    {
        return Err(ApiError::rule(
            "new-password-required",
            "a password reset link needs the new password (new_password)",
        ));
    }
    let credential = state
        .identity
        .redeem(token, &kinds, now)
        .await
        .map_err(identity_error)?;
    let tenant = TenantId::new(credential.issued.tenant_id);
    let person = PersonId::new(credential.issued.person_id);
    if let Some(password) = new_password {
        state
            .identity
            .set_password(person, password)
            .await
            .map_err(identity_error)?;
        if credential.issued.kind == CredentialKind::PasswordReset {
            // A reset ends every other session: whoever knew the old password is out.
            state
                .identity
                .revoke_all(person, &[CredentialKind::Session], now)
                .await
                .map_err(identity_error)?;
        }
    }
    start_session(state, tenant, person).await
}

#[utoipa::path(
    post,
    path = "/auth/link",
    tag = "sign-in",
    operation_id = "redeem_link",
    summary = "Sign in with a link's token",
    description = "A sign-in, invitation or reset link, for a client app that opens links itself; a reset link needs `new_password`.",
    request_body = LinkBody,
    responses((status = 200, description = "Signed in.", body = SignedIn, headers(("set-cookie" = String, description = "The session cookie (HttpOnly, SameSite=Lax)."))))
)]
async fn redeem_link(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<Response, ApiError> {
    let (token, signed) = redeem(&state, &body.token, body.new_password.as_deref()).await?;
    Ok(with_cookie(&state, token, Json(signed)))
}

/// Query of the link page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// The link's token.
    #[serde(default)]
    pub token: String,
}

/// Whether `token` has the shape of our tokens (URL-safe base64), so it can go into a page.
fn plausible(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= 100
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Noaber</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"
    ))
}

/// The page a sign-in link opens: a button that signs in (a POST, so that a mail scanner
/// fetching the link does not use it up).
#[utoipa::path(
    get,
    path = "/auth/link",
    tag = "sign-in",
    operation_id = "link_page",
    summary = "The page a sign-in link opens",
    description = "A button that signs in with a POST, so a mail scanner fetching the link does not use it up.",
    params(LinkQuery),
    responses((status = 200, description = "The page.", body = String, content_type = "text/html"), (status = 400, description = "The link is not complete.", body = String, content_type = "text/html"))
)]
async fn link_page(super::ApiQuery(query): super::ApiQuery<LinkQuery>) -> Response {
    if !plausible(&query.token) {
        return (
            StatusCode::BAD_REQUEST,
            page(
                "This link is not complete",
                "<p>Open the whole link you were given, or ask for a new one.</p>",
            ),
        )
            .into_response();
    }
    let body = format!(
        "<form method=\"post\" action=\"/auth/link\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <button type=\"submit\">Sign in to Noaber</button></form>",
        query.token
    );
    let mut response = page("Sign in", &body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Form of the link page.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkForm {
    /// The link's token.
    pub token: String,
}

#[utoipa::path(
    post,
    path = "/auth/link",
    tag = "sign-in",
    operation_id = "link_form",
    summary = "Sign in from the link page",
    description = "The form of the link page: signs in and sends the browser to the start page.",
    request_body(content = LinkForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Signed in; on to the start page.", headers(("location" = String, description = "The start page."), ("set-cookie" = String, description = "The session cookie."))), (status = 401, description = "The link cannot be used.", body = String, content_type = "text/html"), (status = 422, description = "The link cannot be used this way.", body = String, content_type = "text/html"), (status = 429, description = "Too many attempts.", body = String, content_type = "text/html"))
)]
async fn link_form(State(state): State<AppState>, Form(form): Form<LinkForm>) -> Response {
    match redeem(&state, &form.token, None).await {
        Ok((token, _)) => with_cookie(&state, token, Redirect::to("/")),
        Err(e) => {
            let status = e.status().0;
            (
                status,
                page(
                    "This link cannot be used",
                    &format!("<p>{}</p>", html_escape(&e.problem().detail)),
                ),
            )
                .into_response()
        }
    }
}

/// Escapes text for an HTML page.
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The start page: who is signed in, and where the API and its documents are.
#[utoipa::path(
    get,
    path = "/",
    tag = "documentation",
    operation_id = "start_page",
    summary = "The start page",
    description = "Who is signed in, and where the API and its documents are.",
    responses((status = 200, description = "The page.", body = String, content_type = "text/html"))
)]
async fn start_page(State(state): State<AppState>, headers: HeaderMap) -> Html<String> {
    let signed_in = match authn::session_token(&state, &headers) {
        Some(token) => state
            .identity
            .resolve(&token, CredentialKind::Session, Utc::now())
            .await
            .ok()
            .flatten(),
        None => None,
    };
    match signed_in {
        Some(session) => page(
            "Noaber",
            &format!(
                "<p>You are signed in as {}. The pages for your work are coming; meanwhile the API \
                 answers at <a href=\"/v1/me\">/v1/me</a> and every other /v1 address.</p>",
                html_escape(session.issued.role.as_deref().unwrap_or("resident"))
            ),
        ),
        None => page(
            "Noaber",
            "<p>Neighbourhood help, organised. To sign in, open the sign-in link you were given \
             (on a new installation, <code>noaber serve</code> prints one).</p>",
        ),
    }
}

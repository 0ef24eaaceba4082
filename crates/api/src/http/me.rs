//! The signed-in person's own routes: who am I (`GET /v1/me`), which role to act in, my
//! password, my bearer tokens, who read my data (`GET /v1/me/access-log`), signing out; and
//! handing others a way in: invitations and sign-in or reset links, shown to the person who
//! made them until email exists.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use noaber_domain::{PersonId, Role, TenantId};
use noaber_store::identity::{AccessEntry, CredentialKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::{identity_error, SignedIn};
use super::authn::{self, removal_cookie};
use super::{Actor, ApiError, ApiJson, ApiPath, ApiQuery, AppState, Via};
use crate::identity::bootstrap::link_url;
use crate::identity::Opened;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of the signed-in person, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(switch_role))
        .routes(routes!(change_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(access_log))
        .routes(routes!(sign_out))
        .routes(routes!(invite))
        .routes(routes!(link_for))
}

/// Who the caller is, as `GET /v1/me` answers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Me {
    /// The person.
    pub person_id: PersonId,
    /// Their tenant.
    pub tenant_id: TenantId,
    /// The role this session or token acts in.
    pub role: Role,
    /// Every role the person holds now.
    pub roles: Vec<Role>,
    /// How they signed in: `session`, `bearer_token` or `development_headers`.
    pub authenticated_by: String,
    /// Their login name (email address), when the account has one.
    pub login: Option<String>,
    /// Their name as registered (`null` when erased).
    pub name: Option<String>,
    /// The CSRF token to send with changes made with the session cookie.
    pub csrf_token: Option<String>,
}

#[utoipa::path(
    get,
    path = "/me",
    tag = "me",
    operation_id = "me",
    summary = "Who am I",
    description = "The caller's person, tenant, role and roles held, login and name (the reading is recorded in the access log), and the CSRF token of a session.",
    responses((status = 200, description = "The caller.", body = Me))
)]
async fn me(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> Result<Json<Me>, ApiError> {
    let roles = super::policy::roles_held(&state, actor.tenant, actor.actor).await?;
    let account = state
        .identity
        .store()
        .account(actor.actor.as_uuid())
        .await?;
    let login = match &account {
        Some(a) => state.identity.login_of(a).await.map_err(identity_error)?,
        None => None,
    };
    let card = super::personal::person_card(&state, actor.tenant, actor.actor).await?;
    let mut opened = Opened::new(actor.tenant, actor.actor, actor.role, "GET /v1/me");
    if card.name().is_some() {
        opened.add(actor.actor, "name");
    }
    if login.is_some() {
        opened.add(actor.actor, "login");
    }
    super::personal::record(&state, opened, &headers).await;
    let csrf_token = match actor.via {
        Via::Session(_) => {
            authn::session_token(&state, &headers).map(|t| state.identity.csrf_token(&t))
        }
        _ => None,
    };
    Ok(Json(Me {
        person_id: actor.actor,
        tenant_id: actor.tenant,
        role: actor.role,
        roles,
        authenticated_by: actor.via.as_str().to_owned(),
        login,
        name: card.name().map(str::to_owned),
        csrf_token,
    }))
}

/// Body of `POST /v1/me/role`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    /// The role to act in from now on; one the person holds.
    pub role: Role,
}

#[utoipa::path(
    post,
    path = "/me/role",
    tag = "me",
    operation_id = "switch_role",
    summary = "Act in another role",
    description = "A session is replaced by a new one in the role asked (one the person holds); a bearer token keeps its role (`not-a-session`).",
    request_body = RoleBody,
    responses((status = 200, description = "The new session.", body = SignedIn, headers(("set-cookie" = String, description = "The session cookie (HttpOnly, SameSite=Lax)."))))
)]
async fn switch_role(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<Response, ApiError> {
    let Via::Session(id) = actor.via else {
        return Err(ApiError::rule(
            "not-a-session",
            "only a browser session switches roles; a bearer token keeps the role it was made for",
        ));
    };
    if !super::policy::holds(&state, actor.tenant, actor.actor, body.role).await? {
        return Err(ApiError::Refused {
            kind: noaber_domain::ErrorKind::Forbidden,
            code: "role-not-held",
            detail: format!("you do not hold the {} role", body.role.as_str()),
        });
    }
    // A new session in the new role replaces this one, so a role is fixed for a session's life.
    let now = Utc::now();
    state
        .identity
        .revoke(actor.actor, id, now)
        .await
        .map_err(super::auth::identity_error)?;
    let (token, signed) =
        super::auth::session_in(&state, actor.tenant, actor.actor, body.role).await?;
    Ok(super::auth::with_cookie(&state, token, Json(signed)))
}

/// Body of `POST /v1/me/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    /// The current password; required when one is set.
    #[serde(default)]
    pub current_password: Option<String>,
    /// The new password (at least 10 characters).
    pub new_password: String,
}

impl std::fmt::Debug for PasswordBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordBody").finish_non_exhaustive()
    }
}

#[utoipa::path(
    post,
    path = "/me/password",
    tag = "me",
    operation_id = "change_password",
    summary = "Change my password",
    description = "The current password is required when one is set.",
    request_body = PasswordBody,
    responses((status = 204, description = "The password was changed."))
)]
async fn change_password(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    let account = state
        .identity
        .store()
        .account(actor.actor.as_uuid())
        .await?
        .ok_or_else(|| ApiError::rule("no-account", "you have no account to set a password for"))?;
    if account.password_hash.is_some() {
        let login = state
            .identity
            .login_of(&account)
            .await
            .map_err(identity_error)?
            .unwrap_or_default();
        let current = body.current_password.as_deref().unwrap_or_default();
        state
            .identity
            .sign_in_password(
                &login,
                current,
                &format!("person:{}", actor.actor),
                Utc::now(),
            )
            .await
            .map_err(identity_error)?;
    }
    state
        .identity
        .set_password(actor.actor, &body.new_password)
        .await
        .map_err(identity_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/auth/sign-out",
    tag = "sign-in",
    operation_id = "sign_out",
    summary = "Sign out",
    description = "Ends the session and removes its cookie (a bearer token is unaffected: revoke it).",
    responses((status = 204, description = "Signed out."))
)]
async fn sign_out(State(state): State<AppState>, actor: Actor) -> Result<Response, ApiError> {
    if let Via::Session(id) = actor.via {
        state
            .identity
            .revoke(actor.actor, id, Utc::now())
            .await
            .map_err(super::auth::identity_error)?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&removal_cookie(&state).to_string()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// Body of `POST /v1/me/tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    /// What the token is for ("case system of the youth club").
    pub name: String,
    /// The role it acts in; one the person holds (the session's role when absent).
    #[serde(default)]
    pub role: Option<Role>,
    /// Days until it stops working (1 to 365; 90 when absent).
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// A bearer token as listed (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct TokenInfo {
    /// Its id, to revoke it.
    pub id: Uuid,
    /// Its name.
    pub name: Option<String>,
    /// The role it acts in.
    pub role: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// A new bearer token: the secret is in this answer only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct NewToken {
    /// The token's details.
    #[serde(flatten)]
    pub info: TokenInfo,
    /// The secret: send it as `Authorization: Bearer <token>`. It is not shown again.
    pub token: String,
}

#[utoipa::path(
    post,
    path = "/me/tokens",
    tag = "me",
    operation_id = "create_token",
    summary = "Make a bearer token",
    description = "For a client app; its secret is in this answer only.",
    request_body = TokenBody,
    responses((status = 201, description = "The new token, with its secret.", body = NewToken))
)]
async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::BadInput(
            "a token needs a name of 1 to 100 characters".into(),
        ));
    }
    let days = body.expires_in_days.unwrap_or(90);
    let max_days = state.identity.settings().max_token_ttl.num_days();
    if days == 0 || i64::from(days) > max_days {
        return Err(ApiError::BadInput(format!(
            "expires_in_days must be from 1 to {max_days}"
        )));
    }
    let role = body.role.unwrap_or(actor.role);
    if !super::policy::holds(&state, actor.tenant, actor.actor, role).await? {
        return Err(ApiError::Refused {
            kind: noaber_domain::ErrorKind::Forbidden,
            code: "role-not-held",
            detail: format!("you do not hold the {} role", role.as_str()),
        });
    }
    let issued = state
        .identity
        .issue(
            CredentialKind::Bearer,
            actor.tenant,
            actor.actor,
            Some(role),
            Some(name.to_owned()),
            Duration::days(i64::from(days)),
            Utc::now(),
        )
        .await
        .map_err(identity_error)?;
    let c = &issued.credential;
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            info: TokenInfo {
                id: c.id,
                name: c.label.clone(),
                role: c.role.clone(),
                created_at: c.created_at,
                expires_at: c.expires_at,
            },
            token: issued.token,
        }),
    ))
}

#[utoipa::path(
    get,
    path = "/me/tokens",
    tag = "me",
    operation_id = "list_tokens",
    summary = "My bearer tokens",
    description = "Never their secrets.",
    responses((status = 200, description = "The live tokens.", body = Vec<TokenInfo>))
)]
async fn list_tokens(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    let tokens = state
        .identity
        .store()
        .credentials_of(actor.actor.as_uuid(), CredentialKind::Bearer, Utc::now())
        .await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|c| TokenInfo {
                id: c.issued.id,
                name: c.issued.label,
                role: c.issued.role,
                created_at: c.issued.created_at,
                expires_at: c.issued.expires_at,
            })
            .collect(),
    ))
}

#[utoipa::path(
    post,
    path = "/me/tokens/{id}/revoke",
    tag = "me",
    operation_id = "revoke_token",
    summary = "Revoke one of my bearer tokens",
    params(("id" = Uuid, Path, description = "The token's id.")),
    responses((status = 204, description = "The token no longer works."))
)]
async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    if state
        .identity
        .revoke(actor.actor, id, Utc::now())
        .await
        .map_err(super::auth::identity_error)?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("you have no live token {id}")))
    }
}

/// Query of `GET /v1/me/access-log`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessQuery {
    /// At most this many entries (1 to 500; 100 when absent).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// One reading of the caller's data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct AccessSeen {
    /// When.
    pub at: DateTime<Utc>,
    /// Who read it.
    pub reader_id: Uuid,
    /// In which role.
    pub reader_role: String,
    /// Which fields.
    pub fields: Vec<String>,
    /// What they were reading.
    pub resource: String,
}

impl From<AccessEntry> for AccessSeen {
    fn from(e: AccessEntry) -> Self {
        Self {
            at: e.at,
            reader_id: e.reader_id,
            reader_role: e.reader_role,
            fields: e.fields.split(',').map(str::to_owned).collect(),
            resource: e.resource,
        }
    }
}

#[utoipa::path(
    get,
    path = "/me/access-log",
    tag = "me",
    operation_id = "access_log",
    summary = "Who read my personal data",
    description = "Newest first.",
    params(AccessQuery),
    responses((status = 200, description = "The readings.", body = Vec<AccessSeen>))
)]
async fn access_log(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<AccessQuery>,
) -> Result<Json<Vec<AccessSeen>>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadInput("limit must be from 1 to 500".into()));
    }
    state.identity.access_log().flush().await;
    let entries = state
        .identity
        .store()
        .access_of(actor.actor.as_uuid(), limit)
        .await?;
    Ok(Json(entries.into_iter().map(AccessSeen::from).collect()))
}

/// Body of `POST /v1/invitations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// The registered person invited (register them first with `POST /v1/persons`).
    pub person_id: PersonId,
    /// Their email address, to sign in with a password later.
    #[serde(default)]
    pub email: Option<String>,
}

/// A link handed to the person who asked for it, to pass on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct HandedLink {
    /// The person the link is for.
    pub person_id: PersonId,
    /// What it does: `invitation`, `sign_in_link` or `password_reset`.
    pub kind: String,
    /// The address to open (single use).
    pub link: String,
    /// The token alone, for a client app that builds its own address.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// The base of links: the public address when configured, else the address the request came to.
fn link_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(base) = state.config.public_base() {
        return base;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("127.0.0.1:8080");
    format!("http://{host}")
}

async fn hand_out(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    person: PersonId,
    kind: CredentialKind,
    email: Option<&str>,
) -> Result<(StatusCode, Json<HandedLink>), ApiError> {
    super::policy::may_manage_account(state, actor, person).await?;
    let now = Utc::now();
    state
        .identity
        .ensure_account(actor.tenant, person, email, now)
        .await
        .map_err(identity_error)?;
    let settings = state.identity.settings();
    let ttl = match kind {
        CredentialKind::Invitation => settings.invitation_ttl,
        CredentialKind::PasswordReset => settings.reset_ttl,
        _ => settings.sign_in_link_ttl,
    };
    let issued = state
        .identity
        .issue(kind, actor.tenant, person, None, None, ttl, now)
        .await
        .map_err(identity_error)?;
    tracing::info!(person = %person, kind = kind.as_str(), "a link was handed out");
    Ok((
        StatusCode::CREATED,
        Json(HandedLink {
            person_id: person,
            kind: kind.as_str().to_owned(),
            link: link_url(&link_base(state, headers), &issued.token),
            token: issued.token,
            expires_at: issued.credential.expires_at,
        }),
    ))
}

#[utoipa::path(
    post,
    path = "/invitations",
    tag = "persons",
    operation_id = "invite",
    summary = "Invite a registered person",
    description = "A single-use link for them to sign in and choose a password, shown to the one who asked until email exists.",
    request_body = InviteBody,
    responses((status = 201, description = "The invitation link.", body = HandedLink))
)]
async fn invite(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<HandedLink>), ApiError> {
    hand_out(
        &state,
        &actor,
        &headers,
        body.person_id,
        CredentialKind::Invitation,
        body.email.as_deref(),
    )
    .await
}

/// Body of `POST /v1/persons/{id}/sign-in-links`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkForBody {
    /// `sign_in` (a one-time sign-in, 15 minutes) or `password_reset` (choose a new password,
    /// 1 hour).
    pub purpose: LinkPurpose,
}

/// What a link handed out for someone is for.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    /// Sign in once.
    SignIn,
    /// Choose a new password.
    PasswordReset,
}

#[utoipa::path(
    post,
    path = "/persons/{id}/sign-in-links",
    tag = "persons",
    operation_id = "sign_in_link",
    summary = "Hand out a sign-in or reset link for someone",
    description = "For a resident who is not online, by their connector or an admin.",
    params(("id" = PersonId, Path, description = "The person.")),
    request_body = LinkForBody,
    responses((status = 201, description = "The link.", body = HandedLink))
)]
async fn link_for(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(person): ApiPath<PersonId>,
    ApiJson(body): ApiJson<LinkForBody>,
) -> Result<(StatusCode, Json<HandedLink>), ApiError> {
    let kind = match body.purpose {
        LinkPurpose::SignIn => CredentialKind::SignInLink,
        LinkPurpose::PasswordReset => CredentialKind::PasswordReset,
    };
    hand_out(&state, &actor, &headers, person, kind, None).await
}

//! Signing in at an organisation's identity provider: `GET /auth/oidc/{name}/start` sends the
//! browser to the provider (authorization code flow with PKCE), `GET /auth/oidc/callback`
//! finishes it and starts a session like every other sign-in.
//!
//! The flow's state, nonce and PKCE verifier are kept server-side as a single-use credential
//! found by the hash of its `state`, so the callback works on any instance and only once.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use noaber_domain::{PersonId, TenantId};
use noaber_oidc::{OidcError, PendingLogin};
use noaber_store::identity::{CredentialKind, NewCredential};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::identity_error;
use super::{ApiError, ApiQuery, AppState};
use crate::identity::{token_hash, IdentityError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The single sign-on routes (outside `/v1`: they are browser pages).
pub fn pages() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start))
        .routes(routes!(callback))
}

/// The one mapping from sign-on errors to problems: what the person did wrong or the provider
/// refused is a 401 naming it; a provider out of reach is a 503.
fn oidc_error(e: OidcError) -> ApiError {
    match e {
        OidcError::StateMismatch | OidcError::Expired => {
            identity_error(IdentityError::LinkNotValid)
        }
        OidcError::NoRole { .. } => ApiError::Refused {
            kind: noaber_domain::ErrorKind::Forbidden,
            code: "role-not-held",
            detail:
                "your organisation's sign-in gives you no role in Noaber; ask your administrator"
                    .into(),
        },
        OidcError::Discovery { .. } => ApiError::Unavailable(Box::new(e)),
        OidcError::Config { .. } | OidcError::Secret { .. } => ApiError::internal(e.to_string()),
        other => ApiError::SignIn {
            code: "sign-in-failed",
            detail: format!("the sign-in at your organisation could not be verified: {other}"),
        },
    }
}

#[utoipa::path(
    get,
    path = "/auth/oidc/{name}/start",
    tag = "sign-in",
    operation_id = "sso_start",
    summary = "Sign in at an organisation's identity provider",
    description = "Sends the browser to the provider (authorization code flow with PKCE).",
    params(("name" = String, Path, description = "The provider's name in the configuration.")),
    responses((status = 303, description = "On to the provider.", headers(("location" = String, description = "The provider's sign-in page."))))
)]
async fn start(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let provider = state
        .sso
        .provider(&name)
        .ok_or_else(|| ApiError::NotFound(format!("there is no sign-in provider {name:?} here")))?
        .clone();
    let client = state
        .sso
        .client(&name)
        .await
        .map_err(oidc_error)?
        .ok_or_else(|| ApiError::NotFound(format!("there is no sign-in provider {name:?} here")))?;
    let now = Utc::now();
    let (url, pending) = client.begin(now);
    let data = serde_json::to_string(&pending)?;
    let credential = NewCredential {
        id: Uuid::now_v7(),
        kind: CredentialKind::OidcLogin,
        tenant_id: provider.tenant.as_uuid(),
        person_id: Uuid::nil(),
        role: None,
        label: Some(name),
        data: Some(data),
        created_at: now,
        expires_at: pending.expires_at(),
    };
    state
        .identity
        .store()
        .issue(&token_hash(pending.state()), &credential)
        .await?;
    Ok(Redirect::to(url.as_str()).into_response())
}

/// Query of the callback, as the provider sends the browser back.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// The authorization code.
    #[serde(default)]
    pub code: Option<String>,
    /// The state of the flow.
    #[serde(default)]
    pub state: Option<String>,
    /// The provider's error, when the person cancelled or was refused there.
    #[serde(default)]
    pub error: Option<String>,
}

#[utoipa::path(
    get,
    path = "/auth/oidc/callback",
    tag = "sign-in",
    operation_id = "sso_callback",
    summary = "Finish signing in at an identity provider",
    description = "Where the provider sends the browser back; starts a session like every other sign-in.",
    params(CallbackQuery),
    responses((status = 303, description = "Signed in; on to the start page.", headers(("location" = String, description = "The start page."), ("set-cookie" = String, description = "The session cookie."))))
)]
async fn callback(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CallbackQuery>,
) -> Result<Response, ApiError> {
    if let Some(error) = query.error {
        return Err(ApiError::SignIn {
            code: "sign-in-failed",
            detail: format!("your organisation's sign-in did not complete ({error})"),
        });
    }
    let (Some(code), Some(returned)) = (query.code, query.state) else {
        return Err(ApiError::BadInput(
            "the sign-in answer lacks its code or state".into(),
        ));
    };
    let now = Utc::now();
    let flow = state
        .identity
        .redeem(&returned, &[CredentialKind::OidcLogin], now)
        .await
        .map_err(identity_error)?;
    let name = flow.issued.label.clone().unwrap_or_default();
    let pending: PendingLogin =
        serde_json::from_str(flow.issued.data.as_deref().unwrap_or_default())?;
    let client = state
        .sso
        .client(&name)
        .await
        .map_err(oidc_error)?
        .ok_or_else(|| ApiError::NotFound(format!("there is no sign-in provider {name:?} here")))?;
    let login = match client.finish(pending, &code, &returned, now).await {
        Err(OidcError::InvalidIdToken { reason }) => {
            // Perhaps the provider rotated its keys: discover it again for the next sign-in.
            state.sso.forget(&name).await;
            return Err(oidc_error(OidcError::InvalidIdToken { reason }));
        }
        other => other.map_err(oidc_error)?,
    };
    let tenant = TenantId::new(flow.issued.tenant_id);
    let refused = || identity_error(IdentityError::SignInFailed);
    let email = login
        .email
        .as_deref()
        .filter(|_| login.email_verified)
        .ok_or_else(refused)?;
    let key = state.identity.login_key(email).map_err(|_| refused())?;
    let account = state
        .identity
        .store()
        .account_by_login(&key)
        .await?
        .filter(|a| a.tenant_id == tenant.as_uuid() && a.closed_at.is_none())
        .ok_or_else(refused)?;
    let person = PersonId::new(account.person_id);
    let mut role = None;
    for candidate in &login.roles {
        if super::policy::holds(&state, tenant, person, *candidate).await? {
            role = Some(*candidate);
            break;
        }
    }
    let role = role.ok_or_else(|| ApiError::Refused {
        kind: noaber_domain::ErrorKind::Forbidden,
        code: "role-not-held",
        detail: "your organisation names a role you do not hold in Noaber; ask your administrator to grant it".into(),
    })?;
    let (token, _) = super::auth::session_in(&state, tenant, person, role).await?;
    tracing::info!(provider = %name, person = %person, role = role.as_str(), "signed in at an identity provider");
    Ok(super::auth::with_cookie(&state, token, Redirect::to("/")))
}

//! Extractors with the API's own error format: a JSON body whose rejection is a 400 problem
//! document, the caller's identity as authentication found it, and an idempotency key.
//!
//! The caller ([`Actor`]) is put in the request's extensions by the authentication middleware
//! (`authn`): a session, a bearer token, or (only when the configuration says so, for tests) the
//! development identity headers (`x-noaber-tenant`, `x-noaber-actor`, `x-noaber-role`), which are
//! trusted as sent (ADR 0008, amended by ADR 0027).

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use noaber_domain::Role;
use noaber_domain::{PersonId, TenantId};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::error::ApiError;

/// The header naming the caller's tenant (a UUID).
pub const TENANT_HEADER: &str = "x-noaber-tenant";
/// The header naming the calling person or account (a UUID).
pub const ACTOR_HEADER: &str = "x-noaber-actor";
/// The header naming the caller's role (`resident`, `connector`, `funder`, `auditor`, ...).
pub const ROLE_HEADER: &str = "x-noaber-role";
/// The header carrying a client's idempotency key (a UUID) for a command.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// A JSON request body; a body that is not JSON, or not the expected shape, is a 400 problem
/// document (415 when it is not sent as JSON at all, 413 when it is larger than
/// [`MAX_BODY_BYTES`](super::limits::MAX_BODY_BYTES)).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType(
                "send the body as JSON, with the header content-type: application/json".into(),
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::BadInput(format!(
                "the body is not valid JSON: {}",
                e.body_text()
            ))),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::BadInput(format!(
                "the body does not have the expected fields: {}",
                e.body_text()
            ))),
            Err(other) if other.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(super::limits::body_too_large())
            }
            Err(other) => Err(ApiError::BadInput(format!(
                "the body cannot be read: {}",
                other.body_text()
            ))),
        }
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A browser session (the credential's id).
    Session(Uuid),
    /// A bearer token (the credential's id).
    Bearer(Uuid),
    /// The development identity headers (tests only).
    DevHeaders,
}

impl Via {
    /// The stable name of the method.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Via::Session(_) => "session",
            Via::Bearer(_) => "bearer_token",
            Via::DevHeaders => "development_headers",
        }
    }
}

/// Who is calling: tenant, person and role, as authentication found them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The tenant the caller acts in.
    pub tenant: TenantId,
    /// The calling person.
    pub actor: PersonId,
    /// The role they act in.
    pub role: Role,
    /// How they proved it.
    pub via: Via,
}

impl Actor {
    /// Reads the caller from the headers: 401 when a header is missing, 400 when malformed.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, ApiError> {
        let tenant = required(headers, TENANT_HEADER)?;
        let actor = required(headers, ACTOR_HEADER)?;
        let role = required(headers, ROLE_HEADER)?;
        let tenant = parse_uuid(TENANT_HEADER, tenant)?;
        let actor = parse_uuid(ACTOR_HEADER, actor)?;
        let role = role.parse::<Role>().map_err(|_| {
            ApiError::BadInput(format!(
                "the {ROLE_HEADER} header {role:?} is not a role: use resident, helper, connector, partner, ambassador, funder, auditor or admin"
            ))
        })?;
        Ok(Self {
            tenant: TenantId::new(tenant),
            actor: PersonId::new(actor),
            role,
            via: Via::DevHeaders,
        })
    }

    /// Refuses the read-only roles (403): funders receive aggregate figures only, auditors
    /// exports only.
    pub fn not_read_only(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Funder => Err(ApiError::Forbidden(
                "funders see aggregate figures only (the KPI endpoint)".into(),
            )),
            Role::Auditor => Err(ApiError::Forbidden(
                "auditors receive exports and verify them; they see nothing else here".into(),
            )),
            _ => Ok(()),
        }
    }
}

fn required<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    let value = headers.get(name).ok_or_else(|| {
        ApiError::Unauthenticated(format!(
            "the {name} header is missing: every /v1 call says who is asking ({TENANT_HEADER}, {ACTOR_HEADER}, {ROLE_HEADER})"
        ))
    })?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::BadInput(format!("the {name} header is not plain text")))?
        .trim();
    if value.is_empty() {
        return Err(ApiError::Unauthenticated(format!(
            "the {name} header is empty: every /v1 call says who is asking"
        )));
    }
    Ok(value)
}

fn parse_uuid(name: &str, value: &str) -> Result<Uuid, ApiError> {
    value
        .parse::<Uuid>()
        .map_err(|_| ApiError::BadInput(format!("the {name} header {value:?} is not a UUID")))
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Actor>().copied().ok_or_else(|| {
            ApiError::Unauthenticated(
                "sign in first: this address needs to know who is asking".into(),
            )
        })
    }
}

/// The command id of a write: the client's `idempotency-key` header (a UUID), so that a retried
/// request returns the first outcome, or a fresh id when the client sent none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for CommandId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get(IDEMPOTENCY_HEADER) {
            None => Ok(Self(Uuid::now_v7())),
            Some(v) => {
                let text = v.to_str().map_err(|_| {
                    ApiError::BadInput(format!("the {IDEMPOTENCY_HEADER} header is not plain text"))
                })?;
                text.trim().parse::<Uuid>().map(Self).map_err(|_| {
                    ApiError::BadInput(format!(
                        "the {IDEMPOTENCY_HEADER} header {text:?} is not a UUID"
                    ))
                })
            }
        }
    }
}

/// Query parameters whose rejection is a 400 problem document naming what was wrong (axum's
/// own is plain text).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Self)
            .map_err(|e| {
                let path = e.path().to_string();
                if path == "." {
                    ApiError::BadInput(format!("the query is not valid: {}", e.inner()))
                } else {
                    ApiError::BadInput(format!(
                        "the query parameter {path} is not valid: {}",
                        e.inner()
                    ))
                }
            })
    }
}

/// A path parameter whose rejection is a 400 problem document (axum's is plain text). Use the
/// typed id (`ApiPath<RequestId>`, `ApiPath<(RequestId, PersonId)>`) so a handler never sees a
/// bare UUID.
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(axum::extract::rejection::PathRejection::FailedToDeserializePathParams(e)) => Err(
                ApiError::BadInput(format!("the address is not valid: {}", e.body_text())),
            ),
            Err(other) => Err(ApiError::internal(format!("path extraction: {other}"))),
        }
    }
}

/// A comma-separated list in a query parameter (`?neighbourhoods=<id>,<id>`), each item parsed
/// into `T` (an id, a category code, a channel); an item that does not parse rejects the whole
/// query with a 400 problem naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommaList<T>(pub Vec<T>);

impl<T> Default for CommaList<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T> serde::Deserialize<'de> for CommaList<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        let limit = super::limits::MAX_LIST_ITEMS;
        if raw.split(',').nth(limit).is_some() {
            return Err(serde::de::Error::custom(format!(
                "a list holds at most {limit} items"
            )));
        }
        raw.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                // The parsers' own messages name the item ("'nope' is not a known request
                // category"), so they are passed on as they are.
                item.parse::<T>().map_err(serde::de::Error::custom)
            })
            .collect::<Result<Vec<T>, D::Error>>()
            .map(Self)
    }
}

/// Deserialises a query value through its `FromStr`, for `#[serde(deserialize_with)]` on typed
/// parameters (`Option<T>` too) whose type has no serde impl of its own.
pub fn from_text<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromText,
{
    T::from_text(<String as serde::Deserialize>::deserialize(deserializer)?)
        .map_err(serde::de::Error::custom)
}

/// A value read from one query text: `T: FromStr`, or `Option<T>` of one.
pub trait FromText: Sized {
    /// Parses the text.
    fn from_text(text: String) -> Result<Self, String>;
}

impl FromText for noaber_projections::kpi::ReportTime {
    fn from_text(text: String) -> Result<Self, String> {
        text.parse()
            .map_err(|e: noaber_projections::kpi::ReportTimeError| e.to_string())
    }
}

impl<T: FromText> FromText for Option<T> {
    fn from_text(text: String) -> Result<Self, String> {
        T::from_text(text).map(Some)
    }
}

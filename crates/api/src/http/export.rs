//! A person's own data to take away (GDPR articles 15 and 20): `GET /v1/me/export`, and for a
//! resident who is not online `GET /v1/persons/{id}/export` by an administrator or their
//! connector. One JSON document: the account, the roles and their history, every event of the
//! person's own stream, of the requests they took part in and of the standing offers they
//! made, with *their* personal data opened
//! and anyone else's withheld, and who read their data. The download is recorded in the access
//! log like every other opening.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use noaber_domain::offer::StandingOffer;
use noaber_domain::person::Person;
use noaber_domain::request::HelpRequest;
use noaber_domain::{PersonId, Personal, TenantId};
use noaber_projections::roles::{CurrentGrant, RoleChange};
use noaber_store::StreamId;
use serde::Serialize;
use serde_json::{json, Value};

use super::me::AccessSeen;
use super::personal::{open, record};
use super::{Actor, ApiError, ApiPath, AppState};
use crate::identity::Opened;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The export routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(own))
        .routes(routes!(on_behalf))
}

/// One event of the export.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedEvent {
    /// Its stream.
    stream: String,
    /// Its version in the stream.
    version: u64,
    /// What happened.
    event_type: String,
    /// When it happened.
    occurred_at: DateTime<Utc>,
    /// When the log learned it.
    recorded_at: DateTime<Utc>,
    /// The role of whoever caused it.
    actor_role: Option<String>,
    /// What the event holds: the person's own personal values opened as
    /// `{"state": "clear", "text": ..}`, anyone else's as `{"state": "withheld", ..}`.
    payload: Value,
}

/// The account in an export.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedAccount {
    /// The login name (email address), when set.
    login: Option<String>,
    /// When the account was made.
    created_at: DateTime<Utc>,
    /// When it was closed.
    closed_at: Option<DateTime<Utc>>,
    /// Whether a password is set.
    has_password: bool,
}

/// A person's own data to take away (GDPR articles 15 and 20).
#[derive(Debug, Serialize, ToSchema)]
pub struct Export {
    /// The person.
    person_id: PersonId,
    /// Their tenant.
    tenant_id: TenantId,
    /// When this export was made.
    exported_at: DateTime<Utc>,
    /// Who made it.
    exported_by: PersonId,
    /// Their account, if they have one.
    account: Option<ExportedAccount>,
    /// The roles they hold.
    roles: Vec<CurrentGrant>,
    /// Every change of their roles.
    role_history: Vec<RoleChange>,
    /// Every event of their own stream and of the requests they took part in.
    events: Vec<ExportedEvent>,
    /// Who read their personal data.
    read_by: Vec<AccessSeen>,
}

/// Opens the person's own sealed values in `value` and withholds everyone else's.
async fn open_own(state: &AppState, person: PersonId, value: &mut Value) -> Result<(), ApiError> {
    match value {
        Value::Object(map) if map.contains_key("$sealed") => {
            let sealed: Result<Personal, _> = serde_json::from_value(Value::Object(map.clone()));
            *value = match sealed {
                Ok(p) if p.subject == person => serde_json::to_value(open(state, &p).await?)?,
                _ => json!({"state": "withheld", "why": "personal data of someone else"}),
            };
        }
        Value::Object(map) => {
            for child in map.values_mut() {
                Box::pin(open_own(state, person, child)).await?;
            }
        }
        Value::Array(items) => {
            for child in items {
                Box::pin(open_own(state, person, child)).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

async fn export(
    state: &AppState,
    reader: &Actor,
    person: PersonId,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    super::reads::ensure_in_tenant(state, "person", person.as_uuid(), reader.tenant).await?;
    let (involved, offered) = {
        let models = state.projections.read().await;
        let requests = models.directory.requests_of(person).to_vec();
        (
            requests,
            models.standing_offers.of_helper(reader.tenant, person),
        )
    };
    let mut streams = vec![StreamId::of::<Person>(person.as_uuid())];
    streams.extend(
        involved
            .iter()
            .map(|r| StreamId::of::<HelpRequest>(r.as_uuid())),
    );
    streams.extend(
        offered
            .iter()
            .map(|o| StreamId::of::<StandingOffer>(o.standing_offer_id.as_uuid())),
    );
    let mut events = Vec::new();
    for stream in &streams {
        let mut read = state.store.read_stream(stream, 1);
        while let Some(recorded) = read.try_next().await? {
            let mut payload = recorded.payload.clone();
            open_own(state, person, &mut payload).await?;
            events.push(ExportedEvent {
                stream: stream.to_string(),
                version: recorded.stream_version,
                event_type: recorded.event_type.clone(),
                occurred_at: recorded.occurred_at,
                recorded_at: recorded.recorded_at,
                actor_role: recorded.metadata.actor_role.clone(),
                payload,
            });
        }
    }
    let account = state.identity.store().account(person.as_uuid()).await?;
    let login = match &account {
        Some(a) => state
            .identity
            .login_of(a)
            .await
            .map_err(super::auth::identity_error)?,
        None => None,
    };
    let (grants, history) = {
        let models = state.projections.read().await;
        (
            models.roles.grants_of(person).to_vec(),
            models.roles.history_of(person).to_vec(),
        )
    };
    state.identity.access_log().flush().await;
    let read_by: Vec<AccessSeen> = state
        .identity
        .store()
        .access_of(person.as_uuid(), 10_000)
        .await?
        .into_iter()
        .map(AccessSeen::from)
        .collect();
    let mut opened = Opened::new(
        reader.tenant,
        reader.actor,
        reader.role,
        if reader.actor == person {
            "GET /v1/me/export"
        } else {
            "GET /v1/persons/{id}/export"
        },
    );
    opened.add(person, "export");
    record(state, opened, headers).await;
    let body = Export {
        person_id: person,
        tenant_id: reader.tenant,
        exported_at: Utc::now(),
        exported_by: reader.actor,
        account: account.as_ref().map(|a| ExportedAccount {
            login,
            created_at: a.created_at,
            closed_at: a.closed_at,
            has_password: a.password_hash.is_some(),
        }),
        roles: grants,
        role_history: history,
        events,
        read_by,
    };
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"noaber-export.json\""),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/me/export",
    tag = "me",
    operation_id = "export_me",
    summary = "Download my own data",
    description = "GDPR articles 15 and 20: my account, roles, every event about me or my requests with my personal data opened and everyone else's withheld, and who read my data. Recorded in the access log.",
    responses((status = 200, description = "The export.", body = Export, headers(("content-disposition" = String, description = "attachment; filename=\"noaber-export.json\""))))
)]
async fn own(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    export(&state, &actor, actor.actor, &headers).await
}

#[utoipa::path(
    get,
    path = "/persons/{id}/export",
    tag = "persons",
    operation_id = "export_person",
    summary = "Download a person's data for them",
    description = "For a resident who is not online, by an admin or their connector.",
    params(("id" = PersonId, Path, description = "The person.", example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")),
    responses((status = 200, description = "The export.", body = Export, headers(("content-disposition" = String, description = "attachment; filename=\"noaber-export.json\""))))
)]
async fn on_behalf(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(person): ApiPath<PersonId>,
) -> Result<Response, ApiError> {
    if person != actor.actor {
        super::policy::may_manage_account(&state, &actor, person).await?;
    }
    export(&state, &actor, person, &headers).await
}

//! Read endpoints over the read models: the resident feed, the connector queue, match
//! suggestions, the helper directory, funder KPIs, signals and the audit view.
//!
//! Who may read what: funders get the KPI endpoint only (403 elsewhere); the queue, the
//! directory, suggestions, signals and audit histories are for connectors and admins (partners
//! also see suggestions and signals, and anyone may read their own history); feeds are for every
//! other role, connectors and admins seeing the connector-only items too. Everything is scoped
//! to the caller's tenant: a neighbourhood, request or person of another tenant is not found.
//!
//! The read models follow the log a moment behind it. A client that must see its own write
//! passes `fresh=true`: the answer then waits (at most a few seconds) until the models include
//! everything committed before the call.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use noaber_domain::values::ApproxLocation;
use noaber_domain::{NeighbourhoodId, PersonId, RequestId, Role};
use noaber_projections::audit::{self, AuditEntry, AuditError};
use noaber_projections::directory::{DirectoryError, HelperHit, HelperQuery, Suggestion};
use noaber_projections::feed::{Audience, FeedError, FeedPage};
use noaber_projections::kpi::{
    Breakdown, Interval, KpiQuery, ReportTime, DEFAULT_SUPPRESSION_THRESHOLD,
};
use noaber_projections::queue::{QueueConfig, QueueItem};
use noaber_projections::signals::{Granularity, SignalRow};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::commands::{ensure_same_tenant, ApiPath};
use super::{Actor, ApiError, AppState};

/// How long a `fresh=true` read waits for the read models at most.
const FRESH_WAIT: Duration = Duration::from_secs(5);

/// The read routes, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/neighbourhoods/{id}/feed", get(feed))
        .route("/queue", get(queue))
        .route("/requests/{id}/suggestions", get(suggestions))
        .route("/helpers", get(helpers))
        .route("/kpis", get(kpis))
        .route("/signals", get(signals))
        .route("/requests/{id}/history", get(request_history))
        .route("/persons/{id}/history", get(person_history))
}

/// Query parameters every read accepts.
#[derive(Debug, Default, Deserialize)]
pub struct Fresh {
    /// Wait until the read models include everything committed before this call.
    #[serde(default)]
    pub fresh: bool,
}

fn allow(actor: &Actor, roles: &[Role]) -> Result<(), ApiError> {
    if roles.contains(&actor.role) {
        Ok(())
    } else if actor.role == Role::Funder {
        Err(ApiError::Forbidden(
            "funders see aggregate figures only (the KPI endpoint)".into(),
        ))
    } else {
        Err(ApiError::Forbidden(format!(
            "a {} may not see this",
            actor.role.as_str()
        )))
    }
}

async fn settle(state: &AppState, fresh: bool) -> Result<(), ApiError> {
    if fresh {
        state
            .projections
            .catch_up(FRESH_WAIT)
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    }
    Ok(())
}

/// A comma-separated list of ids, e.g. `a,b,c`.
fn id_list(name: &str, raw: Option<&str>) -> Result<Vec<Uuid>, ApiError> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<Uuid>()
                .map_err(|_| ApiError::BadInput(format!("{name}: {s:?} is not a UUID")))
        })
        .collect()
}

fn text_list(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Query of `GET /v1/neighbourhoods/{id}/feed`.
#[derive(Debug, Deserialize)]
pub struct FeedParams {
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items per page (at most 100; 20 when absent).
    pub limit: Option<usize>,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

async fn feed(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    Query(params): Query<FeedParams>,
) -> Result<Json<FeedPage>, ApiError> {
    actor.not_funder()?;
    ensure_same_tenant(&state, "neighbourhood", id, actor.tenant).await?;
    settle(&state, params.fresh).await?;
    let audience = match actor.role {
        Role::Connector | Role::Admin => Audience::Connector,
        _ => Audience::Resident,
    };
    let models = state.projections.read().await;
    let page = models
        .feed
        .page(
            NeighbourhoodId::new(id),
            audience,
            params.cursor.as_deref(),
            params.limit.unwrap_or(20),
        )
        .map_err(|e: FeedError| ApiError::BadInput(e.to_string()))?;
    Ok(Json(page))
}

/// Query of `GET /v1/queue`.
#[derive(Debug, Deserialize)]
pub struct QueueParams {
    /// The connector's neighbourhoods, comma-separated.
    pub neighbourhoods: Option<String>,
    /// Hours without an offer before a request needs a connector (48 when absent).
    pub no_offer_hours: Option<u32>,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

async fn queue(
    State(state): State<AppState>,
    actor: Actor,
    Query(params): Query<QueueParams>,
) -> Result<Json<Vec<QueueItem>>, ApiError> {
    allow(&actor, &[Role::Connector, Role::Admin])?;
    let ids = id_list("neighbourhoods", params.neighbourhoods.as_deref())?;
    if ids.is_empty() {
        return Err(ApiError::BadInput(
            "name the neighbourhoods of the queue: ?neighbourhoods=<id>,<id>".into(),
        ));
    }
    for id in &ids {
        ensure_same_tenant(&state, "neighbourhood", *id, actor.tenant).await?;
    }
    settle(&state, params.fresh).await?;
    let mut config = QueueConfig::default();
    if let Some(hours) = params.no_offer_hours {
        config.no_offer_after = chrono::TimeDelta::hours(i64::from(hours));
    }
    let neighbourhoods: Vec<NeighbourhoodId> = ids.into_iter().map(NeighbourhoodId::new).collect();
    let models = state.projections.read().await;
    Ok(Json(models.queue.items(
        &neighbourhoods,
        Utc::now(),
        &config,
    )))
}

/// Query of `GET /v1/requests/{id}/suggestions`.
#[derive(Debug, Deserialize)]
pub struct SuggestionParams {
    /// At most this many suggestions (10 when absent).
    pub limit: Option<usize>,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

async fn suggestions(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    Query(params): Query<SuggestionParams>,
) -> Result<Json<Vec<Suggestion>>, ApiError> {
    allow(&actor, &[Role::Connector, Role::Admin, Role::Partner])?;
    ensure_same_tenant(&state, "request", id, actor.tenant).await?;
    settle(&state, params.fresh).await?;
    let models = state.projections.read().await;
    let found = models
        .directory
        .suggest(RequestId::new(id), Utc::now(), params.limit.unwrap_or(0))
        .map_err(directory_error)?;
    Ok(Json(found))
}

fn directory_error(e: DirectoryError) -> ApiError {
    match e {
        DirectoryError::UnknownRequest(_) => ApiError::NotFound(e.to_string()),
        DirectoryError::RequestNotOpen(_) => ApiError::RuleViolation(e.to_string()),
        DirectoryError::UnknownSkill(_) => ApiError::BadInput(e.to_string()),
    }
}

/// Query of `GET /v1/helpers`.
#[derive(Debug, Deserialize)]
pub struct HelperParams {
    /// Only helpers with this skill code.
    pub skill: Option<String>,
    /// Latitude to rank from (with `lon`).
    pub lat: Option<f64>,
    /// Longitude to rank from (with `lat`).
    pub lon: Option<f64>,
    /// Only helpers of this neighbourhood.
    pub neighbourhood: Option<Uuid>,
    /// At most this many helpers (50 when absent).
    pub limit: Option<usize>,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

async fn helpers(
    State(state): State<AppState>,
    actor: Actor,
    Query(params): Query<HelperParams>,
) -> Result<Json<Vec<HelperHit>>, ApiError> {
    allow(&actor, &[Role::Connector, Role::Admin])?;
    let near = match (params.lat, params.lon) {
        (Some(lat), Some(lon)) => {
            Some(ApproxLocation::new(lat, lon).map_err(|e| ApiError::BadInput(e.to_string()))?)
        }
        (None, None) => None,
        _ => {
            return Err(ApiError::BadInput(
                "give both lat and lon, or neither".into(),
            ))
        }
    };
    settle(&state, params.fresh).await?;
    let query = HelperQuery {
        tenant: Some(actor.tenant.as_uuid()),
        skill: params.skill,
        near,
        available: None,
        neighbourhood: params.neighbourhood.map(NeighbourhoodId::new),
        limit: params.limit.unwrap_or(0),
    };
    let models = state.projections.read().await;
    let hits = models.directory.helpers(&query).map_err(directory_error)?;
    Ok(Json(hits))
}

/// Query of `GET /v1/kpis`: the period is [from, to), dates as `YYYY-MM-DD` or RFC 3339.
#[derive(Debug, Deserialize)]
pub struct KpiParams {
    /// Start of the period (inclusive).
    pub from: String,
    /// End of the period (exclusive).
    pub to: String,
    /// Figures as the log knew them at this recorded moment.
    pub as_of: Option<String>,
    /// Statuses are taken at this date (default: `as_of`, else now).
    pub report_date: Option<String>,
    /// Start of a baseline period to compare with.
    pub compare_from: Option<String>,
    /// End of the baseline period.
    pub compare_to: Option<String>,
    /// A breakdown: `neighbourhood`, `category` or `channel`.
    pub by: Option<Breakdown>,
    /// A time series: `week`, `month` or `quarter`.
    pub series: Option<Interval>,
    /// Only these neighbourhoods, comma-separated.
    pub neighbourhoods: Option<String>,
    /// Only these category codes, comma-separated.
    pub categories: Option<String>,
    /// Only these channels, comma-separated.
    pub channels: Option<String>,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

fn time(name: &str, raw: &str) -> Result<DateTime<Utc>, ApiError> {
    ReportTime::parse(raw)
        .map(ReportTime::at)
        .map_err(|e| ApiError::BadInput(format!("{name}: {e}")))
}

fn kpi_query(
    actor: &Actor,
    params: &KpiParams,
    from: &str,
    to: &str,
) -> Result<KpiQuery, ApiError> {
    let (from, to) = (time("from", from)?, time("to", to)?);
    if to <= from {
        return Err(ApiError::BadInput(
            "the period is empty: `to` must be after `from`".into(),
        ));
    }
    let as_of = params
        .as_of
        .as_deref()
        .map(|t| time("as_of", t))
        .transpose()?;
    let report_date = match params.report_date.as_deref() {
        Some(t) => time("report_date", t)?,
        None => as_of.unwrap_or_else(Utc::now),
    };
    let channels = text_list(params.channels.as_deref());
    for c in &channels {
        c.parse::<noaber_domain::values::Channel>()
            .map_err(|e| ApiError::BadInput(e.to_string()))?;
    }
    let mut q = KpiQuery::new(actor.tenant.as_uuid(), from, to, report_date);
    q.as_of = as_of;
    q.neighbourhoods = id_list("neighbourhoods", params.neighbourhoods.as_deref())?;
    q.categories = text_list(params.categories.as_deref());
    q.channels = channels;
    q.by = params.by;
    q.series = params.series;
    Ok(q)
}

async fn kpis(
    State(state): State<AppState>,
    actor: Actor,
    Query(params): Query<KpiParams>,
) -> Result<Json<Value>, ApiError> {
    allow(
        &actor,
        &[Role::Funder, Role::Connector, Role::Admin, Role::Partner],
    )?;
    let main = kpi_query(&actor, &params, &params.from, &params.to)?;
    let baseline = match (&params.compare_from, &params.compare_to) {
        (Some(from), Some(to)) => Some(kpi_query(&actor, &params, from, to)?),
        (None, None) => None,
        _ => {
            return Err(ApiError::BadInput(
                "give both compare_from and compare_to, or neither".into(),
            ))
        }
    };
    settle(&state, params.fresh).await?;
    let models = state.projections.read().await;
    // Everyone receives what a funder receives: small counts suppressed, never shown as zero.
    let body = match baseline {
        None => serde_json::to_value(
            models
                .kpis
                .query(&main)
                .for_funder(DEFAULT_SUPPRESSION_THRESHOLD),
        ),
        Some(baseline) => serde_json::to_value(
            models
                .kpis
                .compare(&baseline, &main)
                .for_funder(DEFAULT_SUPPRESSION_THRESHOLD),
        ),
    }
    .map_err(|e| ApiError::Internal(format!("serialising KPIs: {e}")))?;
    Ok(Json(body))
}

/// Query of `GET /v1/signals`.
#[derive(Debug, Deserialize)]
pub struct SignalParams {
    /// The neighbourhoods, comma-separated.
    pub neighbourhoods: Option<String>,
    /// `week` or `month` (month when absent).
    pub granularity: Option<Granularity>,
    /// First day (inclusive), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day (exclusive), `YYYY-MM-DD`.
    pub to: NaiveDate,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

async fn signals(
    State(state): State<AppState>,
    actor: Actor,
    Query(params): Query<SignalParams>,
) -> Result<Json<Vec<SignalRow>>, ApiError> {
    allow(&actor, &[Role::Connector, Role::Admin, Role::Partner])?;
    let ids = id_list("neighbourhoods", params.neighbourhoods.as_deref())?;
    for id in &ids {
        ensure_same_tenant(&state, "neighbourhood", *id, actor.tenant).await?;
    }
    settle(&state, params.fresh).await?;
    let neighbourhoods: Vec<NeighbourhoodId> = ids.into_iter().map(NeighbourhoodId::new).collect();
    let models = state.projections.read().await;
    Ok(Json(models.signals.series(
        &neighbourhoods,
        params.granularity.unwrap_or(Granularity::Month),
        params.from,
        params.to,
        DEFAULT_SUPPRESSION_THRESHOLD as u32,
    )))
}

fn audit_error(e: AuditError) -> ApiError {
    match e {
        AuditError::NotFound(_) => ApiError::NotFound(e.to_string()),
        AuditError::Store(e) => e.into(),
    }
}

async fn request_history(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    allow(&actor, &[Role::Connector, Role::Admin])?;
    ensure_same_tenant(&state, "request", id, actor.tenant).await?;
    let entries = audit::request_history(state.store.as_ref(), RequestId::new(id))
        .await
        .map_err(audit_error)?;
    Ok(Json(entries))
}

async fn person_history(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    Query(params): Query<Fresh>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let own = actor.actor.as_uuid() == id && actor.role != Role::Funder;
    if !own {
        allow(&actor, &[Role::Connector, Role::Admin])?;
    }
    ensure_same_tenant(&state, "person", id, actor.tenant).await?;
    settle(&state, params.fresh).await?;
    let person = PersonId::new(id);
    let involved = state
        .projections
        .read()
        .await
        .directory
        .requests_of(person)
        .to_vec();
    let entries = audit::person_history(state.store.as_ref(), person, &involved)
        .await
        .map_err(audit_error)?;
    Ok(Json(entries))
}

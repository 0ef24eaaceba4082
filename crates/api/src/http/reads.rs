//! Read endpoints over the read models: the resident feed, the connector queue, match
//! suggestions, the helper directory, funder KPIs, signals and the audit view.
//!
//! Who may read what: funders get the KPI endpoint only (403 elsewhere), auditors none of
//! these (they receive exports); the queue, the
//! directory, suggestions, signals and audit histories are for connectors and admins (partners
//! also see suggestions and signals, and anyone may read their own history); feeds are for every
//! other role, connectors and admins seeing the connector-only items too. Everything is scoped
//! to the caller's tenant: a neighbourhood, request or person of another tenant is not found.
//!
//! The read models follow the log a moment behind it. A client that must see its own write
//! passes `fresh=true`: the answer then waits (at most a few seconds) until the models include
//! everything committed before the call.

use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use noaber_domain::values::{ApproxLocation, CategoryCode, Channel, SkillCode};
use noaber_domain::{neighbourhood, person};
use noaber_domain::{NeighbourhoodId, PersonId, RequestId, Role, TenantId};
use noaber_projections::audit::{self, AuditEntry};
use noaber_projections::directory::{HelperHit, HelperQuery, Suggestion};
use noaber_projections::feed::{Audience, FeedPage};
use noaber_projections::kpi::{
    Breakdown, FunderComparison, FunderReport, Interval, KpiQuery, ReportTime,
    DEFAULT_SUPPRESSION_THRESHOLD,
};
use noaber_projections::queue::{QueueConfig, QueueItem};
use noaber_projections::signals::{Granularity, SignalRow};
use noaber_store::exec::Owners;
use serde::Deserialize;
use uuid::Uuid;

use super::extract::{from_text, CommaList};
use super::limits;
use super::personal::{with_cards, WithCard};
use super::policy;
use super::{Actor, ApiError, ApiPath, ApiQuery, AppState, Via};
use noaber_domain::policy::{Action, Reach};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How long a `fresh=true` read waits for the read models at most.
const FRESH_WAIT: Duration = Duration::from_secs(5);

/// The read routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(feed))
        .routes(routes!(queue))
        .routes(routes!(suggestions))
        .routes(routes!(helpers))
        .routes(routes!(kpis))
        .routes(routes!(signals))
        .routes(routes!(request_history))
        .routes(routes!(person_history))
}

/// Query parameters every read accepts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Fresh {
    /// Wait until the read models include everything committed before this call.
    #[serde(default)]
    pub fresh: bool,
}

/// Waits until the read models include everything committed before the call, when asked to.
pub(super) async fn wait_if_fresh(state: &AppState, fresh: bool) -> Result<(), ApiError> {
    if fresh {
        state.projections.catch_up(FRESH_WAIT).await?;
    }
    Ok(())
}

/// Refuses an aggregate of another tenant, or one that does not exist, as not found: answered
/// by the read models (ADR 0022), never by a round trip to the log.
pub(super) async fn ensure_in_tenant(
    state: &AppState,
    category: &'static str,
    id: Uuid,
    tenant: TenantId,
) -> Result<(), ApiError> {
    if state.projections.owner(category, id).await? == Some(tenant) {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "there is no {category} {id} here"
        )))
    }
}

/// Query of `GET /v1/neighbourhoods/{id}/feed`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items per page (1 to 100; 20 when absent).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// Open the requests' descriptions (true when absent); `false` for a lighter list.
    pub open: Option<bool>,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

#[utoipa::path(
    get,
    path = "/neighbourhoods/{id}/feed",
    tag = "reads",
    operation_id = "feed",
    summary = "A neighbourhood's feed",
    description = "Requests, calls and standing offers, newest first, a page at a time; connectors also see connector-only items. Descriptions are opened for readers the policy allows.",
    params(("id" = NeighbourhoodId, Path, description = "The neighbourhood.", example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"), FeedParams),
    responses((status = 200, description = "One page of the feed.", body = FeedPage))
)]
async fn feed(
    State(state): State<AppState>,
    actor: Actor,
    headers: axum::http::HeaderMap,
    ApiPath(neighbourhood): ApiPath<NeighbourhoodId>,
    ApiQuery(params): ApiQuery<FeedParams>,
) -> Result<Json<FeedPage>, ApiError> {
    let scope = policy::scope(&state, &actor, Action::ReadFeed).await?;
    let limit = limits::page_size(params.limit, 20)?;
    wait_if_fresh(&state, params.fresh).await?;
    ensure_in_tenant(
        &state,
        neighbourhood::CATEGORY,
        neighbourhood.as_uuid(),
        actor.tenant,
    )
    .await?;
    let reached = match scope.reach {
        // A resident or helper reads the feed of the neighbourhood they live in (the development
        // headers, which name no registered person, reach every feed of the tenant).
        Reach::Own => {
            actor.via == Via::DevHeaders
                || state
                    .projections
                    .read()
                    .await
                    .directory
                    .neighbourhood_of(actor.actor)
                    == Some(neighbourhood)
        }
        _ => scope.covers(neighbourhood),
    };
    if !reached {
        return Err(ApiError::Forbidden(format!(
            "a {} reads the feed of their own neighbourhoods only",
            actor.role.as_str()
        )));
    }
    let audience = match actor.role {
        Role::Connector | Role::Admin => Audience::Connector,
        _ => Audience::Resident,
    };
    let mut page = {
        let models = state.projections.read().await;
        models
            .feed
            .page(neighbourhood, audience, params.cursor.as_deref(), limit)?
    };
    if params.open != Some(false) {
        super::personal::open_feed(&state, &actor, &headers, &mut page).await?;
    }
    Ok(Json(page))
}

/// Query of `GET /v1/queue`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// The connector's neighbourhoods, comma-separated.
    #[serde(default)]
    #[param(value_type = Option<String>, example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub neighbourhoods: CommaList<NeighbourhoodId>,
    /// Hours without an offer before a request needs a connector (48 when absent).
    pub no_offer_hours: Option<u32>,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

#[utoipa::path(
    get,
    path = "/queue",
    tag = "reads",
    operation_id = "queue",
    summary = "The connector's queue",
    description = "What needs a human in the connector's neighbourhoods, most pressing first.",
    params(QueueParams),
    responses((status = 200, description = "The queue.", body = Vec<QueueItem>))
)]
async fn queue(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<QueueParams>,
) -> Result<Json<Vec<QueueItem>>, ApiError> {
    let scope = policy::scope(&state, &actor, Action::ReadQueue).await?;
    let CommaList(neighbourhoods) = params.neighbourhoods;
    if neighbourhoods.is_empty() {
        return Err(ApiError::BadInput(
            "name the neighbourhoods of the queue: ?neighbourhoods=<id>,<id>".into(),
        ));
    }
    wait_if_fresh(&state, params.fresh).await?;
    for id in &neighbourhoods {
        ensure_in_tenant(&state, neighbourhood::CATEGORY, id.as_uuid(), actor.tenant).await?;
        if !scope.covers(*id) {
            return Err(ApiError::Forbidden(format!(
                "neighbourhood {id} is not one of yours: a {} sees the queue of their own neighbourhoods",
                actor.role.as_str()
            )));
        }
    }
    let mut config = QueueConfig::default();
    if let Some(hours) = params.no_offer_hours {
        config.no_offer_after = chrono::TimeDelta::hours(i64::from(hours));
    }
    let models = state.projections.read().await;
    Ok(Json(models.queue.items(
        &neighbourhoods,
        Utc::now(),
        &config,
    )))
}

/// Query of `GET /v1/requests/{id}/suggestions`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionParams {
    /// At most this many suggestions (1 to 100; 10 when absent).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// `false` to leave the helpers' names and contacts sealed (nothing is then recorded).
    pub open: Option<bool>,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

#[utoipa::path(
    get,
    path = "/requests/{id}/suggestions",
    tag = "reads",
    operation_id = "suggestions",
    summary = "Helpers to suggest for a request",
    description = "Ranked, each with the reasons of its score and, for those who coordinate helpers, the helper's name and contact (recorded in the access log).",
    params(("id" = RequestId, Path, description = "The request.", example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"), SuggestionParams),
    responses((status = 200, description = "The suggestions, best first.", body = [WithCard<Suggestion>]))
)]
async fn suggestions(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(request_id): ApiPath<RequestId>,
    ApiQuery(params): ApiQuery<SuggestionParams>,
) -> Result<Json<Vec<WithCard<Suggestion>>>, ApiError> {
    let limit = limits::page_size(params.limit, 10)?;
    wait_if_fresh(&state, params.fresh).await?;
    policy::request_in_reach(&state, &actor, request_id, Action::ReadSuggestions).await?;
    let found = state
        .projections
        .read()
        .await
        .directory
        .suggest(request_id, Utc::now(), limit)?;
    let resource = "GET /v1/requests/{id}/suggestions";
    let open = params.open != Some(false);
    let named = with_cards(&state, &actor, &headers, resource, open, found, |s| {
        s.helper
    });
    Ok(Json(named.await?))
}

/// Query of `GET /v1/helpers`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HelperParams {
    /// Only helpers with this skill code, from the taxonomy.
    pub skill: Option<SkillCode>,
    /// Latitude to rank from (with `lon`).
    #[param(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    /// Longitude to rank from (with `lat`).
    #[param(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
    /// Only helpers of this neighbourhood.
    pub neighbourhood: Option<NeighbourhoodId>,
    /// At most this many helpers (1 to 100; 50 when absent).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// `false` to leave the helpers' names and contacts sealed (nothing is then recorded).
    pub open: Option<bool>,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

#[utoipa::path(
    get,
    path = "/helpers",
    tag = "reads",
    operation_id = "helpers",
    summary = "Search the helper directory",
    description = "By skill and neighbourhood, nearest first from a point.",
    params(HelperParams),
    responses((status = 200, description = "The helpers found.", body = [WithCard<HelperHit>]))
)]
async fn helpers(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<HelperParams>,
) -> Result<Json<Vec<WithCard<HelperHit>>>, ApiError> {
    let scope = policy::scope(&state, &actor, Action::ReadHelpers).await?;
    let limit = limits::page_size(params.limit, 50)?;
    if scope.reach != Reach::Tenant {
        match params.neighbourhood {
            Some(n) if scope.covers(n) => {}
            _ => {
                return Err(ApiError::Forbidden(format!(
                    "a {} searches the helpers of one of their own neighbourhoods: add ?neighbourhood=<id>",
                    actor.role.as_str()
                )))
            }
        }
    }
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
    wait_if_fresh(&state, params.fresh).await?;
    let query = HelperQuery {
        tenant: Some(actor.tenant.as_uuid()),
        skill: params.skill.map(|s| s.as_str().to_owned()),
        near,
        available: None,
        neighbourhood: params.neighbourhood,
        for_calls: false,
        limit,
    };
    let found = state.projections.read().await.directory.helpers(&query)?;
    let open = params.open != Some(false);
    let named = with_cards(
        &state,
        &actor,
        &headers,
        "GET /v1/helpers",
        open,
        found,
        |h| h.person,
    );
    Ok(Json(named.await?))
}

/// Query of `GET /v1/kpis`: the period is [from, to), dates as `YYYY-MM-DD` or RFC 3339.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiParams {
    /// Start of the period (inclusive).
    #[serde(deserialize_with = "from_text")]
    #[param(value_type = String, example = "2025-01-01")]
    pub from: ReportTime,
    /// End of the period (exclusive).
    #[serde(deserialize_with = "from_text")]
    #[param(value_type = String, example = "2025-07-01")]
    pub to: ReportTime,
    /// Figures as the log knew them at this recorded moment.
    #[serde(default, deserialize_with = "from_text")]
    #[param(value_type = Option<String>)]
    pub as_of: Option<ReportTime>,
    /// Statuses are taken at this date (default: `as_of`, else now).
    #[serde(default, deserialize_with = "from_text")]
    #[param(value_type = Option<String>)]
    pub report_date: Option<ReportTime>,
    /// Start of a baseline period to compare with.
    #[serde(default, deserialize_with = "from_text")]
    #[param(value_type = Option<String>)]
    pub compare_from: Option<ReportTime>,
    /// End of the baseline period.
    #[serde(default, deserialize_with = "from_text")]
    #[param(value_type = Option<String>)]
    pub compare_to: Option<ReportTime>,
    /// A breakdown: `neighbourhood`, `category` or `channel`.
    pub by: Option<Breakdown>,
    /// A time series: `week`, `month` or `quarter`.
    pub series: Option<Interval>,
    /// Only these neighbourhoods, comma-separated.
    #[serde(default)]
    #[param(value_type = Option<String>, example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub neighbourhoods: CommaList<NeighbourhoodId>,
    /// Only these category codes (from the taxonomy), comma-separated.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub categories: CommaList<CategoryCode>,
    /// Only these channels, comma-separated.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub channels: CommaList<Channel>,
    /// Wait for the read models to include every earlier write.
    #[serde(default)]
    pub fresh: bool,
}

fn kpi_query(
    actor: &Actor,
    params: &KpiParams,
    from: ReportTime,
    to: ReportTime,
    names: &str,
) -> Result<KpiQuery, ApiError> {
    let (from, to): (DateTime<Utc>, DateTime<Utc>) = (from.at(), to.at());
    if to <= from {
        return Err(ApiError::BadInput(format!(
            "the period {names} is empty: the end must be after the start"
        )));
    }
    limits::period(from, to, names)?;
    if let Some(interval) = params.series {
        limits::series(interval, from, to)?;
    }
    let as_of = params.as_of.map(ReportTime::at);
    let report_date = params
        .report_date
        .map(ReportTime::at)
        .or(as_of)
        .unwrap_or_else(Utc::now);
    let mut q = KpiQuery::new(actor.tenant.as_uuid(), from, to, report_date);
    q.as_of = as_of;
    q.neighbourhoods = params.neighbourhoods.0.clone();
    q.categories = params.categories.0.clone();
    q.channels = params.channels.0.clone();
    q.by = params.by;
    q.series = params.series;
    Ok(q)
}

/// What `GET /v1/kpis` answers: one report, or the comparison of two periods.
#[derive(Debug, serde::Serialize, ToSchema)]
#[serde(untagged)]
pub enum KpiAnswer {
    /// The figures of one period.
    Report(Box<FunderReport>),
    /// The figures of two periods and how each changed.
    Comparison(Box<FunderComparison>),
}

#[utoipa::path(
    get,
    path = "/kpis",
    tag = "reads",
    operation_id = "kpis",
    summary = "Figures of neighbourhood help",
    description = "Aggregates only, small counts suppressed; with `compare_from` and `compare_to`, the comparison of two periods.",
    params(KpiParams),
    responses((status = 200, description = "The figures (a report, or a comparison of two).", body = KpiAnswer))
)]
async fn kpis(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<KpiParams>,
) -> Result<Json<KpiAnswer>, ApiError> {
    policy::scope(&state, &actor, Action::ReadKpis).await?;
    let main = kpi_query(&actor, &params, params.from, params.to, "from..to")?;
    let baseline = match (params.compare_from, params.compare_to) {
        (Some(from), Some(to)) => Some(kpi_query(
            &actor,
            &params,
            from,
            to,
            "compare_from..compare_to",
        )?),
        (None, None) => None,
        _ => {
            return Err(ApiError::BadInput(
                "give both compare_from and compare_to, or neither".into(),
            ))
        }
    };
    wait_if_fresh(&state, params.fresh).await?;
    let models = state.projections.read().await;
    // Everyone receives what a funder receives: small counts suppressed, never shown as zero.
    let body = match baseline {
        None => KpiAnswer::Report(Box::new(
            models
                .kpis
                .query(&main)
                .for_funder(DEFAULT_SUPPRESSION_THRESHOLD),
        )),
        Some(baseline) => KpiAnswer::Comparison(Box::new(
            models
                .kpis
                .compare(&baseline, &main)
                .for_funder(DEFAULT_SUPPRESSION_THRESHOLD),
        )),
    };
    Ok(Json(body))
}

/// Query of `GET /v1/signals`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignalParams {
    /// The neighbourhoods, comma-separated.
    #[serde(default)]
    #[param(value_type = Option<String>, example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub neighbourhoods: CommaList<NeighbourhoodId>,
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

#[utoipa::path(
    get,
    path = "/signals",
    tag = "reads",
    operation_id = "signals",
    summary = "Requests per category and period",
    description = "Signals for the neighbourhoods, small counts suppressed.",
    params(SignalParams),
    responses((status = 200, description = "The series.", body = Vec<SignalRow>))
)]
async fn signals(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<SignalParams>,
) -> Result<Json<Vec<SignalRow>>, ApiError> {
    let scope = policy::scope(&state, &actor, Action::ReadSignals).await?;
    if (params.to - params.from).num_days() > limits::MAX_PERIOD_DAYS {
        return Err(ApiError::BadInput(format!(
            "the period from..to is longer than the {} days (50 years) a report covers",
            limits::MAX_PERIOD_DAYS
        )));
    }
    wait_if_fresh(&state, params.fresh).await?;
    let CommaList(neighbourhoods) = params.neighbourhoods;
    for id in &neighbourhoods {
        ensure_in_tenant(&state, neighbourhood::CATEGORY, id.as_uuid(), actor.tenant).await?;
        if !scope.covers(*id) {
            return Err(ApiError::Forbidden(format!(
                "neighbourhood {id} is not one of yours: a {} sees the signals of their own neighbourhoods",
                actor.role.as_str()
            )));
        }
    }
    let models = state.projections.read().await;
    Ok(Json(models.signals.series(
        &neighbourhoods,
        params.granularity.unwrap_or(Granularity::Month),
        params.from,
        params.to,
        DEFAULT_SUPPRESSION_THRESHOLD as u32,
    )))
}

#[utoipa::path(
    get,
    path = "/requests/{id}/history",
    tag = "reads",
    operation_id = "request_history",
    summary = "A request's history",
    description = "Every event of the request, with who did it and its hash in the stream's chain.",
    params(("id" = RequestId, Path, description = "The request.", example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")),
    responses((status = 200, description = "The events, oldest first.", body = Vec<AuditEntry>))
)]
async fn request_history(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(request_id): ApiPath<RequestId>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    policy::request_in_reach(&state, &actor, request_id, Action::ReadRequestHistory).await?;
    Ok(Json(
        audit::request_history(state.store.as_ref(), request_id).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/persons/{id}/history",
    tag = "reads",
    operation_id = "person_history",
    summary = "A person's history",
    description = "The events of the person and of the requests they took part in.",
    params(("id" = PersonId, Path, description = "The person.", example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"), Fresh),
    responses((status = 200, description = "The events, oldest first.", body = Vec<AuditEntry>))
)]
async fn person_history(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(person_id): ApiPath<PersonId>,
    ApiQuery(params): ApiQuery<Fresh>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    wait_if_fresh(&state, params.fresh).await?;
    ensure_in_tenant(&state, person::CATEGORY, person_id.as_uuid(), actor.tenant).await?;
    let scope = policy::scope(&state, &actor, Action::ReadPersonHistory).await?;
    let reached = match scope.reach {
        Reach::Own => actor.actor == person_id,
        Reach::Tenant => true,
        _ => {
            actor.actor == person_id
                || state
                    .projections
                    .read()
                    .await
                    .directory
                    .neighbourhood_of(person_id)
                    .is_some_and(|n| scope.covers(n))
        }
    };
    if !reached {
        return Err(ApiError::Forbidden(format!(
            "a {} may read the history of their own neighbourhoods' people only",
            actor.role.as_str()
        )));
    }
    let involved = state
        .projections
        .read()
        .await
        .directory
        .requests_of(person_id)
        .to_vec();
    Ok(Json(
        audit::person_history(state.store.as_ref(), person_id, &involved).await?,
    ))
}

//! Safeguarding endpoints: a helper's screening, suspending a helper and lifting it, the
//! categories a tenant marks sensitive, and incidents and complaints (ADR 0028).
//!
//! - `POST /v1/persons/{id}/screenings` records a screening a connector or admin saw:
//!   `{"kind": "vog" | "criminal_record_extract", "issued_on": "2025-02-01", "valid_until":
//!   "2028-01-31"}`. Nothing else is accepted: no certificate number, no scan, no personal data.
//! - `POST /v1/persons/{id}/screening/withdraw` with `{"reason": "recorded_in_error" |
//!   "revoked"}`.
//! - `POST /v1/persons/{id}/suspend` with `{"reason": "incident_under_review" | "conduct" |
//!   "screening" | "other", "note"?: text, "incident_id"?: id}`; the note is personal data of
//!   the person suspended. `POST /v1/persons/{id}/suspension/lift` lifts it.
//! - `PUT /v1/tenant/sensitive-categories` with `{"categories": ["care_support", "company"]}`
//!   (an admin; the whole set, empty for none); `GET` shows it to connectors and admins.
//! - `POST /v1/incidents` with `{"kind": "incident" | "complaint", "request_id"?, "person_id"?,
//!   "description": text}` (anyone signed in); `POST /v1/incidents/{id}/acknowledge` and
//!   `POST /v1/incidents/{id}/close` with `{"outcome": "resolved" | "unfounded" | "referred" |
//!   "withdrawn"}` (a connector or admin).
//!
//! Who may do what is the domain's rule; the persons, requests and incidents named must exist
//! in the caller's tenant, which the executor checks. Whether a helper may offer or be matched
//! is decided with every offer and match, not here.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use noaber_domain::incident::{
    AcknowledgeIncident, CloseIncident, Incident, IncidentKind, IncidentOutcome, ReportIncident,
};
use noaber_domain::person::{
    LiftSuspension, Person, RecordScreening, ScreeningKind, ScreeningWithdrawal, SuspendHelper,
    SuspensionReason, WithdrawScreening,
};
use noaber_domain::tenant::{SetSensitiveCategories, Tenant};
use noaber_domain::values::CategoryCode;
use noaber_domain::{
    IncidentCommand, IncidentId, PersonCommand, PersonId, Personal, RequestId, TenantCommand,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commands::{self, context, execute, Acting, CommandResponse, Kind, Written};
use super::reads::{wait_if_fresh, Fresh};
use super::{Actor, ApiError, ApiJson, ApiPath, ApiQuery, AppState, CommandId};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The safeguarding routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_screening))
        .routes(routes!(withdraw_screening))
        .routes(routes!(suspend))
        .routes(routes!(lift_suspension))
        .routes(routes!(set_sensitive_categories, sensitive_categories))
        .routes(routes!(report_incident))
        .routes(routes!(acknowledge_incident))
        .routes(routes!(close_incident))
}

/// Body of `POST /v1/persons/{id}/screenings`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreeningBody {
    /// `vog` or `criminal_record_extract`.
    pub kind: ScreeningKind,
    /// The day it was issued.
    pub issued_on: NaiveDate,
    /// The last day it counts as valid.
    pub valid_until: NaiveDate,
}

impl ScreeningBody {
    /// The domain command this body asks for.
    pub fn into_command(self, person_id: PersonId) -> PersonCommand {
        PersonCommand::RecordScreening(RecordScreening {
            person_id,
            kind: self.kind,
            issued_on: self.issued_on,
            valid_until: self.valid_until,
        })
    }
}

#[utoipa::path(
    post,
    path = "/persons/{id}/screenings",
    tag = "safeguarding",
    operation_id = "record_screening",
    summary = "Record a screening a connector saw",
    description = "Only the kind and the days: no certificate number, no scan, no personal data.",
    params(("id" = PersonId, Path, description = "The person.")),
    request_body = ScreeningBody,
    responses((status = 201, description = "The screening was recorded.", body = Written))
)]
async fn record_screening(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
    ApiJson(body): ApiJson<ScreeningBody>,
) -> Result<CommandResponse, ApiError> {
    super::policy::person_in_reach(&state, &actor, person_id).await?;
    let ctx = context(&actor, command_id, &Acting::default())?;
    execute::<Person>(&state, &ctx, Kind::Create, body.into_command(person_id)).await
}

/// Body of `POST /v1/persons/{id}/screening/withdraw`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawScreeningBody {
    /// `recorded_in_error` or `revoked`.
    pub reason: ScreeningWithdrawal,
}

#[utoipa::path(
    post,
    path = "/persons/{id}/screening/withdraw",
    tag = "safeguarding",
    operation_id = "withdraw_screening",
    summary = "Withdraw a screening",
    params(("id" = PersonId, Path, description = "The person.")),
    request_body = WithdrawScreeningBody,
    responses((status = 200, description = "The screening was withdrawn.", body = Written))
)]
async fn withdraw_screening(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
    ApiJson(body): ApiJson<WithdrawScreeningBody>,
) -> Result<CommandResponse, ApiError> {
    super::policy::person_in_reach(&state, &actor, person_id).await?;
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = PersonCommand::WithdrawScreening(WithdrawScreening {
        person_id,
        reason: body.reason,
    });
    execute::<Person>(&state, &ctx, Kind::Change, command).await
}

/// Body of `POST /v1/persons/{id}/suspend`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendBody {
    /// Why, from a fixed list.
    pub reason: SuspensionReason,
    /// The connector's own words (encrypted, personal data of the person suspended).
    #[serde(default)]
    pub note: Option<String>,
    /// The incident or complaint that led to it.
    #[serde(default)]
    pub incident_id: Option<IncidentId>,
}

impl SuspendBody {
    /// The domain command this body asks for.
    pub fn into_command(self, person_id: PersonId) -> PersonCommand {
        PersonCommand::Suspend(SuspendHelper {
            person_id,
            reason: self.reason,
            note: self.note.map(|n| Personal::clear(person_id, n)),
            incident_id: self.incident_id,
        })
    }
}

#[utoipa::path(
    post,
    path = "/persons/{id}/suspend",
    tag = "safeguarding",
    operation_id = "suspend_helper",
    summary = "Suspend a helper",
    description = "The note is encrypted as the suspended person's personal data.",
    params(("id" = PersonId, Path, description = "The person.")),
    request_body = SuspendBody,
    responses((status = 200, description = "The helper was suspended.", body = Written))
)]
async fn suspend(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
    ApiJson(body): ApiJson<SuspendBody>,
) -> Result<CommandResponse, ApiError> {
    super::policy::person_in_reach(&state, &actor, person_id).await?;
    let ctx = context(&actor, command_id, &Acting::default())?;
    execute::<Person>(&state, &ctx, Kind::Change, body.into_command(person_id)).await
}

#[utoipa::path(
    post,
    path = "/persons/{id}/suspension/lift",
    tag = "safeguarding",
    operation_id = "lift_suspension",
    summary = "Lift a suspension",
    params(("id" = PersonId, Path, description = "The person.")),
    responses((status = 200, description = "The suspension was lifted.", body = Written))
)]
async fn lift_suspension(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
) -> Result<CommandResponse, ApiError> {
    super::policy::person_in_reach(&state, &actor, person_id).await?;
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = PersonCommand::LiftSuspension(LiftSuspension { person_id });
    execute::<Person>(&state, &ctx, Kind::Change, command).await
}

/// Body of `PUT /v1/tenant/sensitive-categories`, and the answer of its `GET`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SensitiveCategories {
    /// The categories a helper needs a valid screening for (the whole set; empty for none).
    #[serde(deserialize_with = "super::limits::bounded")]
    pub categories: BTreeSet<CategoryCode>,
}

#[utoipa::path(
    put,
    path = "/tenant/sensitive-categories",
    tag = "safeguarding",
    operation_id = "set_sensitive_categories",
    summary = "Set the categories that need a screened helper",
    description = "An admin sets the whole set (empty for none).",
    request_body = SensitiveCategories,
    responses((status = 200, description = "The set was recorded.", body = Written))
)]
async fn set_sensitive_categories(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiJson(body): ApiJson<SensitiveCategories>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = TenantCommand::SetSensitiveCategories(SetSensitiveCategories {
        tenant_id: actor.tenant,
        categories: body.categories,
    });
    execute::<Tenant>(&state, &ctx, Kind::Change, command).await
}

/// Connectors and admins see which categories need a screening (they match helpers).
#[utoipa::path(
    get,
    path = "/tenant/sensitive-categories",
    tag = "safeguarding",
    operation_id = "sensitive_categories",
    summary = "The categories that need a screened helper",
    description = "For connectors and admins.",
    params(Fresh),
    responses((status = 200, description = "The set in force.", body = SensitiveCategories))
)]
async fn sensitive_categories(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<Fresh>,
) -> Result<Json<SensitiveCategories>, ApiError> {
    // Those who match helpers: the table's `manage_request`.
    super::policy::scope(&state, &actor, noaber_domain::policy::Action::ManageRequest).await?;
    wait_if_fresh(&state, params.fresh).await?;
    let models = state.projections.read().await;
    Ok(Json(SensitiveCategories {
        categories: models.safeguarding.sensitive_categories(actor.tenant),
    }))
}

/// Body of `POST /v1/incidents`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IncidentBody {
    /// The report's id; a new one when absent.
    pub incident_id: Option<Uuid>,
    /// `incident` or `complaint`.
    pub kind: IncidentKind,
    /// The request it is about.
    pub request_id: Option<RequestId>,
    /// The person it is about.
    pub person_id: Option<PersonId>,
    /// What happened (encrypted, personal data of the one reporting, or of the resident a
    /// connector reports for).
    pub description: String,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

#[utoipa::path(
    post,
    path = "/incidents",
    tag = "safeguarding",
    operation_id = "report_incident",
    summary = "Report an incident or a complaint",
    description = "Anyone signed in reports; the description is encrypted.",
    request_body = IncidentBody,
    responses((status = 201, description = "The report was recorded.", body = Written))
)]
async fn report_incident(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiJson(body): ApiJson<IncidentBody>,
) -> Result<CommandResponse, ApiError> {
    let incident_id = IncidentId::new(commands::new_id(body.incident_id, command_id));
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = IncidentCommand::Report(ReportIncident {
        incident_id,
        kind: body.kind,
        request_id: body.request_id,
        person_id: body.person_id,
        description: Personal::clear(ctx.subject(), body.description),
    });
    execute::<Incident>(&state, &ctx, Kind::Create, command).await
}

#[utoipa::path(
    post,
    path = "/incidents/{id}/acknowledge",
    tag = "safeguarding",
    operation_id = "acknowledge_incident",
    summary = "Acknowledge an incident",
    params(("id" = IncidentId, Path, description = "The incident or complaint.")),
    responses((status = 200, description = "The incident was acknowledged.", body = Written))
)]
async fn acknowledge_incident(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(incident_id): ApiPath<IncidentId>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = IncidentCommand::Acknowledge(AcknowledgeIncident { incident_id });
    execute::<Incident>(&state, &ctx, Kind::Change, command).await
}

/// Body of `POST /v1/incidents/{id}/close`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseIncidentBody {
    /// How it ended.
    pub outcome: IncidentOutcome,
}

#[utoipa::path(
    post,
    path = "/incidents/{id}/close",
    tag = "safeguarding",
    operation_id = "close_incident",
    summary = "Close an incident",
    params(("id" = IncidentId, Path, description = "The incident or complaint.")),
    request_body = CloseIncidentBody,
    responses((status = 200, description = "The incident was closed.", body = Written))
)]
async fn close_incident(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(incident_id): ApiPath<IncidentId>,
    ApiJson(body): ApiJson<CloseIncidentBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = IncidentCommand::Close(CloseIncident {
        incident_id,
        outcome: body.outcome,
    });
    execute::<Incident>(&state, &ctx, Kind::Change, command).await
}

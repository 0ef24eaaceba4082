//! A tenant's retention policy: `PUT /v1/tenant/retention` (administrators) sets how many days
//! the personal data of an ended request is kept, `GET` reads it with how many ended requests
//! still keep theirs (ADR 0033).

use axum::extract::State;
use axum::Json;
use noaber_domain::policy::Action;
use noaber_domain::tenant::{SetRetention, Tenant};
use noaber_domain::values::{Retention, RetentionDays};
use noaber_domain::TenantCommand;
use serde::{Deserialize, Serialize};

use super::commands::{context, execute, Acting, CommandResponse, Kind, Written};
use super::reads::{wait_if_fresh, Fresh};
use super::{Actor, ApiError, ApiJson, ApiQuery, AppState, CommandId};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The tenant settings routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(set_retention, retention))
}

/// Body of `PUT /v1/tenant/retention`: `{"closed_request_days": 365}`, or `null` to keep the
/// personal data of ended requests until their person is erased.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionBody {
    /// Days after a request was resolved, closed or voided (1 to 36,500).
    pub closed_request_days: Option<RetentionDays>,
}

/// The answer of `GET /v1/tenant/retention`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RetentionView {
    /// Days after a request ended before its personal data becomes unreadable; `null`: kept
    /// until the person is erased.
    pub closed_request_days: Option<RetentionDays>,
}

#[utoipa::path(
    put,
    path = "/tenant/retention",
    tag = "tenant",
    operation_id = "set_retention",
    summary = "Set how long personal data of ended requests is kept",
    description = "An admin; `null` keeps it until the person is erased.",
    request_body = RetentionBody,
    responses((status = 200, description = "The retention was recorded.", body = Written))
)]
async fn set_retention(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiJson(body): ApiJson<RetentionBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = TenantCommand::SetRetention(SetRetention {
        tenant_id: actor.tenant,
        retention: Retention {
            closed_request_days: body.closed_request_days,
        },
    });
    execute::<Tenant>(&state, &ctx, Kind::Change, command).await
}

/// Those who manage requests (connectors, administrators) read how long their data is kept.
#[utoipa::path(
    get,
    path = "/tenant/retention",
    tag = "tenant",
    operation_id = "retention",
    summary = "How long personal data of ended requests is kept",
    description = "For connectors and admins.",
    params(Fresh),
    responses((status = 200, description = "The retention in force.", body = RetentionView))
)]
async fn retention(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<Fresh>,
) -> Result<Json<RetentionView>, ApiError> {
    super::policy::scope(&state, &actor, Action::ManageRequest).await?;
    wait_if_fresh(&state, params.fresh).await?;
    let models = state.projections.read().await;
    Ok(Json(RetentionView {
        closed_request_days: models.retention.period(actor.tenant),
    }))
}

//! Role endpoints: grant a role (`POST /v1/persons/{id}/roles`), revoke it
//! (`POST /v1/persons/{id}/roles/revoke`) and list a person's roles with their history
//! (`GET /v1/persons/{id}/roles`).
//!
//! A grant's body names the role and its scope:
//!
//! ```json
//! { "role": "connector", "scope": { "neighbourhoods": ["<id>", "<id>"] } }
//! { "role": "partner",   "scope": { "organisation": "<id>" } }
//! { "role": "auditor",   "scope": "tenant" }
//! ```
//!
//! A revocation names the role, and optionally the one scope to end and a reason
//! (`stepped_down`, `left`, `granted_in_error`, `conduct`); without a scope every grant of the
//! role ends. Who may grant what is the domain's rule (an admin everything, a connector
//! ambassador only); the neighbourhoods or organisation of a scope must exist in the caller's
//! tenant, which the executor checks (`unknown-reference`).

use axum::extract::State;
use axum::Json;
use noaber_domain::person::{self, GrantRole, Person, RevocationReason, RevokeRole};
use noaber_domain::{PersonCommand, PersonId, Role, RoleScope};
use noaber_projections::roles::{CurrentGrant, RoleChange};
use serde::{Deserialize, Serialize};

use super::commands::{context, execute, Acting, CommandResponse, Kind, Written};
use super::reads::{ensure_in_tenant, wait_if_fresh, Fresh};
use super::{Actor, ApiError, ApiJson, ApiPath, ApiQuery, AppState, CommandId};
use noaber_domain::policy::{Action, Reach};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The role routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(grant, list))
        .routes(routes!(revoke))
}

/// Body of `POST /v1/persons/{id}/roles`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// The role granted (`connector`, `partner`, `ambassador`, `funder`, `auditor`, `admin`).
    pub role: Role,
    /// What it holds over: `"tenant"`, `{"neighbourhoods": [..]}` or `{"organisation": id}`.
    pub scope: RoleScope,
}

impl GrantBody {
    /// The domain command this body asks for.
    pub fn into_command(self, person_id: PersonId) -> PersonCommand {
        PersonCommand::GrantRole(GrantRole {
            person_id,
            role: self.role,
            scope: self.scope,
        })
    }
}

/// Body of `POST /v1/persons/{id}/roles/revoke`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    /// The role revoked.
    pub role: Role,
    /// Only the grant with this scope; every grant of the role when absent.
    #[serde(default)]
    pub scope: Option<RoleScope>,
    /// Why, from a fixed list.
    #[serde(default)]
    pub reason: Option<RevocationReason>,
}

impl RevokeBody {
    /// The domain command this body asks for.
    pub fn into_command(self, person_id: PersonId) -> PersonCommand {
        PersonCommand::RevokeRole(RevokeRole {
            person_id,
            role: self.role,
            scope: self.scope,
            reason: self.reason,
        })
    }
}

#[utoipa::path(
    post,
    path = "/persons/{id}/roles",
    tag = "persons",
    operation_id = "grant_role",
    summary = "Grant a role",
    description = "An admin grants any role; a connector grants ambassador only. The scope is `\"tenant\"`, `{\"neighbourhoods\": [..]}` or `{\"organisation\": id}`.",
    params(("id" = PersonId, Path, description = "The person.")),
    request_body = GrantBody,
    responses((status = 201, description = "The role was granted.", body = Written))
)]
async fn grant(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
    ApiJson(body): ApiJson<GrantBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    execute::<Person>(&state, &ctx, Kind::Create, body.into_command(person_id)).await
}

#[utoipa::path(
    post,
    path = "/persons/{id}/roles/revoke",
    tag = "persons",
    operation_id = "revoke_role",
    summary = "Revoke a role",
    description = "Without a scope every grant of the role ends.",
    params(("id" = PersonId, Path, description = "The person.")),
    request_body = RevokeBody,
    responses((status = 200, description = "The role was revoked.", body = Written))
)]
async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
    ApiJson(body): ApiJson<RevokeBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    execute::<Person>(&state, &ctx, Kind::Change, body.into_command(person_id)).await
}

/// The answer of `GET /v1/persons/{id}/roles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PersonRolesView {
    /// The person.
    pub person_id: PersonId,
    /// The roles held now, each with its scope, granter and time.
    pub grants: Vec<CurrentGrant>,
    /// Every grant, revocation and erasure of their roles, oldest first.
    pub history: Vec<RoleChange>,
}

/// Connectors and admins see anyone's roles; anyone else only their own (a funder none:
/// funders see figures only).
#[utoipa::path(
    get,
    path = "/persons/{id}/roles",
    tag = "persons",
    operation_id = "list_roles",
    summary = "A person's roles and their history",
    description = "Connectors and admins see anyone's; anyone else their own.",
    params(("id" = PersonId, Path, description = "The person."), Fresh),
    responses((status = 200, description = "The roles held now and every change.", body = PersonRolesView))
)]
async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(person_id): ApiPath<PersonId>,
    ApiQuery(params): ApiQuery<Fresh>,
) -> Result<Json<PersonRolesView>, ApiError> {
    let scope = super::policy::scope(&state, &actor, Action::ReadRoles).await?;
    if scope.reach != Reach::Tenant && actor.actor != person_id {
        return Err(ApiError::Forbidden(format!(
            "a {} may read their own roles only",
            actor.role.as_str()
        )));
    }
    wait_if_fresh(&state, params.fresh).await?;
    ensure_in_tenant(&state, person::CATEGORY, person_id.as_uuid(), actor.tenant).await?;
    let models = state.projections.read().await;
    Ok(Json(PersonRolesView {
        person_id,
        grants: models.roles.grants_of(person_id).to_vec(),
        history: models.roles.history_of(person_id).to_vec(),
    }))
}

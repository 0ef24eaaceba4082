//! Organisation and neighbourhood endpoints: register a partner organisation and the services
//! it offers (`POST /v1/organisations`), and register a neighbourhood (`POST /v1/neighbourhoods`).

use axum::extract::State;
use noaber_domain::neighbourhood::Neighbourhood;
use noaber_domain::neighbourhood::RegisterNeighbourhood;
use noaber_domain::organisation::{DeactivateOrganisation, OfferServices, RegisterOrganisation};
use noaber_domain::organisation::{Organisation, OrganisationKind};
use noaber_domain::values::{ApproxLocation, CategoryCode, DisplayName, Distance};
use noaber_domain::{NeighbourhoodCommand, NeighbourhoodId, OrganisationCommand, OrganisationId};
use serde::Deserialize;
use uuid::Uuid;

use super::commands::{self, context, execute, Acting, CommandResponse, Kind, Written};
use super::{Actor, ApiError, ApiJson, ApiPath, AppState, CommandId};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The organisation and neighbourhood routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register_organisation))
        .routes(routes!(offer_services))
        .routes(routes!(deactivate))
        .routes(routes!(register_neighbourhood))
}

/// Body of `POST /v1/organisations`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganisationBody {
    /// The organisation's id; a new one when absent.
    pub organisation_id: Option<Uuid>,
    /// Its public name.
    pub name: DisplayName,
    /// What kind of organisation it is.
    pub kind: OrganisationKind,
}

#[utoipa::path(
    post,
    path = "/organisations",
    tag = "social-map",
    operation_id = "register_organisation",
    summary = "Register an organisation",
    description = "An admin registers a partner organisation of the tenant.",
    request_body = OrganisationBody,
    responses((status = 201, description = "The organisation was registered.", body = Written))
)]
async fn register_organisation(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiJson(body): ApiJson<OrganisationBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = OrganisationCommand::Register(RegisterOrganisation {
        organisation_id: OrganisationId::new(commands::new_id(body.organisation_id, command_id)),
        name: body.name,
        kind: body.kind,
    });
    execute::<Organisation>(&state, &ctx, Kind::Create, command).await
}

/// Body of `POST /v1/organisations/{id}/services`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ServicesBody {
    /// The request categories it takes referrals for.
    #[serde(deserialize_with = "super::limits::bounded")]
    pub categories: Vec<CategoryCode>,
    /// The neighbourhoods it serves.
    #[serde(default, deserialize_with = "super::limits::bounded")]
    pub neighbourhoods: Vec<NeighbourhoodId>,
}

#[utoipa::path(
    post,
    path = "/organisations/{id}/services",
    tag = "social-map",
    operation_id = "offer_services",
    summary = "Say what an organisation takes referrals for",
    description = "The categories of help and the neighbourhoods it serves (none: all of the tenant's).",
    params(("id" = OrganisationId, Path, description = "The organisation.")),
    request_body = ServicesBody,
    responses((status = 200, description = "The services were recorded.", body = Written))
)]
async fn offer_services(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(organisation_id): ApiPath<OrganisationId>,
    ApiJson(body): ApiJson<ServicesBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = OrganisationCommand::OfferServices(OfferServices {
        organisation_id,
        categories: body.categories,
        neighbourhoods: body.neighbourhoods,
    });
    execute::<Organisation>(&state, &ctx, Kind::Change, command).await
}

#[utoipa::path(
    post,
    path = "/organisations/{id}/deactivate",
    tag = "social-map",
    operation_id = "deactivate_organisation",
    summary = "Stop referrals to an organisation",
    params(("id" = OrganisationId, Path, description = "The organisation.")),
    responses((status = 200, description = "The organisation no longer takes referrals.", body = Written))
)]
async fn deactivate(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(organisation_id): ApiPath<OrganisationId>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = OrganisationCommand::Deactivate(DeactivateOrganisation { organisation_id });
    execute::<Organisation>(&state, &ctx, Kind::Change, command).await
}

/// Body of `POST /v1/neighbourhoods`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NeighbourhoodBody {
    /// The neighbourhood's id; a new one when absent.
    pub neighbourhood_id: Option<Uuid>,
    /// Its name.
    pub name: DisplayName,
    /// Its approximate centre.
    pub centroid: ApproxLocation,
    /// Its radius in metres.
    pub radius_m: Distance,
}

#[utoipa::path(
    post,
    path = "/neighbourhoods",
    tag = "social-map",
    operation_id = "register_neighbourhood",
    summary = "Register a neighbourhood",
    request_body = NeighbourhoodBody,
    responses((status = 201, description = "The neighbourhood was registered.", body = Written))
)]
async fn register_neighbourhood(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiJson(body): ApiJson<NeighbourhoodBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = NeighbourhoodCommand::Register(RegisterNeighbourhood {
        neighbourhood_id: NeighbourhoodId::new(commands::new_id(body.neighbourhood_id, command_id)),
        name: body.name,
        centroid: body.centroid,
        radius: body.radius_m,
    });
    execute::<Neighbourhood>(&state, &ctx, Kind::Create, command).await
}

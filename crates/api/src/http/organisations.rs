//! Organisation and neighbourhood endpoints: register a partner organisation and the services
//! it offers (`POST /v1/organisations`), and register a neighbourhood (`POST /v1/neighbourhoods`).

use axum::extract::State;
use axum::routing::post;
use axum::Router;
use noaber_domain::neighbourhood::Neighbourhood;
use noaber_domain::neighbourhood::RegisterNeighbourhood;
use noaber_domain::organisation::{DeactivateOrganisation, OfferServices, RegisterOrganisation};
use noaber_domain::organisation::{Organisation, OrganisationKind};
use noaber_domain::values::{ApproxLocation, CategoryCode, DisplayName, Distance};
use noaber_domain::{NeighbourhoodCommand, NeighbourhoodId, OrganisationCommand, OrganisationId};
use serde::Deserialize;
use uuid::Uuid;

use super::commands::{self, context, execute, Acting, CommandResponse, Kind};
use super::{Actor, ApiError, ApiJson, ApiPath, AppState, CommandId};

/// The organisation and neighbourhood routes, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisations", post(register_organisation))
        .route("/organisations/{id}/services", post(offer_services))
        .route("/organisations/{id}/deactivate", post(deactivate))
        .route("/neighbourhoods", post(register_neighbourhood))
}

/// Body of `POST /v1/organisations`.
#[derive(Debug, Deserialize)]
pub struct OrganisationBody {
    /// The organisation's id; a new one when absent.
    pub organisation_id: Option<Uuid>,
    /// Its public name.
    pub name: DisplayName,
    /// What kind of organisation it is.
    pub kind: OrganisationKind,
}

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
#[derive(Debug, Deserialize)]
pub struct ServicesBody {
    /// The request categories it takes referrals for.
    #[serde(deserialize_with = "super::limits::bounded")]
    pub categories: Vec<CategoryCode>,
    /// The neighbourhoods it serves.
    #[serde(default, deserialize_with = "super::limits::bounded")]
    pub neighbourhoods: Vec<NeighbourhoodId>,
}

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
#[derive(Debug, Deserialize)]
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

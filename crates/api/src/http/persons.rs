//! Person endpoints: register (`POST /v1/persons`), update the profile, declare skills, opt in
//! or out as a helper, choose whether matched people may read one's contact detail
//! (`/v1/me/contact-sharing`), and erase (GDPR article 17: the person's key is destroyed).

use axum::extract::State;
use axum::Json;
use noaber_domain::person::{
    ChooseContactSharing, DeclareSkills, OptInAsHelper, OptOutAsHelper, Person, PersonEvent,
    RegisterPerson, UpdateProfile,
};
use noaber_domain::values::{
    ApproxLocation, Availability, Channel, ConsentBasis, DigitalAccess, Distance, Language,
    SkillCode,
};
use noaber_domain::{Decider, NeighbourhoodId, PersonCommand, PersonId, Personal};
use noaber_store::StreamId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commands::{self, context, execute, Acting, CommandResponse, Kind, Written};
use super::{Actor, ApiError, ApiJson, ApiPath, AppState, CommandId};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The person routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(update_profile))
        .routes(routes!(declare_skills))
        .routes(routes!(opt_in))
        .routes(routes!(opt_out))
        .routes(routes!(erase))
        .routes(routes!(contact_sharing, choose_contact_sharing))
}

/// Body of `POST /v1/persons`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterBody {
    /// The person's id; defaults to the caller's own id for a resident registering themselves.
    pub person_id: Option<Uuid>,
    /// Name (personal data, encrypted).
    pub name: String,
    /// Contact details (personal data, encrypted).
    pub contact: Option<String>,
    /// Address (personal data, encrypted).
    pub address: Option<String>,
    /// Home neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
    /// Approximate location (rounded to about 100 m).
    pub location: Option<ApproxLocation>,
    /// Languages spoken.
    #[serde(default, deserialize_with = "super::limits::bounded")]
    pub languages: Vec<Language>,
    /// How the person uses Noaber.
    pub digital_access: DigitalAccess,
    /// The basis their data is recorded on (`explicit_consent` or `care_provision`): required
    /// when registering someone else.
    #[serde(default)]
    pub consent: Option<ConsentBasis>,
    /// How the one registering them was in touch (`home_visit`, `phone`, `match_point`, ...).
    #[serde(default)]
    pub channel: Option<Channel>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

impl RegisterBody {
    /// The domain command this body asks for.
    pub fn into_command(self, person_id: PersonId) -> PersonCommand {
        let body = self;
        PersonCommand::Register(RegisterPerson {
            person_id,
            name: Personal::clear(person_id, body.name),
            contact: body.contact.map(|c| Personal::clear(person_id, c)),
            address: body.address.map(|a| Personal::clear(person_id, a)),
            neighbourhood_id: body.neighbourhood_id,
            location: body.location,
            languages: body.languages,
            digital_access: body.digital_access,
            consent: body.consent,
            channel: body.channel,
        })
    }
}

#[utoipa::path(
    post,
    path = "/persons",
    tag = "persons",
    operation_id = "register_person",
    summary = "Register a person",
    description = "A resident registers themselves; a connector or partner registers a resident (saying on which basis, `consent`). Name, contact and address are encrypted as the person's own.",
    request_body = RegisterBody,
    responses((status = 201, description = "The person was registered.", body = Written))
)]
async fn register(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<CommandResponse, ApiError> {
    let person_id = match body.person_id {
        Some(id) => PersonId::new(id),
        None if actor.role.is_resident() => actor.actor,
        None => PersonId::new(commands::new_id(None, command_id)),
    };
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = body.into_command(person_id);
    execute::<Person>(&state, &ctx, Kind::Create, command).await
}

/// Body of `POST /v1/persons/{id}/profile`: only the fields given change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileBody {
    /// New name.
    pub name: Option<String>,
    /// New contact details.
    pub contact: Option<String>,
    /// New address.
    pub address: Option<String>,
    /// New home neighbourhood.
    pub neighbourhood_id: Option<NeighbourhoodId>,
    /// New approximate location.
    pub location: Option<ApproxLocation>,
    /// New languages.
    #[serde(default, deserialize_with = "super::limits::bounded_opt")]
    pub languages: Option<Vec<Language>>,
    /// New digital access.
    pub digital_access: Option<DigitalAccess>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

impl ProfileBody {
    /// The domain command this body asks for.
    pub fn into_command(self, person_id: PersonId) -> PersonCommand {
        let body = self;
        let personal = |text: Option<String>| text.map(|t| Personal::clear(person_id, t));
        PersonCommand::UpdateProfile(UpdateProfile {
            person_id,
            name: personal(body.name),
            contact: personal(body.contact),
            address: personal(body.address),
            neighbourhood_id: body.neighbourhood_id,
            location: body.location,
            languages: body.languages,
            digital_access: body.digital_access,
        })
    }
}

#[utoipa::path(
    post,
    path = "/persons/{id}/profile",
    tag = "persons",
    operation_id = "update_profile",
    summary = "Update a profile",
    description = "Only the fields given change.",
    params(("id" = PersonId, Path, description = "The person.")),
    request_body = ProfileBody,
    responses((status = 200, description = "The profile was updated.", body = Written))
)]
async fn update_profile(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = body.into_command(person_id);
    execute::<Person>(&state, &ctx, Kind::Change, command).await
}

/// Body of `POST /v1/persons/{id}/skills`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SkillsBody {
    /// Skill codes from the taxonomy.
    #[serde(deserialize_with = "super::limits::bounded")]
    pub skills: Vec<SkillCode>,
    /// Weekly availability slots.
    #[serde(default)]
    pub availability: Availability,
    /// How far the person will go, in metres.
    pub max_distance_m: Distance,
    /// Whether the organisation may also ask them for calls.
    #[serde(default)]
    pub available_for_calls: bool,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

impl SkillsBody {
    /// The domain command this body asks for.
    pub fn into_command(self, person_id: PersonId) -> PersonCommand {
        let body = self;
        PersonCommand::DeclareSkills(DeclareSkills {
            person_id,
            skills: body.skills,
            availability: body.availability,
            max_distance: body.max_distance_m,
            available_for_calls: body.available_for_calls,
        })
    }
}

#[utoipa::path(
    post,
    path = "/persons/{id}/skills",
    tag = "persons",
    operation_id = "declare_skills",
    summary = "Declare skills and availability",
    params(("id" = PersonId, Path, description = "The person.")),
    request_body = SkillsBody,
    responses((status = 200, description = "The skills were declared.", body = Written))
)]
async fn declare_skills(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
    ApiJson(body): ApiJson<SkillsBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = body.into_command(person_id);
    execute::<Person>(&state, &ctx, Kind::Change, command).await
}

#[utoipa::path(
    post,
    path = "/persons/{id}/opt-in",
    tag = "persons",
    operation_id = "opt_in_as_helper",
    summary = "Opt in as a helper",
    params(("id" = PersonId, Path, description = "The person.")),
    responses((status = 200, description = "The person is a helper now.", body = Written))
)]
async fn opt_in(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = PersonCommand::OptIn(OptInAsHelper { person_id });
    execute::<Person>(&state, &ctx, Kind::Change, command).await
}

#[utoipa::path(
    post,
    path = "/persons/{id}/opt-out",
    tag = "persons",
    operation_id = "opt_out_as_helper",
    summary = "Opt out as a helper",
    params(("id" = PersonId, Path, description = "The person.")),
    responses((status = 200, description = "The person is no longer a helper.", body = Written))
)]
async fn opt_out(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = PersonCommand::OptOut(OptOutAsHelper { person_id });
    execute::<Person>(&state, &ctx, Kind::Change, command).await
}

#[utoipa::path(
    post,
    path = "/persons/{id}/erase",
    tag = "persons",
    operation_id = "erase_person",
    summary = "Erase a person",
    description = "GDPR article 17: the person's key is destroyed, so every personal value about them becomes unreadable everywhere.",
    params(("id" = PersonId, Path, description = "The person.")),
    responses((status = 200, description = "The person was erased.", body = Written))
)]
async fn erase(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(person_id): ApiPath<PersonId>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let executed = state.executor.erase_person(&ctx, person_id).await?;
    Ok(commands::respond(
        person_id.as_uuid(),
        Kind::Change,
        executed,
    ))
}

/// Body of `PUT /v1/me/contact-sharing`, and the answer of `GET /v1/me/contact-sharing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactSharing {
    /// Whether the people one is matched to may read one's contact detail.
    pub share_with_matched: bool,
}

/// The caller's own choice, from their stream (so it is current right after they change it).
#[utoipa::path(
    get,
    path = "/me/contact-sharing",
    tag = "me",
    operation_id = "contact_sharing",
    summary = "Whether matched people may read my contact detail",
    responses((status = 200, description = "The caller's choice.", body = ContactSharing))
)]
async fn contact_sharing(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<ContactSharing>, ApiError> {
    super::reads::ensure_in_tenant(&state, "person", actor.actor.as_uuid(), actor.tenant).await?;
    let events: Vec<PersonEvent> =
        super::personal::sealed_events(&state, &StreamId::of::<Person>(actor.actor.as_uuid()))
            .await?;
    Ok(Json(ContactSharing {
        share_with_matched: Person::fold(events.iter()).shares_contact_with_matched,
    }))
}

/// The caller chooses for themselves; choosing what already holds writes nothing.
#[utoipa::path(
    put,
    path = "/me/contact-sharing",
    tag = "me",
    operation_id = "choose_contact_sharing",
    summary = "Choose whether matched people may read my contact detail",
    description = "Choosing what already holds writes nothing.",
    request_body = ContactSharing,
    responses((status = 200, description = "The choice was recorded.", body = Written))
)]
async fn choose_contact_sharing(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiJson(body): ApiJson<ContactSharing>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = PersonCommand::ChooseContactSharing(ChooseContactSharing {
        person_id: actor.actor,
        share_with_matched: body.share_with_matched,
    });
    execute::<Person>(&state, &ctx, Kind::Change, command).await
}

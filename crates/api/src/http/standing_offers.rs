//! Standing offers (*aanbod*) over HTTP: a neighbour publishes a specific offer of help in
//! their own words (`POST /v1/standing-offers`), changes it (`PATCH /v1/standing-offers/{id}`),
//! pauses, resumes or withdraws it; a resident takes it up, which posts a request matched to the
//! offer's helper at once ([`take_up`]); and the offers are read ([`view`]). ADR 0042.
//!
//! Someone other than the helper reaches an offer through the table's `manage_standing_offer`
//! (an administrator's tenant, a connector's or ambassador's neighbourhoods); whether they may
//! give the command at all is the aggregate's rule.

mod take_up;
mod view;

use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use noaber_domain::offer::{
    present, PauseStandingOffer, PublishStandingOffer, ResumeStandingOffer, StandingOffer,
    UpdateStandingOffer, WithdrawReason, WithdrawStandingOffer,
};
use noaber_domain::policy::Action;
use noaber_domain::values::{Availability, CategoryCode, SkillCode};
use noaber_domain::{NeighbourhoodId, PersonId, Personal, StandingOfferCommand, StandingOfferId};
use serde::Deserialize;
use uuid::Uuid;

use super::commands::Written;
use super::commands::{self, context, execute, Acting, CommandResponse, Kind};
use super::{policy, Actor, ApiError, ApiJson, ApiPath, AppState, CommandId};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) use view::{open_feed_titles, reached};

/// The standing offer routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(publish, view::list))
        .routes(routes!(view::one, update))
        .routes(routes!(pause))
        .routes(routes!(resume))
        .routes(routes!(withdraw))
        .routes(routes!(take_up::take_up))
        .routes(routes!(view::mine))
}

/// The helper and neighbourhoods of an offer of the caller's tenant; 404 for an offer of
/// another tenant or none at all.
async fn offer_of(
    state: &AppState,
    actor: &Actor,
    id: StandingOfferId,
) -> Result<(PersonId, Vec<NeighbourhoodId>), ApiError> {
    super::reads::ensure_in_tenant(
        state,
        noaber_domain::offer::CATEGORY,
        id.as_uuid(),
        actor.tenant,
    )
    .await?;
    state
        .projections
        .read()
        .await
        .standing_offers
        .get(actor.tenant, id)
        .map(|o| (o.helper, o.neighbourhoods.clone()))
        .ok_or_else(|| ApiError::NotFound(format!("there is no standing offer {id} here")))
}

/// Refuses a command on `helper`'s offer by anyone else whose `manage_standing_offer` does not
/// reach one of the neighbourhoods it is offered in now (`current`, none for a new one) and
/// every neighbourhood it is to be offered in (`new`).
async fn managed(
    state: &AppState,
    actor: &Actor,
    helper: PersonId,
    current: &[NeighbourhoodId],
    new: &[NeighbourhoodId],
) -> Result<(), ApiError> {
    if actor.actor == helper {
        return Ok(());
    }
    let scope = policy::scope(state, actor, Action::ManageStandingOffer).await?;
    let reaches_now = current.is_empty() || current.iter().any(|n| scope.covers(*n));
    if reaches_now && new.iter().all(|n| scope.covers(*n)) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "this standing offer is someone else's, outside the neighbourhoods a {} manages",
            actor.role.as_str()
        )))
    }
}

/// Body of `POST /v1/standing-offers`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishBody {
    /// The offer's id; a new one when absent.
    pub standing_offer_id: Option<Uuid>,
    /// Who offers the help; the caller when absent (a connector may publish for a neighbour).
    pub helper: Option<PersonId>,
    /// A short title, in the helper's words (encrypted).
    pub title: String,
    /// What is offered, in full (encrypted).
    pub description: Option<String>,
    /// The category of help, from the taxonomy.
    pub category: CategoryCode,
    /// The skills it takes, from the taxonomy.
    #[serde(default, deserialize_with = "super::limits::bounded")]
    pub skills: Vec<SkillCode>,
    /// Where it is offered; the neighbourhood the helper lives in when absent.
    #[serde(default, deserialize_with = "super::limits::bounded_opt")]
    pub neighbourhoods: Option<Vec<NeighbourhoodId>>,
    /// When the helper is available, in weekly slots.
    #[serde(default)]
    pub availability: Availability,
    /// The last day it is offered, if it ends.
    pub until: Option<NaiveDate>,
    /// When it really happened, if earlier than now.
    pub occurred_at: Option<DateTime<Utc>>,
}

#[utoipa::path(
    post,
    path = "/standing-offers",
    tag = "standing-offers",
    operation_id = "publish_standing_offer",
    summary = "Publish a standing offer",
    description = "A neighbour (or a connector for them) offers specific help in their own words, kept apart from requests. Title and description are encrypted as the helper's personal data.",
    request_body = PublishBody,
    responses((status = 201, description = "The offer was published.", body = Written))
)]
async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiJson(body): ApiJson<PublishBody>,
) -> Result<CommandResponse, ApiError> {
    let id = StandingOfferId::new(commands::new_id(body.standing_offer_id, command_id));
    let helper = body.helper.unwrap_or(actor.actor);
    let neighbourhoods = match body.neighbourhoods {
        Some(list) => list,
        None => {
            let models = state.projections.read().await;
            models
                .directory
                .neighbourhood_of(helper)
                .into_iter()
                .collect()
        }
    };
    managed(&state, &actor, helper, &[], &neighbourhoods).await?;
    let acting = Acting {
        on_behalf_of: (helper != actor.actor).then_some(helper),
        occurred_at: body.occurred_at,
    };
    let ctx = context(&actor, command_id, &acting)?;
    let command = StandingOfferCommand::Publish(PublishStandingOffer {
        standing_offer_id: id,
        helper,
        title: Personal::clear(helper, body.title),
        description: body.description.map(|d| Personal::clear(helper, d)),
        category: body.category,
        skills: body.skills,
        neighbourhoods,
        availability: body.availability,
        until: body.until,
    });
    execute::<StandingOffer>(&state, &ctx, Kind::Create, command).await
}

/// Body of `PATCH /v1/standing-offers/{id}`: only the fields given change; `description` and
/// `until` given as `null` are taken away.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"title": "Boodschappen op dinsdag en donderdag"}))]
pub struct UpdateBody {
    /// A new title (encrypted).
    pub title: Option<String>,
    /// A new description (encrypted), or `null`: none any more.
    #[serde(default, deserialize_with = "present")]
    pub description: Option<Option<String>>,
    /// A new category.
    pub category: Option<CategoryCode>,
    /// New skills.
    #[serde(default, deserialize_with = "super::limits::bounded_opt")]
    pub skills: Option<Vec<SkillCode>>,
    /// New neighbourhoods.
    #[serde(default, deserialize_with = "super::limits::bounded_opt")]
    pub neighbourhoods: Option<Vec<NeighbourhoodId>>,
    /// A new availability.
    pub availability: Option<Availability>,
    /// A new last day, or `null`: it no longer ends.
    #[serde(default, deserialize_with = "present")]
    pub until: Option<Option<NaiveDate>>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

#[utoipa::path(
    patch,
    path = "/standing-offers/{id}",
    tag = "standing-offers",
    operation_id = "update_standing_offer",
    summary = "Change a standing offer",
    description = "Only the fields given change; `null` removes the description or the last day.",
    params(("id" = StandingOfferId, Path, description = "The offer.", example = "0193a1b2-7c4d-7e8f-9a0b-600000000001")),
    request_body = UpdateBody,
    responses((status = 200, description = "The offer was changed.", body = Written))
)]
async fn update(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(id): ApiPath<StandingOfferId>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> Result<CommandResponse, ApiError> {
    let (helper, current) = offer_of(&state, &actor, id).await?;
    let new = body.neighbourhoods.clone().unwrap_or_default();
    managed(&state, &actor, helper, &current, &new).await?;
    let ctx = context(&actor, command_id, &body.acting)?;
    let words = |text: String| Personal::clear(helper, text);
    let command = StandingOfferCommand::Update(UpdateStandingOffer {
        title: body.title.map(words),
        description: body.description.map(|d| d.map(words)),
        category: body.category,
        skills: body.skills,
        neighbourhoods: body.neighbourhoods,
        availability: body.availability,
        until: body.until,
        ..UpdateStandingOffer::of(id)
    });
    execute::<StandingOffer>(&state, &ctx, Kind::Change, command).await
}

/// Runs a command without a body on offer `id`, once the caller reaches it.
async fn change(
    state: &AppState,
    actor: &Actor,
    command_id: CommandId,
    id: StandingOfferId,
    acting: &Acting,
    command: StandingOfferCommand,
) -> Result<CommandResponse, ApiError> {
    let (helper, current) = offer_of(state, actor, id).await?;
    managed(state, actor, helper, &current, &[]).await?;
    let ctx = context(actor, command_id, acting)?;
    execute::<StandingOffer>(state, &ctx, Kind::Change, command).await
}

#[utoipa::path(
    post,
    path = "/standing-offers/{id}/pause",
    tag = "standing-offers",
    operation_id = "pause_standing_offer",
    summary = "Pause a standing offer",
    description = "It leaves the feed and cannot be taken up until resumed.",
    params(("id" = StandingOfferId, Path, description = "The offer.", example = "0193a1b2-7c4d-7e8f-9a0b-600000000002")),
    responses((status = 200, description = "The offer was paused.", body = Written))
)]
async fn pause(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(id): ApiPath<StandingOfferId>,
) -> Result<CommandResponse, ApiError> {
    let command = StandingOfferCommand::Pause(PauseStandingOffer {
        standing_offer_id: id,
    });
    change(&state, &actor, command_id, id, &Acting::default(), command).await
}

#[utoipa::path(
    post,
    path = "/standing-offers/{id}/resume",
    tag = "standing-offers",
    operation_id = "resume_standing_offer",
    summary = "Resume a paused standing offer",
    description = "It returns to the feed.",
    params(("id" = StandingOfferId, Path, description = "The offer.", example = "0193a1b2-7c4d-7e8f-9a0b-600000000003")),
    responses((status = 200, description = "The offer was resumed.", body = Written))
)]
async fn resume(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(id): ApiPath<StandingOfferId>,
) -> Result<CommandResponse, ApiError> {
    let command = StandingOfferCommand::Resume(ResumeStandingOffer {
        standing_offer_id: id,
    });
    change(&state, &actor, command_id, id, &Acting::default(), command).await
}

/// Body of `POST /v1/standing-offers/{id}/withdraw`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "no_longer_offered"}))]
pub struct WithdrawBody {
    /// Why: `no_longer_offered`, `published_in_error` or `moderated`.
    pub reason: WithdrawReason,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

#[utoipa::path(
    post,
    path = "/standing-offers/{id}/withdraw",
    tag = "standing-offers",
    operation_id = "withdraw_standing_offer",
    summary = "Withdraw a standing offer",
    description = "For good: nothing more is accepted for it.",
    params(("id" = StandingOfferId, Path, description = "The offer.", example = "0193a1b2-7c4d-7e8f-9a0b-600000000005")),
    request_body = WithdrawBody,
    responses((status = 200, description = "The offer was withdrawn.", body = Written))
)]
async fn withdraw(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(id): ApiPath<StandingOfferId>,
    ApiJson(body): ApiJson<WithdrawBody>,
) -> Result<CommandResponse, ApiError> {
    let command = StandingOfferCommand::Withdraw(WithdrawStandingOffer {
        standing_offer_id: id,
        reason: body.reason,
    });
    change(&state, &actor, command_id, id, &body.acting, command).await
}

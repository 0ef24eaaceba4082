//! `POST /v1/standing-offers/{id}/take-up`: a resident (or a connector for them) takes up a
//! standing offer, which posts a request in their words and matches the offer's helper to it
//! in the same append (ADR 0042). The answer is the request's, like any posting.

use axum::extract::State;
use chrono::{DateTime, Utc};
use noaber_domain::offer::StandingOffer;
use noaber_domain::policy::{Action, Reach};
use noaber_domain::request::{HelpRequest, PostRequest, TakeUpStandingOffer};
use noaber_domain::values::{
    ApproxLocation, CategoryCode, Channel, ConsentBasis, HandsNeeded, Urgency, Visibility,
};
use noaber_domain::{
    NeighbourhoodId, PersonId, Personal, RequestCommand, RequestId, StandingOfferId,
};
use noaber_store::exec::ExecError;
use serde::Deserialize;
use uuid::Uuid;

use super::super::commands::{self, context, execute, Acting, CommandResponse, Kind};
use super::super::{policy, Actor, ApiError, ApiJson, ApiPath, AppState, CommandId, Via};
use super::offer_of;

/// Body of `POST /v1/standing-offers/{id}/take-up`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"description": "Ik heb hulp nodig bij de boodschappen."}))]
pub struct TakeUpBody {
    /// The new request's id; a new one when absent.
    pub request_id: Option<Uuid>,
    /// The resident who takes it up; the caller when absent (a connector names the resident
    /// they act for).
    pub requester: Option<PersonId>,
    /// How the request reached Noaber; `app` when absent.
    pub channel: Option<Channel>,
    /// The category of help; the offer's when absent.
    pub category: Option<CategoryCode>,
    /// Where help is needed: one of the offer's neighbourhoods; the one the requester lives in
    /// when it is one of them, else the offer's only one.
    pub neighbourhood_id: Option<NeighbourhoodId>,
    /// Where, approximately.
    pub location: Option<ApproxLocation>,
    /// What help is needed, in the requester's words (encrypted).
    pub description: String,
    /// How urgent; `normal` when absent.
    pub urgency: Option<Urgency>,
    /// Needed by when.
    pub needed_by: Option<DateTime<Utc>>,
    /// Hide the requester from neighbours.
    #[serde(default)]
    pub anonymous: bool,
    /// When it really happened, if earlier than now.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The basis the request is recorded on: required when taken up on a resident's behalf.
    #[serde(default)]
    pub consent: Option<ConsentBasis>,
}

/// The offer as found in the log, in the caller's tenant (nothing for another tenant's).
async fn found(
    state: &AppState,
    actor: &Actor,
    id: StandingOfferId,
) -> Result<noaber_domain::StandingOfferState, ApiError> {
    match state
        .executor
        .load::<StandingOffer>(actor.tenant, id.as_uuid())
        .await
    {
        Ok((offer, _)) => Ok(offer),
        Err(ExecError::NotHere { .. }) => Ok(Default::default()),
        Err(e) => Err(e.into()),
    }
}

/// Refuses a caller whose `take_up_standing_offer` does not reach the offer: a resident or
/// helper takes up what is offered in the neighbourhood they live in, a connector what is
/// offered in theirs, an administrator anything of the tenant.
async fn in_reach(
    state: &AppState,
    actor: &Actor,
    neighbourhoods: &[NeighbourhoodId],
) -> Result<(), ApiError> {
    let scope = policy::scope(state, actor, Action::TakeUpStandingOffer).await?;
    let reached = match scope.reach {
        Reach::Own => {
            actor.via == Via::DevHeaders
                || state
                    .projections
                    .read()
                    .await
                    .directory
                    .neighbourhood_of(actor.actor)
                    .is_some_and(|home| neighbourhoods.contains(&home))
        }
        _ => neighbourhoods.iter().any(|n| scope.covers(*n)),
    };
    if reached {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "this standing offer is not offered where a {} takes offers up (their own neighbourhood, or the ones they serve)",
            actor.role.as_str()
        )))
    }
}

#[utoipa::path(
    post,
    path = "/standing-offers/{id}/take-up",
    tag = "standing-offers",
    operation_id = "take_up_standing_offer",
    summary = "Take a standing offer up",
    description = "A resident (or a connector for them) takes the offer up: a request in their words is posted and the offer's helper matched to it in the same append. Answers with the request's id.",
    params(("id" = StandingOfferId, Path, description = "The offer.", example = "0193a1b2-7c4d-7e8f-9a0b-600000000004")),
    request_body = TakeUpBody,
    responses((status = 201, description = "The request was posted and matched.", body = super::super::commands::Written))
)]
pub(super) async fn take_up(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(id): ApiPath<StandingOfferId>,
    ApiJson(body): ApiJson<TakeUpBody>,
) -> Result<CommandResponse, ApiError> {
    let (_, listed_in) = offer_of(&state, &actor, id).await?;
    in_reach(&state, &actor, &listed_in).await?;
    // The rules decide on the offer as the log has it now, not as the read models last saw it.
    let offer = found(&state, &actor, id).await?;
    let requester = body.requester.unwrap_or(actor.actor);
    let neighbourhood_id = match body.neighbourhood_id {
        Some(n) => n,
        None => {
            let home = state
                .projections
                .read()
                .await
                .directory
                .neighbourhood_of(requester);
            match (home, offer.neighbourhoods.as_slice()) {
                (Some(home), list) if list.contains(&home) => home,
                (_, [only]) => *only,
                _ => {
                    return Err(ApiError::BadInput(
                        "this standing offer is offered in several neighbourhoods: say in which one help is needed (neighbourhood_id)".into(),
                    ))
                }
            }
        }
    };
    let category = match (body.category, offer.category.clone()) {
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => {
            return Err(ApiError::NotFound(format!(
                "there is no standing offer {id} here"
            )))
        }
    };
    let request_id = RequestId::new(commands::new_id(body.request_id, command_id));
    let acting = Acting {
        on_behalf_of: (requester != actor.actor).then_some(requester),
        occurred_at: body.occurred_at,
    };
    let ctx = context(&actor, command_id, &acting)?;
    let command = RequestCommand::TakeUp(TakeUpStandingOffer {
        post: PostRequest {
            request_id,
            requester,
            channel: body.channel.unwrap_or(Channel::App),
            category,
            target_group: None,
            neighbourhood_id,
            location: body.location,
            description: Personal::clear(requester, body.description),
            urgency: body.urgency.unwrap_or(Urgency::Normal),
            needed_by: body.needed_by,
            anonymous: body.anonymous,
            visibility: Visibility::Neighbourhood,
            hands_needed: HandsNeeded::ONE,
            skills_wanted: offer.skills.clone(),
            referred_by: None,
            consent: body.consent,
        },
        standing_offer_id: id,
        offer: offer.facts(),
    });
    execute::<HelpRequest>(&state, &ctx, Kind::Create, command).await
}

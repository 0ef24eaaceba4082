//! Help-request endpoints: post (`POST /v1/requests`) and every step of the life cycle (triage,
//! offers, matches, referrals, resolution, closing, reopening, feedback, corrections, voids).
//!
//! Free text (a description, a note, a message) arrives as plain strings and becomes personal
//! data of the person it is about before it reaches the domain: a request's description and
//! notes belong to its requester, an offer's message to the helper, feedback to its giver. A
//! note given with a triage, referral or referral outcome is handed to the domain as the
//! caller's and re-tagged there as the requester's (see `Personal::about`), so the handler need
//! not read the request to learn who that is.

use axum::extract::State;
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, Utc};
use noaber_domain::organisation::{Organisation, OrganisationStatus};
use noaber_domain::request::{
    CancelMatch, CloseRequest, CorrectRequest, GiveFeedback, MatchHelper, OfferHelp, PostRequest,
    RecordReferralOutcome, ReferRequest, ReopenRequest, ResolveRequest, TriageRequest, VoidRequest,
    WithdrawOffer,
};
use noaber_domain::request::{
    CancelReason, CloseReason, Compensation, HelpRequest, ReferralOutcome, ResolvedBy, TriageRoute,
};
use noaber_domain::values::{
    ApproxLocation, CategoryCode, Channel, ConsentBasis, HandsNeeded, Minutes, Rating, SkillCode,
    TargetGroupCode, Urgency, Visibility,
};
use noaber_domain::{
    CommandContext, NeighbourhoodId, OrganisationId, PersonId, Personal, RequestCommand, RequestId,
};
use noaber_store::exec::ExecError;
use serde::Deserialize;
use uuid::Uuid;

use super::commands::{self, context, execute, Acting, CommandResponse, Kind};
use super::{Actor, ApiError, ApiJson, ApiPath, AppState, CommandId};

/// The help-request routes, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", post(post_request))
        .route("/requests/{id}/triage", post(triage))
        .route("/requests/{id}/offers", post(offer))
        .route(
            "/requests/{id}/offers/{helper}/withdraw",
            post(withdraw_offer),
        )
        .route("/requests/{id}/matches", post(match_helper))
        .route("/requests/{id}/matches/{helper}/cancel", post(cancel_match))
        .route("/requests/{id}/referrals", post(refer))
        .route("/requests/{id}/referrals/outcome", post(referral_outcome))
        .route("/requests/{id}/resolve", post(resolve))
        .route("/requests/{id}/close", post(close))
        .route("/requests/{id}/reopen", post(reopen))
        .route("/requests/{id}/feedback", post(feedback))
        .route("/requests/{id}/correct", post(correct))
        .route("/requests/{id}/void", post(void))
}

/// Refuses a command on a request outside what the caller manages (the table's
/// `manage_request`: an administrator's tenant, a connector's neighbourhoods).
async fn managed(state: &AppState, actor: &Actor, id: RequestId) -> Result<(), ApiError> {
    super::policy::command_in_reach(
        state,
        actor,
        id,
        noaber_domain::policy::Action::ManageRequest,
    )
    .await
}

/// Body of `POST /v1/requests`.
#[derive(Debug, Deserialize)]
pub struct PostBody {
    /// The request's id; a new one when absent.
    pub request_id: Option<Uuid>,
    /// The resident who needs help; the caller when absent. Naming someone else posts on
    /// their behalf (connectors and partners).
    pub requester: Option<PersonId>,
    /// How the request reached Noaber; `app` when absent.
    pub channel: Option<Channel>,
    /// The category of help, from the taxonomy.
    pub category: CategoryCode,
    /// Who the help is for, from the taxonomy.
    pub target_group: Option<TargetGroupCode>,
    /// The neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
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
    /// Who may see it in the feed; the neighbourhood when absent.
    pub visibility: Option<Visibility>,
    /// How many helpers are needed; 1 when absent.
    pub hands_needed: Option<HandsNeeded>,
    /// Skills that would help.
    #[serde(default, deserialize_with = "super::limits::bounded")]
    pub skills_wanted: Vec<SkillCode>,
    /// The referring organisation (channel `partner_referral`).
    pub referred_by: Option<OrganisationId>,
    /// When it really happened, if earlier than now.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The basis the request is recorded on: required when posted on a resident's behalf
    /// (`explicit_consent`, given to whoever takes the request, or `care_provision`).
    #[serde(default)]
    pub consent: Option<ConsentBasis>,
}

impl PostBody {
    /// The domain command this body asks for (every field is already typed and checked).
    pub fn into_command(self, request_id: RequestId, requester: PersonId) -> RequestCommand {
        let body = self;
        RequestCommand::Post(PostRequest {
            request_id,
            requester,
            channel: body.channel.unwrap_or(Channel::App),
            category: body.category,
            target_group: body.target_group,
            neighbourhood_id: body.neighbourhood_id,
            location: body.location,
            description: Personal::clear(requester, body.description),
            urgency: body.urgency.unwrap_or(Urgency::Normal),
            needed_by: body.needed_by,
            anonymous: body.anonymous,
            visibility: body.visibility.unwrap_or(Visibility::Neighbourhood),
            hands_needed: body.hands_needed.unwrap_or(HandsNeeded::ONE),
            skills_wanted: body.skills_wanted,
            referred_by: body.referred_by,
            consent: body.consent,
        })
    }
}

async fn post_request(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiJson(body): ApiJson<PostBody>,
) -> Result<CommandResponse, ApiError> {
    let request_id = RequestId::new(commands::new_id(body.request_id, command_id));
    let requester = body.requester.unwrap_or(actor.actor);
    let acting = Acting {
        on_behalf_of: (requester != actor.actor).then_some(requester),
        occurred_at: body.occurred_at,
    };
    let ctx = context(&actor, command_id, &acting)?;
    let command = body.into_command(request_id, requester);
    execute::<HelpRequest>(&state, &ctx, Kind::Create, command).await
}

/// Free text about a request (a note, a reason) that belongs to its requester. The handler does
/// not know who that is without reading the request, so it hands the text over as the caller's,
/// and the domain re-tags it as the requester's before it is sealed (`Personal::about`).
fn requesters_text(ctx: &CommandContext, text: Option<String>) -> Option<Personal> {
    text.map(|text| Personal::clear(ctx.subject(), text))
}

async fn change(
    state: &AppState,
    ctx: &CommandContext,
    command: RequestCommand,
) -> Result<CommandResponse, ApiError> {
    execute::<HelpRequest>(state, ctx, Kind::Change, command).await
}

/// Body of `POST /v1/requests/{id}/triage`.
#[derive(Debug, Deserialize)]
pub struct TriageBody {
    /// Informal (neighbours) or professional.
    pub route: TriageRoute,
    /// A note about the request (encrypted, belongs to the requester).
    pub note: Option<String>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

async fn triage(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<TriageBody>,
) -> Result<CommandResponse, ApiError> {
    managed(&state, &actor, request_id).await?;
    let ctx = context(&actor, command_id, &body.acting)?;
    let note = requesters_text(&ctx, body.note);
    let command = RequestCommand::Triage(TriageRequest {
        request_id,
        route: body.route,
        note,
    });
    change(&state, &ctx, command).await
}

/// Body of `POST /v1/requests/{id}/offers`.
#[derive(Debug, Default, Deserialize)]
pub struct OfferBody {
    /// The helper offering; the caller when absent (a connector may record it for them).
    pub helper: Option<PersonId>,
    /// A message to the requester (encrypted, belongs to the helper).
    pub message: Option<String>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

impl OfferBody {
    /// The domain command this body asks for.
    pub fn into_command(self, request_id: RequestId, caller: PersonId) -> RequestCommand {
        let helper = self.helper.unwrap_or(caller);
        RequestCommand::Offer(OfferHelp {
            request_id,
            helper,
            message: self.message.map(|m| Personal::clear(helper, m)),
        })
    }
}

async fn offer(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<OfferBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = body.into_command(request_id, actor.actor);
    change(&state, &ctx, command).await
}

async fn withdraw_offer(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath((request_id, helper)): ApiPath<(RequestId, PersonId)>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = RequestCommand::WithdrawOffer(WithdrawOffer { request_id, helper });
    change(&state, &ctx, command).await
}

/// Body of `POST /v1/requests/{id}/matches`.
#[derive(Debug, Deserialize)]
pub struct MatchBody {
    /// The helper to match.
    pub helper: PersonId,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

async fn match_helper(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<MatchBody>,
) -> Result<CommandResponse, ApiError> {
    managed(&state, &actor, request_id).await?;
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = RequestCommand::Match(MatchHelper {
        request_id,
        helper: body.helper,
    });
    change(&state, &ctx, command).await
}

/// Body of `POST /v1/requests/{id}/matches/{helper}/cancel`.
#[derive(Debug, Deserialize)]
pub struct CancelBody {
    /// Why the match is cancelled.
    pub reason: CancelReason,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

async fn cancel_match(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath((request_id, helper)): ApiPath<(RequestId, PersonId)>,
    ApiJson(body): ApiJson<CancelBody>,
) -> Result<CommandResponse, ApiError> {
    managed(&state, &actor, request_id).await?;
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = RequestCommand::CancelMatch(CancelMatch {
        request_id,
        helper,
        reason: body.reason,
    });
    change(&state, &ctx, command).await
}

/// Body of `POST /v1/requests/{id}/referrals`.
#[derive(Debug, Deserialize)]
pub struct ReferBody {
    /// The professional organisation, registered in the caller's tenant.
    pub organisation_id: OrganisationId,
    /// Why (encrypted, belongs to the requester).
    pub reason: Option<String>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

/// What the caller's tenant knows of an organisation: unknown when it is not registered there.
/// The executor also refuses a referral to an organisation outside the tenant before deciding;
/// this read gives the domain the status it decides an inactive organisation by.
async fn organisation_status(
    state: &AppState,
    ctx: &CommandContext,
    organisation: OrganisationId,
) -> Result<OrganisationStatus, ApiError> {
    match state
        .executor
        .load::<Organisation>(ctx.tenant_id, organisation.as_uuid())
        .await
    {
        Ok((org, _)) => Ok(org.status),
        Err(ExecError::NotHere { .. }) => Ok(OrganisationStatus::Unknown),
        Err(e) => Err(e.into()),
    }
}

async fn refer(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<ReferBody>,
) -> Result<CommandResponse, ApiError> {
    managed(&state, &actor, request_id).await?;
    let ctx = context(&actor, command_id, &body.acting)?;
    let reason = requesters_text(&ctx, body.reason);
    let command = RequestCommand::Refer(ReferRequest {
        request_id,
        organisation_id: body.organisation_id,
        organisation_status: organisation_status(&state, &ctx, body.organisation_id).await?,
        reason,
    });
    change(&state, &ctx, command).await
}

/// Body of `POST /v1/requests/{id}/referrals/outcome`.
#[derive(Debug, Deserialize)]
pub struct OutcomeBody {
    /// What became of the referral.
    pub outcome: ReferralOutcome,
    /// A note (encrypted, belongs to the requester).
    pub note: Option<String>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

async fn referral_outcome(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<OutcomeBody>,
) -> Result<CommandResponse, ApiError> {
    super::policy::command_in_reach(
        &state,
        &actor,
        request_id,
        noaber_domain::policy::Action::RecordReferralOutcome,
    )
    .await?;
    let ctx = context(&actor, command_id, &body.acting)?;
    let note = requesters_text(&ctx, body.note);
    let command = RequestCommand::RecordReferralOutcome(RecordReferralOutcome {
        request_id,
        outcome: body.outcome,
        note,
    });
    change(&state, &ctx, command).await
}

/// Body of `POST /v1/requests/{id}/resolve`.
#[derive(Debug, Deserialize)]
pub struct ResolveBody {
    /// Who solved it: a neighbour, a professional, or the requester.
    pub resolution: ResolvedBy,
    /// The matched helpers to credit (neighbour resolutions).
    #[serde(default, deserialize_with = "super::limits::bounded")]
    pub helpers_credited: Vec<PersonId>,
    /// Minutes of help given, if known.
    pub minutes_given: Option<Minutes>,
    /// What the requester paid; `none` when absent.
    pub compensation: Option<Compensation>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

async fn resolve(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<ResolveBody>,
) -> Result<CommandResponse, ApiError> {
    managed(&state, &actor, request_id).await?;
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = RequestCommand::Resolve(ResolveRequest {
        request_id,
        resolution: body.resolution,
        helpers_credited: body.helpers_credited,
        minutes_given: body.minutes_given,
        compensation: body.compensation.unwrap_or(Compensation::None),
    });
    change(&state, &ctx, command).await
}

/// Body of `POST /v1/requests/{id}/close`.
#[derive(Debug, Deserialize)]
pub struct CloseBody {
    /// Why it is closed without a resolution.
    pub reason: CloseReason,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

async fn close(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<CloseBody>,
) -> Result<CommandResponse, ApiError> {
    managed(&state, &actor, request_id).await?;
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = RequestCommand::Close(CloseRequest {
        request_id,
        reason: body.reason,
    });
    change(&state, &ctx, command).await
}

async fn reopen(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
) -> Result<CommandResponse, ApiError> {
    managed(&state, &actor, request_id).await?;
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = RequestCommand::Reopen(ReopenRequest { request_id });
    change(&state, &ctx, command).await
}

/// Body of `POST /v1/requests/{id}/feedback`.
#[derive(Debug, Deserialize)]
pub struct FeedbackBody {
    /// A rating from 1 to 5.
    pub rating: Rating,
    /// A comment (encrypted, belongs to whoever gives it).
    pub comment: Option<String>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

async fn feedback(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<FeedbackBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &body.acting)?;
    let giver = ctx.subject();
    let command = RequestCommand::GiveFeedback(GiveFeedback {
        request_id,
        rating: body.rating,
        comment: body.comment.map(|c| Personal::clear(giver, c)),
    });
    change(&state, &ctx, command).await
}

/// Body of `POST /v1/requests/{id}/correct`: only the fields given change.
#[derive(Debug, Deserialize)]
pub struct CorrectBody {
    /// The right category.
    pub category: Option<CategoryCode>,
    /// The right target group.
    pub target_group: Option<TargetGroupCode>,
    /// The right neighbourhood.
    pub neighbourhood_id: Option<NeighbourhoodId>,
    /// The right urgency.
    pub urgency: Option<Urgency>,
    /// The right channel.
    pub channel: Option<Channel>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

async fn correct(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<CorrectBody>,
) -> Result<CommandResponse, ApiError> {
    managed(&state, &actor, request_id).await?;
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = RequestCommand::Correct(CorrectRequest {
        request_id,
        category: body.category,
        target_group: body.target_group,
        neighbourhood_id: body.neighbourhood_id,
        urgency: body.urgency,
        channel: body.channel,
    });
    change(&state, &ctx, command).await
}

async fn void(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(request_id): ApiPath<RequestId>,
) -> Result<CommandResponse, ApiError> {
    managed(&state, &actor, request_id).await?;
    let ctx = context(&actor, command_id, &Acting::default())?;
    let command = RequestCommand::Void(VoidRequest { request_id });
    change(&state, &ctx, command).await
}

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
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::commands::{self, context, execute, Acting, CommandResponse, Kind, Written};
use super::{Actor, ApiError, ApiJson, ApiPath, AppState, CommandId};

/// The help-request routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_request))
        .routes(routes!(triage))
        .routes(routes!(offer))
        .routes(routes!(withdraw_offer))
        .routes(routes!(match_helper))
        .routes(routes!(cancel_match))
        .routes(routes!(refer))
        .routes(routes!(referral_outcome))
        .routes(routes!(resolve))
        .routes(routes!(close))
        .routes(routes!(reopen))
        .routes(routes!(feedback))
        .routes(routes!(correct))
        .routes(routes!(void))
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
#[derive(Debug, Deserialize, ToSchema)]
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

/// Post a help request.
///
/// A resident posts for themselves; a connector or partner posts on a resident's behalf (`requester`, with `consent`). The description is encrypted as the requester's personal data.
#[utoipa::path(
    post,
    path = "/requests",
    tag = "requests",
    operation_id = "post_request",
    request_body = PostBody,
    responses((status = 201, description = "The request was posted (or, with the same idempotency key, had been).", body = Written))
)]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct TriageBody {
    /// Informal (neighbours) or professional.
    pub route: TriageRoute,
    /// A note about the request (encrypted, belongs to the requester).
    pub note: Option<String>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

/// Triage a request.
///
/// A connector decides whether neighbours help (`informal`) or a professional (`professional`).
#[utoipa::path(
    post,
    path = "/requests/{id}/triage",
    tag = "requests",
    operation_id = "triage_request",
    params(("id" = RequestId, Path, description = "The request.")),
    request_body = TriageBody,
    responses((status = 200, description = "The request was triaged.", body = Written))
)]
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
#[derive(Debug, Default, Deserialize, ToSchema)]
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

/// Offer help.
///
/// A helper offers to help, with an optional message to the requester (encrypted).
#[utoipa::path(
    post,
    path = "/requests/{id}/offers",
    tag = "requests",
    operation_id = "offer_request",
    params(("id" = RequestId, Path, description = "The request.")),
    request_body = OfferBody,
    responses((status = 200, description = "The offer was recorded.", body = Written))
)]
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

/// Withdraw an offer.
///
/// A helper withdraws their open offer (a connector may do it for them).
#[utoipa::path(
    post,
    path = "/requests/{id}/offers/{helper}/withdraw",
    tag = "requests",
    operation_id = "withdraw_offer",
    params(("id" = RequestId, Path, description = "The request."), ("helper" = PersonId, Path, description = "The helper.")),
    responses((status = 200, description = "The offer was withdrawn.", body = Written))
)]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct MatchBody {
    /// The helper to match.
    pub helper: PersonId,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

/// Match a helper.
///
/// A connector matches a helper who offered (or, directly, one who did not).
#[utoipa::path(
    post,
    path = "/requests/{id}/matches",
    tag = "requests",
    operation_id = "match_helper",
    params(("id" = RequestId, Path, description = "The request.")),
    request_body = MatchBody,
    responses((status = 200, description = "The helper was matched.", body = Written))
)]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct CancelBody {
    /// Why the match is cancelled.
    pub reason: CancelReason,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

/// Cancel a match.
///
/// A connector cancels a match, saying why.
#[utoipa::path(
    post,
    path = "/requests/{id}/matches/{helper}/cancel",
    tag = "requests",
    operation_id = "cancel_match",
    params(("id" = RequestId, Path, description = "The request."), ("helper" = PersonId, Path, description = "The helper.")),
    request_body = CancelBody,
    responses((status = 200, description = "The match was cancelled.", body = Written))
)]
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
#[derive(Debug, Deserialize, ToSchema)]
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

/// Refer to a professional organisation.
///
/// A connector refers the request to a registered organisation that takes referrals.
#[utoipa::path(
    post,
    path = "/requests/{id}/referrals",
    tag = "requests",
    operation_id = "refer_request",
    params(("id" = RequestId, Path, description = "The request.")),
    request_body = ReferBody,
    responses((status = 200, description = "The request was referred.", body = Written))
)]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct OutcomeBody {
    /// What became of the referral.
    pub outcome: ReferralOutcome,
    /// A note (encrypted, belongs to the requester).
    pub note: Option<String>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

/// Record a referral's outcome.
///
/// The organisation referred to (a partner) or a connector records what became of the referral.
#[utoipa::path(
    post,
    path = "/requests/{id}/referrals/outcome",
    tag = "requests",
    operation_id = "referral_outcome",
    params(("id" = RequestId, Path, description = "The request.")),
    request_body = OutcomeBody,
    responses((status = 200, description = "The outcome was recorded.", body = Written))
)]
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
#[derive(Debug, Deserialize, ToSchema)]
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

/// Resolve a request.
///
/// Says who solved it and credits the matched helpers who did.
#[utoipa::path(
    post,
    path = "/requests/{id}/resolve",
    tag = "requests",
    operation_id = "resolve_request",
    params(("id" = RequestId, Path, description = "The request.")),
    request_body = ResolveBody,
    responses((status = 200, description = "The request was resolved.", body = Written))
)]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseBody {
    /// Why it is closed without a resolution.
    pub reason: CloseReason,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

/// Close a request without a resolution.
#[utoipa::path(
    post,
    path = "/requests/{id}/close",
    tag = "requests",
    operation_id = "close_request",
    params(("id" = RequestId, Path, description = "The request.")),
    request_body = CloseBody,
    responses((status = 200, description = "The request was closed.", body = Written))
)]
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

/// Reopen a request.
///
/// A connector reopens a closed or resolved request: a new round of offers and matches.
#[utoipa::path(
    post,
    path = "/requests/{id}/reopen",
    tag = "requests",
    operation_id = "reopen_request",
    params(("id" = RequestId, Path, description = "The request.")),
    responses((status = 200, description = "The request was reopened.", body = Written))
)]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct FeedbackBody {
    /// A rating from 1 to 5.
    pub rating: Rating,
    /// A comment (encrypted, belongs to whoever gives it).
    pub comment: Option<String>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

/// Give feedback.
///
/// The requester or a matched helper rates a resolved request (1 to 5), with an optional comment (encrypted).
#[utoipa::path(
    post,
    path = "/requests/{id}/feedback",
    tag = "requests",
    operation_id = "feedback_request",
    params(("id" = RequestId, Path, description = "The request.")),
    request_body = FeedbackBody,
    responses((status = 200, description = "The feedback was recorded.", body = Written))
)]
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
#[derive(Debug, Deserialize, ToSchema)]
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

/// Correct a request.
///
/// A connector corrects what was recorded wrongly; only the fields given change.
#[utoipa::path(
    post,
    path = "/requests/{id}/correct",
    tag = "requests",
    operation_id = "correct_request",
    params(("id" = RequestId, Path, description = "The request.")),
    request_body = CorrectBody,
    responses((status = 200, description = "The correction was recorded.", body = Written))
)]
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

/// Void a request posted in error.
#[utoipa::path(
    post,
    path = "/requests/{id}/void",
    tag = "requests",
    operation_id = "void_request",
    params(("id" = RequestId, Path, description = "The request.")),
    responses((status = 200, description = "The request was voided.", body = Written))
)]
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

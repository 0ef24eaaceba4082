//! The commands a help request accepts. Each names the request it is about; who gives it and
//! when comes with the [`crate::CommandContext`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, OrganisationId, PersonId, RequestId, StandingOfferId};
use crate::offer::StandingOfferFacts;
use crate::organisation::OrganisationStatus;
use crate::personal::Personal;
use crate::values::{
    ApproxLocation, CategoryCode, Channel, ConsentBasis, HandsNeeded, Minutes, Rating,
    RetentionDays, SkillCode, TargetGroupCode, Urgency, Visibility,
};

use super::event::{
    CancelReason, CloseReason, Compensation, ReferralOutcome, ResolvedBy, TriageRoute,
};

/// What someone asks a help request to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum RequestCommand {
    /// Post a new request, for oneself or (connector, partner, admin) on a resident's behalf.
    Post(PostRequest),
    /// Take up a standing offer: post a request and match the offer's helper to it at once.
    ///
    /// The decider cannot look at the offer, so the application layer loads it (in the same
    /// tenant) and fills in `offer`.
    TakeUp(TakeUpStandingOffer),
    /// A connector triages the request as informal or professional.
    Triage(TriageRequest),
    /// A helper offers help (a connector may record it for them).
    Offer(OfferHelp),
    /// A helper withdraws an offer that is not matched yet.
    WithdrawOffer(WithdrawOffer),
    /// Match a helper: the requester accepts an offer, or a connector matches (directly if the
    /// helper did not offer).
    Match(MatchHelper),
    /// Cancel a match, which reopens the request to offers.
    CancelMatch(CancelMatch),
    /// A connector refers the request to a professional organisation.
    ///
    /// The decider cannot look at another aggregate, so the application layer loads the
    /// organisation (in the same tenant) and fills in `organisation_status`.
    Refer(ReferRequest),
    /// The organisation (partner) or a connector records what became of the referral.
    RecordReferralOutcome(RecordReferralOutcome),
    /// Resolve the request, crediting who solved it.
    Resolve(ResolveRequest),
    /// Close the request without a resolution.
    Close(CloseRequest),
    /// A connector reopens a closed or resolved request.
    Reopen(ReopenRequest),
    /// The requester or a matched helper (the context's subject) gives feedback.
    GiveFeedback(GiveFeedback),
    /// A connector corrects facts of the request (only the fields given change).
    Correct(CorrectRequest),
    /// A connector voids a request posted in error.
    Void(VoidRequest),
    /// The tenant's retention period for an ended request is over: its personal data goes.
    ExpirePersonalData(ExpirePersonalData),
}

/// Post a new request, for oneself or (connector, partner, admin) on a resident's behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRequest {
    /// The new request's id (made by the caller).
    pub request_id: RequestId,
    /// The resident who needs help.
    pub requester: PersonId,
    /// How the request reached Noaber.
    pub channel: Channel,
    /// The category of help.
    pub category: CategoryCode,
    /// Who the help is for.
    pub target_group: Option<TargetGroupCode>,
    /// The neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
    /// Where, approximately.
    pub location: Option<ApproxLocation>,
    /// The request in the requester's words (subject: the requester).
    pub description: Personal,
    /// How urgent.
    pub urgency: Urgency,
    /// Needed by when.
    pub needed_by: Option<DateTime<Utc>>,
    /// Hide the requester from neighbours.
    pub anonymous: bool,
    /// Who may see it in the feed.
    pub visibility: Visibility,
    /// How many helpers are needed.
    pub hands_needed: HandsNeeded,
    /// Skills that would help.
    pub skills_wanted: Vec<SkillCode>,
    /// The referring organisation (channel `partner_referral`).
    pub referred_by: Option<OrganisationId>,
    /// The basis on which the request is recorded: required when posted on a resident's
    /// behalf; posting for oneself is the resident's own explicit consent.
    #[serde(default)]
    pub consent: Option<ConsentBasis>,
}

/// Take up a standing offer: post a request and match the offer's helper to it at once, in one
/// append, so there is never a request taken up without its match (ADR 0042).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakeUpStandingOffer {
    /// The request, as it would be posted.
    pub post: PostRequest,
    /// The standing offer taken up.
    pub standing_offer_id: StandingOfferId,
    /// What the application layer found of that offer in this tenant; `None`: no such offer.
    pub offer: Option<StandingOfferFacts>,
}

/// A connector triages the request as informal or professional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageRequest {
    /// The request.
    pub request_id: RequestId,
    /// The route chosen.
    pub route: TriageRoute,
    /// A note (subject: the requester).
    pub note: Option<Personal>,
}

/// A helper offers help (a connector may record it for them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferHelp {
    /// The request.
    pub request_id: RequestId,
    /// The helper offering.
    pub helper: PersonId,
    /// A message (subject: the helper).
    pub message: Option<Personal>,
}

/// A helper withdraws an offer that is not matched yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawOffer {
    /// The request.
    pub request_id: RequestId,
    /// The helper.
    pub helper: PersonId,
}

/// Match a helper: the requester accepts an offer, or a connector matches (directly if the
/// helper did not offer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchHelper {
    /// The request.
    pub request_id: RequestId,
    /// The helper.
    pub helper: PersonId,
}

/// Cancel a match, which reopens the request to offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelMatch {
    /// The request.
    pub request_id: RequestId,
    /// The matched helper.
    pub helper: PersonId,
    /// Why.
    pub reason: CancelReason,
}

/// A connector refers the request to a professional organisation.
///
/// The decider cannot look at another aggregate, so the application layer loads the
/// organisation (in the same tenant) and fills in `organisation_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferRequest {
    /// The request.
    pub request_id: RequestId,
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// What the application layer found for that organisation in this tenant.
    pub organisation_status: OrganisationStatus,
    /// Why (subject: the requester).
    pub reason: Option<Personal>,
}

/// The organisation (partner) or a connector records what became of the referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordReferralOutcome {
    /// The request.
    pub request_id: RequestId,
    /// The outcome.
    pub outcome: ReferralOutcome,
    /// A note (subject: the requester).
    pub note: Option<Personal>,
}

/// Resolve the request, crediting who solved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveRequest {
    /// The request.
    pub request_id: RequestId,
    /// Who solved it.
    pub resolution: ResolvedBy,
    /// The matched helpers to credit (neighbour resolutions only).
    pub helpers_credited: Vec<PersonId>,
    /// Minutes of help given, if known.
    pub minutes_given: Option<Minutes>,
    /// What the requester paid.
    pub compensation: Compensation,
}

/// Close the request without a resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseRequest {
    /// The request.
    pub request_id: RequestId,
    /// Why.
    pub reason: CloseReason,
}

/// A connector reopens a closed or resolved request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReopenRequest {
    /// The request.
    pub request_id: RequestId,
}

/// The requester or a matched helper (the context's subject) gives feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiveFeedback {
    /// The request.
    pub request_id: RequestId,
    /// A rating from 1 to 5.
    pub rating: Rating,
    /// A comment (subject: the giver).
    pub comment: Option<Personal>,
}

/// A connector corrects facts of the request (only the fields given change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectRequest {
    /// The request.
    pub request_id: RequestId,
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
}

/// A connector voids a request posted in error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidRequest {
    /// The request.
    pub request_id: RequestId,
}

/// The tenant's retention period for an ended request is over: the personal data written with
/// it becomes unreadable (its key scope is destroyed after the event is recorded; ADR 0033).
/// Given by Noaber's own schedule in the administrator role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpirePersonalData {
    /// The request.
    pub request_id: RequestId,
    /// When the request was resolved, closed or voided (as the read models know it).
    pub ended_at: DateTime<Utc>,
    /// The tenant's retention period in force.
    pub retention_days: RetentionDays,
}

impl RequestCommand {
    /// The request the command is about.
    pub fn request_id(&self) -> RequestId {
        match self {
            RequestCommand::Post(PostRequest { request_id, .. })
            | RequestCommand::TakeUp(TakeUpStandingOffer {
                post: PostRequest { request_id, .. },
                ..
            })
            | RequestCommand::Triage(TriageRequest { request_id, .. })
            | RequestCommand::Offer(OfferHelp { request_id, .. })
            | RequestCommand::WithdrawOffer(WithdrawOffer { request_id, .. })
            | RequestCommand::Match(MatchHelper { request_id, .. })
            | RequestCommand::CancelMatch(CancelMatch { request_id, .. })
            | RequestCommand::Refer(ReferRequest { request_id, .. })
            | RequestCommand::RecordReferralOutcome(RecordReferralOutcome { request_id, .. })
            | RequestCommand::Resolve(ResolveRequest { request_id, .. })
            | RequestCommand::Close(CloseRequest { request_id, .. })
            | RequestCommand::Reopen(ReopenRequest { request_id })
            | RequestCommand::GiveFeedback(GiveFeedback { request_id, .. })
            | RequestCommand::Correct(CorrectRequest { request_id, .. })
            | RequestCommand::Void(VoidRequest { request_id })
            | RequestCommand::ExpirePersonalData(ExpirePersonalData { request_id, .. }) => {
                *request_id
            }
        }
    }
}

crate::macros::command_from!(RequestCommand {
    Post(PostRequest),
    TakeUp(TakeUpStandingOffer),
    Triage(TriageRequest),
    Offer(OfferHelp),
    WithdrawOffer(WithdrawOffer),
    Match(MatchHelper),
    CancelMatch(CancelMatch),
    Refer(ReferRequest),
    RecordReferralOutcome(RecordReferralOutcome),
    Resolve(ResolveRequest),
    Close(CloseRequest),
    Reopen(ReopenRequest),
    GiveFeedback(GiveFeedback),
    Correct(CorrectRequest),
    Void(VoidRequest),
    ExpirePersonalData(ExpirePersonalData),
});

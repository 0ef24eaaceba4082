//! The commands a help request accepts. Each names the request it is about; who gives it and
//! when comes with the [`crate::CommandContext`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, OrganisationId, PersonId, RequestId};
use crate::organisation::OrganisationStatus;
use crate::personal::Personal;
use crate::values::{
    ApproxLocation, CategoryCode, Channel, HandsNeeded, Minutes, Rating, SkillCode,
    TargetGroupCode, Urgency, Visibility,
};

use super::event::{
    CancelReason, CloseReason, Compensation, ReferralOutcome, ResolvedBy, TriageRoute,
};

/// What someone asks a help request to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum RequestCommand {
    /// Post a new request, for oneself or (connector, partner, admin) on a resident's behalf.
    Post {
        /// The new request's id (made by the caller).
        request_id: RequestId,
        /// The resident who needs help.
        requester: PersonId,
        /// How the request reached Noaber.
        channel: Channel,
        /// The category of help.
        category: CategoryCode,
        /// Who the help is for.
        target_group: Option<TargetGroupCode>,
        /// The neighbourhood.
        neighbourhood_id: NeighbourhoodId,
        /// Where, approximately.
        location: Option<ApproxLocation>,
        /// The request in the requester's words (subject: the requester).
        description: Personal,
        /// How urgent.
        urgency: Urgency,
        /// Needed by when.
        needed_by: Option<DateTime<Utc>>,
        /// Hide the requester from neighbours.
        anonymous: bool,
        /// Who may see it in the feed.
        visibility: Visibility,
        /// How many helpers are needed.
        hands_needed: HandsNeeded,
        /// Skills that would help.
        skills_wanted: Vec<SkillCode>,
        /// The referring organisation (channel `partner_referral`).
        referred_by: Option<OrganisationId>,
    },
    /// A connector triages the request as informal or professional.
    Triage {
        /// The request.
        request_id: RequestId,
        /// The route chosen.
        route: TriageRoute,
        /// A note (subject: the requester).
        note: Option<Personal>,
    },
    /// A helper offers help (a connector may record it for them).
    Offer {
        /// The request.
        request_id: RequestId,
        /// The helper offering.
        helper: PersonId,
        /// A message (subject: the helper).
        message: Option<Personal>,
    },
    /// A helper withdraws an offer that is not matched yet.
    WithdrawOffer {
        /// The request.
        request_id: RequestId,
        /// The helper.
        helper: PersonId,
    },
    /// Match a helper: the requester accepts an offer, or a connector matches (directly if the
    /// helper did not offer).
    Match {
        /// The request.
        request_id: RequestId,
        /// The helper.
        helper: PersonId,
    },
    /// Cancel a match, which reopens the request to offers.
    CancelMatch {
        /// The request.
        request_id: RequestId,
        /// The matched helper.
        helper: PersonId,
        /// Why.
        reason: CancelReason,
    },
    /// A connector refers the request to a professional organisation.
    ///
    /// The decider cannot look at another aggregate, so the application layer loads the
    /// organisation (in the same tenant) and fills in `organisation_status`.
    Refer {
        /// The request.
        request_id: RequestId,
        /// The organisation.
        organisation_id: OrganisationId,
        /// What the application layer found for that organisation in this tenant.
        organisation_status: OrganisationStatus,
        /// Why (subject: the requester).
        reason: Option<Personal>,
    },
    /// The organisation (partner) or a connector records what became of the referral.
    RecordReferralOutcome {
        /// The request.
        request_id: RequestId,
        /// The outcome.
        outcome: ReferralOutcome,
        /// A note (subject: the requester).
        note: Option<Personal>,
    },
    /// Resolve the request, crediting who solved it.
    Resolve {
        /// The request.
        request_id: RequestId,
        /// Who solved it.
        resolution: ResolvedBy,
        /// The matched helpers to credit (neighbour resolutions only).
        helpers_credited: Vec<PersonId>,
        /// Minutes of help given, if known.
        minutes_given: Option<Minutes>,
        /// What the requester paid.
        compensation: Compensation,
    },
    /// Close the request without a resolution.
    Close {
        /// The request.
        request_id: RequestId,
        /// Why.
        reason: CloseReason,
    },
    /// A connector reopens a closed or resolved request.
    Reopen {
        /// The request.
        request_id: RequestId,
    },
    /// The requester or a matched helper (the context's subject) gives feedback.
    GiveFeedback {
        /// The request.
        request_id: RequestId,
        /// A rating from 1 to 5.
        rating: Rating,
        /// A comment (subject: the giver).
        comment: Option<Personal>,
    },
    /// A connector corrects facts of the request (only the fields given change).
    Correct {
        /// The request.
        request_id: RequestId,
        /// The right category.
        category: Option<CategoryCode>,
        /// The right target group.
        target_group: Option<TargetGroupCode>,
        /// The right neighbourhood.
        neighbourhood_id: Option<NeighbourhoodId>,
        /// The right urgency.
        urgency: Option<Urgency>,
        /// The right channel.
        channel: Option<Channel>,
    },
    /// A connector voids a request posted in error.
    Void {
        /// The request.
        request_id: RequestId,
    },
}

impl RequestCommand {
    /// The request the command is about.
    pub fn request_id(&self) -> RequestId {
        match self {
            RequestCommand::Post { request_id, .. }
            | RequestCommand::Triage { request_id, .. }
            | RequestCommand::Offer { request_id, .. }
            | RequestCommand::WithdrawOffer { request_id, .. }
            | RequestCommand::Match { request_id, .. }
            | RequestCommand::CancelMatch { request_id, .. }
            | RequestCommand::Refer { request_id, .. }
            | RequestCommand::RecordReferralOutcome { request_id, .. }
            | RequestCommand::Resolve { request_id, .. }
            | RequestCommand::Close { request_id, .. }
            | RequestCommand::Reopen { request_id }
            | RequestCommand::GiveFeedback { request_id, .. }
            | RequestCommand::Correct { request_id, .. }
            | RequestCommand::Void { request_id } => *request_id,
        }
    }
}

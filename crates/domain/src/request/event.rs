//! The events of a help request. Each payload carries the request id and the domain facts read
//! models need; who gave the command (actor, role, on-behalf-of) travels in the event metadata.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, OrganisationId, PersonId, RequestId, StandingOfferId};
use crate::macros::event_enum;
use crate::personal::Personal;
use crate::values::{
    name_enum, ApproxLocation, CategoryCode, Channel, ConsentRecord, HandsNeeded, Minutes, Rating,
    RetentionDays, SkillCode, TargetGroupCode, Urgency, Visibility,
};

name_enum!(
    /// How a connector routes a request after triage.
    TriageRoute, "triage route" {
        /// Neighbours can help.
        Informal = "informal",
        /// A professional is needed.
        Professional = "professional",
    }
);

name_enum!(
    /// Why a match was cancelled.
    CancelReason, "cancel reason" {
        /// The helper can no longer help.
        HelperUnavailable = "helper_unavailable",
        /// The requester no longer wants this helper.
        RequesterDeclined = "requester_declined",
        /// The helper did not turn up.
        NoShow = "no_show",
        /// Another reason.
        Other = "other",
    }
);

name_enum!(
    /// What became of a referral to a professional.
    ReferralOutcome, "referral outcome" {
        /// The organisation took the request on.
        Accepted = "accepted",
        /// The organisation declined it: the request is open to neighbours again.
        Declined = "declined",
        /// The organisation helped the resident.
        Helped = "helped",
        /// The organisation could not reach the resident: the request is open to neighbours again.
        NotReached = "not_reached",
    }
);

impl ReferralOutcome {
    /// Whether the referral is over without the organisation taking it on.
    pub const fn ends_referral(&self) -> bool {
        matches!(
            self,
            ReferralOutcome::Declined | ReferralOutcome::NotReached
        )
    }
}

name_enum!(
    /// Who solved a request, as credited on resolution.
    ResolvedBy, "resolution" {
        /// One or more neighbours (the matched helpers credited).
        Neighbour = "neighbour",
        /// A professional organisation (the referred organisation credited).
        Professional = "professional",
        /// The requester solved it themselves.
        Requester = "requester",
    }
);

name_enum!(
    /// What the requester paid for the help, if anything.
    Compensation, "compensation" {
        /// Nothing: the help was free.
        None = "none",
        /// Expenses only (fuel, materials).
        Expenses = "expenses",
        /// The modest fee some projects charge.
        Fee = "fee",
    }
);

name_enum!(
    /// Why a request was closed without being resolved.
    CloseReason, "close reason" {
        /// The requester withdrew it.
        Withdrawn = "withdrawn",
        /// It duplicates another request.
        Duplicate = "duplicate",
        /// Help is no longer needed.
        NoLongerNeeded = "no_longer_needed",
        /// Nobody could solve it.
        Unresolvable = "unresolvable",
    }
);

/// A request was posted, by the requester or on their behalf (`on_behalf`, `posted_by`).
/// Schema version 2 (v1 called `description` `text` and lacked `target_group`, `visibility`
/// and `hands_needed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPosted {
    /// The request.
    pub request_id: RequestId,
    /// The resident who needs help.
    pub requester: PersonId,
    /// Who wrote it down: the requester, or a connector/partner on their behalf.
    pub posted_by: PersonId,
    /// Whether someone other than the requester posted it.
    pub on_behalf: bool,
    /// How the request reached Noaber.
    pub channel: Channel,
    /// The category of help.
    pub category: CategoryCode,
    /// Who the help is for, if said.
    pub target_group: Option<TargetGroupCode>,
    /// The neighbourhood the request belongs to.
    pub neighbourhood_id: NeighbourhoodId,
    /// The area where help is needed (the centre of a cell of a few hundred metres, see
    /// [`ApproxLocation::area`]), kept in clear for ranking. Versions 1 and 2 held the location
    /// itself (about 100 m); reading them gives its area.
    pub location: Option<ApproxLocation>,
    /// Where help is needed, approximately (about 100 m), as `lat,lon` sealed with the
    /// requester's key in the request's scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precise_location: Option<Personal>,
    /// The request in the requester's own words (subject: the requester).
    pub description: Personal,
    /// How urgent it is.
    pub urgency: Urgency,
    /// When help is needed by, if said.
    pub needed_by: Option<DateTime<Utc>>,
    /// Whether neighbours must not see who asked (only connectors do).
    pub anonymous: bool,
    /// Who may see the request in the feed.
    pub visibility: Visibility,
    /// How many helpers are needed.
    pub hands_needed: HandsNeeded,
    /// Skills that would help, if said.
    #[serde(default)]
    pub skills_wanted: Vec<SkillCode>,
    /// The organisation that referred the resident in (channel `partner_referral`).
    #[serde(default)]
    pub referred_by: Option<OrganisationId>,
    /// The basis the request was recorded on, who took it and how (absent in requests posted
    /// before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentRecord>,
}

/// The request takes up a standing offer: written with the posting and the match to the
/// offer's helper, in the same append (ADR 0042). It holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingOfferTakenUp {
    /// The request.
    pub request_id: RequestId,
    /// The standing offer taken up.
    pub standing_offer_id: StandingOfferId,
    /// The offer's helper, matched to the request by the same append.
    pub helper: PersonId,
}

/// A connector triaged the request as informal or professional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestTriaged {
    /// The request.
    pub request_id: RequestId,
    /// Informal (neighbours) or professional.
    pub route: TriageRoute,
    /// The connector who triaged.
    pub triaged_by: PersonId,
    /// A note about the request (subject: the requester).
    pub note: Option<Personal>,
}

/// A helper offered to help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpOffered {
    /// The request.
    pub request_id: RequestId,
    /// The helper offering.
    pub helper: PersonId,
    /// A message to the requester (subject: the helper).
    pub message: Option<Personal>,
}

/// A helper withdrew an offer that was not matched yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferWithdrawn {
    /// The request.
    pub request_id: RequestId,
    /// The helper withdrawing.
    pub helper: PersonId,
}

/// A helper was matched to the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperMatched {
    /// The request.
    pub request_id: RequestId,
    /// The helper matched.
    pub helper: PersonId,
    /// Who made the match: the requester accepting an offer, or a connector.
    pub matched_by: PersonId,
    /// Whether a connector chose this helper directly, without an offer.
    pub direct: bool,
}

/// A match was cancelled; the request is open to offers again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchCancelled {
    /// The request.
    pub request_id: RequestId,
    /// The helper whose match ended.
    pub helper: PersonId,
    /// Who cancelled.
    pub cancelled_by: PersonId,
    /// Why.
    pub reason: CancelReason,
}

/// The request was referred to a professional organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferredToProfessional {
    /// The request.
    pub request_id: RequestId,
    /// The organisation referred to.
    pub organisation_id: OrganisationId,
    /// Who referred.
    pub referred_by: PersonId,
    /// Why (subject: the requester).
    pub reason: Option<Personal>,
}

/// The organisation or a connector recorded what became of a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralOutcomeRecorded {
    /// The request.
    pub request_id: RequestId,
    /// The organisation referred to.
    pub organisation_id: OrganisationId,
    /// What became of it.
    pub outcome: ReferralOutcome,
    /// Who recorded it.
    pub recorded_by: PersonId,
    /// A note (subject: the requester).
    pub note: Option<Personal>,
}

/// The request was resolved, crediting who solved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestResolved {
    /// The request.
    pub request_id: RequestId,
    /// Who reported the resolution.
    pub resolved_by: PersonId,
    /// Who solved it: neighbour, professional or the requester.
    pub resolution: ResolvedBy,
    /// The helpers credited (non-empty exactly when solved by a neighbour).
    pub helpers_credited: Vec<PersonId>,
    /// The organisation credited (present exactly when solved by a professional).
    pub organisation_credited: Option<OrganisationId>,
    /// Minutes of help given, if recorded.
    pub minutes_given: Option<Minutes>,
    /// What the requester paid.
    pub compensation: Compensation,
}

/// The request was closed without a resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestClosed {
    /// The request.
    pub request_id: RequestId,
    /// Why.
    pub reason: CloseReason,
    /// Who closed it.
    pub closed_by: PersonId,
}

/// A connector reopened a closed or resolved request; earlier offers and matches no longer count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestReopened {
    /// The request.
    pub request_id: RequestId,
    /// The connector who reopened it.
    pub reopened_by: PersonId,
}

/// The requester or a matched helper gave feedback after resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackGiven {
    /// The request.
    pub request_id: RequestId,
    /// Who gave it.
    pub given_by: PersonId,
    /// A rating from 1 to 5.
    pub rating: Rating,
    /// A comment (subject: the giver).
    pub comment: Option<Personal>,
}

/// A connector corrected facts of the request; only the fields that changed are present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCorrected {
    /// The request.
    pub request_id: RequestId,
    /// Who corrected.
    pub corrected_by: PersonId,
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

/// The request was posted in error and is void: reports leave it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestVoided {
    /// The request.
    pub request_id: RequestId,
    /// Who voided it.
    pub voided_by: PersonId,
}

/// The tenant's retention period for the ended request is over: the personal data written with
/// it (description, notes, messages, feedback) is unreadable from now on, because its key scope
/// is destroyed. The request's facts (category, dates, outcome) stay and still count in reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDataExpired {
    /// The request.
    pub request_id: RequestId,
    /// When the request was resolved, closed or voided.
    pub ended_at: DateTime<Utc>,
    /// The retention period that ran out.
    pub retention_days: RetentionDays,
}

event_enum!(
    /// Everything that can happen to a help request.
    RequestEvent (id: request_id) {
        /// See [`RequestPosted`].
        RequestPosted = 3,
        /// See [`RequestTriaged`].
        RequestTriaged = 1,
        /// See [`HelpOffered`].
        HelpOffered = 1,
        /// See [`OfferWithdrawn`].
        OfferWithdrawn = 1,
        /// See [`HelperMatched`].
        HelperMatched = 1,
        /// See [`MatchCancelled`].
        MatchCancelled = 1,
        /// See [`ReferredToProfessional`].
        ReferredToProfessional = 1,
        /// See [`ReferralOutcomeRecorded`].
        ReferralOutcomeRecorded = 1,
        /// See [`RequestResolved`].
        RequestResolved = 1,
        /// See [`RequestClosed`].
        RequestClosed = 1,
        /// See [`RequestReopened`].
        RequestReopened = 1,
        /// See [`FeedbackGiven`].
        FeedbackGiven = 1,
        /// See [`RequestCorrected`].
        RequestCorrected = 1,
        /// See [`RequestVoided`].
        RequestVoided = 1,
        /// See [`PersonalDataExpired`].
        PersonalDataExpired = 1,
        /// See [`StandingOfferTakenUp`].
        StandingOfferTakenUp = 1,
    }
);

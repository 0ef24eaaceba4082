//! The state of a help request, folded from its events: just what the rules need.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::ids::{NeighbourhoodId, OrganisationId, PersonId, RequestId};
use crate::values::{CategoryCode, Channel, TargetGroupCode, Urgency};

use super::event::{ReferralOutcome, ResolvedBy, TriageRoute};

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RequestStatus {
    /// Nothing posted yet.
    #[default]
    NotPosted,
    /// Posted and not yet resolved or closed (triaged, offered, matched or referred).
    Open,
    /// Resolved; feedback can be given; a connector can reopen it.
    Resolved,
    /// Closed without a resolution; a connector can reopen it.
    Closed,
    /// Voided as posted in error; only corrections are accepted.
    Voided,
}

/// A referral to a professional organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// The latest outcome recorded, if any.
    pub outcome: Option<ReferralOutcome>,
}

impl Referral {
    /// Whether the organisation still has the request (no outcome, accepted or helped).
    pub fn is_active(&self) -> bool {
        !self.outcome.is_some_and(|o| o.ends_referral())
    }
}

/// The state of one help request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestState {
    /// Where the request is in its life.
    pub status: RequestStatus,
    /// When it was posted (the `occurred_at` of its posting), when the history was folded
    /// with its times ([`crate::Decider::evolve_at`]).
    pub posted_at: Option<DateTime<Utc>>,
    /// The request's id, once posted.
    pub request_id: Option<RequestId>,
    /// The resident who needs help.
    pub requester: Option<PersonId>,
    /// Who posted it.
    pub posted_by: Option<PersonId>,
    /// Current category (after corrections).
    pub category: Option<CategoryCode>,
    /// Current target group.
    pub target_group: Option<TargetGroupCode>,
    /// Current neighbourhood.
    pub neighbourhood_id: Option<NeighbourhoodId>,
    /// Current urgency.
    pub urgency: Option<Urgency>,
    /// Current channel.
    pub channel: Option<Channel>,
    /// Whether the requester is hidden from neighbours.
    pub anonymous: bool,
    /// How many helpers are needed.
    pub hands_needed: u32,
    /// The latest triage.
    pub triage: Option<TriageRoute>,
    /// Helpers with a standing offer that is not matched.
    pub offers: BTreeSet<PersonId>,
    /// Helpers currently matched.
    pub matched: BTreeSet<PersonId>,
    /// The current referral, if any.
    pub referral: Option<Referral>,
    /// Who solved it, once resolved.
    pub resolution: Option<ResolvedBy>,
    /// Helpers credited at resolution.
    pub helpers_credited: Vec<PersonId>,
    /// Organisation credited at resolution.
    pub organisation_credited: Option<OrganisationId>,
    /// People who gave feedback since the last resolution.
    pub feedback_from: BTreeSet<PersonId>,
    /// Whether the personal data written with it passed the retention period.
    pub data_expired: bool,
}

impl RequestState {
    /// Whether every hand needed is matched.
    pub fn fully_matched(&self) -> bool {
        u32::try_from(self.matched.len()).unwrap_or(u32::MAX) >= self.hands_needed
    }

    /// Whether a professional organisation currently has the request.
    pub fn referral_active(&self) -> bool {
        self.referral.as_ref().is_some_and(Referral::is_active)
    }
}

//! The authorization policy as one table: for every role and every action, how far the role
//! reaches. `docs/authorization.md` shows the same table; a test keeps the two equal.
//!
//! Tenant isolation is not in the table because it is not a choice: nothing of another tenant is
//! ever in reach. Commands are decided by the aggregates (who may post, match, refer); the table
//! adds where a role reaches (a connector's neighbourhoods, a partner's organisation) and governs
//! every read, every personal field opened, and every account action.

use crate::role::Role;

/// Something a caller may want to do or see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Read a neighbourhood's feed of open requests, standing offers and calls.
    ReadFeed,
    /// Read the connector queue.
    ReadQueue,
    /// Read one request (status, offers, matches, referral, resolution).
    ReadRequest,
    /// Read a request's audit history.
    ReadRequestHistory,
    /// Read a person's audit history.
    ReadPersonHistory,
    /// Read match suggestions for a request.
    ReadSuggestions,
    /// Search the helper directory.
    ReadHelpers,
    /// Read signals (requests per category and neighbourhood over time).
    ReadSignals,
    /// Read funder figures (suppressed aggregates).
    ReadKpis,
    /// Read a person's roles and their history.
    ReadRoles,
    /// Look people up by skill, availability and name (`POST /v1/persons/search`).
    LookUpPersons,
    /// Read the volunteer list: helpers who agreed to be asked for calls.
    ReadVolunteers,
    /// Open a request's description.
    OpenDescription,
    /// Open the name of a request's requester (never shown to neighbours when anonymous).
    OpenRequesterName,
    /// Open the contact details of a request's requester (for a matched helper: only when the
    /// requester chose to share them).
    OpenRequesterContact,
    /// Open the first name of a helper matched to one's own request, and their contact when
    /// they chose to share it.
    OpenMatchedHelper,
    /// Open the message a helper wrote with an offer.
    OpenOfferMessage,
    /// Open the comments given as feedback on a request.
    OpenFeedback,
    /// Open the answers to a call (names, contact details) as one of its organisers.
    OpenCallAnswers,
    /// Open a standing offer's title and description (the helper's words).
    OpenStandingOffer,
    /// Publish, change, pause or withdraw a standing offer for its helper (their own is
    /// always theirs to change: the aggregate decides).
    ManageStandingOffer,
    /// Take up a standing offer: post a request matched to its helper at once.
    TakeUpStandingOffer,
    /// Act on a request as staff (triage, match, refer, resolve, close, reopen, correct, void).
    ManageRequest,
    /// Record what became of a referral.
    RecordReferralOutcome,
    /// Invite someone or hand them a sign-in or reset link.
    ManageAccount,
}

impl Action {
    /// Every action, in the order of the table in `docs/authorization.md`.
    pub const ALL: [Action; 25] = [
        Action::ReadFeed,
        Action::ReadQueue,
        Action::ReadRequest,
        Action::ReadRequestHistory,
        Action::ReadPersonHistory,
        Action::ReadSuggestions,
        Action::ReadHelpers,
        Action::ReadSignals,
        Action::ReadKpis,
        Action::ReadRoles,
        Action::LookUpPersons,
        Action::ReadVolunteers,
        Action::OpenDescription,
        Action::OpenRequesterName,
        Action::OpenRequesterContact,
        Action::OpenMatchedHelper,
        Action::OpenOfferMessage,
        Action::OpenFeedback,
        Action::OpenCallAnswers,
        Action::OpenStandingOffer,
        Action::ManageStandingOffer,
        Action::TakeUpStandingOffer,
        Action::ManageRequest,
        Action::RecordReferralOutcome,
        Action::ManageAccount,
    ];

    /// The stable name used in `docs/authorization.md`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::ReadFeed => "read_feed",
            Action::ReadQueue => "read_queue",
            Action::ReadRequest => "read_request",
            Action::ReadRequestHistory => "read_request_history",
            Action::ReadPersonHistory => "read_person_history",
            Action::ReadSuggestions => "read_suggestions",
            Action::ReadHelpers => "read_helpers",
            Action::ReadSignals => "read_signals",
            Action::ReadKpis => "read_kpis",
            Action::ReadRoles => "read_roles",
            Action::LookUpPersons => "look_up_persons",
            Action::ReadVolunteers => "read_volunteers",
            Action::OpenDescription => "open_description",
            Action::OpenRequesterName => "open_requester_name",
            Action::OpenRequesterContact => "open_requester_contact",
            Action::OpenMatchedHelper => "open_matched_helper",
            Action::OpenOfferMessage => "open_offer_message",
            Action::OpenFeedback => "open_feedback",
            Action::OpenCallAnswers => "open_call_answers",
            Action::OpenStandingOffer => "open_standing_offer",
            Action::ManageStandingOffer => "manage_standing_offer",
            Action::TakeUpStandingOffer => "take_up_standing_offer",
            Action::ManageRequest => "manage_request",
            Action::RecordReferralOutcome => "record_referral_outcome",
            Action::ManageAccount => "manage_account",
        }
    }
}

/// How far a role reaches for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// Not at all.
    No,
    /// Only what is the caller's own: their own requests, history, roles; a matched helper the
    /// requests they are matched to; a resident the feed of their own neighbourhood. For a
    /// personal field, what the field's row in `docs/authorization.md` says: a matched helper
    /// opens the requester's first name, and their contact only when the requester shares it.
    Own,
    /// What lies in the neighbourhoods of the caller's grant.
    Neighbourhoods,
    /// What concerns the organisation of the caller's grant (referrals to or from it).
    Organisation,
    /// The whole tenant.
    Tenant,
    /// Aggregate figures only, with small counts suppressed.
    Aggregates,
}

impl Reach {
    /// The stable name used in `docs/authorization.md`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reach::No => "no",
            Reach::Own => "own",
            Reach::Neighbourhoods => "neighbourhoods",
            Reach::Organisation => "organisation",
            Reach::Tenant => "tenant",
            Reach::Aggregates => "aggregates",
        }
    }
}

/// The table: how far `role` reaches for `action`.
pub const fn reach(role: Role, action: Action) -> Reach {
    use Action as A;
    use Reach as R;
    match (role, action) {
        // A matched helper's first name and shared contact are meant for the requester only.
        (Role::Admin | Role::Connector, A::OpenMatchedHelper) => R::No,
        (Role::Admin, A::ReadKpis) => R::Aggregates,
        (Role::Admin, _) => R::Tenant,

        (Role::Connector, A::ReadKpis) => R::Aggregates,
        (Role::Connector, A::ReadRoles) => R::Tenant,
        (Role::Connector, _) => R::Neighbourhoods,

        (Role::Ambassador, A::ReadFeed | A::ReadRequest | A::OpenDescription) => R::Neighbourhoods,
        (Role::Ambassador, A::ReadSignals) => R::Neighbourhoods,
        // An ambassador moderates the feed: opens what is offered there and takes it out.
        (Role::Ambassador, A::OpenStandingOffer | A::ManageStandingOffer) => R::Neighbourhoods,
        (Role::Ambassador, A::TakeUpStandingOffer) => R::Own,
        (Role::Ambassador, A::ManageAccount) => R::Neighbourhoods,
        (Role::Ambassador, A::ReadRoles | A::ReadPersonHistory) => R::Own,
        (Role::Ambassador, _) => R::No,

        (
            Role::Partner,
            A::ReadRequest
            | A::ReadRequestHistory
            | A::ReadSuggestions
            | A::OpenDescription
            | A::OpenRequesterName
            | A::OpenRequesterContact
            | A::OpenCallAnswers
            | A::RecordReferralOutcome,
        ) => R::Organisation,
        (Role::Partner, A::ReadSignals) => R::Tenant,
        (Role::Partner, A::ReadKpis) => R::Aggregates,
        (Role::Partner, A::ReadRoles | A::ReadPersonHistory) => R::Own,
        (Role::Partner, _) => R::No,

        (Role::Helper, A::ReadFeed | A::ReadRequest | A::OpenDescription) => R::Own,
        (
            Role::Helper,
            A::OpenRequesterName
            | A::OpenRequesterContact
            | A::OpenMatchedHelper
            | A::OpenOfferMessage
            | A::OpenFeedback,
        ) => R::Own,
        (Role::Helper, A::ReadRoles | A::ReadPersonHistory) => R::Own,
        (Role::Helper, A::OpenStandingOffer | A::ManageStandingOffer | A::TakeUpStandingOffer) => {
            R::Own
        }
        (Role::Helper, _) => R::No,

        (
            Role::Resident,
            A::ReadFeed
            | A::ReadRequest
            | A::ReadRequestHistory
            | A::OpenDescription
            | A::OpenRequesterName
            | A::OpenRequesterContact
            | A::OpenMatchedHelper
            | A::OpenOfferMessage
            | A::OpenFeedback
            | A::ReadRoles
            | A::ReadPersonHistory
            | A::OpenStandingOffer
            | A::ManageStandingOffer
            | A::TakeUpStandingOffer,
        ) => R::Own,
        (Role::Resident, _) => R::No,

        (Role::Funder, A::ReadKpis) => R::Aggregates,
        (Role::Funder, _) => R::No,

        (Role::Auditor, A::ReadRoles | A::ReadPersonHistory) => R::Own,
        (Role::Auditor, _) => R::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funders_reach_nothing_but_aggregate_figures() {
        for action in Action::ALL {
            let expected = if action == Action::ReadKpis {
                Reach::Aggregates
            } else {
                Reach::No
            };
            assert_eq!(reach(Role::Funder, action), expected, "{action:?}");
        }
    }

    #[test]
    fn nobody_but_staff_reaches_beyond_their_own_neighbourhoods_or_organisation() {
        for role in [
            Role::Resident,
            Role::Helper,
            Role::Ambassador,
            Role::Auditor,
        ] {
            for action in Action::ALL {
                assert_ne!(reach(role, action), Reach::Tenant, "{role} {action:?}");
            }
        }
    }
}

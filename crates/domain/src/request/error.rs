//! Why a help request refused a command, in words a connector understands.

use chrono::{DateTime, NaiveDate, Utc};

use crate::access::Refusal;
use crate::error::{DomainError, ErrorKind};
use crate::ids::PersonId;
use crate::values::{CategoryCode, Channel};

use super::event::TriageRoute;

/// Why a command on a help request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The actor may not give this command at all.
    #[error(transparent)]
    Access(#[from] Refusal),
    /// The context acts for one resident while the request names another as requester.
    #[error("you act for one resident but the request names another as the one who needs help")]
    OnBehalfMismatch,
    /// The request has not been posted.
    #[error("this request does not exist")]
    NotPosted,
    /// A request with this id was already posted.
    #[error("this request was already posted")]
    AlreadyPosted,
    /// The description is empty.
    #[error("please describe what help is needed")]
    EmptyDescription,
    /// A request posted on a resident's behalf must say on which basis it is recorded.
    #[error("a request posted on a resident's behalf must say on which basis it is recorded (consent: explicit_consent or care_provision): care needs are special-category data")]
    ConsentBasisRequired,
    /// Channels like a home visit or phone call need someone posting on the resident's behalf.
    #[error(
        "a request taken by {0} must be posted on the resident's behalf by a connector or partner"
    )]
    ChannelNeedsOnBehalf(Channel),
    /// Only partner referrals name a referring organisation.
    #[error("only a request referred by a partner names the referring organisation")]
    ReferrerWithoutPartnerChannel,
    /// The needed-by moment lies before the request was made.
    #[error("the date help is needed by lies before the request was made")]
    NeededByInThePast,
    /// The request is closed.
    #[error("this request is closed; a connector can reopen it")]
    Closed,
    /// The request is resolved.
    #[error("this request is already resolved")]
    Resolved,
    /// The request was voided.
    #[error("this request was voided as posted in error; only corrections are possible")]
    Voided,
    /// A requester offered help on their own request.
    #[error("you cannot offer help on your own request")]
    OwnRequest,
    /// The helper already offered.
    #[error("this helper already offered to help with this request")]
    AlreadyOffered,
    /// The helper is already matched.
    #[error("this helper is already matched to this request")]
    AlreadyMatched,
    /// There is no standing offer from this helper.
    #[error("this helper has no open offer on this request")]
    NoOffer,
    /// The offer was matched, so it cannot be withdrawn.
    #[error("this offer was already accepted; cancel the match instead")]
    OfferAlreadyMatched,
    /// Every hand needed is already matched.
    #[error("this request already has all {0} helper(s) it needs")]
    AllHandsMatched(u32),
    /// A professional organisation has the request.
    #[error(
        "this request is with a professional organisation; record the referral's outcome first"
    )]
    WithProfessional,
    /// Only a connector can match someone who did not offer.
    #[error("only a connector can match a helper who did not offer")]
    DirectMatchNeedsConnector,
    /// The helper is not matched.
    #[error("this helper is not matched to this request")]
    NotMatched(PersonId),
    /// The request was already triaged this way.
    #[error("this request is already triaged as {0}")]
    AlreadyTriaged(TriageRoute),
    /// The organisation is not known in this tenant.
    #[error("this organisation is not known here")]
    UnknownOrganisation,
    /// The organisation is no longer active.
    #[error("this organisation no longer takes referrals")]
    OrganisationInactive,
    /// A referral is already running.
    #[error("this request is already referred to an organisation")]
    AlreadyReferred,
    /// There is no referral to record an outcome for.
    #[error("this request is not referred to an organisation")]
    NoReferral,
    /// A neighbour resolution credits nobody.
    #[error("say which matched helper(s) solved it")]
    NoHelperCredited,
    /// A credited helper was never matched.
    #[error("only matched helpers can be credited")]
    CreditedHelperNotMatched(PersonId),
    /// Helpers credited on a resolution that is not by a neighbour.
    #[error("helpers are credited only when a neighbour solved it")]
    HelpersOnlyForNeighbour,
    /// A professional resolution without a referral.
    #[error("only a request referred to an organisation can be solved by a professional")]
    ProfessionalNeedsReferral,
    /// Someone uninvolved tried to resolve.
    #[error("only the requester, a matched helper, a connector or the referred organisation can resolve this request")]
    NotInvolved,
    /// Feedback before resolution.
    #[error("feedback can be given once the request is resolved")]
    NotResolved,
    /// Feedback by someone who was not the requester or a matched helper.
    #[error("only the requester or a matched helper can give feedback")]
    FeedbackNotAllowed,
    /// Feedback given twice.
    #[error("you already gave feedback on this request")]
    FeedbackAlreadyGiven,
    /// Only closed or resolved requests can be reopened.
    #[error("only a closed or resolved request can be reopened")]
    NotReopenable,
    /// A correction that changes nothing.
    #[error("this correction changes nothing")]
    NothingToCorrect,
    /// The helper is suspended: they cannot offer help or be matched.
    #[error("this person is suspended as a helper; a connector must lift the suspension first")]
    HelperSuspended,
    /// The category requires a valid screening the helper does not hold.
    #[error("help with {0} needs a helper with a valid screening (a VOG or an extract of the criminal record); this helper has none")]
    HelperNotScreened(CategoryCode),
    /// The category requires a valid screening and the helper's has expired.
    #[error("help with this category needs a helper with a valid screening; this helper's expired on {0}")]
    ScreeningExpired(NaiveDate),
    /// The request's personal data passed the retention period: its story is over.
    #[error("this request's personal data passed the retention period; nothing more can be recorded on it")]
    DataExpired,
    /// Only an ended request's personal data expires.
    #[error("only a resolved, closed or voided request's personal data expires")]
    NotEnded,
    /// The retention period has not run out yet.
    #[error("the retention period of this request has not run out yet")]
    RetentionRunning,
    /// The helper was erased: nothing more is recorded about them (issue 12).
    #[error("this person was erased; nothing more can be recorded about them")]
    Erased,
    /// The standing offer taken up is not known in this tenant.
    #[error("this standing offer is not known here")]
    UnknownStandingOffer,
    /// The standing offer taken up was withdrawn.
    #[error("this standing offer was withdrawn by its helper")]
    StandingOfferWithdrawn,
    /// The standing offer taken up is paused.
    #[error(
        "this standing offer is paused by its helper for now; try again later or post a request"
    )]
    StandingOfferPaused,
    /// The standing offer taken up ended.
    #[error("this standing offer ended on {0}")]
    StandingOfferExpired(NaiveDate),
    /// Someone took up their own standing offer.
    #[error("you cannot take up your own standing offer")]
    OwnStandingOffer,
    /// The request lies in a neighbourhood the standing offer is not offered in.
    #[error("this standing offer is not offered in the request's neighbourhood")]
    StandingOfferElsewhere,
    /// The fact is dated before the request was posted (given as `occurred_at`).
    #[error("this is dated {0}, before the request was posted ({1}): nothing happens to a request before it exists")]
    BeforePosted(DateTime<Utc>, DateTime<Utc>),
}

impl DomainError for RequestError {
    fn code(&self) -> &'static str {
        match self {
            Self::Access(refusal) => refusal.code(),
            Self::OnBehalfMismatch => "on-behalf-mismatch",
            Self::NotPosted => "not-posted",
            Self::AlreadyPosted => "already-posted",
            Self::EmptyDescription => "empty-description",
            Self::ConsentBasisRequired => "consent-basis-required",
            Self::ChannelNeedsOnBehalf(_) => "channel-needs-on-behalf",
            Self::ReferrerWithoutPartnerChannel => "referrer-without-partner-channel",
            Self::NeededByInThePast => "needed-by-in-the-past",
            Self::Closed => "request-closed",
            Self::Resolved => "request-resolved",
            Self::Voided => "request-voided",
            Self::OwnRequest => "own-request",
            Self::AlreadyOffered => "already-offered",
            Self::AlreadyMatched => "already-matched",
            Self::NoOffer => "no-offer",
            Self::OfferAlreadyMatched => "offer-already-matched",
            Self::AllHandsMatched(_) => "all-hands-matched",
            Self::WithProfessional => "with-professional",
            Self::DirectMatchNeedsConnector => "direct-match-needs-connector",
            Self::NotMatched(_) => "not-matched",
            Self::AlreadyTriaged(_) => "already-triaged",
            Self::UnknownOrganisation => "unknown-organisation",
            Self::OrganisationInactive => "organisation-inactive",
            Self::AlreadyReferred => "already-referred",
            Self::NoReferral => "no-referral",
            Self::NoHelperCredited => "no-helper-credited",
            Self::CreditedHelperNotMatched(_) => "credited-helper-not-matched",
            Self::HelpersOnlyForNeighbour => "helpers-only-for-neighbour",
            Self::ProfessionalNeedsReferral => "professional-needs-referral",
            Self::NotInvolved => "not-involved",
            Self::NotResolved => "not-resolved",
            Self::FeedbackNotAllowed => "feedback-not-allowed",
            Self::FeedbackAlreadyGiven => "feedback-already-given",
            Self::NotReopenable => "not-reopenable",
            Self::NothingToCorrect => "nothing-to-correct",
            Self::HelperSuspended => "helper-suspended",
            Self::HelperNotScreened(_) => "helper-not-screened",
            Self::ScreeningExpired(_) => "screening-expired",
            Self::DataExpired => "data-expired",
            Self::NotEnded => "request-not-ended",
            Self::RetentionRunning => "retention-running",
            Self::BeforePosted(..) => "before-posted",
            Self::UnknownStandingOffer => "unknown-standing-offer",
            Self::StandingOfferWithdrawn => "standing-offer-withdrawn",
            Self::StandingOfferPaused => "standing-offer-paused",
            Self::StandingOfferExpired(_) => "standing-offer-expired",
            Self::OwnStandingOffer => "own-standing-offer",
            Self::StandingOfferElsewhere => "standing-offer-elsewhere",
            Self::Erased => "person-erased",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::Access(refusal) => refusal.kind(),
            Self::NotPosted => ErrorKind::NotFound,
            // Posting twice with one id creates nothing new: the request is already there.
            Self::AlreadyPosted => ErrorKind::Conflict,
            // Everything else is a rule the request's state or the command breaks, including
            // who may resolve or give feedback: that depends on the request's history, not on
            // the actor's role alone.
            _ => ErrorKind::Rule,
        }
    }
}

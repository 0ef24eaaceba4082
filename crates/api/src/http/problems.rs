//! Every problem type the API answers with (`urn:noaber:problem:<slug>`), its status and what
//! it means: the one table that [`ApiError`](super::ApiError)'s mapping takes its slugs from,
//! that the OpenAPI document lists (`x-problem-types`, and the `type` of the `Problem` schema),
//! and that `docs/problem-types.md` explains at length. Tests keep the three in step: every
//! slug a handler or the domain can send is here with the status it is sent with, and the
//! markdown lists the same slugs with the same statuses.

/// One kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemType {
    /// The slug after `urn:noaber:problem:`.
    pub slug: &'static str,
    /// The HTTP status it is sent with.
    pub status: u16,
    /// Where it comes from (the sections of `docs/problem-types.md`).
    pub group: &'static str,
    /// What it means, or an example of its detail for a rule's refusal.
    pub meaning: &'static str,
}

impl ProblemType {
    /// The problem's `type`, a URN.
    pub fn urn(&self) -> String {
        format!("{}{}", super::error::PROBLEM_PREFIX, self.slug)
    }

    /// The problem's `title`, by status: what a client shows when it knows no better.
    pub const fn title(&self) -> &'static str {
        title_of(self.status)
    }
}

/// The title of every problem sent with `status`.
pub const fn title_of(status: u16) -> &'static str {
    match status {
        400 => "Bad input",
        401 => "Not signed in",
        403 => "Not allowed",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        413 => "Body too large",
        415 => "Unsupported media type",
        422 => "Not possible",
        429 => "Too many attempts",
        503 => "Service unavailable",
        _ => "Internal error",
    }
}

/// The problem type with `slug`, if there is one.
pub fn find(slug: &str) -> Option<&'static ProblemType> {
    ALL.iter().find(|p| p.slug == slug)
}

/// A section of the table.
pub const REQUEST: &str = "Problems of the request itself";
/// A section of the table.
pub const SIGN_IN: &str = "Signing in and accounts";
/// A section of the table.
pub const WHO_MAY_ACT: &str = "Who may act (every aggregate)";
/// A section of the table.
pub const HELP_REQUESTS: &str = "Help requests";
/// A section of the table.
pub const PERSONS: &str = "Persons";
/// A section of the table.
pub const CALLS: &str = "Calls";
/// A section of the table.
pub const STANDING_OFFERS: &str = "Standing offers";
/// A section of the table.
pub const ORGANISATIONS: &str = "Organisations";
/// A section of the table.
pub const NEIGHBOURHOODS: &str = "Neighbourhoods";
/// A section of the table.
pub const INCIDENTS: &str = "Incidents and complaints";
/// A section of the table.
pub const TENANTS: &str = "Tenants";

/// `bad-input` (400).
pub const BAD_INPUT: ProblemType = ProblemType { slug: "bad-input", status: 400, group: REQUEST, meaning: "the body is not valid JSON or lacks fields; a path id, query parameter or header is malformed; an unknown taxonomy code, channel or date; a list, page, period or series over its limit, or an `occurred_at` out of range (docs/limits.md)" };
/// `unauthenticated` (401).
pub const UNAUTHENTICATED: ProblemType = ProblemType { slug: "unauthenticated", status: 401, group: REQUEST, meaning: "the request does not say who is asking (no session cookie, no bearer token), or its session or token no longer works: signed out, expired, revoked, or its role was taken away" };
/// `forbidden` (403).
pub const FORBIDDEN: ProblemType = ProblemType { slug: "forbidden", status: 403, group: REQUEST, meaning: "the caller's role may not use this address, or the thing asked for is outside its reach: another neighbourhood for a connector, another organisation for a partner, someone else's request or roles for a resident (docs/authorization.md)" };
/// `not-found` (404).
pub const NOT_FOUND: ProblemType = ProblemType { slug: "not-found", status: 404, group: REQUEST, meaning: "nothing lives at this address, or the aggregate named in the path does not exist in the caller's tenant (another tenant's is answered the same way)" };
/// `method-not-allowed` (405).
pub const METHOD_NOT_ALLOWED: ProblemType = ProblemType {
    slug: "method-not-allowed",
    status: 405,
    group: REQUEST,
    meaning: "the address exists, but not for this method",
};
/// `concurrent-change` (409).
pub const CONCURRENT_CHANGE: ProblemType = ProblemType { slug: "concurrent-change", status: 409, group: REQUEST, meaning: "others kept changing the same aggregate while the command was decided again and again; retry" };
/// `idempotency-key-reused` (409).
pub const IDEMPOTENCY_KEY_REUSED: ProblemType = ProblemType { slug: "idempotency-key-reused", status: 409, group: REQUEST, meaning: "this `idempotency-key` was already used for a different request (another aggregate, or another command on the same one)" };
/// `body-too-large` (413).
pub const BODY_TOO_LARGE: ProblemType = ProblemType {
    slug: "body-too-large",
    status: 413,
    group: REQUEST,
    meaning: "the body is larger than the 256 KiB Noaber reads (docs/limits.md)",
};
/// `unsupported-media-type` (415).
pub const UNSUPPORTED_MEDIA_TYPE: ProblemType = ProblemType {
    slug: "unsupported-media-type",
    status: 415,
    group: REQUEST,
    meaning: "the body is not sent as `application/json`",
};
/// `unavailable` (503).
pub const UNAVAILABLE: ProblemType = ProblemType { slug: "unavailable", status: 503, group: REQUEST, meaning: "the event log cannot be reached, or the read models did not catch up in time; retry shortly" };
/// `internal` (500).
pub const INTERNAL: ProblemType = ProblemType {
    slug: "internal",
    status: 500,
    group: REQUEST,
    meaning:
        "a fault inside Noaber; logged with its cause, never sent (quote the `x-request-id` header)",
};
/// `too-many-attempts` (429).
pub const TOO_MANY_ATTEMPTS: ProblemType = ProblemType { slug: "too-many-attempts", status: 429, group: SIGN_IN, meaning: "too many failed sign-ins for this account or from this address; `Retry-After` says when to try again" };

/// Every problem type, in the order of `docs/problem-types.md`.
#[rustfmt::skip]
pub const ALL: &[ProblemType] = &[
    BAD_INPUT,
    UNAUTHENTICATED,
    FORBIDDEN,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    CONCURRENT_CHANGE,
    IDEMPOTENCY_KEY_REUSED,
    BODY_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    ProblemType { slug: "unknown-reference", status: 422, group: REQUEST, meaning: "the command names another aggregate (a neighbourhood, helper, organisation, call) that does not exist in the caller's tenant" },
    ProblemType { slug: "person-erased", status: 422, group: REQUEST, meaning: "the person was erased; personal data about them can no longer be recorded (also a domain code, below)" },
    ProblemType { slug: "request-not-open", status: 422, group: REQUEST, meaning: "suggestions are asked for a request that no longer looks for helpers" },
    UNAVAILABLE,
    INTERNAL,
    ProblemType { slug: "sign-in-failed", status: 401, group: SIGN_IN, meaning: "the email address or password is not right; the same answer whether or not the account exists" },
    ProblemType { slug: "link-not-valid", status: 401, group: SIGN_IN, meaning: "a sign-in, invitation or reset link was used already, has expired, or was never issued" },
    TOO_MANY_ATTEMPTS,
    ProblemType { slug: "csrf-refused", status: 403, group: SIGN_IN, meaning: "a change made with a session cookie lacks the session's `x-csrf-token`" },
    ProblemType { slug: "role-not-held", status: 403, group: SIGN_IN, meaning: "a session or token was asked to act in a role the person does not hold" },
    ProblemType { slug: "weak-password", status: 422, group: SIGN_IN, meaning: "a new password is shorter than 10 or longer than 200 characters" },
    ProblemType { slug: "not-an-email-address", status: 422, group: SIGN_IN, meaning: "a login name is not an email address" },
    ProblemType { slug: "new-password-required", status: 422, group: SIGN_IN, meaning: "a password reset link is used without `new_password` (the link stays usable)" },
    ProblemType { slug: "not-a-session", status: 422, group: SIGN_IN, meaning: "only a browser session switches roles; a bearer token keeps its role" },
    ProblemType { slug: "no-account", status: 422, group: SIGN_IN, meaning: "a password is set for a person who has no account" },
    ProblemType { slug: "login-taken", status: 409, group: SIGN_IN, meaning: "the email address belongs to another account" },
    ProblemType { slug: "funder-cannot-act", status: 403, group: WHO_MAY_ACT, meaning: "a funder can only look at figures and cannot change anything" },
    ProblemType { slug: "auditor-cannot-act", status: 403, group: WHO_MAY_ACT, meaning: "an auditor receives exports and verifies them, and cannot change anything" },
    ProblemType { slug: "not-allowed", status: 403, group: WHO_MAY_ACT, meaning: "a resident may not triage a request" },
    ProblemType { slug: "admin-only", status: 403, group: WHO_MAY_ACT, meaning: "a connector may not manage the tenant; ask an admin" },
    ProblemType { slug: "only-for-yourself", status: 403, group: WHO_MAY_ACT, meaning: "you can only offer help for yourself" },
    ProblemType { slug: "not-posted", status: 404, group: HELP_REQUESTS, meaning: "this request does not exist" },
    ProblemType { slug: "already-posted", status: 409, group: HELP_REQUESTS, meaning: "this request was already posted" },
    ProblemType { slug: "on-behalf-mismatch", status: 422, group: HELP_REQUESTS, meaning: "you act for one resident but the request names another as the one who needs help" },
    ProblemType { slug: "empty-description", status: 422, group: HELP_REQUESTS, meaning: "please describe what help is needed" },
    ProblemType { slug: "consent-basis-required", status: 422, group: HELP_REQUESTS, meaning: "a request posted, or a person registered, on someone's behalf must say on which basis it is recorded (`consent`: `explicit_consent` or `care_provision`): care needs are special-category data" },
    ProblemType { slug: "channel-needs-on-behalf", status: 422, group: HELP_REQUESTS, meaning: "a request taken by phone must be posted on the resident's behalf by a connector or partner" },
    ProblemType { slug: "referrer-without-partner-channel", status: 422, group: HELP_REQUESTS, meaning: "only a request referred by a partner names the referring organisation" },
    ProblemType { slug: "needed-by-in-the-past", status: 422, group: HELP_REQUESTS, meaning: "the date help is needed by lies before the request was made" },
    ProblemType { slug: "request-closed", status: 422, group: HELP_REQUESTS, meaning: "this request is closed; a connector can reopen it" },
    ProblemType { slug: "request-resolved", status: 422, group: HELP_REQUESTS, meaning: "this request is already resolved" },
    ProblemType { slug: "request-voided", status: 422, group: HELP_REQUESTS, meaning: "this request was voided as posted in error; only corrections are possible" },
    ProblemType { slug: "own-request", status: 422, group: HELP_REQUESTS, meaning: "you cannot offer help on your own request" },
    ProblemType { slug: "already-offered", status: 422, group: HELP_REQUESTS, meaning: "this helper already offered to help with this request" },
    ProblemType { slug: "already-matched", status: 422, group: HELP_REQUESTS, meaning: "this helper is already matched to this request" },
    ProblemType { slug: "no-offer", status: 422, group: HELP_REQUESTS, meaning: "this helper has no open offer on this request" },
    ProblemType { slug: "offer-already-matched", status: 422, group: HELP_REQUESTS, meaning: "this offer was already accepted; cancel the match instead" },
    ProblemType { slug: "all-hands-matched", status: 422, group: HELP_REQUESTS, meaning: "this request already has all 1 helper(s) it needs" },
    ProblemType { slug: "with-professional", status: 422, group: HELP_REQUESTS, meaning: "this request is with a professional organisation; record the referral's outcome first" },
    ProblemType { slug: "direct-match-needs-connector", status: 422, group: HELP_REQUESTS, meaning: "only a connector can match a helper who did not offer" },
    ProblemType { slug: "not-matched", status: 422, group: HELP_REQUESTS, meaning: "this helper is not matched to this request" },
    ProblemType { slug: "already-triaged", status: 422, group: HELP_REQUESTS, meaning: "this request is already triaged as informal" },
    ProblemType { slug: "unknown-organisation", status: 422, group: HELP_REQUESTS, meaning: "this organisation is not known here" },
    ProblemType { slug: "organisation-inactive", status: 422, group: HELP_REQUESTS, meaning: "this organisation no longer takes referrals" },
    ProblemType { slug: "already-referred", status: 422, group: HELP_REQUESTS, meaning: "this request is already referred to an organisation" },
    ProblemType { slug: "no-referral", status: 422, group: HELP_REQUESTS, meaning: "this request is not referred to an organisation" },
    ProblemType { slug: "no-helper-credited", status: 422, group: HELP_REQUESTS, meaning: "say which matched helper(s) solved it" },
    ProblemType { slug: "credited-helper-not-matched", status: 422, group: HELP_REQUESTS, meaning: "only matched helpers can be credited" },
    ProblemType { slug: "helpers-only-for-neighbour", status: 422, group: HELP_REQUESTS, meaning: "helpers are credited only when a neighbour solved it" },
    ProblemType { slug: "professional-needs-referral", status: 422, group: HELP_REQUESTS, meaning: "only a request referred to an organisation can be solved by a professional" },
    ProblemType { slug: "not-involved", status: 422, group: HELP_REQUESTS, meaning: "only the requester, a matched helper, a connector or the referred organisation can resolve this request" },
    ProblemType { slug: "not-resolved", status: 422, group: HELP_REQUESTS, meaning: "feedback can be given once the request is resolved" },
    ProblemType { slug: "feedback-not-allowed", status: 422, group: HELP_REQUESTS, meaning: "only the requester or a matched helper can give feedback" },
    ProblemType { slug: "feedback-already-given", status: 422, group: HELP_REQUESTS, meaning: "you already gave feedback on this request" },
    ProblemType { slug: "not-reopenable", status: 422, group: HELP_REQUESTS, meaning: "only a closed or resolved request can be reopened" },
    ProblemType { slug: "nothing-to-correct", status: 422, group: HELP_REQUESTS, meaning: "this correction changes nothing" },
    ProblemType { slug: "helper-suspended", status: 422, group: HELP_REQUESTS, meaning: "this person is suspended as a helper; a connector must lift the suspension first" },
    ProblemType { slug: "helper-not-screened", status: 422, group: HELP_REQUESTS, meaning: "help with care_support needs a helper with a valid screening (a VOG or an extract of the criminal record); this helper has none" },
    ProblemType { slug: "screening-expired", status: 422, group: HELP_REQUESTS, meaning: "help with this category needs a helper with a valid screening; this helper's expired on 2025-01-31" },
    ProblemType { slug: "data-expired", status: 422, group: HELP_REQUESTS, meaning: "this request's personal data passed the retention period; nothing more can be recorded on it" },
    ProblemType { slug: "request-not-ended", status: 422, group: HELP_REQUESTS, meaning: "only a resolved, closed or voided request's personal data expires" },
    ProblemType { slug: "retention-running", status: 422, group: HELP_REQUESTS, meaning: "the retention period of this request has not run out yet" },
    ProblemType { slug: "before-posted", status: 422, group: HELP_REQUESTS, meaning: "this is dated 2025-03-13 09:00:00 UTC, before the request was posted (2025-03-14 10:00:00 UTC): nothing happens to a request before it exists" },
    ProblemType { slug: "unknown-standing-offer", status: 422, group: HELP_REQUESTS, meaning: "this standing offer is not known here" },
    ProblemType { slug: "standing-offer-paused", status: 422, group: HELP_REQUESTS, meaning: "this standing offer is paused by its helper for now; try again later or post a request" },
    ProblemType { slug: "standing-offer-expired", status: 422, group: HELP_REQUESTS, meaning: "this standing offer ended on its last day" },
    ProblemType { slug: "own-standing-offer", status: 422, group: HELP_REQUESTS, meaning: "you cannot take up your own standing offer" },
    ProblemType { slug: "standing-offer-elsewhere", status: 422, group: HELP_REQUESTS, meaning: "this standing offer is not offered in the request's neighbourhood" },
    ProblemType { slug: "standing-offer-not-published", status: 404, group: STANDING_OFFERS, meaning: "this standing offer does not exist" },
    ProblemType { slug: "standing-offer-already-published", status: 409, group: STANDING_OFFERS, meaning: "this standing offer was already published" },
    ProblemType { slug: "standing-offer-withdrawn", status: 422, group: STANDING_OFFERS, meaning: "this standing offer was withdrawn; publish a new one to offer help again" },
    ProblemType { slug: "standing-offer-already-paused", status: 422, group: STANDING_OFFERS, meaning: "this standing offer is already paused" },
    ProblemType { slug: "standing-offer-not-paused", status: 422, group: STANDING_OFFERS, meaning: "this standing offer is not paused" },
    ProblemType { slug: "until-in-the-past", status: 422, group: STANDING_OFFERS, meaning: "the last day it is offered lies in the past" },
    ProblemType { slug: "person-not-registered", status: 404, group: PERSONS, meaning: "this person is not registered" },
    ProblemType { slug: "person-already-registered", status: 409, group: PERSONS, meaning: "this person is already registered" },
    ProblemType { slug: "empty-name", status: 422, group: PERSONS, meaning: "please give a name" },
    ProblemType { slug: "profile-about-someone-else", status: 422, group: PERSONS, meaning: "personal data in a profile must be about that person" },
    ProblemType { slug: "nothing-to-update", status: 422, group: PERSONS, meaning: "this update changes nothing" },
    ProblemType { slug: "no-skills", status: 422, group: PERSONS, meaning: "please choose at least one skill" },
    ProblemType { slug: "already-helper", status: 422, group: PERSONS, meaning: "this person is already a helper" },
    ProblemType { slug: "not-helper", status: 422, group: PERSONS, meaning: "this person is not a helper" },
    ProblemType { slug: "role-already-granted", status: 409, group: PERSONS, meaning: "this person already holds the connector role with this scope" },
    ProblemType { slug: "role-not-grantable", status: 422, group: PERSONS, meaning: "the helper role is not granted or revoked: a resident is anyone registered, a helper someone who opted in" },
    ProblemType { slug: "scope-does-not-fit-role", status: 422, group: PERSONS, meaning: "a partner is granted for one organisation" },
    ProblemType { slug: "role-not-granted", status: 422, group: PERSONS, meaning: "this person does not hold the admin role with that scope; there is nothing to revoke" },
    ProblemType { slug: "already-suspended", status: 422, group: PERSONS, meaning: "this person is already suspended as a helper" },
    ProblemType { slug: "not-suspended", status: 422, group: PERSONS, meaning: "this person is not suspended as a helper" },
    ProblemType { slug: "screening-issued-in-future", status: 422, group: PERSONS, meaning: "a screening cannot be issued after the day it is recorded (2030-01-01)" },
    ProblemType { slug: "screening-ends-before-issued", status: 422, group: PERSONS, meaning: "a screening cannot be valid until a day before it was issued" },
    ProblemType { slug: "screening-already-recorded", status: 422, group: PERSONS, meaning: "this screening is already recorded" },
    ProblemType { slug: "no-screening", status: 422, group: PERSONS, meaning: "this person holds no screening" },
    ProblemType { slug: "call-not-published", status: 404, group: CALLS, meaning: "this call does not exist" },
    ProblemType { slug: "call-already-published", status: 409, group: CALLS, meaning: "this call was already published" },
    ProblemType { slug: "call-closed", status: 422, group: CALLS, meaning: "this call is closed" },
    ProblemType { slug: "empty-title", status: 422, group: CALLS, meaning: "please give the call a title" },
    ProblemType { slug: "no-neighbourhoods", status: 422, group: CALLS, meaning: "choose at least one neighbourhood, or all" },
    ProblemType { slug: "deadline-not-in-future", status: 422, group: CALLS, meaning: "the deadline must lie in the future" },
    ProblemType { slug: "deadline-passed", status: 422, group: CALLS, meaning: "the deadline for this call has passed" },
    ProblemType { slug: "already-answered", status: 422, group: CALLS, meaning: "you already answered this call" },
    ProblemType { slug: "missing-field", status: 422, group: CALLS, meaning: "this call asks for your contact" },
    ProblemType { slug: "answer-about-someone-else", status: 422, group: CALLS, meaning: "an answer can only hold the answering person's own details" },
    ProblemType { slug: "organisation-not-registered", status: 404, group: ORGANISATIONS, meaning: "this organisation is not registered" },
    ProblemType { slug: "organisation-already-registered", status: 409, group: ORGANISATIONS, meaning: "this organisation is already registered" },
    ProblemType { slug: "organisation-already-inactive", status: 422, group: ORGANISATIONS, meaning: "this organisation no longer takes referrals" },
    ProblemType { slug: "no-categories", status: 422, group: ORGANISATIONS, meaning: "please choose at least one category of help" },
    ProblemType { slug: "neighbourhood-not-registered", status: 404, group: NEIGHBOURHOODS, meaning: "this neighbourhood is not registered" },
    ProblemType { slug: "neighbourhood-already-registered", status: 409, group: NEIGHBOURHOODS, meaning: "this neighbourhood is already registered" },
    ProblemType { slug: "neighbourhood-unchanged", status: 422, group: NEIGHBOURHOODS, meaning: "this change changes nothing" },
    ProblemType { slug: "incident-not-reported", status: 404, group: INCIDENTS, meaning: "this incident does not exist" },
    ProblemType { slug: "incident-already-reported", status: 409, group: INCIDENTS, meaning: "this incident was already reported" },
    ProblemType { slug: "incident-about-nothing", status: 422, group: INCIDENTS, meaning: "say which request or person the report is about" },
    ProblemType { slug: "empty-report", status: 422, group: INCIDENTS, meaning: "please describe what happened" },
    ProblemType { slug: "incident-already-acknowledged", status: 422, group: INCIDENTS, meaning: "this incident was already acknowledged" },
    ProblemType { slug: "incident-closed", status: 422, group: INCIDENTS, meaning: "this incident is closed" },
    ProblemType { slug: "other-tenant", status: 403, group: TENANTS, meaning: "this command is about another tenant" },
    ProblemType { slug: "tenant-not-registered", status: 404, group: TENANTS, meaning: "this tenant is not registered" },
    ProblemType { slug: "tenant-already-registered", status: 409, group: TENANTS, meaning: "this tenant is already registered" },
    ProblemType { slug: "tenant-unchanged", status: 422, group: TENANTS, meaning: "this change changes nothing (also: the sensitive categories given are the ones in force)" },
];

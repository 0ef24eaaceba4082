//! Every refusal has a stable kebab-case code and the kind an API answers it with; two
//! refusals share a code only when they are the same refusal.
//!
//! Each error type has an exhaustive `variant` match and one example per variant: a new
//! variant does not compile until it is listed here, and is not covered until it has an
//! example, so no code escapes these checks.

use std::collections::BTreeMap;

use crate::common::*;
use noaber_domain::call::CallField;
use noaber_domain::is_kebab_case;
use noaber_domain::request::TriageRoute;
use noaber_domain::values::Channel;
use noaber_domain::{
    CallError, DomainError, ErrorKind, IncidentError, NeighbourhoodError, OrganisationError,
    PersonError, Refusal, RequestError, Role, ScopeKind, StandingOfferError, TenantError,
};

/// One example of each variant of an error type, with the variant's name.
struct Examples {
    errors: Vec<(&'static str, Box<dyn DomainError>)>,
}

impl Examples {
    fn new() -> Self {
        Examples { errors: Vec::new() }
    }

    fn add<E: DomainError + 'static>(
        &mut self,
        variants: usize,
        examples: Vec<E>,
        variant: fn(&E) -> (usize, &'static str),
    ) {
        let mut seen: Vec<usize> = examples.iter().map(|e| variant(e).0).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(
            seen,
            (0..variants).collect::<Vec<_>>(),
            "every variant of {} needs exactly one example",
            std::any::type_name::<E>()
        );
        for e in examples {
            let name = variant(&e).1;
            self.errors.push((name, Box::new(e)));
        }
    }
}

fn refusal(e: &Refusal) -> (usize, &'static str) {
    match e {
        Refusal::FunderCannotAct => (0, "Refusal::FunderCannotAct"),
        Refusal::NotAllowed { .. } => (1, "Refusal::NotAllowed"),
        Refusal::AdminOnly { .. } => (2, "Refusal::AdminOnly"),
        Refusal::OnlyForYourself { .. } => (3, "Refusal::OnlyForYourself"),
        Refusal::AuditorCannotAct => (4, "Refusal::AuditorCannotAct"),
    }
}

fn refusals() -> Vec<Refusal> {
    vec![
        Refusal::FunderCannotAct,
        Refusal::NotAllowed {
            role: Role::Resident,
            action: "triage a request",
        },
        Refusal::AdminOnly {
            role: Role::Connector,
            action: "manage the tenant",
        },
        Refusal::OnlyForYourself {
            action: "offer help",
        },
        Refusal::AuditorCannotAct,
    ]
}

fn request(e: &RequestError) -> (usize, &'static str) {
    use RequestError::*;
    match e {
        // The shared refusal keeps its own code: it is counted once, as `Refusal`.
        Access(r) => (0, refusal(r).1),
        OnBehalfMismatch => (1, "OnBehalfMismatch"),
        NotPosted => (2, "NotPosted"),
        AlreadyPosted => (3, "AlreadyPosted"),
        EmptyDescription => (4, "EmptyDescription"),
        ChannelNeedsOnBehalf(_) => (5, "ChannelNeedsOnBehalf"),
        ReferrerWithoutPartnerChannel => (6, "ReferrerWithoutPartnerChannel"),
        NeededByInThePast => (7, "NeededByInThePast"),
        Closed => (8, "Request::Closed"),
        Resolved => (9, "Resolved"),
        Voided => (10, "Voided"),
        OwnRequest => (11, "OwnRequest"),
        AlreadyOffered => (12, "AlreadyOffered"),
        AlreadyMatched => (13, "AlreadyMatched"),
        NoOffer => (14, "NoOffer"),
        OfferAlreadyMatched => (15, "OfferAlreadyMatched"),
        AllHandsMatched(_) => (16, "AllHandsMatched"),
        WithProfessional => (17, "WithProfessional"),
        DirectMatchNeedsConnector => (18, "DirectMatchNeedsConnector"),
        NotMatched(_) => (19, "NotMatched"),
        AlreadyTriaged(_) => (20, "AlreadyTriaged"),
        UnknownOrganisation => (21, "UnknownOrganisation"),
        OrganisationInactive => (22, "OrganisationInactive"),
        AlreadyReferred => (23, "AlreadyReferred"),
        NoReferral => (24, "NoReferral"),
        NoHelperCredited => (25, "NoHelperCredited"),
        CreditedHelperNotMatched(_) => (26, "CreditedHelperNotMatched"),
        HelpersOnlyForNeighbour => (27, "HelpersOnlyForNeighbour"),
        ProfessionalNeedsReferral => (28, "ProfessionalNeedsReferral"),
        NotInvolved => (29, "NotInvolved"),
        NotResolved => (30, "NotResolved"),
        FeedbackNotAllowed => (31, "FeedbackNotAllowed"),
        FeedbackAlreadyGiven => (32, "FeedbackAlreadyGiven"),
        NotReopenable => (33, "NotReopenable"),
        NothingToCorrect => (34, "NothingToCorrect"),
        // The same refusal as the person's: a suspended helper.
        HelperSuspended => (35, "HelperSuspended"),
        HelperNotScreened(_) => (36, "HelperNotScreened"),
        ScreeningExpired(_) => (37, "ScreeningExpired"),
        ConsentBasisRequired => (38, "ConsentBasisRequired"),
        DataExpired => (39, "DataExpired"),
        NotEnded => (40, "NotEnded"),
        RetentionRunning => (41, "RetentionRunning"),
        BeforePosted(..) => (42, "BeforePosted"),
        // The same refusal as the person's: an erased person.
        Erased => (43, "Erased"),
        UnknownStandingOffer => (44, "UnknownStandingOffer"),
        // The same refusals as the standing offer's own.
        StandingOfferWithdrawn => (45, "StandingOffer::Withdrawn"),
        StandingOfferPaused => (46, "StandingOfferPaused"),
        StandingOfferExpired(_) => (47, "StandingOfferExpired"),
        OwnStandingOffer => (48, "OwnStandingOffer"),
        StandingOfferElsewhere => (49, "StandingOfferElsewhere"),
    }
}

fn requests() -> Vec<RequestError> {
    use RequestError::*;
    vec![
        Access(Refusal::FunderCannotAct),
        OnBehalfMismatch,
        NotPosted,
        AlreadyPosted,
        EmptyDescription,
        ConsentBasisRequired,
        DataExpired,
        NotEnded,
        RetentionRunning,
        BeforePosted(now() - chrono::Duration::days(1), now()),
        Erased,
        ChannelNeedsOnBehalf(Channel::Phone),
        ReferrerWithoutPartnerChannel,
        NeededByInThePast,
        Closed,
        Resolved,
        Voided,
        OwnRequest,
        AlreadyOffered,
        AlreadyMatched,
        NoOffer,
        OfferAlreadyMatched,
        AllHandsMatched(1),
        WithProfessional,
        DirectMatchNeedsConnector,
        NotMatched(BEN),
        AlreadyTriaged(TriageRoute::Informal),
        UnknownOrganisation,
        OrganisationInactive,
        AlreadyReferred,
        NoReferral,
        NoHelperCredited,
        CreditedHelperNotMatched(CAS),
        HelpersOnlyForNeighbour,
        ProfessionalNeedsReferral,
        NotInvolved,
        NotResolved,
        FeedbackNotAllowed,
        FeedbackAlreadyGiven,
        NotReopenable,
        NothingToCorrect,
        HelperSuspended,
        HelperNotScreened(category("care_support")),
        ScreeningExpired(chrono::NaiveDate::from_ymd_opt(2025, 1, 31).expect("a day")),
        UnknownStandingOffer,
        StandingOfferWithdrawn,
        StandingOfferPaused,
        StandingOfferExpired(chrono::NaiveDate::from_ymd_opt(2025, 1, 31).expect("a day")),
        OwnStandingOffer,
        StandingOfferElsewhere,
    ]
}

fn person(e: &PersonError) -> (usize, &'static str) {
    use PersonError::*;
    match e {
        Access(r) => (0, refusal(r).1),
        AlreadyRegistered => (1, "Person::AlreadyRegistered"),
        NotRegistered => (2, "Person::NotRegistered"),
        Erased => (3, "Erased"),
        EmptyName => (4, "EmptyName"),
        // The same refusal as the request's: someone acting for a resident states the basis.
        ConsentBasisRequired => (21, "ConsentBasisRequired"),
        WrongSubject => (5, "Person::WrongSubject"),
        NothingToUpdate => (6, "NothingToUpdate"),
        NoSkills => (7, "NoSkills"),
        AlreadyHelper => (8, "AlreadyHelper"),
        NotHelper => (9, "NotHelper"),
        RoleNotGrantable(_) => (10, "RoleNotGrantable"),
        ScopeDoesNotFit { .. } => (11, "ScopeDoesNotFit"),
        RoleAlreadyGranted(_) => (12, "RoleAlreadyGranted"),
        RoleNotGranted(_) => (13, "RoleNotGranted"),
        HelperSuspended => (14, "HelperSuspended"),
        AlreadySuspended => (15, "AlreadySuspended"),
        NotSuspended => (16, "NotSuspended"),
        ScreeningIssuedInFuture(_) => (17, "ScreeningIssuedInFuture"),
        ScreeningEndsBeforeIssued => (18, "ScreeningEndsBeforeIssued"),
        ScreeningAlreadyRecorded => (19, "ScreeningAlreadyRecorded"),
        NoScreening => (20, "NoScreening"),
    }
}

fn persons() -> Vec<PersonError> {
    use PersonError::*;
    vec![
        Access(Refusal::FunderCannotAct),
        AlreadyRegistered,
        NotRegistered,
        Erased,
        ConsentBasisRequired,
        EmptyName,
        WrongSubject,
        NothingToUpdate,
        NoSkills,
        AlreadyHelper,
        NotHelper,
        RoleNotGrantable(Role::Helper),
        ScopeDoesNotFit {
            role: Role::Connector,
            needs: ScopeKind::Neighbourhoods,
        },
        RoleAlreadyGranted(Role::Admin),
        RoleNotGranted(Role::Partner),
        HelperSuspended,
        AlreadySuspended,
        NotSuspended,
        ScreeningIssuedInFuture(chrono::NaiveDate::from_ymd_opt(2030, 1, 1).expect("a day")),
        ScreeningEndsBeforeIssued,
        ScreeningAlreadyRecorded,
        NoScreening,
    ]
}

fn call(e: &CallError) -> (usize, &'static str) {
    use CallError::*;
    match e {
        Access(r) => (0, refusal(r).1),
        AlreadyPublished => (1, "AlreadyPublished"),
        NotPublished => (2, "NotPublished"),
        Closed => (3, "Call::Closed"),
        EmptyTitle => (4, "EmptyTitle"),
        NoNeighbourhoods => (5, "NoNeighbourhoods"),
        DeadlineNotInFuture => (6, "DeadlineNotInFuture"),
        DeadlinePassed => (7, "DeadlinePassed"),
        AlreadyAnswered => (8, "AlreadyAnswered"),
        MissingField(_) => (9, "MissingField"),
        WrongSubject => (10, "Call::WrongSubject"),
    }
}

fn calls() -> Vec<CallError> {
    use CallError::*;
    vec![
        Access(Refusal::FunderCannotAct),
        AlreadyPublished,
        NotPublished,
        Closed,
        EmptyTitle,
        NoNeighbourhoods,
        DeadlineNotInFuture,
        DeadlinePassed,
        AlreadyAnswered,
        MissingField(CallField::Contact),
        WrongSubject,
    ]
}

fn standing_offer(e: &StandingOfferError) -> (usize, &'static str) {
    use StandingOfferError::*;
    match e {
        Access(r) => (0, refusal(r).1),
        AlreadyPublished => (1, "StandingOffer::AlreadyPublished"),
        NotPublished => (2, "StandingOffer::NotPublished"),
        Withdrawn => (3, "StandingOffer::Withdrawn"),
        AlreadyPaused => (4, "AlreadyPaused"),
        NotPaused => (5, "NotPaused"),
        // The same refusals as a call's, a person's and a request's.
        EmptyTitle => (6, "EmptyTitle"),
        NoNeighbourhoods => (7, "NoNeighbourhoods"),
        UntilInThePast(_) => (8, "UntilInThePast"),
        NothingToUpdate => (9, "NothingToUpdate"),
        HelperSuspended => (10, "HelperSuspended"),
        HelperNotScreened(_) => (11, "HelperNotScreened"),
        ScreeningExpired(_) => (12, "ScreeningExpired"),
        Erased => (13, "Erased"),
    }
}

fn standing_offers() -> Vec<StandingOfferError> {
    use StandingOfferError::*;
    let day = chrono::NaiveDate::from_ymd_opt(2025, 1, 31).expect("a day");
    vec![
        Access(Refusal::FunderCannotAct),
        AlreadyPublished,
        NotPublished,
        Withdrawn,
        AlreadyPaused,
        NotPaused,
        EmptyTitle,
        NoNeighbourhoods,
        UntilInThePast(day),
        NothingToUpdate,
        HelperSuspended,
        HelperNotScreened(category("care_support")),
        ScreeningExpired(day),
        Erased,
    ]
}

fn organisation(e: &OrganisationError) -> (usize, &'static str) {
    use OrganisationError::*;
    match e {
        Access(r) => (0, refusal(r).1),
        AlreadyRegistered => (1, "Organisation::AlreadyRegistered"),
        NotRegistered => (2, "Organisation::NotRegistered"),
        Inactive => (3, "Inactive"),
        NoCategories => (4, "NoCategories"),
    }
}

fn organisations() -> Vec<OrganisationError> {
    use OrganisationError::*;
    vec![
        Access(Refusal::FunderCannotAct),
        AlreadyRegistered,
        NotRegistered,
        Inactive,
        NoCategories,
    ]
}

fn neighbourhood(e: &NeighbourhoodError) -> (usize, &'static str) {
    use NeighbourhoodError::*;
    match e {
        Access(r) => (0, refusal(r).1),
        AlreadyRegistered => (1, "Neighbourhood::AlreadyRegistered"),
        NotRegistered => (2, "Neighbourhood::NotRegistered"),
        NothingChanged => (3, "Neighbourhood::NothingChanged"),
    }
}

fn neighbourhoods() -> Vec<NeighbourhoodError> {
    use NeighbourhoodError::*;
    vec![
        Access(Refusal::FunderCannotAct),
        AlreadyRegistered,
        NotRegistered,
        NothingChanged,
    ]
}

fn tenant(e: &TenantError) -> (usize, &'static str) {
    use TenantError::*;
    match e {
        Access(r) => (0, refusal(r).1),
        OtherTenant => (1, "OtherTenant"),
        AlreadyRegistered => (2, "Tenant::AlreadyRegistered"),
        NotRegistered => (3, "Tenant::NotRegistered"),
        NothingChanged => (4, "Tenant::NothingChanged"),
    }
}

fn tenants() -> Vec<TenantError> {
    use TenantError::*;
    vec![
        Access(Refusal::FunderCannotAct),
        OtherTenant,
        AlreadyRegistered,
        NotRegistered,
        NothingChanged,
    ]
}

fn incident(e: &IncidentError) -> (usize, &'static str) {
    use IncidentError::*;
    match e {
        Access(r) => (0, refusal(r).1),
        AlreadyReported => (1, "AlreadyReported"),
        NotReported => (2, "NotReported"),
        AboutNothing => (3, "AboutNothing"),
        EmptyReport => (4, "EmptyReport"),
        AlreadyAcknowledged => (5, "AlreadyAcknowledged"),
        Closed => (6, "Incident::Closed"),
    }
}

fn incidents() -> Vec<IncidentError> {
    use IncidentError::*;
    vec![
        Access(Refusal::FunderCannotAct),
        AlreadyReported,
        NotReported,
        AboutNothing,
        EmptyReport,
        AlreadyAcknowledged,
        Closed,
    ]
}

/// One example of every variant of every domain error.
fn every_error() -> Vec<(&'static str, Box<dyn DomainError>)> {
    let mut all = Examples::new();
    all.add(5, refusals(), refusal);
    all.add(50, requests(), request);
    all.add(22, persons(), person);
    all.add(11, calls(), call);
    all.add(5, organisations(), organisation);
    all.add(4, neighbourhoods(), neighbourhood);
    all.add(5, tenants(), tenant);
    all.add(7, incidents(), incident);
    all.add(14, standing_offers(), standing_offer);
    all.errors
}

#[test]
fn every_error_code_is_kebab_case() {
    for (variant, error) in every_error() {
        let code = error.code();
        assert!(is_kebab_case(code), "{variant} has the code {code:?}");
    }
}

#[test]
fn no_two_different_refusals_share_a_code() {
    let mut owners: BTreeMap<&'static str, &'static str> = BTreeMap::new();
    for (variant, error) in every_error() {
        let code = error.code();
        if let Some(other) = owners.insert(code, variant) {
            assert_eq!(other, variant, "{other} and {variant} both use {code:?}");
        }
    }
}

#[test]
fn an_access_refusal_keeps_its_code_and_is_forbidden_in_every_aggregate() {
    for refusal in refusals() {
        let code = refusal.code();
        let wrapped: Vec<Box<dyn DomainError>> = vec![
            Box::new(RequestError::from(refusal.clone())),
            Box::new(PersonError::from(refusal.clone())),
            Box::new(CallError::from(refusal.clone())),
            Box::new(OrganisationError::from(refusal.clone())),
            Box::new(NeighbourhoodError::from(refusal.clone())),
            Box::new(TenantError::from(refusal.clone())),
            Box::new(IncidentError::from(refusal.clone())),
            Box::new(StandingOfferError::from(refusal.clone())),
        ];
        for error in wrapped {
            assert_eq!(error.code(), code);
            assert_eq!(error.kind(), ErrorKind::Forbidden, "{code}");
            assert_eq!(error.to_string(), refusal.to_string());
        }
    }
}

#[test]
fn an_aggregate_that_does_not_exist_is_not_found() {
    let missing: Vec<Box<dyn DomainError>> = vec![
        Box::new(RequestError::NotPosted),
        Box::new(PersonError::NotRegistered),
        Box::new(CallError::NotPublished),
        Box::new(OrganisationError::NotRegistered),
        Box::new(NeighbourhoodError::NotRegistered),
        Box::new(TenantError::NotRegistered),
        Box::new(IncidentError::NotReported),
        Box::new(StandingOfferError::NotPublished),
    ];
    for error in missing {
        assert_eq!(error.kind(), ErrorKind::NotFound, "{}", error.code());
    }
}

#[test]
fn creating_what_already_exists_is_a_conflict() {
    let existing: Vec<Box<dyn DomainError>> = vec![
        Box::new(RequestError::AlreadyPosted),
        Box::new(PersonError::AlreadyRegistered),
        Box::new(CallError::AlreadyPublished),
        Box::new(OrganisationError::AlreadyRegistered),
        Box::new(NeighbourhoodError::AlreadyRegistered),
        Box::new(TenantError::AlreadyRegistered),
        Box::new(IncidentError::AlreadyReported),
        Box::new(StandingOfferError::AlreadyPublished),
    ];
    for error in existing {
        assert_eq!(error.kind(), ErrorKind::Conflict, "{}", error.code());
    }
}

#[test]
fn acting_on_another_tenant_is_forbidden() {
    assert_eq!(TenantError::OtherTenant.kind(), ErrorKind::Forbidden);
}

#[test]
fn every_other_refusal_is_a_broken_rule() {
    let special = [
        "funder-cannot-act",
        "auditor-cannot-act",
        "not-allowed",
        "admin-only",
        "only-for-yourself",
    ];
    for (variant, error) in every_error() {
        let code = error.code();
        let expected = if special.contains(&code) || code == "other-tenant" {
            ErrorKind::Forbidden
        } else if code.ends_with("not-posted")
            || code.ends_with("not-registered")
            || code.ends_with("not-published")
            || code.ends_with("not-reported")
        {
            ErrorKind::NotFound
        } else if code.contains("already-registered")
            || code == "already-posted"
            || code == "call-already-published"
            || code == "role-already-granted"
            || code == "incident-already-reported"
            || code == "standing-offer-already-published"
        {
            ErrorKind::Conflict
        } else {
            ErrorKind::Rule
        };
        assert_eq!(error.kind(), expected, "{variant} ({code})");
    }
}

#[test]
fn every_error_code_is_documented_for_clients() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/problem-types.md"
    ))
    .expect("docs/problem-types.md is readable");
    let missing: Vec<&str> = every_error()
        .iter()
        .map(|(_, e)| e.code())
        .filter(|code| !doc.contains(&format!("| `{code}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "undocumented problem types: {missing:?}"
    );
}

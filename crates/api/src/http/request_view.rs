//! `GET /v1/requests/{id}`: one request as the caller may see it, each personal field opened
//! only for the readers its row in `docs/authorization.md` names, and every opening recorded.
//!
//! A field is opened either through the caller's scope (an administrator's tenant, a
//! connector's neighbourhoods, a partner's organisation: [`policy::reaches_by_scope`]) or, where
//! the table says `own`, through the caller's tie to the request: its requester, a helper
//! matched to it, a helper who offered. What `own` means differs per field and is written out
//! beside each one below.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use noaber_domain::policy::{reach, Action, Reach};
use noaber_domain::request::{
    FeedbackGiven, HelpRequest, ReferralOutcome, ReferralOutcomeRecorded, ReferredToProfessional,
    RequestEvent, RequestStatus, RequestTriaged, TriageRoute,
};
use noaber_domain::values::{ApproxLocation, CategoryCode, Channel, Rating, Urgency};
use noaber_domain::{
    Decider, NeighbourhoodId, OrganisationId, PersonId, Personal, RequestId, Role,
};
use noaber_store::StreamId;
use serde::{Deserialize, Serialize};

use super::personal::{open, person_card, record, sealed_events, Shown};
use super::{policy, Actor, ApiError, ApiPath, ApiQuery, AppState};
use crate::identity::Opened;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The request read route, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(request))
}

/// The requester of a request as a reader may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequesterView {
    /// Their id; absent when the request is anonymous and the reader may not know who asked.
    pub person_id: Option<PersonId>,
    /// Their name, when the reader may open it: in full for staff and the requester, the first
    /// name only for a matched helper.
    pub name: Option<Shown>,
    /// Their contact detail, when the reader may open it and there is one.
    pub contact: Option<Shown>,
}

/// A standing offer of help on the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfferView {
    /// The helper who offered.
    pub helper: PersonId,
    /// Their message, when the reader may open it and there is one.
    pub message: Option<Shown>,
}

/// A helper matched to the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatchView {
    /// The helper.
    pub helper: PersonId,
    /// Their first name, for the requester.
    pub first_name: Option<Shown>,
    /// Their contact detail, for the requester, when the helper chose to share it.
    pub contact: Option<Shown>,
    /// The message they offered with, when the reader may open it and there is one.
    pub message: Option<Shown>,
}

/// How the request was triaged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TriageView {
    /// Informal (neighbours) or professional.
    pub route: TriageRoute,
    /// The connector's note, for staff reaching the request.
    pub note: Option<Shown>,
}

/// The request's current referral to a professional organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReferralView {
    /// The organisation referred to.
    pub organisation_id: OrganisationId,
    /// What became of it, once recorded.
    pub outcome: Option<ReferralOutcome>,
    /// Why it was referred, for those who record its outcome.
    pub reason: Option<Shown>,
    /// The note with the latest outcome, for those who record its outcome.
    pub outcome_note: Option<Shown>,
}

/// Feedback given after the request was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackView {
    /// Who gave it: the requester or a matched helper.
    pub given_by: PersonId,
    /// From 1 to 5.
    pub rating: Rating,
    /// Their comment, when there is one.
    pub comment: Option<Shown>,
}

/// One request as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequestView {
    /// The request.
    pub request_id: RequestId,
    /// Where it stands: `open`, `resolved`, `closed` or `voided`.
    #[schema(example = "open")]
    pub status: String,
    /// Its category.
    pub category: Option<CategoryCode>,
    /// Its neighbourhood.
    pub neighbourhood_id: Option<NeighbourhoodId>,
    /// How urgent.
    pub urgency: Option<Urgency>,
    /// How it came in.
    pub channel: Option<Channel>,
    /// Whether neighbours see it without the requester's name.
    pub anonymous: bool,
    /// What the resident asked, when the reader may open it.
    pub description: Option<Shown>,
    /// The area where help is needed (the centre of a cell of a few hundred metres), if given.
    pub area: Option<ApproxLocation>,
    /// Where help is needed, to about 100 m (`lat,lon`), for those who may reach the requester.
    pub location: Option<Shown>,
    /// Who asked, as far as the reader may know.
    pub requester: RequesterView,
    /// How it was triaged, if it was.
    pub triage: Option<TriageView>,
    /// Standing offers not matched yet.
    pub offers: Vec<OfferView>,
    /// Helpers matched.
    pub matched: Vec<MatchView>,
    /// The current referral, if any.
    pub referral: Option<ReferralView>,
    /// The feedback of this round that the reader may read.
    pub feedback: Vec<FeedbackView>,
}

fn status_name(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::NotPosted => "not_posted",
        RequestStatus::Open => "open",
        RequestStatus::Resolved => "resolved",
        RequestStatus::Closed => "closed",
        RequestStatus::Voided => "voided",
    }
}

/// Query of `GET /v1/requests/{id}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// Open personal data (true when absent); `false` for the request without any of it.
    pub open: Option<bool>,
}

/// How the caller stands to the request, beside the reach of their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tie {
    /// They asked for help.
    Requester,
    /// They are matched to help.
    Matched,
    /// They offered and are not matched.
    Offered,
    /// None of these.
    None,
}

/// The sealed parts of the request's current round (a reopening starts a new one), still
/// sealed: each is opened only where the reader may see it.
#[derive(Debug, Default)]
struct Round<'a> {
    triage: Option<&'a RequestTriaged>,
    messages: BTreeMap<PersonId, &'a Personal>,
    referral: Option<(
        &'a ReferredToProfessional,
        Option<&'a ReferralOutcomeRecorded>,
    )>,
    feedback: Vec<&'a FeedbackGiven>,
}

impl<'a> Round<'a> {
    fn of(events: &'a [RequestEvent]) -> Self {
        let mut round = Round::default();
        for event in events {
            match event {
                RequestEvent::RequestTriaged(e) => round.triage = Some(e),
                RequestEvent::HelpOffered(e) => match &e.message {
                    Some(m) => {
                        round.messages.insert(e.helper, m);
                    }
                    None => {
                        round.messages.remove(&e.helper);
                    }
                },
                RequestEvent::ReferredToProfessional(e) => round.referral = Some((e, None)),
                RequestEvent::ReferralOutcomeRecorded(e) => {
                    if let Some((_, outcome)) = &mut round.referral {
                        *outcome = Some(e);
                    }
                }
                RequestEvent::FeedbackGiven(e) => round.feedback.push(e),
                RequestEvent::RequestReopened(_) => {
                    let triage = round.triage;
                    round = Round {
                        triage,
                        ..Round::default()
                    };
                }
                _ => {}
            }
        }
        round
    }
}

/// What the caller may open of this request: per action, whether their scope covers it, and
/// whether their role opens it for what is their own.
struct Reader<'s> {
    state: &'s AppState,
    actor: &'s Actor,
    id: RequestId,
    tie: Tie,
    opened: Opened,
    open_any: bool,
}

impl Reader<'_> {
    /// Whether the caller's scope (tenant, neighbourhoods, organisation) covers `action` here.
    async fn by_scope(&self, action: Action) -> Result<bool, ApiError> {
        Ok(self.open_any
            && policy::reaches_by_scope(self.state, self.actor, self.id, action).await?)
    }

    /// Whether the caller's role opens `action` for what is their own, when `tie` holds.
    fn as_own(&self, action: Action, tie: bool) -> bool {
        self.open_any && tie && reach(self.actor.role, action) == Reach::Own
    }

    /// Opens `value` as `field` of its subject when `allowed`, and notes the opening.
    async fn open_if(
        &mut self,
        allowed: bool,
        value: Option<&Personal>,
        field: &'static str,
    ) -> Result<Option<Shown>, ApiError> {
        let Some(value) = value.filter(|_| allowed) else {
            return Ok(None);
        };
        let shown = open(self.state, value).await?;
        if shown.is_some() {
            self.opened.add(value.subject, field);
        }
        Ok(shown)
    }
}

#[utoipa::path(
    get,
    path = "/requests/{id}",
    tag = "requests",
    operation_id = "get_request",
    summary = "One request as the caller may see it",
    description = "Status, offers, matches, referral, resolution and feedback; each personal value opened only for those the policy allows (and recorded in the access log), otherwise absent.",
    params(("id" = RequestId, Path, description = "The request."), RequestQuery),
    responses((status = 200, description = "The request.", body = RequestView))
)]
async fn request(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(id): ApiPath<RequestId>,
    ApiQuery(query): ApiQuery<RequestQuery>,
) -> Result<Json<RequestView>, ApiError> {
    policy::request_in_reach(&state, &actor, id, Action::ReadRequest).await?;
    let events: Vec<RequestEvent> =
        sealed_events(&state, &StreamId::of::<HelpRequest>(id.as_uuid())).await?;
    let folded = HelpRequest::fold(events.iter());
    let posted = events.iter().find_map(|e| match e {
        RequestEvent::RequestPosted(p) => Some(p),
        _ => None,
    });
    let Some(posted) = posted else {
        return Err(ApiError::NotFound(format!("there is no request {id} here")));
    };
    let round = Round::of(&events);
    let me = actor.actor;
    let requester_id = posted.requester;
    let tie = if requester_id == me {
        Tie::Requester
    } else if folded.matched.contains(&me) {
        Tie::Matched
    } else if folded.offers.contains(&me) {
        Tie::Offered
    } else {
        Tie::None
    };
    let mut r = Reader {
        state: &state,
        actor: &actor,
        id,
        tie,
        opened: Opened::new(actor.tenant, me, actor.role, "GET /v1/requests/{id}"),
        open_any: query.open != Some(false),
    };
    let own = r.open_any && tie == Tie::Requester;

    // The description: the requester; staff and ambassadors in scope; a helper matched or
    // offering (their role's `own`).
    let allowed = own
        || r.by_scope(Action::OpenDescription).await?
        || r.as_own(Action::OpenDescription, tie != Tie::None);
    let description = r
        .open_if(allowed, Some(&posted.description), "description")
        .await?;

    // The place itself: whoever may reach the requester by right (the requester, staff in
    // scope); everyone who reads the request sees the area.
    let allowed = own || r.by_scope(Action::OpenRequesterContact).await?;
    let location = r
        .open_if(allowed, posted.precise_location.as_ref(), "location")
        .await?;

    let requester = requester(&mut r, posted.anonymous, requester_id).await?;

    // A triage note: staff who manage the request.
    let triage = match round.triage {
        Some(t) => {
            let allowed = r.by_scope(Action::ManageRequest).await?;
            Some(TriageView {
                route: t.route,
                note: r.open_if(allowed, t.note.as_ref(), "triage_note").await?,
            })
        }
        None => None,
    };

    // An offer message: its writer; the requester; staff in scope.
    let staff_messages = r.by_scope(Action::OpenOfferMessage).await?;
    let requester_reads_messages = r.as_own(Action::OpenOfferMessage, tie == Tie::Requester);
    let mut offers = Vec::new();
    for helper in &folded.offers {
        let allowed = staff_messages || requester_reads_messages || (r.open_any && *helper == me);
        let message = round.messages.get(helper).copied();
        offers.push(OfferView {
            helper: *helper,
            message: r.open_if(allowed, message, "offer_message").await?,
        });
    }

    // A matched helper's first name, and their contact if they share it: the requester only.
    let requester_reads_helpers = r.as_own(Action::OpenMatchedHelper, tie == Tie::Requester);
    let mut matched = Vec::new();
    for helper in &folded.matched {
        let allowed = staff_messages || requester_reads_messages || (r.open_any && *helper == me);
        let message = round.messages.get(helper).copied();
        let message = r.open_if(allowed, message, "offer_message").await?;
        let mut view = MatchView {
            helper: *helper,
            first_name: None,
            contact: None,
            message,
        };
        if requester_reads_helpers {
            let card = person_card(&state, actor.tenant, *helper).await?;
            if let Some(name) = card.name_shown {
                r.opened.add(*helper, "first_name");
                view.first_name = Some(name.first_word());
            }
            if card.shares_contact_with_matched {
                if let Some(contact) = card.contact {
                    r.opened.add(*helper, "contact");
                    view.contact = Some(contact);
                }
            }
        }
        matched.push(view);
    }

    // The referral's notes: those who record its outcome (staff, the partner in scope).
    let referral = match round.referral {
        Some((referred, outcome)) => {
            let allowed = r.by_scope(Action::RecordReferralOutcome).await?;
            let reason = r
                .open_if(allowed, referred.reason.as_ref(), "referral_note")
                .await?;
            let outcome_note = outcome.and_then(|o| o.note.as_ref());
            let outcome_note = r.open_if(allowed, outcome_note, "referral_note").await?;
            Some(ReferralView {
                organisation_id: referred.organisation_id,
                outcome: outcome.map(|o| o.outcome),
                reason,
                outcome_note,
            })
        }
        None => None,
    };

    // Feedback: its giver; the requester; the helpers it is about (the requester's feedback is
    // about the helpers matched and credited); staff in scope. Nobody else sees it at all.
    let staff_feedback = r.by_scope(Action::OpenFeedback).await?;
    let mut feedback = Vec::new();
    for given in round.feedback {
        let about_me = given.given_by == requester_id
            && (folded.matched.contains(&me) || folded.helpers_credited.contains(&me));
        let allowed = staff_feedback
            || (r.open_any && given.given_by == me)
            || r.as_own(Action::OpenFeedback, tie == Tie::Requester || about_me);
        if !allowed {
            continue;
        }
        feedback.push(FeedbackView {
            given_by: given.given_by,
            rating: given.rating,
            comment: r
                .open_if(true, given.comment.as_ref(), "feedback_comment")
                .await?,
        });
    }

    record(&state, r.opened, &headers).await;
    Ok(Json(RequestView {
        request_id: id,
        status: status_name(folded.status).to_owned(),
        category: folded.category.clone(),
        neighbourhood_id: folded.neighbourhood_id,
        urgency: folded.urgency,
        channel: folded.channel,
        anonymous: folded.anonymous,
        description,
        area: posted.location,
        location,
        requester,
        triage,
        offers,
        matched,
        referral,
        feedback,
    }))
}

/// The requester as the reader may see them. Neighbours never learn who asked an anonymous
/// request (a matched helper neither: the connector goes between); staff and the requester do.
/// Their name: in full for the requester and staff in scope, the first name for a matched
/// helper. Their contact: for the requester and staff in scope, and for a matched helper only
/// when the requester chose to share it.
async fn requester(
    r: &mut Reader<'_>,
    anonymous: bool,
    requester: PersonId,
) -> Result<RequesterView, ApiError> {
    let own = r.tie == Tie::Requester;
    let staff_like = matches!(r.actor.role, Role::Connector | Role::Admin | Role::Partner);
    let knows_who = own || staff_like || !anonymous;
    let mut view = RequesterView {
        person_id: knows_who.then_some(requester),
        name: None,
        contact: None,
    };
    if !r.open_any || !knows_who {
        return Ok(view);
    }
    let matched = r.tie == Tie::Matched;
    let full_name = own || r.by_scope(Action::OpenRequesterName).await?;
    let first_name = !full_name && r.as_own(Action::OpenRequesterName, matched);
    let contact_by_right = own || r.by_scope(Action::OpenRequesterContact).await?;
    let contact_by_choice = r.as_own(Action::OpenRequesterContact, matched);
    if !(full_name || first_name || contact_by_right || contact_by_choice) {
        return Ok(view);
    }
    let card = person_card(r.state, r.actor.tenant, requester).await?;
    if let Some(name) = card.name_shown.filter(|_| full_name || first_name) {
        if full_name {
            r.opened.add(requester, "name");
            view.name = Some(name);
        } else {
            r.opened.add(requester, "first_name");
            view.name = Some(name.first_word());
        }
    }
    let contact_allowed =
        contact_by_right || (contact_by_choice && card.shares_contact_with_matched);
    if let Some(contact) = card.contact.filter(|_| contact_allowed) {
        r.opened.add(requester, "contact");
        view.contact = Some(contact);
    }
    Ok(view)
}

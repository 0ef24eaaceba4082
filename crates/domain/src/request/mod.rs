//! The help request aggregate (stream `request-<id>`): posting, triage, offers, matches,
//! referrals, resolution, closing, reopening, feedback, corrections and voids.

mod command;
mod decide;
mod error;
mod event;
mod state;

pub use command::*;
pub use error::RequestError;
pub use event::*;
pub use state::{Referral, RequestState, RequestStatus};

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::{Decider, Fact, Reference, Requirement};
use crate::neighbourhood::Neighbourhood;
use crate::offer::StandingOffer;
use crate::organisation::Organisation;
use crate::person::Person;

/// What posting a request names: its neighbourhood and the organisation that referred it in.
fn posting(c: &PostRequest) -> Vec<Reference> {
    let mut refs = vec![Reference::to::<Neighbourhood>(c.neighbourhood_id)];
    refs.extend(c.referred_by.map(Reference::to::<Organisation>));
    refs
}

/// The stream category of help requests.
pub const CATEGORY: &str = "request";

/// The help request decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct HelpRequest;

impl Decider for HelpRequest {
    type State = RequestState;
    type Command = RequestCommand;
    type Event = RequestEvent;
    type Error = RequestError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &RequestCommand) -> Uuid {
        command.request_id().as_uuid()
    }

    /// A request names its neighbourhood (on posting and when a correction moves it), the
    /// organisation that referred it in or that it is referred to, the helper offered or
    /// matched, and the standing offer it takes up with its helper: each must already be there.
    /// A helper has opted in, which takes a registration.
    ///
    /// The requester is not a reference: a request may name any resident (or the poster
    /// themselves), and nothing asks a resident to register before asking for help.
    /// Withdrawn offers, cancelled matches and credited helpers name people the request
    /// already holds, so its state checks them.
    fn references(command: &RequestCommand) -> Vec<Reference> {
        match command {
            RequestCommand::Post(c) => posting(c),
            RequestCommand::TakeUp(c) => {
                let mut refs = posting(&c.post);
                refs.push(Reference::to::<StandingOffer>(c.standing_offer_id));
                refs.extend(c.offer.as_ref().map(|o| Reference::to::<Person>(o.helper)));
                refs
            }
            RequestCommand::Offer(OfferHelp { helper, .. })
            | RequestCommand::Match(MatchHelper { helper, .. }) => {
                vec![Reference::to::<Person>(*helper)]
            }
            RequestCommand::Refer(c) => vec![Reference::to::<Organisation>(c.organisation_id)],
            RequestCommand::Correct(c) => c
                .neighbourhood_id
                .map(Reference::to::<Neighbourhood>)
                .into_iter()
                .collect(),
            RequestCommand::Triage(_)
            | RequestCommand::WithdrawOffer(_)
            | RequestCommand::CancelMatch(_)
            | RequestCommand::RecordReferralOutcome(_)
            | RequestCommand::Resolve(_)
            | RequestCommand::Close(_)
            | RequestCommand::Reopen(_)
            | RequestCommand::GiveFeedback(_)
            | RequestCommand::Void(_)
            | RequestCommand::ExpirePersonalData(_) => Vec::new(),
        }
    }

    /// An offer and a match depend on how the helper stands for help in the request's
    /// (current) category: suspended or not, screened or not, and whether the tenant requires
    /// a screening for it; so does a take-up, for the offer's helper in the category posted.
    /// [`HelpRequest::check`] applies the rule to what the executor found.
    fn requirements(state: &RequestState, command: &RequestCommand) -> Vec<Requirement> {
        let helper = match command {
            RequestCommand::Offer(OfferHelp { helper, .. })
            | RequestCommand::Match(MatchHelper { helper, .. }) => *helper,
            RequestCommand::TakeUp(c) => {
                return c
                    .offer
                    .as_ref()
                    .map(|o| Requirement::HelperStanding {
                        helper: o.helper,
                        category: c.post.category.clone(),
                    })
                    .into_iter()
                    .collect()
            }
            _ => return Vec::new(),
        };
        state
            .category
            .clone()
            .map(|category| Requirement::HelperStanding { helper, category })
            .into_iter()
            .collect()
    }

    /// A helper may offer or be matched only when not suspended and, in a category the tenant
    /// marks sensitive, holding a screening valid on the day it happens.
    fn check(ctx: &CommandContext, facts: &[Fact]) -> Result<(), RequestError> {
        let day = ctx.occurred_at().date_naive();
        facts.iter().try_for_each(|fact| match fact {
            Fact::HelperStanding {
                standing,
                category,
                sensitive,
                ..
            } => decide::may_help(standing, category, *sensitive, day),
        })
    }

    fn decide(
        state: &RequestState,
        ctx: &CommandContext,
        command: &RequestCommand,
    ) -> Result<Vec<RequestEvent>, RequestError> {
        decide::decide(state, ctx, command)
    }

    fn evolve(state: RequestState, event: &RequestEvent) -> RequestState {
        decide::evolve(state, event)
    }

    /// Keeps the posting time, so that nothing is recorded as happening before it.
    fn evolve_at(
        state: RequestState,
        event: &RequestEvent,
        occurred_at: chrono::DateTime<chrono::Utc>,
    ) -> RequestState {
        let mut state = decide::evolve(state, event);
        if matches!(event, RequestEvent::RequestPosted(_)) {
            state.posted_at = Some(occurred_at);
        }
        state
    }
}

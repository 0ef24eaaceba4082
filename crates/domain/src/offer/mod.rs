//! The standing offer aggregate (stream `standing_offer-<id>`), *aanbod*: a neighbour publishes
//! a specific offer of help in their own words, changes, pauses or withdraws it, kept apart from
//! requests. A resident takes it up by posting a request matched to its helper at once (the
//! request's `TakeUpStandingOffer`, ADR 0042).

mod command;
mod decide;
mod error;
mod event;
mod state;

pub use command::*;
pub use error::StandingOfferError;
pub use event::*;
pub use state::{StandingOfferFacts, StandingOfferState, StandingOfferStatus};

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::{Decider, Fact, Reference, Requirement};
use crate::neighbourhood::Neighbourhood;
use crate::person::Person;

/// The stream category of standing offers.
pub const CATEGORY: &str = "standing_offer";

/// The standing offer decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct StandingOffer;

impl Decider for StandingOffer {
    type State = StandingOfferState;
    type Command = StandingOfferCommand;
    type Event = StandingOfferEvent;
    type Error = StandingOfferError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &StandingOfferCommand) -> Uuid {
        command.standing_offer_id().as_uuid()
    }

    /// Publishing names the helper (a registered person) and the neighbourhoods it is offered
    /// in; a change names the new neighbourhoods.
    fn references(command: &StandingOfferCommand) -> Vec<Reference> {
        match command {
            StandingOfferCommand::Publish(c) => std::iter::once(Reference::to::<Person>(c.helper))
                .chain(
                    c.neighbourhoods
                        .iter()
                        .copied()
                        .map(Reference::to::<Neighbourhood>),
                )
                .collect(),
            StandingOfferCommand::Update(c) => c
                .neighbourhoods
                .iter()
                .flatten()
                .copied()
                .map(Reference::to::<Neighbourhood>)
                .collect(),
            StandingOfferCommand::Pause(_)
            | StandingOfferCommand::Resume(_)
            | StandingOfferCommand::Withdraw(_) => Vec::new(),
        }
    }

    /// Offering help in a category, by publishing, moving the offer to another category or
    /// resuming it, depends on how the helper stands: a suspended helper offers nothing, and in
    /// a category the tenant marks sensitive only a screened one does (ADR 0028).
    fn requirements(
        state: &StandingOfferState,
        command: &StandingOfferCommand,
    ) -> Vec<Requirement> {
        let (helper, category) = match command {
            StandingOfferCommand::Publish(c) => (Some(c.helper), Some(c.category.clone())),
            StandingOfferCommand::Update(c) => (
                state.helper,
                c.category
                    .clone()
                    .filter(|cat| state.category.as_ref() != Some(cat)),
            ),
            StandingOfferCommand::Resume(_) => (state.helper, state.category.clone()),
            StandingOfferCommand::Pause(_) | StandingOfferCommand::Withdraw(_) => (None, None),
        };
        helper
            .zip(category)
            .map(|(helper, category)| Requirement::HelperStanding { helper, category })
            .into_iter()
            .collect()
    }

    /// The same rule as for an offer on a request, on the day it happens.
    fn check(ctx: &CommandContext, facts: &[Fact]) -> Result<(), StandingOfferError> {
        let day = ctx.occurred_at().date_naive();
        facts.iter().try_for_each(|fact| match fact {
            Fact::HelperStanding {
                standing,
                category,
                sensitive,
                ..
            } => standing
                .fit_to_help(*sensitive, day)
                .map_err(|unfit| decide::unfit(unfit, category)),
        })
    }

    fn decide(
        state: &StandingOfferState,
        ctx: &CommandContext,
        command: &StandingOfferCommand,
    ) -> Result<Vec<StandingOfferEvent>, StandingOfferError> {
        decide::decide(state, ctx, command)
    }

    fn evolve(state: StandingOfferState, event: &StandingOfferEvent) -> StandingOfferState {
        decide::evolve(state, event)
    }
}

//! Tests of the demo generator's plan, without a store: every planned command is accepted by
//! the domain's pure deciders, the same seed gives the same history, and the history walks
//! every path of the request life cycle and of a standing offer's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use noaber_demo::{self as demo, DemoCommand, Scale, Step, TenantSize};
use noaber_domain::call::Call;
use noaber_domain::neighbourhood::Neighbourhood;
use noaber_domain::offer::StandingOffer;
use noaber_domain::organisation::Organisation;
use noaber_domain::person::Person;
use noaber_domain::request::HelpRequest;
use noaber_domain::tenant::Tenant;
use noaber_domain::{AnyEvent, CommandContext, Decider};
use uuid::Uuid;

/// Folded states of every aggregate, keyed by id: a tiny in-memory executor.
#[derive(Default)]
struct Memory {
    tenants: HashMap<Uuid, <Tenant as Decider>::State>,
    neighbourhoods: HashMap<Uuid, <Neighbourhood as Decider>::State>,
    organisations: HashMap<Uuid, <Organisation as Decider>::State>,
    persons: HashMap<Uuid, <Person as Decider>::State>,
    requests: HashMap<Uuid, <HelpRequest as Decider>::State>,
    calls: HashMap<Uuid, <Call as Decider>::State>,
    standing_offers: HashMap<Uuid, <StandingOffer as Decider>::State>,
}

fn decide_in<D: Decider>(
    states: &mut HashMap<Uuid, D::State>,
    ctx: &CommandContext,
    command: &D::Command,
) -> Result<Vec<AnyEvent>, String>
where
    D::Event: Into<AnyEvent>,
{
    let id = D::aggregate_id(command);
    let state = states.entry(id).or_default();
    let events = D::decide(state, ctx, command).map_err(|e| e.to_string())?;
    let mut next = state.clone();
    for e in &events {
        next = D::evolve(next, e);
    }
    *state = next;
    Ok(events.into_iter().map(Into::into).collect())
}

impl Memory {
    fn execute(&mut self, step: &Step) -> Result<Vec<AnyEvent>, String> {
        let ctx = &step.ctx;
        match &step.command {
            DemoCommand::Tenant(c) => decide_in::<Tenant>(&mut self.tenants, ctx, c),
            DemoCommand::Neighbourhood(c) => {
                decide_in::<Neighbourhood>(&mut self.neighbourhoods, ctx, c)
            }
            DemoCommand::Organisation(c) => {
                decide_in::<Organisation>(&mut self.organisations, ctx, c)
            }
            DemoCommand::Person(c) => decide_in::<Person>(&mut self.persons, ctx, c),
            DemoCommand::Request(c) => decide_in::<HelpRequest>(&mut self.requests, ctx, c),
            DemoCommand::Call(c) => decide_in::<Call>(&mut self.calls, ctx, c),
            DemoCommand::StandingOffer(c) => {
                decide_in::<StandingOffer>(&mut self.standing_offers, ctx, c)
            }
        }
    }
}

fn small(seed: u64) -> Vec<Step> {
    demo::tenant_history(seed, 0, TenantSize::SMALL).expect("the small history plans")
}

fn event_type(e: &AnyEvent) -> &'static str {
    e.encode().0
}

#[test]
fn every_planned_command_is_accepted_by_the_domain() {
    for seed in [1, 2, 42] {
        let mut memory = Memory::default();
        let mut refused = Vec::new();
        for step in small(seed) {
            if let Err(reason) = memory.execute(&step) {
                refused.push(format!("{}: {reason}", demo::command_name(&step.command)));
            }
        }
        assert!(
            refused.is_empty(),
            "seed {seed}: {} refused, first: {:?}",
            refused.len(),
            &refused[..refused.len().min(5)]
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_history_and_another_seed_another() {
    let a = small(7);
    let b = small(7);
    assert_eq!(a, b);
    let c = small(8);
    assert_ne!(a, c);
}

#[test]
fn planned_commands_are_in_simulated_time_order() {
    let steps = small(3);
    assert!(steps.windows(2).all(|w| w[0].ctx.now <= w[1].ctx.now));
}

#[test]
fn the_small_history_has_the_promised_shape() {
    let mut memory = Memory::default();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut channels = BTreeSet::new();
    let mut on_behalf = 0;
    let mut back_dated = 0;
    let mut resolutions = BTreeSet::new();
    let mut close_reasons = BTreeSet::new();
    let mut direct = 0;
    let mut hoods = BTreeSet::new();
    let mut requesters = BTreeSet::new();
    for step in small(42) {
        let events = memory.execute(&step).expect("accepted");
        for e in events {
            *counts.entry(event_type(&e)).or_default() += 1;
            match &e {
                AnyEvent::Request(noaber_domain::RequestEvent::RequestPosted(p)) => {
                    channels.insert(p.channel.as_str());
                    hoods.insert(p.neighbourhood_id);
                    requesters.insert(p.requester);
                    if p.on_behalf {
                        on_behalf += 1;
                    }
                    if step.ctx.occurred_at.is_some_and(|t| t < step.ctx.now) {
                        back_dated += 1;
                    }
                }
                AnyEvent::Request(noaber_domain::RequestEvent::RequestResolved(r)) => {
                    resolutions.insert(r.resolution.as_str());
                }
                AnyEvent::Request(noaber_domain::RequestEvent::RequestClosed(c)) => {
                    close_reasons.insert(c.reason.as_str());
                }
                AnyEvent::Request(noaber_domain::RequestEvent::HelperMatched(m)) if m.direct => {
                    direct += 1;
                }
                _ => {}
            }
        }
    }
    let n = |t: &str| counts.get(t).copied().unwrap_or(0);
    // Every event type of the life cycle appears.
    for t in [
        "TenantRegistered",
        "NeighbourhoodRegistered",
        "OrganisationRegistered",
        "ServicesOffered",
        "PersonRegistered",
        "ProfileUpdated",
        "SkillsDeclared",
        "HelperOptedIn",
        "HelperOptedOut",
        "PersonErased",
        "RequestPosted",
        "RequestTriaged",
        "HelpOffered",
        "OfferWithdrawn",
        "HelperMatched",
        "MatchCancelled",
        "ReferredToProfessional",
        "ReferralOutcomeRecorded",
        "RequestResolved",
        "RequestClosed",
        "RequestReopened",
        "FeedbackGiven",
        "RequestCorrected",
        "RequestVoided",
        "CallPublished",
        "CallAnswered",
        "CallClosed",
        "StandingOfferPublished",
        "StandingOfferUpdated",
        "StandingOfferPaused",
        "StandingOfferResumed",
        "StandingOfferWithdrawn",
        "StandingOfferTakenUp",
    ] {
        assert!(n(t) > 0, "no {t} in the demo history: {counts:?}");
    }
    assert_eq!(n("NeighbourhoodRegistered"), 2);
    assert!((380..=420).contains(&n("RequestPosted")), "{counts:?}");
    assert!((200..=240).contains(&n("PersonRegistered")), "{counts:?}");
    assert!(n("HelperOptedIn") >= 70);
    assert_eq!(channels.len(), 5, "every channel is used: {channels:?}");
    assert_eq!(
        resolutions.len(),
        3,
        "neighbour, professional and requester: {resolutions:?}"
    );
    assert_eq!(
        close_reasons.len(),
        4,
        "every close reason: {close_reasons:?}"
    );
    assert_eq!(hoods.len(), 2);
    assert!(
        on_behalf > 80,
        "many requests are posted on behalf: {on_behalf}"
    );
    assert!(back_dated > 10, "home visits are back-dated: {back_dated}");
    assert!(direct > 5, "connectors match directly: {direct}");
    assert!(
        (100..=180).contains(&requesters.len()),
        "distinct requesters: {}",
        requesters.len()
    );
}

#[test]
fn large_scale_repeats_tenants_to_about_a_million_commands() {
    let tenants = demo::tenant_count(1, Scale::Large).expect("plans");
    let per_tenant = small(1).len() as u64;
    println!("large scale: {tenants} tenants of {per_tenant} commands");
    assert!(tenants * per_tenant >= Scale::LARGE_EVENTS);
    assert!((tenants - 1) * per_tenant < Scale::LARGE_EVENTS);
    // Tenants differ: each has its own seed-derived history.
    let second = demo::tenant_history(1, 1, TenantSize::SMALL).expect("plans");
    assert_ne!(second[0].ctx.tenant_id, small(1)[0].ctx.tenant_id);
}

#[test]
fn scales_parse_from_their_names_and_nothing_else() {
    assert_eq!("small".parse::<Scale>().ok(), Some(Scale::Small));
    assert_eq!("LARGE".parse::<Scale>().ok(), Some(Scale::Large));
    assert!("huge".parse::<Scale>().is_err());
}

#[test]
fn planned_ids_are_uuid_v7_shaped() {
    let steps = small(5);
    assert!(steps
        .iter()
        .all(|s| s.ctx.command_id.get_version_num() == 7));
}

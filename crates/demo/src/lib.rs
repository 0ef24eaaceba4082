//! Demo data: a realistic, reproducible history of neighbourhood help, written through the
//! domain's commands.
//!
//! The generator never writes events itself. It plans *commands* (who asks what, in which role,
//! at which simulated time) and hands each one to the command executor, which loads the
//! aggregate, lets the domain decide, seals personal data and appends. So every event of a demo
//! log is one the domain accepted, with its personal data encrypted like any other.
//!
//! - [`generate`] plans the commands of a whole history, tenant after tenant, in simulated time
//!   order: pure, and the same seed always gives the same commands (ids included).
//! - [`run`] carries them out through [`noaber_store::exec::Executor`], several tenants at a
//!   time, reporting progress.
//!
//! `Scale::Small` is one tenant with two neighbourhoods, 150 residents, 70 helpers, five
//! organisations and about 400 requests over 18 months. `Scale::Large` repeats tenants of that
//! shape (each with its own seed-derived history) until the log holds about a million events.
#![deny(missing_docs)]

mod plan;
mod rng;
mod words;

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use futures::StreamExt;
use noaber_domain::call::Call;
use noaber_domain::neighbourhood::Neighbourhood;
use noaber_domain::offer::StandingOffer;
use noaber_domain::organisation::Organisation;
use noaber_domain::person::ErasePerson;
use noaber_domain::person::Person;
use noaber_domain::request::HelpRequest;
use noaber_domain::tenant::Tenant;
use noaber_domain::values::ValueError;
use noaber_domain::{
    CallCommand, CommandContext, Decider, NeighbourhoodCommand, OrganisationCommand, PersonCommand,
    RequestCommand, StandingOfferCommand, TenantCommand,
};
use noaber_store::exec::{ExecError, Executed, Executor};
use noaber_store::StoreError;

pub use plan::{period_start, TenantSize};
pub use rng::DemoRng;

/// A command of any aggregate, as the generator plans it.
#[derive(Clone, Debug, PartialEq)]
pub enum DemoCommand {
    /// A tenant command.
    Tenant(TenantCommand),
    /// A neighbourhood command.
    Neighbourhood(NeighbourhoodCommand),
    /// An organisation command.
    Organisation(OrganisationCommand),
    /// A person command (an erasure goes through the executor's erasure path).
    Person(PersonCommand),
    /// A help request command.
    Request(RequestCommand),
    /// A call command.
    Call(CallCommand),
    /// A standing offer command.
    StandingOffer(StandingOfferCommand),
}

/// One planned command with its context (actor, role, tenant, simulated time, command id).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Who gives the command, when.
    pub ctx: CommandContext,
    /// What they ask.
    pub command: DemoCommand,
}

/// How much history to generate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    /// One tenant, two neighbourhoods, about 400 requests over 18 months.
    #[default]
    Small,
    /// Many tenants of the small shape: about a million events, for benchmarks.
    Large,
}

impl Scale {
    /// The number of events `Large` aims for.
    pub const LARGE_EVENTS: u64 = 1_000_000;

    /// The lowercase name (`small`, `large`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Scale::Small => "small",
            Scale::Large => "large",
        }
    }
}

impl FromStr for Scale {
    type Err = DemoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "small" => Ok(Scale::Small),
            "large" => Ok(Scale::Large),
            other => Err(DemoError::UnknownScale(other.chars().take(32).collect())),
        }
    }
}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why demo data could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The scale named is not one the generator knows.
    #[error("'{0}' is not a demo scale: use small or large")]
    UnknownScale(String),
    /// A value the generator built was refused (the taxonomy lacks what the generator needs).
    #[error("the demo generator built an invalid value: {0}")]
    Value(#[from] ValueError),
    /// The event log failed while the history was being written.
    #[error("the event log failed while writing demo data: {0}")]
    Store(#[from] StoreError),
    /// Writing a command failed for a reason other than the domain refusing it.
    #[error("a demo command could not be carried out: {0}")]
    Exec(String),
}

/// What a demo run wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Tenants generated.
    pub tenants: u64,
    /// Commands carried out (accepted by the domain).
    pub commands: u64,
    /// Events appended.
    pub events: u64,
    /// Commands the domain refused (a generator bug if non-zero), with the first reasons.
    pub refused: u64,
    /// Up to ten refusals: the command's type and the domain's reason.
    pub refusals: Vec<String>,
}

/// The commands of tenant number `index` of the history of `seed`, in simulated time order.
pub fn tenant_history(seed: u64, index: u64, size: TenantSize) -> Result<Vec<Step>, DemoError> {
    Ok(plan::TenantPlanner::new(seed, index, size).plan()?)
}

/// How many tenants a scale generates for `seed`. `Large` plans the first tenant to learn how
/// many commands one tenant makes, and repeats tenants until about a million.
pub fn tenant_count(seed: u64, scale: Scale) -> Result<u64, DemoError> {
    match scale {
        Scale::Small => Ok(1),
        Scale::Large => {
            let per_tenant = tenant_history(seed, 0, TenantSize::SMALL)?.len().max(1) as u64;
            Ok(Scale::LARGE_EVENTS.div_ceil(per_tenant))
        }
    }
}

/// Every command of the history of `seed` at `scale`, tenant after tenant. Pure: the same seed
/// and scale always give the same commands. Planning errors end the iteration with an error.
pub fn generate(seed: u64, scale: Scale) -> impl Iterator<Item = Result<Step, DemoError>> {
    let tenants = tenant_count(seed, scale);
    let (count, first_error) = match tenants {
        Ok(n) => (n, None),
        Err(e) => (0, Some(e)),
    };
    first_error
        .into_iter()
        .map(Err)
        .chain((0..count).flat_map(move |i| {
            let steps: Box<dyn Iterator<Item = Result<Step, DemoError>>> =
                match tenant_history(seed, i, TenantSize::SMALL) {
                    Ok(steps) => Box::new(steps.into_iter().map(Ok)),
                    Err(e) => Box::new(std::iter::once(Err(e))),
                };
            steps
        }))
}

/// What carrying out one step came to.
enum Outcome {
    Done(Executed),
    Refused(String),
}

async fn exec_one<D>(
    executor: &Executor,
    ctx: &CommandContext,
    command: &D::Command,
) -> Result<Outcome, DemoError>
where
    D: Decider,
    D::Error: 'static,
{
    match executor.execute::<D>(ctx, command).await {
        Ok(done) => Ok(Outcome::Done(done)),
        Err(e) => refusal_or_error(e),
    }
}

fn refusal_or_error<E: std::error::Error + 'static>(e: ExecError<E>) -> Result<Outcome, DemoError> {
    match e {
        ExecError::Domain(reason) => Ok(Outcome::Refused(reason.to_string())),
        ExecError::Store(store) => Err(DemoError::Store(store)),
        other => Err(DemoError::Exec(other.to_string())),
    }
}

/// Carries out one planned command through the executor. A command the domain refuses is
/// reported as `Ok(None)` with the reason, never written.
pub async fn execute_step(
    executor: &Executor,
    step: &Step,
) -> Result<Result<Executed, String>, DemoError> {
    let ctx = &step.ctx;
    let outcome = match &step.command {
        DemoCommand::Tenant(c) => exec_one::<Tenant>(executor, ctx, c).await?,
        DemoCommand::Neighbourhood(c) => exec_one::<Neighbourhood>(executor, ctx, c).await?,
        DemoCommand::Organisation(c) => exec_one::<Organisation>(executor, ctx, c).await?,
        DemoCommand::Person(PersonCommand::Erase(ErasePerson { person_id })) => {
            match executor.erase_person(ctx, *person_id).await {
                Ok(done) => Outcome::Done(done),
                Err(e) => refusal_or_error(e)?,
            }
        }
        DemoCommand::Person(c) => exec_one::<Person>(executor, ctx, c).await?,
        DemoCommand::Request(c) => exec_one::<HelpRequest>(executor, ctx, c).await?,
        DemoCommand::Call(c) => exec_one::<Call>(executor, ctx, c).await?,
        DemoCommand::StandingOffer(c) => exec_one::<StandingOffer>(executor, ctx, c).await?,
    };
    Ok(match outcome {
        Outcome::Done(done) => Ok(done),
        Outcome::Refused(reason) => Err(reason),
    })
}

/// The short name of a step's command, for refusal reports.
pub fn command_name(command: &DemoCommand) -> String {
    let json = match command {
        DemoCommand::Tenant(c) => serde_json::to_value(c),
        DemoCommand::Neighbourhood(c) => serde_json::to_value(c),
        DemoCommand::Organisation(c) => serde_json::to_value(c),
        DemoCommand::Person(c) => serde_json::to_value(c),
        DemoCommand::Request(c) => serde_json::to_value(c),
        DemoCommand::Call(c) => serde_json::to_value(c),
        DemoCommand::StandingOffer(c) => serde_json::to_value(c),
    };
    let aggregate = match command {
        DemoCommand::Tenant(_) => "tenant",
        DemoCommand::Neighbourhood(_) => "neighbourhood",
        DemoCommand::Organisation(_) => "organisation",
        DemoCommand::Person(_) => "person",
        DemoCommand::Request(_) => "request",
        DemoCommand::Call(_) => "call",
        DemoCommand::StandingOffer(_) => "standing_offer",
    };
    let name = json
        .ok()
        .and_then(|v| v.get("command").and_then(|c| c.as_str().map(str::to_owned)))
        .unwrap_or_default();
    format!("{aggregate}.{name}")
}

/// Writes the history of `seed` at `scale` through `executor`, `concurrency` tenants at a time
/// (each tenant's commands in order), calling `progress` with the number of events written so
/// far after every command. Refused commands are counted and reported, not fatal.
pub async fn run(
    executor: &Executor,
    seed: u64,
    scale: Scale,
    concurrency: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<DemoSummary, DemoError> {
    let tenants = tenant_count(seed, scale)?;
    let events = AtomicU64::new(0);
    let commands = AtomicU64::new(0);
    let refused = AtomicU64::new(0);
    let refusals = Mutex::new(Vec::new());
    let one_tenant = |index: u64| {
        let (events, commands, refused, refusals) = (&events, &commands, &refused, &refusals);
        async move {
            let steps = tenant_history(seed, index, TenantSize::SMALL)?;
            for step in &steps {
                match execute_step(executor, step).await? {
                    Ok(done) => {
                        commands.fetch_add(1, Ordering::Relaxed);
                        let n = done.positions.len() as u64;
                        let total = events.fetch_add(n, Ordering::Relaxed) + n;
                        progress(total);
                    }
                    Err(reason) => {
                        refused.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut list) = refusals.lock() {
                            if list.len() < 10 {
                                list.push(format!("{}: {reason}", command_name(&step.command)));
                            }
                        }
                    }
                }
            }
            Ok::<(), DemoError>(())
        }
    };
    let mut running = futures::stream::iter(0..tenants)
        .map(one_tenant)
        .buffer_unordered(concurrency.max(1));
    while let Some(done) = running.next().await {
        done?;
    }
    drop(running);
    Ok(DemoSummary {
        tenants,
        commands: commands.into_inner(),
        events: events.into_inner(),
        refused: refused.into_inner(),
        refusals: refusals.into_inner().unwrap_or_default(),
    })
}

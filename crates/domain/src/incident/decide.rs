//! The rules of an incident: anyone signed in reports, a connector or admin acknowledges and
//! closes. `decide` hands each command to the small function that holds its rule, `evolve`
//! folds an event into the state.

use crate::access::{refuse_read_only, require_staff, Refusal};
use crate::context::CommandContext;

use super::command::*;
use super::event::*;
use super::state::{IncidentState, IncidentStatus};
use super::IncidentError;

/// What deciding one command gives: the event, or why it was refused.
type Decision = Result<Vec<IncidentEvent>, IncidentError>;

/// Decides a command by handing it to the rule for its kind.
pub(super) fn decide(
    state: &IncidentState,
    ctx: &CommandContext,
    command: &IncidentCommand,
) -> Decision {
    refuse_read_only(ctx)?;
    match command {
        IncidentCommand::Report(c) => report(state, ctx, c),
        IncidentCommand::Acknowledge(c) => acknowledge(state, ctx, c),
        IncidentCommand::Close(c) => close(state, ctx, c),
    }
}

/// Anyone signed in reports (a resident, a helper, a partner, an ambassador, a connector), for
/// themselves or, in a role that may, for a resident they act for. The description becomes
/// that person's personal data, so erasing them erases it.
fn report(state: &IncidentState, ctx: &CommandContext, c: &ReportIncident) -> Decision {
    if let Some(person) = ctx.on_behalf_of {
        if !ctx.may_act_for(person) {
            return Err(Refusal::OnlyForYourself {
                action: "report an incident",
            }
            .into());
        }
    }
    if state.status != IncidentStatus::NotReported {
        return Err(IncidentError::AlreadyReported);
    }
    if c.request_id.is_none() && c.person_id.is_none() {
        return Err(IncidentError::AboutNothing);
    }
    if c.description.is_blank() {
        return Err(IncidentError::EmptyReport);
    }
    Ok(vec![IncidentReported {
        incident_id: c.incident_id,
        kind: c.kind,
        request_id: c.request_id,
        person_id: c.person_id,
        description: c.description.clone().about(ctx.subject()),
        reported_by: ctx.actor_id,
    }
    .into()])
}

/// Refuses a report that does not exist or is closed.
fn ensure_open(state: &IncidentState) -> Result<(), IncidentError> {
    match state.status {
        IncidentStatus::NotReported => Err(IncidentError::NotReported),
        IncidentStatus::Closed => Err(IncidentError::Closed),
        IncidentStatus::Reported | IncidentStatus::Acknowledged => Ok(()),
    }
}

/// A connector or admin acknowledges a report, once.
fn acknowledge(state: &IncidentState, ctx: &CommandContext, c: &AcknowledgeIncident) -> Decision {
    require_staff(ctx, "acknowledge an incident")?;
    ensure_open(state)?;
    if state.status == IncidentStatus::Acknowledged {
        return Err(IncidentError::AlreadyAcknowledged);
    }
    Ok(vec![IncidentAcknowledged {
        incident_id: c.incident_id,
        acknowledged_by: ctx.actor_id,
    }
    .into()])
}

/// A connector or admin closes a report, acknowledged or not.
fn close(state: &IncidentState, ctx: &CommandContext, c: &CloseIncident) -> Decision {
    require_staff(ctx, "close an incident")?;
    ensure_open(state)?;
    Ok(vec![IncidentClosed {
        incident_id: c.incident_id,
        outcome: c.outcome,
        closed_by: ctx.actor_id,
    }
    .into()])
}

/// Folds one event into the state.
pub(super) fn evolve(mut state: IncidentState, event: &IncidentEvent) -> IncidentState {
    match event {
        IncidentEvent::IncidentReported(e) => {
            state.status = IncidentStatus::Reported;
            state.incident_id = Some(e.incident_id);
        }
        IncidentEvent::IncidentAcknowledged(_) => state.status = IncidentStatus::Acknowledged,
        IncidentEvent::IncidentClosed(_) => state.status = IncidentStatus::Closed,
    }
    state
}

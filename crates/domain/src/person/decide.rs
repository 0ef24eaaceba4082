//! The rules of a person: `decide` hands each command to the small function that holds its
//! rule, `evolve` folds an event into the state.

use crate::access::{refuse_read_only, require_staff, Refusal};
use crate::context::CommandContext;
use crate::ids::PersonId;
use crate::personal::Personal;
use crate::role::{Role, RoleScope};
use crate::values::{Channel, ConsentBasis, ConsentRecord};

use super::command::*;
use super::event::*;
use super::state::{Grant, PersonState, PersonStatus, Screening};
use super::PersonError;

/// What deciding one command gives: the event, or why it was refused.
type Decision = Result<Vec<PersonEvent>, PersonError>;

/// Decides a command by handing it to the rule for its kind.
pub(super) fn decide(
    state: &PersonState,
    ctx: &CommandContext,
    command: &PersonCommand,
) -> Decision {
    refuse_read_only(ctx)?;
    match command {
        PersonCommand::Register(c) => register(state, ctx, c),
        PersonCommand::UpdateProfile(c) => update_profile(state, ctx, c),
        PersonCommand::DeclareSkills(c) => declare_skills(state, ctx, c),
        PersonCommand::OptIn(c) => opt_in(state, ctx, c),
        PersonCommand::OptOut(c) => opt_out(state, ctx, c),
        PersonCommand::Erase(c) => erase(state, ctx, c),
        PersonCommand::GrantRole(c) => grant_role(state, ctx, c),
        PersonCommand::RevokeRole(c) => revoke_role(state, ctx, c),
        PersonCommand::RecordScreening(c) => record_screening(state, ctx, c),
        PersonCommand::WithdrawScreening(c) => withdraw_screening(state, ctx, c),
        PersonCommand::Suspend(c) => suspend(state, ctx, c),
        PersonCommand::LiftSuspension(c) => lift_suspension(state, ctx, c),
        PersonCommand::ChooseContactSharing(c) => choose_contact_sharing(state, ctx, c),
    }
}

/// Whether every piece of personal data given is about `person`: a profile holds only its own
/// person's data, so erasing them erases all of it.
fn all_about<'a>(person: PersonId, fields: impl IntoIterator<Item = Option<&'a Personal>>) -> bool {
    fields.into_iter().flatten().all(|p| p.subject == person)
}

/// Requires the actor to be the person, or to act for them in a role that may.
fn require_self_or_on_behalf(
    ctx: &CommandContext,
    person: PersonId,
    action: &'static str,
) -> Result<(), Refusal> {
    if ctx.may_act_for(person) {
        Ok(())
    } else {
        Err(Refusal::OnlyForYourself { action })
    }
}

/// Refuses a person who is not registered, or who was erased.
fn ensure_registered(state: &PersonState) -> Result<(), PersonError> {
    match state.status {
        PersonStatus::Unregistered => Err(PersonError::NotRegistered),
        PersonStatus::Erased => Err(PersonError::Erased),
        PersonStatus::Active => Ok(()),
    }
}

/// Registers a person: oneself, or someone else as connector, partner, ambassador or admin.
fn register(state: &PersonState, ctx: &CommandContext, c: &RegisterPerson) -> Decision {
    match state.status {
        PersonStatus::Unregistered => {}
        PersonStatus::Active => return Err(PersonError::AlreadyRegistered),
        PersonStatus::Erased => return Err(PersonError::Erased),
    }
    let self_registered = ctx.actor_id == c.person_id;
    let may_register_others = matches!(
        ctx.role,
        Role::Connector | Role::Partner | Role::Ambassador | Role::Admin
    );
    if !self_registered && !may_register_others {
        return Err(Refusal::OnlyForYourself { action: "register" }.into());
    }
    if c.name.is_blank() {
        return Err(PersonError::EmptyName);
    }
    // Someone registering a resident states the basis; registering oneself is one's consent.
    let basis = match (c.consent, self_registered) {
        (Some(basis), _) => basis,
        (None, true) => ConsentBasis::ExplicitConsent,
        (None, false) => return Err(PersonError::ConsentBasisRequired),
    };
    if !all_about(
        c.person_id,
        [Some(&c.name), c.contact.as_ref(), c.address.as_ref()],
    ) {
        return Err(PersonError::WrongSubject);
    }
    Ok(vec![PersonRegistered {
        person_id: c.person_id,
        name: c.name.clone(),
        contact: c.contact.clone(),
        address: c.address.clone(),
        neighbourhood_id: c.neighbourhood_id,
        location: c.location.map(|l| l.area()),
        precise_location: c
            .location
            .map(|l| Personal::clear(c.person_id, l.to_string())),
        languages: c.languages.clone(),
        digital_access: c.digital_access,
        registered_by: ctx.actor_id,
        self_registered,
        consent: Some(ConsentRecord {
            basis,
            taken_by: ctx.actor_id,
            channel: if self_registered {
                Some(Channel::App)
            } else {
                c.channel
            },
        }),
    }
    .into()])
}

/// Changes part of a profile; fields left out stay as they are.
fn update_profile(state: &PersonState, ctx: &CommandContext, c: &UpdateProfile) -> Decision {
    ensure_registered(state)?;
    require_self_or_on_behalf(ctx, c.person_id, "update a profile")?;
    if c.name.is_none()
        && c.contact.is_none()
        && c.address.is_none()
        && c.neighbourhood_id.is_none()
        && c.location.is_none()
        && c.languages.is_none()
        && c.digital_access.is_none()
    {
        return Err(PersonError::NothingToUpdate);
    }
    if c.name.as_ref().is_some_and(Personal::is_blank) {
        return Err(PersonError::EmptyName);
    }
    if !all_about(
        c.person_id,
        [c.name.as_ref(), c.contact.as_ref(), c.address.as_ref()],
    ) {
        return Err(PersonError::WrongSubject);
    }
    Ok(vec![ProfileUpdated {
        person_id: c.person_id,
        name: c.name.clone(),
        contact: c.contact.clone(),
        address: c.address.clone(),
        neighbourhood_id: c.neighbourhood_id,
        location: c.location.map(|l| l.area()),
        precise_location: c
            .location
            .map(|l| Personal::clear(c.person_id, l.to_string())),
        languages: c.languages.clone(),
        digital_access: c.digital_access,
    }
    .into()])
}

/// Declares skills, availability and reach.
fn declare_skills(state: &PersonState, ctx: &CommandContext, c: &DeclareSkills) -> Decision {
    ensure_registered(state)?;
    require_self_or_on_behalf(ctx, c.person_id, "declare skills")?;
    if c.skills.is_empty() {
        return Err(PersonError::NoSkills);
    }
    let mut skills = c.skills.clone();
    skills.sort();
    skills.dedup();
    Ok(vec![SkillsDeclared {
        person_id: c.person_id,
        skills,
        availability: c.availability.clone(),
        max_distance: c.max_distance,
        available_for_calls: c.available_for_calls,
    }
    .into()])
}

/// Opts in as helper; refused while suspended as a helper.
fn opt_in(state: &PersonState, ctx: &CommandContext, c: &OptInAsHelper) -> Decision {
    ensure_registered(state)?;
    require_self_or_on_behalf(ctx, c.person_id, "opt in as helper")?;
    if state.standing.suspended {
        return Err(PersonError::HelperSuspended);
    }
    if state.helper {
        return Err(PersonError::AlreadyHelper);
    }
    Ok(vec![HelperOptedIn {
        person_id: c.person_id,
    }
    .into()])
}

/// Opts out as helper.
fn opt_out(state: &PersonState, ctx: &CommandContext, c: &OptOutAsHelper) -> Decision {
    ensure_registered(state)?;
    require_self_or_on_behalf(ctx, c.person_id, "opt out as helper")?;
    if !state.helper {
        return Err(PersonError::NotHelper);
    }
    Ok(vec![HelperOptedOut {
        person_id: c.person_id,
    }
    .into()])
}

/// Erases a person: themselves, or anyone when a connector or admin does it.
fn erase(state: &PersonState, ctx: &CommandContext, c: &ErasePerson) -> Decision {
    ensure_registered(state)?;
    if ctx.actor_id != c.person_id && !ctx.role.is_staff() {
        return Err(Refusal::NotAllowed {
            role: ctx.role,
            action: "erase someone else",
        }
        .into());
    }
    Ok(vec![PersonErased {
        person_id: c.person_id,
        erased_by: ctx.actor_id,
    }
    .into()])
}

/// What granting or revoking `role` is called in a refusal.
const fn managing(role: Role) -> &'static str {
    match role {
        Role::Resident => "grant or revoke the resident role",
        Role::Helper => "grant or revoke the helper role",
        Role::Connector => "grant or revoke the connector role",
        Role::Partner => "grant or revoke the partner role",
        Role::Ambassador => "grant or revoke the ambassador role",
        Role::Funder => "grant or revoke the funder role",
        Role::Auditor => "grant or revoke the auditor role",
        Role::Admin => "grant or revoke the admin role",
    }
}

/// The rules every grant and revocation share, before the person's state is looked at:
///
/// - only an admin or a connector grants or revokes anything;
/// - resident and helper are never granted (registration and opt-in are their facts);
/// - an admin grants and revokes every other role, a connector only ambassador;
/// - the scope, when named, fits the role (connector and ambassador: neighbourhoods; partner:
///   an organisation; admin, funder and auditor: the tenant).
///
/// Whether a connector's own scope covers the ambassador's neighbourhoods is not decided
/// here: the granter's grants live on the granter's stream, not on this one. The policy that
/// answers "may this caller do this" checks it before the command reaches the domain.
fn check_role_change(
    ctx: &CommandContext,
    role: Role,
    scope: Option<&RoleScope>,
) -> Result<(), PersonError> {
    if !matches!(ctx.role, Role::Admin | Role::Connector) {
        return Err(Refusal::NotAllowed {
            role: ctx.role,
            action: "grant or revoke roles",
        }
        .into());
    }
    let Some(needs) = role.scope_kind() else {
        return Err(PersonError::RoleNotGrantable(role));
    };
    if ctx.role == Role::Connector && role != Role::Ambassador {
        return Err(Refusal::AdminOnly {
            role: ctx.role,
            action: managing(role),
        }
        .into());
    }
    if scope.is_some_and(|s| s.kind() != needs) {
        return Err(PersonError::ScopeDoesNotFit { role, needs });
    }
    Ok(())
}

/// Grants a role over a scope: the person is registered and not erased, and does not hold this
/// role with this scope already (granting it again is refused rather than ignored, so the
/// granter learns that nothing changed).
fn grant_role(state: &PersonState, ctx: &CommandContext, c: &GrantRole) -> Decision {
    check_role_change(ctx, c.role, Some(&c.scope))?;
    ensure_registered(state)?;
    let grant = Grant {
        role: c.role,
        scope: c.scope.clone(),
    };
    if state.grants.contains(&grant) {
        return Err(PersonError::RoleAlreadyGranted(c.role));
    }
    Ok(vec![RoleGranted {
        person_id: c.person_id,
        role: c.role,
        scope: c.scope.clone(),
        granted_by: ctx.actor_id,
    }
    .into()])
}

/// Revokes the grant of a role with the scope named, or every grant of the role when no scope
/// is named (one event per grant, so each names the scope that ended).
fn revoke_role(state: &PersonState, ctx: &CommandContext, c: &RevokeRole) -> Decision {
    check_role_change(ctx, c.role, c.scope.as_ref())?;
    ensure_registered(state)?;
    let ending: Vec<&Grant> = state
        .grants
        .iter()
        .filter(|g| g.role == c.role && c.scope.as_ref().is_none_or(|s| *s == g.scope))
        .collect();
    if ending.is_empty() {
        return Err(PersonError::RoleNotGranted(c.role));
    }
    Ok(ending
        .into_iter()
        .map(|g| {
            RoleRevoked {
                person_id: c.person_id,
                role: g.role,
                scope: g.scope.clone(),
                revoked_by: ctx.actor_id,
                reason: c.reason,
            }
            .into()
        })
        .collect())
}

/// A connector or admin records a screening they saw: issued no later than the day it happened
/// (the context's `occurred_at`), valid until a day not before it was issued. Recording the
/// screening that already counts again is refused; any other replaces it (a renewal, or a
/// correction of a mistyped date).
fn record_screening(state: &PersonState, ctx: &CommandContext, c: &RecordScreening) -> Decision {
    require_staff(ctx, "record a screening")?;
    ensure_registered(state)?;
    let today = ctx.occurred_at().date_naive();
    if c.issued_on > today {
        return Err(PersonError::ScreeningIssuedInFuture(c.issued_on));
    }
    if c.valid_until < c.issued_on {
        return Err(PersonError::ScreeningEndsBeforeIssued);
    }
    let screening = Screening {
        kind: c.kind,
        issued_on: c.issued_on,
        valid_until: c.valid_until,
    };
    if state.standing.screening == Some(screening) {
        return Err(PersonError::ScreeningAlreadyRecorded);
    }
    Ok(vec![ScreeningRecorded {
        person_id: c.person_id,
        kind: c.kind,
        issued_on: c.issued_on,
        valid_until: c.valid_until,
        recorded_by: ctx.actor_id,
    }
    .into()])
}

/// A connector or admin withdraws the screening that counts.
fn withdraw_screening(
    state: &PersonState,
    ctx: &CommandContext,
    c: &WithdrawScreening,
) -> Decision {
    require_staff(ctx, "withdraw a screening")?;
    ensure_registered(state)?;
    if state.standing.screening.is_none() {
        return Err(PersonError::NoScreening);
    }
    Ok(vec![ScreeningWithdrawn {
        person_id: c.person_id,
        reason: c.reason,
        withdrawn_by: ctx.actor_id,
    }
    .into()])
}

/// A connector or admin suspends a person as a helper, whether or not they are opted in now (so
/// that opting out does not get round it). The note is personal data about the person.
fn suspend(state: &PersonState, ctx: &CommandContext, c: &SuspendHelper) -> Decision {
    require_staff(ctx, "suspend a helper")?;
    ensure_registered(state)?;
    if state.standing.suspended {
        return Err(PersonError::AlreadySuspended);
    }
    Ok(vec![HelperSuspended {
        person_id: c.person_id,
        reason: c.reason,
        note: c.note.clone().map(|n| n.about(c.person_id)),
        incident_id: c.incident_id,
        suspended_by: ctx.actor_id,
    }
    .into()])
}

/// A connector or admin lifts a suspension; the person may then opt in again themselves.
fn lift_suspension(state: &PersonState, ctx: &CommandContext, c: &LiftSuspension) -> Decision {
    require_staff(ctx, "lift a suspension")?;
    ensure_registered(state)?;
    if !state.standing.suspended {
        return Err(PersonError::NotSuspended);
    }
    Ok(vec![SuspensionLifted {
        person_id: c.person_id,
        lifted_by: ctx.actor_id,
    }
    .into()])
}

/// The person chooses, for themselves only, whether matched people may read their contact
/// detail: nobody else makes that choice for them, not even staff (ADR 0034). Choosing what
/// already holds records nothing (so setting it is idempotent).
fn choose_contact_sharing(
    state: &PersonState,
    ctx: &CommandContext,
    c: &ChooseContactSharing,
) -> Decision {
    ensure_registered(state)?;
    if ctx.actor_id != c.person_id || ctx.on_behalf_of.is_some_and(|p| p != c.person_id) {
        return Err(Refusal::OnlyForYourself {
            action: "choose whether to share contact details",
        }
        .into());
    }
    if state.shares_contact_with_matched == c.share_with_matched {
        return Ok(Vec::new());
    }
    Ok(vec![ContactSharingChosen {
        person_id: c.person_id,
        share_with_matched: c.share_with_matched,
    }
    .into()])
}

/// Folds one event into the state.
pub(super) fn evolve(mut state: PersonState, event: &PersonEvent) -> PersonState {
    match event {
        PersonEvent::PersonRegistered(e) => {
            state.status = PersonStatus::Active;
            state.person_id = Some(e.person_id);
            state.neighbourhood_id = Some(e.neighbourhood_id);
        }
        PersonEvent::ProfileUpdated(e) => {
            if let Some(n) = e.neighbourhood_id {
                state.neighbourhood_id = Some(n);
            }
        }
        PersonEvent::SkillsDeclared(e) => state.skills = e.skills.clone(),
        PersonEvent::HelperOptedIn(_) => state.helper = true,
        PersonEvent::HelperOptedOut(_) => state.helper = false,
        PersonEvent::PersonErased(_) => {
            state.status = PersonStatus::Erased;
            state.standing.erased = true;
            state.helper = false;
            state.skills.clear();
            state.grants.clear();
            state.shares_contact_with_matched = false;
        }
        PersonEvent::RoleGranted(e) => {
            state.grants.insert(Grant {
                role: e.role,
                scope: e.scope.clone(),
            });
        }
        PersonEvent::RoleRevoked(e) => {
            state.grants.remove(&Grant {
                role: e.role,
                scope: e.scope.clone(),
            });
        }
        PersonEvent::ScreeningRecorded(e) => {
            state.standing.screening = Some(Screening {
                kind: e.kind,
                issued_on: e.issued_on,
                valid_until: e.valid_until,
            });
        }
        PersonEvent::ScreeningWithdrawn(_) => state.standing.screening = None,
        PersonEvent::HelperSuspended(_) => {
            // The helper role ends with the suspension; lifting it does not bring it back.
            state.standing.suspended = true;
            state.helper = false;
        }
        PersonEvent::SuspensionLifted(_) => state.standing.suspended = false,
        PersonEvent::ContactSharingChosen(e) => {
            state.shares_contact_with_matched = e.share_with_matched;
        }
    }
    state
}

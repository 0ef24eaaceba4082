//! The authorization policy's facts: whether a person holds a role now, and over what. The
//! table of who may do or see what is `noaber_domain::policy`; this module answers it from the
//! read models.

use noaber_domain::policy::{reach, Action, Reach};
use noaber_domain::{
    NeighbourhoodId, OrganisationId, PersonId, RequestId, Role, RoleScope, TenantId,
};
use noaber_projections::directory::RequestParties;
use noaber_store::exec::Owners;

use super::{Actor, ApiError, AppState, Via};

/// Whether `person` of `tenant` holds `role` now: a registered, not erased person is a
/// resident; an opted-in one a helper; every other role needs a grant in the log.
pub async fn holds(
    state: &AppState,
    tenant: TenantId,
    person: PersonId,
    role: Role,
) -> Result<bool, ApiError> {
    Ok(roles_held(state, tenant, person).await?.contains(&role))
}

/// Every role `person` of `tenant` holds now, in [`Role::ALL`] order: one look at the owners
/// (catching up once when the person is not known yet) and one read of the models.
pub async fn roles_held(
    state: &AppState,
    tenant: TenantId,
    person: PersonId,
) -> Result<Vec<Role>, ApiError> {
    if state.projections.owner("person", person.as_uuid()).await? != Some(tenant) {
        return Ok(Vec::new());
    }
    let models = state.projections.read().await;
    if models.directory.is_erased(person) {
        return Ok(Vec::new());
    }
    let grants = models.roles.grants_of(person);
    Ok(Role::ALL
        .into_iter()
        .filter(|role| match role {
            Role::Resident => true,
            Role::Helper => models.directory.is_helper(person),
            _ => grants.iter().any(|g| g.role == *role),
        })
        .collect())
}

/// The role a new session acts in: the most capable one held (admin, connector, partner,
/// ambassador, auditor, funder, helper, resident), or `None` when the person holds none.
pub async fn default_role(
    state: &AppState,
    tenant: TenantId,
    person: PersonId,
) -> Result<Option<Role>, ApiError> {
    const PREFERENCE: [Role; 8] = [
        Role::Admin,
        Role::Connector,
        Role::Partner,
        Role::Ambassador,
        Role::Auditor,
        Role::Funder,
        Role::Helper,
        Role::Resident,
    ];
    let held = roles_held(state, tenant, person).await?;
    Ok(PREFERENCE.into_iter().find(|r| held.contains(r)))
}

/// Where a caller reaches for one action: the table's answer with the caller's own grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The table's answer.
    pub reach: Reach,
    /// The neighbourhoods of the caller's grants of their role (for [`Reach::Neighbourhoods`]).
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// The organisations of the caller's grants of their role (for [`Reach::Organisation`]).
    pub organisations: Vec<OrganisationId>,
}

impl Scope {
    /// Whether the scope covers neighbourhood `n`.
    pub fn covers(&self, n: NeighbourhoodId) -> bool {
        match self.reach {
            Reach::Tenant => true,
            Reach::Neighbourhoods => self.neighbourhoods.contains(&n),
            _ => false,
        }
    }
}

/// The refusal of an action the caller's role does not reach at all.
fn refusal(actor: &Actor, action: Action) -> ApiError {
    if actor.role.is_read_only() {
        if let Err(e) = actor.not_read_only() {
            return e;
        }
    }
    ApiError::Forbidden(format!(
        "a {} may not {}",
        actor.role.as_str(),
        action.as_str().replace('_', " ")
    ))
}

/// How far `actor` reaches for `action`; refused (403) when not at all.
///
/// The development headers (tests only) claim a role over the whole tenant: a role reaching
/// neighbourhoods or an organisation reaches the tenant.
pub async fn scope(state: &AppState, actor: &Actor, action: Action) -> Result<Scope, ApiError> {
    let mut reach = reach(actor.role, action);
    if reach == Reach::No {
        return Err(refusal(actor, action));
    }
    if actor.via == Via::DevHeaders && matches!(reach, Reach::Neighbourhoods | Reach::Organisation)
    {
        reach = Reach::Tenant;
    }
    let mut neighbourhoods = Vec::new();
    let mut organisations = Vec::new();
    if matches!(reach, Reach::Neighbourhoods | Reach::Organisation) {
        let models = state.projections.read().await;
        for grant in models.roles.grants_of(actor.actor) {
            if grant.role != actor.role {
                continue;
            }
            match &grant.scope {
                RoleScope::Neighbourhoods(n) => neighbourhoods.extend_from_slice(n.ids()),
                RoleScope::Organisation(o) => organisations.push(*o),
                RoleScope::Tenant => reach = Reach::Tenant,
            }
        }
    }
    Ok(Scope {
        reach,
        neighbourhoods,
        organisations,
    })
}

/// Whether `actor` reaches request `id` for `action`; answers 404 (exactly as for an unknown
/// request) when the request is not in the caller's tenant, 403 when it is but out of reach.
pub async fn request_in_reach(
    state: &AppState,
    actor: &Actor,
    id: RequestId,
    action: Action,
) -> Result<Scope, ApiError> {
    super::reads::ensure_in_tenant(state, "request", id.as_uuid(), actor.tenant).await?;
    let scope = scope(state, actor, action).await?;
    let models = state.projections.read().await;
    let Some(parties) = models.directory.request_parties(id) else {
        return if scope.reach == Reach::Tenant {
            Ok(scope)
        } else {
            Err(out_of_reach(actor, action))
        };
    };
    let me = actor.actor;
    let covered = match scope.reach {
        Reach::Own => {
            parties.requester == me
                || parties.matched.contains(&me)
                || (actor.role == Role::Helper && parties.offered.contains(&me))
        }
        _ => scope_covers(&scope, &parties),
    };
    drop(models);
    if covered {
        Ok(scope)
    } else {
        Err(out_of_reach(actor, action))
    }
}

/// Whether `actor`'s role reaches request `id` for `action` through the scope of their grant
/// (the tenant, their neighbourhoods, their organisation); `false` for a role that reaches only
/// what is its own, or nothing. What is the caller's own is the field's rule to answer.
pub async fn reaches_by_scope(
    state: &AppState,
    actor: &Actor,
    id: RequestId,
    action: Action,
) -> Result<bool, ApiError> {
    if !matches!(
        reach(actor.role, action),
        Reach::Tenant | Reach::Neighbourhoods | Reach::Organisation
    ) {
        return Ok(false);
    }
    let scope = scope(state, actor, action).await?;
    let models = state.projections.read().await;
    Ok(match models.directory.request_parties(id) {
        None => scope.reach == Reach::Tenant,
        Some(parties) => scope_covers(&scope, &parties),
    })
}

/// Whether the grant's scope (the tenant, its neighbourhoods, its organisation) covers the
/// request of `parties`; never for what a role reaches only as its own.
fn scope_covers(scope: &Scope, parties: &RequestParties<'_>) -> bool {
    match scope.reach {
        Reach::Tenant => true,
        Reach::Neighbourhoods => scope.neighbourhoods.contains(&parties.neighbourhood),
        Reach::Organisation => parties
            .organisations
            .iter()
            .any(|o| scope.organisations.contains(o)),
        Reach::Own | Reach::No | Reach::Aggregates => false,
    }
}

/// How a caller reaches a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallReach {
    /// As one of its organisers (`open_call_answers`): its publisher, the connector of one of
    /// its neighbourhoods, the partner of its organisation, an administrator.
    pub organiser: bool,
}

/// Whether `actor` reaches a call published by `publisher` for `organisation` to
/// `neighbourhoods` (every one of the tenant when `None`): as a neighbour who reads it in a
/// feed (`read_feed`: their neighbourhoods, or for a resident or helper the one they live in),
/// or as an organiser. Refused (403) when neither.
pub async fn call_in_reach(
    state: &AppState,
    actor: &Actor,
    publisher: PersonId,
    organisation: Option<OrganisationId>,
    neighbourhoods: Option<&[NeighbourhoodId]>,
) -> Result<CallReach, ApiError> {
    let in_call = |n: &NeighbourhoodId| neighbourhoods.is_none_or(|list| list.contains(n));
    let organiser = match reach(actor.role, Action::OpenCallAnswers) {
        Reach::No | Reach::Own | Reach::Aggregates => false,
        _ if actor.actor == publisher => true,
        _ => {
            let scope = scope(state, actor, Action::OpenCallAnswers).await?;
            match scope.reach {
                Reach::Tenant => true,
                Reach::Neighbourhoods => scope.neighbourhoods.iter().any(in_call),
                Reach::Organisation => {
                    organisation.is_some_and(|o| scope.organisations.contains(&o))
                }
                Reach::Own | Reach::No | Reach::Aggregates => false,
            }
        }
    };
    if organiser {
        return Ok(CallReach { organiser });
    }
    let neighbour = match reach(actor.role, Action::ReadFeed) {
        Reach::No | Reach::Aggregates | Reach::Organisation => false,
        Reach::Own => {
            let home = state
                .projections
                .read()
                .await
                .directory
                .neighbourhood_of(actor.actor);
            home.is_some_and(|n| in_call(&n))
        }
        Reach::Tenant | Reach::Neighbourhoods => {
            let scope = scope(state, actor, Action::ReadFeed).await?;
            scope.reach == Reach::Tenant || scope.neighbourhoods.iter().any(in_call)
        }
    };
    if neighbour {
        Ok(CallReach { organiser })
    } else if reach(actor.role, Action::ReadFeed) == Reach::No
        && reach(actor.role, Action::OpenCallAnswers) == Reach::No
    {
        Err(refusal(actor, Action::ReadFeed))
    } else {
        Err(ApiError::Forbidden(format!(
            "this call is outside what a {} reaches (the neighbourhoods it goes to, or the calls they organise)",
            actor.role.as_str()
        )))
    }
}

fn out_of_reach(actor: &Actor, action: Action) -> ApiError {
    ApiError::Forbidden(format!(
        "this is outside what a {} may {} (their neighbourhoods, organisation or own requests)",
        actor.role.as_str(),
        action.as_str().replace('_', " ")
    ))
}

/// Whether `actor` may invite `person` or hand them a sign-in or reset link: an administrator
/// anyone of the tenant; a connector or ambassador the residents and helpers of their
/// neighbourhoods (nobody holding a granted role: staff are invited by an administrator).
pub async fn may_manage_account(
    state: &AppState,
    actor: &Actor,
    person: PersonId,
) -> Result<(), ApiError> {
    super::reads::ensure_in_tenant(state, "person", person.as_uuid(), actor.tenant).await?;
    let scope = scope(state, actor, Action::ManageAccount).await?;
    if scope.reach == Reach::Tenant && actor.role == Role::Admin {
        return Ok(());
    }
    let models = state.projections.read().await;
    let staff = !models.roles.grants_of(person).is_empty();
    let home = models.directory.neighbourhood_of(person);
    drop(models);
    if staff {
        return Err(ApiError::Forbidden(
            "only an administrator invites or resets someone who holds a role".into(),
        ));
    }
    match home {
        Some(n) if scope.covers(n) => Ok(()),
        _ => Err(out_of_reach(actor, Action::ManageAccount)),
    }
}

/// Checks, before a command on request `id`, that a role reaching only its neighbourhoods or
/// organisation reaches this request; who may give the command at all is the domain's rule.
pub async fn command_in_reach(
    state: &AppState,
    actor: &Actor,
    id: RequestId,
    action: Action,
) -> Result<(), ApiError> {
    if actor.via == Via::DevHeaders
        || !matches!(
            reach(actor.role, action),
            Reach::Neighbourhoods | Reach::Organisation
        )
    {
        return Ok(());
    }
    // A request the tenant does not have is the executor's to answer (404, or `not-posted`).
    if state.projections.owner("request", id.as_uuid()).await? != Some(actor.tenant) {
        return Ok(());
    }
    request_in_reach(state, actor, id, action).await.map(|_| ())
}

/// Checks, before a safeguarding command about `person` (screening, suspension), that a
/// connector reaches the person's neighbourhood; who may give it at all is the domain's rule.
pub async fn person_in_reach(
    state: &AppState,
    actor: &Actor,
    person: PersonId,
) -> Result<(), ApiError> {
    if actor.via == Via::DevHeaders
        || reach(actor.role, Action::ManageRequest) != Reach::Neighbourhoods
    {
        return Ok(());
    }
    // A person the tenant does not have is the executor's to answer.
    if state.projections.owner("person", person.as_uuid()).await? != Some(actor.tenant) {
        return Ok(());
    }
    let scope = scope(state, actor, Action::ManageRequest).await?;
    let home = state
        .projections
        .read()
        .await
        .directory
        .neighbourhood_of(person);
    match home {
        Some(n) if scope.covers(n) => Ok(()),
        _ => Err(out_of_reach(actor, Action::ManageRequest)),
    }
}

//! Setting up a tenant from nothing: the tenant, its first neighbourhood and its first
//! administrator (registered, granted the admin role as a fact in the log, given an account),
//! and a single-use sign-in link for that administrator.
//!
//! `noaber serve` runs it on a fresh embedded log; `noaber admin bootstrap` runs it on any log
//! (a platform administrator adding a tenant to a regional deployment). The link is printed to
//! the terminal by the caller, never written to the log or the server's log lines.

use chrono::{DateTime, Utc};
use noaber_domain::neighbourhood::{Neighbourhood, RegisterNeighbourhood};
use noaber_domain::person::{GrantRole, Person, RegisterPerson};
use noaber_domain::tenant::{RegisterTenant, Tenant};
use noaber_domain::values::{ApproxLocation, DigitalAccess, DisplayName, Distance, Language};
use noaber_domain::{
    CommandContext, NeighbourhoodCommand, NeighbourhoodId, PersonCommand, PersonId, Personal, Role,
    RoleScope, TenantCommand, TenantId,
};
use noaber_store::exec::Executor;
use noaber_store::identity::CredentialKind;
use uuid::Uuid;

use super::{Identity, IdentityError, Issued};

/// What to set up.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The tenant's name (an organisation, a municipality's project).
    pub tenant_name: String,
    /// The first neighbourhood's name.
    pub neighbourhood_name: String,
    /// The neighbourhood's approximate centre.
    pub centre: ApproxLocation,
    /// The first administrator's name.
    pub admin_name: String,
    /// The administrator's email address, to sign in with a password later.
    pub admin_login: Option<String>,
    /// The tenant's default language.
    pub language: String,
}

impl Plan {
    /// The plan `noaber serve` follows on a fresh embedded log.
    pub fn first_run() -> Self {
        Self {
            tenant_name: "Burenhulp".into(),
            neighbourhood_name: "Centrum".into(),
            // The centre of Utrecht: any place will do until the administrator moves it.
            centre: ApproxLocation::new(52.0907, 5.1214).unwrap_or_else(|_| unreachable_centre()),
            admin_name: "Beheerder".into(),
            admin_login: None,
            language: "nl".into(),
        }
    }
}

fn unreachable_centre() -> ApproxLocation {
    // A valid coordinate for a type whose constructor only refuses out-of-range ones.
    ApproxLocation::new(0.0, 0.0).unwrap_or_else(|_| unreachable!("0,0 is a valid location"))
}

/// What was set up.
#[derive(Debug, Clone)]
pub struct Bootstrapped {
    /// The new tenant.
    pub tenant: TenantId,
    /// Its first neighbourhood.
    pub neighbourhood: NeighbourhoodId,
    /// Its first administrator.
    pub admin: PersonId,
    /// A single-use sign-in link token for the administrator.
    pub link: Issued,
}

/// Why a bootstrap failed.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// A value of the plan is not valid.
    #[error("{0}")]
    Invalid(String),
    /// A command was refused or could not be written.
    #[error("setting up the tenant failed: {0}")]
    Command(String),
    /// The account or link could not be made.
    #[error(transparent)]
    Identity(#[from] IdentityError),
}

fn invalid(e: impl std::fmt::Display) -> BootstrapError {
    BootstrapError::Invalid(e.to_string())
}

fn failed(e: impl std::fmt::Display) -> BootstrapError {
    BootstrapError::Command(e.to_string())
}

/// Sets up a tenant by `plan` through the executor (so every fact is an ordinary event with
/// its metadata: the administrator is recorded as granting themselves the role at bootstrap),
/// then the administrator's account and a sign-in link.
pub async fn bootstrap(
    executor: &Executor,
    identity: &Identity,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<Bootstrapped, BootstrapError> {
    let tenant = TenantId::new(Uuid::now_v7());
    let neighbourhood = NeighbourhoodId::new(Uuid::now_v7());
    let admin = PersonId::new(Uuid::now_v7());
    let ctx = |n: u8| {
        CommandContext::new(
            tenant,
            admin,
            Role::Admin,
            now,
            Uuid::new_v5(&tenant.as_uuid(), &[n]),
        )
    };
    let language = Language::parse(&plan.language).map_err(invalid)?;
    executor
        .execute::<Tenant>(
            &ctx(1),
            &TenantCommand::Register(RegisterTenant {
                tenant_id: tenant,
                name: DisplayName::parse(&plan.tenant_name).map_err(invalid)?,
                default_language: language.clone(),
            }),
        )
        .await
        .map_err(failed)?;
    executor
        .execute::<Neighbourhood>(
            &ctx(2),
            &NeighbourhoodCommand::Register(RegisterNeighbourhood {
                neighbourhood_id: neighbourhood,
                name: DisplayName::parse(&plan.neighbourhood_name).map_err(invalid)?,
                centroid: plan.centre,
                radius: Distance::from_metres(1_500).map_err(invalid)?,
            }),
        )
        .await
        .map_err(failed)?;
    executor
        .execute::<Person>(
            &ctx(3),
            &PersonCommand::Register(RegisterPerson {
                person_id: admin,
                name: Personal::clear(admin, plan.admin_name.clone()),
                contact: None,
                address: None,
                neighbourhood_id: neighbourhood,
                location: None,
                languages: vec![language],
                digital_access: DigitalAccess::Digital,
                consent: None,
                channel: None,
            }),
        )
        .await
        .map_err(failed)?;
    executor
        .execute::<Person>(
            &ctx(4),
            &PersonCommand::GrantRole(GrantRole {
                person_id: admin,
                role: Role::Admin,
                scope: RoleScope::Tenant,
            }),
        )
        .await
        .map_err(failed)?;
    identity
        .ensure_account(tenant, admin, plan.admin_login.as_deref(), now)
        .await?;
    let link = sign_in_link(identity, tenant, admin, now).await?;
    Ok(Bootstrapped {
        tenant,
        neighbourhood,
        admin,
        link,
    })
}

/// A single-use sign-in link for `person` of `tenant`, valid for the configured time
/// (15 minutes by default).
pub async fn sign_in_link(
    identity: &Identity,
    tenant: TenantId,
    person: PersonId,
    now: DateTime<Utc>,
) -> Result<Issued, IdentityError> {
    identity
        .issue(
            CredentialKind::SignInLink,
            tenant,
            person,
            None,
            None,
            identity.settings().sign_in_link_ttl,
            now,
        )
        .await
}

/// The address a person opens to use a link with `token`: `{base}/auth/link?token=...`.
pub fn link_url(base: &str, token: &str) -> String {
    format!("{}/auth/link?token={token}", base.trim_end_matches('/'))
}

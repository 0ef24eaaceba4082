//! The roles an actor can have, and the scope a role is granted for; roles decide which
//! commands an actor may give.
//!
//! Resident and helper are facts about a person (registration, opt-in). Every other role is
//! granted and revoked as an event on the person's stream (`RoleGranted`, `RoleRevoked`), with a
//! [`RoleScope`] saying over what the role holds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, OrganisationId};
use crate::values::ValueError;

/// What an actor is allowed to do, carried by every command in its [`crate::CommandContext`].
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A resident (hulpvrager): posts requests for themselves, answers calls.
    Resident,
    /// A resident who opted in as helper: may also offer help.
    Helper,
    /// A connector (burenverbinder, buurtwerker): triages, matches, refers, acts on behalf of residents.
    Connector,
    /// Staff of a partner organisation: refers residents in, reports referral outcomes.
    Partner,
    /// An ambassador: moderates one neighbourhood and invites residents.
    Ambassador,
    /// A funder: sees aggregate figures only and can cause no event at all.
    Funder,
    /// An auditor: receives exports and verifies them; read-only, can cause no event at all.
    Auditor,
    /// An administrator of the tenant.
    Admin,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 8] = [
        Role::Resident,
        Role::Helper,
        Role::Connector,
        Role::Partner,
        Role::Ambassador,
        Role::Funder,
        Role::Auditor,
        Role::Admin,
    ];

    /// The stable snake_case name of the role, as stored in metadata.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Helper => "helper",
            Role::Connector => "connector",
            Role::Partner => "partner",
            Role::Ambassador => "ambassador",
            Role::Funder => "funder",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// Connectors and admins manage requests for everyone (triage, match, refer, correct).
    pub const fn is_staff(&self) -> bool {
        matches!(self, Role::Connector | Role::Admin)
    }

    /// Roles that may act for a resident who does not use the app (post on behalf, answer for them).
    pub const fn may_act_on_behalf(&self) -> bool {
        matches!(self, Role::Connector | Role::Partner | Role::Admin)
    }

    /// Roles that look and never act: a funder (figures) and an auditor (exports). Every
    /// aggregate refuses their commands.
    pub const fn is_read_only(&self) -> bool {
        matches!(self, Role::Funder | Role::Auditor)
    }

    /// Roles that are granted and revoked as events. A resident is anyone registered and a
    /// helper someone who opted in: those are facts of their own, never granted.
    pub const fn is_granted(&self) -> bool {
        !self.is_resident()
    }

    /// The kind of scope a grant of this role must have, `None` for the roles never granted.
    pub const fn scope_kind(&self) -> Option<ScopeKind> {
        match self {
            Role::Resident | Role::Helper => None,
            Role::Connector | Role::Ambassador => Some(ScopeKind::Neighbourhoods),
            Role::Partner => Some(ScopeKind::Organisation),
            Role::Funder | Role::Auditor | Role::Admin => Some(ScopeKind::Tenant),
        }
    }

    /// Roles of residents acting for themselves.
    pub const fn is_resident(&self) -> bool {
        matches!(self, Role::Resident | Role::Helper)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no known role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a role (expected resident, helper, connector, partner, ambassador, funder, auditor or admin)")]
pub struct RoleParseError(pub String);

impl FromStr for Role {
    type Err = RoleParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| RoleParseError(s.chars().take(64).collect()))
    }
}

/// What a granted role holds over: the whole tenant, some neighbourhoods, or one organisation.
///
/// In JSON: `"tenant"`, `{"neighbourhoods": [<id>, ...]}` or `{"organisation": <id>}`. The
/// tenant itself is not named: it is the tenant of the person's stream.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RoleScope {
    /// The whole tenant (admin, funder, auditor).
    Tenant,
    /// These neighbourhoods (connector, ambassador).
    Neighbourhoods(Neighbourhoods),
    /// This partner organisation (partner).
    Organisation(OrganisationId),
}

impl RoleScope {
    /// The kind of this scope.
    pub const fn kind(&self) -> ScopeKind {
        match self {
            RoleScope::Tenant => ScopeKind::Tenant,
            RoleScope::Neighbourhoods(_) => ScopeKind::Neighbourhoods,
            RoleScope::Organisation(_) => ScopeKind::Organisation,
        }
    }
}

/// The kinds of [`RoleScope`], to say which one a role needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    /// The whole tenant.
    Tenant,
    /// A list of neighbourhoods.
    Neighbourhoods,
    /// One organisation.
    Organisation,
}

impl fmt::Display for ScopeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ScopeKind::Tenant => "the whole tenant",
            ScopeKind::Neighbourhoods => "one or more neighbourhoods",
            ScopeKind::Organisation => "one organisation",
        })
    }
}

/// The neighbourhoods of a scope: at least one and at most [`Neighbourhoods::MAX`], sorted and
/// without repeats, so two grants over the same neighbourhoods compare equal whatever order
/// they were named in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<NeighbourhoodId>", into = "Vec<NeighbourhoodId>")]
pub struct Neighbourhoods(Vec<NeighbourhoodId>);

impl utoipa::PartialSchema for Neighbourhoods {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(<NeighbourhoodId as utoipa::PartialSchema>::schema())
            .min_items(Some(1))
            .max_items(Some(Self::MAX))
            .description(Some("One or more neighbourhoods (repeats count once)."))
            .into()
    }
}

impl utoipa::ToSchema for Neighbourhoods {}

impl Neighbourhoods {
    /// The most neighbourhoods one grant can name.
    pub const MAX: usize = 1000;

    /// Sorts and deduplicates `ids`; refuses an empty list or one longer than [`Self::MAX`].
    pub fn new(ids: impl IntoIterator<Item = NeighbourhoodId>) -> Result<Self, ValueError> {
        let mut ids: Vec<NeighbourhoodId> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() || ids.len() > Self::MAX {
            return Err(ValueError::OutOfRange {
                what: "the number of neighbourhoods of a role",
                min: 1,
                max: Self::MAX as u32,
                value: ids.len() as u64,
            });
        }
        Ok(Self(ids))
    }

    /// The neighbourhoods, sorted.
    pub fn ids(&self) -> &[NeighbourhoodId] {
        &self.0
    }
}

impl TryFrom<Vec<NeighbourhoodId>> for Neighbourhoods {
    type Error = ValueError;

    fn try_from(ids: Vec<NeighbourhoodId>) -> Result<Self, Self::Error> {
        Self::new(ids)
    }
}

impl From<Neighbourhoods> for Vec<NeighbourhoodId> {
    fn from(n: Neighbourhoods) -> Self {
        n.0
    }
}

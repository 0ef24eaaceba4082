//! The roles an actor can have; roles decide which commands an actor may give.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What an actor is allowed to do, carried by every command in its [`crate::CommandContext`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
    /// An administrator of the tenant.
    Admin,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 7] = [
        Role::Resident,
        Role::Helper,
        Role::Connector,
        Role::Partner,
        Role::Ambassador,
        Role::Funder,
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
#[error("'{0}' is not a role (expected resident, helper, connector, partner, ambassador, funder or admin)")]
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

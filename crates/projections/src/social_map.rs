//! The social map: each tenant's neighbourhoods and the organisations a connector refers to,
//! with the categories of help they take and where (in the spirit of the Open Referral service
//! directory), folded from the neighbourhood and organisation events. Names of neighbourhoods
//! and organisations are not personal data.

use std::collections::BTreeSet;

use noaber_domain::neighbourhood::NeighbourhoodEvent;
use noaber_domain::organisation::{OrganisationEvent, OrganisationKind};
use noaber_domain::values::{ApproxLocation, CategoryCode, DisplayName, Distance};
use noaber_domain::{AnyEvent, NeighbourhoodId, OrganisationId, TenantId};
use serde::{Deserialize, Serialize};

use crate::fastmap::FastMap;
use crate::model::{Envelope, ReadModel};

/// A neighbourhood as the map shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NeighbourhoodEntry {
    /// The neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
    /// Its name.
    pub name: DisplayName,
    /// Its centre.
    pub centroid: ApproxLocation,
    /// How far it reaches from its centre.
    pub radius: Distance,
}

/// An organisation as the map shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrganisationEntry {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// Its name.
    pub name: DisplayName,
    /// What kind of organisation it is.
    pub kind: OrganisationKind,
    /// Whether it still takes referrals.
    pub active: bool,
    /// The categories of help it takes referrals for.
    pub categories: BTreeSet<CategoryCode>,
    /// The neighbourhoods it serves; empty: all of the tenant's.
    pub neighbourhoods: BTreeSet<NeighbourhoodId>,
}

impl OrganisationEntry {
    /// Whether it takes referrals for `category` (any when `None`) in `neighbourhood` (any
    /// when `None`).
    pub fn serves(
        &self,
        category: Option<&CategoryCode>,
        neighbourhood: Option<NeighbourhoodId>,
    ) -> bool {
        category.is_none_or(|c| self.categories.contains(c))
            && neighbourhood
                .is_none_or(|n| self.neighbourhoods.is_empty() || self.neighbourhoods.contains(&n))
    }
}

/// Every tenant's neighbourhoods and organisations.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SocialMap {
    neighbourhoods: FastMap<NeighbourhoodId, (TenantId, NeighbourhoodEntry)>,
    organisations: FastMap<OrganisationId, (TenantId, OrganisationEntry)>,
}

impl SocialMap {
    /// The neighbourhoods of `tenant`, by name.
    pub fn neighbourhoods(&self, tenant: TenantId) -> Vec<NeighbourhoodEntry> {
        let mut out: Vec<NeighbourhoodEntry> = self
            .neighbourhoods
            .values()
            .filter(|(t, _)| *t == tenant)
            .map(|(_, n)| n.clone())
            .collect();
        out.sort_by(|a, b| {
            (a.name.as_str(), a.neighbourhood_id).cmp(&(b.name.as_str(), b.neighbourhood_id))
        });
        out
    }

    /// The organisations of `tenant` that match `keep`, by name.
    pub fn organisations(
        &self,
        tenant: TenantId,
        keep: impl Fn(&OrganisationEntry) -> bool,
    ) -> Vec<OrganisationEntry> {
        let mut out: Vec<OrganisationEntry> = self
            .organisations
            .values()
            .filter(|(t, o)| *t == tenant && keep(o))
            .map(|(_, o)| o.clone())
            .collect();
        out.sort_by(|a, b| {
            (a.name.as_str(), a.organisation_id).cmp(&(b.name.as_str(), b.organisation_id))
        });
        out
    }
}

impl ReadModel for SocialMap {
    const NAME: &'static str = "social_map";
    const SNAPSHOT_VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope<'_>) {
        let tenant = TenantId::new(env.raw.tenant_id);
        match env.event {
            AnyEvent::Neighbourhood(event) => match event {
                NeighbourhoodEvent::NeighbourhoodRegistered(e) => {
                    self.neighbourhoods.insert(
                        e.neighbourhood_id,
                        (
                            tenant,
                            NeighbourhoodEntry {
                                neighbourhood_id: e.neighbourhood_id,
                                name: e.name.clone(),
                                centroid: e.centroid,
                                radius: e.radius,
                            },
                        ),
                    );
                }
                NeighbourhoodEvent::NeighbourhoodRenamed(e) => {
                    if let Some((_, n)) = self.neighbourhoods.get_mut(&e.neighbourhood_id) {
                        n.name = e.name.clone();
                    }
                }
                NeighbourhoodEvent::NeighbourhoodBoundaryChanged(e) => {
                    if let Some((_, n)) = self.neighbourhoods.get_mut(&e.neighbourhood_id) {
                        n.centroid = e.centroid;
                        n.radius = e.radius;
                    }
                }
            },
            AnyEvent::Organisation(event) => match event {
                OrganisationEvent::OrganisationRegistered(e) => {
                    self.organisations.insert(
                        e.organisation_id,
                        (
                            tenant,
                            OrganisationEntry {
                                organisation_id: e.organisation_id,
                                name: e.name.clone(),
                                kind: e.kind,
                                active: true,
                                categories: BTreeSet::new(),
                                neighbourhoods: BTreeSet::new(),
                            },
                        ),
                    );
                }
                OrganisationEvent::ServicesOffered(e) => {
                    if let Some((_, o)) = self.organisations.get_mut(&e.organisation_id) {
                        o.categories = e.categories.iter().cloned().collect();
                        o.neighbourhoods = e.neighbourhoods.iter().copied().collect();
                    }
                }
                OrganisationEvent::OrganisationDeactivated(e) => {
                    if let Some((_, o)) = self.organisations.get_mut(&e.organisation_id) {
                        o.active = false;
                    }
                }
            },
            _ => {}
        }
    }
}

//! The state of a neighbourhood.

use crate::ids::NeighbourhoodId;
use crate::values::{ApproxLocation, DisplayName, Distance};

/// The state of one neighbourhood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeighbourhoodState {
    /// Its id, once registered.
    pub neighbourhood_id: Option<NeighbourhoodId>,
    /// Its current name.
    pub name: Option<DisplayName>,
    /// Its current centre.
    pub centroid: Option<ApproxLocation>,
    /// Its current radius.
    pub radius: Option<Distance>,
}

impl NeighbourhoodState {
    /// Whether it was registered.
    pub fn is_registered(&self) -> bool {
        self.neighbourhood_id.is_some()
    }
}

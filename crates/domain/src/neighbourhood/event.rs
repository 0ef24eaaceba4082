//! The events of a neighbourhood.

use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, PersonId};
use crate::macros::event_enum;
use crate::values::{ApproxLocation, DisplayName, Distance};

/// A neighbourhood was registered, with an approximate centre and radius.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighbourhoodRegistered {
    /// The neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
    /// Its public name.
    pub name: DisplayName,
    /// Its approximate centre.
    pub centroid: ApproxLocation,
    /// Roughly how far it reaches from the centre.
    pub radius: Distance,
    /// Who registered it.
    pub registered_by: PersonId,
}

/// A neighbourhood's name changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighbourhoodRenamed {
    /// The neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
    /// The new name.
    pub name: DisplayName,
}

/// A neighbourhood's approximate centre or radius changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighbourhoodBoundaryChanged {
    /// The neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
    /// The new centre.
    pub centroid: ApproxLocation,
    /// The new radius.
    pub radius: Distance,
}

event_enum!(
    /// Everything that can happen to a neighbourhood.
    NeighbourhoodEvent (id: neighbourhood_id) {
        /// See [`NeighbourhoodRegistered`].
        NeighbourhoodRegistered = 1,
        /// See [`NeighbourhoodRenamed`].
        NeighbourhoodRenamed = 1,
        /// See [`NeighbourhoodBoundaryChanged`].
        NeighbourhoodBoundaryChanged = 1,
    }
);

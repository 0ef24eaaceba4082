//! The commands a neighbourhood accepts (admin only).

use serde::{Deserialize, Serialize};

use crate::ids::NeighbourhoodId;
use crate::values::{ApproxLocation, DisplayName, Distance};

/// What an admin asks of a neighbourhood aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum NeighbourhoodCommand {
    /// Register a neighbourhood.
    Register(RegisterNeighbourhood),
    /// Rename it.
    Rename(RenameNeighbourhood),
    /// Change its centre or radius.
    ChangeBoundary(ChangeBoundary),
}

/// Register a neighbourhood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterNeighbourhood {
    /// The new neighbourhood's id.
    pub neighbourhood_id: NeighbourhoodId,
    /// Its name.
    pub name: DisplayName,
    /// Its approximate centre.
    pub centroid: ApproxLocation,
    /// Its approximate radius.
    pub radius: Distance,
}

/// Rename it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenameNeighbourhood {
    /// The neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
    /// The new name.
    pub name: DisplayName,
}

/// Change its centre or radius.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeBoundary {
    /// The neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
    /// The new centre.
    pub centroid: ApproxLocation,
    /// The new radius.
    pub radius: Distance,
}

impl NeighbourhoodCommand {
    /// The neighbourhood the command is about.
    pub fn neighbourhood_id(&self) -> NeighbourhoodId {
        match self {
            NeighbourhoodCommand::Register(RegisterNeighbourhood {
                neighbourhood_id, ..
            })
            | NeighbourhoodCommand::Rename(RenameNeighbourhood {
                neighbourhood_id, ..
            })
            | NeighbourhoodCommand::ChangeBoundary(ChangeBoundary {
                neighbourhood_id, ..
            }) => *neighbourhood_id,
        }
    }
}

crate::macros::command_from!(NeighbourhoodCommand {
    Register(RegisterNeighbourhood),
    Rename(RenameNeighbourhood),
    ChangeBoundary(ChangeBoundary),
});

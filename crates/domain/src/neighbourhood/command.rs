//! The commands a neighbourhood accepts (admin only).

use serde::{Deserialize, Serialize};

use crate::ids::NeighbourhoodId;
use crate::values::{ApproxLocation, DisplayName, Distance};

/// What an admin asks of a neighbourhood aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum NeighbourhoodCommand {
    /// Register a neighbourhood.
    Register {
        /// The new neighbourhood's id.
        neighbourhood_id: NeighbourhoodId,
        /// Its name.
        name: DisplayName,
        /// Its approximate centre.
        centroid: ApproxLocation,
        /// Its approximate radius.
        radius: Distance,
    },
    /// Rename it.
    Rename {
        /// The neighbourhood.
        neighbourhood_id: NeighbourhoodId,
        /// The new name.
        name: DisplayName,
    },
    /// Change its centre or radius.
    ChangeBoundary {
        /// The neighbourhood.
        neighbourhood_id: NeighbourhoodId,
        /// The new centre.
        centroid: ApproxLocation,
        /// The new radius.
        radius: Distance,
    },
}

impl NeighbourhoodCommand {
    /// The neighbourhood the command is about.
    pub fn neighbourhood_id(&self) -> NeighbourhoodId {
        match self {
            NeighbourhoodCommand::Register {
                neighbourhood_id, ..
            }
            | NeighbourhoodCommand::Rename {
                neighbourhood_id, ..
            }
            | NeighbourhoodCommand::ChangeBoundary {
                neighbourhood_id, ..
            } => *neighbourhood_id,
        }
    }
}

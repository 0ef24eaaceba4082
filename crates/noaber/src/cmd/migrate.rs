//! `noaber migrate`: applies pending database migrations (opening the log does that) and says
//! where the log is and how far it reaches.

use std::process::ExitCode;

use crate::cli::CliError;
use crate::config::{self, StoreConfig};

/// Migrates the configured log and prints its location and head.
pub async fn run(store_config: &StoreConfig) -> Result<ExitCode, CliError> {
    let stores = config::open_stores(store_config, true).await?;
    let head = stores.events.head().await?;
    println!(
        "the {} event log at {} is up to date (head {head})",
        stores.events.backend(),
        stores.location
    );
    Ok(ExitCode::SUCCESS)
}

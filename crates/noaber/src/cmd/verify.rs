//! `noaber verify`: checks the hash chain of every stream (see [`noaber_store::verify`]) and
//! exits non-zero when one breaks, so that a cron job or CI step notices tampering.

use std::process::ExitCode;

use noaber_store::verify::verify_log;

use crate::cli::CliError;
use crate::config::{self, StoreConfig};

/// Verifies the configured log and prints the report.
pub async fn run(store_config: &StoreConfig) -> Result<ExitCode, CliError> {
    let stores = config::open_stores(store_config, false).await?;
    let report = verify_log(stores.events.as_ref()).await?;
    println!("{report}");
    Ok(if report.breaks.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

//! `noaber serve`: opens (and migrates) the event log, starts the read models following it and
//! serves the HTTP API until a shutdown signal, then saves a final snapshot of the models.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use noaber_api::http::{self, AppState};
use noaber_projections::runner::RunnerConfig;

use crate::cli::CliError;
use crate::config::{self, StoreConfig, Stores};

/// Options of `noaber serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TCP port to listen on (0 picks a free one, named in the log).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; use 0.0.0.0 to accept connections from other machines.
    #[arg(long, env = "NOABER_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
}

/// Serves the API until a shutdown signal.
pub async fn run(store_config: &StoreConfig, args: &ServeArgs) -> Result<ExitCode, CliError> {
    let Stores { events, keys, .. } = config::open_stores(store_config, true).await?;
    let privacy = config::open_privacy(store_config, keys.clone())?;
    let addr = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let snapshots = config::snapshot_store(store_config)?;
    let state = AppState::start(
        events.clone(),
        privacy,
        Arc::new(snapshots),
        RunnerConfig::default(),
    )
    .await;
    let projections = state.projections.clone();
    // Handlers first: a signal right after the announcement must still stop us gracefully.
    let shutdown = http::shutdown_signal();
    tracing::info!(address = %local, backend = events.backend(), "listening on http://{local}");
    let served = http::serve(listener, state, &http::HttpConfig::default(), shutdown).await;
    // A final snapshot, so that the next start does not replay everything.
    if let Err(e) = projections.shutdown().await {
        tracing::warn!(error = %e, "the read models could not be saved on shutdown");
    }
    served?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

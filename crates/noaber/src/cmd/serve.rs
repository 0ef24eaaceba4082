//! `noaber serve`: opens (and migrates) the event log, starts the read models following it and
//! serves the HTTP API until a shutdown signal, then saves a final snapshot of the models.
//!
//! The public address and the CORS allow-list are parsed by clap with the API's own parsers, so
//! a malformed origin (or `*`) stops the command before anything is opened, naming the value.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use noaber_api::http::{self, AppState, HttpConfig, Origin, PublicUrl};
use noaber_api::identity::bootstrap::{bootstrap, link_url, Plan};
use noaber_api::identity::sso::{Sso, SsoConfig};
use noaber_projections::runner::RunnerConfig;
use noaber_store::Checkpoint;

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
    /// The address people reach Noaber at, e.g. behind a proxy (`https://noaber.example.org`);
    /// an https address turns on Strict-Transport-Security.
    #[arg(long, env = "NOABER_PUBLIC_URL")]
    pub public_url: Option<PublicUrl>,
    /// Origin (`scheme://host[:port]`) of a client app allowed to call the API from a browser;
    /// repeat the flag, or separate origins by commas in the variable. None: same-origin only.
    #[arg(
        long = "cors-origin",
        env = "NOABER_CORS_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<Origin>,
    /// Address of a reverse proxy whose X-Forwarded-For is believed for the client's address
    /// (sign-in rate limits); repeat the flag, or separate addresses by commas in the variable.
    #[arg(
        long = "trusted-proxy",
        env = "NOABER_TRUSTED_PROXIES",
        value_name = "IP",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// A TOML file naming the tenants' OpenID providers (`[[provider]]` tables: `name`,
    /// `tenant`, and an `[provider.oidc]` table); see docs/identity-providers.md.
    #[arg(long, env = "NOABER_OIDC_CONFIG", value_name = "FILE")]
    pub oidc_config: Option<std::path::PathBuf>,
    /// Accept the development identity headers (x-noaber-tenant, -actor, -role) as proof of who
    /// is asking. For tests only: refused unless bound to a loopback address.
    #[arg(long)]
    pub insecure_dev_auth: bool,
}

impl ServeArgs {
    /// The HTTP layer's part of the configuration.
    pub fn http_config(&self) -> HttpConfig {
        HttpConfig {
            public_url: self.public_url.clone(),
            cors_origins: self.cors_origins.clone(),
            trusted_proxies: self.trusted_proxies.clone(),
            insecure_dev_headers: self.insecure_dev_auth,
            ..HttpConfig::default()
        }
    }
}

/// Serves the API until a shutdown signal.
pub async fn run(store_config: &StoreConfig, args: &ServeArgs) -> Result<ExitCode, CliError> {
    if args.insecure_dev_auth && !args.bind.is_loopback() {
        return Err(format!(
            "--insecure-dev-auth lets anyone claim any identity, so it only runs on a loopback address; it is bound to {}",
            args.bind
        )
        .into());
    }
    let Stores {
        events,
        keys,
        identity,
        ..
    } = config::open_stores(store_config, true).await?;
    let privacy = config::open_privacy(store_config, keys.clone())?;
    let addr = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let snapshots = config::snapshot_store(store_config)?;
    let sso = match &args.oidc_config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                format!(
                    "the OpenID configuration {} cannot be read: {e}",
                    path.display()
                )
            })?;
            let config: SsoConfig = toml::from_str(&text).map_err(|e| {
                format!(
                    "the OpenID configuration {} is not valid: {e}",
                    path.display()
                )
            })?;
            Sso::new(config)
                .map_err(|e| format!("the OpenID configuration {}: {e}", path.display()))?
        }
        None => Sso::default(),
    };
    let fresh = events.backend() == "sqlite" && events.head().await? == Checkpoint::START;
    let state = AppState::start(
        events.clone(),
        identity,
        privacy,
        Arc::new(snapshots),
        RunnerConfig::default(),
    )
    .await
    .with_sso(sso);
    let projections = state.projections.clone();
    // Credentials that stopped working a month ago, and old failure counters, are deleted once
    // an hour: the audit trail of who did what is the log, not these tables.
    // Personal data of requests that ended longer ago than their tenant keeps it ends in the
    // same hourly round.
    let identity = state.identity.store().clone();
    let schedule = state.clone();
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            hourly.tick().await;
            noaber_api::retention::expire_due(&schedule, chrono::Utc::now()).await;
            match identity
                .purge(chrono::Utc::now() - chrono::Duration::days(30))
                .await
            {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(credentials = n, "purged credentials that ended a month ago")
                }
                Err(e) => tracing::warn!(error = %e, "old credentials could not be purged"),
            }
        }
    });
    // Handlers first: a signal right after the announcement must still stop us gracefully.
    let shutdown = http::shutdown_signal();
    let http_config = args.http_config();
    let origins: Vec<&str> = http_config
        .cors_origins
        .iter()
        .map(Origin::as_str)
        .collect();
    tracing::info!(
        public_url = http_config.public_url.as_ref().map(tracing::field::display),
        hsts = http_config.hsts(),
        cors_origins = ?origins,
        "HTTP security settings"
    );
    if args.insecure_dev_auth {
        tracing::warn!("the development identity headers are accepted (--insecure-dev-auth): anyone here can claim any identity");
    }
    let base = http_config
        .public_base()
        .unwrap_or_else(|| format!("http://{local}"));
    if fresh {
        let set_up = bootstrap(
            &state.executor,
            &state.identity,
            &Plan::first_run(),
            chrono::Utc::now(),
        )
        .await
        .map_err(|e| format!("the first tenant could not be set up: {e}"))?;
        tracing::info!(tenant = %set_up.tenant, admin = %set_up.admin, "a first tenant, neighbourhood and administrator were set up");
        // To the terminal, never to the log: whoever holds this link is the administrator.
        println!(
            "\nNoaber is set up. Sign in as its administrator with this link (it works once, for {} minutes):\n\n    {}\n\nAnother link: noaber admin link\n",
            state.identity.settings().sign_in_link_ttl.num_minutes(),
            link_url(&base, &set_up.link.token)
        );
    }
    tracing::info!(address = %local, backend = events.backend(), "listening on http://{local}");
    let served = http::serve(listener, state, &http_config, shutdown).await;
    // A final snapshot, so that the next start does not replay everything.
    if let Err(e) = projections.shutdown().await {
        tracing::warn!(error = %e, "the read models could not be saved on shutdown");
    }
    served?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    fn serve_args(args: &[&str]) -> Result<super::ServeArgs, clap::Error> {
        let cli = Cli::try_parse_from(["noaber", "serve"].iter().chain(args))?;
        match cli.command {
            Command::Serve(args) => Ok(args),
            other => panic!("not serve: {other:?}"),
        }
    }

    #[test]
    fn cors_origins_may_be_repeated_and_are_kept_in_the_form_browsers_send() {
        let args = serve_args(&[
            "--cors-origin",
            "https://app.example.org",
            "--cors-origin",
            "HTTP://localhost:5173",
            "--public-url",
            "https://noaber.example.org",
        ])
        .expect("valid options");
        let config = args.http_config();
        let origins: Vec<&str> = config.cors_origins.iter().map(|o| o.as_str()).collect();
        assert_eq!(
            origins,
            ["https://app.example.org", "http://localhost:5173"]
        );
        assert!(config.hsts());
    }

    #[test]
    fn without_the_options_there_is_no_hsts_and_no_cross_origin_client() {
        let config = serve_args(&[]).expect("valid options").http_config();
        assert_eq!(config, noaber_api::http::HttpConfig::default());
    }

    #[test]
    fn a_wildcard_origin_stops_the_command_with_a_clear_error() {
        let error = serve_args(&["--cors-origin", "*"]).expect_err("the wildcard is refused");
        let text = error.to_string();
        assert!(text.contains("--cors-origin"), "{text}");
        assert!(text.contains("wildcard"), "{text}");
    }

    #[test]
    fn a_malformed_origin_stops_the_command_naming_the_value() {
        let error = serve_args(&["--cors-origin", "app.example.org"]).expect_err("no scheme");
        let text = error.to_string();
        assert!(text.contains("app.example.org"), "{text}");
        assert!(text.contains("no scheme"), "{text}");
    }
}

//! The `noaber` command line: the global options with their environment fallbacks, the list of
//! subcommands, and the dispatch to [`crate::cmd`], where each subcommand's options sit beside
//! its `run`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::cmd;
use crate::config::{self, LogFormat, StoreConfig};

/// The error type of a subcommand: anything with a message for a person.
pub type CliError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Noaber: event-sourced neighbourhood help.
#[derive(Parser)]
#[command(
    name = "noaber",
    version,
    about = "Noaber: event-sourced neighbourhood help (burenhulp)",
    long_about = None
)]
pub struct Cli {
    /// PostgreSQL URL of the event log (as sqlx expects); without one, Noaber uses the embedded
    /// log in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Directory of the embedded event log, created when missing.
    #[arg(
        long,
        env = "NOABER_DATA_DIR",
        global = true,
        default_value = "./noaber-data"
    )]
    pub data_dir: PathBuf,
    /// File holding the master key that wraps every person's encryption key.
    #[arg(long, env = "NOABER_MASTER_KEY", global = true, hide_env_values = true)]
    pub master_key_file: Option<PathBuf>,
    /// Log line format; filter with RUST_LOG (default `info`).
    #[arg(long, env = "NOABER_LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl std::fmt::Debug for Cli {
    // By hand, like `StoreConfig`'s: the database URL's password must not reach a log through
    // `{:?}`, and the store part already knows how to hide it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cli")
            .field("store", &self.store_config())
            .field("log_format", &self.log_format)
            .field("command", &self.command)
            .finish()
    }
}

impl Cli {
    /// The store part of the configuration.
    pub fn store_config(&self) -> StoreConfig {
        StoreConfig {
            database_url: self.database_url.clone().filter(|u| !u.trim().is_empty()),
            data_dir: self.data_dir.clone(),
            master_key_file: self.master_key_file.clone(),
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (applies pending migrations first).
    Serve(cmd::serve::ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Check the hash chain of every stream in the log; exits non-zero when one breaks.
    Verify,
    /// Print the taxonomy: skills, request categories and target groups, with their labels.
    Taxonomy(cmd::taxonomy::TaxonomyArgs),
    /// Print the OpenAPI 3.1 document of the HTTP API (what `GET /openapi.json` serves).
    Openapi,
    /// Measure the event log, the read models or the KPI queries.
    #[command(subcommand)]
    Bench(cmd::bench::BenchCommand),
    /// Fill the log with a generated, realistic history (same seed, same history).
    Demo(cmd::demo::DemoArgs),
    /// Funder figures for a period, optionally as of a past moment or against another period.
    Kpi(cmd::kpi::KpiArgs),
    /// Rebuild every read model from the log and report the throughput.
    Replay,
    /// Check a deployment (database, master key, disk, hash chains) and say what to fix.
    Doctor,
    /// The platform administrator's commands: set up a tenant, issue a sign-in link.
    #[command(subcommand)]
    Admin(cmd::admin::AdminCommand),
}

/// Runs the command line to completion and returns the process's exit code.
pub fn main(cli: Cli) -> ExitCode {
    config::init_logging(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            let mut message = format!("error: {e}");
            let mut source = e.source();
            while let Some(cause) = source {
                message.push_str(&format!("\n  caused by: {cause}"));
                source = cause.source();
            }
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one subcommand.
pub async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let store_config = cli.store_config();
    match cli.command {
        Command::Serve(args) => cmd::serve::run(&store_config, &args).await,
        Command::Migrate => cmd::migrate::run(&store_config).await,
        Command::Verify => cmd::verify::run(&store_config).await,
        Command::Doctor => cmd::doctor::run(&store_config).await,
        Command::Taxonomy(args) => cmd::taxonomy::run(&args),
        Command::Openapi => cmd::openapi::run(),
        Command::Bench(command) => cmd::bench::run(&store_config, &command).await,
        Command::Demo(args) => {
            let stores = config::open_stores(&store_config, true).await?;
            let privacy = config::open_privacy(&store_config, stores.keys.clone())?;
            let executor = noaber_store::exec::Executor::new(stores.events, privacy);
            print!("{}", cmd::demo::run(&executor, &args).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Kpi(args) => {
            let stores = config::open_stores(&store_config, false).await?;
            print!("{}", cmd::kpi::run(stores.events, args).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(command) => cmd::admin::run(&store_config, &command).await,
        Command::Replay => {
            let stores = config::open_stores(&store_config, false).await?;
            cmd::replay::run(stores.events).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn the_debug_form_of_the_command_line_hides_the_database_password() {
        let cli = Cli::try_parse_from([
            "noaber",
            "--database-url",
            "postgres://noaber:hunter2@db.example/noaber",
            "migrate",
        ])
        .expect("valid options");
        let text = format!("{cli:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("noaber:***@db.example"), "{text}");
    }
}

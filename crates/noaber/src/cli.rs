//! The `noaber` command line: global options with environment fallbacks, the subcommands, and
//! the small ones implemented here (`serve`, `migrate`, `verify`, `taxonomy`); the larger ones
//! live in [`crate::cmd`] and [`crate::bench`] and are only wired here.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};
use futures::StreamExt;
use noaber_projections::runner::{Projections, RunnerConfig};
use noaber_store::{Checkpoint, EventFilter, RecordedEvent, StoreErrorKind};

use crate::config::{self, LogFormat, StoreConfig, Stores};
use crate::http::{self, AppState};

/// The error type of a subcommand: anything with a message for a person.
pub type CliError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Noaber: event-sourced neighbourhood help.
#[derive(Debug, Parser)]
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
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Check the hash chain of every stream in the log; exits non-zero when one breaks.
    Verify,
    /// Print the taxonomy: skills, request categories and target groups, with their labels.
    Taxonomy(TaxonomyArgs),
    /// Measure the event log or the read models.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Fill the log with a generated, realistic history (same seed, same history).
    Demo(crate::cmd::demo::DemoArgs),
    /// Funder figures for a period, optionally as of a past moment or against another period.
    Kpi(crate::cmd::kpi::KpiArgs),
    /// Rebuild every read model from the log and report the throughput.
    Replay,
}

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

/// Options of `noaber taxonomy`.
#[derive(Debug, Args)]
pub struct TaxonomyArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = TaxonomyFormat::Table)]
    pub format: TaxonomyFormat,
}

/// How `noaber taxonomy` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaxonomyFormat {
    /// Aligned columns for a person.
    Table,
    /// The whole taxonomy as JSON, as the API serves it.
    Json,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Appends and reads of the event log beside the raw database ceiling.
    Store(BenchStoreArgs),
    /// Rebuilding and querying the read models over a generated log.
    Projections(BenchProjectionsArgs),
}

/// Options of `noaber bench store`.
#[derive(Debug, Args)]
pub struct BenchStoreArgs {
    /// Events in the log for the read cases.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Also write the results to this file, one JSON object per case.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Options of `noaber bench projections` (the server comes from the global `--database-url`).
#[derive(Debug, Args)]
pub struct BenchProjectionsArgs {
    /// Also write the results to this file, one JSON object per case.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// The demo history's seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// `large` (about a million events, the benchmark) or `small` (a quick try-out).
    #[arg(long, default_value = "large", value_parser = parse_scale)]
    pub scale: noaber_projections::demo::Scale,
    /// How many demo tenants are written at the same time.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Measure the log already in this database on the same server (as left by an earlier
    /// run, which prints its name) instead of generating one: writing it takes minutes.
    #[arg(long)]
    pub reuse_database: Option<String>,
}

fn parse_scale(text: &str) -> Result<noaber_projections::demo::Scale, String> {
    text.parse()
        .map_err(|e: <noaber_projections::demo::Scale as std::str::FromStr>::Err| e.to_string())
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
        Command::Serve(args) => serve(&store_config, &args).await,
        Command::Migrate => migrate(&store_config).await,
        Command::Verify => {
            let stores = config::open_stores(&store_config, false).await?;
            let report = verify(&stores).await?;
            println!("{report}");
            Ok(if report.breaks.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Taxonomy(args) => taxonomy(&args),
        Command::Bench(BenchCommand::Store(args)) => bench_store(&store_config, &args).await,
        Command::Bench(BenchCommand::Projections(args)) => {
            bench_projections(&store_config, &args).await
        }
        Command::Demo(args) => {
            let stores = config::open_stores(&store_config, true).await?;
            let privacy = config::open_privacy(&store_config, stores.keys.clone())?;
            let executor = noaber_store::exec::Executor::new(stores.events, privacy);
            print!("{}", crate::cmd::demo::run(&executor, &args).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Kpi(args) => {
            let stores = config::open_stores(&store_config, false).await?;
            print!("{}", crate::cmd::kpi::run(stores.events, args).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay => {
            let stores = config::open_stores(&store_config, false).await?;
            crate::cmd::replay::run(stores.events).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(store_config: &StoreConfig, args: &ServeArgs) -> Result<ExitCode, CliError> {
    let Stores { events, keys, .. } = config::open_stores(store_config, true).await?;
    let privacy = config::open_privacy(store_config, keys.clone())?;
    let addr = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let snapshots = config::snapshot_store(store_config)?;
    let projections =
        Projections::start(events.clone(), Arc::new(snapshots), RunnerConfig::default()).await;
    // Handlers first: a signal right after the announcement must still stop us gracefully.
    let shutdown = http::shutdown_signal();
    tracing::info!(address = %local, backend = events.backend(), "listening on http://{local}");
    let served = http::serve(
        listener,
        AppState::new(events, keys, privacy, projections.clone()),
        shutdown,
    )
    .await;
    // A final snapshot, so that the next start does not replay everything.
    if let Err(e) = projections.shutdown().await {
        tracing::warn!(error = %e, "the read models could not be saved on shutdown");
    }
    served?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn bench_store(
    store_config: &StoreConfig,
    args: &BenchStoreArgs,
) -> Result<ExitCode, CliError> {
    let data_dir = config::prepare_data_dir(&store_config.data_dir)?;
    let options = crate::bench::store::StoreBenchOptions {
        database_url: store_config.database_url.clone(),
        events: args.events,
        data_dir,
    };
    let cases = crate::bench::store::run(&options).await?;
    crate::bench::store::print_table(&cases);
    if let Some(path) = &args.json {
        write_json(path, &cases)?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn bench_projections(
    store_config: &StoreConfig,
    args: &BenchProjectionsArgs,
) -> Result<ExitCode, CliError> {
    let database_url = store_config
        .database_url
        .clone()
        .ok_or(crate::bench::projections::BenchError::NoDatabase)?;
    let options = crate::bench::projections::BenchOptions {
        database_url,
        seed: args.seed,
        scale: args.scale,
        concurrency: args.concurrency,
        progress: true,
        reuse_database: args.reuse_database.clone(),
    };
    let cases = crate::bench::projections::run(&options).await?;
    print!("{}", crate::bench::projections::print_table(&cases));
    if let Some(path) = &args.json {
        crate::bench::projections::write_json(&cases, path)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_json(path: &std::path::Path, value: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

async fn migrate(store_config: &StoreConfig) -> Result<ExitCode, CliError> {
    let stores = config::open_stores(store_config, true).await?;
    let head = stores.events.head().await?;
    println!(
        "the {} event log at {} is up to date (head {head})",
        stores.events.backend(),
        stores.location
    );
    Ok(ExitCode::SUCCESS)
}

/// What `noaber verify` found.
#[derive(Debug, Default)]
pub struct VerifyReport {
    /// Streams checked.
    pub streams: u64,
    /// Events checked.
    pub events: u64,
    /// Every break found, one sentence each.
    pub breaks: Vec<String>,
}

impl std::fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.breaks.is_empty() {
            write!(
                f,
                "verified {} events in {} streams: every hash chain holds",
                self.events, self.streams
            )
        } else {
            writeln!(
                f,
                "verified {} events in {} streams: {} chain(s) BROKEN",
                self.events,
                self.streams,
                self.breaks.len()
            )?;
            for b in &self.breaks {
                writeln!(f, "  {b}")?;
            }
            Ok(())
        }
    }
}

/// Reads every stream of the log and checks its hash chain.
///
/// The log is walked in pages to learn the stream ids (only they are kept in memory), then each
/// stream is read on its own and checked with [`noaber_store::hash::verify_chain`].
pub async fn verify(stores: &Stores) -> Result<VerifyReport, CliError> {
    const PAGE: usize = 10_000;
    let store = &stores.events;
    let filter = EventFilter::all();
    let mut streams = BTreeSet::new();
    let mut after = Checkpoint::START;
    loop {
        let mut page = store.read_all(after, PAGE, &filter);
        let mut seen = 0usize;
        while let Some(event) = page.next().await {
            let event = event?;
            after = event.checkpoint;
            streams.insert(event.stream_id);
            seen += 1;
        }
        if seen < PAGE {
            break;
        }
    }
    let mut report = VerifyReport::default();
    for stream in &streams {
        report.streams += 1;
        let mut events: Vec<RecordedEvent> = Vec::new();
        let mut reading = store.read_stream(stream, 1);
        let mut unreadable = None;
        while let Some(event) = reading.next().await {
            match event {
                Ok(event) => events.push(event),
                // A stored event that no longer parses is a break of the log, not a reason to
                // stop checking the other streams.
                Err(e) if matches!(e.kind(), StoreErrorKind::Corrupt) => {
                    unreadable = Some(e);
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
        report.events += events.len() as u64;
        if let Some(e) = unreadable {
            report.breaks.push(format!(
                "stream {stream}: a stored event cannot be read: {e}"
            ));
        } else if let Err(b) = noaber_store::hash::verify_chain(events.iter()) {
            report.breaks.push(b.to_string());
        }
    }
    Ok(report)
}

fn taxonomy(args: &TaxonomyArgs) -> Result<ExitCode, CliError> {
    let taxonomy = noaber_domain::taxonomy::taxonomy();
    match args.format {
        TaxonomyFormat::Json => println!("{}", serde_json::to_string_pretty(taxonomy)?),
        TaxonomyFormat::Table => print!("{}", taxonomy_table(taxonomy)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The taxonomy as aligned text tables: skills, request categories, target groups.
pub fn taxonomy_table(taxonomy: &noaber_domain::taxonomy::Taxonomy) -> String {
    let mut out = String::new();
    let skills: Vec<Vec<String>> = taxonomy
        .skills()
        .iter()
        .map(|s| {
            vec![
                s.code.to_owned(),
                s.group.to_owned(),
                s.labels.nl.to_owned(),
                s.labels.fr.to_owned(),
                s.labels.en.to_owned(),
            ]
        })
        .collect();
    push_table(
        &mut out,
        &format!("SKILLS ({})", skills.len()),
        &["code", "group", "nl", "fr", "en"],
        &skills,
    );
    let categories: Vec<Vec<String>> = taxonomy
        .categories()
        .iter()
        .map(|c| {
            vec![
                c.code.to_owned(),
                c.labels.nl.to_owned(),
                c.labels.fr.to_owned(),
                c.labels.en.to_owned(),
                c.skills.len().to_string(),
            ]
        })
        .collect();
    push_table(
        &mut out,
        &format!("REQUEST CATEGORIES ({})", categories.len()),
        &["code", "nl", "fr", "en", "skills"],
        &categories,
    );
    let groups: Vec<Vec<String>> = taxonomy
        .target_groups()
        .iter()
        .map(|t| {
            vec![
                t.code.to_owned(),
                t.labels.nl.to_owned(),
                t.labels.fr.to_owned(),
                t.labels.en.to_owned(),
            ]
        })
        .collect();
    push_table(
        &mut out,
        &format!("TARGET GROUPS ({})", groups.len()),
        &["code", "nl", "fr", "en"],
        &groups,
    );
    out
}

fn push_table(out: &mut String, title: &str, header: &[&str], rows: &[Vec<String>]) {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, cell) in cells.enumerate() {
            if i + 1 == widths.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                let pad = widths[i] - cell.chars().count() + 2;
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        text.trim_end().to_owned()
    };
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(title);
    out.push('\n');
    out.push_str(&line(&mut header.iter().copied()));
    out.push('\n');
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
        out.push('\n');
    }
}

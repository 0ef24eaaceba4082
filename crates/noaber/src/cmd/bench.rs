//! `noaber bench store`, `noaber bench projections` and `noaber bench kpi`: the command-line side of the
//! benchmarks in `noaber_bench`, which print figures and ratios and never assert on time.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use noaber_bench::http::HttpBenchOptions;
use noaber_bench::kpi::{self, KpiBenchOptions};
use noaber_bench::projections::{self, BenchError, BenchOptions, Progress};
use noaber_bench::store::{self, StoreBenchOptions};
use noaber_demo::Scale;

use crate::cli::CliError;
use crate::config::{self, StoreConfig};

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Appends and reads of the event log beside the raw database ceiling.
    Store(BenchStoreArgs),
    /// Rebuilding and querying the read models over a generated log.
    Projections(BenchProjectionsArgs),
    /// KPI queries on large synthetic histories in memory (no database needed).
    Kpi(BenchKpiArgs),
    /// Reads over real HTTP with personal data opened, beside the same reads opening nothing.
    Http(BenchHttpArgs),
    /// Every read route over real HTTP, on the embedded store and (with the global
    /// `--database-url`) on PostgreSQL, with the ratio of the two.
    Routes(BenchHttpArgs),
    /// How long an event takes to reach many open live update streams.
    Stream(BenchStreamArgs),
}

/// Options of `noaber bench stream`.
#[derive(Debug, Args)]
pub struct BenchStreamArgs {
    /// Streams open at once.
    #[arg(long, default_value_t = 1000)]
    pub streams: usize,
    /// Writes made while they are open, one every 100 ms.
    #[arg(long, default_value_t = 50)]
    pub writes: usize,
}

/// Options of `noaber bench http`.
#[derive(Debug, Args)]
pub struct BenchHttpArgs {
    /// Open requests in the neighbourhood.
    #[arg(long, default_value_t = HttpBenchOptions::default().requests)]
    pub requests: usize,
    /// Clients reading at the same time.
    #[arg(long, default_value_t = HttpBenchOptions::default().concurrency)]
    pub concurrency: usize,
    /// Seconds each case runs.
    #[arg(long, default_value_t = HttpBenchOptions::default().seconds)]
    pub seconds: u64,
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
    pub scale: Scale,
    /// How many demo tenants are written at the same time.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Measure the log already in this database on the same server (as left by an earlier
    /// run, which prints its name) instead of generating one: writing it takes minutes.
    #[arg(long)]
    pub reuse_database: Option<String>,
}

/// Options of `noaber bench kpi`.
#[derive(Debug, Args)]
pub struct BenchKpiArgs {
    /// Requests in each synthetic history (110,000 make about 0.8 million events).
    #[arg(long, default_value_t = KpiBenchOptions::default().requests)]
    pub requests: usize,
    /// How often each query runs; the fastest and the median time are printed.
    #[arg(long, default_value_t = KpiBenchOptions::default().runs)]
    pub runs: usize,
    /// Also write the results to this file, one JSON object per case.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

fn parse_scale(text: &str) -> Result<Scale, String> {
    text.parse()
        .map_err(|e: <Scale as std::str::FromStr>::Err| e.to_string())
}

/// Runs the chosen benchmark and prints its table.
pub async fn run(store_config: &StoreConfig, command: &BenchCommand) -> Result<ExitCode, CliError> {
    match command {
        BenchCommand::Store(args) => bench_store(store_config, args).await,
        BenchCommand::Projections(args) => bench_projections(store_config, args).await,
        BenchCommand::Kpi(args) => bench_kpi(args),
        BenchCommand::Http(args) => {
            let options = HttpBenchOptions {
                requests: args.requests,
                concurrency: args.concurrency,
                seconds: args.seconds,
            };
            eprintln!(
                "setting up {} requests, then {} clients for {} s per case",
                options.requests, options.concurrency, options.seconds
            );
            let cases = noaber_bench::http::run(&options).await?;
            print!("{}", noaber_bench::http::print_table(&cases));
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Routes(args) => {
            let options = noaber_bench::routes::RoutesBenchOptions {
                http: HttpBenchOptions {
                    requests: args.requests,
                    concurrency: args.concurrency,
                    seconds: args.seconds,
                },
                database_url: store_config.database_url.clone(),
            };
            eprintln!(
                "setting up {} requests on each store, then {} clients for {} s per route",
                args.requests, args.concurrency, args.seconds
            );
            let cases = noaber_bench::routes::run(&options).await?;
            print!("{}", noaber_bench::routes::print_table(&cases));
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Stream(args) => {
            eprintln!(
                "opening {} streams, then {} writes 100 ms apart",
                args.streams, args.writes
            );
            let case = noaber_bench::routes::run_stream(args.streams, args.writes, 50).await?;
            println!(
                "streams {}  writes {}  deliveries {}/{}  p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
                case.streams,
                case.writes,
                case.deliveries,
                case.expected,
                case.p50_ms,
                case.p99_ms,
                case.max_ms
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn bench_store(
    store_config: &StoreConfig,
    args: &BenchStoreArgs,
) -> Result<ExitCode, CliError> {
    let data_dir = config::prepare_data_dir(&store_config.data_dir)?;
    let options = StoreBenchOptions {
        database_url: store_config.database_url.clone(),
        events: args.events,
        data_dir,
    };
    let cases = store::run(&options).await?;
    store::print_table(&cases);
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
        .ok_or(BenchError::NoDatabase)?;
    let options = BenchOptions {
        database_url,
        seed: args.seed,
        scale: args.scale,
        concurrency: args.concurrency,
        progress: Arc::new(Bars::default()),
        reuse_database: args.reuse_database.clone(),
    };
    let cases = projections::run(&options).await?;
    print!("{}", projections::print_table(&cases));
    if let Some(path) = &args.json {
        projections::write_json(&cases, path)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn bench_kpi(args: &BenchKpiArgs) -> Result<ExitCode, CliError> {
    let cases = kpi::run(&KpiBenchOptions {
        requests: args.requests,
        runs: args.runs,
    });
    print!("{}", projections::print_table(&cases));
    if let Some(path) = &args.json {
        projections::write_json(&cases, path)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// The benchmark's long steps as progress bars on standard error.
#[derive(Debug, Default)]
struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

impl Bars {
    fn with(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        // A poisoned lock only means another thread panicked while drawing; keep drawing.
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut current);
    }
}

impl Progress for Bars {
    fn start(&self, what: &str, events: Option<u64>) {
        let bar = match events {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::new_spinner(),
        };
        let template =
            format!("{what}: {{pos}}/{{len}} events [{{elapsed_precise}}] {{per_sec}} eta {{eta}}");
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        self.with(|current| *current = Some(bar));
    }

    fn set(&self, done: u64) {
        // indicatif limits how often it redraws, so every update can be passed on.
        self.with(|current| {
            if let Some(bar) = current {
                bar.set_position(done);
            }
        });
    }

    fn finish(&self) {
        self.with(|current| {
            if let Some(bar) = current.take() {
                bar.finish_and_clear();
            }
        });
    }

    fn note(&self, text: &str) {
        eprintln!("{text}");
    }
}

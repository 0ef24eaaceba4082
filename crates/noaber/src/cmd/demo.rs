//! `noaber demo`: fills the log with a realistic, reproducible history of neighbourhood help,
//! written through the domain's commands (see `noaber_demo`).

use indicatif::{ProgressBar, ProgressStyle};
use noaber_demo::{self as demo, DemoError, DemoSummary, Scale};
use noaber_store::exec::Executor;

/// Options of `noaber demo`.
#[derive(Clone, Debug, clap::Args)]
pub struct DemoArgs {
    /// The seed of the history: the same seed gives the same history.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// `small` (one tenant, two neighbourhoods, ~400 requests over 18 months) or `large`
    /// (about a million events, for benchmarks).
    #[arg(long, default_value = "small", value_parser = parse_scale)]
    pub scale: Scale,
    /// How many tenants are written at the same time (each tenant's commands stay in order).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Print no progress bar.
    #[arg(long)]
    pub quiet: bool,
}

fn parse_scale(text: &str) -> Result<Scale, String> {
    text.parse::<Scale>().map_err(|e| e.to_string())
}

/// What `noaber demo` prints at the end.
#[derive(Clone, Debug)]
pub struct DemoReport {
    /// The seed used.
    pub seed: u64,
    /// The scale used.
    pub scale: Scale,
    /// What was written.
    pub summary: DemoSummary,
    /// Wall-clock seconds taken.
    pub seconds: f64,
}

impl std::fmt::Display for DemoReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.summary;
        let rate = if self.seconds > 0.0 {
            s.events as f64 / self.seconds
        } else {
            0.0
        };
        writeln!(
            f,
            "demo data (seed {}, scale {}): {} tenant(s), {} commands, {} events in {:.1} s ({:.0} events/s)",
            self.seed, self.scale, s.tenants, s.commands, s.events, self.seconds, rate
        )?;
        if s.refused > 0 {
            writeln!(
                f,
                "{} command(s) were refused by the domain; the first:",
                s.refused
            )?;
            for r in &s.refusals {
                writeln!(f, "  {r}")?;
            }
        }
        Ok(())
    }
}

/// Writes the demo history through `executor`, showing a progress bar on stderr.
pub async fn run(executor: &Executor, args: &DemoArgs) -> Result<DemoReport, DemoError> {
    let expected = match args.scale {
        Scale::Small => None,
        Scale::Large => Some(Scale::LARGE_EVENTS),
    };
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else if let Some(total) = expected {
        ProgressBar::new(total)
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {pos}/{len} events [{elapsed_precise}] {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    // indicatif limits how often it redraws, so every update can be passed on.
    let progress = |events: u64| bar.set_position(events);
    let summary = demo::run(executor, args.seed, args.scale, args.concurrency, &progress).await?;
    bar.finish_and_clear();
    Ok(DemoReport {
        seed: args.seed,
        scale: args.scale,
        summary,
        seconds: started.elapsed().as_secs_f64(),
    })
}

//! `noaber kpi`: folds the log into the funder KPI model and prints the figures of a period (or
//! two periods side by side) as a funder receives them: small counts suppressed.
//!
//! Wiring into the CLI (cli.rs), for whoever owns it:
//!
//! ```text
//! // in the subcommand enum:
//! /// Funder KPIs for a period, optionally compared with a baseline period.
//! Kpi(noaber_api::cmd::kpi::KpiArgs),      // KpiArgs derives clap::Args
//!
//! // in the dispatch (store: Arc<dyn EventStore>, opened like every other subcommand):
//! Command::Kpi(args) => {
//!     let out = noaber_api::cmd::kpi::run(store, args).await?;   // KpiCommandError: thiserror
//!     print!("{out}");                                          // ends with a newline
//! }
//! ```
//!
//! Dates are `YYYY-MM-DD` (midnight UTC) or RFC 3339 timestamps; periods are [from, to).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use noaber_domain::{AnyEvent, NeighbourhoodEvent};
use noaber_projections::kpi::{
    Breakdown, FigureChange, FigureValue, FunderComparison, FunderFigures, FunderReport, Interval,
    KpiQuery, Kpis, ReportScope, Shown,
};
use noaber_projections::model::{Envelope, ReadModel};
use noaber_store::{Checkpoint, EventFilter, EventStore, StoreError};
use uuid::Uuid;

/// How many events are read from the log per batch.
const BATCH: usize = 10_000;

/// A breakdown as given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ByArg {
    /// One row per neighbourhood.
    Neighbourhood,
    /// One row per request category.
    Category,
    /// One row per channel (app, match point, home visit, phone, partner referral).
    Channel,
}

/// A series step as given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SeriesArg {
    /// Calendar weeks, Monday to Monday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
}

/// The output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// A table for reading.
    #[default]
    Table,
    /// Comma-separated values, one figure per line, for spreadsheets.
    Csv,
    /// JSON, with suppressed figures as `{"suppressed": true}`.
    Json,
}

/// The arguments of `noaber kpi`.
#[derive(Clone, Debug, clap::Args)]
pub struct KpiArgs {
    /// The tenant (organisation or municipality) id.
    #[arg(long)]
    pub tenant: Uuid,
    /// Start of the period (inclusive): requests posted from then on.
    #[arg(long, value_parser = parse_time)]
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    #[arg(long, value_parser = parse_time)]
    pub to: DateTime<Utc>,
    /// Figures as the log knew them at this moment (recorded time); later entries are ignored.
    #[arg(long, value_parser = parse_time)]
    pub as_of: Option<DateTime<Utc>>,
    /// Statuses (resolved, open, ...) are taken at this date [default: --as-of, else now].
    #[arg(long, value_parser = parse_time)]
    pub report_date: Option<DateTime<Utc>>,
    /// Start of a baseline period to compare with (needs --compare-to).
    #[arg(long, value_parser = parse_time, requires = "compare_to")]
    pub compare_from: Option<DateTime<Utc>>,
    /// End of the baseline period (exclusive).
    #[arg(long, value_parser = parse_time, requires = "compare_from")]
    pub compare_to: Option<DateTime<Utc>>,
    /// Break the figures down.
    #[arg(long, value_enum)]
    pub by: Option<ByArg>,
    /// Add a time series.
    #[arg(long, value_enum)]
    pub series: Option<SeriesArg>,
    /// Only these neighbourhoods (repeatable).
    #[arg(long = "neighbourhood")]
    pub neighbourhoods: Vec<Uuid>,
    /// Only these categories, by code (repeatable).
    #[arg(long = "category")]
    pub categories: Vec<String>,
    /// Only these channels (repeatable): app, match_point, home_visit, phone, partner_referral.
    #[arg(long = "channel")]
    pub channels: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Counts below this are suppressed (withheld, never shown as zero).
    #[arg(long, default_value_t = noaber_projections::kpi::DEFAULT_SUPPRESSION_THRESHOLD)]
    pub suppress_below: u64,
}

/// Why `noaber kpi` could not produce figures.
#[derive(Debug, thiserror::Error)]
pub enum KpiCommandError {
    /// The log could not be read.
    #[error("the event log could not be read: {0}")]
    Store(#[from] StoreError),
    /// A period ends before it starts.
    #[error("the period from {from} to {to} is empty: --to must be after --from")]
    EmptyPeriod {
        /// The start given.
        from: DateTime<Utc>,
        /// The end given.
        to: DateTime<Utc>,
    },
    /// A channel name is not one Noaber knows.
    #[error("unknown channel {0:?}: use app, match_point, home_visit, phone or partner_referral")]
    UnknownChannel(String),
    /// The JSON output could not be written.
    #[error("the figures could not be written as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Parses `YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp.
pub fn parse_time(raw: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{raw:?} is not a date (YYYY-MM-DD) or an RFC 3339 timestamp"))
}

/// Folds every request event of `tenant` into a fresh KPI model. Events that cannot be decoded
/// are skipped and counted (the second value).
pub async fn fold_tenant(
    store: &dyn EventStore,
    tenant: Uuid,
) -> Result<(Kpis, u64), KpiCommandError> {
    let (kpis, _, undecodable) = fold_tenant_with_names(store, tenant).await?;
    Ok((kpis, undecodable))
}

/// Like [`fold_tenant`], and also collects the tenant's neighbourhood names (public names, not
/// personal data) so that a breakdown can show them instead of ids.
pub async fn fold_tenant_with_names(
    store: &dyn EventStore,
    tenant: Uuid,
) -> Result<(Kpis, HashMap<String, String>, u64), KpiCommandError> {
    let filter = EventFilter {
        tenant_id: Some(tenant),
        categories: vec!["request".to_owned(), "neighbourhood".to_owned()],
        event_types: Vec::new(),
    };
    let mut kpis = Kpis::default();
    let mut names = HashMap::new();
    let mut after = Checkpoint::START;
    let mut undecodable = 0u64;
    loop {
        let batch: Vec<_> = store.read_all(after, BATCH, &filter).try_collect().await?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.checkpoint;
        for raw in &batch {
            match AnyEvent::decode(&raw.event_type, raw.schema_version, raw.payload.clone()) {
                Ok(AnyEvent::Neighbourhood(NeighbourhoodEvent::NeighbourhoodRegistered(n))) => {
                    names.insert(n.neighbourhood_id.to_string(), n.name.as_str().to_owned());
                }
                Ok(AnyEvent::Neighbourhood(NeighbourhoodEvent::NeighbourhoodRenamed(n))) => {
                    names.insert(n.neighbourhood_id.to_string(), n.name.as_str().to_owned());
                }
                Ok(AnyEvent::Neighbourhood(_)) => {}
                Ok(event) => kpis.apply(&Envelope { raw, event: &event }),
                Err(e) => {
                    undecodable += 1;
                    tracing::warn!(position = raw.position, error = %e, "skipping an event the KPIs cannot read");
                }
            }
        }
    }
    Ok((kpis, names, undecodable))
}

/// Shows neighbourhoods by name in a breakdown (the id stays in JSON, for machines).
fn name_rows(report: &mut FunderReport, names: &HashMap<String, String>) {
    if report.scope.by.as_deref() != Some("neighbourhood") {
        return;
    }
    for row in &mut report.breakdown {
        if let Some(name) = names.get(&row.key) {
            row.key = name.clone();
        }
    }
}

fn query(
    args: &KpiArgs,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<KpiQuery, KpiCommandError> {
    if to <= from {
        return Err(KpiCommandError::EmptyPeriod { from, to });
    }
    for c in &args.channels {
        if c.parse::<noaber_domain::values::Channel>().is_err() {
            return Err(KpiCommandError::UnknownChannel(c.clone()));
        }
    }
    let report_date = args.report_date.or(args.as_of).unwrap_or_else(Utc::now);
    let mut q = KpiQuery::new(args.tenant, from, to, report_date);
    q.as_of = args.as_of;
    q.neighbourhoods = args.neighbourhoods.clone();
    q.categories = args.categories.clone();
    q.channels = args.channels.clone();
    q.by = args.by.map(|b| match b {
        ByArg::Neighbourhood => Breakdown::Neighbourhood,
        ByArg::Category => Breakdown::Category,
        ByArg::Channel => Breakdown::Channel,
    });
    q.series = args.series.map(|s| match s {
        SeriesArg::Week => Interval::Week,
        SeriesArg::Month => Interval::Month,
        SeriesArg::Quarter => Interval::Quarter,
    });
    Ok(q)
}

/// Runs `noaber kpi`: folds the tenant's log, answers the query and renders it as the funder
/// receives it. Returns the rendered output, ending with a newline.
pub async fn run(store: Arc<dyn EventStore>, args: KpiArgs) -> Result<String, KpiCommandError> {
    let main = query(&args, args.from, args.to)?;
    let baseline = match (args.compare_from, args.compare_to) {
        (Some(from), Some(to)) => Some(query(&args, from, to)?),
        _ => None,
    };
    let (kpis, names, undecodable) = fold_tenant_with_names(store.as_ref(), args.tenant).await?;
    let readable = args.format != Format::Json;
    let mut out = match baseline {
        None => {
            let mut report = kpis.query(&main).for_funder(args.suppress_below);
            if readable {
                name_rows(&mut report, &names);
            }
            render_report(&report, args.format)?
        }
        Some(baseline) => {
            let mut comparison = kpis
                .compare(&baseline, &main)
                .for_funder(args.suppress_below);
            if readable {
                name_rows(&mut comparison.a, &names);
                name_rows(&mut comparison.b, &names);
            }
            render_comparison(&comparison, args.format)?
        }
    };
    if undecodable > 0 && args.format == Format::Table {
        let _ = writeln!(
            out,
            "\nNote: {undecodable} stored events could not be read and were left out."
        );
    }
    Ok(out)
}

/// A figure's label as a funder reads it.
pub fn label(name: &str) -> &'static str {
    match name {
        "requests" => "Requests",
        "distinct_requesters" => "Distinct requesters",
        "distinct_helpers" => "Distinct helpers",
        "new_helpers" => "New helpers",
        "matched" => "Requests matched",
        "resolved" => "Requests resolved",
        "resolved_by_neighbour" => "  resolved by a neighbour",
        "resolved_by_professional" => "  resolved by a professional",
        "resolved_by_requester" => "  resolved by the requester",
        "referred" => "Referred to a professional",
        "open" => "Still open",
        "closed_unresolved" => "Closed unresolved",
        "on_behalf" => "Posted on behalf of someone",
        "hours" => "Hours of help (where recorded)",
        "resolution_rate" => "Resolution rate",
        "informal_share" => "Informal share (by a neighbour)",
        "referral_rate" => "Referral rate",
        "on_behalf_share" => "Share posted on behalf",
        "time_to_first_response_median" => "Time to first response, median",
        "time_to_first_response_p90" => "Time to first response, 90th pct",
        "time_to_match_median" => "Time to match, median",
        "time_to_match_p90" => "Time to match, 90th pct",
        "time_to_resolution_median" => "Time to resolution, median",
        "time_to_resolution_p90" => "Time to resolution, 90th pct",
        "requests_with_hours" => "Resolutions with hours recorded",
        _ => "?",
    }
}

fn show(value: Shown<FigureValue>) -> String {
    match value {
        Shown::Suppressed => "suppressed".to_owned(),
        Shown::Value(v) => show_value(v),
    }
}

fn show_value(v: FigureValue) -> String {
    match v {
        FigureValue::Count(c) => c.to_string(),
        FigureValue::Share(Some(s)) => format!("{:.1}%", s * 100.0),
        FigureValue::Seconds(Some(s)) => format!("{:.1} h", s as f64 / 3600.0),
        FigureValue::Hours(h) => format!("{h:.1}"),
        FigureValue::Share(None) | FigureValue::Seconds(None) => "n/a".to_owned(),
    }
}

fn raw_value(value: Shown<FigureValue>) -> String {
    match value {
        Shown::Suppressed => "suppressed".to_owned(),
        Shown::Value(v) => v.number().map_or_else(String::new, |n| n.to_string()),
    }
}

fn header(out: &mut String, scope: &ReportScope, threshold: u64, title: &str) {
    let _ = writeln!(out, "{title}");
    let _ = writeln!(
        out,
        "  period: requests posted from {} up to (not including) {}",
        scope.from.format("%Y-%m-%d %H:%M UTC"),
        scope.to.format("%Y-%m-%d %H:%M UTC")
    );
    match scope.as_of {
        Some(t) => {
            let _ = writeln!(
                out,
                "  as of: the log as recorded up to {}",
                t.format("%Y-%m-%d %H:%M:%S UTC")
            );
        }
        None => {
            let _ = writeln!(out, "  as of: everything recorded so far");
        }
    }
    let _ = writeln!(
        out,
        "  statuses at: {}",
        scope.report_date.format("%Y-%m-%d %H:%M UTC")
    );
    let mut filters = Vec::new();
    if !scope.neighbourhoods.is_empty() {
        filters.push(format!(
            "neighbourhoods {}",
            scope.neighbourhoods.join(", ")
        ));
    }
    if !scope.categories.is_empty() {
        filters.push(format!("categories {}", scope.categories.join(", ")));
    }
    if !scope.channels.is_empty() {
        filters.push(format!("channels {}", scope.channels.join(", ")));
    }
    if !filters.is_empty() {
        let _ = writeln!(out, "  only: {}", filters.join("; "));
    }
    let _ = writeln!(
        out,
        "  counts below {threshold} are suppressed (shown as \"suppressed\", never as 0)"
    );
}

/// A table: one line per figure, one column per entry of `columns`.
fn table(out: &mut String, columns: &[(String, &FunderFigures)]) {
    let rows: Vec<Vec<(&'static str, Shown<FigureValue>)>> =
        columns.iter().map(|(_, f)| f.rows()).collect();
    let mut cells: Vec<Vec<String>> = vec![std::iter::once("figure".to_owned())
        .chain(columns.iter().map(|(k, _)| k.clone()))
        .collect()];
    for (i, name) in noaber_projections::kpi::FIGURE_NAMES.iter().enumerate() {
        let mut line = vec![label(name).to_owned()];
        line.extend(
            rows.iter()
                .map(|r| r.get(i).map_or_else(String::new, |(_, v)| show(*v))),
        );
        cells.push(line);
    }
    write_cells(out, &cells);
}

fn write_cells(out: &mut String, cells: &[Vec<String>]) {
    let width = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..width)
        .map(|c| {
            cells
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in cells {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let w = widths.get(c).copied().unwrap_or(0);
            if c == 0 {
                let _ = write!(line, "{cell:<w$}");
            } else {
                let _ = write!(line, "  {cell:>w$}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn csv_rows(out: &mut String, period: &str, section: &str, key: &str, f: &FunderFigures) {
    for (name, value) in f.rows() {
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            csv_field(period),
            section,
            csv_field(key),
            name,
            raw_value(value)
        );
    }
}

fn render_report_into(out: &mut String, r: &FunderReport, format: Format, period: &str) {
    match format {
        Format::Csv => {
            csv_rows(out, period, "total", "", &r.total);
            for row in &r.breakdown {
                let section = r.scope.by.as_deref().unwrap_or("group");
                csv_rows(out, period, section, &row.key, &row.figures);
            }
            for p in &r.series {
                let key = format!("{}/{}", p.from.to_rfc3339(), p.to.to_rfc3339());
                csv_rows(out, period, "series", &key, &p.figures);
            }
        }
        Format::Table | Format::Json => {
            header(
                out,
                &r.scope,
                r.suppression_threshold,
                "Noaber funder figures",
            );
            let _ = writeln!(out);
            table(out, &[("total".to_owned(), &r.total)]);
            if !r.breakdown.is_empty() {
                let by = r.scope.by.as_deref().unwrap_or("group");
                let _ = writeln!(out, "\nBy {by}:");
                let cols: Vec<(String, &FunderFigures)> = r
                    .breakdown
                    .iter()
                    .map(|row| (row.key.clone(), &row.figures))
                    .collect();
                table(out, &cols);
            }
            if !r.series.is_empty() {
                let step = r.scope.series.as_deref().unwrap_or("step");
                let _ = writeln!(out, "\nPer {step} (columns start on the date shown):");
                let cols: Vec<(String, &FunderFigures)> = r
                    .series
                    .iter()
                    .map(|p| (p.from.format("%Y-%m-%d").to_string(), &p.figures))
                    .collect();
                table(out, &cols);
            }
        }
    }
}

/// Renders one report as a funder receives it.
pub fn render_report(r: &FunderReport, format: Format) -> Result<String, KpiCommandError> {
    let mut out = String::new();
    match format {
        Format::Json => {
            out = serde_json::to_string_pretty(r)?;
            out.push('\n');
        }
        Format::Csv => {
            out.push_str("period,section,key,figure,value\n");
            let period = format!("{}/{}", r.scope.from.to_rfc3339(), r.scope.to.to_rfc3339());
            render_report_into(&mut out, r, format, &period);
        }
        Format::Table => render_report_into(&mut out, r, format, ""),
    }
    Ok(out)
}

fn change_cell(c: &FigureChange, kind: Option<FigureValue>, relative: bool) -> String {
    if c.suppressed {
        return "suppressed".to_owned();
    }
    let v = if relative { c.relative } else { c.absolute };
    match (v, kind) {
        (None, _) => "n/a".to_owned(),
        (Some(v), _) if relative => format!("{:+.1}%", v * 100.0),
        (Some(v), Some(FigureValue::Share(_))) => format!("{:+.1} pp", v * 100.0),
        (Some(v), Some(FigureValue::Seconds(_))) => format!("{:+.1} h", v / 3600.0),
        (Some(v), Some(FigureValue::Hours(_))) => format!("{v:+.1}"),
        (Some(v), _) => format!("{v:+}"),
    }
}

/// Renders a comparison (A is the baseline, B the period asked for) as a funder receives it.
pub fn render_comparison(c: &FunderComparison, format: Format) -> Result<String, KpiCommandError> {
    let mut out = String::new();
    match format {
        Format::Json => {
            out = serde_json::to_string_pretty(c)?;
            out.push('\n');
        }
        Format::Csv => {
            out.push_str("period,section,key,figure,value\n");
            render_report_into(&mut out, &c.a, format, "baseline");
            render_report_into(&mut out, &c.b, format, "period");
            out.push_str("\nfigure,baseline,period,absolute_change,relative_change\n");
            for ch in &c.changes {
                let num = |v: Option<f64>| {
                    if ch.suppressed {
                        "suppressed".to_owned()
                    } else {
                        v.map_or_else(|| "n/a".to_owned(), |v| v.to_string())
                    }
                };
                let _ = writeln!(
                    out,
                    "{},{},{},{},{}",
                    ch.figure,
                    num(ch.a),
                    num(ch.b),
                    num(ch.absolute),
                    num(ch.relative)
                );
            }
        }
        Format::Table => {
            header(
                &mut out,
                &c.b.scope,
                c.suppression_threshold,
                "Noaber funder figures: comparison",
            );
            let _ = writeln!(
                out,
                "  baseline: requests posted from {} up to (not including) {}\n",
                c.a.scope.from.format("%Y-%m-%d %H:%M UTC"),
                c.a.scope.to.format("%Y-%m-%d %H:%M UTC")
            );
            let a_rows = c.a.total.rows();
            let b_rows = c.b.total.rows();
            let mut cells = vec![vec![
                "figure".to_owned(),
                "baseline".to_owned(),
                "period".to_owned(),
                "change".to_owned(),
                "relative".to_owned(),
            ]];
            for ((name, a), ((_, b), ch)) in a_rows.iter().zip(b_rows.iter().zip(&c.changes)) {
                cells.push(vec![
                    label(name).to_owned(),
                    show(*a),
                    show(*b),
                    change_cell(ch, a.value().or(b.value()), false),
                    change_cell(ch, None, true),
                ]);
            }
            write_cells(&mut out, &cells);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_means_midnight_utc_and_timestamps_keep_their_offset() {
        assert_eq!(
            parse_time("2025-01-01").expect("a date"),
            "2025-01-01T00:00:00Z"
                .parse::<DateTime<Utc>>()
                .expect("a time")
        );
        assert_eq!(
            parse_time("2025-01-01T02:00:00+02:00").expect("a timestamp"),
            "2025-01-01T00:00:00Z"
                .parse::<DateTime<Utc>>()
                .expect("a time")
        );
        assert!(parse_time("1 January").is_err());
    }

    fn args(tenant: Uuid, format: Format) -> KpiArgs {
        KpiArgs {
            tenant,
            from: parse_time("2025-01-01").expect("a date"),
            to: parse_time("2025-02-01").expect("a date"),
            as_of: None,
            report_date: Some(parse_time("2025-03-01").expect("a date")),
            compare_from: None,
            compare_to: None,
            by: None,
            series: None,
            neighbourhoods: Vec::new(),
            categories: Vec::new(),
            channels: Vec::new(),
            format,
            suppress_below: 5,
        }
    }

    /// Six requests in January from six residents, one of them resolved by a neighbour.
    async fn store_with_january(tenant: Uuid) -> (Arc<dyn EventStore>, tempfile::TempDir) {
        use noaber_domain::ids::{NeighbourhoodId, PersonId, RequestId};
        use noaber_domain::request::RequestPosted;
        use noaber_domain::values::{CategoryCode, Channel, HandsNeeded, Urgency, Visibility};
        use noaber_domain::{Personal, RequestEvent};
        use noaber_store::{ExpectedVersion, Metadata, NewEvent, StreamId};

        let (store, dir) = noaber_store::testing::fresh_sqlite_store().await;
        let category = noaber_domain::taxonomy::taxonomy().categories()[0].code;
        for n in 0..6u128 {
            let request = RequestId::new(Uuid::from_u128(1000 + n));
            let requester = PersonId::new(Uuid::from_u128(n + 1));
            let posted = RequestEvent::RequestPosted(RequestPosted {
                request_id: request,
                requester,
                posted_by: requester,
                on_behalf: false,
                channel: Channel::App,
                category: CategoryCode::parse(category).expect("a taxonomy code"),
                target_group: None,
                neighbourhood_id: NeighbourhoodId::new(Uuid::from_u128(99)),
                location: None,
                description: Personal::sealed(requester, serde_json::json!({"c": "x"})),
                urgency: Urgency::Normal,
                needed_by: None,
                anonymous: false,
                visibility: Visibility::Neighbourhood,
                hands_needed: HandsNeeded::ONE,
                skills_wanted: Vec::new(),
                referred_by: None,
            });
            let (event_type, schema_version, payload) = AnyEvent::Request(posted).encode();
            let new = NewEvent {
                event_id: Uuid::new_v4(),
                tenant_id: tenant,
                event_type: event_type.to_owned(),
                schema_version,
                payload,
                metadata: Metadata::default(),
                occurred_at: parse_time("2025-01-10").expect("a date"),
            };
            store
                .append(
                    &StreamId::for_aggregate("request", request.as_uuid()),
                    ExpectedVersion::NoStream,
                    vec![new],
                )
                .await
                .expect("the event is stored");
        }
        (Arc::new(store), dir)
    }

    #[tokio::test]
    async fn the_command_folds_the_log_and_suppresses_small_counts_for_the_funder() {
        let tenant = Uuid::from_u128(7);
        let (store, _dir) = store_with_january(tenant).await;

        let table = run(store.clone(), args(tenant, Format::Table))
            .await
            .expect("figures are computed");
        let requests = table
            .lines()
            .find(|l| l.starts_with("Requests "))
            .expect("a line for requests");
        assert!(requests.trim_end().ends_with(" 6"), "{requests}");
        let resolved = table
            .lines()
            .find(|l| l.starts_with("Requests resolved"))
            .expect("a line for resolved requests");
        assert!(resolved.ends_with("suppressed"), "{resolved}");

        let json = run(store.clone(), args(tenant, Format::Json))
            .await
            .expect("figures are computed");
        let json: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(json["total"]["requests"], serde_json::json!(6));
        assert_eq!(
            json["total"]["resolved"],
            serde_json::json!({"suppressed": true})
        );

        let mut compare = args(tenant, Format::Csv);
        compare.compare_from = Some(parse_time("2024-12-01").expect("a date"));
        compare.compare_to = Some(parse_time("2025-01-01").expect("a date"));
        let csv = run(store, compare).await.expect("figures are computed");
        assert!(
            csv.contains("\nrequests,suppressed,suppressed,suppressed,suppressed\n"),
            "{csv}"
        );
    }

    #[tokio::test]
    async fn a_breakdown_by_neighbourhood_shows_its_name_to_people_and_its_id_to_machines() {
        use noaber_domain::ids::{NeighbourhoodId, PersonId};
        use noaber_domain::neighbourhood::NeighbourhoodRegistered;
        use noaber_domain::values::{ApproxLocation, DisplayName, Distance};
        use noaber_store::{ExpectedVersion, Metadata, NewEvent, StreamId};

        let tenant = Uuid::from_u128(7);
        let (store, _dir) = store_with_january(tenant).await;
        let hood = NeighbourhoodId::new(Uuid::from_u128(99));
        let registered = NeighbourhoodEvent::NeighbourhoodRegistered(NeighbourhoodRegistered {
            neighbourhood_id: hood,
            name: DisplayName::parse("De Kruidenbuurt").expect("a name"),
            centroid: ApproxLocation::new(52.22, 6.89).expect("a location"),
            radius: Distance::from_km(2).expect("a distance"),
            registered_by: PersonId::new(Uuid::from_u128(5)),
        });
        let (event_type, schema_version, payload) = AnyEvent::Neighbourhood(registered).encode();
        store
            .append(
                &StreamId::for_aggregate("neighbourhood", hood.as_uuid()),
                ExpectedVersion::NoStream,
                vec![NewEvent {
                    event_id: Uuid::new_v4(),
                    tenant_id: tenant,
                    event_type: event_type.to_owned(),
                    schema_version,
                    payload,
                    metadata: Metadata::default(),
                    occurred_at: parse_time("2024-06-01").expect("a date"),
                }],
            )
            .await
            .expect("the event is stored");

        let mut by_hood = args(tenant, Format::Table);
        by_hood.by = Some(ByArg::Neighbourhood);
        let table = run(store.clone(), by_hood.clone())
            .await
            .expect("figures are computed");
        assert!(table.contains("De Kruidenbuurt"), "{table}");
        assert!(!table.contains(&hood.to_string()), "{table}");

        by_hood.format = Format::Json;
        let json = run(store, by_hood).await.expect("figures are computed");
        assert!(json.contains(&hood.to_string()), "{json}");
    }

    #[tokio::test]
    async fn an_empty_period_is_refused_with_a_reason() {
        let tenant = Uuid::from_u128(7);
        let (store, _dir) = store_with_january(tenant).await;
        let mut backwards = args(tenant, Format::Table);
        backwards.to = backwards.from;
        let err = run(store, backwards).await.expect_err("an empty period");
        assert!(err.to_string().contains("--to must be after --from"));
    }

    #[test]
    fn every_figure_has_a_label_a_funder_can_read() {
        for name in noaber_projections::kpi::FIGURE_NAMES {
            assert_ne!(label(name), "?", "{name} has no label");
        }
    }
}

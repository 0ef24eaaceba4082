//! `noaber kpi`: folds the log into the funder KPI model and prints the figures of a period (or
//! two periods side by side) as a funder receives them: small counts suppressed.
//!
//! Dates are `YYYY-MM-DD` (midnight UTC) or RFC 3339 timestamps; periods are [from, to). This
//! module reads the arguments and folds the log; [`render`] turns the figures into a table, CSV
//! or JSON.

mod render;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use noaber_domain::values::{CategoryCode, Channel};
use noaber_domain::{AnyEvent, NeighbourhoodEvent, NeighbourhoodId};
use noaber_projections::kpi::{
    Breakdown, FunderReport, Interval, KpiQuery, Kpis, ReportTime, ReportTimeError,
};
use noaber_projections::model::{Envelope, ReadModel};
use noaber_store::{Checkpoint, EventFilter, EventStore, StoreError};
use uuid::Uuid;

pub use render::{render_comparison, render_report};

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
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// Only these categories, by code from the taxonomy (repeatable).
    #[arg(long = "category", value_parser = CategoryCode::parse)]
    pub categories: Vec<CategoryCode>,
    /// Only these channels (repeatable): app, match_point, home_visit, phone, partner_referral.
    #[arg(long = "channel")]
    pub channels: Vec<Channel>,
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
    /// The JSON output could not be written.
    #[error("the figures could not be written as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Parses a moment given on the command line: `YYYY-MM-DD` (midnight UTC) or an RFC 3339
/// timestamp, exactly as the HTTP API does (see [`ReportTime`]).
pub fn parse_time(raw: &str) -> Result<DateTime<Utc>, ReportTimeError> {
    ReportTime::parse(raw).map(ReportTime::at)
}

/// Folds every request event of `tenant` into a fresh KPI model, and collects the tenant's
/// neighbourhood names (public names, not personal data) so that a breakdown can show them
/// instead of ids. Events that cannot be decoded are skipped and counted (the third value).
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

#[cfg(test)]
mod tests {
    use super::*;
    use noaber_domain::neighbourhood::Neighbourhood;
    use noaber_domain::request::HelpRequest;

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
        use noaber_domain::request::RequestPosted;
        use noaber_domain::values::{CategoryCode, Channel, HandsNeeded, Urgency, Visibility};
        use noaber_domain::{NeighbourhoodId, PersonId, RequestId};
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
                precise_location: None,
                description: Personal::sealed(requester, serde_json::json!({"c": "x"})),
                urgency: Urgency::Normal,
                needed_by: None,
                anonymous: false,
                visibility: Visibility::Neighbourhood,
                hands_needed: HandsNeeded::ONE,
                skills_wanted: Vec::new(),
                referred_by: None,
                consent: None,
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
                    &StreamId::of::<HelpRequest>(request),
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
        use noaber_domain::neighbourhood::NeighbourhoodRegistered;
        use noaber_domain::values::{ApproxLocation, DisplayName, Distance};
        use noaber_domain::{NeighbourhoodId, PersonId};
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
                &StreamId::of::<Neighbourhood>(hood),
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
}

//! What a KPI query returns: the exact figures (for connectors and internal use), the funder's
//! view of them with small counts suppressed, and the side-by-side comparison of two periods.
//!
//! Suppression lives here, apart from the fold, so that every output a funder receives (CLI,
//! HTTP, export) goes through the same one function: [`KpiReport::for_funder`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The default threshold below which counts are suppressed in anything a funder receives.
pub const DEFAULT_SUPPRESSION_THRESHOLD: u64 = 5;

/// Median and 90th percentile of one duration, over the requests that reached that step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeFigures {
    /// How many requests reached the step (the sample the percentiles are taken over).
    pub count: u64,
    /// The median duration in seconds (nearest rank), if any request reached the step.
    pub median_seconds: Option<i64>,
    /// The 90th percentile duration in seconds (nearest rank), if any request reached the step.
    pub p90_seconds: Option<i64>,
}

impl TimeFigures {
    /// Median and 90th percentile (nearest-rank method) of `samples`, which it reorders.
    /// Linear time: the two ranks are selected, not sorted for.
    pub fn from_samples(samples: &mut [i64]) -> Self {
        let n = samples.len() as u64;
        if n == 0 {
            return Self::default();
        }
        let median_at = rank_index(n, 50);
        let p90_at = rank_index(n, 90);
        let (below, p90, _) = samples.select_nth_unstable(p90_at);
        let p90 = *p90;
        let median = if median_at < p90_at {
            *below.select_nth_unstable(median_at).1
        } else {
            p90
        };
        Self {
            count: n,
            median_seconds: Some(median),
            p90_seconds: Some(p90),
        }
    }
}

/// The 0-based index of the nearest-rank `pct` percentile among `n` sorted samples.
fn rank_index(n: u64, pct: u64) -> usize {
    // ceil(pct * n / 100), at least 1, as a 0-based index.
    ((pct * n).div_ceil(100).max(1) - 1) as usize
}

/// The nearest-rank percentile of sorted samples: the smallest value with at least `pct`
/// percent of the samples at or below it.
pub fn nearest_rank(sorted: &[i64], pct: u64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    sorted.get(rank_index(sorted.len() as u64, pct)).copied()
}

/// The exact figures for one set of requests (a period, a breakdown group or a series step).
///
/// Counts are exact and never suppressed here: this is the internal view. Funders receive
/// [`FunderFigures`] instead (see [`KpiFigures::for_funder`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KpiFigures {
    /// Requests posted (by occurred time) in the period, voided ones excluded.
    pub requests: u64,
    /// Distinct persons those requests were for (posted by them or on their behalf).
    pub distinct_requesters: u64,
    /// Distinct persons matched to a request in the period (matches not cancelled).
    pub distinct_helpers: u64,
    /// Of those helpers, the ones whose first match ever in the tenant fell in the period.
    pub new_helpers: u64,
    /// The period's requests with at least one match (not cancelled) by the report date.
    pub matched: u64,
    /// The period's requests resolved at the report date.
    pub resolved: u64,
    /// Of the resolved ones, those resolved by a neighbour (informal help).
    pub resolved_by_neighbour: u64,
    /// Of the resolved ones, those resolved by a professional.
    pub resolved_by_professional: u64,
    /// Of the resolved ones, those the requester solved themselves.
    pub resolved_by_requester: u64,
    /// The period's requests referred to a professional by the report date.
    pub referred: u64,
    /// The period's requests still open at the report date.
    pub open: u64,
    /// The period's requests closed without resolution at the report date.
    pub closed_unresolved: u64,
    /// The period's requests posted on behalf of someone else.
    pub on_behalf: u64,
    /// Resolved requests whose resolution recorded the hours given.
    pub requests_with_hours: u64,
    /// Hours of help given, summed over the resolutions that recorded them.
    pub hours: f64,
    /// resolved / requests.
    pub resolution_rate: Option<f64>,
    /// resolved_by_neighbour / requests.
    pub informal_share: Option<f64>,
    /// referred / requests.
    pub referral_rate: Option<f64>,
    /// on_behalf / requests.
    pub on_behalf_share: Option<f64>,
    /// From posting to the first response (an offer, a match or a referral).
    pub time_to_first_response: TimeFigures,
    /// From posting to the first match.
    pub time_to_match: TimeFigures,
    /// From posting to the resolution the request is resolved with.
    pub time_to_resolution: TimeFigures,
}

/// `num / den`, or `None` when the base is zero.
pub fn share(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The kind of a figure, which decides how it is shown and suppressed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FigureValue {
    /// A count of requests or persons.
    Count(u64),
    /// A share between 0 and 1 (`None`: no base).
    Share(Option<f64>),
    /// A duration in seconds (`None`: no sample).
    Seconds(Option<i64>),
    /// Hours of help.
    Hours(f64),
}

impl FigureValue {
    /// The value as a number, for comparisons (`None` when there is none).
    pub fn number(self) -> Option<f64> {
        match self {
            Self::Count(c) => Some(c as f64),
            Self::Share(s) => s,
            Self::Seconds(s) => s.map(|v| v as f64),
            Self::Hours(h) => Some(h),
        }
    }
}

/// One figure of a KPI report. Its [`name`](Figure::name) is the stable machine name used in
/// JSON and CSV; its [`label`](Figure::label) is what a funder reads in a table. One enum, so
/// that a new figure cannot be added to one list and forgotten in another: every `match` over
/// it must name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Figure {
    /// Requests posted (by occurred time) in the period, voided ones excluded.
    Requests,
    /// Distinct persons those requests were for.
    DistinctRequesters,
    /// Distinct persons matched to a request in the period.
    DistinctHelpers,
    /// Helpers whose first match ever in the tenant fell in the period.
    NewHelpers,
    /// Requests with at least one match (not cancelled) by the report date.
    Matched,
    /// Requests resolved at the report date.
    Resolved,
    /// Resolved ones resolved by a neighbour (informal help).
    ResolvedByNeighbour,
    /// Resolved ones resolved by a professional.
    ResolvedByProfessional,
    /// Resolved ones the requester solved themselves.
    ResolvedByRequester,
    /// Requests referred to a professional by the report date.
    Referred,
    /// Requests still open at the report date.
    Open,
    /// Requests closed without resolution at the report date.
    ClosedUnresolved,
    /// Requests posted on behalf of someone else.
    OnBehalf,
    /// Hours of help given, summed over the resolutions that recorded them.
    Hours,
    /// Resolved requests per request.
    ResolutionRate,
    /// Requests resolved by a neighbour per request.
    InformalShare,
    /// Referred requests per request.
    ReferralRate,
    /// Requests posted on behalf per request.
    OnBehalfShare,
    /// Median time from posting to the first response (offer, match or referral).
    TimeToFirstResponseMedian,
    /// 90th percentile of the time to the first response.
    TimeToFirstResponseP90,
    /// Median time from posting to a match.
    TimeToMatchMedian,
    /// 90th percentile of the time to a match.
    TimeToMatchP90,
    /// Median time from posting to the resolution.
    TimeToResolutionMedian,
    /// 90th percentile of the time to the resolution.
    TimeToResolutionP90,
    /// Resolved requests whose resolution recorded the hours given.
    RequestsWithHours,
}

impl Figure {
    /// Every figure, in the order reports list them.
    pub const ALL: [Figure; 25] = [
        Figure::Requests,
        Figure::DistinctRequesters,
        Figure::DistinctHelpers,
        Figure::NewHelpers,
        Figure::Matched,
        Figure::Resolved,
        Figure::ResolvedByNeighbour,
        Figure::ResolvedByProfessional,
        Figure::ResolvedByRequester,
        Figure::Referred,
        Figure::Open,
        Figure::ClosedUnresolved,
        Figure::OnBehalf,
        Figure::Hours,
        Figure::ResolutionRate,
        Figure::InformalShare,
        Figure::ReferralRate,
        Figure::OnBehalfShare,
        Figure::TimeToFirstResponseMedian,
        Figure::TimeToFirstResponseP90,
        Figure::TimeToMatchMedian,
        Figure::TimeToMatchP90,
        Figure::TimeToResolutionMedian,
        Figure::TimeToResolutionP90,
        Figure::RequestsWithHours,
    ];

    /// The stable machine name, as in JSON and CSV output.
    pub fn name(self) -> &'static str {
        match self {
            Figure::Requests => "requests",
            Figure::DistinctRequesters => "distinct_requesters",
            Figure::DistinctHelpers => "distinct_helpers",
            Figure::NewHelpers => "new_helpers",
            Figure::Matched => "matched",
            Figure::Resolved => "resolved",
            Figure::ResolvedByNeighbour => "resolved_by_neighbour",
            Figure::ResolvedByProfessional => "resolved_by_professional",
            Figure::ResolvedByRequester => "resolved_by_requester",
            Figure::Referred => "referred",
            Figure::Open => "open",
            Figure::ClosedUnresolved => "closed_unresolved",
            Figure::OnBehalf => "on_behalf",
            Figure::Hours => "hours",
            Figure::ResolutionRate => "resolution_rate",
            Figure::InformalShare => "informal_share",
            Figure::ReferralRate => "referral_rate",
            Figure::OnBehalfShare => "on_behalf_share",
            Figure::TimeToFirstResponseMedian => "time_to_first_response_median",
            Figure::TimeToFirstResponseP90 => "time_to_first_response_p90",
            Figure::TimeToMatchMedian => "time_to_match_median",
            Figure::TimeToMatchP90 => "time_to_match_p90",
            Figure::TimeToResolutionMedian => "time_to_resolution_median",
            Figure::TimeToResolutionP90 => "time_to_resolution_p90",
            Figure::RequestsWithHours => "requests_with_hours",
        }
    }

    /// The label a funder reads in a table (breakdown parts indented under their total).
    pub fn label(self) -> &'static str {
        match self {
            Figure::Requests => "Requests",
            Figure::DistinctRequesters => "Distinct requesters",
            Figure::DistinctHelpers => "Distinct helpers",
            Figure::NewHelpers => "New helpers",
            Figure::Matched => "Requests matched",
            Figure::Resolved => "Requests resolved",
            Figure::ResolvedByNeighbour => "  resolved by a neighbour",
            Figure::ResolvedByProfessional => "  resolved by a professional",
            Figure::ResolvedByRequester => "  resolved by the requester",
            Figure::Referred => "Referred to a professional",
            Figure::Open => "Still open",
            Figure::ClosedUnresolved => "Closed unresolved",
            Figure::OnBehalf => "Posted on behalf of someone",
            Figure::Hours => "Hours of help (where recorded)",
            Figure::ResolutionRate => "Resolution rate",
            Figure::InformalShare => "Informal share (by a neighbour)",
            Figure::ReferralRate => "Referral rate",
            Figure::OnBehalfShare => "Share posted on behalf",
            Figure::TimeToFirstResponseMedian => "Time to first response, median",
            Figure::TimeToFirstResponseP90 => "Time to first response, 90th pct",
            Figure::TimeToMatchMedian => "Time to match, median",
            Figure::TimeToMatchP90 => "Time to match, 90th pct",
            Figure::TimeToResolutionMedian => "Time to resolution, median",
            Figure::TimeToResolutionP90 => "Time to resolution, 90th pct",
            Figure::RequestsWithHours => "Resolutions with hours recorded",
        }
    }
}

impl KpiFigures {
    /// Fills the shares from the counts.
    pub(crate) fn finish_shares(&mut self) {
        self.resolution_rate = share(self.resolved, self.requests);
        self.informal_share = share(self.resolved_by_neighbour, self.requests);
        self.referral_rate = share(self.referred, self.requests);
        self.on_behalf_share = share(self.on_behalf, self.requests);
    }

    /// One figure's value.
    pub fn value(&self, figure: Figure) -> FigureValue {
        use FigureValue::*;
        match figure {
            Figure::Requests => Count(self.requests),
            Figure::DistinctRequesters => Count(self.distinct_requesters),
            Figure::DistinctHelpers => Count(self.distinct_helpers),
            Figure::NewHelpers => Count(self.new_helpers),
            Figure::Matched => Count(self.matched),
            Figure::Resolved => Count(self.resolved),
            Figure::ResolvedByNeighbour => Count(self.resolved_by_neighbour),
            Figure::ResolvedByProfessional => Count(self.resolved_by_professional),
            Figure::ResolvedByRequester => Count(self.resolved_by_requester),
            Figure::Referred => Count(self.referred),
            Figure::Open => Count(self.open),
            Figure::ClosedUnresolved => Count(self.closed_unresolved),
            Figure::OnBehalf => Count(self.on_behalf),
            Figure::Hours => Hours(self.hours),
            Figure::ResolutionRate => Share(self.resolution_rate),
            Figure::InformalShare => Share(self.informal_share),
            Figure::ReferralRate => Share(self.referral_rate),
            Figure::OnBehalfShare => Share(self.on_behalf_share),
            Figure::TimeToFirstResponseMedian => {
                Seconds(self.time_to_first_response.median_seconds)
            }
            Figure::TimeToFirstResponseP90 => Seconds(self.time_to_first_response.p90_seconds),
            Figure::TimeToMatchMedian => Seconds(self.time_to_match.median_seconds),
            Figure::TimeToMatchP90 => Seconds(self.time_to_match.p90_seconds),
            Figure::TimeToResolutionMedian => Seconds(self.time_to_resolution.median_seconds),
            Figure::TimeToResolutionP90 => Seconds(self.time_to_resolution.p90_seconds),
            Figure::RequestsWithHours => Count(self.requests_with_hours),
        }
    }

    /// Every figure with its value, in report order.
    pub fn rows(&self) -> Vec<(Figure, FigureValue)> {
        Figure::ALL.iter().map(|f| (*f, self.value(*f))).collect()
    }

    /// The funder's view: counts below `threshold` suppressed, and every share, sum or time
    /// derived from a suppressed count suppressed with it.
    pub fn for_funder(&self, threshold: u64) -> FunderFigures {
        let count = |c: u64| {
            if c < threshold {
                Shown::Suppressed
            } else {
                Shown::Value(c)
            }
        };
        let share = |num: u64, value: Option<f64>| match value {
            Some(v) if num >= threshold && self.requests >= threshold => Shown::Value(v),
            _ => Shown::Suppressed,
        };
        let time = |t: &TimeFigures| {
            let shown = |v: Option<i64>| match v {
                Some(v) if t.count >= threshold => Shown::Value(v),
                _ => Shown::Suppressed,
            };
            FunderTimes {
                count: count(t.count),
                median_seconds: shown(t.median_seconds),
                p90_seconds: shown(t.p90_seconds),
            }
        };
        FunderFigures {
            requests: count(self.requests),
            distinct_requesters: count(self.distinct_requesters),
            distinct_helpers: count(self.distinct_helpers),
            new_helpers: count(self.new_helpers),
            matched: count(self.matched),
            resolved: count(self.resolved),
            resolved_by_neighbour: count(self.resolved_by_neighbour),
            resolved_by_professional: count(self.resolved_by_professional),
            resolved_by_requester: count(self.resolved_by_requester),
            referred: count(self.referred),
            open: count(self.open),
            closed_unresolved: count(self.closed_unresolved),
            on_behalf: count(self.on_behalf),
            requests_with_hours: count(self.requests_with_hours),
            hours: if self.requests_with_hours >= threshold {
                Shown::Value(self.hours)
            } else {
                Shown::Suppressed
            },
            resolution_rate: share(self.resolved, self.resolution_rate),
            informal_share: share(self.resolved_by_neighbour, self.informal_share),
            referral_rate: share(self.referred, self.referral_rate),
            on_behalf_share: share(self.on_behalf, self.on_behalf_share),
            time_to_first_response: time(&self.time_to_first_response),
            time_to_match: time(&self.time_to_match),
            time_to_resolution: time(&self.time_to_resolution),
        }
    }
}

/// A figure as a funder receives it: the value, or a marker saying it was suppressed because
/// it rests on too few people. Serialised as the bare value, or as `{"suppressed": true}`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shown<T> {
    /// The figure.
    Value(T),
    /// Withheld: it rests on fewer people or requests than the suppression threshold.
    Suppressed,
}

impl<T: Copy> Shown<T> {
    /// The value, or `None` when suppressed.
    pub fn value(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Suppressed => None,
        }
    }

    /// Whether the figure was suppressed.
    pub fn is_suppressed(self) -> bool {
        matches!(self, Self::Suppressed)
    }
}

#[derive(Serialize, Deserialize)]
struct SuppressedMarker {
    suppressed: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ShownRepr<T> {
    Marker(SuppressedMarker),
    Value(T),
}

// Described through utoipa's `ComposeSchema`, the trait its derive uses for a generic type
// in a field (`Shown<u64>`): the figure's own schema arrives as the first generic.
impl<T: utoipa::ToSchema> utoipa::__dev::ComposeSchema for Shown<T> {
    fn compose(
        generics: Vec<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>,
    ) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        let marker = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "suppressed",
                ObjectBuilder::new()
                    .schema_type(Type::Boolean)
                    .enum_values(Some([true])),
            )
            .required("suppressed");
        let figure = generics.into_iter().next().unwrap_or_else(T::schema);
        OneOfBuilder::new()
            .item(figure)
            .item(marker)
            .description(Some(
                "The figure, or `{\"suppressed\": true}` when it rests on too few people.",
            ))
            .into()
    }
}

impl<T: utoipa::ToSchema> utoipa::ToSchema for Shown<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("Shown_{}", T::name()).into()
    }
}

impl<T: Serialize> Serialize for Shown<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(v) => v.serialize(s),
            Self::Suppressed => SuppressedMarker { suppressed: true }.serialize(s),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shown<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match ShownRepr::<T>::deserialize(d)? {
            ShownRepr::Marker(SuppressedMarker { suppressed: true }) => Ok(Self::Suppressed),
            ShownRepr::Marker(_) => Err(serde::de::Error::custom(
                "a figure is either a value or {\"suppressed\": true}",
            )),
            ShownRepr::Value(v) => Ok(Self::Value(v)),
        }
    }
}

/// Times as a funder receives them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FunderTimes {
    /// How many requests reached the step.
    pub count: Shown<u64>,
    /// Median in seconds.
    pub median_seconds: Shown<i64>,
    /// 90th percentile in seconds.
    pub p90_seconds: Shown<i64>,
}

/// [`KpiFigures`] as a funder receives them: see [`KpiFigures`] for each figure's meaning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[allow(missing_docs)]
pub struct FunderFigures {
    pub requests: Shown<u64>,
    pub distinct_requesters: Shown<u64>,
    pub distinct_helpers: Shown<u64>,
    pub new_helpers: Shown<u64>,
    pub matched: Shown<u64>,
    pub resolved: Shown<u64>,
    pub resolved_by_neighbour: Shown<u64>,
    pub resolved_by_professional: Shown<u64>,
    pub resolved_by_requester: Shown<u64>,
    pub referred: Shown<u64>,
    pub open: Shown<u64>,
    pub closed_unresolved: Shown<u64>,
    pub on_behalf: Shown<u64>,
    pub requests_with_hours: Shown<u64>,
    pub hours: Shown<f64>,
    pub resolution_rate: Shown<f64>,
    pub informal_share: Shown<f64>,
    pub referral_rate: Shown<f64>,
    pub on_behalf_share: Shown<f64>,
    pub time_to_first_response: FunderTimes,
    pub time_to_match: FunderTimes,
    pub time_to_resolution: FunderTimes,
}

impl FunderFigures {
    /// One figure's value as the funder sees it.
    pub fn value(&self, figure: Figure) -> Shown<FigureValue> {
        use FigureValue::*;
        let c = |s: Shown<u64>| match s {
            Shown::Value(v) => Shown::Value(Count(v)),
            Shown::Suppressed => Shown::Suppressed,
        };
        let r = |s: Shown<f64>| match s {
            Shown::Value(v) => Shown::Value(Share(Some(v))),
            Shown::Suppressed => Shown::Suppressed,
        };
        let t = |s: Shown<i64>| match s {
            Shown::Value(v) => Shown::Value(Seconds(Some(v))),
            Shown::Suppressed => Shown::Suppressed,
        };
        match figure {
            Figure::Requests => c(self.requests),
            Figure::DistinctRequesters => c(self.distinct_requesters),
            Figure::DistinctHelpers => c(self.distinct_helpers),
            Figure::NewHelpers => c(self.new_helpers),
            Figure::Matched => c(self.matched),
            Figure::Resolved => c(self.resolved),
            Figure::ResolvedByNeighbour => c(self.resolved_by_neighbour),
            Figure::ResolvedByProfessional => c(self.resolved_by_professional),
            Figure::ResolvedByRequester => c(self.resolved_by_requester),
            Figure::Referred => c(self.referred),
            Figure::Open => c(self.open),
            Figure::ClosedUnresolved => c(self.closed_unresolved),
            Figure::OnBehalf => c(self.on_behalf),
            Figure::Hours => match self.hours {
                Shown::Value(h) => Shown::Value(Hours(h)),
                Shown::Suppressed => Shown::Suppressed,
            },
            Figure::ResolutionRate => r(self.resolution_rate),
            Figure::InformalShare => r(self.informal_share),
            Figure::ReferralRate => r(self.referral_rate),
            Figure::OnBehalfShare => r(self.on_behalf_share),
            Figure::TimeToFirstResponseMedian => t(self.time_to_first_response.median_seconds),
            Figure::TimeToFirstResponseP90 => t(self.time_to_first_response.p90_seconds),
            Figure::TimeToMatchMedian => t(self.time_to_match.median_seconds),
            Figure::TimeToMatchP90 => t(self.time_to_match.p90_seconds),
            Figure::TimeToResolutionMedian => t(self.time_to_resolution.median_seconds),
            Figure::TimeToResolutionP90 => t(self.time_to_resolution.p90_seconds),
            Figure::RequestsWithHours => c(self.requests_with_hours),
        }
    }

    /// Every figure with its value as the funder sees it, in report order.
    pub fn rows(&self) -> Vec<(Figure, Shown<FigureValue>)> {
        Figure::ALL.iter().map(|f| (*f, self.value(*f))).collect()
    }
}

/// The figures of one breakdown group (a neighbourhood, a category or a channel).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BreakdownRow<F> {
    /// The group: a neighbourhood id, a category code or a channel name.
    pub key: String,
    /// Its figures.
    pub figures: F,
}

/// The figures of one step of a time series: requests posted in [from, to).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeriesPoint<F> {
    /// Start of the step (inclusive).
    pub from: DateTime<Utc>,
    /// End of the step (exclusive).
    pub to: DateTime<Utc>,
    /// Its figures.
    pub figures: F,
}

/// What the report was asked for, echoed in every output so that a figure is never read
/// without its definition's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportScope {
    /// The tenant.
    pub tenant: uuid::Uuid,
    /// Start of the period (inclusive), by the time requests were posted.
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// Figures as the log knew them at this recorded time (`None`: everything recorded).
    pub as_of: Option<DateTime<Utc>>,
    /// Statuses (resolved, open, ...) are taken at this date.
    pub report_date: DateTime<Utc>,
    /// Neighbourhoods filtered on (empty: all).
    pub neighbourhoods: Vec<String>,
    /// Categories filtered on (empty: all).
    pub categories: Vec<String>,
    /// Channels filtered on (empty: all).
    pub channels: Vec<String>,
    /// The breakdown asked for, if any.
    pub by: Option<String>,
    /// The series step asked for, if any.
    pub series: Option<String>,
}

/// The exact answer to a [`super::KpiQuery`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiReport {
    /// What was asked.
    pub scope: ReportScope,
    /// The figures over the whole period.
    pub total: KpiFigures,
    /// One row per group when a breakdown was asked for, ordered by key.
    pub breakdown: Vec<BreakdownRow<KpiFigures>>,
    /// One point per step when a series was asked for, in time order.
    pub series: Vec<SeriesPoint<KpiFigures>>,
}

/// A [`KpiReport`] as a funder receives it: small counts suppressed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FunderReport {
    /// What was asked.
    pub scope: ReportScope,
    /// Counts below this were suppressed.
    pub suppression_threshold: u64,
    /// The figures over the whole period.
    pub total: FunderFigures,
    /// One row per group when a breakdown was asked for.
    pub breakdown: Vec<BreakdownRow<FunderFigures>>,
    /// One point per step when a series was asked for.
    pub series: Vec<SeriesPoint<FunderFigures>>,
}

impl KpiReport {
    /// The report as a funder may receive it: every count below `threshold` (default
    /// [`DEFAULT_SUPPRESSION_THRESHOLD`]) replaced by a suppressed marker, with the shares,
    /// hours and times that rest on it.
    pub fn for_funder(&self, threshold: u64) -> FunderReport {
        FunderReport {
            scope: self.scope.clone(),
            suppression_threshold: threshold,
            total: self.total.for_funder(threshold),
            breakdown: self
                .breakdown
                .iter()
                .map(|r| BreakdownRow {
                    key: r.key.clone(),
                    figures: r.figures.for_funder(threshold),
                })
                .collect(),
            series: self
                .series
                .iter()
                .map(|p| SeriesPoint {
                    from: p.from,
                    to: p.to,
                    figures: p.figures.for_funder(threshold),
                })
                .collect(),
        }
    }
}

/// How one figure changed from period A (the baseline) to period B.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FigureChange {
    /// The figure's stable name (see [`Figure::name`]).
    pub figure: String,
    /// Its value in period A (`None`: no value, or suppressed).
    pub a: Option<f64>,
    /// Its value in period B.
    pub b: Option<f64>,
    /// b - a.
    pub absolute: Option<f64>,
    /// (b - a) / a; `None` when a is zero or missing ("n/a", never infinite).
    pub relative: Option<f64>,
    /// True when either side was suppressed (then no change is given).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
}

impl FigureChange {
    /// The change between two values.
    pub fn between(figure: &str, a: Option<f64>, b: Option<f64>) -> Self {
        let absolute = match (a, b) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        let relative = match (a, absolute) {
            (Some(a), Some(d)) if a != 0.0 => Some(d / a),
            _ => None,
        };
        Self {
            figure: figure.to_owned(),
            a,
            b,
            absolute,
            relative,
            suppressed: false,
        }
    }

    fn suppressed(figure: &str) -> Self {
        Self {
            figure: figure.to_owned(),
            a: None,
            b: None,
            absolute: None,
            relative: None,
            suppressed: true,
        }
    }
}

/// Two periods side by side (A is the baseline, *nulmeting*), with the change per figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiComparison {
    /// The baseline period.
    pub a: KpiReport,
    /// The later period.
    pub b: KpiReport,
    /// The change of every total figure from A to B.
    pub changes: Vec<FigureChange>,
}

impl KpiComparison {
    /// Compares two reports figure by figure (totals).
    pub fn new(a: KpiReport, b: KpiReport) -> Self {
        let changes = a
            .total
            .rows()
            .into_iter()
            .zip(b.total.rows())
            .map(|((figure, va), (_, vb))| {
                FigureChange::between(figure.name(), va.number(), vb.number())
            })
            .collect();
        Self { a, b, changes }
    }

    /// The comparison as a funder may receive it: both reports suppressed, and no change given
    /// for a figure suppressed on either side.
    pub fn for_funder(&self, threshold: u64) -> FunderComparison {
        let a = self.a.for_funder(threshold);
        let b = self.b.for_funder(threshold);
        let changes = a
            .total
            .rows()
            .into_iter()
            .zip(b.total.rows())
            .map(|((figure, va), (_, vb))| match (va, vb) {
                (Shown::Value(va), Shown::Value(vb)) => {
                    FigureChange::between(figure.name(), va.number(), vb.number())
                }
                _ => FigureChange::suppressed(figure.name()),
            })
            .collect();
        FunderComparison {
            suppression_threshold: threshold,
            a,
            b,
            changes,
        }
    }
}

/// A [`KpiComparison`] as a funder receives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FunderComparison {
    /// Counts below this were suppressed.
    pub suppression_threshold: u64,
    /// The baseline period.
    pub a: FunderReport,
    /// The later period.
    pub b: FunderReport,
    /// The change of every total figure from A to B (none where either side is suppressed).
    pub changes: Vec<FigureChange>,
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_figure_is_listed_once_with_a_distinct_name_and_a_label() {
        let figures: HashSet<Figure> = Figure::ALL.into_iter().collect();
        assert_eq!(figures.len(), Figure::ALL.len(), "a figure is listed twice");
        let names: HashSet<&str> = Figure::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), Figure::ALL.len(), "two figures share a name");
        for figure in Figure::ALL {
            assert!(!figure.label().trim().is_empty(), "{figure:?} has no label");
        }
    }

    #[test]
    fn the_rows_follow_the_report_order() {
        let rows = KpiFigures::default().rows();
        let order: Vec<Figure> = rows.iter().map(|(f, _)| *f).collect();
        assert_eq!(order, Figure::ALL);
    }
}

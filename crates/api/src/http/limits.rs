//! Every size a caller controls, with its limit: bodies, lists, pages, report periods and series.
//!
//! A request over a limit is refused before any work is done for it, with a problem document
//! naming what was too large: 413 `body-too-large` for a body, 400 `bad-input` for anything
//! else. `docs/limits.md` lists every limit; keep it in step with the constants here.

use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Utc};
use noaber_projections::kpi::Interval;
use serde::de::{Deserializer, Error as _, SeqAccess, Visitor};
use serde::Deserialize;

use super::ApiError;

/// The largest body the API reads: far above any command (a description of a few pages), far
/// below what would hurt a server.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The most items of any list in a body or a query (skills, categories, neighbourhoods, ...).
pub const MAX_LIST_ITEMS: usize = 500;

/// The largest page of a feed, a list of suggestions or of helpers (`limit`).
pub const MAX_PAGE_SIZE: usize = 100;

/// The longest period of a report (KPIs, signals), in days: 50 years.
pub const MAX_PERIOD_DAYS: i64 = 50 * 366;

/// The most points of a KPI time series (`series`): weekly steps over about 19 years.
pub const MAX_SERIES_POINTS: i64 = 1000;

/// The answer to a body over [`MAX_BODY_BYTES`].
pub fn body_too_large() -> ApiError {
    ApiError::BodyTooLarge(format!(
        "the body is larger than the {MAX_BODY_BYTES} bytes Noaber reads"
    ))
}

/// Refuses a request whose `content-length` announces a body over [`MAX_BODY_BYTES`] before
/// anything reads it, on every route; a body without a length is cut off at the limit by the
/// extractor instead ([`super::ApiJson`]).
pub async fn refuse_large_bodies(req: Request, next: Next) -> Response {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return body_too_large().into_response();
    }
    next.run(req).await
}

/// A page size: `default` when absent, else 1 to [`MAX_PAGE_SIZE`].
pub fn page_size(given: Option<usize>, default: usize) -> Result<usize, ApiError> {
    match given {
        None => Ok(default),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::BadInput(format!(
            "the query parameter limit is {n}: a page holds 1 to {MAX_PAGE_SIZE} items"
        ))),
    }
}

/// Refuses a report period [`from`, `to`) longer than [`MAX_PERIOD_DAYS`]; `names` are the
/// parameters, for the message.
pub fn period(from: DateTime<Utc>, to: DateTime<Utc>, names: &str) -> Result<(), ApiError> {
    if (to - from).num_days() > MAX_PERIOD_DAYS {
        return Err(ApiError::BadInput(format!(
            "the period {names} is longer than the {MAX_PERIOD_DAYS} days (50 years) a report covers"
        )));
    }
    Ok(())
}

/// Refuses a time series of more than [`MAX_SERIES_POINTS`] steps over [`from`, `to`).
pub fn series(interval: Interval, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), ApiError> {
    let months = |t: DateTime<Utc>| i64::from(t.year()) * 12 + i64::from(t.month0());
    // One more than the whole steps in between, for the partial ones at either end.
    let points = match interval {
        Interval::Week => (to - from).num_days() / 7 + 2,
        Interval::Month => months(to) - months(from) + 1,
        Interval::Quarter => (months(to) - months(from)) / 3 + 2,
    };
    if points > MAX_SERIES_POINTS {
        return Err(ApiError::BadInput(format!(
            "the query parameter series asks for about {points} {} steps: a series holds at most {MAX_SERIES_POINTS}; choose a shorter period or a longer step",
            interval.as_str()
        )));
    }
    Ok(())
}

/// A collection a body's list is read into.
pub trait List<T>: FromIterator<T> {}
impl<T> List<T> for Vec<T> {}
impl<T: Ord> List<T> for BTreeSet<T> {}

/// Reads a list of at most [`MAX_LIST_ITEMS`], for `#[serde(deserialize_with = "bounded")]`:
/// it stops reading at the first item over the limit.
pub fn bounded<'de, D, C, T>(deserializer: D) -> Result<C, D::Error>
where
    D: Deserializer<'de>,
    C: List<T>,
    T: Deserialize<'de>,
{
    struct Items<C, T>(PhantomData<(C, T)>);

    impl<'de, C: List<T>, T: Deserialize<'de>> Visitor<'de> for Items<C, T> {
        type Value = C;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "a list of at most {MAX_LIST_ITEMS} items")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<C, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element::<T>()? {
                if items.len() == MAX_LIST_ITEMS {
                    return Err(A::Error::custom(format!(
                        "a list holds at most {MAX_LIST_ITEMS} items"
                    )));
                }
                items.push(item);
            }
            Ok(items.into_iter().collect())
        }
    }

    deserializer.deserialize_seq(Items(PhantomData))
}

/// [`bounded`] for an optional list (`null` or absent: `None`; use with `#[serde(default)]`).
pub fn bounded_opt<'de, D, C, T>(deserializer: D) -> Result<Option<C>, D::Error>
where
    D: Deserializer<'de>,
    C: List<T>,
    T: Deserialize<'de>,
{
    struct Inner<C, T>(C, PhantomData<T>);

    impl<'de, C: List<T>, T: Deserialize<'de>> Deserialize<'de> for Inner<C, T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            bounded(deserializer).map(|c| Inner(c, PhantomData))
        }
    }

    Ok(Option::<Inner<C, T>>::deserialize(deserializer)?.map(|inner| inner.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(year: i32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
            .single()
            .expect("a valid date")
    }

    #[test]
    fn a_weekly_series_over_nineteen_years_fits_and_over_twenty_does_not() {
        assert!(series(Interval::Week, at(2000), at(2019)).is_ok());
        assert!(series(Interval::Week, at(2000), at(2020)).is_err());
        assert!(series(Interval::Month, at(2000), at(2050)).is_ok());
        assert!(series(Interval::Quarter, at(2000), at(2050)).is_ok());
    }

    #[test]
    fn a_list_over_the_limit_is_refused_and_one_at_it_is_read() {
        #[derive(Debug, Deserialize)]
        struct Body {
            #[serde(deserialize_with = "bounded")]
            items: Vec<u32>,
            #[serde(default, deserialize_with = "bounded_opt")]
            maybe: Option<BTreeSet<u32>>,
        }
        let list = |n: usize| serde_json::json!((0..n).collect::<Vec<_>>());
        let ok: Body = serde_json::from_value(serde_json::json!({"items": list(MAX_LIST_ITEMS)}))
            .expect("at the limit");
        assert_eq!(ok.items.len(), MAX_LIST_ITEMS);
        assert!(ok.maybe.is_none());
        let too_many =
            serde_json::from_value::<Body>(serde_json::json!({"items": list(MAX_LIST_ITEMS + 1)}))
                .expect_err("over the limit");
        assert!(too_many.to_string().contains("at most"), "{too_many}");
        let too_many = serde_json::from_value::<Body>(
            serde_json::json!({"items": [], "maybe": list(MAX_LIST_ITEMS + 1)}),
        )
        .expect_err("over the limit");
        assert!(too_many.to_string().contains("at most"), "{too_many}");
    }
}

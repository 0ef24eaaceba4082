//! Cursor pagination, the same for every list: `?limit=` (1 to 100) and `?cursor=` (the
//! previous page's `next_cursor`), answered as `{"items": [...], "next_cursor": "..."}`.
//!
//! A cursor names the last item of the page by its place in the list's order (a key), not by a
//! count, so the next page starts right after that item even when items were added or removed
//! in the meantime: nothing is shown twice and nothing that was there before is skipped.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::ApiError;

/// One page of a list.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Page<T> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// Give this as `?cursor=` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The page of `items`, put in the order of their `key` (unique per item), after `cursor`, at
/// most `limit` long.
pub fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<T>, ApiError> {
    let after = cursor.map(decode).transpose()?;
    let mut keyed: Vec<(String, T)> = items
        .into_iter()
        .map(|item| (key(&item), item))
        .filter(|(k, _)| after.as_ref().is_none_or(|a| k > a))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let more = keyed.len() > limit;
    keyed.truncate(limit);
    let next_cursor = match keyed.last() {
        Some((last, _)) if more => Some(URL_SAFE_NO_PAD.encode(last)),
        _ => None,
    };
    Ok(Page {
        items: keyed.into_iter().map(|(_, item)| item).collect(),
        next_cursor,
    })
}

/// The query of a list: a page of it, and optionally only once the read models include
/// everything committed before the call.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Items per page (1 to 100; 50 when absent).
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Wait until the read models include everything committed before this call.
    #[serde(default)]
    pub fresh: bool,
}

/// Items per page when a list's query does not say.
pub const DEFAULT_LIMIT: usize = 50;

/// A key that sorts by a name (ignoring case), then by `id`.
pub fn by_name(name: &str, id: impl std::fmt::Display) -> String {
    format!("{}/{id}", name.to_lowercase())
}

fn decode(cursor: &str) -> Result<String, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            ApiError::BadInput(
                "the cursor is not one this list gave: start again from the first page (no cursor)"
                    .into(),
            )
        })
}

/// A key that sorts newest first, then by `id`.
pub fn newest_first(at: DateTime<Utc>, id: impl std::fmt::Display) -> String {
    let since = i128::from(at.timestamp_micros());
    format!("{:040}/{id}", i128::MAX / 2 - since)
}

/// A key that sorts by `id` alone.
pub fn by_id(id: impl std::fmt::Display) -> String {
    id.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn newest_first_keys_sort_later_times_first() {
        let t = |s: i64| DateTime::from_timestamp(s, 0).expect("a time");
        assert!(newest_first(t(2_000), "a") < newest_first(t(1_000), "a"));
        assert!(newest_first(t(1_000), "a") < newest_first(t(1_000), "b"));
        assert!(newest_first(t(10), "z") < newest_first(t(-10), "a"));
    }

    #[test]
    fn a_cursor_from_elsewhere_is_bad_input() {
        for bad in ["%%%", "////"] {
            assert!(matches!(
                page(vec![1], |i| i.to_string(), Some(bad), 5),
                Err(ApiError::BadInput(_))
            ));
        }
    }

    proptest! {
        /// Paging through a list while items come and go shows every item that stayed, once,
        /// in order, and never one twice.
        #[test]
        fn pages_stay_stable_while_items_come_and_go(
            start in proptest::collection::btree_set(0u32..1000, 0..60),
            added in proptest::collection::btree_set(0u32..1000, 0..20),
            removed in proptest::collection::btree_set(0u32..1000, 0..20),
            limit in 1usize..8,
        ) {
            let key = |i: &u32| format!("{i:04}");
            let mut list: Vec<u32> = start.iter().copied().collect();
            let mut seen = Vec::new();
            let mut cursor = None;
            let mut pages = 0;
            loop {
                let got = page(list.clone(), key, cursor.as_deref(), limit).expect("a page");
                seen.extend(got.items.iter().copied());
                pages += 1;
                if pages == 2 {
                    // Items come and go between the second and third page.
                    list.retain(|i| !removed.contains(i));
                    list.extend(added.iter().copied());
                    list.sort_unstable();
                    list.dedup();
                }
                match got.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            let mut sorted = seen.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(&sorted, &seen, "in order, none twice");
            for i in &start {
                if !removed.contains(i) {
                    prop_assert!(seen.contains(i), "{} stayed and was not shown", i);
                }
            }
        }
    }
}

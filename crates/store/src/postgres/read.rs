//! Reading the PostgreSQL log: one stream in version order, and the global order in pages
//! fetched ahead of the reader, below the read horizon so that a late commit is never skipped
//! (ADR 0003); with `follow`, the pages go on as new events arrive.

use std::time::Duration;

use futures::{stream, StreamExt, TryStreamExt};
use sqlx::postgres::{PgPool, PgRow};
use tokio::sync::mpsc;

use super::decode::{self, COLUMNS};
use super::PgStore;
use crate::envelope::{Checkpoint, EventFilter, RecordedEvent, StreamId};
use crate::error::{StoreError, StoreErrorKind};
use crate::EventStream;

/// Rows per page of the global order (`read_all`, `subscribe`): large enough to amortise the
/// round trip and the read horizon (about 0.5 ms a page), small enough that a reader holds
/// little: a page of typical events is about 3 MB of undecoded rows, and a reader holds at most
/// three (the one it decodes, one waiting, one being fetched).
const PAGE: usize = 5000;

/// Rows per page of one stream: most streams are short, so pages stay small.
const STREAM_PAGE: usize = 1000;

/// How often a subscriber looks for new events when nothing wakes it.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

impl PgStore {
    /// One stream from `from_version` on, in pages of [`STREAM_PAGE`]: the body of
    /// [`crate::EventStore::read_stream`].
    pub(super) fn stream_events<'a>(
        &'a self,
        stream: &'a StreamId,
        from_version: u64,
    ) -> EventStream<'a> {
        let from = i64::try_from(from_version.max(1)).unwrap_or(i64::MAX);
        let sql = format!(
            "select {COLUMNS} from events where stream_id = $1 and stream_version >= $2 \
             order by stream_version limit $3"
        );
        let events = stream::try_unfold(Some(from), move |from| {
            let sql = sql.clone();
            async move {
                let Some(from) = from else {
                    return Ok(None);
                };
                let rows = sqlx::query(&sql)
                    .bind(stream.as_str())
                    .bind(from)
                    .bind(STREAM_PAGE as i64)
                    .fetch_all(&self.pool)
                    .await?;
                let next = match rows.last() {
                    Some(last) if rows.len() == STREAM_PAGE => {
                        Some(decode::stream_version(last)?.saturating_add(1))
                    }
                    _ => None,
                };
                Ok::<_, StoreError>(Some((rows, next)))
            }
        })
        .map_ok(|rows| stream::iter(rows).map(|row| decode::event(&row)))
        .try_flatten();
        until_first_error(events)
    }

    /// The stream's last version, 0 when it has none.
    pub(super) async fn last_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        let version: i64 = sqlx::query_scalar(
            "select coalesce(max(stream_version), 0)::bigint from events where stream_id = $1",
        )
        .bind(stream.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(version).unwrap_or(0))
    }

    /// The checkpoint of the last event below the read horizon.
    pub(super) async fn visible_head(&self) -> Result<Checkpoint, StoreError> {
        let head: Option<(i64, i64)> = sqlx::query_as(
            "select tx_id::text::bigint as tx, position from events \
             where tx_id < (select noaber_read_horizon()) \
             order by events.tx_id desc, events.position desc limit 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(head.map_or(Checkpoint::START, |(tx, position)| Checkpoint {
            tx,
            position,
        }))
    }

    /// One page of the global order after `after`, below the read horizon, not yet decoded.
    async fn page(
        pool: &PgPool,
        after: Checkpoint,
        limit: usize,
        filter: &EventFilter,
    ) -> Result<Vec<PgRow>, sqlx::Error> {
        // Only the filters in use appear in the SQL: with `($n is null or ...)` clauses a
        // generic (prepared) plan misjudges them and sorts the whole log for every page.
        let mut sql = format!(
            "select {COLUMNS} from events \
             where (tx_id, position) > ($1::bigint::text::xid8, $2) \
               and tx_id < (select noaber_read_horizon())"
        );
        let mut n = 3;
        if filter.tenant_id.is_some() {
            sql.push_str(&format!(" and tenant_id = ${n}"));
            n += 1;
        }
        if !filter.categories.is_empty() {
            sql.push_str(&format!(" and category = any(${n})"));
            n += 1;
        }
        if !filter.event_types.is_empty() {
            sql.push_str(&format!(" and event_type = any(${n})"));
            n += 1;
        }
        sql.push_str(&format!(
            " order by events.tx_id, events.position limit ${n}"
        ));
        let mut query = sqlx::query(&sql).bind(after.tx).bind(after.position);
        if let Some(tenant) = filter.tenant_id {
            query = query.bind(tenant);
        }
        if !filter.categories.is_empty() {
            query = query.bind(&filter.categories);
        }
        if !filter.event_types.is_empty() {
            query = query.bind(&filter.event_types);
        }
        query
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await
    }

    /// The global order after `after` as a stream: a task fetches pages of raw rows (the next
    /// one while the reader decodes the current one, row by row as it consumes them) and, with
    /// `follow`, keeps waiting for new events once it has caught up. Without `follow` it stops
    /// after `limit` events or at the end.
    pub(super) fn pages(
        &self,
        after: Checkpoint,
        limit: usize,
        filter: EventFilter,
        follow: bool,
    ) -> EventStream<'static> {
        // One page in the channel and one being fetched: the reader never waits for a round
        // trip while it has rows to decode, and at most about three pages are in memory.
        let (tx, rx) = mpsc::channel::<Result<Vec<PgRow>, StoreError>>(1);
        let mut wake = self.inner.wake.subscribe();
        if follow {
            self.ensure_listening();
        }
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let mut after = after;
            let mut remaining = limit;
            loop {
                if remaining == 0 {
                    return;
                }
                wake.borrow_and_update();
                let want = remaining.min(PAGE);
                match Self::page(&pool, after, want, &filter).await {
                    Ok(rows) => {
                        let full = rows.len() == want;
                        if let Some(last) = rows.last() {
                            after = match decode::checkpoint(last) {
                                Ok(checkpoint) => checkpoint,
                                Err(e) => {
                                    let _ = tx.send(Err(e)).await;
                                    return;
                                }
                            };
                            if !follow {
                                remaining -= rows.len();
                            }
                            if tx.send(Ok(rows)).await.is_err() {
                                return;
                            }
                        }
                        if full {
                            continue;
                        }
                        if !follow {
                            return;
                        }
                    }
                    Err(e) => {
                        let e = StoreError::from(e);
                        if follow && *e.kind() == StoreErrorKind::Unavailable {
                            tracing::warn!(error = %e, "a subscription lost the event log's database; retrying");
                            tokio::select! {
                                () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                                () = tx.closed() => return,
                            }
                        }
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                }
                tokio::select! {
                    changed = wake.changed() => {
                        if changed.is_err() {
                            // The store is gone: keep polling for as long as anyone listens.
                            tokio::select! {
                                () = tokio::time::sleep(POLL_INTERVAL) => {}
                                () = tx.closed() => return,
                            }
                        }
                    }
                    () = tokio::time::sleep(POLL_INTERVAL) => {}
                    () = tx.closed() => return,
                }
            }
        });
        RowPages {
            pages: rx,
            rows: Vec::new().into_iter(),
            failed: false,
        }
        .boxed()
    }
}

/// The reader's side of [`PgStore::pages`]: decodes the rows of each page as the caller asks
/// for them (so no page of decoded events is ever built), and ends after the first error.
struct RowPages {
    pages: mpsc::Receiver<Result<Vec<PgRow>, StoreError>>,
    rows: std::vec::IntoIter<PgRow>,
    failed: bool,
}

impl futures::Stream for RowPages {
    type Item = Result<RecordedEvent, StoreError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.failed {
            return Poll::Ready(None);
        }
        loop {
            if let Some(row) = self.rows.next() {
                let event = decode::event(&row);
                self.failed = event.is_err();
                return Poll::Ready(Some(event));
            }
            match self.pages.poll_recv(cx) {
                Poll::Ready(Some(Ok(rows))) => self.rows = rows.into_iter(),
                Poll::Ready(Some(Err(e))) => {
                    self.failed = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Ends `events` after its first error: what follows a corrupt event is not read.
fn until_first_error<'a>(
    events: impl futures::Stream<Item = Result<RecordedEvent, StoreError>> + Send + 'a,
) -> EventStream<'a> {
    events
        .scan(false, |failed, item| {
            if *failed {
                return futures::future::ready(None);
            }
            *failed = item.is_err();
            futures::future::ready(Some(item))
        })
        .boxed()
}

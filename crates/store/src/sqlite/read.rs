//! Reading the SQLite log: one stream in version order, and the global order up to the head
//! seen before each page (writes are serialised, so nothing can appear below it later); with
//! `follow`, the reader waits for an append in this process or polls for other processes'.

use std::collections::VecDeque;
use std::time::Duration;

use futures::StreamExt;
use sqlx::{QueryBuilder, Row, Sqlite};
use tokio::sync::watch;

use super::decode::{decode, stored_version, COLUMNS};
use super::{db_error, SqliteStore};
use crate::envelope::{Checkpoint, EventFilter, RecordedEvent, StreamId};
use crate::error::StoreError;
use crate::EventStream;

/// How many rows a reader fetches per query: large enough to amortise the query, small enough
/// that a reader never holds much of the log in memory.
const PAGE: usize = 512;

/// How often a subscriber looks for events written by another process, which the in-process
/// wake-up cannot see.
const POLL: Duration = Duration::from_millis(250);

impl SqliteStore {
    /// One stream from `from_version` on, a page at a time: the body of
    /// [`crate::EventStore::read_stream`].
    pub(super) fn stream_events<'a>(
        &'a self,
        stream: &'a StreamId,
        from_version: u64,
    ) -> EventStream<'a> {
        let start = i64::try_from(from_version.max(1)).unwrap_or(i64::MAX);
        let state = (
            start,
            VecDeque::<Result<RecordedEvent, StoreError>>::new(),
            false,
        );
        futures::stream::unfold(
            state,
            move |(mut next, mut buffered, mut finished)| async move {
                loop {
                    if let Some(item) = buffered.pop_front() {
                        if item.is_err() {
                            finished = true;
                            buffered.clear();
                        }
                        return Some((item, (next, buffered, finished)));
                    }
                    if finished {
                        return None;
                    }
                    match self.stream_page(stream, next).await {
                        Ok(items) => {
                            if items.is_empty() {
                                return None;
                            }
                            finished = items.len() < PAGE;
                            next = next.saturating_add(items.len() as i64);
                            buffered.extend(items);
                        }
                        Err(e) => return Some((Err(e), (next, buffered, true))),
                    }
                }
            },
        )
        .boxed()
    }

    /// The stream's last version, 0 when it has none.
    pub(super) async fn last_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        let version: Option<i64> =
            sqlx::query_scalar("select max(stream_version) from events where stream_id = ?")
                .bind(stream.as_str())
                .fetch_one(&self.inner.readers)
                .await
                .map_err(db_error)?;
        version.map_or(Ok(0), |v| stored_version(v, -1))
    }

    /// The checkpoint of the last event in the log.
    pub(super) async fn last_checkpoint(&self) -> Result<Checkpoint, StoreError> {
        let head: Option<i64> = sqlx::query_scalar("select max(position) from events")
            .fetch_one(&self.inner.readers)
            .await
            .map_err(db_error)?;
        Ok(head.map_or(Checkpoint::START, |position| Checkpoint { tx: 0, position }))
    }

    /// Reads up to `limit` events matching `filter` after `after`, and how far the log was
    /// scanned: the position to continue after, which passes events the filter skipped.
    async fn page(
        &self,
        after: i64,
        filter: &EventFilter,
        limit: usize,
    ) -> Result<(Vec<Result<RecordedEvent, StoreError>>, i64), StoreError> {
        // The head first: writes are serialised and positions grow in commit order, so no
        // event at or below it can still appear, and the scan may safely move up to it.
        let head: Option<i64> = sqlx::query_scalar("select max(position) from events")
            .fetch_one(&self.inner.readers)
            .await
            .map_err(db_error)?;
        let head = head.unwrap_or(0);
        if head <= after {
            return Ok((Vec::new(), after));
        }
        let mut query = QueryBuilder::<Sqlite>::new("select ");
        query
            .push(COLUMNS)
            .push(" from events where position > ")
            .push_bind(after)
            .push(" and position <= ")
            .push_bind(head);
        if let Some(tenant) = filter.tenant_id {
            query.push(" and tenant_id = ").push_bind(tenant);
        }
        if !filter.categories.is_empty() {
            query.push(" and category in (");
            let mut list = query.separated(", ");
            for category in &filter.categories {
                list.push_bind(category.clone());
            }
            list.push_unseparated(")");
        }
        if !filter.event_types.is_empty() {
            query.push(" and event_type in (");
            let mut list = query.separated(", ");
            for event_type in &filter.event_types {
                list.push_bind(event_type.clone());
            }
            list.push_unseparated(")");
        }
        query
            .push(" order by position limit ")
            .push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        let rows = query
            .build()
            .fetch_all(&self.inner.readers)
            .await
            .map_err(db_error)?;
        let scanned_to = if rows.len() < limit {
            head
        } else {
            match rows.last() {
                Some(row) => row.try_get("position").map_err(db_error)?,
                None => after,
            }
        };
        Ok((rows.iter().map(decode).collect(), scanned_to))
    }

    /// Reads one page of a stream from `from_version` on.
    async fn stream_page(
        &self,
        stream: &StreamId,
        from_version: i64,
    ) -> Result<Vec<Result<RecordedEvent, StoreError>>, StoreError> {
        let sql = format!(
            "select {COLUMNS} from events where stream_id = ? and stream_version >= ? \
             order by stream_version limit ?"
        );
        let rows = sqlx::query(&sql)
            .bind(stream.as_str())
            .bind(from_version)
            .bind(PAGE as i64)
            .fetch_all(&self.inner.readers)
            .await
            .map_err(db_error)?;
        Ok(rows.iter().map(decode).collect())
    }

    /// A stream of the log in global order after `after`: at most `limit` events, or, when
    /// `follow` is set, without end, waiting for new appends once it has caught up.
    pub(super) fn reader(
        &self,
        after: Checkpoint,
        limit: usize,
        filter: EventFilter,
        follow: bool,
    ) -> EventStream<'static> {
        let state = Reader {
            store: self.clone(),
            filter,
            after: after.position,
            remaining: limit,
            buffered: VecDeque::new(),
            wake: follow.then(|| self.inner.appended.subscribe()),
            finished: false,
        };
        futures::stream::unfold(state, |mut st| async move {
            loop {
                if let Some(item) = st.buffered.pop_front() {
                    if item.is_err() {
                        // A reader must not step over an event it cannot read.
                        st.finished = true;
                        st.buffered.clear();
                    }
                    return Some((item, st));
                }
                if st.finished || st.remaining == 0 {
                    return None;
                }
                if let Some(wake) = st.wake.as_mut() {
                    // Marked before the query, so an append that commits after it is never
                    // missed: it either shows in the query or wakes the wait below.
                    wake.borrow_and_update();
                }
                let want = st.remaining.min(PAGE);
                match st.store.page(st.after, &st.filter, want).await {
                    Ok((items, scanned_to)) => {
                        st.after = scanned_to;
                        st.remaining = st.remaining.saturating_sub(items.len());
                        if items.is_empty() {
                            match st.wake.as_mut() {
                                Some(wake) => {
                                    tokio::select! {
                                        _ = wake.changed() => {}
                                        _ = tokio::time::sleep(POLL) => {}
                                    }
                                    continue;
                                }
                                None => return None,
                            }
                        }
                        if st.wake.is_none() && items.len() < want {
                            st.finished = true;
                        }
                        st.buffered.extend(items);
                    }
                    Err(e) => {
                        st.finished = true;
                        return Some((Err(e), st));
                    }
                }
            }
        })
        .boxed()
    }
}

/// The state of a `read_all` or `subscribe` stream.
struct Reader {
    store: SqliteStore,
    filter: EventFilter,
    after: i64,
    remaining: usize,
    buffered: VecDeque<Result<RecordedEvent, StoreError>>,
    wake: Option<watch::Receiver<u64>>,
    finished: bool,
}

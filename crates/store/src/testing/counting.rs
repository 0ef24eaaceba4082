//! An event log that counts how often streams are read, over any other: tests pin with it how
//! many reads a command or a request costs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;

use crate::{
    AppendOutcome, Checkpoint, EventFilter, EventStore, EventStream, ExpectedVersion, NewEvent,
    StoreError, StreamId,
};

/// Forwards everything to `inner`, counting the calls to [`EventStore::read_stream`].
#[derive(Debug)]
pub struct CountingStore {
    inner: Arc<dyn EventStore>,
    stream_reads: AtomicUsize,
}

impl CountingStore {
    /// A counting wrapper of `inner`, at zero.
    pub fn new(inner: Arc<dyn EventStore>) -> Self {
        Self {
            inner,
            stream_reads: AtomicUsize::new(0),
        }
    }

    /// How many streams were read so far.
    pub fn stream_reads(&self) -> usize {
        self.stream_reads.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl EventStore for CountingStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, StoreError> {
        self.inner.append(stream, expected, events).await
    }

    fn read_stream<'a>(&'a self, stream: &'a StreamId, from_version: u64) -> EventStream<'a> {
        self.stream_reads.fetch_add(1, Ordering::SeqCst);
        self.inner.read_stream(stream, from_version)
    }

    fn read_all<'a>(
        &'a self,
        after: Checkpoint,
        limit: usize,
        filter: &'a EventFilter,
    ) -> EventStream<'a> {
        self.inner.read_all(after, limit, filter)
    }

    fn subscribe(&self, after: Checkpoint, filter: EventFilter) -> EventStream<'static> {
        self.inner.subscribe(after, filter)
    }

    async fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        self.inner.stream_version(stream).await
    }

    async fn head(&self) -> Result<Checkpoint, StoreError> {
        self.inner.head().await
    }

    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
}

//! The access log writer: every response that opened someone's personal data is recorded, in
//! batches, by one background task per instance.
//!
//! A handler hands over an [`Opened`] (who read whose data, which fields, for what) and goes
//! on; when entries come one by one the writer waits [`LINGER`] after the first of a batch, so
//! a moderately busy server writes a few large transactions instead of many small ones; when
//! they queue up it does not wait. It drains whatever has queued up (at most [`MAX_BATCH`]
//! rows) and writes it in one transaction. The durability bound: an entry is
//! in the database within [`LINGER`] plus one batch write after its response; a process killed
//! in between loses at most the entries still queued, at most [`QUEUE`] responses. A full queue makes readers wait rather
//! than drop entries. A failed write is retried with backoff before the batch is logged as lost.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use noaber_domain::{PersonId, Role, TenantId};
use noaber_store::identity::{AccessRecord, IdentityStore};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// The most persons' rows (one per person an entry showed) written in one transaction.
pub const MAX_BATCH: usize = 2_000;
/// The most responses queued before readers wait for the writer.
pub const QUEUE: usize = 10_000;
/// How long the writer gathers entries after the first one of a batch. Measured with `noaber
/// bench http`: without it, a transaction per handful of responses cost the opened feed page a
/// third of its throughput (ADR 0035).
pub const LINGER: Duration = Duration::from_millis(5);

/// What one response opened: the reader, and per data subject the fields shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The tenant.
    pub tenant: TenantId,
    /// Who read.
    pub reader: PersonId,
    /// In which role.
    pub role: Role,
    /// What was read (`GET /v1/requests/{id}`).
    pub resource: String,
    /// The response's request id.
    pub request_id: Option<String>,
    /// Per subject, the fields opened.
    pub subjects: BTreeMap<PersonId, BTreeSet<&'static str>>,
}

impl Opened {
    /// Nothing opened yet by `reader` in `role` reading `resource`.
    pub fn new(
        tenant: TenantId,
        reader: PersonId,
        role: Role,
        resource: impl Into<String>,
    ) -> Self {
        Self {
            tenant,
            reader,
            role,
            resource: resource.into(),
            request_id: None,
            subjects: BTreeMap::new(),
        }
    }

    /// Notes that `field` of `subject` was shown.
    pub fn add(&mut self, subject: PersonId, field: &'static str) {
        self.subjects.entry(subject).or_default().insert(field);
    }

    /// Whether nothing personal was shown.
    pub fn is_empty(&self) -> bool {
        self.subjects.is_empty()
    }

    /// The entry as the store keeps it, made now.
    pub fn record(self) -> AccessRecord {
        let at = chrono::DateTime::from_timestamp_micros(Utc::now().timestamp_micros())
            .unwrap_or_else(Utc::now);
        AccessRecord {
            entry_id: Uuid::now_v7(),
            at,
            tenant_id: self.tenant.as_uuid(),
            reader_id: self.reader.as_uuid(),
            reader_role: self.role.as_str().to_owned(),
            resource: self.resource,
            request_id: self.request_id,
            subjects: self
                .subjects
                .into_iter()
                .map(|(subject, fields)| {
                    (
                        subject.as_uuid(),
                        fields.into_iter().collect::<Vec<_>>().join(","),
                    )
                })
                .collect(),
        }
    }
}

enum Message {
    Rows(AccessRecord),
    Flush(oneshot::Sender<()>),
}

/// The handle handlers record through; cheap to clone.
#[derive(Clone, Debug)]
pub struct AccessLog {
    sender: mpsc::Sender<Message>,
    written: Arc<AtomicU64>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Message::Rows(record) => write!(f, "Rows({})", record.subjects.len()),
            Message::Flush(_) => write!(f, "Flush"),
        }
    }
}

impl AccessLog {
    /// Starts the writer task over `store`.
    pub fn start(store: Arc<dyn IdentityStore>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let written = Arc::new(AtomicU64::new(0));
        tokio::spawn(write_batches(store, receiver, written.clone()));
        Self { sender, written }
    }

    /// Records what a response opened; waits only when the queue is full.
    pub async fn record(&self, opened: Opened) {
        if opened.is_empty() {
            return;
        }
        if self
            .sender
            .send(Message::Rows(opened.record()))
            .await
            .is_err()
        {
            tracing::error!("the access log writer has stopped; an opening was not recorded");
        }
    }

    /// Waits until everything recorded before this call is written.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.sender.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Rows written since the start, for the benchmark.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }
}

async fn write_batches(
    store: Arc<dyn IdentityStore>,
    mut receiver: mpsc::Receiver<Message>,
    written: Arc<AtomicU64>,
) {
    while let Some(first) = receiver.recv().await {
        // Let entries gather when they come one by one; when they already queue up the batch
        // fills without waiting, and nobody who asked for a flush waits longer than needed.
        if matches!(first, Message::Rows(_)) && receiver.is_empty() {
            tokio::time::sleep(LINGER).await;
        }
        let mut records = Vec::new();
        let mut rows = 0;
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Rows(record) => {
                    rows += record.subjects.len();
                    records.push(record);
                }
                Message::Flush(done) => flushes.push(done),
            }
            next = if rows < MAX_BATCH {
                receiver.try_recv().ok()
            } else {
                None
            };
        }
        write_with_retries(store.as_ref(), &records).await;
        written.fetch_add(rows as u64, Ordering::Relaxed);
        for done in flushes {
            let _ = done.send(());
        }
    }
}

async fn write_with_retries(store: &dyn IdentityStore, rows: &[AccessRecord]) {
    let mut delay = Duration::from_millis(50);
    for attempt in 1..=5 {
        match store.record_access(rows).await {
            Ok(()) => return,
            Err(e) if attempt < 5 => {
                tracing::warn!(error = %e, attempt, rows = rows.len(), "the access log could not be written; retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(e) => {
                tracing::error!(error = %e, rows = rows.len(), "access log entries were lost");
            }
        }
    }
}

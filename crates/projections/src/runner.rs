//! The projection runner: folds the log into every read model, keeps them in memory and follows
//! the log's live subscription, with snapshots so a restart does not replay everything.
//!
//! Each event is decoded once into an [`AnyEvent`] and handed to every model. A stored event
//! that no longer decodes is logged and counted, and the runner goes on: one bad payload must
//! not take every screen of the service down. Each model keeps its own checkpoint, so models
//! restored from snapshots of different ages are brought to the same point by one replay.
//! Models read the decoded event, never `raw.payload`: a rebuild and the follower move the
//! payload into the decoder instead of copying it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use noaber_domain::person::{PersonEvent, Standing};
use noaber_domain::request::RequestEvent;
use noaber_domain::values::CategoryCode;
use noaber_domain::{AnyEvent, PersonId, TenantId};
use noaber_store::privacy::Privacy;
use noaber_store::{
    Checkpoint, EventFilter, EventStore, RecordedEvent, StoreError, StoreErrorKind,
};
use serde::Serialize;
use tokio::sync::{broadcast, watch, Mutex, RwLock, RwLockReadGuard};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::model::{Envelope, ReadModel};
use crate::pipeline::{self, Decoded, Folder};
use crate::snapshot::{self, SnapshotError, SnapshotStore};

/// Declares the set of read models once; the struct, the fold and the snapshot code follow.
macro_rules! read_models {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty ),+ $(,)?) => {
        /// Every read model, folded from the same events, each with its checkpoint.
        #[derive(Clone, Debug, Default)]
        pub struct ReadModels {
            $( $(#[$doc])* pub $field: $ty, )+
            checkpoints: Checkpoints,
            stats: FoldStats,
        }

        /// The checkpoint each model has reached.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
        pub struct Checkpoints {
            $( #[doc = concat!("The checkpoint of `", stringify!($field), "`.")] pub $field: Checkpoint, )+
        }

        impl Default for Checkpoints {
            fn default() -> Self {
                Self { $( $field: Checkpoint::START, )+ }
            }
        }

        impl Checkpoints {
            /// The lowest checkpoint of all models: replay resumes after it.
            pub fn min(&self) -> Checkpoint {
                [$( self.$field ),+].into_iter().min().unwrap_or(Checkpoint::START)
            }

            /// Every model's name with its checkpoint.
            pub fn by_name(&self) -> Vec<(&'static str, Checkpoint)> {
                vec![$( (<$ty as ReadModel>::NAME, self.$field) ),+]
            }
        }

        impl ReadModels {
            /// Folds one decoded event into every model that has not seen it yet.
            #[inline]
            pub fn apply(&mut self, env: &Envelope<'_>) {
                let at = env.raw.checkpoint;
                $(
                    if at > self.checkpoints.$field {
                        self.$field.apply(env);
                        self.checkpoints.$field = at;
                    }
                )+
                self.stats.applied += 1;
            }

            /// Takes a snapshot of every model.
            pub fn snapshots(&self) -> Result<Vec<snapshot::Snapshot>, SnapshotError> {
                Ok(vec![$( snapshot::take(&self.$field, self.checkpoints.$field)? ),+])
            }

            /// Restores every model from `store`; a model without a usable snapshot starts
            /// empty at the start of the log. A damaged snapshot is logged and ignored.
            pub fn restore(store: &dyn SnapshotStore) -> Self {
                let mut models = Self::default();
                $(
                    match store.load(<$ty as ReadModel>::NAME).and_then(|s| match s {
                        Some(s) => snapshot::restore::<$ty>(&s),
                        None => Ok(None),
                    }) {
                        Ok(Some((model, at))) => {
                            models.$field = model;
                            models.checkpoints.$field = at;
                        }
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, "ignoring a snapshot; the model is rebuilt from the log"),
                    }
                )+
                models
            }

            /// Moves every model's checkpoint past an event none of them could use.
            fn skip(&mut self, at: Checkpoint) {
                $(
                    if at > self.checkpoints.$field {
                        self.checkpoints.$field = at;
                    }
                )+
            }

            /// The names of the models, in a stable order.
            pub fn names() -> Vec<&'static str> {
                vec![$( <$ty as ReadModel>::NAME ),+]
            }
        }
    };
}

read_models! {
    /// Resident feeds per neighbourhood.
    feed: crate::feed::Feed,
    /// Connector queues.
    queue: crate::queue::Queue,
    /// The helper directory and match suggestions.
    directory: crate::directory::Directory,
    /// Requests per category per neighbourhood over time.
    signals: crate::signals::Signals,
    /// Funder KPIs.
    kpis: crate::kpi::Kpis,
    /// Which tenant owns each aggregate.
    owners: crate::owners::Owners,
    /// The roles granted to each person, and their history.
    roles: crate::roles::Roles,
    /// Who is screened or suspended, and which categories each tenant marks sensitive.
    safeguarding: crate::safeguarding::Safeguarding,
    /// Each tenant's retention period, and the ended requests waiting for it to run out.
    retention: crate::retention::Retention,
    /// Each tenant's neighbourhoods and organisations.
    social_map: crate::social_map::SocialMap,
    /// The calls to the volunteer list.
    calls: crate::calls::Calls,
    /// The neighbours' standing offers of help.
    standing_offers: crate::standing_offers::StandingOffers,
}

/// Counters of one fold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FoldStats {
    /// Events folded into the models.
    pub applied: u64,
    /// Stored events that could not be decoded and were skipped.
    pub decode_failures: u64,
}

impl ReadModels {
    /// Decodes one stored event and folds it into every model. An event that does not decode is
    /// logged, counted and skipped (the models' checkpoints still move past it).
    pub fn apply_recorded(&mut self, raw: &RecordedEvent) {
        match decode(raw) {
            Ok(event) => self.apply(&Envelope { raw, event: &event }),
            Err(e) => self.skip_undecodable(raw, &e),
        }
    }

    /// Folds an event decoded by the pipeline, like [`Self::apply_recorded`].
    pub(crate) fn apply_decoded(&mut self, decoded: &Decoded) {
        match &decoded.event {
            Ok(event) => self.apply(&Envelope {
                raw: &decoded.raw,
                event,
            }),
            Err(e) => self.skip_undecodable(&decoded.raw, e),
        }
    }

    /// Logs and counts a stored event that does not decode, and moves every model past it.
    fn skip_undecodable(&mut self, raw: &RecordedEvent, error: &noaber_domain::DecodeError) {
        self.stats.decode_failures += 1;
        tracing::error!(
            position = raw.position,
            stream = %raw.stream_id,
            event_type = %raw.event_type,
            error = %error,
            "a stored event could not be decoded; the read models skip it"
        );
        self.skip(raw.checkpoint);
    }

    /// The checkpoint of every model.
    pub fn checkpoints(&self) -> Checkpoints {
        self.checkpoints
    }

    /// The checkpoint every model has reached (the lowest of them).
    pub fn checkpoint(&self) -> Checkpoint {
        self.checkpoints.min()
    }

    /// What this fold has done: events applied and events skipped as undecodable.
    pub fn stats(&self) -> FoldStats {
        self.stats
    }
}

/// Decodes a stored event into the domain's current shape (upcasting older versions).
pub fn decode(raw: &RecordedEvent) -> Result<AnyEvent, noaber_domain::DecodeError> {
    AnyEvent::decode(&raw.event_type, raw.schema_version, raw.payload.clone())
}

/// Rebuilds every read model from `events` in log order, from scratch (tests, benchmarks,
/// `replay`).
pub fn fold_all<'a>(events: impl IntoIterator<Item = &'a RecordedEvent>) -> ReadModels {
    let mut models = ReadModels::default();
    for raw in events {
        models.apply_recorded(raw);
    }
    models
}

/// Rebuilds every read model from events that are already decoded (the in-memory rebuild
/// benchmark measures the fold alone with it).
pub fn fold_decoded<'a>(
    events: impl IntoIterator<Item = (&'a RecordedEvent, &'a AnyEvent)>,
) -> ReadModels {
    let mut models = ReadModels::default();
    for (raw, event) in events {
        models.apply(&Envelope { raw, event });
    }
    models
}

/// Why the runner could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The event log could not be read.
    #[error("the read models could not read the event log: {0}")]
    Store(#[from] StoreError),
    /// A snapshot could not be written.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// The wanted position was not applied in time.
    #[error(
        "the read models had not caught up with {wanted} after {waited:?} (they are at {applied})"
    )]
    Timeout {
        /// The checkpoint waited for.
        wanted: Checkpoint,
        /// How long the caller waited.
        waited: Duration,
        /// The checkpoint applied when the wait gave up.
        applied: Checkpoint,
    },
    /// The runner was shut down.
    #[error("the read models have been shut down")]
    Stopped,
}

/// How the runner behaves.
#[derive(Clone, Debug)]
pub struct RunnerConfig {
    /// Snapshots are saved after this many events have been applied since the last one.
    pub snapshot_every: u64,
    /// How many events are read per page during a rebuild.
    pub page_size: usize,
    /// The largest batch of live events applied under one write lock.
    pub batch_size: usize,
    /// How long to wait before subscribing again after the log could not be read.
    pub retry_after: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            snapshot_every: 100_000,
            page_size: 10_000,
            batch_size: 1_000,
            retry_after: Duration::from_millis(500),
        }
    }
}

/// How far one read model is behind the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelLag {
    /// The model's name.
    pub name: &'static str,
    /// The last event folded into it.
    pub checkpoint: Checkpoint,
    /// Events recorded but not yet folded (estimated from global positions; 0 when caught up).
    pub events_behind: u64,
}

/// The read models kept in memory and following the log. Cheap to clone (shared). Dropping
/// the last handle stops following the log; call [`Projections::shutdown`] first to save a
/// final snapshot.
#[derive(Clone, Debug)]
pub struct Projections {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn EventStore>,
    snapshots: Arc<dyn SnapshotStore>,
    config: RunnerConfig,
    models: RwLock<ReadModels>,
    applied: watch::Sender<Checkpoint>,
    /// Every batch of events once the models have applied it (payloads left out), for live
    /// update streams: one fold of the log feeds them all.
    published: broadcast::Sender<Arc<[RecordedEvent]>>,
    follower: Mutex<Option<JoinHandle<()>>>,
    /// The key cache to evict erased people from, when this instance seals personal data.
    privacy: Option<Arc<Privacy>>,
}

impl Projections {
    /// Restores the models from their snapshots, replays what was recorded since, and starts
    /// following the log. Returns once the follower is started (catch-up continues in the
    /// background: use [`Self::wait_for`] or [`Self::catch_up`] to wait for it).
    pub async fn start(
        store: Arc<dyn EventStore>,
        snapshots: Arc<dyn SnapshotStore>,
        config: RunnerConfig,
    ) -> Self {
        Self::start_with(store, snapshots, config, None).await
    }

    /// Like [`Self::start`], and every `PersonErased` the follower sees makes `privacy` forget
    /// that person's key: an erasure made by another instance on the same log then holds here
    /// too, as soon as this instance's read models reach it.
    pub async fn start_evicting(
        store: Arc<dyn EventStore>,
        snapshots: Arc<dyn SnapshotStore>,
        config: RunnerConfig,
        privacy: Arc<Privacy>,
    ) -> Self {
        Self::start_with(store, snapshots, config, Some(privacy)).await
    }

    async fn start_with(
        store: Arc<dyn EventStore>,
        snapshots: Arc<dyn SnapshotStore>,
        config: RunnerConfig,
        privacy: Option<Arc<Privacy>>,
    ) -> Self {
        let restored = {
            let snapshots = Arc::clone(&snapshots);
            tokio::task::spawn_blocking(move || ReadModels::restore(snapshots.as_ref()))
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "restoring snapshots failed; rebuilding from the log");
                    ReadModels::default()
                })
        };
        let at = restored.checkpoint();
        tracing::info!(checkpoint = %at, "read models restored; following the log");
        let (applied, _) = watch::channel(at);
        let (published, _) = broadcast::channel(PUBLISHED_BATCHES);
        let inner = Arc::new(Inner {
            store,
            snapshots,
            config,
            models: RwLock::new(restored),
            applied,
            published,
            follower: Mutex::new(None),
            privacy,
        });
        let this = Self { inner };
        this.spawn_follower().await;
        this
    }

    async fn spawn_follower(&self) {
        let handle = tokio::spawn(follow(Arc::downgrade(&self.inner)));
        if let Some(old) = self.inner.follower.lock().await.replace(handle) {
            old.abort();
        }
    }

    /// Read access to every model, as of [`Self::applied`].
    pub async fn read(&self) -> RwLockReadGuard<'_, ReadModels> {
        self.inner.models.read().await
    }

    /// Every batch of events from now on, as soon as the models have applied it (without
    /// payloads). A receiver that falls more than a few hundred batches behind hears
    /// `Lagged` and reads what it missed from the log.
    pub fn followed(&self) -> broadcast::Receiver<Arc<[RecordedEvent]>> {
        self.inner.published.subscribe()
    }

    /// The checkpoint every model has reached.
    pub fn applied(&self) -> Checkpoint {
        *self.inner.applied.borrow()
    }

    /// Waits until every model has applied `checkpoint` (so a caller can read its own write),
    /// at most `timeout`.
    pub async fn wait_for(
        &self,
        checkpoint: Checkpoint,
        timeout: Duration,
    ) -> Result<Checkpoint, RunnerError> {
        let mut rx = self.inner.applied.subscribe();
        let waited = tokio::time::timeout(timeout, async {
            rx.wait_for(|at| *at >= checkpoint).await.map(|at| *at)
        })
        .await;
        match waited {
            Ok(Ok(at)) => Ok(at),
            Ok(Err(_)) => Err(RunnerError::Stopped),
            Err(_) => Err(RunnerError::Timeout {
                wanted: checkpoint,
                waited: timeout,
                applied: self.applied(),
            }),
        }
    }

    /// Waits until every model has applied everything the log showed readers when called:
    /// called after an append has returned, the models then include that write (unless an older
    /// transaction still hides it from every reader of the log).
    pub async fn catch_up(&self, timeout: Duration) -> Result<Checkpoint, RunnerError> {
        let head = self.inner.store.head().await?;
        self.wait_for(head, timeout).await
    }

    /// How far each model is behind the log's head.
    pub async fn lag(&self) -> Result<Vec<ModelLag>, RunnerError> {
        let head = self.inner.store.head().await?;
        let checkpoints = self.inner.models.read().await.checkpoints();
        Ok(checkpoints
            .by_name()
            .into_iter()
            .map(|(name, checkpoint)| ModelLag {
                name,
                checkpoint,
                events_behind: behind(head, checkpoint),
            })
            .collect())
    }

    /// Saves a snapshot of every model now.
    pub async fn snapshot(&self) -> Result<(), RunnerError> {
        save_snapshots(&self.inner).await
    }

    /// Rebuilds every model from the start of the log, then follows the log again. Readers keep
    /// seeing the previous state until the rebuilt one replaces it in one step.
    pub async fn rebuild(&self) -> Result<FoldStats, RunnerError> {
        let mut follower = self.inner.follower.lock().await;
        if let Some(handle) = follower.take() {
            handle.abort();
        }
        drop(follower);
        let rebuilt = rebuild_from(
            self.inner.store.as_ref(),
            Checkpoint::START,
            self.inner.config.page_size,
            |_| {},
        )
        .await;
        let result = match rebuilt {
            Ok(models) => {
                let stats = models.stats();
                let at = models.checkpoint();
                *self.inner.models.write().await = models;
                self.inner.applied.send_replace(at);
                save_snapshots(&self.inner).await.map(|()| stats)
            }
            Err(e) => Err(e),
        };
        self.spawn_follower().await;
        result
    }

    /// Stops following the log and saves a final snapshot of every model.
    pub async fn shutdown(&self) -> Result<(), RunnerError> {
        if let Some(handle) = self.inner.follower.lock().await.take() {
            handle.abort();
            let _ = handle.await;
        }
        save_snapshots(&self.inner).await
    }
}

/// Batches kept for live update streams that fall behind before they must read the log.
const PUBLISHED_BATCHES: usize = 512;

/// How long an owner lookup of an unknown id waits for the read models to reach the log's head.
const OWNER_CATCH_UP: Duration = Duration::from_secs(2);

#[async_trait]
impl noaber_store::exec::Owners for Projections {
    /// Answered from memory; an id not known yet (created a moment ago, or never) is asked
    /// again once the models have caught up with the log.
    async fn owner(
        &self,
        category: &'static str,
        id: Uuid,
    ) -> Result<Option<TenantId>, StoreError> {
        if let Some(tenant) = self.read().await.owners.owner(category, id) {
            return Ok(Some(tenant));
        }
        match self.catch_up(OWNER_CATCH_UP).await {
            Ok(_) | Err(RunnerError::Timeout { .. }) => {}
            Err(RunnerError::Store(e)) => return Err(e),
            Err(e) => tracing::warn!(error = %e, "owner lookup without catching up"),
        }
        Ok(self.read().await.owners.owner(category, id))
    }
}

/// How long a safeguarding lookup waits for the read models to reach the log's head.
const SAFEGUARDING_CATCH_UP: Duration = Duration::from_secs(2);

impl Projections {
    /// Waits until the models include everything the log holds now: a safeguarding answer is
    /// never older than the command it is asked for. When they cannot catch up in time the
    /// answer is "unavailable" (the client retries), never a stale one: a suspension recorded
    /// a moment ago on another instance must stop the very next match.
    async fn caught_up_for_safeguarding(&self) -> Result<(), StoreError> {
        match self.catch_up(SAFEGUARDING_CATCH_UP).await {
            Ok(_) => Ok(()),
            Err(RunnerError::Store(e)) => Err(e),
            Err(e) => Err(StoreError::new(
                StoreErrorKind::Unavailable,
                "the read models did not reach the log's head in time to answer a safeguarding question",
            )
            .with_source(e)),
        }
    }
}

#[async_trait]
impl noaber_store::exec::Safeguards for Projections {
    /// Answered from memory once the models have caught up with the log.
    async fn standing(&self, tenant: TenantId, person: PersonId) -> Result<Standing, StoreError> {
        self.caught_up_for_safeguarding().await?;
        Ok(self.read().await.safeguarding.standing(tenant, person))
    }

    /// Answered from memory once the models have caught up with the log.
    async fn is_sensitive(
        &self,
        tenant: TenantId,
        category: &CategoryCode,
    ) -> Result<bool, StoreError> {
        self.caught_up_for_safeguarding().await?;
        Ok(self
            .read()
            .await
            .safeguarding
            .is_sensitive(tenant, category))
    }
}

/// Events between `applied` and `head`, estimated from their global positions.
fn behind(head: Checkpoint, applied: Checkpoint) -> u64 {
    if applied >= head {
        0
    } else {
        u64::try_from(head.position - applied.position)
            .unwrap_or(0)
            .max(1)
    }
}

/// Folds the log from `after` into fresh models; `progress` is called with the number of events
/// read after every `page_size` of them and once at the end.
///
/// Reading and decoding overlap with folding: this task reads and decodes the log and hands
/// batches of decoded events, in log order, to the fold on a blocking thread. Payloads are
/// moved into the decoder, so the models see `raw.payload` as `null`.
pub async fn rebuild_from(
    store: &dyn EventStore,
    after: Checkpoint,
    page_size: usize,
    mut progress: impl FnMut(u64),
) -> Result<ReadModels, RunnerError> {
    let page_size = u64::try_from(page_size.max(1)).unwrap_or(u64::MAX);
    let filter = EventFilter::all();
    let mut folder = Folder::start(ReadModels::default());
    let mut events = store.read_all(after, usize::MAX, &filter);
    let mut batch = folder.empty_batch();
    let mut read = 0u64;
    let mut reported = None;
    while let Some(event) = events.next().await {
        batch.push(Decoded::new(event?));
        read += 1;
        if batch.len() >= pipeline::BATCH {
            let next = folder.empty_batch();
            if !folder.fold(std::mem::replace(&mut batch, next)).await {
                // The fold stopped early (a panic): `finish` reports it.
                break;
            }
        }
        if read % page_size == 0 {
            progress(read);
            reported = Some(read);
        }
    }
    drop(events);
    folder.fold(batch).await;
    if reported != Some(read) {
        progress(read);
    }
    folder.finish().await.ok_or(RunnerError::Stopped)
}

async fn save_snapshots(inner: &Inner) -> Result<(), RunnerError> {
    let snapshots = inner.models.read().await.snapshots()?;
    let store = Arc::clone(&inner.snapshots);
    tokio::task::spawn_blocking(move || {
        for s in &snapshots {
            store.save(s)?;
        }
        Ok::<(), SnapshotError>(())
    })
    .await
    .map_err(|_| RunnerError::Stopped)??;
    Ok(())
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The last handle is gone: stop following the log (no snapshot is saved here; call
        // `Projections::shutdown` for that).
        if let Some(handle) = self.follower.get_mut().take() {
            handle.abort();
        }
    }
}

/// The follower: subscribes after the models' checkpoint and applies live events in batches,
/// resubscribing after an error, saving snapshots every `snapshot_every` events. A batch is
/// decoded before the write lock is taken, so readers wait only for the fold.
async fn follow(weak: Weak<Inner>) {
    let mut since_snapshot = 0u64;
    loop {
        // The follower holds the shared state only while it works, so dropping the last
        // `Projections` handle frees it (and `Inner`'s drop stops this task).
        let Some(inner) = weak.upgrade() else {
            return;
        };
        let after = inner.models.read().await.checkpoint();
        let mut stream = inner
            .store
            .subscribe(after, EventFilter::all())
            .ready_chunks(inner.config.batch_size.max(1));
        let retry_after = inner.config.retry_after;
        drop(inner);
        while let Some(batch) = stream.next().await {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            let mut failed = false;
            let mut decoded = Vec::with_capacity(batch.len());
            for item in batch {
                match item {
                    Ok(event) => decoded.push(Decoded::new(event)),
                    Err(e) => {
                        tracing::warn!(error = %e, "following the log failed; subscribing again");
                        failed = true;
                        break;
                    }
                }
            }
            if let Some(privacy) = &inner.privacy {
                for event in &decoded {
                    match &event.event {
                        Ok(AnyEvent::Person(PersonEvent::PersonErased(erased))) => {
                            privacy.forget(erased.person_id.as_uuid());
                        }
                        // Destroying the scope's key is idempotent; every follower does it, so
                        // a schedule that stopped between the event and the key still ends it.
                        Ok(AnyEvent::Request(RequestEvent::PersonalDataExpired(expired))) => {
                            let scope = expired.request_id.as_uuid();
                            if let Err(e) = privacy.erase(scope).await {
                                privacy.forget(scope);
                                tracing::warn!(error = %e, request = %scope, "the key scope of an expired request could not be destroyed yet");
                            }
                        }
                        _ => {}
                    }
                }
            }
            let mut models = inner.models.write().await;
            for event in &decoded {
                models.apply_decoded(event);
            }
            let at = models.checkpoint();
            drop(models);
            inner.applied.send_replace(at);
            if inner.published.receiver_count() > 0 {
                let batch: Arc<[RecordedEvent]> = decoded.iter().map(|d| d.raw.clone()).collect();
                let _ = inner.published.send(batch);
            }
            since_snapshot += u64::try_from(decoded.len()).unwrap_or(u64::MAX);
            drop(decoded);
            if failed {
                break;
            }
            if since_snapshot >= inner.config.snapshot_every {
                since_snapshot = 0;
                if let Err(e) = save_snapshots(&inner).await {
                    tracing::warn!(error = %e, "saving read-model snapshots failed");
                }
            }
        }
        tokio::time::sleep(retry_after).await;
    }
}

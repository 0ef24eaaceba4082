//! The command executor: the one place where the pure domain meets the log.
//!
//! For a command given in a context it loads the aggregate's stream, folds it, decides, seals
//! personal data, and appends with the expected version. On a concurrency conflict it reloads
//! and decides again, a bounded number of times. A command is idempotent by its client-supplied
//! command id: when the stream already holds events written by that command id, the original
//! outcome is returned and nothing is appended (see ADR 0009).
//!
//! The executor owns tenancy: the one load of the command's own stream also checks that the
//! stream belongs to the caller's tenant (another tenant's aggregate is [`ExecError::NotHere`],
//! indistinguishable from a missing one), and every other aggregate the command names must
//! exist in the caller's tenant, which [`Owners`] answers (from the read models in the API,
//! from the log otherwise) without reading those aggregates' streams.
//!
//! Facts held by other aggregates that a decision depends on ([`Decider::requirements`]: a
//! helper's standing, whether the tenant marks a category sensitive) are found the same way,
//! through [`Safeguards`], and judged by the domain's pure [`Decider::check`] (ADR 0028).

use std::sync::Arc;

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use noaber_domain::person::{Person, Standing};
use noaber_domain::tenant::Tenant;
use noaber_domain::values::CategoryCode;
use noaber_domain::{
    CommandContext, Decider, DecodeError, DomainEvent, Fact, PersonId, Reference, Requirement,
    TenantId,
};
use uuid::Uuid;

use crate::privacy::{Privacy, PrivacyError};
use crate::{
    Checkpoint, EventStore, ExpectedVersion, Metadata, NewEvent, RecordedEvent, StoreError,
    StoreErrorKind, StreamId,
};

/// How many times a command is decided again after a concurrency conflict before giving up.
pub const DEFAULT_MAX_RETRIES: usize = 5;

/// Which tenant owns an aggregate. The store defines it and the read models implement it, so
/// the executor checks the ids a command names without a round trip to the log per id, and
/// the layers keep pointing one way down.
#[async_trait]
pub trait Owners: Send + Sync + std::fmt::Debug {
    /// The tenant owning aggregate `id` of `category` (a stream category such as `"person"`),
    /// or `None` when there is no such aggregate.
    async fn owner(&self, category: &'static str, id: Uuid)
        -> Result<Option<TenantId>, StoreError>;
}

/// [`Owners`] answered from the log itself: the first event of the aggregate's stream. The
/// executor's default, for the command line and tests; the API uses the read models instead.
#[derive(Debug, Clone)]
pub struct OwnersFromLog(pub Arc<dyn EventStore>);

#[async_trait]
impl Owners for OwnersFromLog {
    async fn owner(
        &self,
        category: &'static str,
        id: Uuid,
    ) -> Result<Option<TenantId>, StoreError> {
        let stream = StreamId::for_aggregate(category, id);
        let first = self.0.read_stream(&stream, 1).next().await.transpose()?;
        Ok(first.map(|e| TenantId::new(e.tenant_id)))
    }
}

/// The safeguarding facts a decision may depend on: how a helper stands (suspended, screened)
/// and which categories a tenant marks sensitive. Like [`Owners`], the store defines it and the
/// read models implement it; [`SafeguardsFromLog`] answers from the log.
#[async_trait]
pub trait Safeguards: Send + Sync + std::fmt::Debug {
    /// How `person` of `tenant` stands as a helper; the default standing (not suspended, no
    /// screening) for someone unknown.
    async fn standing(&self, tenant: TenantId, person: PersonId) -> Result<Standing, StoreError>;

    /// Whether `tenant` requires a helper's valid screening for help in `category`.
    async fn is_sensitive(
        &self,
        tenant: TenantId,
        category: &CategoryCode,
    ) -> Result<bool, StoreError>;
}

/// [`Safeguards`] answered from the log itself: the person's and the tenant's streams, folded by
/// their deciders. The executor's default, for the command line and tests; the API uses the
/// read models instead.
#[derive(Debug, Clone)]
pub struct SafeguardsFromLog(pub Arc<dyn EventStore>);

impl SafeguardsFromLog {
    /// The state of aggregate `id` of decider `D`, folded from its stream; the default state
    /// when the stream is empty or belongs to another tenant.
    async fn fold<D: Decider>(&self, tenant: TenantId, id: Uuid) -> Result<D::State, StoreError> {
        let stream = StreamId::of::<D>(id);
        let mut events = self.0.read_stream(&stream, 1);
        let mut state = D::State::default();
        while let Some(recorded) = events.try_next().await? {
            if recorded.stream_version == 1 && recorded.tenant_id != tenant.as_uuid() {
                return Ok(D::State::default());
            }
            let event = D::Event::decode_stored(
                &recorded.event_type,
                recorded.schema_version,
                recorded.payload,
            )
            .map_err(|e| {
                StoreError::new(
                    StoreErrorKind::Corrupt,
                    format!(
                        "an event of {stream} at version {} cannot be read",
                        recorded.stream_version
                    ),
                )
                .with_source(e)
            })?;
            state = D::evolve(state, &event);
        }
        Ok(state)
    }
}

#[async_trait]
impl Safeguards for SafeguardsFromLog {
    async fn standing(&self, tenant: TenantId, person: PersonId) -> Result<Standing, StoreError> {
        Ok(self
            .fold::<Person>(tenant, person.as_uuid())
            .await?
            .standing)
    }

    async fn is_sensitive(
        &self,
        tenant: TenantId,
        category: &CategoryCode,
    ) -> Result<bool, StoreError> {
        Ok(self
            .fold::<Tenant>(tenant, tenant.as_uuid())
            .await?
            .sensitive_categories
            .contains(category))
    }
}

/// Why a command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum ExecError<E: std::error::Error + 'static> {
    /// The domain refused the command; the message says why, for a person.
    #[error(transparent)]
    Domain(E),
    /// The command's own aggregate belongs to another tenant: to the caller it does not exist.
    #[error("there is no {stream} here")]
    NotHere {
        /// The stream the command was about.
        stream: StreamId,
    },
    /// The command names another aggregate that does not exist in the caller's tenant.
    #[error("there is no {category} {id} here")]
    UnknownReference {
        /// The named aggregate's category, e.g. `"neighbourhood"`.
        category: &'static str,
        /// Its id.
        id: Uuid,
    },
    /// Others kept changing the same aggregate: the command was decided again
    /// `attempts` times and conflicted every time.
    #[error("{stream} kept changing while this command was being decided ({attempts} attempts); please try again")]
    Conflict {
        /// The stream that kept changing.
        stream: StreamId,
        /// How many times it was tried.
        attempts: usize,
    },
    /// A stored event of the stream could not be read.
    #[error("an event of {stream} at version {version} cannot be read: {source}")]
    Decode {
        /// The stream.
        stream: StreamId,
        /// The version of the unreadable event.
        version: u64,
        /// Why.
        #[source]
        source: DecodeError,
    },
    /// Personal data could not be sealed (e.g. the person was erased).
    #[error(transparent)]
    Privacy(#[from] PrivacyError),
    /// The log failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    /// The aggregate's stream.
    pub stream: StreamId,
    /// The global positions written (or, for a retry, written the first time).
    pub positions: Vec<i64>,
    /// The stream's version after the command.
    pub version: u64,
    /// The types of the events the command produced, in order.
    pub event_types: Vec<String>,
    /// True when this was a retry of a command already carried out: nothing was appended.
    pub was_retry: bool,
    /// Where the command's last event stands in the global order (the start of the log when
    /// it wrote nothing): read models that have applied it show the command's effect.
    pub last: Checkpoint,
}

/// Loads, decides and appends commands of any aggregate.
#[derive(Debug, Clone)]
pub struct Executor {
    store: Arc<dyn EventStore>,
    privacy: Arc<Privacy>,
    owners: Arc<dyn Owners>,
    safeguards: Arc<dyn Safeguards>,
    max_retries: usize,
}

impl Executor {
    /// An executor writing to `store`, sealing personal data with `privacy`, checking the
    /// aggregates a command names, and finding the facts it requires, in the log.
    pub fn new(store: Arc<dyn EventStore>, privacy: Arc<Privacy>) -> Self {
        Self {
            owners: Arc::new(OwnersFromLog(store.clone())),
            safeguards: Arc::new(SafeguardsFromLog(store.clone())),
            store,
            privacy,
            max_retries: DEFAULT_MAX_RETRIES,
        }
    }

    /// Answers from `models` (the read models) instead of the log: which tenant owns each
    /// aggregate a command names, and the safeguarding facts a command requires.
    pub fn with_owners<M>(mut self, models: Arc<M>) -> Self
    where
        M: Owners + Safeguards + 'static,
    {
        self.owners = models.clone();
        self.safeguards = models;
        self
    }

    /// Finds the safeguarding facts a command requires with `safeguards` alone.
    pub fn with_safeguards(mut self, safeguards: Arc<dyn Safeguards>) -> Self {
        self.safeguards = safeguards;
        self
    }

    /// Sets how often a conflicting command is decided again.
    pub fn with_max_retries(mut self, max_retries: usize) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Loads an aggregate of `tenant`: its folded state and its version (0 when it has no
    /// events). Another tenant's aggregate is [`ExecError::NotHere`].
    #[tracing::instrument(skip_all, fields(category = D::CATEGORY, %id))]
    pub async fn load<D>(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<(D::State, u64), ExecError<D::Error>>
    where
        D: Decider,
        D::Error: 'static,
    {
        let stream = StreamId::of::<D>(id);
        let loaded = self.load_stream::<D>(tenant, &stream, None).await?;
        Ok((loaded.state, loaded.version))
    }

    /// Checks that every aggregate in `references` exists in `tenant`.
    #[tracing::instrument(skip_all, fields(references = references.len()))]
    pub async fn check_references<E: std::error::Error + 'static>(
        &self,
        tenant: TenantId,
        references: &[Reference],
    ) -> Result<(), ExecError<E>> {
        for &Reference { category, id } in references {
            if self.owners.owner(category, id).await? != Some(tenant) {
                return Err(ExecError::UnknownReference { category, id });
            }
        }
        Ok(())
    }

    /// Finds the fact each of `requirements` asks for in `tenant`, in the same order.
    #[tracing::instrument(skip_all, fields(requirements = requirements.len()))]
    pub async fn find_facts<E: std::error::Error + 'static>(
        &self,
        tenant: TenantId,
        requirements: &[Requirement],
    ) -> Result<Vec<Fact>, ExecError<E>> {
        let mut facts = Vec::with_capacity(requirements.len());
        for requirement in requirements {
            facts.push(match requirement {
                Requirement::HelperStanding { helper, category } => Fact::HelperStanding {
                    helper: *helper,
                    category: category.clone(),
                    standing: self.safeguards.standing(tenant, *helper).await?,
                    sensitive: self.safeguards.is_sensitive(tenant, category).await?,
                },
            });
        }
        Ok(facts)
    }

    async fn load_stream<D>(
        &self,
        tenant: TenantId,
        stream: &StreamId,
        command_id: Option<Uuid>,
    ) -> Result<Loaded<D::State>, ExecError<D::Error>>
    where
        D: Decider,
        D::Error: 'static,
    {
        let mut state = D::State::default();
        let mut version = 0;
        let mut earlier: Vec<RecordedEvent> = Vec::new();
        let mut before_earlier = None;
        let mut events = self.store.read_stream(stream, 1);
        while let Some(recorded) = events.try_next().await? {
            if recorded.stream_version == 1 && recorded.tenant_id != tenant.as_uuid() {
                return Err(ExecError::NotHere {
                    stream: stream.clone(),
                });
            }
            version = recorded.stream_version;
            let decoded = D::Event::decode_stored(
                &recorded.event_type,
                recorded.schema_version,
                recorded.payload.clone(),
            )
            .map_err(|source| ExecError::Decode {
                stream: stream.clone(),
                version: recorded.stream_version,
                source,
            })?;
            let again = command_id.is_some() && recorded.metadata.command_id == command_id;
            if again && before_earlier.is_none() {
                before_earlier = Some(state.clone());
            }
            state = D::evolve_at(state, &decoded, recorded.occurred_at);
            if again {
                earlier.push(recorded);
            }
        }
        Ok(Loaded {
            state,
            version,
            earlier,
            before_earlier,
        })
    }

    /// Carries out `command` in `ctx`: load, fold, decide, seal, append; retried on conflicts;
    /// a no-op returning the original outcome when `ctx.command_id` was already carried out on
    /// this aggregate.
    #[tracing::instrument(skip_all, fields(category = D::CATEGORY, command_id = %ctx.command_id))]
    pub async fn execute<D>(
        &self,
        ctx: &CommandContext,
        command: &D::Command,
    ) -> Result<Executed, ExecError<D::Error>>
    where
        D: Decider,
        D::Error: 'static,
    {
        let stream = StreamId::of::<D>(D::aggregate_id(command));
        let mut references_checked = false;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let loaded = self
                .load_stream::<D>(ctx.tenant_id, &stream, Some(ctx.command_id))
                .await?;
            if let Some(first) = loaded.first_outcome(&stream) {
                same_command::<D>(&loaded, ctx, command, &first)?;
                return Ok(first);
            }
            let events = D::decide(&loaded.state, ctx, command).map_err(ExecError::Domain)?;
            if events.is_empty() {
                return Ok(Executed {
                    stream,
                    positions: Vec::new(),
                    version: loaded.version,
                    event_types: Vec::new(),
                    was_retry: false,
                    last: Checkpoint::START,
                });
            }
            // After the domain accepted the command, so that who may not do this at all hears
            // so (403) rather than about an id; once, since aggregates never move between
            // tenants nor disappear, so a retry after a conflict need not ask again.
            if !references_checked {
                self.check_references(ctx.tenant_id, &D::references(command))
                    .await?;
                references_checked = true;
            }
            // The facts a decision depends on may change between attempts (a request's
            // category, a helper's standing), so they are found, and checked, every time.
            let requirements = D::requirements(&loaded.state, command);
            if !requirements.is_empty() {
                let facts = self.find_facts(ctx.tenant_id, &requirements).await?;
                D::check(ctx, &facts).map_err(ExecError::Domain)?;
            }
            let event_types = events.iter().map(|e| e.event_type().to_owned()).collect();
            let batch = self.to_new_events(ctx, &events).await?;
            let expected = if loaded.version == 0 {
                ExpectedVersion::NoStream
            } else {
                ExpectedVersion::Exact(loaded.version)
            };
            match self.store.append(&stream, expected, batch).await {
                Ok(outcome) => {
                    return Ok(Executed {
                        stream,
                        positions: outcome.positions,
                        version: outcome.next_version,
                        event_types,
                        was_retry: outcome.was_retry,
                        last: outcome.last,
                    })
                }
                Err(e) if e.is_conflict() && attempts <= self.max_retries => continue,
                Err(e) if e.kind() == &StoreErrorKind::EventIdReused => {
                    // Event ids derive from the command id, so the key was used before: by a
                    // concurrent copy of this very command (then its outcome is in the stream
                    // now), or for another aggregate (then it is a client's mistake: 409).
                    let again = self
                        .load_stream::<D>(ctx.tenant_id, &stream, Some(ctx.command_id))
                        .await?;
                    return again.first_outcome(&stream).ok_or_else(|| e.into());
                }
                Err(e) if e.is_conflict() => {
                    return Err(ExecError::Conflict { stream, attempts });
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    async fn to_new_events<E: DomainEvent, X: std::error::Error + 'static>(
        &self,
        ctx: &CommandContext,
        events: &[E],
    ) -> Result<Vec<NewEvent>, ExecError<X>> {
        let tenant = ctx.tenant_id.as_uuid();
        let metadata = Metadata {
            actor_id: Some(ctx.actor_id.as_uuid()),
            actor_role: Some(ctx.role.as_str().to_owned()),
            on_behalf_of: ctx.on_behalf_of.map(|p| p.as_uuid()),
            correlation_id: Some(ctx.command_id),
            causation_id: Some(ctx.command_id),
            command_id: Some(ctx.command_id),
        };
        let mut batch = Vec::with_capacity(events.len());
        for (index, event) in (0u32..).zip(events) {
            let (event_type, schema_version, mut payload) = event.encode_stored();
            self.privacy.seal(tenant, &mut payload).await?;
            batch.push(NewEvent {
                // Derived from the command id: the same idempotency key reused for another
                // aggregate then writes event ids the log already holds with other content,
                // which the store refuses (`EventIdReused`), on every back-end alike.
                event_id: Uuid::new_v5(&ctx.command_id, &index.to_be_bytes()),
                tenant_id: tenant,
                event_type: event_type.to_owned(),
                schema_version,
                payload,
                metadata: metadata.clone(),
                occurred_at: ctx.occurred_at(),
            });
        }
        Ok(batch)
    }
}

impl Executor {
    /// Erases a person (GDPR article 17): checks that the actor may do so, destroys the
    /// person's key (every sealed field about them reads as erased from then on), then records
    /// `PersonErased`, which holds no personal data. Safe to retry: destroying a key twice is a
    /// no-op and the event is idempotent by command id.
    #[tracing::instrument(skip_all, fields(person = %person_id))]
    pub async fn erase_person(
        &self,
        ctx: &CommandContext,
        person_id: noaber_domain::PersonId,
    ) -> Result<Executed, ExecError<noaber_domain::PersonError>> {
        use noaber_domain::person::{ErasePerson, Person};
        use noaber_domain::PersonCommand;
        let command = PersonCommand::Erase(ErasePerson { person_id });
        let stream = StreamId::of::<Person>(person_id);
        let loaded = self
            .load_stream::<Person>(ctx.tenant_id, &stream, Some(ctx.command_id))
            .await?;
        if loaded.earlier.is_empty() {
            // Decide first so that a refused erasure destroys nothing.
            Person::decide(&loaded.state, ctx, &command).map_err(ExecError::Domain)?;
        }
        self.privacy.erase(person_id.as_uuid()).await?;
        self.execute::<Person>(ctx, &command).await
    }
}

struct Loaded<S> {
    state: S,
    version: u64,
    earlier: Vec<RecordedEvent>,
    /// The state just before the first event of the command's earlier run, if any.
    before_earlier: Option<S>,
}

/// Refuses a command whose idempotency key already carried out another command on the same
/// aggregate (ADR 0008's promise; ADR 0037): the command is decided again on the state its
/// first run met, and a retry must produce the same kinds of events as that run wrote. A
/// decision that now refuses (a deadline passed since) is taken as the retry it most likely is.
fn same_command<D>(
    loaded: &Loaded<D::State>,
    ctx: &CommandContext,
    command: &D::Command,
    first: &Executed,
) -> Result<(), StoreError>
where
    D: Decider,
{
    let Some(before) = &loaded.before_earlier else {
        return Ok(());
    };
    let Ok(events) = D::decide(before, ctx, command) else {
        return Ok(());
    };
    let kinds: Vec<&str> = events.iter().map(|e| e.event_type()).collect();
    if kinds == first.event_types {
        return Ok(());
    }
    Err(StoreError::new(
        StoreErrorKind::EventIdReused,
        format!(
            "the idempotency key {} was already used for another command on {} (it wrote {}); use a new key for a new command",
            ctx.command_id,
            first.stream,
            first.event_types.join(", ")
        ),
    ))
}

impl<S> Loaded<S> {
    /// The outcome of the first run of the command, when the stream holds its events.
    fn first_outcome(&self, stream: &StreamId) -> Option<Executed> {
        let last = self.earlier.last()?;
        Some(Executed {
            stream: stream.clone(),
            positions: self.earlier.iter().map(|e| e.position).collect(),
            version: last.stream_version,
            event_types: self.earlier.iter().map(|e| e.event_type.clone()).collect(),
            was_retry: true,
            last: self
                .earlier
                .iter()
                .map(|e| e.checkpoint)
                .max()
                .unwrap_or(Checkpoint::START),
        })
    }
}

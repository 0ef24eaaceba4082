//! The read-model contract: what every projection implements, and the one shape in which an
//! event reaches them (decoded once by the runner, shared by all models).

/// One event as read models see it: decoded once, shared by every model.
#[derive(Clone, Copy, Debug)]
pub struct Envelope<'a> {
    /// The stored event: checkpoint, position, stream, times, metadata.
    pub raw: &'a noaber_store::RecordedEvent,
    /// The decoded, upcast event.
    pub event: &'a noaber_domain::AnyEvent,
}

/// A read model folded from the log. Deterministic: depends only on the events applied so far,
/// in log order; never on the clock. Incremental == rebuilt from scratch.
pub trait ReadModel:
    Default + Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static
{
    /// Stable name; snapshots are stored under it.
    const NAME: &'static str;
    /// Snapshot shape version: bump when the state's shape changes so old snapshots are ignored.
    const SNAPSHOT_VERSION: u32;
    /// Folds one event.
    fn apply(&mut self, env: &Envelope<'_>);
}

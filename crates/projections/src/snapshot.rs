//! Snapshots of read models, so that a restart replays only the events recorded since the last
//! snapshot instead of the whole log.
//!
//! A snapshot is one model's state as JSON, the checkpoint it had reached and the model's
//! `SNAPSHOT_VERSION`. A snapshot whose version differs from the model's current one is ignored
//! (the model is rebuilt), so changing a model's shape never needs a migration. Snapshots are a
//! cache: deleting them is always safe.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use noaber_store::Checkpoint;
use serde::{Deserialize, Serialize};

/// One stored snapshot of one read model.
#[derive(Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The model's name (`ReadModel::NAME`).
    pub name: String,
    /// The model's `SNAPSHOT_VERSION` when the snapshot was taken.
    pub version: u32,
    /// The last event folded into the state.
    pub checkpoint: Checkpoint,
    /// The state, as JSON bytes.
    pub state: Vec<u8>,
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("checkpoint", &self.checkpoint)
            .field("state_bytes", &self.state.len())
            .finish()
    }
}

/// Why a snapshot could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The snapshot directory or file could not be read or written.
    #[error("the snapshot file {path} could not be read or written: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A snapshot file exists but is not in the expected form; it will be ignored.
    #[error("the snapshot {name} is damaged and will be rebuilt from the log: {reason}")]
    Damaged {
        /// The model's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A model's state could not be turned into JSON or back.
    #[error("the state of read model {name} could not be (de)serialised: {source}")]
    Serde {
        /// The model's name.
        name: String,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// A model name that cannot be used as a file name.
    #[error("{0:?} is not a valid read model name for a snapshot (use letters, digits, _ or -)")]
    BadName(String),
}

/// Where snapshots are kept. Implementations are blocking (the runner calls them off the async
/// threads) and must replace a snapshot atomically: a crash while saving leaves the old one.
pub trait SnapshotStore: Send + Sync + fmt::Debug {
    /// The latest snapshot of `name`, or `None` when there is none.
    fn load(&self, name: &str) -> Result<Option<Snapshot>, SnapshotError>;
    /// Stores `snapshot`, replacing any earlier one of the same name.
    fn save(&self, snapshot: &Snapshot) -> Result<(), SnapshotError>;
    /// Removes the snapshot of `name`, if any (used by a full rebuild).
    fn remove(&self, name: &str) -> Result<(), SnapshotError>;
}

/// Snapshots kept in memory: for tests and for runs that must not write files.
#[derive(Debug, Default)]
pub struct MemorySnapshotStore {
    snapshots: Mutex<HashMap<String, Snapshot>>,
}

impl MemorySnapshotStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Snapshot>> {
        // A poisoned lock only means another thread panicked mid-insert of a whole value; the
        // map itself is still consistent, so keep using it.
        self.snapshots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SnapshotStore for MemorySnapshotStore {
    fn load(&self, name: &str) -> Result<Option<Snapshot>, SnapshotError> {
        Ok(self.map().get(name).cloned())
    }

    fn save(&self, snapshot: &Snapshot) -> Result<(), SnapshotError> {
        self.map().insert(snapshot.name.clone(), snapshot.clone());
        Ok(())
    }

    fn remove(&self, name: &str) -> Result<(), SnapshotError> {
        self.map().remove(name);
        Ok(())
    }
}

/// The first line of a snapshot file; the model's JSON state follows on the next line, so that
/// loading never parses the (large) state twice.
#[derive(Serialize, Deserialize)]
struct FileHeader {
    format: String,
    name: String,
    version: u32,
    checkpoint: Checkpoint,
}

const FILE_FORMAT: &str = "noaber-snapshot-1";

/// Snapshots as files: `<data_dir>/snapshots/<name>.snapshot`, written to a temporary file and
/// renamed into place.
#[derive(Debug, Clone)]
pub struct FileSnapshotStore {
    dir: PathBuf,
}

impl FileSnapshotStore {
    /// Snapshots under `<data_dir>/snapshots/`, creating the directory when missing.
    pub fn in_data_dir(data_dir: &Path) -> Result<Self, SnapshotError> {
        Self::in_dir(data_dir.join("snapshots"))
    }

    /// Snapshots directly in `dir`, creating it when missing.
    pub fn in_dir(dir: PathBuf) -> Result<Self, SnapshotError> {
        std::fs::create_dir_all(&dir).map_err(|source| SnapshotError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(Self { dir })
    }

    /// The directory the snapshots are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, name: &str) -> Result<PathBuf, SnapshotError> {
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(SnapshotError::BadName(name.to_owned()));
        }
        Ok(self.dir.join(format!("{name}.snapshot")))
    }
}

impl SnapshotStore for FileSnapshotStore {
    fn load(&self, name: &str) -> Result<Option<Snapshot>, SnapshotError> {
        let path = self.path_of(name)?;
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(SnapshotError::Io { path, source }),
        };
        let damaged = |reason: &str| SnapshotError::Damaged {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        let newline = bytes
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| damaged("no header line"))?;
        let header: FileHeader = serde_json::from_slice(&bytes[..newline])
            .map_err(|e| damaged(&format!("unreadable header: {e}")))?;
        if header.format != FILE_FORMAT {
            return Err(damaged(&format!("unknown format {:?}", header.format)));
        }
        if header.name != name {
            return Err(damaged(&format!("it belongs to {:?}", header.name)));
        }
        let mut state = bytes;
        state.drain(..=newline);
        Ok(Some(Snapshot {
            name: header.name,
            version: header.version,
            checkpoint: header.checkpoint,
            state,
        }))
    }

    fn save(&self, snapshot: &Snapshot) -> Result<(), SnapshotError> {
        let path = self.path_of(&snapshot.name)?;
        let tmp = self.dir.join(format!("{}.snapshot.tmp", snapshot.name));
        let header = FileHeader {
            format: FILE_FORMAT.to_owned(),
            name: snapshot.name.clone(),
            version: snapshot.version,
            checkpoint: snapshot.checkpoint,
        };
        let header = serde_json::to_vec(&header).map_err(|source| SnapshotError::Serde {
            name: snapshot.name.clone(),
            source,
        })?;
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| SnapshotError::Io { path, source }
        };
        let mut file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        file.write_all(&header).map_err(io(&tmp))?;
        file.write_all(b"\n").map_err(io(&tmp))?;
        file.write_all(&snapshot.state).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        Ok(())
    }

    fn remove(&self, name: &str) -> Result<(), SnapshotError> {
        let path = self.path_of(name)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(SnapshotError::Io { path, source }),
        }
    }
}

/// Takes a snapshot of `model` at `checkpoint`.
pub fn take<M: crate::model::ReadModel>(
    model: &M,
    checkpoint: Checkpoint,
) -> Result<Snapshot, SnapshotError> {
    let state = serde_json::to_vec(model).map_err(|source| SnapshotError::Serde {
        name: M::NAME.to_owned(),
        source,
    })?;
    Ok(Snapshot {
        name: M::NAME.to_owned(),
        version: M::SNAPSHOT_VERSION,
        checkpoint,
        state,
    })
}

/// Restores a model from `snapshot`: `None` when the snapshot is of another model or another
/// shape version (the caller then rebuilds from the log).
pub fn restore<M: crate::model::ReadModel>(
    snapshot: &Snapshot,
) -> Result<Option<(M, Checkpoint)>, SnapshotError> {
    if snapshot.name != M::NAME || snapshot.version != M::SNAPSHOT_VERSION {
        return Ok(None);
    }
    let model = serde_json::from_slice(&snapshot.state).map_err(|source| SnapshotError::Serde {
        name: M::NAME.to_owned(),
        source,
    })?;
    Ok(Some((model, snapshot.checkpoint)))
}

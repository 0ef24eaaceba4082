//! Configuration of the `noaber` binary: where the event log lives, how to log, where the master
//! key is; and opening the event log that the configuration names.
//!
//! Every setting comes from a flag with an environment fallback (see `crate::cli::Cli`). With
//! no database URL Noaber uses the embedded SQLite log in its data directory, so that `noaber
//! serve` runs on a fresh machine with nothing installed. Secrets (the database password, the
//! master key) are never logged: URLs pass through [`redact_url`] before they reach a log line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use noaber_projections::snapshot::FileSnapshotStore;
use noaber_store::identity::IdentityStore;
use noaber_store::postgres::PgStore;
use noaber_store::privacy::{default_master_key_path, MasterKey, Privacy, PrivacyError};
use noaber_store::sqlite::SqliteStore;
use noaber_store::{EventStore, KeyStore, StoreError};
use tracing_subscriber::EnvFilter;

/// Where the event log lives and where the master key is.
#[derive(Clone)]
pub struct StoreConfig {
    /// A PostgreSQL URL; `None` means the embedded SQLite log in `data_dir`.
    pub database_url: Option<String>,
    /// The data directory of the embedded log (created when missing).
    pub data_dir: PathBuf,
    /// The file holding the master key that wraps every person's encryption key; defaults to
    /// `master.key` in the data directory.
    pub master_key_file: Option<PathBuf>,
}

impl std::fmt::Debug for StoreConfig {
    // By hand, so that the database password can never reach a log through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("data_dir", &self.data_dir)
            .field("master_key_file", &self.master_key_file)
            .finish()
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Why the configured event log could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The data directory of the embedded log could not be created or resolved.
    #[error("the data directory {path} cannot be used: {source}")]
    DataDir {
        /// The directory as configured.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The event log could not be opened or migrated.
    #[error("the event log ({backend}) cannot be opened: {source}")]
    Store {
        /// `postgres` or `sqlite`.
        backend: &'static str,
        /// What the store said.
        #[source]
        source: StoreError,
    },
    /// The master key could not be read or created.
    #[error("the master key file {path} cannot be used: {source}")]
    MasterKey {
        /// The key file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: PrivacyError,
    },
}

/// The opened event log, as the rest of the binary holds it: one object behind two traits.
#[derive(Clone, Debug)]
pub struct Stores {
    /// The append-only event log.
    pub events: Arc<dyn EventStore>,
    /// The per-person encryption keys kept beside the log.
    pub keys: Arc<dyn KeyStore>,
    /// Accounts, credentials, sign-in failures and the access log, beside the log.
    pub identity: Arc<dyn IdentityStore>,
    /// Where the log lives, safe to log (no password).
    pub location: String,
}

/// Sets up logging once for the process: `RUST_LOG` filters (default `info`), lines go to
/// standard error so that commands printing data on standard output stay pipeable.
pub fn init_logging(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Colours only for a person at a terminal, never in files or pipes.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    // `try_init` fails only when a subscriber is already set (tests): keep the first one.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Opens the configured event log; `migrate` applies pending PostgreSQL migrations (the
/// embedded log always migrates itself when opened).
///
/// The first log line names where the log lives: the absolute data directory for the embedded
/// default, the redacted URL for PostgreSQL.
pub async fn open_stores(config: &StoreConfig, migrate: bool) -> Result<Stores, ConfigError> {
    match &config.database_url {
        Some(url) => {
            let location = redact_url(url);
            tracing::info!(database = %location, "using the PostgreSQL event log at {location}");
            let store = PgStore::connect(url)
                .await
                .map_err(|source| ConfigError::Store {
                    backend: "postgres",
                    source,
                })?;
            if migrate {
                store.migrate().await.map_err(|source| ConfigError::Store {
                    backend: "postgres",
                    source,
                })?;
            }
            let store = Arc::new(store);
            Ok(Stores {
                events: store.clone(),
                keys: store.clone(),
                identity: store,
                location,
            })
        }
        None => {
            let dir = prepare_data_dir(&config.data_dir)?;
            let location = dir.display().to_string();
            tracing::info!(data_dir = %location, "using the embedded event log in data directory {location}");
            let store = SqliteStore::open(&dir.join("noaber.db"))
                .await
                .map_err(|source| ConfigError::Store {
                    backend: "sqlite",
                    source,
                })?;
            let store = Arc::new(store);
            Ok(Stores {
                events: store.clone(),
                keys: store.clone(),
                identity: store,
                location,
            })
        }
    }
}

/// Loads the master key (generating it, with a warning to back it up, when its file does not
/// exist yet) and builds the privacy codec over `keys`.
pub fn open_privacy(
    config: &StoreConfig,
    keys: Arc<dyn KeyStore>,
) -> Result<Arc<Privacy>, ConfigError> {
    let path = master_key_path(config)?;
    let (master, generated) =
        MasterKey::load_or_generate(&path).map_err(|source| ConfigError::MasterKey {
            path: path.clone(),
            source,
        })?;
    if generated {
        tracing::warn!(
            path = %path.display(),
            "generated a new master key at {}: BACK IT UP; without it no personal data in the log can be read, and every instance sharing this log needs the same key",
            path.display()
        );
    } else {
        tracing::debug!(path = %path.display(), "master key loaded");
    }
    Ok(Arc::new(Privacy::new(master, keys)))
}

/// Where the configured master key is: `--master-key-file`, or `master.key` in the data
/// directory.
pub fn master_key_path(config: &StoreConfig) -> Result<std::path::PathBuf, ConfigError> {
    Ok(match &config.master_key_file {
        Some(path) => path.clone(),
        None => default_master_key_path(&prepare_data_dir(&config.data_dir)?),
    })
}

/// Where the read models' snapshots are kept: `<data dir>/snapshots` for the embedded log, and
/// for PostgreSQL a subdirectory named after the server and database (password left out), so
/// that snapshots of one database are never restored over another.
pub fn snapshot_store(config: &StoreConfig) -> Result<FileSnapshotStore, CliSetupError> {
    let dir = prepare_data_dir(&config.data_dir)?;
    let store = match &config.database_url {
        None => FileSnapshotStore::in_data_dir(&dir),
        Some(url) => FileSnapshotStore::in_dir(dir.join("snapshots").join(format!(
            "postgres-{:016x}",
            fnv1a(redact_url(url).as_bytes())
        ))),
    };
    Ok(store?)
}

/// Why the read models' snapshot directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CliSetupError {
    /// The data directory failed.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The snapshot directory failed.
    #[error("the read models' snapshot directory cannot be used: {0}")]
    Snapshots(#[from] noaber_projections::snapshot::SnapshotError),
}

/// A small, stable, non-cryptographic hash (FNV-1a, 64 bits) for naming directories.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Creates the data directory when missing and returns its absolute, canonical path.
pub fn prepare_data_dir(dir: &Path) -> Result<PathBuf, ConfigError> {
    let err = |source| ConfigError::DataDir {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    dir.canonicalize().map_err(err)
}

/// A URL with its password (in the user part, or a `password=` query parameter) replaced by
/// `***`, safe to log.
pub fn redact_url(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let mut out = String::with_capacity(url.len());
    out.push_str(&url[..scheme_end]);
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            match userinfo.split_once(':') {
                Some((user, _password)) => {
                    out.push_str(user);
                    out.push_str(":***");
                }
                None => out.push_str(userinfo),
            }
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    let tail = &rest[authority_end..];
    match tail.split_once('?') {
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            let redacted: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            out.push_str(&redacted.join("&"));
        }
        None => out.push_str(tail),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_user_part_is_redacted() {
        assert_eq!(
            redact_url("postgres://noaber:s3cret@db.example:5432/noaber"),
            "postgres://noaber:***@db.example:5432/noaber"
        );
    }

    #[test]
    fn a_password_query_parameter_is_redacted() {
        assert_eq!(
            redact_url("postgres://db.example/noaber?user=n&password=s3cret&sslmode=require"),
            "postgres://db.example/noaber?user=n&password=***&sslmode=require"
        );
    }

    #[test]
    fn a_url_without_a_password_is_left_as_it_is() {
        assert_eq!(
            redact_url("postgres://noaber@127.0.0.1:5433/postgres"),
            "postgres://noaber@127.0.0.1:5433/postgres"
        );
    }

    #[test]
    fn a_password_holding_an_at_sign_is_redacted_whole() {
        let redacted = redact_url("postgres://u:p@ss@host/db");
        assert!(!redacted.contains("p@ss"), "{redacted}");
        assert_eq!(redacted, "postgres://u:***@host/db");
    }

    #[test]
    fn the_debug_form_of_the_configuration_hides_the_password() {
        let config = StoreConfig {
            database_url: Some("postgres://u:topsecret@host/db".into()),
            data_dir: PathBuf::from("./noaber-data"),
            master_key_file: None,
        };
        assert!(!format!("{config:?}").contains("topsecret"));
    }

    #[test]
    fn snapshots_of_different_databases_live_in_different_directories() {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        let config = |url: Option<&str>| StoreConfig {
            database_url: url.map(str::to_owned),
            data_dir: tmp.path().to_path_buf(),
            master_key_file: None,
        };
        let a = snapshot_store(&config(Some("postgres://u:one@host/a"))).expect("a directory");
        let b = snapshot_store(&config(Some("postgres://u:one@host/b"))).expect("a directory");
        let a_again =
            snapshot_store(&config(Some("postgres://u:two@host/a"))).expect("a directory");
        let embedded = snapshot_store(&config(None)).expect("a directory");
        assert_ne!(a.dir(), b.dir());
        assert_eq!(
            a.dir(),
            a_again.dir(),
            "a new password is the same database"
        );
        assert_ne!(a.dir(), embedded.dir());
    }

    #[test]
    fn the_data_directory_is_created_and_made_absolute() {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        let dir = tmp.path().join("a").join("b");
        let made = prepare_data_dir(&dir).expect("the directory can be created");
        assert!(made.is_absolute());
        assert!(made.is_dir());
    }
}

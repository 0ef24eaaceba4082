//! `noaber doctor`: checks a deployment and says what to fix. The database answers (and on
//! the embedded store its migrations are applied), the master key is where the configuration
//! says and opens the stored keys, the data directory has room, and the log's hash chains
//! hold. Prints one line per check; exits non-zero when one needs fixing.

use std::process::ExitCode;

use noaber_store::privacy::{check_master_key, MasterKey};

use crate::cli::CliError;
use crate::config::{self, StoreConfig};

/// Below this much free space the data directory needs attention.
const MIN_FREE_BYTES: u64 = 1 << 30;

/// One check's verdict.
enum Verdict {
    Ok(String),
    Fix(String),
}

fn print(what: &str, verdict: &Verdict) -> bool {
    match verdict {
        Verdict::Ok(detail) => {
            println!("ok   {what}: {detail}");
            true
        }
        Verdict::Fix(how) => {
            println!("FIX  {what}: {how}");
            false
        }
    }
}

/// Runs every check.
pub async fn run(store_config: &StoreConfig) -> Result<ExitCode, CliError> {
    let mut healthy = true;
    let stores = match config::open_stores(store_config, store_config.database_url.is_none()).await
    {
        Ok(stores) => stores,
        Err(e) => {
            print(
                "database",
                &Verdict::Fix(format!("it cannot be opened: {e}")),
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let database = match stores.events.head().await {
        Ok(head) => Verdict::Ok(format!("{} answers, head at {head}", stores.location)),
        Err(e) => Verdict::Fix(format!("{} does not answer: {e}", stores.location)),
    };
    healthy &= print("database", &database);

    let key_path = config::master_key_path(store_config)?;
    let master_key = if key_path.exists() {
        match MasterKey::load_or_generate(&key_path) {
            Ok((master, _)) => match check_master_key(stores.keys.as_ref(), &master, 20).await {
                Ok(0) => Verdict::Ok(format!("{} (no person's key stored yet)", key_path.display())),
                Ok(n) => Verdict::Ok(format!("{} opens the {n} stored keys tried", key_path.display())),
                Err(e) => Verdict::Fix(format!(
                    "{} does not open the stored keys ({e}): configure the master key these keys were wrapped with",
                    key_path.display()
                )),
            },
            Err(e) => Verdict::Fix(format!("{} cannot be read: {e}", key_path.display())),
        }
    } else {
        Verdict::Fix(format!(
            "there is no master key at {}: restore it from its backup (without it no personal data can be read), or point --master-key-file at it",
            key_path.display()
        ))
    };
    healthy &= print("master key", &master_key);

    let dir = &store_config.data_dir;
    let disk = match fs4::available_space(dir) {
        Ok(free) if free >= MIN_FREE_BYTES => {
            Verdict::Ok(format!("{} MiB free in {}", free >> 20, dir.display()))
        }
        Ok(free) => Verdict::Fix(format!(
            "only {} MiB free in {}: make room before the log or its snapshots fill it",
            free >> 20,
            dir.display()
        )),
        Err(e) => Verdict::Fix(format!(
            "the free space of {} cannot be read: {e}",
            dir.display()
        )),
    };
    healthy &= print("disk", &disk);

    let chains = match noaber_store::verify::verify_log(stores.events.as_ref()).await {
        Ok(report) if report.breaks.is_empty() => Verdict::Ok(report.to_string()),
        Ok(report) => Verdict::Fix(format!(
            "{} chain(s) broken: run noaber verify for the details",
            report.breaks.len()
        )),
        Err(e) => Verdict::Fix(format!("the log cannot be read to check its chains: {e}")),
    };
    healthy &= print("hash chains", &chains);

    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

//! A tenant's whole log with its personal data opened, for the tenant to take along when its
//! contract ends (`noaber admin export-tenant`): the controller's copy of everything it
//! recorded, in a documented shape another system can read (`docs/tenant-export.md`).
//!
//! The export is JSON Lines: a header, one line per event of the tenant in log order (the
//! current shape of its type, personal values opened or marked erased), and a summary. Opening
//! everyone's data is recorded in the access log like any other reading: one entry, one row per
//! person whose data the export holds.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use noaber_domain::AnyEvent;
use noaber_store::identity::{AccessRecord, IdentityStore};
use noaber_store::privacy::{Privacy, PrivacyError};
use noaber_store::{Checkpoint, EventFilter, EventStore, StoreError};
use serde_json::{json, Value};
use uuid::Uuid;

use noaber_domain::{PersonId, Role, TenantId};

/// The format name in the header line.
pub const FORMAT: &str = "noaber-tenant-export";
/// The format version in the header line.
pub const VERSION: u32 = 1;
/// What the access log names as the resource read.
pub const RESOURCE: &str = "noaber admin export-tenant";
const PAGE: usize = 1_000;

/// What an export held.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Events written.
    pub events: u64,
    /// Distinct streams they belong to.
    pub streams: u64,
    /// Persons whose personal data the export holds (opened or erased).
    pub subjects: u64,
    /// Personal values that read as erased (their person erased, or their retention over).
    pub erased_values: u64,
    /// The global position of the last event written, if any.
    pub last_position: Option<i64>,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The log or the access log failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A personal value could not be opened.
    #[error(transparent)]
    Privacy(#[from] PrivacyError),
    /// Writing the file failed.
    #[error("the export could not be written: {0}")]
    Io(#[from] std::io::Error),
    /// A stored event does not read as any known event.
    #[error("the event at position {position} does not read: {reason}")]
    Decode {
        /// Its global position.
        position: i64,
        /// Why.
        reason: String,
    },
}

/// Writes every event of `tenant` to `out`, personal data opened, and records the reading.
pub async fn export_tenant(
    events: &dyn EventStore,
    privacy: &Privacy,
    access: &dyn IdentityStore,
    tenant: TenantId,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<ExportSummary, ExportError> {
    let header = json!({
        "format": FORMAT,
        "version": VERSION,
        "tenant": tenant,
        "exported_at": now,
    });
    writeln!(out, "{header}")?;
    let filter = EventFilter {
        tenant_id: Some(tenant.as_uuid()),
        ..EventFilter::default()
    };
    let mut summary = ExportSummary::default();
    let mut streams = BTreeSet::new();
    let mut subjects: BTreeMap<Uuid, BTreeSet<String>> = BTreeMap::new();
    let mut after = Checkpoint::START;
    loop {
        let page: Vec<_> = events.read_all(after, PAGE, &filter).try_collect().await?;
        let Some(last) = page.last() else { break };
        after = last.checkpoint;
        for recorded in page {
            let mut payload = recorded.payload;
            privacy.unseal(&mut payload).await?;
            note_personal(&payload, &mut subjects, &mut summary.erased_values);
            let event = AnyEvent::decode(&recorded.event_type, recorded.schema_version, payload)
                .map_err(|e| ExportError::Decode {
                    position: recorded.position,
                    reason: e.to_string(),
                })?;
            let (event_type, version, data) = event.encode();
            let line = json!({
                "position": recorded.position,
                "stream": recorded.stream_id.to_string(),
                "stream_version": recorded.stream_version,
                "event_id": recorded.event_id,
                "type": event_type,
                "schema_version": version,
                "stored_schema_version": recorded.schema_version,
                "occurred_at": recorded.occurred_at,
                "recorded_at": recorded.recorded_at,
                "metadata": recorded.metadata,
                "hash": noaber_store::hash::to_hex(&recorded.hash),
                "data": data,
            });
            writeln!(out, "{line}")?;
            streams.insert(recorded.stream_id.to_string());
            summary.events += 1;
            summary.last_position = Some(recorded.position);
        }
    }
    summary.streams = streams.len() as u64;
    summary.subjects = subjects.len() as u64;
    let footer = json!({"summary": {
        "events": summary.events,
        "streams": summary.streams,
        "subjects": summary.subjects,
        "erased_values": summary.erased_values,
        "last_position": summary.last_position,
    }});
    writeln!(out, "{footer}")?;
    out.flush()?;
    record_reading(access, tenant, now, subjects).await?;
    Ok(summary)
}

/// Notes the subject and field name of every opened or erased personal value in `payload`.
fn note_personal(
    payload: &Value,
    subjects: &mut BTreeMap<Uuid, BTreeSet<String>>,
    erased: &mut u64,
) {
    fn walk(
        value: &Value,
        field: &str,
        subjects: &mut BTreeMap<Uuid, BTreeSet<String>>,
        erased: &mut u64,
    ) {
        match value {
            Value::Object(map) => {
                if let Some(pii) = map.get("$pii").filter(|_| map.len() == 1) {
                    let subject = pii
                        .get("subject")
                        .and_then(Value::as_str)
                        .and_then(|s| s.parse::<Uuid>().ok());
                    if let Some(subject) = subject {
                        subjects
                            .entry(subject)
                            .or_default()
                            .insert(field.to_owned());
                    }
                    if pii.get("erased").and_then(Value::as_bool) == Some(true) {
                        *erased += 1;
                    }
                    return;
                }
                for (key, inner) in map {
                    walk(inner, key, subjects, erased);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, field, subjects, erased)),
            _ => {}
        }
    }
    walk(payload, "", subjects, erased);
}

/// One access-log entry for the export, naming every person whose data it holds.
async fn record_reading(
    access: &dyn IdentityStore,
    tenant: TenantId,
    now: DateTime<Utc>,
    subjects: BTreeMap<Uuid, BTreeSet<String>>,
) -> Result<(), StoreError> {
    let record = AccessRecord {
        entry_id: Uuid::now_v7(),
        at: now,
        tenant_id: tenant.as_uuid(),
        reader_id: PersonId::NOABER.as_uuid(),
        reader_role: Role::Admin.as_str().to_owned(),
        resource: RESOURCE.to_owned(),
        request_id: None,
        subjects: subjects
            .into_iter()
            .map(|(subject, fields)| (subject, fields.into_iter().collect::<Vec<_>>().join(",")))
            .collect(),
    };
    access.record_access(&[record]).await
}

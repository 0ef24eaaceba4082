//! One person's readings in a batch of access records, packed into one row (ADR 0035).
//!
//! A busy feed opens the same twenty people's data for every reader, so a batch the access-log
//! writer hands over names each person many times. Storing a row per person *per batch*, with
//! the batch's entries for that person packed in a blob, turns thousands of small B-tree
//! inserts a second into a few dozen, while a person's log is still found by one index range.
//!
//! The blob is a version byte followed by, per entry: the entry id (16 bytes), its time in
//! microseconds (8 bytes, big-endian), the length of its field list (4 bytes, big-endian) and
//! the field list in UTF-8. Big-endian because SQL can write it (`unhex(printf('%016x', at))`),
//! which lets a migration pack rows stored before packs existed.

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{StoreError, StoreErrorKind};
use crate::identity::{AccessEntry, AccessRecord};

const VERSION: u8 = 1;

/// One person's entries of one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccessPack {
    /// Whose data the entries opened.
    pub subject_id: Uuid,
    /// The newest entry's time (the row's place in the person's log).
    pub at: DateTime<Utc>,
    /// The first entry's id: with the person and the time, the row's key.
    pub pack_id: Uuid,
    /// The packed entries.
    pub entries: Vec<u8>,
}

/// One entry read back from a pack: its id, time and the fields it opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackedEntry {
    pub entry_id: Uuid,
    pub at: DateTime<Utc>,
    pub fields: String,
}

/// The packs of a batch: one per person it names, in the order the persons first appear.
pub(crate) fn pack(records: &[AccessRecord]) -> Vec<AccessPack> {
    let mut index: HashMap<Uuid, usize> = HashMap::new();
    let mut packs: Vec<AccessPack> = Vec::new();
    for record in records {
        for (subject, fields) in &record.subjects {
            let at = index.entry(*subject).or_insert_with(|| {
                packs.push(AccessPack {
                    subject_id: *subject,
                    at: record.at,
                    pack_id: record.entry_id,
                    entries: vec![VERSION],
                });
                packs.len() - 1
            });
            let pack = &mut packs[*at];
            pack.at = pack.at.max(record.at);
            pack.entries.extend_from_slice(record.entry_id.as_bytes());
            pack.entries
                .extend_from_slice(&record.at.timestamp_micros().to_be_bytes());
            let len = u32::try_from(fields.len()).unwrap_or(u32::MAX);
            pack.entries.extend_from_slice(&len.to_be_bytes());
            pack.entries
                .extend_from_slice(&fields.as_bytes()[..len as usize]);
        }
    }
    packs
}

/// The entries of a stored pack.
pub(crate) fn unpack(bytes: &[u8]) -> Result<Vec<PackedEntry>, StoreError> {
    let corrupt = || StoreError::new(StoreErrorKind::Corrupt, "an access-log pack is damaged");
    let (&version, mut rest) = bytes.split_first().ok_or_else(corrupt)?;
    if version != VERSION {
        return Err(corrupt());
    }
    let mut entries = Vec::new();
    while !rest.is_empty() {
        let (id, tail) = rest.split_at_checked(16).ok_or_else(corrupt)?;
        let (micros, tail) = tail.split_at_checked(8).ok_or_else(corrupt)?;
        let (len, tail) = tail.split_at_checked(4).ok_or_else(corrupt)?;
        let len = u32::from_be_bytes(len.try_into().map_err(|_| corrupt())?) as usize;
        let (fields, tail) = tail.split_at_checked(len).ok_or_else(corrupt)?;
        let micros = i64::from_be_bytes(micros.try_into().map_err(|_| corrupt())?);
        entries.push(PackedEntry {
            entry_id: Uuid::from_slice(id).map_err(|_| corrupt())?,
            at: DateTime::from_timestamp_micros(micros).ok_or_else(corrupt)?,
            fields: String::from_utf8(fields.to_vec()).map_err(|_| corrupt())?,
        });
        rest = tail;
    }
    Ok(entries)
}

/// What an access-log entry says besides whose data it opened: its row in `access_entries`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryHead {
    pub tenant_id: Uuid,
    pub reader_id: Uuid,
    pub reader_role: String,
    pub resource: String,
    pub request_id: Option<String>,
}

/// A person's newest `limit` entries, newest first, from their packs read a page at a time
/// (`page(offset, size)` answers the packs' times and bytes, newest first).
///
/// A pack's time is its newest entry's, so once every pack newer than some time is read, every
/// entry newer than that time is too. A retried batch may store an entry in two packs: entries
/// are kept once.
pub(crate) async fn newest<F, Fut>(limit: u32, mut page: F) -> Result<Vec<PackedEntry>, StoreError>
where
    F: FnMut(i64, i64) -> Fut,
    Fut: Future<Output = Result<Vec<(DateTime<Utc>, Vec<u8>)>, StoreError>>,
{
    // A pack may hold hundreds of entries: read a few packs first, more only when needed.
    let mut size: i64 = 4;
    let mut opened: Vec<PackedEntry> = Vec::new();
    let mut offset = 0;
    loop {
        let packs = page(offset, size).await?;
        let oldest = packs.last().map(|(at, _)| *at);
        for (_, bytes) in &packs {
            opened.extend(unpack(bytes)?);
        }
        opened.sort_by(|a, b| b.at.cmp(&a.at).then(a.entry_id.cmp(&b.entry_id)));
        opened.dedup_by_key(|e| e.entry_id);
        let complete = oldest
            .is_none_or(|oldest| opened.iter().filter(|e| e.at > oldest).count() >= limit as usize);
        if complete || i64::try_from(packs.len()).unwrap_or(i64::MAX) < size {
            break;
        }
        offset += size;
        size = (size * 2).min(256);
    }
    opened.truncate(limit as usize);
    Ok(opened)
}

/// The entries of `subject`, each with its head from `heads` (an entry without one is damage).
pub(crate) fn assemble(
    subject: Uuid,
    opened: Vec<PackedEntry>,
    heads: &HashMap<Uuid, EntryHead>,
) -> Result<Vec<AccessEntry>, StoreError> {
    opened
        .into_iter()
        .map(|e| {
            let head = heads.get(&e.entry_id).ok_or_else(|| {
                StoreError::new(
                    StoreErrorKind::Corrupt,
                    "an access-log pack names an entry that is not stored",
                )
            })?;
            Ok(AccessEntry {
                entry_id: e.entry_id,
                at: e.at,
                tenant_id: head.tenant_id,
                reader_id: head.reader_id,
                reader_role: head.reader_role.clone(),
                subject_id: subject,
                fields: e.fields,
                resource: head.resource.clone(),
                request_id: head.request_id.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(entry: u128, micros: i64, subjects: &[(u128, &str)]) -> AccessRecord {
        AccessRecord {
            entry_id: Uuid::from_u128(entry),
            at: DateTime::from_timestamp_micros(micros).expect("time"),
            tenant_id: Uuid::from_u128(1),
            reader_id: Uuid::from_u128(2),
            reader_role: "resident".into(),
            resource: "GET /v1/feed".into(),
            request_id: None,
            subjects: subjects
                .iter()
                .map(|(s, f)| (Uuid::from_u128(*s), (*f).into()))
                .collect(),
        }
    }

    #[test]
    fn a_batch_makes_one_pack_per_person_holding_each_of_their_entries() {
        let batch = [
            record(10, 1_000, &[(7, "description"), (8, "name")]),
            record(11, 3_000, &[(7, "name,contact")]),
        ];
        let packs = pack(&batch);
        assert_eq!(packs.len(), 2);
        assert_eq!(packs[0].subject_id, Uuid::from_u128(7));
        assert_eq!(packs[0].pack_id, Uuid::from_u128(10));
        assert_eq!(packs[0].at.timestamp_micros(), 3_000);
        let seven = unpack(&packs[0].entries).expect("unpack");
        assert_eq!(
            seven.iter().map(|e| e.fields.as_str()).collect::<Vec<_>>(),
            ["description", "name,contact"]
        );
        assert_eq!(unpack(&packs[1].entries).expect("unpack").len(), 1);
    }

    #[test]
    fn the_layout_is_the_one_the_migration_writes() {
        let id = Uuid::from_u128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10);
        let mut bytes = vec![1];
        bytes.extend_from_slice(id.as_bytes());
        bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0x03, 0xe8]);
        bytes.extend_from_slice(&[0, 0, 0, 4]);
        bytes.extend_from_slice(b"name");
        assert_eq!(
            pack(&[record(id.as_u128(), 1_000, &[(7, "name")])])[0].entries,
            bytes
        );
        assert_eq!(
            unpack(&bytes).expect("unpack"),
            [PackedEntry {
                entry_id: id,
                at: DateTime::from_timestamp_micros(1_000).expect("time"),
                fields: "name".into(),
            }]
        );
    }

    #[test]
    fn a_damaged_pack_is_an_error_not_a_panic() {
        let packs = pack(&[record(10, 1_000, &[(7, "description")])]);
        let bytes = &packs[0].entries;
        for cut in 0..bytes.len() {
            let _ = unpack(&bytes[..cut]);
        }
        assert!(unpack(&bytes[..bytes.len() - 1]).is_err());
        assert!(unpack(&[]).is_err());
        assert!(unpack(&[9]).is_err());
    }

    proptest! {
        #[test]
        fn every_entry_of_every_person_comes_back_from_its_pack(
            batch in proptest::collection::vec(
                (any::<u128>(), 0i64..4_000_000_000_000_000,
                 proptest::collection::vec((0u128..5, "[a-z,]{0,20}"), 0..6)),
                0..20,
            )
        ) {
            let records: Vec<AccessRecord> = batch
                .iter()
                .map(|(id, at, subjects)| {
                    let subjects: Vec<(u128, &str)> =
                        subjects.iter().map(|(s, f)| (*s, f.as_str())).collect();
                    record(*id, *at, &subjects)
                })
                .collect();
            let mut expected: Vec<(Uuid, Uuid, i64, String)> = records
                .iter()
                .flat_map(|r| r.subjects.iter().map(move |(s, f)| {
                    (*s, r.entry_id, r.at.timestamp_micros(), f.clone())
                }))
                .collect();
            let mut got: Vec<(Uuid, Uuid, i64, String)> = Vec::new();
            for p in pack(&records) {
                let entries = unpack(&p.entries).expect("unpack");
                prop_assert_eq!(
                    p.at.timestamp_micros(),
                    entries.iter().map(|e| e.at.timestamp_micros()).max().expect("one entry")
                );
                got.extend(entries.into_iter().map(|e| {
                    (p.subject_id, e.entry_id, e.at.timestamp_micros(), e.fields)
                }));
            }
            expected.sort();
            got.sort();
            prop_assert_eq!(got, expected);
        }
    }
}

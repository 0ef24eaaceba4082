-- The embedded event log: one append-only table of immutable events, plus the one mutable
-- table beside it (subject_keys) that holds the per-person encryption keys.
--
-- The columns mirror the PostgreSQL log so that both back-ends keep the same envelope.
-- Ids are 16-byte blobs, times are whole microseconds since the Unix epoch (utc), and payload
-- and metadata are the exact canonical json bytes that the hash chain covers.

create table events (
    -- the global position. an integer primary key is sqlite's rowid: every insert takes
    -- max(position) + 1 under the single write lock, so committed positions only ever grow.
    -- (no autoincrement: rows are never deleted, so a committed position is never reused.)
    position integer primary key,
    tenant_id blob not null check (length(tenant_id) = 16),
    stream_id text not null check (length(stream_id) between 1 and 200),
    -- the part of stream_id before the first '-', kept for filtering reads by category.
    category text not null,
    stream_version integer not null check (stream_version >= 1),
    event_id blob not null check (length(event_id) = 16),
    event_type text not null,
    schema_version integer not null check (schema_version >= 0),
    payload blob not null,
    metadata blob not null,
    occurred_at integer not null,
    recorded_at integer not null,
    prev_hash blob not null check (length(prev_hash) = 32),
    hash blob not null check (length(hash) = 32),
    -- optimistic concurrency: two writers cannot both take the same version of a stream.
    constraint events_stream_version_key unique (stream_id, stream_version),
    -- idempotent retries: an event id is written at most once.
    constraint events_event_id_key unique (event_id)
);

-- the log is append-only: the database itself refuses to change or remove an event.
create trigger events_refuse_update
before update on events
begin
    select raise(abort, 'the event log is append-only: a recorded event cannot be changed; append a correcting event instead');
end;

create trigger events_refuse_delete
before delete on events
begin
    select raise(abort, 'the event log is append-only: a recorded event cannot be deleted; append a correcting event instead');
end;

-- per-person encryption keys, wrapped by the master key. erasing a person nulls the key and
-- stamps erased_at; the row stays as a tombstone so that no new key is ever made for them.
create table subject_keys (
    subject_id blob primary key check (length(subject_id) = 16),
    tenant_id blob not null check (length(tenant_id) = 16),
    wrapped_key blob,
    created_at integer not null,
    erased_at integer,
    -- a row holds either a key or a tombstone, never both and never neither.
    check ((wrapped_key is null) = (erased_at is not null))
) without rowid;

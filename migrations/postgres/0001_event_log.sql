-- The event log: one append-only table holding every event of every stream, in the order
-- (tx_id, position) that readers follow (see docs/adr/0003-global-order.md).
--
-- payload and metadata are `json`, not `jsonb`: `json` keeps the exact canonical bytes that
-- were hashed into the per-stream chain, so the chain can be verified from the stored rows.
create table events (
    -- global position: unique and increasing in the order positions are taken (not the order
    -- transactions commit in, which is why readers also order by tx_id).
    position bigint generated always as identity primary key,
    -- the writing transaction; readers only read below the oldest transaction still open.
    tx_id xid8 not null default pg_current_xact_id(),
    tenant_id uuid not null,
    stream_id text not null,
    -- the part of stream_id before the first '-', kept apart for filters.
    category text not null,
    stream_version bigint not null check (stream_version > 0),
    event_id uuid not null,
    event_type text not null,
    schema_version integer not null,
    payload json not null,
    metadata json not null,
    occurred_at timestamptz not null,
    -- set by the store from the database clock, whole microseconds; part of the hash.
    recorded_at timestamptz not null,
    -- hash of the previous event of the stream (32 zero bytes for the first) and this event's
    -- own hash; the formula is in crates/store/src/hash.rs.
    prev_hash bytea not null check (octet_length(prev_hash) = 32),
    hash bytea not null check (octet_length(hash) = 32),
    -- optimistic concurrency: two writers cannot both take the same version of a stream.
    constraint events_stream_version_uq unique (stream_id, stream_version),
    -- idempotent appends: an event id is written once.
    constraint events_event_id_uq unique (event_id)
);

-- the poll index: every global-order read is a range scan on it. Without it each poll sorts
-- the whole log.
create index events_tx_position_idx on events (tx_id, position);

-- the read horizon: readers of the global order read only events with tx_id below it, so that
-- a transaction that took its id earlier but commits later can never be skipped. It is the
-- oldest transaction in progress in the current snapshot, leaving out the ones that certainly
-- belong to other databases of the cluster (they can never write here, and a long transaction
-- elsewhere must not stall this log's readers); a transaction whose database is unknown (it
-- just finished, or it is prepared) counts as ours. With none, the snapshot's xmax: every id
-- below it has finished.
create function noaber_read_horizon() returns xid8
language sql stable as $$
    select coalesce(
        (select min(x)
           from pg_snapshot_xip(s) as x
          where not exists (
                select 1
                  from pg_stat_get_activity(null) as a
                 where a.backend_xid = xid(x)
                   and a.datid <> (select oid from pg_database where datname = current_database()))),
        pg_snapshot_xmax(s))
      from pg_current_snapshot() as s;
$$;

-- the database itself refuses to change or remove events: a mistake is corrected by a later
-- event. A trigger that raises (never a rule, which would silently do nothing).
create function events_refuse_change() returns trigger
language plpgsql as $$
begin
    raise exception 'the event log is append-only: % on events is not allowed; record a correcting event instead', tg_op
        using errcode = 'insufficient_privilege';
end;
$$;

create trigger events_refuse_update_delete
    before update or delete on events
    for each row execute function events_refuse_change();

create trigger events_refuse_truncate
    before truncate on events
    for each statement execute function events_refuse_change();

-- and the privileges say the same for every other role.
revoke update, delete, truncate on events from public;

-- one stuck client must not stall every reader: readers wait for the oldest open transaction,
-- so an idle transaction is ended after 30 seconds (the store also sets this per connection).
do $$
begin
    execute format('alter database %I set idle_in_transaction_session_timeout = %L',
                   current_database(), '30s');
end;
$$;

-- appends one batch to one stream in one round trip: checks the expected version, chains the
-- hashes (the writer sends each event's content hash) and inserts the rows. Returns one row per
-- event (position, version); on an expected-version mismatch it writes nothing and returns a
-- single row with a null position and the stream's actual version.
-- p_expected: null for any version, 0 for no stream yet, n for exactly version n.
create function noaber_append(
    p_stream text,
    p_category text,
    p_expected bigint,
    p_tenant uuid[],
    p_event_id uuid[],
    p_event_type text[],
    p_schema_version integer[],
    p_payload text[],
    p_metadata text[],
    p_occurred_at timestamptz[],
    p_content bytea[]
) returns table (out_position bigint, out_version bigint)
language plpgsql as $$
declare
    v_version bigint;
    v_hash bytea;
    v_recorded timestamptz := date_trunc('microseconds', now());
    v_recorded_us bigint := (extract(epoch from date_trunc('microseconds', now())) * 1000000)::bigint;
    v_prevs bytea[] := '{}';
    v_hashes bytea[] := '{}';
    v_n integer := cardinality(p_event_id);
begin
    select e.stream_version, e.hash into v_version, v_hash
      from events e
     where e.stream_id = p_stream
     order by e.stream_version desc
     limit 1;
    if not found then
        v_version := 0;
        v_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    end if;
    if p_expected is not null and p_expected <> v_version then
        out_position := null;
        out_version := v_version;
        return next;
        return;
    end if;
    for i in 1 .. v_n loop
        v_prevs := v_prevs || v_hash;
        v_hash := sha256('noaber-chain-v1'::bytea || v_hash || int8send(v_version + i)
                         || int8send(v_recorded_us) || p_content[i]);
        v_hashes := v_hashes || v_hash;
    end loop;
    return query
    insert into events (tenant_id, stream_id, category, stream_version, event_id, event_type,
                        schema_version, payload, metadata, occurred_at, recorded_at,
                        prev_hash, hash)
    select u.tenant_id, p_stream, p_category, v_version + u.ord, u.event_id, u.event_type,
           u.schema_version, u.payload::json, u.metadata::json, u.occurred_at, v_recorded,
           u.prev_hash, u.hash
      from unnest(p_tenant, p_event_id, p_event_type, p_schema_version, p_payload, p_metadata,
                  p_occurred_at, v_prevs, v_hashes)
           with ordinality as u(tenant_id, event_id, event_type, schema_version, payload,
                                metadata, occurred_at, prev_hash, hash, ord)
     order by u.ord
    returning position, stream_version;
end;
$$;

-- per-person encryption keys, wrapped by the master key. The one mutable table: erasing a
-- person destroys the key (wrapped becomes null) and keeps a tombstone so that no new key is
-- ever made for them; the log itself is untouched.
create table subject_keys (
    subject uuid primary key,
    tenant_id uuid not null,
    wrapped bytea,
    created_at timestamptz not null default now(),
    erased_at timestamptz,
    constraint subject_keys_erased_has_no_key check ((wrapped is null) = (erased_at is not null))
);

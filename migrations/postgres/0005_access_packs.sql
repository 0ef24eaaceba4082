-- The per-person rows of the access log packed per writer batch (ADR 0035): one row per person
-- per batch, holding every entry of that batch that opened the person's data. A busy feed names
-- the same people in every response, so this writes a few rows a batch instead of thousands.
-- Pack layout (see the store's access_pack module): a version byte 1, then per entry the entry
-- id (16 bytes), the time in microseconds since 1970 (8 bytes, big-endian), the length of the
-- field list (4 bytes, big-endian) and the field list in UTF-8.
create table access_packs (
    subject_id uuid not null,
    at timestamptz not null,
    pack_id uuid not null,
    entries bytea not null,
    primary key (subject_id, at, pack_id)
);

-- Every row written before becomes a pack of one entry.
insert into access_packs (subject_id, at, pack_id, entries)
    select subject_id, at, entry_id,
           '\x01'::bytea
           || uuid_send(entry_id)
           || decode(lpad(to_hex((extract(epoch from at) * 1000000)::bigint), 16, '0'), 'hex')
           || decode(lpad(to_hex(octet_length(convert_to(fields, 'UTF8'))), 8, '0'), 'hex')
           || convert_to(fields, 'UTF8')
    from access_subjects;
drop table access_subjects;

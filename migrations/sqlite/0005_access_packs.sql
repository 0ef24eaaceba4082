-- The per-person rows of the access log packed per writer batch (ADR 0035): one row per person
-- per batch, holding every entry of that batch that opened the person's data. A busy feed names
-- the same people in every response, so this writes a few rows a batch instead of thousands.
-- Pack layout (see the store's access_pack module): a version byte 1, then per entry the entry
-- id (16 bytes), the time in microseconds (8 bytes, big-endian), the length of the field list
-- (4 bytes, big-endian) and the field list.
create table access_packs (
    subject_id blob not null,
    at integer not null,
    pack_id blob not null,
    entries blob not null,
    primary key (subject_id, at, pack_id)
) without rowid;

-- Every row written before becomes a pack of one entry.
insert into access_packs (subject_id, at, pack_id, entries)
    select subject_id, at, entry_id,
           cast(x'01' || entry_id || unhex(printf('%016x', at))
                || unhex(printf('%08x', length(cast(fields as blob)))) || cast(fields as blob)
                as blob)
    from access_subjects;
drop table access_subjects;

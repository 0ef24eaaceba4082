-- The access log as one entry per response with a small row per person whose data it showed
-- (ADR 0035): a feed page that opens twenty descriptions writes one entry and twenty index
-- rows instead of twenty full rows in two B-trees.
create table access_entries (
    entry_id blob primary key,
    at integer not null,
    tenant_id blob not null,
    reader_id blob not null,
    reader_role text not null,
    resource text not null,
    request_id text
) without rowid;

create table access_subjects (
    subject_id blob not null,
    at integer not null,
    entry_id blob not null,
    fields text not null,
    primary key (subject_id, at, entry_id)
) without rowid;

insert into access_entries (entry_id, at, tenant_id, reader_id, reader_role, resource, request_id)
    select entry_id, min(at), tenant_id, reader_id, reader_role, resource, request_id
    from access_log group by entry_id;
insert into access_subjects (subject_id, at, entry_id, fields)
    select subject_id, at, entry_id, fields from access_log;
drop table access_log;

-- The access log as one entry per response with a small row per person whose data it showed
-- (ADR 0035): a feed page that opens twenty descriptions writes one entry and twenty index
-- rows instead of twenty full rows and twenty index entries.
create table access_entries (
    entry_id uuid primary key,
    at timestamptz not null,
    tenant_id uuid not null,
    reader_id uuid not null,
    reader_role text not null,
    resource text not null,
    request_id text
);

create table access_subjects (
    subject_id uuid not null,
    at timestamptz not null,
    entry_id uuid not null,
    fields text not null,
    primary key (subject_id, at, entry_id)
);

insert into access_entries (entry_id, at, tenant_id, reader_id, reader_role, resource, request_id)
    select distinct on (entry_id) entry_id, at, tenant_id, reader_id, reader_role, resource, request_id
    from access_log order by entry_id, at;
insert into access_subjects (subject_id, at, entry_id, fields)
    select subject_id, at, entry_id, fields from access_log;
drop table access_log;

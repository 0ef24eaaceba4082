-- Identity beside the log: accounts, credentials, sign-in failure counters and the access log
-- (the same tables as on PostgreSQL). Ids are 16-byte blobs, times whole microseconds (utc).

create table accounts (
    person_id blob primary key check (length(person_id) = 16),
    tenant_id blob not null check (length(tenant_id) = 16),
    login_key blob unique,
    login_sealed text,
    password_hash text,
    created_at integer not null,
    closed_at integer
) without rowid;

create index accounts_tenant on accounts (tenant_id);

create table credentials (
    token_hash blob primary key check (length(token_hash) = 32),
    id blob not null unique check (length(id) = 16),
    kind text not null,
    tenant_id blob not null,
    person_id blob not null,
    role text,
    label text,
    data text,
    created_at integer not null,
    expires_at integer not null,
    used_at integer,
    revoked_at integer
) without rowid;

create index credentials_person on credentials (person_id, kind);

create table sign_in_failures (
    key text primary key,
    window_start integer not null,
    failures integer not null
) without rowid;

create table access_log (
    entry_id blob not null,
    subject_id blob not null,
    at integer not null,
    tenant_id blob not null,
    reader_id blob not null,
    reader_role text not null,
    fields text not null,
    resource text not null,
    request_id text,
    primary key (entry_id, subject_id)
) without rowid;

create index access_log_subject on access_log (subject_id, at desc);

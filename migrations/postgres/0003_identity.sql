-- Identity beside the log: accounts, credentials, sign-in failure counters and the access log.
-- None of these are events: they change (passwords, sessions) where events never do. Secrets
-- are never stored in clear: credentials by the sha-256 of their token, login names by a keyed
-- hash (and sealed with the person's key), passwords by their argon2id hash.

create table accounts (
    person_id uuid primary key,
    tenant_id uuid not null,
    login_key bytea unique,
    login_sealed text,
    password_hash text,
    created_at timestamptz not null,
    closed_at timestamptz
);

create index accounts_tenant on accounts (tenant_id);

create table credentials (
    token_hash bytea primary key check (length(token_hash) = 32),
    id uuid not null unique,
    kind text not null,
    tenant_id uuid not null,
    person_id uuid not null,
    role text,
    label text,
    data text,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz,
    revoked_at timestamptz
);

create index credentials_person on credentials (person_id, kind);

create table sign_in_failures (
    key text primary key,
    window_start timestamptz not null,
    failures integer not null
);

-- the access log: one row per data subject of a response that opened personal data.
create table access_log (
    entry_id uuid not null,
    subject_id uuid not null,
    at timestamptz not null,
    tenant_id uuid not null,
    reader_id uuid not null,
    reader_role text not null,
    fields text not null,
    resource text not null,
    request_id text,
    primary key (entry_id, subject_id)
);

create index access_log_subject on access_log (subject_id, at desc);

-- Model registry of one region: tenant models, their immutable versions, resumable uploads, and the outbox of
-- <region>.models.changes. Migrated by the owner role; the service connects as ${app_role}, which owns nothing and
-- is always subject to the row-level security below (forced, so the owner sees nothing without a tenant either).

create table tenant_models (
    id          uuid primary key,
    tenant_id   uuid        not null,
    name        text        not null check (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    description text        check (length(description) <= 1000),
    created_at  timestamptz not null,
    constraint tenant_models_tenant_name unique (tenant_id, name)
);

create table model_versions (
    id           uuid primary key,
    tenant_id    uuid        not null,
    model_id     uuid        not null references tenant_models (id) on delete cascade,
    version      int         not null check (version >= 1),
    sha256       text        not null check (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes   bigint      not null,
    blob_key     text        not null,
    ir_version   bigint      not null,
    opset        int         not null,
    producer     text,
    inputs       jsonb       not null,
    outputs      jsonb       not null,
    deployed     boolean     not null default false,
    deployed_at  timestamptz,
    created_at   timestamptz not null,
    constraint model_versions_number unique (tenant_id, model_id, version),
    constraint model_versions_content unique (tenant_id, model_id, sha256)
);
create index model_versions_deployed on model_versions (tenant_id, model_id) where deployed;

create table model_uploads (
    id          uuid primary key,
    tenant_id   uuid        not null,
    filename    text        not null,
    bytes       bigint      not null check (bytes > 0),
    mime_type   text        not null,
    purpose     text        not null,
    status      text        not null check (status in ('pending', 'completed', 'cancelled', 'expired')),
    version_id  uuid        references model_versions (id) on delete set null,
    created_at  timestamptz not null,
    expires_at  timestamptz not null
);
create index model_uploads_expiry on model_uploads (expires_at) where status = 'pending';

create table model_upload_parts (
    id         uuid primary key,
    tenant_id  uuid        not null,
    upload_id  uuid        not null references model_uploads (id) on delete cascade,
    bytes      bigint      not null,
    blob_key   text        not null,
    created_at timestamptz not null
);
create index model_upload_parts_upload on model_upload_parts (tenant_id, upload_id);

-- Transactional outbox of <region>.models.changes: ids and names only, never model content.
create table registry_outbox (
    id           uuid primary key,
    seq          bigserial   not null,
    topic        text        not null,
    message_key  text        not null,
    payload      jsonb       not null,
    created_at   timestamptz not null,
    published_at timestamptz
);
create index registry_outbox_unpublished on registry_outbox (seq) where published_at is null;

alter table tenant_models enable row level security;
alter table tenant_models force row level security;
alter table model_versions enable row level security;
alter table model_versions force row level security;
alter table model_uploads enable row level security;
alter table model_uploads force row level security;
alter table model_upload_parts enable row level security;
alter table model_upload_parts force row level security;

create policy tenant_models_isolation on tenant_models
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy model_versions_isolation on model_versions
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy model_uploads_isolation on model_uploads
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy model_upload_parts_isolation on model_upload_parts
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Expiring abandoned uploads is the one job that spans tenants: this function returns only the ids and tenants of
-- pending uploads past their expiry, so the app role can find them without being able to read any tenant's rows.
-- It runs as the owner (the role migrating now), which the forced RLS admits to exactly those rows.
create policy model_uploads_expiry_scan on model_uploads for select to current_user
    using (status = 'pending' and expires_at < now());
create function expired_model_uploads(p_now timestamptz, p_limit int)
    returns table (upload_id uuid, tenant_id uuid)
    language sql stable security definer set search_path = public, pg_temp
as $$
    select u.id, u.tenant_id from model_uploads u
    where u.status = 'pending' and u.expires_at < p_now
    order by u.expires_at limit p_limit
$$;
revoke all on function expired_model_uploads(timestamptz, int) from public;

grant select, insert, update, delete on tenant_models, model_versions, model_uploads, model_upload_parts,
    registry_outbox to ${app_role};
grant usage on sequence registry_outbox_seq_seq to ${app_role};
grant execute on function expired_model_uploads(timestamptz, int) to ${app_role};

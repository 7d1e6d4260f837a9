-- Tenancy control plane. Migrated by the owner role; the services connect as ${app_role}, which owns nothing and so
-- is always subject to the row-level security policies below (the owner is not: it runs migrations and the
-- SECURITY DEFINER lookups, nothing else).

create table tenants (
    id              uuid primary key,
    name            text        not null check (length(name) between 1 and 200),
    home_region     text        not null,
    plan            text        not null,
    status          text        not null check (status in ('active', 'suspended')),
    transit_allowed boolean     not null,
    created_by      text        not null,
    created_at      timestamptz not null,
    updated_at      timestamptz not null
);

create table members (
    id         uuid primary key,
    tenant_id  uuid        not null references tenants (id) on delete cascade,
    user_id    text,
    email      text        not null,
    role       text        not null check (role in ('owner', 'admin', 'developer', 'billing', 'viewer')),
    status     text        not null check (status in ('invited', 'active')),
    invited_by text,
    created_at timestamptz not null,
    constraint members_tenant_user unique (tenant_id, user_id)
);
create unique index members_tenant_email on members (tenant_id, lower(email));
create index members_user on members (user_id);

create table api_keys (
    id           uuid primary key,
    tenant_id    uuid        not null references tenants (id) on delete cascade,
    name         text        not null check (length(name) between 1 and 200),
    -- the public part of the key: globally unique because it is how a presented key is found
    prefix       text        not null unique,
    hash         text        not null,
    scopes       text[]      not null,
    created_by   text        not null,
    created_at   timestamptz not null,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    rotated_from uuid
);
create index api_keys_tenant on api_keys (tenant_id, created_at);

create table audit_events (
    id          uuid primary key,
    tenant_id   uuid        not null references tenants (id) on delete cascade,
    actor_id    text        not null,
    actor_email text,
    action      text        not null,
    target_type text        not null,
    target_id   text        not null,
    details     jsonb       not null default '{}',
    occurred_at timestamptz not null
);
create index audit_events_tenant_time on audit_events (tenant_id, occurred_at desc, id);

-- Transactional outbox: written with the change, published to Kafka by the relay. Ids only, no tenant content.
create table outbox (
    id           uuid primary key,
    topic        text        not null,
    message_key  text        not null,
    payload      jsonb       not null,
    created_at   timestamptz not null,
    published_at timestamptz
);
create index outbox_unpublished on outbox (created_at) where published_at is null;

-- Row-level security: the tenant of the transaction is set with set_config('app.tenant_id', ?, true); the user's id
-- and e-mail (app.user_id, app.user_email) let a person see their own memberships and invitations across tenants.
alter table tenants enable row level security;
alter table members enable row level security;
alter table api_keys enable row level security;
alter table audit_events enable row level security;

create policy members_isolation on members
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
        or user_id = nullif(current_setting('app.user_id', true), '')
        or lower(email) = nullif(current_setting('app.user_email', true), ''));

create policy tenants_isolation on tenants
    using (id = nullif(current_setting('app.tenant_id', true), '')::uuid
        or exists (select 1 from members m
                   where m.tenant_id = tenants.id
                     and m.status = 'active'
                     and m.user_id = nullif(current_setting('app.user_id', true), '')));

create policy api_keys_isolation on api_keys
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

create policy audit_events_isolation on audit_events
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- The gateway finds a presented key by its prefix before it knows the tenant. This function returns that one row
-- (and what the gateway needs of its tenant), so the app role can look a key up without being able to list keys.
create function api_key_by_prefix(p_prefix text)
    returns table (key_id uuid, tenant_id uuid, prefix text, hash text, scopes text[], expires_at timestamptz,
                   revoked_at timestamptz, tenant_status text, home_region text, transit_allowed boolean, plan text)
    language sql stable security definer set search_path = public, pg_temp
as $$
    select k.id, k.tenant_id, k.prefix, k.hash, k.scopes, k.expires_at, k.revoked_at,
           t.status, t.home_region, t.transit_allowed, t.plan
    from api_keys k join tenants t on t.id = k.tenant_id
    where k.prefix = p_prefix
$$;
revoke all on function api_key_by_prefix(text) from public;

grant select, insert, update, delete on tenants, members, api_keys, audit_events, outbox to ${app_role};
grant execute on function api_key_by_prefix(text) to ${app_role};

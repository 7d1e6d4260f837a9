-- Partners, second step (issue #14): the price list and revenue-share terms billing settles with, the partner's own
-- people (Keycloak users with a partner role), and delegated access a customer tenant grants to a partner.

-- plans: the partner's price list, the plans it may put its tenants on. Shares: a referral partner's share per plan
-- or per meter, overriding share_bp (a meter's wins over a plan's). Basis points.
alter table partners add column plans text[] not null default '{}';
alter table partners add column share_bp_by_plan jsonb not null default '{}'::jsonb;
alter table partners add column share_bp_by_meter jsonb not null default '{}'::jsonb;

create table partner_members (
    id         uuid primary key,
    partner_id uuid        not null references partners (id) on delete cascade,
    user_id    text        not null,
    email      text        not null,
    role       text        not null check (role in ('partner-admin', 'partner-support')),
    added_by   text        not null,
    created_at timestamptz not null,
    unique (partner_id, user_id)
);
create index partner_members_user on partner_members (user_id);

-- A customer tenant's consent: the partner may act on it with this role until revoked. Revoked grants are kept (who
-- granted and revoked what, when); at most one live grant per tenant and partner.
create table partner_grants (
    id         uuid primary key,
    tenant_id  uuid        not null references tenants (id) on delete cascade,
    partner_id uuid        not null references partners (id) on delete cascade,
    role       text        not null check (role in ('admin', 'developer', 'billing', 'viewer')),
    granted_by text        not null,
    granted_at timestamptz not null,
    revoked_by text,
    revoked_at timestamptz
);
create unique index partner_grants_live on partner_grants (tenant_id, partner_id) where revoked_at is null;
create index partner_grants_partner on partner_grants (partner_id) where revoked_at is null;

-- "partner P for tenant T": the partner an audited action was taken for, so a partner reads its own trail across
-- its tenants without seeing the tenants' other events.
alter table audit_events add column partner_id uuid;
update audit_events set partner_id = (details ->> 'partner_id')::uuid where details ? 'partner_id';
create index audit_events_partner_time on audit_events (partner_id, occurred_at desc, id) where partner_id is not null;

alter table partner_members enable row level security;
alter table partner_members force row level security;
alter table partner_grants enable row level security;
alter table partner_grants force row level security;

-- A partner's members: for the partner, operators, and each user for their own memberships.
create policy partner_members_isolation on partner_members
    using (partner_id = nullif(current_setting('app.partner_id', true), '')::uuid
        or user_id = nullif(current_setting('app.user_id', true), '')
        or current_setting('app.operator', true) = 'on');

-- A grant is seen by the tenant that gave it and the partner that holds it.
create policy partner_grants_isolation on partner_grants
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
        or partner_id = nullif(current_setting('app.partner_id', true), '')::uuid
        or current_setting('app.operator', true) = 'on');

-- A partner sees the tenants that granted it access, while the grant lasts.
create policy tenants_partner_grant on tenants
    using (exists (select 1 from partner_grants g
                   where g.tenant_id = tenants.id
                     and g.revoked_at is null
                     and g.partner_id = nullif(current_setting('app.partner_id', true), '')::uuid));

-- A partner reads the events of what it did for its tenants.
create policy audit_events_partner on audit_events for select
    using (partner_id = nullif(current_setting('app.partner_id', true), '')::uuid);

grant select, insert, update, delete on partner_members, partner_grants to ${app_role};

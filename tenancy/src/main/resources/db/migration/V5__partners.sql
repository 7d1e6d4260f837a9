-- Partners: resellers and integrators acting for many tenants. Operators create them. Each credential is a
-- confidential Keycloak client (OAuth 2.0 client credentials) that tenancy creates through Keycloak's admin API;
-- its tokens carry the partner's id in the claim partner_id, and their subject is the client's service-account user.
create table partners (
    id            uuid primary key,
    name          text        not null check (length(name) between 1 and 200),
    contact_email text        not null,
    regions       text[]      not null check (cardinality(regions) > 0),
    programme     text        not null check (programme in ('referral', 'reseller')),
    -- referral: Meridian invoices the customer and owes the partner this share; reseller: Meridian invoices the
    -- partner this much below list price. Basis points (1/100 of a percent).
    share_bp      integer check (share_bp between 0 and 10000),
    discount_bp   integer check (discount_bp between 0 and 10000),
    created_by    text        not null,
    created_at    timestamptz not null,
    check ((programme = 'referral' and share_bp is not null and discount_bp is null)
        or (programme = 'reseller' and discount_bp is not null and share_bp is null))
);

create table partner_credentials (
    id         uuid primary key,
    partner_id uuid        not null references partners (id) on delete cascade,
    name       text        not null check (length(name) between 1 and 200),
    client_id  text        not null unique,
    subject    text        not null unique,
    created_by text        not null,
    created_at timestamptz not null,
    revoked_at timestamptz
);
create index partner_credentials_partner on partner_credentials (partner_id, created_at);

-- A tenant a partner created (and so owns); null for a customer's own.
alter table tenants add column partner_id uuid references partners (id);
create index tenants_partner on tenants (partner_id) where partner_id is not null;

alter table partners enable row level security;
alter table partners force row level security;
alter table partner_credentials enable row level security;
alter table partner_credentials force row level security;

-- A partner's own rows when the transaction names it (app.partner_id, set only for a caller whose token carries
-- that partner's id and whose credential is not revoked), and every partner's for operators (app.operator = 'on').
create policy partners_isolation on partners
    using (id = nullif(current_setting('app.partner_id', true), '')::uuid
        or current_setting('app.operator', true) = 'on');

create policy partner_credentials_isolation on partner_credentials
    using (partner_id = nullif(current_setting('app.partner_id', true), '')::uuid
        or current_setting('app.operator', true) = 'on');

-- A partner sees the tenants it owns (in addition to what tenants_isolation admits).
create policy tenants_partner on tenants
    using (partner_id = nullif(current_setting('app.partner_id', true), '')::uuid);

-- Whose credential a token is, before the partner is known to the transaction: the subject names at most one. Runs
-- as the owner, which forced RLS limits too: the policy below admits exactly the row app.partner_subject names.
create function partner_credential_by_subject(p_subject text)
    returns table (id uuid, partner_id uuid, revoked_at timestamptz)
    language plpgsql volatile security definer set search_path = public, pg_temp
as $$
begin
    perform set_config('app.partner_subject', coalesce(p_subject, ''), true);
    return query select c.id, c.partner_id, c.revoked_at from partner_credentials c where c.subject = p_subject;
    perform set_config('app.partner_subject', '', true);
end
$$;
revoke all on function partner_credential_by_subject(text) from public;

create policy partner_credentials_subject_lookup on partner_credentials for select to current_user
    using (subject = nullif(current_setting('app.partner_subject', true), ''));

grant select, insert, update, delete on partners, partner_credentials to ${app_role};
grant execute on function partner_credential_by_subject(text) to ${app_role};

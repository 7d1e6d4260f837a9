-- Row-level security is forced, not only enabled: without FORCE the tables' owner (the role Flyway migrates as)
-- would read every tenant's rows, so one leaked owner connection would undo the isolation. Now the owner, too, sees
-- only what a policy admits. Superusers still bypass RLS; no service connects as one.
alter table tenants force row level security;
alter table members force row level security;
alter table api_keys force row level security;
alter table audit_events force row level security;

-- The lookup by prefix runs as the owner (SECURITY DEFINER) before any tenant is known. These two policies, for the
-- owner role only, admit exactly the key whose prefix the lookup has named in app.key_prefix, and that key's tenant:
-- the app role cannot use them, and the owner cannot list keys through them either.
create policy api_keys_prefix_lookup on api_keys for select to current_user
    using (prefix = nullif(current_setting('app.key_prefix', true), ''));

create policy tenants_prefix_lookup on tenants for select to current_user
    using (exists (select 1 from api_keys k
                   where k.tenant_id = tenants.id
                     and k.prefix = nullif(current_setting('app.key_prefix', true), '')));

create or replace function api_key_by_prefix(p_prefix text)
    returns table (key_id uuid, tenant_id uuid, prefix text, hash text, scopes text[], expires_at timestamptz,
                   revoked_at timestamptz, tenant_status text, home_region text, transit_allowed boolean, plan text)
    language plpgsql volatile security definer set search_path = public, pg_temp
as $$
begin
    perform set_config('app.key_prefix', coalesce(p_prefix, ''), true);
    return query
        select k.id, k.tenant_id, k.prefix, k.hash, k.scopes, k.expires_at, k.revoked_at,
               t.status, t.home_region, t.transit_allowed, t.plan
        from api_keys k join tenants t on t.id = k.tenant_id
        where k.prefix = p_prefix;
    -- the setting would otherwise last until the end of the caller's transaction
    perform set_config('app.key_prefix', '', true);
end
$$;

-- Tenant data exports (issue #17): an owner asks for an archive of the tenant's data; a job of this service builds it
-- in the tenant's home region and keeps it in the region's blob store until expires_at. Migrations V40-V44 belong to
-- exports. Tenant-owned like every table here: forced row-level security on tenant_id.
create table tenant_exports (
    id             text primary key,
    tenant_id      uuid        not null,
    status         text        not null check (status in ('queued', 'running', 'succeeded', 'failed', 'expired')),
    -- what the job is doing now (planning, files, models, fine_tuning, storing, done) and how far it got
    phase          text        not null,
    items_done     integer     not null default 0,
    items_total    integer     not null default 0,
    -- the membership id of the owner who asked (the gateway's X-Meridian-Key-Id for a member's token)
    created_by     text        not null,
    -- a running export whose lease ran out (its service died) is claimed again, at most max-attempts times
    attempts       integer     not null default 0,
    lease_until    timestamptz,
    error_message  text,
    blob_key       text,
    archive_bytes  bigint,
    archive_sha256 text,
    created_at     timestamptz not null,
    started_at     timestamptz,
    finished_at    timestamptz,
    expires_at     timestamptz,
    seq            bigint generated always as identity
);
create index tenant_exports_tenant on tenant_exports (tenant_id, seq desc);
create index tenant_exports_open on tenant_exports (status, seq) where status in ('queued', 'running', 'succeeded');

alter table tenant_exports enable row level security;
alter table tenant_exports force row level security;
create policy tenant_exports_isolation on tenant_exports
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- The runner and the expiry sweep must find work across tenants, which the app role's forced row-level security
-- forbids. These functions run as the owner (SECURITY DEFINER) and return only ids and tenants; the owner's policy
-- admits rows only while one of them runs (app.export_scan), so the owner sees nothing otherwise. The app role then
-- binds each tenant and claims or expires the row under its own policy.
create policy tenant_exports_scan on tenant_exports for select to current_user
    using (current_setting('app.export_scan', true) = 'on');

-- Exports to run: queued ones, and running ones whose lease ran out before p_now (their service died), oldest first.
create function due_tenant_exports(p_now timestamptz, p_limit int)
    returns table (export_id text, tenant_id uuid)
    language plpgsql volatile security definer set search_path = public, pg_temp
as $$
begin
    perform set_config('app.export_scan', 'on', true);
    return query
        select e.id, e.tenant_id from tenant_exports e
        where e.status = 'queued' or (e.status = 'running' and e.lease_until < p_now)
        order by e.seq
        limit p_limit;
    perform set_config('app.export_scan', '', true);
end
$$;

-- Succeeded exports whose archive expired before p_now: the sweep deletes the archive and marks them expired.
create function expired_tenant_exports(p_now timestamptz, p_limit int)
    returns table (export_id text, tenant_id uuid)
    language plpgsql volatile security definer set search_path = public, pg_temp
as $$
begin
    perform set_config('app.export_scan', 'on', true);
    return query
        select e.id, e.tenant_id from tenant_exports e
        where e.status = 'succeeded' and e.expires_at < p_now
        order by e.expires_at
        limit p_limit;
    perform set_config('app.export_scan', '', true);
end
$$;

revoke all on function due_tenant_exports(timestamptz, int) from public;
revoke all on function expired_tenant_exports(timestamptz, int) from public;
grant execute on function due_tenant_exports(timestamptz, int) to ${app_role};
grant execute on function expired_tenant_exports(timestamptz, int) to ${app_role};
grant select, insert, update, delete on tenant_exports to ${app_role};

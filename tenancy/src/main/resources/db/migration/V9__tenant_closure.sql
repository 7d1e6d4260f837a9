-- Closing a tenant (issue #17, docs/api.md "Closing a tenant"): an owner closes it, its keys are revoked at once, and
-- after a grace period (meridian.tenancy.closure.grace) the scheduled erasure removes its personal data here and
-- announces tenant.erased, on which every region deletes the tenant's content. The tenant row stays, renamed, as the
-- pseudonymous anchor of what billing keeps for invoicing.
alter table tenants drop constraint tenants_status_check;
alter table tenants add constraint tenants_status_check
    check (status in ('active', 'suspended', 'closing', 'erased'));
alter table tenants add column closed_at timestamptz;
alter table tenants add column erase_after timestamptz;
alter table tenants add column erased_at timestamptz;
-- what a cancelled closure returns the tenant to: active, or suspended when an operator had suspended it
alter table tenants add column status_before_closure text check (status_before_closure in ('active', 'suspended'));
alter table tenants add constraint tenants_closing_has_erase_after
    check (status <> 'closing' or (closed_at is not null and erase_after is not null));
create index tenants_erase_after on tenants (erase_after) where status = 'closing';

-- The erasure job finds the tenants whose grace period has ended before it knows any tenant, which the app role's
-- forced row-level security forbids. This function, run as the owner, returns their ids only; the owner's policy
-- admits exactly the closing tenants due at the time the function names in app.erasure_due, and only while it runs.
create policy tenants_erasure_due on tenants for select to current_user
    using (status = 'closing'
        and erase_after <= nullif(current_setting('app.erasure_due', true), '')::timestamptz);

create function tenants_due_for_erasure(p_now timestamptz, p_limit int)
    returns table (tenant_id uuid)
    language plpgsql volatile security definer set search_path = public, pg_temp
as $$
begin
    perform set_config('app.erasure_due', p_now::text, true);
    return query select t.id from tenants t
                 where t.status = 'closing' and t.erase_after <= p_now
                 order by t.erase_after, t.id limit p_limit;
    -- the setting would otherwise last until the end of the caller's transaction
    perform set_config('app.erasure_due', '', true);
end
$$;
revoke all on function tenants_due_for_erasure(timestamptz, int) from public;
grant execute on function tenants_due_for_erasure(timestamptz, int) to ${app_role};

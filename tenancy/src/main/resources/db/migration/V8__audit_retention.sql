-- Retention of the audit trail (issue #17, docs/operations.md#data-protection): the scheduled purge deletes audit
-- events older than a cutoff across tenants, which the app role's forced row-level security forbids. The function
-- runs as the owner (SECURITY DEFINER); the policy, for the owner role only, admits exactly the events older than
-- the cutoff the function names in app.retention_cutoff, and only while it runs: otherwise the owner sees nothing.
create policy audit_events_retention on audit_events for all to current_user
    using (occurred_at < nullif(current_setting('app.retention_cutoff', true), '')::timestamptz);

create function purge_audit_events(cutoff timestamptz)
    returns bigint
    language plpgsql volatile security definer set search_path = public, pg_temp
as $$
declare
    removed bigint;
begin
    perform set_config('app.retention_cutoff', cutoff::text, true);
    delete from audit_events where occurred_at < cutoff;
    get diagnostics removed = row_count;
    -- the setting would otherwise last until the end of the caller's transaction
    perform set_config('app.retention_cutoff', '', true);
    return removed;
end
$$;
revoke all on function purge_audit_events(timestamptz) from public;
grant execute on function purge_audit_events(timestamptz) to ${app_role};

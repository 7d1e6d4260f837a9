-- Retention of the audit trail (issue #17, docs/operations.md#data-protection): the scheduled purge deletes audit
-- events older than a cutoff across tenants, which the app role's forced row-level security forbids; this function
-- runs as the owner (the role migrating now), whose own policy below lets it delete them, and takes only the cutoff.
create policy audit_events_retention on audit_events for all to current_user using (true);

create function purge_audit_events(cutoff timestamptz)
    returns bigint
    language sql volatile security definer set search_path = public, pg_temp
as $$
    with gone as (delete from audit_events where occurred_at < cutoff returning 1)
    select count(*) from gone
$$;
revoke all on function purge_audit_events(timestamptz) from public;
grant execute on function purge_audit_events(timestamptz) to ${app_role};

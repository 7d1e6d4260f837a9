-- Retention of raw usage (issue #17, docs/operations.md "Data protection"): the scheduled purge deletes the ids of
-- usage events older than meridian.billing.retention.raw-usage across tenants; the hourly figures stay. Like
-- ingest_usage, it runs as the owner and admits itself through the usage_events policy for app.billing_system, set
-- only for its own statement. The consumer refuses events older than the same cutoff, so no purged id is billed again.
create function purge_usage_events(cutoff timestamptz, max_rows int)
    returns bigint
    language plpgsql volatile security definer set search_path = billing, pg_temp
as $$
declare
    removed bigint;
begin
    perform set_config('app.billing_system', 'on', true);
    delete from usage_events where id in (
        select id from usage_events where occurred_at < cutoff limit max_rows);
    get diagnostics removed = row_count;
    perform set_config('app.billing_system', '', true);
    return removed;
end
$$;
revoke all on function purge_usage_events(timestamptz, int) from public;
grant execute on function purge_usage_events(timestamptz, int) to ${app_role};

-- Events arrive roughly in time order, so a BRIN index finds the old ones at almost no cost to ingestion.
create index usage_events_occurred on usage_events using brin (occurred_at);

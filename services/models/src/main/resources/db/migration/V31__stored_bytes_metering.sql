-- Daily metering of stored model bytes (meter stored_model_bytes, unit byte-day): once per UTC day and region, each
-- tenant's bytes of stored model versions become one usage event, written to the outbox in the same transaction
-- that records the day here, so a day is metered once however many replicas or restarts try (and the event ids are
-- derived from tenant and day, so billing would drop a second copy anyway).
create table storage_meterings (
    day        date primary key,
    tenants    int         not null,
    bytes      bigint      not null,
    metered_at timestamptz not null
);

-- Summing across tenants is the second job that spans them: this function returns each tenant's total bytes and
-- nothing else. It runs as the owner, which the forced RLS admits to model_versions only while the function has set
-- app.storage_metering for its own transaction.
create policy model_versions_storage_scan on model_versions for select to current_user
    using (current_setting('app.storage_metering', true) = 'on');
create function stored_model_bytes()
    returns table (tenant_id uuid, bytes bigint)
    language plpgsql volatile security definer set search_path = public, pg_temp
as $$
begin
    perform set_config('app.storage_metering', 'on', true);
    return query select v.tenant_id, sum(v.size_bytes)::bigint from model_versions v group by v.tenant_id
                 order by v.tenant_id;
    perform set_config('app.storage_metering', '', true);
end
$$;
revoke all on function stored_model_bytes() from public;

grant select, insert, update on storage_meterings to ${app_role};
grant execute on function stored_model_bytes() to ${app_role};

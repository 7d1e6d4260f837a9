-- One token bucket per API key (or member) for every gateway of every region: gateways take slices of it through
-- POST /internal/v1/rate-leases. The bucket is one number in the generic cell rate algorithm's form, the time at which
-- it is full again (epoch nanoseconds), so a grant is one row-locking upsert however many billing replicas decide;
-- `granted` is the last grant, kept so that the upsert can return it. A bucket whose full_at_nanos has passed is the
-- same as no row, so the rows of idle keys are purged (purge_rate_buckets, run by billing's scheduler).
create table rate_buckets (
    tenant_id     uuid   not null,
    key_id        uuid   not null,
    full_at_nanos bigint not null,
    granted       int    not null,
    primary key (tenant_id, key_id)
);
create index rate_buckets_full_at on rate_buckets (full_at_nanos);

alter table rate_buckets enable row level security;
alter table rate_buckets force row level security;
create policy rate_buckets_isolation on rate_buckets
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
-- for the owner only, inside purge_rate_buckets below, which sets app.billing_system itself
create policy rate_buckets_system on rate_buckets to current_user
    using (current_setting('app.billing_system', true) = 'on');
grant select, insert, update on rate_buckets to ${app_role};

-- Deletes the buckets that are full again since before p_before_nanos, for all tenants; returns how many.
create function purge_rate_buckets(p_before_nanos bigint) returns bigint
    language plpgsql volatile security definer set search_path = billing, pg_temp
as $$
declare n bigint;
begin
    perform set_config('app.billing_system', 'on', true);
    delete from rate_buckets where full_at_nanos < p_before_nanos;
    get diagnostics n = row_count;
    perform set_config('app.billing_system', '', true);
    return n;
end
$$;
revoke all on function purge_rate_buckets(bigint) from public;
grant execute on function purge_rate_buckets(bigint) to ${app_role};

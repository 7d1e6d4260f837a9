-- Bills one batch of usage events exactly once (kept here, re-applied by Flyway whenever this file changes; the
-- versioned V1 and V2 hold its earlier forms). The batch's ids go into the dedup key (usage_events, primary key id
-- since V4) in key order, and only the new ones are summed into usage_hourly, sorted by that table's key, so
-- consecutive rows land on the same pages (docs/benchmarks.md). Contract: each id at most once per call (the caller
-- drops duplicates inside a batch), in the caller's transaction, returns how many events were new; a tenant seen for
-- the first time gets an account in the region of its events on the default plan.
create or replace function ingest_usage(p_ids uuid[], p_tenants uuid[], p_regions text[], p_meters text[],
                                        p_quantities bigint[], p_models text[], p_keys uuid[],
                                        p_occurred_micros bigint[], p_default_plan text)
    returns bigint
    language plpgsql volatile security definer set search_path = billing, pg_temp
as $$
declare fresh_count bigint;
begin
    perform set_config('app.billing_system', 'on', true);
    with incoming as (
        select *
        from unnest(p_ids, p_tenants, p_regions, p_meters, p_quantities, p_models, p_keys, p_occurred_micros)
                 as t(id, tenant_id, region, meter, quantity, model, key_id, occurred_micros)
    ), fresh as (
        insert into usage_events (tenant_id, id, occurred_at)
        select tenant_id, id, timestamptz 'epoch' + occurred_micros * interval '1 microsecond' from incoming
        order by id
        on conflict (id) do nothing
        returning id
    ), fresh_rows as (
        select i.* from incoming i where i.id in (select id from fresh)
    ), hourly as (
        insert into usage_hourly as h (tenant_id, hour, meter, model, key_id, quantity, events)
        select tenant_id,
               date_trunc('hour', timestamptz 'epoch' + occurred_micros * interval '1 microsecond', 'UTC'),
               meter, coalesce(model, ''), coalesce(key_id, '00000000-0000-0000-0000-000000000000'::uuid),
               sum(quantity), count(*)
        from fresh_rows
        group by 1, 2, 3, 4, 5
        order by 1, 2, 3, 4, 5
        on conflict (tenant_id, hour, meter, model, key_id)
            do update set quantity = h.quantity + excluded.quantity, events = h.events + excluded.events
    ), new_accounts as (
        -- one region per tenant: events carry the tenant's home region
        insert into accounts (tenant_id, region, plan)
        select tenant_id, min(region), p_default_plan from fresh_rows group by tenant_id
        on conflict do nothing
    )
    select count(*) into fresh_count from fresh_rows;
    perform set_config('app.billing_system', '', true);
    return fresh_count;
end
$$;

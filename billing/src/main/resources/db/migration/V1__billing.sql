-- Billing, in its own schema of the control-plane database. Migrated by the owner role; the service connects as
-- ${app_role}, which owns nothing, so the row-level security below always applies to it. Work that must span tenants
-- (ingesting a Kafka batch, listing accounts for the period jobs) goes through SECURITY DEFINER functions that admit
-- only what they name, through owner-only policies keyed on a setting the function itself sets.

grant usage on schema billing to ${app_role};

create table accounts (
    tenant_id          uuid primary key,
    region             text        not null,
    plan               text        not null check (plan in ('free', 'payg', 'subscription', 'enterprise')),
    soft_budget_minor  bigint check (soft_budget_minor > 0),
    hard_budget_minor  bigint check (hard_budget_minor >= 0),
    webhook_url        text,
    webhook_secret     text,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);

-- Enterprise plans: the tenant's own unit price per meter, replacing the price book's tiers.
create table custom_prices (
    tenant_id        uuid   not null references accounts (tenant_id) on delete cascade,
    meter            text   not null,
    unit_price_nanos bigint not null check (unit_price_nanos >= 0),
    primary key (tenant_id, meter)
);

create table key_budgets (
    tenant_id         uuid   not null references accounts (tenant_id) on delete cascade,
    key_id            uuid   not null,
    soft_budget_minor bigint check (soft_budget_minor > 0),
    hard_budget_minor bigint check (hard_budget_minor >= 0),
    primary key (tenant_id, key_id)
);

-- Every usage event id ever billed: the dedup set. A replay or duplicate finds its id here and changes nothing.
create table usage_events (
    tenant_id   uuid        not null,
    id          uuid        not null,
    occurred_at timestamptz not null,
    primary key (tenant_id, id)
);

-- Usage per tenant, hour (of the event's own time, however late it came), meter, model and key. '' and the nil
-- uuid stand for "no model" and "no key" so that they can be part of the key.
create table usage_hourly (
    tenant_id uuid        not null,
    hour      timestamptz not null,
    meter     text        not null,
    model     text        not null,
    key_id    uuid        not null,
    quantity  bigint      not null,
    events    bigint      not null,
    primary key (tenant_id, hour, meter, model, key_id)
);

create table leases (
    id               uuid primary key,
    tenant_id        uuid        not null references accounts (tenant_id) on delete cascade,
    key_id           uuid,
    gateway_id       text        not null,
    region           text        not null,
    budget_nanos     bigint,
    quantities       jsonb       not null default '{}',
    granted_at       timestamptz not null,
    expires_at       timestamptz not null,
    settled_at       timestamptz,
    spent_nanos      bigint,
    spent_quantities jsonb
);
create index leases_open on leases (tenant_id, expires_at);

-- Prepaid credits and credit notes add to the wallet, invoices take from it: the balance is the sum.
create table wallet_entries (
    id           uuid primary key,
    tenant_id    uuid        not null references accounts (tenant_id) on delete cascade,
    kind         text        not null check (kind in ('credit_grant', 'credit_note', 'invoice_payment')),
    amount_minor bigint      not null,
    currency     text        not null,
    invoice_id   uuid,
    reason       text,
    created_by   text        not null,
    created_at   timestamptz not null
);
create index wallet_entries_tenant on wallet_entries (tenant_id, created_at);

create sequence invoice_number_seq;

create table invoices (
    id                    uuid primary key,
    tenant_id             uuid        not null references accounts (tenant_id) on delete cascade,
    number                text        not null unique,
    period_start          timestamptz not null,
    period_end            timestamptz not null,
    region                text        not null,
    currency              text        not null,
    plan                  text        not null,
    subtotal_minor        bigint      not null,
    tax_rate_bp           int         not null,
    tax_minor             bigint      not null,
    total_minor           bigint      not null,
    credits_applied_minor bigint      not null,
    amount_due_minor      bigint      not null,
    finalized_at          timestamptz not null,
    constraint invoices_one_per_period unique (tenant_id, period_start)
);

create table invoice_lines (
    invoice_id       uuid   not null references invoices (id),
    tenant_id        uuid   not null,
    line_no          int    not null,
    meter            text,
    description      text   not null,
    quantity         bigint not null,
    unit_price_nanos bigint not null,
    amount_minor     bigint not null,
    primary key (invoice_id, line_no)
);

-- Finalized invoices are immutable: no update or delete, whoever asks (corrections are credit notes).
create function reject_invoice_change() returns trigger language plpgsql as $$
begin
    raise exception 'finalized invoices are immutable; issue a credit note instead';
end
$$;
create trigger invoices_immutable before update or delete on invoices
    for each row execute function reject_invoice_change();
create trigger invoice_lines_immutable before update or delete on invoice_lines
    for each row execute function reject_invoice_change();

-- Soft-budget thresholds already announced, so each is announced once per period.
create table budget_alerts (
    tenant_id     uuid        not null references accounts (tenant_id) on delete cascade,
    key_id        uuid        not null,
    period_start  timestamptz not null,
    threshold_pct int         not null,
    spent_minor   bigint      not null,
    budget_minor  bigint      not null,
    alerted_at    timestamptz not null,
    primary key (tenant_id, key_id, period_start, threshold_pct)
);

-- Signed webhook calls to the tenant's URL, retried with back-off until delivered or out of attempts.
create table webhook_deliveries (
    id              uuid primary key,
    tenant_id       uuid        not null references accounts (tenant_id) on delete cascade,
    url             text        not null,
    payload         text        not null,
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null,
    delivered_at    timestamptz,
    last_error      text,
    created_at      timestamptz not null
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where delivered_at is null;

-- Transactional outbox for billing.alerts (ids and figures only).
create table outbox (
    seq          bigint generated always as identity,
    id           uuid primary key,
    topic        text        not null,
    message_key  text        not null,
    payload      text        not null,
    created_at   timestamptz not null,
    published_at timestamptz
);
create index outbox_unpublished on outbox (seq) where published_at is null;

do $$
declare t text;
begin
    foreach t in array array['accounts', 'custom_prices', 'key_budgets', 'usage_events', 'usage_hourly', 'leases',
                             'wallet_entries', 'invoices', 'invoice_lines', 'budget_alerts', 'webhook_deliveries']
    loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy %I on %I using (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid)',
                       t || '_isolation', t);
        -- for the owner only, inside the SECURITY DEFINER functions below, which set app.billing_system themselves
        execute format('create policy %I on %I to current_user using (current_setting(''app.billing_system'', true) = ''on'')',
                       t || '_system', t);
    end loop;
end
$$;

-- Ingests one batch of usage events: records the ids not seen before and adds only those to the hourly figures,
-- in the caller's transaction. Precondition: each id at most once per call (UsageIngestor, the only caller, drops
-- in-batch duplicates in Java, which is cheaper than sorting here). Returns how many events were new.
create function ingest_usage(p_ids uuid[], p_tenants uuid[], p_regions text[], p_meters text[], p_quantities bigint[],
                             p_models text[], p_keys uuid[], p_occurred_micros bigint[], p_default_plan text)
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
        on conflict do nothing
        returning tenant_id, id
    ), fresh_rows as (
        select i.* from incoming i join fresh f on f.tenant_id = i.tenant_id and f.id = i.id
    ), hourly as (
        insert into usage_hourly as h (tenant_id, hour, meter, model, key_id, quantity, events)
        select tenant_id,
               date_trunc('hour', timestamptz 'epoch' + occurred_micros * interval '1 microsecond', 'UTC'),
               meter, coalesce(model, ''), coalesce(key_id, '00000000-0000-0000-0000-000000000000'::uuid),
               sum(quantity), count(*)
        from fresh_rows
        group by 1, 2, 3, 4, 5
        on conflict (tenant_id, hour, meter, model, key_id)
            do update set quantity = h.quantity + excluded.quantity, events = h.events + excluded.events
    ), new_accounts as (
        insert into accounts (tenant_id, region, plan)
        select distinct on (tenant_id) tenant_id, region, p_default_plan from fresh_rows
        on conflict do nothing
    )
    select count(*) into fresh_count from fresh_rows;
    perform set_config('app.billing_system', '', true);
    return fresh_count;
end
$$;

-- The tenants with an account, for the period jobs (alerts, finalization), which then work tenant by tenant.
create function billing_tenants() returns setof uuid
    language plpgsql volatile security definer set search_path = billing, pg_temp
as $$
begin
    perform set_config('app.billing_system', 'on', true);
    return query select tenant_id from accounts order by tenant_id;
    perform set_config('app.billing_system', '', true);
end
$$;

-- Billed requests per tenant and hour, for the reconciliation with the gateways' served counts.
create function billed_requests(p_from timestamptz, p_to timestamptz)
    returns table (tenant_id uuid, hour timestamptz, requests bigint)
    language plpgsql volatile security definer set search_path = billing, pg_temp
as $$
begin
    perform set_config('app.billing_system', 'on', true);
    return query select h.tenant_id, h.hour, sum(h.quantity)::bigint from usage_hourly h
                 where h.meter = 'requests' and h.hour >= p_from and h.hour < p_to
                 group by h.tenant_id, h.hour;
    perform set_config('app.billing_system', '', true);
end
$$;
revoke all on function billed_requests(timestamptz, timestamptz) from public;
grant execute on function billed_requests(timestamptz, timestamptz) to ${app_role};

-- The outbox and the webhook queue are drained by the service for all tenants.
create function due_webhooks(p_limit int) returns table (id uuid, tenant_id uuid)
    language plpgsql volatile security definer set search_path = billing, pg_temp
as $$
begin
    perform set_config('app.billing_system', 'on', true);
    return query select w.id, w.tenant_id from webhook_deliveries w where w.delivered_at is null and w.next_attempt_at <= now()
                 order by w.next_attempt_at limit p_limit;
    perform set_config('app.billing_system', '', true);
end
$$;

revoke all on function ingest_usage(uuid[], uuid[], text[], text[], bigint[], text[], uuid[], bigint[], text) from public;
revoke all on function billing_tenants() from public;
revoke all on function due_webhooks(int) from public;
grant execute on function ingest_usage(uuid[], uuid[], text[], text[], bigint[], text[], uuid[], bigint[], text) to ${app_role};
grant execute on function billing_tenants() to ${app_role};
grant execute on function due_webhooks(int) to ${app_role};
grant select, insert, update, delete on accounts, custom_prices, key_budgets, usage_events, usage_hourly, leases,
    wallet_entries, invoices, invoice_lines, budget_alerts, webhook_deliveries to ${app_role};
grant select, insert, update on outbox to ${app_role};
grant usage on sequence invoice_number_seq to ${app_role};

-- A settlement names only the lease; this finds its tenant so the rest of the work runs under that tenant's policy.
create function lease_tenant(p_id uuid) returns uuid
    language plpgsql volatile security definer set search_path = billing, pg_temp
as $$
declare t uuid;
begin
    perform set_config('app.billing_system', 'on', true);
    select tenant_id into t from leases where id = p_id;
    perform set_config('app.billing_system', '', true);
    return t;
end
$$;
revoke all on function lease_tenant(uuid) from public;
grant execute on function lease_tenant(uuid) to ${app_role};

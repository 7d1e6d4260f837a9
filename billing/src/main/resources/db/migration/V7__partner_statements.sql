-- Partner statements: per partner, period (calendar month) and currency, what Meridian owes a referral partner or
-- what a reseller owes Meridian for the tenants it owns. Closed once, with the partner's terms copied in, and immutable
-- from then on like invoices: corrections arrive as credit notes in a later period's statement.

create sequence partner_statement_number_seq;

create table partner_statements (
    id                 uuid primary key,
    number             text        not null unique,
    partner_id         uuid        not null,
    partner_name       text        not null,
    programme          text        not null check (programme in ('referral', 'reseller')),
    period_start       timestamptz not null,
    period_end         timestamptz not null,
    currency           text        not null,
    -- the terms the statement was computed with, as tenancy stated them at close
    share_bp           int check (share_bp between 0 and 10000),
    share_bp_by_plan   jsonb       not null default '{}',
    share_bp_by_meter  jsonb       not null default '{}',
    discount_bp        int check (discount_bp between 0 and 10000),
    net_invoiced_minor bigint      not null,
    credit_notes_minor bigint      not null,
    amount_minor       bigint      not null,
    amount_direction   text        not null check (amount_direction in ('payable_to_partner', 'receivable_from_partner')),
    finalized_at       timestamptz not null,
    constraint partner_statements_one_per_period unique (partner_id, period_start, currency)
);

-- One line per owned tenant with something billed in the statement's currency: the invoices counted, the credit notes
-- issued in the period, the rate and the partner's amount.
create table partner_statement_lines (
    statement_id       uuid   not null references partner_statements (id),
    partner_id         uuid   not null,
    tenant_id          uuid   not null,
    tenant_name        text   not null,
    home_region        text   not null,
    invoice_ids        uuid[] not null,
    net_invoiced_minor bigint not null,
    credit_notes_minor bigint not null,
    rate_bp            int    not null,
    amount_minor       bigint not null,
    primary key (statement_id, tenant_id)
);

-- Final means immutable, whoever asks (the app role may not even try: it has no update or delete grant).
create function reject_partner_statement_change() returns trigger language plpgsql as $$
begin
    raise exception 'final partner statements are immutable; a correction is a credit note, counted in the statement of the period it is issued in';
end
$$;
create trigger partner_statements_immutable before update or delete on partner_statements
    for each row execute function reject_partner_statement_change();
create trigger partner_statement_lines_immutable before update or delete on partner_statement_lines
    for each row execute function reject_partner_statement_change();

-- A statement belongs to a partner, not to a tenant: row-level security keys it on the partner the transaction acts
-- for (app.partner_id, set by the service after tenancy said the caller may act for that partner).
do $$
declare t text;
begin
    foreach t in array array['partner_statements', 'partner_statement_lines']
    loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy %I on %I using (partner_id = nullif(current_setting(''app.partner_id'', true), '''')::uuid)',
                       t || '_isolation', t);
    end loop;
end
$$;

grant select, insert on partner_statements, partner_statement_lines to ${app_role};
grant usage on sequence partner_statement_number_seq to ${app_role};

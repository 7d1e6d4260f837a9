-- Billing details: who an invoice is addressed to (legal name, postal address, country, VAT or tax id) and the
-- language its documents are rendered in. One row per account, written by the tenant's owners, admins and billing
-- members (PUT /api/v1/billing/details); who changed it last and when stay on the row.
create table billing_details (
    tenant_id    uuid primary key references accounts (tenant_id) on delete cascade,
    legal_name   text        not null check (length(legal_name) between 1 and 200),
    -- the street lines, joined by a newline (at most 3, none empty)
    address      text        not null default '',
    postal_code  text,
    city         text,
    country      text        not null check (country ~ '^[A-Z]{2}$'),
    vat_id       text,
    language     text        not null default 'en' check (language in ('en', 'zh', 'de')),
    updated_by   text        not null,
    updated_at   timestamptz not null
);

alter table billing_details enable row level security;
alter table billing_details force row level security;
create policy billing_details_isolation on billing_details
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy billing_details_system on billing_details to current_user
    using (current_setting('app.billing_system', true) = 'on');
grant select, insert, update, delete on billing_details to ${app_role};

-- A finalized invoice keeps whom it was addressed to and how its tax was decided, as they were at finalization:
-- later edits of the billing details never change an issued invoice. (Adding columns fires no row trigger: issued
-- invoices stay as they are, with no customer and their region's tax.)
alter table invoices
    add column tax_country          text check (tax_country ~ '^[A-Z]{2}$'),
    add column reverse_charge       boolean not null default false,
    add column customer_legal_name  text,
    add column customer_address     text,
    add column customer_postal_code text,
    add column customer_city        text,
    add column customer_country     text check (customer_country ~ '^[A-Z]{2}$'),
    add column customer_vat_id      text;

-- What a line is, so that documents can name it in the reader's language: 'fee', 'included' or 'usage', and the tier
-- of a graduated price (null on lines finalized before, which keep their English description).
alter table invoice_lines
    add column kind       text check (kind in ('fee', 'included', 'usage')),
    add column tier       int,
    add column tier_up_to bigint;

-- Billing owns each tenant's plan; tenancy keeps a copy for the gateways' rate limits, set from billing.plans events.
-- The version of the last applied event, so that a replayed, duplicate or late event never undoes a newer one.
alter table tenants add column plan_version bigint not null default 0;

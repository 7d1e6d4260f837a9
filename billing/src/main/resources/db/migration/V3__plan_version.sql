-- Billing owns each tenant's plan; every change is counted here and published on billing.plans with this number,
-- so that tenancy (which keeps a copy for the gateways' rate limits) applies only newer changes.
alter table accounts add column plan_version bigint not null default 0;

-- Trial credits: one per account at most (the primary key makes a replayed tenant.created grant nothing more),
-- granted in the account's currency when it opens on a self-service plan. It pays for usage before expires_at only;
-- what invoices took of it is their trial_credits_applied_minor, and what is left at expires_at lapses.
create table trials (
    tenant_id         uuid primary key references accounts (tenant_id) on delete cascade,
    amount_minor      bigint      not null check (amount_minor > 0),
    currency          text        not null,
    granted_at        timestamptz not null,
    expires_at        timestamptz not null check (expires_at > granted_at),
    -- when trial.ending went out on billing.alerts (once per trial)
    ending_alerted_at timestamptz
);

alter table trials enable row level security;
alter table trials force row level security;
create policy trials_isolation on trials
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy trials_system on trials to current_user
    using (current_setting('app.billing_system', true) = 'on');
grant select, insert, update on trials to ${app_role};

create index trials_to_announce on trials (expires_at) where ending_alerted_at is null;

-- Trial credit is applied before the wallet's credits and shown apart from them.
alter table invoices add column trial_credits_applied_minor bigint not null default 0
    check (trial_credits_applied_minor >= 0);

-- The trials whose end is announced now: not announced yet, ending after p_now and by p_until. The job then works
-- tenant by tenant under the tenant's own policy.
create function trials_ending(p_now timestamptz, p_until timestamptz) returns setof uuid
    language plpgsql volatile security definer set search_path = billing, pg_temp
as $$
begin
    perform set_config('app.billing_system', 'on', true);
    return query select tenant_id from trials
                 where ending_alerted_at is null and expires_at > p_now and expires_at <= p_until
                 order by expires_at;
    perform set_config('app.billing_system', '', true);
end
$$;
revoke all on function trials_ending(timestamptz, timestamptz) from public;
grant execute on function trials_ending(timestamptz, timestamptz) to ${app_role};

-- Retention (issue #17, docs/operations.md#data-protection): the region's scheduled purge removes job events of jobs
-- that ended before a cutoff, and files uploaded before a cutoff that no unfinished job uses. Both span tenants, which
-- the app role's forced row-level security forbids; these functions run as the owner (the role migrating now), whose
-- own policies below let it see and delete those rows, and they take nothing but the cutoff.
create policy finetune_job_events_retention on finetune_job_events for all to current_user using (true);
create policy finetune_files_retention on finetune_files for all to current_user using (true);

create function purge_finetune_job_events(cutoff timestamptz)
    returns bigint
    language sql volatile security definer set search_path = public, pg_temp
as $$
    with gone as (
        delete from finetune_job_events e using finetune_jobs j
        where e.job_id = j.id and j.finished_at is not null and j.finished_at < cutoff
          and j.status in ('succeeded', 'failed', 'cancelled')
        returning 1)
    select count(*) from gone
$$;

-- Files due for deletion, oldest first, at most max_files: their ids and blob keys (the caller deletes the blobs, then
-- the rows with purge_finetune_files, so a crash in between leaves a row whose blob is gone, never the other way).
create function expired_finetune_files(cutoff timestamptz, max_files int)
    returns table (id text, blob_key text)
    language sql stable security definer set search_path = public, pg_temp
as $$
    select f.id, f.blob_key from finetune_files f
    where f.created_at < cutoff
      and not exists (select 1 from finetune_jobs j
                      where j.tenant_id = f.tenant_id and (j.training_file = f.id or j.validation_file = f.id)
                        and j.status in ('validating_files', 'queued', 'running'))
    order by f.created_at
    limit max_files
$$;

create function purge_finetune_files(ids text[])
    returns bigint
    language sql volatile security definer set search_path = public, pg_temp
as $$
    with gone as (delete from finetune_files where id = any(ids) returning 1)
    select count(*) from gone
$$;

revoke all on function purge_finetune_job_events(timestamptz) from public;
revoke all on function expired_finetune_files(timestamptz, int) from public;
revoke all on function purge_finetune_files(text[]) from public;
grant execute on function purge_finetune_job_events(timestamptz) to ${app_role};
grant execute on function expired_finetune_files(timestamptz, int) to ${app_role};
grant execute on function purge_finetune_files(text[]) to ${app_role};

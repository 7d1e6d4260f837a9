-- Retention (issue #17, docs/operations.md#data-protection): the region's scheduled purge removes job events of jobs
-- that ended before a cutoff, and files uploaded before a cutoff that no unfinished job uses. Both span tenants, which
-- the app role's forced row-level security forbids. The functions run as the owner (SECURITY DEFINER); the policies,
-- for the owner role only, admit exactly the rows older than the cutoff a function names in app.retention_cutoff,
-- and only while it runs: otherwise the owner sees nothing.
create policy finetune_job_events_retention on finetune_job_events for all to current_user
    using (created_at < nullif(current_setting('app.retention_cutoff', true), '')::timestamptz);
create policy finetune_files_retention on finetune_files for all to current_user
    using (created_at < nullif(current_setting('app.retention_cutoff', true), '')::timestamptz);

create function purge_finetune_job_events(cutoff timestamptz)
    returns bigint
    language plpgsql volatile security definer set search_path = public, pg_temp
as $$
declare
    removed bigint;
begin
    perform set_config('app.retention_cutoff', cutoff::text, true);
    -- a job's events are written up to the moment it ends, so those of a job that ended before the cutoff are older
    -- than it (an event stamped after the cutoff, within the same instant, waits for the next run)
    delete from finetune_job_events e using finetune_jobs j
    where e.job_id = j.id and j.finished_at is not null and j.finished_at < cutoff
      and j.status in ('succeeded', 'failed', 'cancelled');
    get diagnostics removed = row_count;
    perform set_config('app.retention_cutoff', '', true);
    return removed;
end
$$;

-- Files due for deletion, oldest first, at most max_files: their ids and blob keys. The caller deletes the blobs, then
-- the rows with purge_finetune_files, so a crash in between leaves a row whose blob is gone, never the other way.
create function expired_finetune_files(cutoff timestamptz, max_files int)
    returns table (id text, blob_key text)
    language plpgsql volatile security definer set search_path = public, pg_temp
as $$
begin
    perform set_config('app.retention_cutoff', cutoff::text, true);
    return query
        select f.id, f.blob_key from finetune_files f
        where f.created_at < cutoff
          and not exists (select 1 from finetune_jobs j
                          where j.tenant_id = f.tenant_id and (j.training_file = f.id or j.validation_file = f.id)
                            and j.status in ('validating_files', 'queued', 'running'))
        order by f.created_at
        limit max_files;
    perform set_config('app.retention_cutoff', '', true);
end
$$;

create function purge_finetune_files(ids text[], cutoff timestamptz)
    returns bigint
    language plpgsql volatile security definer set search_path = public, pg_temp
as $$
declare
    removed bigint;
begin
    perform set_config('app.retention_cutoff', cutoff::text, true);
    delete from finetune_files where id = any(ids) and created_at < cutoff;
    get diagnostics removed = row_count;
    perform set_config('app.retention_cutoff', '', true);
    return removed;
end
$$;

revoke all on function purge_finetune_job_events(timestamptz) from public;
revoke all on function expired_finetune_files(timestamptz, int) from public;
revoke all on function purge_finetune_files(text[], timestamptz) from public;
grant execute on function purge_finetune_job_events(timestamptz) to ${app_role};
grant execute on function expired_finetune_files(timestamptz, int) to ${app_role};
grant execute on function purge_finetune_files(text[], timestamptz) to ${app_role};

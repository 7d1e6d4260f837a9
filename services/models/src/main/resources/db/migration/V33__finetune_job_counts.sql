-- Fine-tuning jobs by status, for the models service's metrics (meridian_finetune_jobs{status}). Counting spans
-- tenants, which the app role's forced row-level security forbids; this function runs as the owner (the role
-- migrating now), whose own policy below lets it count every job, and it returns nothing but one count per status.
create policy finetune_jobs_status_count on finetune_jobs for select to current_user using (true);
create function finetune_job_counts()
    returns table (status text, jobs bigint)
    language sql stable security definer set search_path = public, pg_temp
as $$
    select j.status, count(*) from finetune_jobs j group by j.status
$$;
revoke all on function finetune_job_counts() from public;
grant execute on function finetune_job_counts() to ${app_role};

-- Files and fine-tune jobs (issue #4). Migrated by the owner role; the service connects as ${app_role}, which owns
-- nothing, so the forced row-level security below always applies to it. Migrations V20-V39 belong to fine-tuning.

create table finetune_files (
    id         text primary key,
    tenant_id  uuid        not null,
    filename   text        not null,
    purpose    text        not null,
    bytes      bigint      not null,
    lines      integer     not null,
    sha256     text        not null,
    blob_key   text        not null,
    created_at timestamptz not null,
    seq        bigint generated always as identity
);
create index finetune_files_tenant on finetune_files (tenant_id, seq);

create table finetune_jobs (
    id                       text primary key,
    tenant_id                uuid             not null,
    base_model               text             not null,
    training_file            text             not null,
    validation_file          text,
    suffix                   text,
    seed                     bigint           not null,
    -- as asked ("auto" or a number, as JSON), and as resolved once the files were read
    requested_hyperparameters jsonb           not null,
    n_epochs                 integer,
    batch_size               integer,
    learning_rate_multiplier double precision,
    metadata                 jsonb,
    labels                   jsonb,
    training_examples        integer,
    status                   text             not null check (status in
                                 ('validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled')),
    error_code               text,
    error_message            text,
    error_param              text,
    fine_tuned_model         text,
    trained_tokens           bigint,
    result_blob_key          text,
    result_sha256            text,
    result_bytes             bigint,
    created_at               timestamptz      not null,
    started_at               timestamptz,
    finished_at              timestamptz,
    seq                      bigint generated always as identity
);
create index finetune_jobs_tenant on finetune_jobs (tenant_id, seq desc);
create index finetune_jobs_training_file on finetune_jobs (tenant_id, training_file);

-- The job's event log as OpenAI shows it. Worker events keep their own id, which makes applying them idempotent.
create table finetune_job_events (
    id         uuid primary key,
    tenant_id  uuid        not null,
    job_id     text        not null references finetune_jobs (id) on delete cascade,
    level      text        not null,
    type       text        not null,
    message    text        not null,
    data       jsonb,
    created_at timestamptz not null,
    seq        bigint generated always as identity
);
create index finetune_job_events_job on finetune_job_events (tenant_id, job_id, seq desc);

create table finetune_checkpoints (
    id                          text primary key,
    tenant_id                   uuid        not null,
    job_id                      text        not null references finetune_jobs (id) on delete cascade,
    step_number                 integer     not null,
    metrics                     jsonb       not null,
    blob_key                    text        not null,
    fine_tuned_model_checkpoint text        not null,
    created_at                  timestamptz not null,
    seq                         bigint generated always as identity,
    constraint finetune_checkpoints_step unique (tenant_id, job_id, step_number)
);

-- Transactional outbox of fine-tuning (jobs to run, cancellations): ids and blob keys only, never content.
create table finetune_outbox (
    id           uuid primary key,
    topic        text        not null,
    message_key  text        not null,
    payload      jsonb       not null,
    created_at   timestamptz not null,
    published_at timestamptz,
    seq          bigint generated always as identity
);
create index finetune_outbox_unpublished on finetune_outbox (seq) where published_at is null;

alter table finetune_files enable row level security;
alter table finetune_files force row level security;
alter table finetune_jobs enable row level security;
alter table finetune_jobs force row level security;
alter table finetune_job_events enable row level security;
alter table finetune_job_events force row level security;
alter table finetune_checkpoints enable row level security;
alter table finetune_checkpoints force row level security;

create policy finetune_files_isolation on finetune_files
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy finetune_jobs_isolation on finetune_jobs
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy finetune_job_events_isolation on finetune_job_events
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy finetune_checkpoints_isolation on finetune_checkpoints
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

grant select, insert, update, delete on finetune_files, finetune_jobs, finetune_job_events, finetune_checkpoints,
    finetune_outbox to ${app_role};

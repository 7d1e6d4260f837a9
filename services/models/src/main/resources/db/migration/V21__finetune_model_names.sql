-- A fine-tuning job registers its model as ft:<base>:<suffix>:<job-id> (OpenAI's naming); the registry's name rule
-- admits that form beside the names tenants choose (ModelRegistry.NAME says the same).
alter table tenant_models drop constraint tenant_models_name_check;
alter table tenant_models add constraint tenant_models_name_check check (
    name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'
    or name ~ '^ft:[a-z0-9][a-z0-9._-]{0,63}:[a-z0-9._-]{0,40}:ftjob-[a-z0-9]{1,40}$');

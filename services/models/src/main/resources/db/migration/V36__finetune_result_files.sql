-- Result files of fine-tuning jobs (issue #17): a succeeded job's per-epoch metrics (CSV) and evaluation report
-- (JSON), written by the worker and registered as the tenant's files of purpose 'fine-tune-results'. The job lists
-- their ids, in order, as OpenAI's result_files; a job without any has null.
alter table finetune_jobs add column result_files jsonb;

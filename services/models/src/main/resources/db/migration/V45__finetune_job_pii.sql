-- Fine-tuning jobs created with "pii": "redact" (issue #17): the worker replaces the personal data in every example
-- before it is embedded, trained on or written. Null for jobs that use their examples as uploaded.
alter table finetune_jobs add column pii text;
alter table finetune_jobs add constraint finetune_jobs_pii_mode check (pii is null or pii = 'redact');

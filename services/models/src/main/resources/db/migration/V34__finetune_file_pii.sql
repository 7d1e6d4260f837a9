-- Files uploaded with "pii": "redact" (issue #17): the mode asked for, and how many values of each kind of personal
-- data were replaced before the file was stored ({"email": 3, "phone": 1}). Null for files stored as sent.
alter table finetune_files add column pii text, add column pii_redactions jsonb;
alter table finetune_files add constraint finetune_files_pii_mode check (pii is null or pii = 'redact');

-- Credit notes are documents with numbers of their own, like invoices (MER-CN-<yyyymm>-<seq>); those issued before
-- keep none and are named by their id.
create sequence credit_note_number_seq;
grant usage on sequence credit_note_number_seq to ${app_role};
alter table wallet_entries add column number text unique;

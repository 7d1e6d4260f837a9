-- The relay publishes in the order changes were written. created_at alone cannot say that for two messages of one
-- transaction written in the same microsecond (a rotation's "created" and "revoked"), so each row gets a number.
alter table outbox add column seq bigint generated always as identity;
drop index outbox_unpublished;
create index outbox_unpublished on outbox (seq) where published_at is null;

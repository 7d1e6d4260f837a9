-- Published outbox rows are purged once older than the retention (meridian.billing.outbox.retention), so the app role
-- may now delete them. The outbox has no row-level security: it holds ids and figures for every tenant and is drained
-- and purged by the service for all of them.
grant delete on outbox to ${app_role};

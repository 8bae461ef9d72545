ALTER TABLE outbox DROP COLUMN failed_at;
ALTER TABLE users DROP COLUMN sessions_since;

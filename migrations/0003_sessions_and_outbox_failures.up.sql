-- A password change ends the user's sessions opened before it.
ALTER TABLE users ADD COLUMN sessions_since {{ts}};

-- An outbox message whose task failed for good (its retries spent) is
-- marked, shown in the console, and no longer re-enqueued.
ALTER TABLE outbox ADD COLUMN failed_at {{ts}};

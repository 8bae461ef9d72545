ALTER TABLE dial_queue DROP COLUMN owner_id;
DROP INDEX calls_requested;
ALTER TABLE calls DROP COLUMN hangup_requested_at;
ALTER TABLE calls DROP COLUMN dial_requested_at;

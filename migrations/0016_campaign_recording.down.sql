ALTER TABLE campaigns DROP COLUMN record_calls;

-- The replay of an idempotent request answers its Location too (the
-- address of the import an upload started).
ALTER TABLE idempotency_keys ADD COLUMN location TEXT NOT NULL DEFAULT '';

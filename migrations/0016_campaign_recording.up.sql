-- Whether a campaign records its calls (the bridged audio, the callee told
-- at call start). The client sets it on the request, and may turn it on or
-- off until the campaign ends: the engine reads it for the next calls.
ALTER TABLE campaigns ADD COLUMN record_calls BOOLEAN NOT NULL DEFAULT FALSE;

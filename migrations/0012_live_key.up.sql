{{if .PG}}
-- A use case acting with an API key checks, in the statement that begins its
-- transaction, that the key is still live: a revocation made by any process
-- (the CLI, SQL) stops the key at once, whatever the servers' caches of
-- resolved keys hold. It runs as the caller, row-level security on: a key of
-- another org is not found either.
CREATE FUNCTION plateau_live_key(key UUID) RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM api_keys WHERE id = key AND org_id = {{orgSetting}} AND revoked_at IS NULL) THEN
    RAISE EXCEPTION 'the API key is unknown or revoked' USING ERRCODE = 'PK401';
  END IF;
END $$;
{{end}}

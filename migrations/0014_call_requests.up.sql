-- What an agent or a supervisor asked of a call in progress, for the
-- campaign's pacer to do: dial a preview lead the agent read, hang up. The
-- pacer may run in another process than the one that took the request, so
-- the request is kept with the call, and the pacer reads the open ones on
-- each tick.
ALTER TABLE calls ADD COLUMN dial_requested_at {{ts}};
ALTER TABLE calls ADD COLUMN hangup_requested_at {{ts}};
CREATE INDEX calls_requested ON calls (campaign_id)
  WHERE ended_at IS NULL AND (dial_requested_at IS NOT NULL OR hangup_requested_at IS NOT NULL);

-- A callback its agent owns is queued with its owner, who alone takes it
-- until dispatch.OwnerGrace after its time; then the team does.
ALTER TABLE dial_queue ADD COLUMN owner_id {{uuid}};

-- Campaign execution: the queue of claimable work, the calls placed, the
-- callbacks promised, the agents' presence, and the one pacer per campaign.

-- dial_queue holds only work that may be claimed: a lead of a running
-- campaign, assigned to one of its contracts, due from due_at. Band orders
-- the work (0 a due callback, 1 a fresh lead, 2 a retry). A claim sets
-- holder (the call it opened) and lease_until; the holder's end deletes the
-- row (the lead is done) or puts it back with a later due_at. A lead the
-- rules do not allow now is put back at its next allowed time, so claims
-- never scan it again before then. Finished leads leave the table: it
-- shrinks as the campaign drains, and claims stay flat.
CREATE TABLE dial_queue (
  campaign_id  {{uuid}} NOT NULL,
  lead_id      {{uuid}} NOT NULL,
  org_id       {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  center_id    {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  contract_id  {{uuid}} NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
  band         SMALLINT NOT NULL,
  due_at       {{ts}} NOT NULL,
  holder       {{uuid}},
  lease_until  {{ts}},
  PRIMARY KEY (campaign_id, lead_id),
  FOREIGN KEY (campaign_id, lead_id) REFERENCES leads (campaign_id, id) ON DELETE CASCADE
);
CREATE INDEX dial_queue_claimable ON dial_queue (contract_id, band, due_at) WHERE holder IS NULL;
CREATE INDEX dial_queue_leases ON dial_queue (lease_until) WHERE holder IS NOT NULL;

-- One call attempt. org_id is the client's, center_id the center's that
-- dialled it; both read it. Attempts count per client across all its
-- centers from these rows (calls_attempts).
CREATE TABLE calls (
  id                  {{uuid}} PRIMARY KEY,
  org_id              {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  center_id           {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  campaign_id         {{uuid}} NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  contract_id         {{uuid}} REFERENCES contracts (id) ON DELETE SET NULL,
  lead_id             {{uuid}} NOT NULL,
  agent_id            {{uuid}},
  mode                TEXT NOT NULL,
  phone               TEXT NOT NULL,
  country             TEXT NOT NULL,
  timezone            TEXT NOT NULL,
  audience            TEXT NOT NULL,
  kind                TEXT NOT NULL,
  rule_set            TEXT NOT NULL,
  decision_id         {{uuid}} NOT NULL,
  caller_id           TEXT NOT NULL DEFAULT '',
  claimed_at          {{ts}} NOT NULL,
  dialed_at           {{ts}},
  ringing_at          {{ts}},
  answered_at         {{ts}},
  bridged_at          {{ts}},
  ended_at            {{ts}},
  result              TEXT NOT NULL DEFAULT '',
  cause               TEXT NOT NULL DEFAULT '',
  talk_seconds        INTEGER NOT NULL DEFAULT 0,
  disposition         TEXT NOT NULL DEFAULT '',
  disposition_fields  {{json}},
  script_version      INTEGER NOT NULL DEFAULT 0,
  script_path         {{json}},
  notes               TEXT NOT NULL DEFAULT '',
  recording           TEXT NOT NULL DEFAULT '',
  external_id         TEXT
);
CREATE INDEX calls_attempts ON calls (org_id, phone, claimed_at);
CREATE INDEX calls_campaign ON calls (campaign_id, claimed_at, id);
CREATE INDEX calls_lead ON calls (lead_id, claimed_at);
CREATE INDEX calls_open ON calls (center_id, claimed_at) WHERE ended_at IS NULL;
CREATE UNIQUE INDEX calls_external ON calls (center_id, external_id) WHERE external_id IS NOT NULL;

-- A callback promised to a callee, due at a time set in the callee's zone
-- (kept as the instant, with the zone it was set in). owner_id is the agent
-- who owns it; NULL: the center's team on the campaign.
CREATE TABLE callbacks (
  id          {{uuid}} PRIMARY KEY,
  org_id      {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  center_id   {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  campaign_id {{uuid}} NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  lead_id     {{uuid}} NOT NULL,
  call_id     {{uuid}} REFERENCES calls (id) ON DELETE SET NULL,
  owner_id    {{uuid}},
  due_at      {{ts}} NOT NULL,
  timezone    TEXT NOT NULL,
  status      TEXT NOT NULL,
  created_at  {{ts}} NOT NULL
);
CREATE INDEX callbacks_lead ON callbacks (lead_id, due_at);
CREATE INDEX callbacks_center ON callbacks (center_id, status, due_at);

-- An agent's presence now, and each change of it: the ground for occupancy
-- and for per-hour pricing.
CREATE TABLE agent_presence (
  center_id    {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  user_id      {{uuid}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  state        TEXT NOT NULL,
  reason       TEXT NOT NULL DEFAULT '',
  campaign_id  {{uuid}},
  call_id      {{uuid}},
  since        {{ts}} NOT NULL,
  PRIMARY KEY (center_id, user_id)
);
CREATE TABLE presence_log (
  id           {{uuid}} PRIMARY KEY,
  center_id    {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  user_id      {{uuid}} NOT NULL,
  state        TEXT NOT NULL,
  reason       TEXT NOT NULL DEFAULT '',
  campaign_id  {{uuid}},
  at           {{ts}} NOT NULL
);
CREATE INDEX presence_log_user ON presence_log (center_id, user_id, at);

-- Which agents work which campaigns of their center's active contracts.
CREATE TABLE agent_assignments (
  center_id    {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  user_id      {{uuid}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  campaign_id  {{uuid}} NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  assigned_at  {{ts}} NOT NULL,
  PRIMARY KEY (center_id, user_id, campaign_id)
);

-- One pacer per running campaign across every process: the holder renews
-- its lease each tick; another process takes over once it lapses. The
-- pacer acts for the campaign's client (org_id).
CREATE TABLE pacer_leases (
  campaign_id  {{uuid}} PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
  org_id       {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  holder       TEXT NOT NULL,
  lease_until  {{ts}} NOT NULL
);

{{if .PG}}
-- Queue rows, calls and callbacks are the client's and the center's that
-- works them: both read and write them, nobody else.
{{range $t := (list "dial_queue" "calls" "callbacks")}}
ALTER TABLE {{$t}} ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{$t}}
  USING ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "center_id"}})
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "center_id"}});
GRANT SELECT, INSERT, UPDATE, DELETE ON {{$t}} TO plateau_app;
{{end}}
{{end}}
{{tenant "agent_presence" "center_id"}}
{{tenant "presence_log" "center_id"}}
{{tenant "agent_assignments" "center_id"}}
{{tenant "pacer_leases" "org_id"}}

-- The last lead (ids are time-ordered) the campaign's queue took in: the
-- pacer queues the ready leads after it, the new ones of a running campaign
-- included, without reading the others again.
ALTER TABLE campaigns ADD COLUMN queued_through {{uuid}};

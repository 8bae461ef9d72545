-- A center's SIP trunks: where the engine places the center's calls, how
-- it authenticates there and how fast it may dial. The digest password is
-- sealed with the deployment's secret key (pkg/secret.Box, bound to the
-- trunk's id): the database never holds it in clear, and no read of the
-- center's gives it back. A removed trunk keeps its row for the audit
-- trail, without its password.
CREATE TABLE sip_trunks (
  id                {{uuid}} PRIMARY KEY,
  org_id            {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  name              TEXT NOT NULL,
  host              TEXT NOT NULL,
  port              INTEGER NOT NULL DEFAULT 0,
  transport         TEXT NOT NULL,
  username          TEXT NOT NULL DEFAULT '',
  password          {{bytes}},
  caller_ids        {{json}} NOT NULL,
  max_concurrent    INTEGER NOT NULL,
  calls_per_second  DOUBLE PRECISION NOT NULL,
  codec             TEXT NOT NULL DEFAULT '',
  created_at        {{ts}} NOT NULL,
  removed_at        {{ts}}
);
CREATE UNIQUE INDEX sip_trunks_name ON sip_trunks (org_id, name) WHERE removed_at IS NULL;
{{tenant "sip_trunks" "org_id"}}

-- Why a campaign's pacer places no call for now (every trunk of a center
-- refused its last call): until when, and the reason as a coded message
-- ({"code", "message", "args"}) that a supervisor reads in their language.
ALTER TABLE pacer_leases ADD COLUMN held_until {{ts}};
ALTER TABLE pacer_leases ADD COLUMN held_reason {{json}};

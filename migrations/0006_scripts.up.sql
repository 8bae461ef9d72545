-- A campaign's call script, in versions. A version belongs to the
-- campaign's client (org_id); a center reads it through an active contract
-- on the campaign. A version a call used (used_at set) is never rewritten:
-- an edit then makes the next version.
CREATE TABLE script_versions (
  id           {{uuid}} PRIMARY KEY,
  org_id       {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  campaign_id  {{uuid}} NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  version      INTEGER NOT NULL,
  body         {{json}} NOT NULL,
  hash         TEXT NOT NULL,
  created_at   {{ts}} NOT NULL,
  created_by   TEXT NOT NULL DEFAULT '',
  used_at      {{ts}},
  UNIQUE (campaign_id, version)
);

{{if .PG}}
ALTER TABLE script_versions ENABLE ROW LEVEL SECURITY;
-- Reading: the client's own versions, and a contracted center's.
CREATE POLICY tenant_read ON script_versions FOR SELECT
  USING ({{system}} OR {{orgMatch "org_id"}}
    OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = script_versions.campaign_id AND {{orgMatch "c.center_id"}} AND c.status = 'active'));
-- Writing: the client alone (a center marks a version used as the system).
CREATE POLICY tenant_write ON script_versions
  USING ({{system}} OR {{orgMatch "org_id"}})
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}});
GRANT SELECT, INSERT, UPDATE, DELETE ON script_versions TO plateau_app;
{{end}}

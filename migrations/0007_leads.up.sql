-- A campaign's leads belong to its client (org_id); a center reads them
-- through an active contract on the campaign. A number is a lead of a
-- campaign once. A blocked lead keeps its compliance decision in block.
-- One foreign key holds a lead to its campaign and to the campaign's org:
-- a lead can never sit in another org's campaign, and every imported row
-- costs one lookup, not two (each is a third of a bulk load, measured).
CREATE UNIQUE INDEX campaigns_id_org ON campaigns (id, org_id);
CREATE TABLE leads (
  id                   {{uuid}} NOT NULL,
  org_id               {{uuid}} NOT NULL,
  campaign_id          {{uuid}} NOT NULL,
  phone                TEXT NOT NULL,
  region               TEXT NOT NULL,
  first_name           TEXT NOT NULL DEFAULT '',
  last_name            TEXT NOT NULL DEFAULT '',
  company              TEXT NOT NULL DEFAULT '',
  email                TEXT NOT NULL DEFAULT '',
  postal_code          TEXT NOT NULL DEFAULT '',
  city                 TEXT NOT NULL DEFAULT '',
  country              TEXT NOT NULL DEFAULT '',
  timezone             TEXT NOT NULL DEFAULT '',
  custom               {{json}},
  consent_source       TEXT NOT NULL DEFAULT '',
  consent_captured_at  {{ts}},
  consent_proof        TEXT NOT NULL DEFAULT '',
  status               TEXT NOT NULL,
  block_reason         TEXT NOT NULL DEFAULT '',
  block                {{json}},
  import_id            {{uuid}},
  line                 INTEGER NOT NULL DEFAULT 0,
  created_at           {{ts}} NOT NULL,
  updated_at           {{ts}} NOT NULL,
  PRIMARY KEY (campaign_id, id),
  UNIQUE (campaign_id, phone),
  FOREIGN KEY (campaign_id, org_id) REFERENCES campaigns (id, org_id) ON DELETE CASCADE
);
-- Few indexes, since each one slows every import: the key lists a
-- campaign's leads newest first; most leads are ready, so only the others
-- are indexed by status, and only blocked ones by reason. (Dispatch will
-- claim from its own structure of claimable work, not from these.)
CREATE INDEX leads_campaign_status ON leads (campaign_id, status, id) WHERE status <> 'ready';
CREATE INDEX leads_campaign_block ON leads (campaign_id, block_reason, id) WHERE block_reason <> '';

-- An import of a lead file, from upload to summary. The file and the error
-- report are kept in chunks (kind 'file' or 'report').
CREATE TABLE lead_imports (
  id           {{uuid}} PRIMARY KEY,
  org_id       {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  campaign_id  {{uuid}} NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  file_name    TEXT NOT NULL,
  size         BIGINT NOT NULL,
  status       TEXT NOT NULL,
  mapping      {{json}},
  encoding     TEXT NOT NULL DEFAULT '',
  delimiter    TEXT NOT NULL DEFAULT '',
  bytes_read   BIGINT NOT NULL DEFAULT 0,
  summary      {{json}},
  error        TEXT NOT NULL DEFAULT '',
  created_by   TEXT NOT NULL DEFAULT '',
  created_at   {{ts}} NOT NULL,
  started_at   {{ts}},
  finished_at  {{ts}}
);
CREATE INDEX lead_imports_campaign ON lead_imports (campaign_id, id);

CREATE TABLE lead_import_chunks (
  import_id  {{uuid}} NOT NULL REFERENCES lead_imports (id) ON DELETE CASCADE,
  org_id     {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  data       {{bytes}} NOT NULL,
  PRIMARY KEY (import_id, kind, seq)
);

-- The column mapping a client last confirmed, applied to its next files.
CREATE TABLE lead_mappings (
  org_id      {{uuid}} PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  mapping     {{json}} NOT NULL,
  updated_at  {{ts}} NOT NULL
);

{{if .PG}}
ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON leads FOR SELECT
  USING ({{system}} OR {{orgMatch "org_id"}}
    OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = leads.campaign_id AND {{orgMatch "c.center_id"}} AND c.status = 'active'));
CREATE POLICY tenant_write ON leads
  USING ({{system}} OR {{orgMatch "org_id"}})
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}});
GRANT SELECT, INSERT, UPDATE, DELETE ON leads TO plateau_app;
{{end}}
{{tenant "lead_imports" "org_id"}}
{{tenant "lead_import_chunks" "org_id"}}
{{tenant "lead_mappings" "org_id"}}

-- Consent registry: per (client, phone), the callee's consent to be called.
CREATE TABLE consents (
  id            {{uuid}} PRIMARY KEY,
  org_id        {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  phone         TEXT NOT NULL,
  source        TEXT NOT NULL,
  captured_at   {{ts}} NOT NULL,
  proof_ref     TEXT NOT NULL DEFAULT '',
  kinds         TEXT NOT NULL DEFAULT '',
  withdrawn_at  {{ts}},
  created_at    {{ts}} NOT NULL
);
CREATE INDEX consents_phone ON consents (org_id, phone);
{{tenant "consents" "org_id"}}

-- Suppression entries: a client's own opt-outs (list 'client'), and the
-- platform-wide list (list 'platform', owned by the platform org).
CREATE TABLE suppression_entries (
  id          {{uuid}} PRIMARY KEY,
  org_id      {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  list        TEXT NOT NULL CHECK (list IN ('client', 'platform')),
  phone       TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  source      TEXT NOT NULL DEFAULT '',
  created_at  {{ts}} NOT NULL,
  UNIQUE (org_id, phone)
);
CREATE INDEX suppression_entries_phone ON suppression_entries (phone);
{{tenant "suppression_entries" "org_id"}}

-- National do-not-call lists, uploaded by the platform admin: the numbers
-- are held as one compact snapshot (pkg/numberset) per upload.
CREATE TABLE national_lists (
  id           {{uuid}} PRIMARY KEY,
  org_id       {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  code         TEXT NOT NULL,
  fresh_at     {{ts}} NOT NULL,
  numbers      BIGINT NOT NULL,
  snapshot     {{bytes}} NOT NULL,
  file_name    TEXT NOT NULL DEFAULT '',
  uploaded_at  {{ts}} NOT NULL
);
CREATE INDEX national_lists_code ON national_lists (code, uploaded_at);
{{tenant "national_lists" "org_id"}}

-- Evidence: every decision that mattered, with its reason and rule set.
CREATE TABLE compliance_decisions (
  id               {{uuid}} PRIMARY KEY,
  org_id           {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  campaign_id      {{uuid}},
  lead_id          {{uuid}},
  phone            TEXT NOT NULL,
  purpose          TEXT NOT NULL,
  allowed          BOOLEAN NOT NULL,
  reason           TEXT NOT NULL,
  rule             TEXT NOT NULL DEFAULT '',
  source           TEXT NOT NULL DEFAULT '',
  rule_set         TEXT NOT NULL,
  next_allowed_at  {{ts}},
  explanation_fr   TEXT NOT NULL DEFAULT '',
  explanation_en   TEXT NOT NULL DEFAULT '',
  decided_at       {{ts}} NOT NULL
);
CREATE INDEX compliance_decisions_campaign ON compliance_decisions (org_id, campaign_id, reason);
CREATE INDEX compliance_decisions_lead ON compliance_decisions (org_id, lead_id, decided_at);
{{tenant "compliance_decisions" "org_id"}}

-- A center's data-protection profile: what contract activation checks
-- before EU personal data may reach it.
CREATE TABLE center_profiles (
  org_id                {{uuid}} PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  country               TEXT NOT NULL,
  scc_signed_at         {{ts}},
  scc_module            TEXT NOT NULL DEFAULT '',
  tia_on_file           BOOLEAN NOT NULL DEFAULT FALSE,
  authority             TEXT NOT NULL DEFAULT '',
  authority_ref         TEXT NOT NULL DEFAULT '',
  authority_expires_at  {{ts}},
  documents             TEXT NOT NULL DEFAULT '',
  verified_at           {{ts}},
  verified_by           TEXT NOT NULL DEFAULT '',
  updated_at            {{ts}} NOT NULL
);
{{tenant "center_profiles" "org_id"}}

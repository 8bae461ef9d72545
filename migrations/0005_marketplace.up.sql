-- Campaigns belong to a client. A center sees a campaign while it is an
-- open request on the marketplace, or through an active contract.
CREATE TABLE campaigns (
  id              {{uuid}} PRIMARY KEY,
  org_id          {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL,
  audience        TEXT NOT NULL,
  country         TEXT NOT NULL,
  languages       TEXT NOT NULL,
  starts_on       {{ts}},
  ends_on         {{ts}},
  target_outcome  TEXT NOT NULL DEFAULT '',
  volume          INTEGER NOT NULL DEFAULT 0,
  budget_cap      BIGINT NOT NULL DEFAULT 0,
  currency        TEXT NOT NULL,
  dialing_mode    TEXT NOT NULL,
  retention_days  INTEGER NOT NULL,
  status          TEXT NOT NULL,
  created_at      {{ts}} NOT NULL,
  updated_at      {{ts}} NOT NULL
);
CREATE INDEX campaigns_org ON campaigns (org_id, id);
CREATE INDEX campaigns_status ON campaigns (status, id);

-- Offers belong to the center that made them; the client of the campaign
-- reads them.
CREATE TABLE offers (
  id           {{uuid}} PRIMARY KEY,
  org_id       {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  campaign_id  {{uuid}} NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  client_id    {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  rate_card    {{json}} NOT NULL,
  seats        INTEGER NOT NULL,
  hours        TEXT NOT NULL DEFAULT '',
  languages    TEXT NOT NULL,
  starts_on    {{ts}} NOT NULL,
  message      TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL,
  created_at   {{ts}} NOT NULL,
  UNIQUE (campaign_id, org_id)
);
CREATE INDEX offers_campaign ON offers (campaign_id, id);

-- Contracts belong to the client (org_id) and are shared with the center.
CREATE TABLE contracts (
  id            {{uuid}} PRIMARY KEY,
  org_id        {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  center_id     {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  campaign_id   {{uuid}} NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  offer_id      {{uuid}} NOT NULL UNIQUE REFERENCES offers (id) ON DELETE CASCADE,
  rate_card     {{json}} NOT NULL,
  seats         INTEGER NOT NULL,
  status        TEXT NOT NULL,
  accepted_at   {{ts}} NOT NULL,
  confirmed_at  {{ts}}
);
CREATE INDEX contracts_center ON contracts (center_id, status);
CREATE INDEX contracts_campaign ON contracts (campaign_id);

{{if .PG}}
ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaigns
  USING ({{system}} OR {{orgMatch "org_id"}}
    OR (status = 'open' AND EXISTS (SELECT 1 FROM orgs o WHERE {{orgMatch "o.id"}} AND o.kind = 'center'))
    OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = campaigns.id AND {{orgMatch "c.center_id"}} AND c.status = 'active'))
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}});
GRANT SELECT, INSERT, UPDATE, DELETE ON campaigns TO plateau_app;

ALTER TABLE offers ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON offers
  USING ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "client_id"}})
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "client_id"}});
GRANT SELECT, INSERT, UPDATE, DELETE ON offers TO plateau_app;

ALTER TABLE contracts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contracts
  USING ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "center_id"}})
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "center_id"}});
GRANT SELECT, INSERT, UPDATE, DELETE ON contracts TO plateau_app;
{{end}}

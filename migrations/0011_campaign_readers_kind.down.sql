{{if .PG}}
ALTER POLICY readers ON campaigns
  USING ({{system}} OR {{orgMatch "org_id"}}
    OR (status = 'open' AND EXISTS (SELECT 1 FROM orgs o WHERE {{orgMatch "o.id"}} AND o.kind = 'center'))
    OR EXISTS (SELECT 1 FROM offers f WHERE f.campaign_id = campaigns.id AND {{orgMatch "f.org_id"}})
    OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = campaigns.id AND {{orgMatch "c.center_id"}} AND c.status = 'active'));
DROP FUNCTION plateau_org_kind();
{{end}}

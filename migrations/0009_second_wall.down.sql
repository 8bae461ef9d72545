{{if .PG}}
DROP POLICY platform_list_read ON suppression_entries;
DROP POLICY center_writes_client_trail ON audit_events;

DROP TRIGGER center_marks_used_only ON script_versions;
DROP FUNCTION plateau_center_marks_used_only();
DROP POLICY center_marks_used ON script_versions;
DROP POLICY client_writes ON script_versions;
CREATE POLICY tenant_write ON script_versions
  USING ({{system}} OR {{orgMatch "org_id"}})
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}});

DROP TRIGGER contract_moves_only ON contracts;
DROP FUNCTION plateau_contract_moves_only();
DROP POLICY both_sides_read ON contracts;
DROP POLICY client_makes ON contracts;
DROP POLICY both_sides_update ON contracts;
CREATE POLICY tenant_isolation ON contracts
  USING ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "center_id"}})
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "center_id"}});

DROP TRIGGER center_moves_only ON campaigns;
DROP FUNCTION plateau_center_moves_only();
DROP POLICY readers ON campaigns;
DROP POLICY client_inserts ON campaigns;
DROP POLICY client_deletes ON campaigns;
DROP POLICY updaters ON campaigns;
CREATE POLICY tenant_isolation ON campaigns
  USING ({{system}} OR {{orgMatch "org_id"}}
    OR (status = 'open' AND EXISTS (SELECT 1 FROM orgs o WHERE {{orgMatch "o.id"}} AND o.kind = 'center'))
    OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = campaigns.id AND {{orgMatch "c.center_id"}} AND c.status = 'active'))
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}});

DROP POLICY counterparts ON orgs;
DROP POLICY own_org ON orgs;
CREATE POLICY tenant_isolation ON orgs USING ({{system}} OR {{orgMatch "id"}}) WITH CHECK ({{system}} OR {{orgMatch "id"}});

DROP POLICY only_system_deletes ON users;
DROP POLICY member_of_org ON users;
CREATE POLICY tenant_isolation ON users
  USING ({{system}} OR EXISTS (
    SELECT 1 FROM memberships m WHERE m.user_id = users.id AND {{orgMatch "m.org_id"}}))
  WITH CHECK (true);
ALTER TABLE memberships ALTER CONSTRAINT memberships_user_id_fkey NOT DEFERRABLE;
{{end}}

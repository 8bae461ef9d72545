{{if .PG}}
-- A center reads the open requests. The policy asked the orgs table whether
-- the acting org is a center, so every query on campaigns planned orgs' own
-- policies too (and, through them, subqueries on offers and contracts):
-- about a third of the planning of the API's campaign reads. The kind is now
-- read by a function that looks up the acting org's row alone, past orgs'
-- policies. It is not a setting: the application role cannot claim another
-- kind than its org's (a client that sets app.org_kind to 'center' reads no
-- open request), and it learns nothing of an org it is not set to.
CREATE FUNCTION plateau_org_kind() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT kind FROM public.orgs WHERE id = {{orgSetting}} $$;
REVOKE ALL ON FUNCTION plateau_org_kind() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plateau_org_kind() TO plateau_app, plateau_system;

-- (SELECT …) evaluates it once per query, and only when a row is open and
-- not the org's own.
ALTER POLICY readers ON campaigns
  USING ({{system}} OR {{orgMatch "org_id"}}
    OR (status = 'open' AND (SELECT plateau_org_kind()) = 'center')
    OR EXISTS (SELECT 1 FROM offers f WHERE f.campaign_id = campaigns.id AND {{orgMatch "f.org_id"}})
    OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = campaigns.id AND {{orgMatch "c.center_id"}} AND c.status = 'active'));
{{end}}

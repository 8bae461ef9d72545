{{if .PG}}
-- The second wall, tightened. Reading across orgs is the role plateau_system's
-- alone: a role the application role is not a member of, so it cannot SET ROLE
-- to it, and whose sessions the platform opens on a pool of their own for the
-- few lookups that must find a tenant before knowing it (signing in, an API
-- key, the outbox reconciler, the console). A setting the application could
-- set itself (app.system) no longer opens anything.
DO $$ BEGIN
  CREATE ROLE plateau_system NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
GRANT USAGE ON SCHEMA public TO plateau_system;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO plateau_system;

DO $$
DECLARE
  p record;
  old text := '(current_setting(''app.system''::text, true) = ''on''::text)';
  new text := '(CURRENT_USER = ''plateau_system''::name)';
BEGIN
  FOR p IN SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'public' LOOP
    IF p.qual IS NOT NULL AND position(old IN p.qual) > 0 THEN
      EXECUTE format('ALTER POLICY %I ON %I USING (%s)', p.policyname, p.tablename, replace(p.qual, old, new));
    END IF;
    IF p.with_check IS NOT NULL AND position(old IN p.with_check) > 0 THEN
      EXECUTE format('ALTER POLICY %I ON %I WITH CHECK (%s)', p.policyname, p.tablename, replace(p.with_check, old, new));
    END IF;
  END LOOP;
END $$;

-- users: a person is read and changed where one of their memberships is;
-- one is added by adding their membership first (the key is checked at
-- commit); only the system deletes a person (one left in no org).
ALTER TABLE memberships ALTER CONSTRAINT memberships_user_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
DROP POLICY tenant_isolation ON users;
CREATE POLICY member_of_org ON users
  USING ({{system}} OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND {{orgMatch "m.org_id"}}))
  WITH CHECK ({{system}} OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND {{orgMatch "m.org_id"}}));
CREATE POLICY only_system_deletes ON users AS RESTRICTIVE FOR DELETE USING ({{system}});

-- orgs: an org reads its own row, and the names of the orgs it deals with
-- through an offer or a contract.
DROP POLICY tenant_isolation ON orgs;
CREATE POLICY own_org ON orgs
  USING ({{system}} OR {{orgMatch "id"}})
  WITH CHECK ({{system}} OR {{orgMatch "id"}});
CREATE POLICY counterparts ON orgs FOR SELECT
  USING (EXISTS (SELECT 1 FROM offers f WHERE (f.org_id = orgs.id AND {{orgMatch "f.client_id"}}) OR (f.client_id = orgs.id AND {{orgMatch "f.org_id"}}))
    OR EXISTS (SELECT 1 FROM contracts c WHERE (c.center_id = orgs.id AND {{orgMatch "c.org_id"}}) OR (c.org_id = orgs.id AND {{orgMatch "c.center_id"}})));

-- campaigns: the client writes its own; a center reads the open requests,
-- those it answered, and those it holds an active contract for, and may
-- change only the status of a contracted one (the trigger below says which
-- moves).
DROP POLICY tenant_isolation ON campaigns;
CREATE POLICY readers ON campaigns FOR SELECT
  USING ({{system}} OR {{orgMatch "org_id"}}
    OR (status = 'open' AND EXISTS (SELECT 1 FROM orgs o WHERE {{orgMatch "o.id"}} AND o.kind = 'center'))
    OR EXISTS (SELECT 1 FROM offers f WHERE f.campaign_id = campaigns.id AND {{orgMatch "f.org_id"}})
    OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = campaigns.id AND {{orgMatch "c.center_id"}} AND c.status = 'active'));
CREATE POLICY client_inserts ON campaigns FOR INSERT WITH CHECK ({{system}} OR {{orgMatch "org_id"}});
CREATE POLICY client_deletes ON campaigns FOR DELETE USING ({{system}} OR {{orgMatch "org_id"}});
CREATE POLICY updaters ON campaigns FOR UPDATE
  USING ({{system}} OR {{orgMatch "org_id"}}
    OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = campaigns.id AND {{orgMatch "c.center_id"}} AND c.status = 'active'))
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}}
    OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = campaigns.id AND {{orgMatch "c.center_id"}} AND c.status = 'active'));

CREATE FUNCTION plateau_center_moves_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF CURRENT_USER = 'plateau_system' OR OLD.org_id = {{orgSetting}} THEN
    RETURN NEW;
  END IF;
  IF (to_jsonb(NEW) - 'status' - 'updated_at') <> (to_jsonb(OLD) - 'status' - 'updated_at') THEN
    RAISE EXCEPTION 'a center changes only the status of its client''s campaign' USING ERRCODE = '42501';
  END IF;
  IF (OLD.status, NEW.status) NOT IN (('open', 'contracted'), ('contracted', 'contracted'), ('contracted', 'running'),
      ('running', 'paused'), ('paused', 'running')) THEN
    RAISE EXCEPTION 'a center cannot move a campaign from % to %', OLD.status, NEW.status USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER center_moves_only BEFORE UPDATE ON campaigns FOR EACH ROW EXECUTE FUNCTION plateau_center_moves_only();

-- contracts: both sides read; the client makes a pending one and ends them;
-- the center confirms a pending one, and changes nothing else.
DROP POLICY tenant_isolation ON contracts;
CREATE POLICY both_sides_read ON contracts FOR SELECT
  USING ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "center_id"}});
CREATE POLICY client_makes ON contracts FOR INSERT
  WITH CHECK ({{system}} OR ({{orgMatch "org_id"}} AND status = 'pending'));
CREATE POLICY both_sides_update ON contracts FOR UPDATE
  USING ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "center_id"}})
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}} OR {{orgMatch "center_id"}});

CREATE FUNCTION plateau_contract_moves_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF CURRENT_USER = 'plateau_system' THEN
    RETURN NEW;
  END IF;
  IF (to_jsonb(NEW) - 'status' - 'confirmed_at') <> (to_jsonb(OLD) - 'status' - 'confirmed_at') THEN
    RAISE EXCEPTION 'a contract''s terms never change' USING ERRCODE = '42501';
  END IF;
  IF OLD.center_id = {{orgSetting}} AND OLD.status = 'pending' AND NEW.status = 'active' THEN
    RETURN NEW;
  END IF;
  IF OLD.org_id = {{orgSetting}} AND NEW.status = 'ended' AND NEW.confirmed_at IS NOT DISTINCT FROM OLD.confirmed_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'this side cannot move a contract from % to %', OLD.status, NEW.status USING ERRCODE = '42501';
END $$;
CREATE TRIGGER contract_moves_only BEFORE UPDATE ON contracts FOR EACH ROW EXECUTE FUNCTION plateau_contract_moves_only();

-- script_versions: a contracted center marks a version used (its dialer),
-- and changes nothing else.
DROP POLICY tenant_write ON script_versions;
CREATE POLICY client_writes ON script_versions
  USING ({{system}} OR {{orgMatch "org_id"}})
  WITH CHECK ({{system}} OR {{orgMatch "org_id"}});
CREATE POLICY center_marks_used ON script_versions FOR UPDATE
  USING (EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = script_versions.campaign_id AND {{orgMatch "c.center_id"}} AND c.status = 'active'))
  WITH CHECK (EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = script_versions.campaign_id AND {{orgMatch "c.center_id"}} AND c.status = 'active'));

CREATE FUNCTION plateau_center_marks_used_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF CURRENT_USER = 'plateau_system' OR OLD.org_id = {{orgSetting}} THEN
    RETURN NEW;
  END IF;
  IF OLD.used_at IS NOT NULL OR NEW.used_at IS NULL OR (to_jsonb(NEW) - 'used_at') <> (to_jsonb(OLD) - 'used_at') THEN
    RAISE EXCEPTION 'a center only marks a script version used' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER center_marks_used_only BEFORE UPDATE ON script_versions FOR EACH ROW EXECUTE FUNCTION plateau_center_marks_used_only();

-- audit_events: an org writes its own trail; a center also writes, into its
-- client's trail, what it did to a campaign it holds an active contract for.
CREATE POLICY center_writes_client_trail ON audit_events FOR INSERT
  WITH CHECK (object_type = 'campaign' AND EXISTS (SELECT 1 FROM contracts c
    WHERE c.campaign_id::text = audit_events.object_id AND c.org_id = audit_events.org_id
      AND {{orgMatch "c.center_id"}} AND c.status = 'active'));

-- suppression_entries: the platform's list is shared by every client: it
-- screens their calls.
CREATE POLICY platform_list_read ON suppression_entries FOR SELECT USING (list = 'platform');
{{end}}

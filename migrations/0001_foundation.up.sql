{{if .PG}}
DO $$ BEGIN
  CREATE ROLE plateau_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$ BEGIN
  CREATE ROLE plateau_system NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
GRANT USAGE ON SCHEMA public TO plateau_app, plateau_system;
{{end}}

CREATE TABLE orgs (
  id          {{uuid}} PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('client', 'center', 'platform')),
  name        TEXT NOT NULL,
  legal_name  TEXT NOT NULL,
  country     TEXT NOT NULL,
  timezone    TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at  {{ts}} NOT NULL
);
{{tenant "orgs" "id"}}

CREATE TABLE users (
  id             {{uuid}} PRIMARY KEY,
  email          TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  locale         TEXT NOT NULL DEFAULT '',
  status         TEXT NOT NULL CHECK (status IN ('active', 'invited', 'disabled')),
  password_hash  TEXT NOT NULL DEFAULT '',
  created_at     {{ts}} NOT NULL,
  updated_at     {{ts}} NOT NULL
);

CREATE TABLE memberships (
  org_id      {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  user_id     {{uuid}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role        TEXT NOT NULL,
  created_at  {{ts}} NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);
{{tenant "memberships" "org_id"}}

{{if .PG}}
-- A user row is visible where one of its memberships is.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
  USING ({{system}} OR EXISTS (
    SELECT 1 FROM memberships m WHERE m.user_id = users.id AND {{orgMatch "m.org_id"}}))
  WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON users TO plateau_app;
{{end}}

CREATE TABLE role_permissions (
  org_id      {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  role        TEXT NOT NULL,
  object      TEXT NOT NULL,
  action      TEXT NOT NULL,
  PRIMARY KEY (org_id, role, object, action)
);
{{tenant "role_permissions" "org_id"}}

CREATE TABLE api_keys (
  id            {{uuid}} PRIMARY KEY,
  org_id        {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  prefix        TEXT NOT NULL,
  hash          {{bytes}} NOT NULL UNIQUE,
  role          TEXT NOT NULL,
  created_at    {{ts}} NOT NULL,
  last_used_at  {{ts}},
  revoked_at    {{ts}}
);
CREATE INDEX api_keys_org ON api_keys (org_id, id);
{{tenant "api_keys" "org_id"}}

CREATE TABLE one_time_tokens (
  id          {{uuid}} PRIMARY KEY,
  org_id      {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  user_id     {{uuid}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose     TEXT NOT NULL CHECK (purpose IN ('password_reset', 'invitation')),
  hash        {{bytes}} NOT NULL UNIQUE,
  created_at  {{ts}} NOT NULL,
  expires_at  {{ts}} NOT NULL,
  used_at     {{ts}}
);
{{tenant "one_time_tokens" "org_id"}}

CREATE TABLE audit_events (
  id           {{uuid}} PRIMARY KEY,
  org_id       {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  actor_kind   TEXT NOT NULL,
  actor_id     {{uuid}},
  actor_label  TEXT NOT NULL,
  action       TEXT NOT NULL,
  object_type  TEXT NOT NULL,
  object_id    TEXT NOT NULL,
  ip           TEXT NOT NULL DEFAULT '',
  details      {{json}},
  created_at   {{ts}} NOT NULL
);
CREATE INDEX audit_events_org ON audit_events (org_id, id);
{{tenant "audit_events" "org_id"}}

CREATE TABLE outbox (
  id           {{uuid}} PRIMARY KEY,
  org_id       {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  task_type    TEXT NOT NULL,
  payload      {{bytes}} NOT NULL,
  created_at   {{ts}} NOT NULL,
  enqueued_at  {{ts}},
  done_at      {{ts}}
);
CREATE INDEX outbox_unfinished ON outbox (created_at) WHERE done_at IS NULL;
{{tenant "outbox" "org_id"}}

CREATE TABLE idempotency_keys (
  org_id         {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  key            TEXT NOT NULL,
  actor_id       TEXT NOT NULL,
  method         TEXT NOT NULL,
  path           TEXT NOT NULL,
  request_hash   {{bytes}} NOT NULL,
  status_code    INTEGER,
  content_type   TEXT NOT NULL DEFAULT '',
  response_body  {{bytes}},
  created_at     {{ts}} NOT NULL,
  PRIMARY KEY (org_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
{{tenant "idempotency_keys" "org_id"}}

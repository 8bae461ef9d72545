-- The default permissions each org has been offered: a default is granted
-- once, when it first appears; an org that later took it away keeps it away.
CREATE TABLE role_permission_defaults (
  org_id  {{uuid}} NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  role    TEXT NOT NULL,
  object  TEXT NOT NULL,
  action  TEXT NOT NULL,
  PRIMARY KEY (org_id, role, object, action)
);
INSERT INTO role_permission_defaults (org_id, role, object, action)
  SELECT org_id, role, object, action FROM role_permissions;
{{tenant "role_permission_defaults" "org_id"}}

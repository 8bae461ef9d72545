{{if .PG}}DROP POLICY tenant_isolation ON users;{{end}}
DROP TABLE idempotency_keys;
DROP TABLE outbox;
DROP TABLE audit_events;
DROP TABLE one_time_tokens;
DROP TABLE api_keys;
DROP TABLE role_permissions;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE orgs;

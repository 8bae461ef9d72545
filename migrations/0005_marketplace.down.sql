{{if .PG}}DROP POLICY tenant_isolation ON campaigns;{{end}}
DROP TABLE contracts;
DROP TABLE offers;
DROP TABLE campaigns;

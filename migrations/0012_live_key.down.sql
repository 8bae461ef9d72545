{{if .PG}}
DROP FUNCTION plateau_live_key(UUID);
{{end}}

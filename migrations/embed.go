// Package migrations holds the numbered SQL migrations, one set for both
// dialects. Each file is a text/template rendered with .Dialect ("pg" or
// "sqlite") and the helpers of pkg/store: {{uuid}}, {{ts}}, {{json}},
// {{bytes}}, and {{tenant "table" "org_column"}}, which turns on row-level
// security for a tenant table on PostgreSQL and does nothing on SQLite.
package migrations

import "embed"

// FS holds the *.up.sql and *.down.sql files.
//
//go:embed *.sql
var FS embed.FS

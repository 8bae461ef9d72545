package store

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"
	"text/template"

	"github.com/uptrace/bun/migrate"

	"github.com/plateau-bpo/plateau/migrations"
)

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Name    string `json:"name"`
	Applied bool   `json:"applied"`
}

const orgSetting = "NULLIF(current_setting('app.org_id', true), '')::uuid"

// templateFuncs render the dialect-specific parts of a migration.
func templateFuncs(d Dialect) template.FuncMap {
	pg := d == Postgres
	pick := func(pgType, sqliteType string) func() string {
		return func() string {
			if pg {
				return pgType
			}
			return sqliteType
		}
	}
	system := "CURRENT_USER = '" + SystemRole + "'"
	return template.FuncMap{
		"uuid":  pick("UUID", "TEXT"),
		"ts":    pick("TIMESTAMPTZ", "TIMESTAMP"),
		"json":  pick("JSONB", "TEXT"),
		"bytes": pick("BYTEA", "BLOB"),
		"system": func() string {
			return system
		},
		"orgSetting": func() string { return orgSetting },
		"list":       func(items ...string) []string { return items },
		"orgMatch": func(column string) string {
			return column + " = " + orgSetting
		},
		// tenant turns on row-level security for a table whose owner org is in
		// column, and grants the application role access through it.
		"tenant": func(table, column string) string {
			if !pg {
				return ""
			}
			check := fmt.Sprintf("(%s OR %s = %s)", system, column, orgSetting)
			return fmt.Sprintf("ALTER TABLE %[1]s ENABLE ROW LEVEL SECURITY;\n"+
				"CREATE POLICY tenant_isolation ON %[1]s USING %[2]s WITH CHECK %[2]s;\n"+
				"GRANT SELECT, INSERT, UPDATE, DELETE ON %[1]s TO %[3]s;", table, check, AppRole+", "+SystemRole)
		},
	}
}

// renderMigrations renders every embedded migration for a dialect into an
// in-memory tree bun's migrator reads, each run inside a transaction.
func renderMigrations(d Dialect) (fs.FS, error) {
	out := fstest.MapFS{}
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		raw, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			return nil, err
		}
		tmpl, err := template.New(name).Funcs(templateFuncs(d)).Parse(string(raw))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, map[string]any{"Dialect": d, "PG": d == Postgres}); err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		if d == Postgres && strings.HasSuffix(name, ".up.sql") {
			// Sequences and tables a migration adds without {{tenant}} (such as the
			// migrator's own) are readable by the app, never owned by it.
			fmt.Fprintf(&buf, "\nGRANT SELECT ON ALL TABLES IN SCHEMA public TO %s;\n", AppRole)
			fmt.Fprintf(&buf, "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%[1]s') THEN\n"+
				"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %[1]s; END IF; END $$;\n", SystemRole)
		}
		txName := strings.Replace(name, ".up.sql", ".tx.up.sql", 1)
		txName = strings.Replace(txName, ".down.sql", ".tx.down.sql", 1)
		out[txName] = &fstest.MapFile{Data: buf.Bytes()}
	}
	return out, nil
}

func (d *DB) migrator() (*migrate.Migrator, error) {
	rendered, err := renderMigrations(d.Dialect)
	if err != nil {
		return nil, err
	}
	set := migrate.NewMigrations()
	if err := set.Discover(rendered); err != nil {
		return nil, err
	}
	return migrate.NewMigrator(d.Bun, set,
		migrate.WithTableName("schema_migrations"),
		migrate.WithLocksTableName("schema_migration_locks"),
		migrate.WithMarkAppliedOnSuccess(true)), nil
}

// MigrateUp applies every pending migration and returns their names.
func (d *DB) MigrateUp(ctx context.Context) ([]string, error) {
	m, err := d.lockedMigrator(ctx)
	if err != nil {
		return nil, err
	}
	defer m.Unlock(ctx) //nolint:errcheck // the lock row is removed on the next successful unlock anyway
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	return names(group.Migrations), nil
}

// MigrateDown rolls back the last group of migrations applied together.
func (d *DB) MigrateDown(ctx context.Context) ([]string, error) {
	m, err := d.lockedMigrator(ctx)
	if err != nil {
		return nil, err
	}
	defer m.Unlock(ctx) //nolint:errcheck
	group, err := m.Rollback(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate down: %w", err)
	}
	return names(group.Migrations), nil
}

func (d *DB) lockedMigrator(ctx context.Context) (*migrate.Migrator, error) {
	m, err := d.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("migration tables: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return nil, fmt.Errorf("another migration is running (or one crashed: remove the row in schema_migration_locks): %w", err)
	}
	return m, nil
}

// MigrationStatus lists every known migration and whether it is applied.
func (d *DB) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	m, err := d.migrator()
	if err != nil {
		return nil, err
	}
	all, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status (has `plateau migrate up` ever run?): %w", err)
	}
	out := make([]MigrationStatus, 0, len(all))
	for _, mg := range all {
		out = append(out, MigrationStatus{Name: mg.Name + "_" + mg.Comment, Applied: mg.IsApplied()})
	}
	return out, nil
}

// CheckMigrated returns an error naming the pending migrations, if any.
func (d *DB) CheckMigrated(ctx context.Context) error {
	status, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	var pending []string
	for _, s := range status {
		if !s.Applied {
			pending = append(pending, s.Name)
		}
	}
	if len(pending) > 0 {
		return fmt.Errorf("the database is behind: %d migration(s) pending (%s); run `plateau migrate up`",
			len(pending), strings.Join(pending, ", "))
	}
	return nil
}

func names(ms migrate.MigrationSlice) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Name+"_"+m.Comment)
	}
	return out
}

// AllowLogin lets role (AppRole or SystemRole) log in with a password,
// for deployments where serve and worker connect as those roles directly
// rather than switching to them. PostgreSQL only.
func (d *DB) AllowLogin(ctx context.Context, role, password string) error {
	if d.Dialect != Postgres {
		return fmt.Errorf("role passwords apply to PostgreSQL only")
	}
	// ALTER ROLE takes no bind parameters; the password is quoted by the server.
	var quoted string
	if err := d.Bun.NewRaw("SELECT quote_literal(?)", password).Scan(ctx, &quoted); err != nil {
		return err
	}
	if role != AppRole && role != SystemRole {
		return fmt.Errorf("store: %q is not a role of the platform", role)
	}
	_, err := d.Bun.ExecContext(ctx, "ALTER ROLE "+role+" LOGIN PASSWORD "+quoted)
	return err
}

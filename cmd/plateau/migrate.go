package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/pkg/store"
)

func migrateCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate up|down|status",
		Short: "Apply, roll back or list the schema migrations",
		Long: `Apply, roll back or list the schema migrations embedded in the binary.

On PostgreSQL, run migrations as the role that owns the tables (not the
application role): they create the role plateau_app, which the application's
tenant queries run as so that row-level security applies to them, and the
role plateau_system, which its few cross-org lookups run as (signing in, API
keys, the outbox reconciler, the console) and which plateau_app cannot
become.`,
	}
	s.databaseFlag(cmd.PersistentFlags())
	var appPassword, systemPassword string
	up := &cobra.Command{Use: "up", Short: "Apply every pending migration and add new default permissions", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.withOwnerDB(cmd.Context(), func(db *store.DB) error {
				applied, err := db.MigrateUp(cmd.Context())
				if err != nil {
					return err
				}
				if err := db.SyncDefaultPermissions(cmd.Context()); err != nil {
					return err
				}
				for role, password := range map[string]string{store.AppRole: appPassword, store.SystemRole: systemPassword} {
					if password == "" {
						continue
					}
					if err := db.AllowLogin(cmd.Context(), role, password); err != nil {
						return err
					}
				}
				return s.print(map[string]any{"applied": applied}, fmt.Sprintf("applied %d migration(s)", len(applied)), names(applied)...)
			})
		}}
	option(up.Flags(), &appPassword, "app-password", "PLATEAU_APP_PASSWORD", "",
		"PostgreSQL: let the role plateau_app log in with this password, so serve and worker can connect as it")
	option(up.Flags(), &systemPassword, "system-password", "PLATEAU_SYSTEM_PASSWORD", "",
		"PostgreSQL: let the role plateau_system log in with this password, for --system-database-url")
	cmd.AddCommand(
		up,
		&cobra.Command{Use: "down", Short: "Roll back the last group of migrations", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return s.withOwnerDB(cmd.Context(), func(db *store.DB) error {
					rolled, err := db.MigrateDown(cmd.Context())
					if err != nil {
						return err
					}
					return s.print(map[string]any{"rolled_back": rolled}, fmt.Sprintf("rolled back %d migration(s)", len(rolled)), names(rolled)...)
				})
			}},
		&cobra.Command{Use: "status", Short: "List migrations and whether each is applied", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return s.withOwnerDB(cmd.Context(), func(db *store.DB) error {
					status, err := db.MigrationStatus(cmd.Context())
					if err != nil {
						return err
					}
					rows := make([][]any, 0, len(status))
					for _, m := range status {
						rows = append(rows, []any{m.Name, m.Applied})
					}
					return s.print(status, "MIGRATION\tAPPLIED", rows...)
				})
			}},
	)
	return cmd
}

func names(list []string) [][]any {
	rows := make([][]any, 0, len(list))
	for _, n := range list {
		rows = append(rows, []any{n})
	}
	return rows
}

func (s *settings) withOwnerDB(ctx context.Context, fn func(db *store.DB) error) error {
	db, err := store.Open(ctx, s.databaseURL, true)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

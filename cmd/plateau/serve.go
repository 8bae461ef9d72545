package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
)

func serveCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP front doors: portal, center admin, agent workspace, console, REST API",
		Long: `Serve the HTTP front doors against PostgreSQL and Redis.

serve refuses to start when the database is unreachable or its migrations
are behind (run plateau migrate up first). On PostgreSQL it runs as the role
plateau_app, which owns no table, so row-level security applies.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := s.logger()
			if err != nil {
				return err
			}
			cfg, err := s.platformConfig(false)
			if err != nil {
				return err
			}
			p, err := platform.Open(cmd.Context(), cfg, log)
			if err != nil {
				return fmt.Errorf("cannot serve: %w", err)
			}
			defer p.Close()
			log.Info("serving", "addr", cfg.HTTPAddr, "base_url", cfg.BaseURL, "database", p.DB.URL)
			return p.Server.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	s.databaseFlag(f)
	s.secretFlag(f)
	s.recordingsFlag(f)
	s.redisFlag(f, "redis://127.0.0.1:6379/0")
	s.httpFlags(f, ":8080")
	return cmd
}

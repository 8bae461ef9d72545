package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/store"
)

func devCommand(s *settings) *cobra.Command {
	var noSeed bool
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run everything in one process on embedded defaults, with demo data",
		Long: `Run the whole platform in one process: migrations, the HTTP front doors,
the job worker and its scheduler, on a SQLite file and an in-process Redis
unless told otherwise. Demo tenants are created once (--no-seed to skip).
Mails (invitations, password resets) are written to the log.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if s.logFormat == "json" && !cmd.Flags().Changed("log-format") && !envSet("PLATEAU_LOG_FORMAT") {
				s.logFormat = "text"
			}
			log, err := s.logger()
			if err != nil {
				return err
			}
			cfg, err := s.platformConfig(true)
			s.mailToLog = s.mailToLog || s.smtpURL == ""
			if err != nil {
				return err
			}
			if err := s.withOwnerDB(ctx, func(db *store.DB) error { return prepare(ctx, db, log, noSeed) }); err != nil {
				return err
			}
			p, err := platform.Open(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer p.Close()
			ln, err := net.Listen("tcp", cfg.HTTPAddr)
			if err != nil {
				return fmt.Errorf("listen on %s (another plateau running? try --http-addr 127.0.0.1:8081): %w", cfg.HTTPAddr, err)
			}
			sender, err := s.mailSender(log)
			if err != nil {
				return err
			}
			redis := "in-process (memory://)"
			if !p.Redis.Embedded() {
				redis = p.Redis.Options.Addr
			}
			sample, err := writeSampleFile()
			if err != nil {
				return err
			}
			s.printWelcome(cfg.BaseURL, p.DB.URL, redis, sample)
			// The worker and the server stop together: when either ends, so
			// does the other.
			ctx, stop := context.WithCancel(ctx)
			defer stop()
			errs := make(chan error, 2)
			go func() { errs <- runWorker(ctx, p.Worker(sender, true)) }()
			go func() { errs <- p.Server.Serve(ctx, ln) }()
			err = <-errs
			stop()
			return errors.Join(err, <-errs)
		},
	}
	f := cmd.Flags()
	s.databaseFlag(f)
	s.redisFlag(f, "memory://")
	s.httpFlags(f, "127.0.0.1:8080")
	s.mailFlags(f)
	f.BoolVar(&noSeed, "no-seed", false, "do not create the demo tenants")
	return cmd
}

// prepare migrates the database, adds new default permissions, and seeds
// the demo tenants unless told not to.
func prepare(ctx context.Context, db *store.DB, log *slog.Logger, noSeed bool) error {
	if _, err := db.MigrateUp(ctx); err != nil {
		return err
	}
	if err := db.SyncDefaultPermissions(ctx); err != nil {
		return err
	}
	if noSeed {
		return nil
	}
	svc, err := platform.Services(ctx, db, log)
	if err != nil {
		return err
	}
	_, err = demo.Seed(ctx, db, svc)
	return err
}

// writeSampleFile leaves a lead file a newcomer can upload in the portal,
// in ./var beside the default database; a sample an earlier version left
// is replaced by this version's.
func writeSampleFile() (string, error) {
	path := filepath.Join("var", demo.SampleFileName)
	sample := demo.SampleFile()
	if kept, err := os.ReadFile(path); err == nil && bytes.Equal(kept, sample) {
		return path, nil
	}
	if err := os.MkdirAll("var", 0o750); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, sample, 0o640)
}

func (s *settings) printWelcome(baseURL, database, redis, sample string) {
	w := tabwriter.NewWriter(s.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(w, "\nPlateau is running at %s\n", baseURL)
	fmt.Fprintf(w, "  database %s, redis %s\n\n", database, redis)
	fmt.Fprintf(w, "Demo logins (password %q):\n", demo.Password)
	for _, l := range demo.Logins() {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", l.Email, l.Org, l.Role, l.Name)
	}
	fmt.Fprintf(w, "\nA lead file to upload (Portal → Leads → a campaign → Import): %s\n", sample)
	fmt.Fprintln(w, "\nPress Ctrl-C to stop.")
	_ = w.Flush()
}

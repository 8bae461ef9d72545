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
	"time"

	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
	"github.com/plateau-bpo/plateau/pkg/vclock"
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
			if err := s.withOwnerDB(ctx, func(db *store.DB) error {
				seeded, err := prepare(ctx, db, log, noSeed)
				if err != nil || !seeded {
					return err
				}
				return s.simulatePast(ctx, db, log)
			}); err != nil {
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
			errs := make(chan error, 3)
			go func() { errs <- runWorker(ctx, p.Worker(sender, true)) }()
			go func() { errs <- p.Server.Serve(ctx, ln) }()
			go func() {
				errs <- p.Engine(platform.SimulatedFloor{Agents: devAgents, Seed: uint64(time.Now().UnixNano())}).Run(ctx)
			}()
			err = <-errs
			stop()
			return errors.Join(err, <-errs, <-errs)
		},
	}
	f := cmd.Flags()
	s.databaseFlag(f)
	s.secretFlag(f)
	s.recordingsFlag(f)
	s.redisFlag(f, "memory://")
	s.httpFlags(f, "127.0.0.1:8080")
	s.mailFlags(f)
	f.BoolVar(&noSeed, "no-seed", false, "do not create the demo tenants")
	return cmd
}

// devAgents is how many simulated agents work each running campaign in
// `plateau dev`, beside the people signed in on the agent workspace.
const devAgents = 4

// prepare migrates the database, adds new default permissions, and seeds
// the demo tenants unless told not to; it reports whether it seeded them.
func prepare(ctx context.Context, db *store.DB, log *slog.Logger, noSeed bool) (bool, error) {
	if _, err := db.MigrateUp(ctx); err != nil {
		return false, err
	}
	if err := db.SyncDefaultPermissions(ctx); err != nil {
		return false, err
	}
	if noSeed {
		return false, nil
	}
	svc, err := platform.Services(ctx, db, log)
	if err != nil {
		return false, err
	}
	return demo.Seed(ctx, db, svc)
}

// simulatePast runs the running campaigns over the days before now in
// virtual time, so that a first `plateau dev` shows calls, outcomes and
// callbacks whatever the hour: French calling windows are closed at night
// and on Sundays.
func (s *settings) simulatePast(ctx context.Context, db *store.DB, log *slog.Logger) error {
	svc, err := platform.Services(ctx, db, log)
	if err != nil {
		return err
	}
	running, err := svc.Execution.Running(ctx)
	if err != nil {
		return err
	}
	end := time.Now().UTC().Truncate(time.Minute)
	for _, c := range running {
		fmt.Fprintf(s.stdout, "Simulating the past %d days of the demo campaign's calls (once)…\n", demoPastDays)
		clock := vclock.NewVirtual(end.AddDate(0, 0, -demoPastDays))
		db.Now = clock.Now
		err := simulate(tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(c.Client, "dev: the past days")), svc, c, clock, end, 1, pastAgents, log)
		db.Now = time.Now
		if err != nil {
			return err
		}
	}
	return nil
}

// demoPastDays is how far back the first `plateau dev` simulates the demo
// campaign, with pastAgents agents: enough for a month of figures, leaving
// leads to call live.
const (
	demoPastDays = 30
	pastAgents   = 2
)

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
	fmt.Fprintf(w, "\n%d simulated agents of Atlas Contact call the demo campaign on the call simulator, %s.\n", devAgents, frenchWindow(time.Now()))
	fmt.Fprintln(w, "Sign in as one of its agents and go ready (API: PUT /api/v1/agent/presence) to take calls beside them.")
	fmt.Fprintln(w, "\nPress Ctrl-C to stop.")
	_ = w.Flush()
}

// frenchWindow says whether French calling hours are open at now, or when
// they open next: a French mobile called for customer care.
func frenchWindow(now time.Time) string {
	n, err := phone.Parse("+33612345678", "FR")
	if err != nil {
		return "whenever French calling hours allow"
	}
	d := compliance.Decide(compliance.Input{Number: n, Audience: compliance.B2C, Kind: compliance.CustomerCare,
		ContractInProgress: true}, now)
	switch {
	case d.Allowed:
		return "now: French calling hours are open"
	case d.NextAllowedAt != nil:
		return "from " + d.NextAllowedAt.In(parisOr(time.UTC)).Format("Monday 2 January 15:04 MST") + ", when French calling hours open"
	}
	return "whenever French calling hours allow"
}

func parisOr(fallback *time.Location) *time.Location {
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return fallback
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/simdial"
	"github.com/plateau-bpo/plateau/pkg/execution"
	"github.com/plateau-bpo/plateau/pkg/execution/simfloor"
	"github.com/plateau-bpo/plateau/pkg/pacing"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

func simulateCommand(s *settings) *cobra.Command {
	var (
		campaignID, from string
		days, agents     int
		seed             uint64
	)
	cmd := &cobra.Command{
		Use:   "simulate --campaign ID --days 30 --agents N --seed S",
		Short: "Run a running campaign in virtual time on the call simulator with simulated agents, writing real rows",
		Long: `Run a campaign in virtual time: the engine that runs campaigns in production
(the pacer, the claims with their compliance decisions, the retries and the
callbacks) places its calls on the call simulator, and simulated agents take
them, wrap up and write their outcomes. The rows are real: calls, decisions
kept as evidence, callbacks. The virtual time runs over the --days that end
now (or from --from), so the calls are in the past; calling windows open and close as they
did. The campaign must be running. Then a summary is printed: attempts,
contacts, abandons and the abandon rate, blocks by reason.`,
		Example: `  plateau simulate --campaign 01927d6e-… --days 30 --agents 12 --seed 7
  plateau verify`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := uuid.Parse(strings.TrimSpace(campaignID))
			if err != nil {
				return fmt.Errorf("--campaign %q: give the campaign's id, as the portal's address or `plateau calls export` shows it", campaignID)
			}
			if days < 1 || agents < 1 {
				return fmt.Errorf("--days and --agents must be at least 1")
			}
			return s.withServices(cmd.Context(), func(db *store.DB, svc store.Services) error {
				log, err := s.logger()
				if err != nil {
					return err
				}
				rc, err := runningCampaign(cmd.Context(), svc, id)
				if err != nil {
					return err
				}
				end := time.Now().UTC().Truncate(time.Minute)
				start := end.Add(-time.Duration(days) * 24 * time.Hour)
				if from != "" {
					if start, err = time.Parse(time.RFC3339, from); err != nil {
						return fmt.Errorf("--from %q: give an RFC 3339 time, such as 2026-11-02T00:00:00Z", from)
					}
					end = start.Add(time.Duration(days) * 24 * time.Hour)
				}
				clock := vclock.NewVirtual(start)
				db.Now = clock.Now
				defer func() { db.Now = time.Now }()
				ctx := tenancy.WithPrincipal(cmd.Context(), tenancy.SystemPrincipal(rc.Client, "simulate"))
				if err := simulate(ctx, svc, rc, clock, end, seed, agents, log); err != nil {
					return err
				}
				sum, err := svc.Execution.Summarize(ctx, id, start, end.Add(time.Hour))
				if err != nil {
					return err
				}
				printSummary(s, rc, start, end, sum)
				return nil
			})
		},
	}
	f := cmd.Flags()
	s.databaseFlag(f)
	f.StringVar(&campaignID, "campaign", "", "the id of a running campaign (required)")
	f.IntVar(&days, "days", 30, "virtual days to run, ending now")
	f.StringVar(&from, "from", "", "start the virtual time then (RFC 3339) instead of --days before now")
	f.IntVar(&agents, "agents", 10, "simulated agents, shared between the campaign's contracts by seats")
	f.Uint64Var(&seed, "seed", 1, "the seed of the callees' and the agents' draws: the same seed gives the same calls")
	_ = cmd.MarkFlagRequired("campaign")
	return cmd
}

// runningCampaign finds a running campaign by id.
func runningCampaign(ctx context.Context, svc store.Services, id uuid.UUID) (execution.Campaign, error) {
	running, err := svc.Execution.Running(ctx)
	if err != nil {
		return execution.Campaign{}, err
	}
	for _, rc := range running {
		if rc.ID == id {
			return rc, nil
		}
	}
	return execution.Campaign{}, fmt.Errorf("campaign %s is not running: start it (in the portal, « Lancer les appels ») before simulating it", id)
}

// simulate runs the campaign's engine on a simulated floor until end, then
// lets the calls in progress finish.
func simulate(ctx context.Context, svc store.Services, rc execution.Campaign, clock *vclock.Virtual, end time.Time,
	seed uint64, agents int, log *slog.Logger) error {
	r, err := startSimulated(ctx, svc, rc, clock, seed, agents, "simulate", log)
	if err != nil {
		return err
	}
	clock.RunUntil(end)
	r.Stop()
	for clock.Step() {
		select {
		case <-r.Done():
			return nil
		default:
		}
	}
	return nil
}

// startSimulated starts the campaign's runner on the call simulator, with
// agents simulated agents shared between its contracts by seats.
func startSimulated(ctx context.Context, svc store.Services, rc execution.Campaign, clock vclock.Clock,
	seed uint64, agents int, holder string, log *slog.Logger) (*execution.Runner, error) {
	floor, err := platform.SimulatedAgents(ctx, svc, rc.ID, agents, seed)
	if err != nil {
		return nil, err
	}
	agentFloor := simfloor.New(clock, seed, floor, simfloor.DefaultMix, platform.Disposer(svc), log)
	var runner *execution.Runner
	sim := simdial.New(clock, seed, simdial.WithObserver(func(ev dialing.Event) { runner.Observe(ev) }))
	runner = execution.New(ctx, execution.Config{Campaign: rc.ID, Mode: rc.Mode, Cap: rc.Cap(clock.Now()), Holder: holder,
		Queue: svc.Dispatch, Leases: svc.Execution, Floor: agentFloor, Dialer: sim, Clock: clock, Observed: true,
		Controller: pacing.DefaultController(), CallerIDs: execution.OneCallerID(simdial.CallerID), Log: log})
	ok, err := runner.Start()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("campaign %s is paced by another process (its pacer lease is held): stop it first", rc.ID)
	}
	return runner, nil
}

func printSummary(s *settings, rc execution.Campaign, start, end time.Time, sum store.Summary) {
	w := tabwriter.NewWriter(s.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintf(w, "campaign\t%s (%s, %s)\n", rc.ID, rc.Mode, rc.Country)
	fmt.Fprintf(w, "virtual time\t%s → %s\n", start.Format(time.RFC3339), end.Format(time.RFC3339))
	fmt.Fprintf(w, "attempts\t%d\n", sum.Attempts)
	for _, r := range dialing.Results {
		fmt.Fprintf(w, "  %s\t%d\n", r, sum.Results[r])
	}
	fmt.Fprintf(w, "contacts\t%d\n", sum.Results[dialing.Answered])
	fmt.Fprintf(w, "abandons\t%d of %d live answers (%.2f %%)\n", sum.Abandoned, sum.Live, 100*sum.AbandonRate())
	fmt.Fprintf(w, "callbacks\t%d\n", sum.Callbacks)
	reasons := make([]string, 0, len(sum.Blocks))
	for r := range sum.Blocks {
		reasons = append(reasons, string(r))
	}
	sort.Strings(reasons)
	blocked := 0
	for _, n := range sum.Blocks {
		blocked += n
	}
	fmt.Fprintf(w, "blocks\t%d\n", blocked)
	for _, r := range reasons {
		fmt.Fprintf(w, "  %s\t%d\n", r, sum.Blocks[compliance.Reason(r)])
	}
	_ = w.Flush()
}

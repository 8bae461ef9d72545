package main

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/simdial"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/execution"
	"github.com/plateau-bpo/plateau/pkg/execution/memqueue"
	"github.com/plateau-bpo/plateau/pkg/execution/simfloor"
	"github.com/plateau-bpo/plateau/pkg/pacing"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// pacerBench is what one run of the pacer bench measures with.
type pacerBench struct {
	calls, agents, procs int
	duration             time.Duration
	seed                 uint64
}

// targetLagGrowth is how fast a tick's lateness may grow: at 10 ms a
// minute, the pacer would fall a whole tick behind after 100 minutes.
const targetLagGrowth = 10 * time.Millisecond

func (s *settings) benchPacerCommand() *cobra.Command {
	var (
		b       pacerBench
		profile string
	)
	cmd := &cobra.Command{
		Use:   "pacer",
		Short: "Run one campaign's pacer on the simulator, on --procs cores in real time, with enough agents for --calls calls in progress, and time its ticks",
		Long: `Runs one execution.Runner in predictive mode for --duration of real time,
on the wall clock, with the Go scheduler held to --procs cores
(GOMAXPROCS): simulated agents (--agents; by default a fifth more than
--calls, as some wrap up between calls)
take the calls that the call simulator places and answers, as in plateau
dev. The leads and the pacer lease are kept in memory (pkg/execution/memqueue),
so the run measures the pacer and the simulation around it, not a database:
see plateau bench dispatch for the store's claims.

For each tick it records how late it started after its due time (the
timer's delay plus the wait behind the call events queued before it, all on
the same cores), how long it ran, and the calls in progress at its end; it
prints their median, 99th percentile and maximum, and checks issue 9's
target "1 000 concurrent simulated calls on one core without falling behind
its tick": at least --calls calls in progress at the median tick, a
tick's p99 duration and lateness stay under the tick (1 s), and the
lateness does not grow (least-squares slope at most 10 ms a minute). The
simulated callees all live in Paris at 10:00, so that they answer as on a
weekday morning whatever the hour of the run. No database is used.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if b.calls < 1 || b.procs < 1 || b.duration < 2*execution.Tick {
				return fmt.Errorf("give --calls and --procs of at least 1, and a --duration of at least %s", 2*execution.Tick)
			}
			if b.agents == 0 {
				b.agents = b.calls + b.calls/5
			}
			return withCPUProfile(profile, func() error { return s.benchPacer(cmd.Context(), b) })
		},
	}
	f := cmd.Flags()
	f.IntVar(&b.calls, "calls", 1000, "calls in progress at once the run must reach")
	f.IntVar(&b.agents, "agents", 0, "simulated agents (default: a fifth more than --calls)")
	f.IntVar(&b.procs, "procs", 1, "cores the Go scheduler may use (GOMAXPROCS) during the run")
	f.DurationVar(&b.duration, "duration", 60*time.Second, "how long the pacer runs, in real time")
	f.Uint64Var(&b.seed, "seed", 1, "seed of the simulated callees and agents")
	cpuProfileFlag(f, &profile)
	return cmd
}

// pacerTicks are the runner's tick reports, in order.
type pacerTicks struct {
	mu    sync.Mutex
	at    []time.Time
	ticks []execution.TickReport
}

func (p *pacerTicks) add(r execution.TickReport) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at = append(p.at, time.Now())
	p.ticks = append(p.ticks, r)
}

// spread is the median, 99th percentile and maximum of some figures.
type spread struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func spreadOf(values []float64) spread {
	if len(values) == 0 {
		return spread{}
	}
	v := slices.Sorted(slices.Values(values))
	return spread{P50: v[len(v)/2], P99: v[len(v)*99/100], Max: v[len(v)-1]}
}

func (s *settings) benchPacer(ctx context.Context, b pacerBench) error {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(b.procs))
	clock := vclock.Real{}
	center, contract := uuid.New(), uuid.New()
	agents := make([]execution.Agent, b.agents)
	for i := range agents {
		agents[i] = execution.Agent{ID: uuid.New(), CenterID: center, ContractID: contract}
	}
	dispose := func(context.Context, execution.Agent, dispatch.Claim, simfloor.Outcome) error { return nil }
	queue := memqueue.New(clock, center, int(^uint(0)>>1))
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	x := execution.Campaign{ID: uuid.New(), Mode: campaign.Predictive, Country: "FR", Audience: compliance.B2C, Kind: compliance.Prospecting}
	var ticks pacerTicks
	var runner *execution.Runner
	dialer := simdial.New(clock, b.seed, simdial.WithObserver(func(ev dialing.Event) { runner.Observe(ev) }),
		simdial.WithLocalHour(func(string, time.Time) int { return 10 }))
	runner = execution.New(ctx, execution.Config{Campaign: x.ID, Mode: x.Mode, Cap: x.Cap(time.Now().In(paris)), Holder: "bench",
		Queue: queue, Leases: queue, Floor: simfloor.New(clock, b.seed, agents, simfloor.DefaultMix, dispose, nil),
		Dialer: dialer, Clock: clock, Observed: true, Controller: pacing.DefaultController(), Ticked: ticks.add})
	started := time.Now()
	if ok, err := runner.Start(); err != nil || !ok {
		return fmt.Errorf("the pacer did not start (lease taken: %v): %v", !ok, err)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(b.duration):
	}
	runner.Stop()
	elapsed := time.Since(started)
	st := runner.Stats()

	ticks.mu.Lock()
	reports, at := slices.Clone(ticks.ticks), slices.Clone(ticks.at)
	ticks.mu.Unlock()
	late, took, calls := make([]float64, len(reports)), make([]float64, len(reports)), make([]float64, len(reports))
	minutes := make([]float64, len(reports))
	for i, r := range reports {
		late[i], took[i], calls[i] = millis(r.Late), millis(r.Took), float64(r.Calls)
		minutes[i] = at[i].Sub(started).Minutes()
	}
	lateMs, tookMs, inProgress := spreadOf(late), spreadOf(took), spreadOf(calls)
	growth := slope(minutes, late)
	tick := millis(execution.Tick)
	targets := []target{
		{Name: "calls in progress, median of the ticks", Value: inProgress.P50, Goal: fmt.Sprintf("≥ %d", b.calls), Met: inProgress.P50 >= float64(b.calls)},
		{Name: "tick duration p99 ms", Value: tookMs.P99, Goal: fmt.Sprintf("< %.0f", tick), Met: tookMs.P99 < tick},
		{Name: "tick lateness p99 ms", Value: lateMs.P99, Goal: fmt.Sprintf("< %.0f", tick), Met: lateMs.P99 < tick},
		{Name: "tick lateness growth ms/min", Value: growth, Goal: fmt.Sprintf("≤ %.0f", millis(targetLagGrowth)), Met: growth <= millis(targetLagGrowth)},
	}
	out := map[string]any{"calls": b.calls, "agents": b.agents, "procs": b.procs, "seconds": elapsed.Seconds(), "ticks": len(reports),
		"tick_ms": tick, "late_ms": lateMs, "took_ms": tookMs, "calls_in_progress": inProgress, "late_growth_ms_per_minute": growth,
		"dials": st.Dials, "dials_per_second": float64(st.Dials) / elapsed.Seconds(), "live": st.Live, "abandoned": st.Abandoned,
		"machines": st.Machines, "reasons": st.Reasons, "targets": targets, "cpus": runtime.NumCPU(), "go": runtime.Version()}
	if s.json {
		return s.print(out, "")
	}
	if err := s.print(out, "AGENTS\tPROCS\tSECONDS\tTICKS\tDIALS/s\tLIVE\tABANDONED\tIN PROGRESS p50\tMAX",
		[]any{b.agents, b.procs, fmt.Sprintf("%.1f", elapsed.Seconds()), len(reports), fmt.Sprintf("%.1f", float64(st.Dials)/elapsed.Seconds()),
			st.Live, st.Abandoned, inProgress.P50, inProgress.Max}); err != nil {
		return err
	}
	fmt.Fprintln(s.stdout)
	if err := s.print(out, "TICK\tP50 ms\tP99 ms\tMAX ms",
		[]any{"late", fmt.Sprintf("%.2f", lateMs.P50), fmt.Sprintf("%.2f", lateMs.P99), fmt.Sprintf("%.2f", lateMs.Max)},
		[]any{"took", fmt.Sprintf("%.2f", tookMs.P50), fmt.Sprintf("%.2f", tookMs.P99), fmt.Sprintf("%.2f", tookMs.Max)}); err != nil {
		return err
	}
	reasons := slices.Sorted(maps.Keys(st.Reasons))
	fmt.Fprint(s.stdout, "\nthe controller's reasons, in ticks:")
	for _, r := range reasons {
		fmt.Fprintf(s.stdout, " %s %d", r, st.Reasons[r])
	}
	fmt.Fprint(s.stdout, "\n\n")
	return s.printTargets(out, targets)
}

// slope is the least-squares slope of y over x; 0 with fewer than two
// distinct x.
func slope(x, y []float64) float64 {
	n := float64(len(x))
	var sx, sy, sxx, sxy float64
	for i := range x {
		sx, sy, sxx, sxy = sx+x[i], sy+y[i], sxx+x[i]*x[i], sxy+x[i]*y[i]
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// dispatchBenchStart is the bench's clock at its start: a Tuesday, 10:00
// in Paris, inside the French decree's calling hours (10:00–13:00) for the
// three hours that follow; the clock then runs at the real pace.
var dispatchBenchStart = time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC)

// drainLevels are the shares of the queue gone when each window is measured.
var drainLevels = []float64{0, 0.5, 0.9}

// The targets of issue 9.
const (
	targetShareOfBare    = 0.5                   // a claim's rate, of the bare queue's
	targetRateAtNinety   = 0.8                   // the rate at 90 % drained, of the rate at the start
	targetP99            = 50 * time.Millisecond // a claim's 99th-percentile latency
	dispatchBenchCallsID = "+33162000001"        // the caller ID claims present, from the French NPV ranges
)

// dispatchBench is what one run measures with.
type dispatchBench struct {
	leads, agents, contracts, claims int
	duration                         time.Duration
	rate                             float64 // claims/s offered by all the agents together; 0: back to back
}

// window is what one measured window saw.
type window struct {
	Queue     string  `json:"queue"`
	Drained   float64 `json:"drained"`
	Depth     int     `json:"depth_before"`
	Claims    int     `json:"claims"`
	Empty     int     `json:"empty_answers"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"claims_per_second"`
	P50Millis float64 `json:"p50_ms"`
	P99Millis float64 `json:"p99_ms"`
	Jump      float64 `json:"drain_jump_seconds,omitempty"`
}

func (s *settings) benchDispatchCommand() *cobra.Command {
	var (
		b       dispatchBench
		profile string
	)
	cmd := &cobra.Command{
		Use:   "dispatch",
		Short: "Queue N leads of a running campaign, claim them with --agents workers at 0, 50 and 90 % drained, beside a bare SKIP LOCKED queue",
		Long: `Migrates the PostgreSQL database it is given, makes a French client, a
running customer-care campaign with --contracts contracted centers, imports
--leads ready French mobile numbers into it through the lead import, and
queues them (Dispatch.Fill, timed). Then, with the queue 0 %, 50 % and 90 %
drained, --agents workers claim leads through Dispatch.Claim — each claim
asks the compliance engine, keeps its decision as evidence and opens a call
— for --duration (or until --claims claims), and report claims per second
and the median and 99th-percentile claim latency. In the same run and at
the same levels, as many workers claim from a bare queue of as many rows (a
table of ids; DELETE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)
RETURNING id). The levels are reached by taking the front of each queue out
in bulk (the bare queue is topped up instead if its claims took it lower),
then vacuuming it, as autovacuum would have along the way: every claim
measured is a real one. A lead claimed twice — returned twice, or
with two open calls — is counted. It prints the figures against issue 9's
targets: at least half the bare queue's rate, the rate at 90 % drained at
least 80 % of the rate at the start, no lead claimed twice, p99 within 50 ms.
With --rate R the agents claim on a schedule instead of back to back, R
claims a second between them (each agent every --agents/R seconds), and a
claim's latency counts from its scheduled time: the latency of a floor not
driven to saturation, where back to back it is mostly the wait behind the
other claimers (N claimers back to back wait N ÷ rate on average).
The clock of the run is set to a Tuesday morning in Paris, inside calling
hours. Use a scratch database: the tenants, leads and calls stay in it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !strings.HasPrefix(s.databaseURL, "postgres://") && !strings.HasPrefix(s.databaseURL, "postgresql://") {
				return fmt.Errorf("plateau bench dispatch measures concurrent claims on PostgreSQL, which production runs on: " +
					"give --database-url postgres://… (SQLite takes one writer at a time)")
			}
			if b.leads < 10 || b.agents < 1 || b.contracts < 1 || (b.claims <= 0 && b.duration <= 0) || b.rate < 0 {
				return fmt.Errorf("give --leads of at least 10, --agents and --contracts of at least 1, a --duration or --claims per window, and a --rate of 0 or more")
			}
			return withCPUProfile(profile, func() error { return s.benchDispatch(cmd.Context(), b) })
		},
	}
	f := cmd.Flags()
	f.IntVar(&b.leads, "leads", 1_000_000, "leads of the campaign, all queued")
	f.IntVar(&b.agents, "agents", 128, "concurrent claimers, on each queue")
	f.IntVar(&b.contracts, "contracts", 2, "contracted centers sharing the leads; agent i claims for contract i mod N")
	f.DurationVar(&b.duration, "duration", 10*time.Second, "how long each window claims")
	f.IntVar(&b.claims, "claims", 0, "claims per window instead of --duration (whichever ends first when both are set)")
	f.Float64Var(&b.rate, "rate", 0, "claims per second offered by the agents together, on a schedule (0: back to back)")
	cpuProfileFlag(f, &profile)
	return cmd
}

func (s *settings) benchDispatch(ctx context.Context, b dispatchBench) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	owner, err := store.Open(ctx, s.databaseURL, true)
	if err != nil {
		return err
	}
	defer owner.Close()
	if _, err := prepare(ctx, owner, log, true); err != nil {
		return err
	}
	return s.withServices(ctx, func(db *store.DB, svc store.Services) error {
		began := time.Now()
		db.Now = func() time.Time { return dispatchBenchStart.Add(time.Since(began)) }
		return s.runDispatchBench(ctx, owner, svc, b)
	})
}

func (s *settings) runDispatchBench(ctx context.Context, owner *store.DB, svc store.Services, b dispatchBench) error {
	started := time.Now()
	f, err := newBenchFloor(ctx, owner, svc, benchFloorSpec{label: "dispatch", name: "Dispatch (bench)", country: "FR",
		timezone: "Europe/Paris", volume: b.leads, centers: b.contracts, centerCountry: "FR", seats: max(b.agents/b.contracts, 1),
		startsOn: dispatchBenchStart.Truncate(24 * time.Hour)})
	if err != nil {
		return err
	}
	floorTook := time.Since(started)
	started = time.Now()
	imported, err := importBenchLeads(f, svc, b.leads)
	if err != nil {
		return err
	}
	importTook := time.Since(started)
	// The leads just imported are analyzed, as autovacuum would soon do:
	// before, PostgreSQL plans Fill's reads of them for an empty table and
	// sorts the remaining leads for each batch of 2000 (1M leads: 568 s).
	if err := owner.Analyze(ctx); err != nil {
		return err
	}
	started = time.Now()
	queued, err := f.start(svc)
	if err != nil {
		return err
	}
	fillTook := time.Since(started)
	if err := owner.Analyze(ctx); err != nil {
		return err
	}

	bare, err := owner.NewBareQueue(ctx, queued)
	if err != nil {
		return err
	}
	defer bare.Drop(context.WithoutCancel(ctx))

	claimed := map[uuid.UUID]int{}
	var windows []window
	for _, level := range drainLevels {
		keep := int(math.Round(float64(queued) * (1 - level)))
		jumped := time.Now()
		if err := bare.SetDepth(ctx, keep); err != nil {
			return err
		}
		depth, err := bare.Depth(ctx)
		if err != nil {
			return err
		}
		w, err := measure(ctx, b, func(ctx context.Context, _ int) (int64, bool, error) { return bare.Claim(ctx) }, nil)
		if err != nil {
			return err
		}
		w.Queue, w.Drained, w.Depth, w.Jump = "bare", level, depth, time.Since(jumped).Seconds()-w.Seconds
		windows = append(windows, w)

		jumped = time.Now()
		if err := owner.DrainQueue(ctx, f.campaign.ID, keep); err != nil {
			return err
		}
		if depth, _, err = owner.QueueDepth(ctx, f.campaign.ID); err != nil {
			return err
		}
		agents := make([]uuid.UUID, b.agents)
		for i := range agents {
			agents[i] = uuid.New()
		}
		claim := func(ctx context.Context, agent int) (uuid.UUID, bool, error) {
			c, found, err := svc.Dispatch.Claim(f.client, dispatch.ClaimRequest{CampaignID: f.campaign.ID,
				ContractID: f.contracts[agent%len(f.contracts)], Agent: &agents[agent], CallerID: dispatchBenchCallsID})
			return c.Lead.ID, found, err
		}
		w, err = measure(ctx, b, claim, claimed)
		if err != nil {
			return err
		}
		w.Queue, w.Drained, w.Depth, w.Jump = "dispatch", level, depth, time.Since(jumped).Seconds()-w.Seconds
		windows = append(windows, w)
	}

	returnedTwice := 0
	for _, n := range claimed {
		if n > 1 {
			returnedTwice++
		}
	}
	openLeads, doubled, err := owner.OpenCallsPerLead(ctx, f.campaign.ID)
	if err != nil {
		return err
	}
	return s.printDispatchBench(b, windows, dispatchSetup{Leads: imported, Queued: queued,
		FloorSeconds: floorTook.Seconds(), ImportSeconds: importTook.Seconds(), FillSeconds: fillTook.Seconds(),
		Claimed: len(claimed), ReturnedTwice: returnedTwice, LeadsWithOpenCall: openLeads, LeadsWithTwoOpenCalls: doubled})
}

// dispatchSetup is what the run prepared and what its claims left.
type dispatchSetup struct {
	Leads                 int     `json:"leads"`
	Queued                int     `json:"queued"`
	FloorSeconds          float64 `json:"tenants_seconds"`
	ImportSeconds         float64 `json:"import_seconds"`
	FillSeconds           float64 `json:"fill_seconds"`
	Claimed               int     `json:"leads_claimed"`
	ReturnedTwice         int     `json:"leads_returned_twice"`
	LeadsWithOpenCall     int     `json:"leads_with_an_open_call"`
	LeadsWithTwoOpenCalls int     `json:"leads_with_two_open_calls"`
}

// importBenchLeads imports n distinct French mobile numbers through the
// lead import, and returns how many leads are ready.
func importBenchLeads(f benchFloor, svc store.Services, n int) (int, error) {
	file, err := os.CreateTemp("", "plateau-bench-dispatch-*.csv")
	if err != nil {
		return 0, err
	}
	defer os.Remove(file.Name())
	defer file.Close()
	w := bufio.NewWriter(file)
	fmt.Fprintln(w, "Téléphone;Nom")
	for i := range n {
		fmt.Fprintf(w, "0%d %02d %02d %02d %02d;Client %d\n", 6+i/100_000_000, i/1_000_000%100, i/10_000%100, i/100%100, i%100, i)
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	im, err := svc.Leads.Upload(f.client, f.campaign.ID, "bench-dispatch.csv", file)
	if err != nil {
		return 0, err
	}
	if im, err = svc.Leads.Start(f.client, im.ID, leadfile.Mapping{}); err != nil {
		return 0, err
	}
	if err := svc.Leads.RunImport(f.client, uuid.Nil, im.ID); err != nil {
		return 0, err
	}
	got, err := svc.Leads.Import(f.client, f.campaign.ID, im.ID)
	if err != nil {
		return 0, err
	}
	if im = got.Import; im.Status != lead.Finished || im.Summary.Ready != n {
		return 0, fmt.Errorf("the bench's leads: import %s, %d of %d ready (%+v) %s", im.Status, im.Summary.Ready, n, im.Summary, im.Error)
	}
	return im.Summary.Ready, nil
}

// measure runs b.agents claimers on claim for b.duration or until
// b.claims claims, each stopping early when its queue answers that nothing
// is left; ids returned are counted into seen unless it is nil.
func measure[ID comparable](ctx context.Context, b dispatchBench, claim func(ctx context.Context, agent int) (ID, bool, error), seen map[ID]int) (window, error) {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		ids       []ID
		empty     atomic.Int64
		taken     atomic.Int64
		failed    error
		wg        sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	deadline := time.Now().Add(b.duration)
	if b.duration <= 0 {
		deadline = time.Now().Add(24 * time.Hour)
	}
	started := time.Now()
	every := time.Duration(0) // between an agent's scheduled claims
	if b.rate > 0 {
		every = time.Duration(float64(b.agents) / b.rate * float64(time.Second))
	}
	for agent := range b.agents {
		wg.Go(func() {
			var mine []time.Duration
			var got []ID
			due := started.Add(every * time.Duration(agent) / time.Duration(b.agents)) // the agents' schedules staggered
			defer func() {
				mu.Lock()
				latencies, ids = append(latencies, mine...), append(ids, got...)
				mu.Unlock()
			}()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if b.claims > 0 && taken.Add(1) > int64(b.claims) {
					return
				}
				begin := time.Now()
				if every > 0 {
					time.Sleep(time.Until(due))
					begin, due = due, due.Add(every)
				}
				id, found, err := claim(ctx, agent)
				if err != nil {
					mu.Lock()
					if failed == nil {
						failed = fmt.Errorf("agent %d: %w", agent, err)
					}
					mu.Unlock()
					cancel()
					return
				}
				if !found {
					empty.Add(1)
					return
				}
				mine, got = append(mine, time.Since(begin)), append(got, id)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(started)
	if failed != nil {
		return window{}, failed
	}
	if seen != nil {
		for _, id := range ids {
			seen[id]++
		}
	}
	slices.Sort(latencies)
	w := window{Claims: len(latencies), Empty: int(empty.Load()), Seconds: elapsed.Seconds(),
		PerSecond: float64(len(latencies)) / elapsed.Seconds()}
	if len(latencies) > 0 {
		w.P50Millis, w.P99Millis = millis(latencies[len(latencies)/2]), millis(latencies[len(latencies)*99/100])
	}
	return w, nil
}

// target is one of issue 9's targets, measured.
type target struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Goal  string  `json:"goal"`
	Met   bool    `json:"met"`
}

func (s *settings) printDispatchBench(b dispatchBench, windows []window, setup dispatchSetup) error {
	at := func(queue string, level float64) window {
		i := slices.IndexFunc(windows, func(w window) bool { return w.Queue == queue && w.Drained == level })
		return windows[i]
	}
	start, ninety, bare := at("dispatch", 0), at("dispatch", 0.9), at("bare", 0)
	worstP99 := 0.0
	for _, w := range windows {
		if w.Queue == "dispatch" {
			worstP99 = max(worstP99, w.P99Millis)
		}
	}
	doubles := setup.ReturnedTwice + setup.LeadsWithTwoOpenCalls
	targets := []target{
		{Name: "claims/s at start ÷ bare queue at start", Value: start.PerSecond / bare.PerSecond, Goal: fmt.Sprintf("≥ %.2f", targetShareOfBare),
			Met: start.PerSecond >= targetShareOfBare*bare.PerSecond},
		{Name: "claims/s at 90 % drained ÷ at start", Value: ninety.PerSecond / start.PerSecond, Goal: fmt.Sprintf("≥ %.2f", targetRateAtNinety),
			Met: ninety.PerSecond >= targetRateAtNinety*start.PerSecond},
		{Name: "leads claimed twice", Value: float64(doubles), Goal: "0", Met: doubles == 0},
		{Name: "worst claim p99 ms", Value: worstP99, Goal: fmt.Sprintf("≤ %d", targetP99.Milliseconds()), Met: worstP99 <= millis(targetP99)},
	}
	out := map[string]any{"setup": setup, "windows": windows, "targets": targets, "agents": b.agents, "contracts": b.contracts,
		"window_seconds": b.duration.Seconds(), "window_claims": b.claims, "offered_rate": b.rate, "cpus": runtime.NumCPU(), "go": runtime.Version()}
	if s.json {
		return s.print(out, "")
	}
	offered := "back to back"
	if b.rate > 0 {
		offered = fmt.Sprintf("%.0f/s", b.rate)
	}
	if err := s.print(out, "LEADS\tQUEUED\tTENANTS s\tIMPORT s\tFILL s\tAGENTS\tOFFERED\tCONTRACTS\tCPUS",
		[]any{setup.Leads, setup.Queued, fmt.Sprintf("%.1f", setup.FloorSeconds), fmt.Sprintf("%.1f", setup.ImportSeconds),
			fmt.Sprintf("%.1f", setup.FillSeconds), b.agents, offered, b.contracts, runtime.NumCPU()}); err != nil {
		return err
	}
	fmt.Fprintln(s.stdout)
	rows := make([][]any, 0, len(windows))
	for _, w := range windows {
		share := "—"
		if w.Queue == "dispatch" {
			share = fmt.Sprintf("%.1f %%", 100*w.PerSecond/at("bare", w.Drained).PerSecond)
		}
		rows = append(rows, []any{w.Queue, fmt.Sprintf("%.0f %%", 100*w.Drained), w.Depth, w.Claims, w.Empty,
			fmt.Sprintf("%.0f", w.PerSecond), fmt.Sprintf("%.1f", w.P50Millis), fmt.Sprintf("%.1f", w.P99Millis), share})
	}
	if err := s.print(out, "QUEUE\tDRAINED\tDEPTH\tCLAIMS\tEMPTY\tCLAIMS/s\tP50 ms\tP99 ms\tOF BARE", rows...); err != nil {
		return err
	}
	fmt.Fprintf(s.stdout, "\nleads claimed: %d; returned twice: %d; with an open call: %d; with two open calls: %d\n\n",
		setup.Claimed, setup.ReturnedTwice, setup.LeadsWithOpenCall, setup.LeadsWithTwoOpenCalls)
	return s.printTargets(out, targets)
}

// printTargets prints issue 9's targets, measured, as a table (out is
// the whole run's figures, printed instead with --json).
func (s *settings) printTargets(out any, targets []target) error {
	rows := make([][]any, 0, len(targets))
	for _, t := range targets {
		met := "no"
		if t.Met {
			met = "yes"
		}
		rows = append(rows, []any{t.Name, fmt.Sprintf("%.2f", t.Value), t.Goal, met})
	}
	return s.print(out, "TARGET\tMEASURED\tGOAL\tMET", rows...)
}

package execution

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/pacing"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// RollCall is how often an engine looks for campaigns that started or
// stopped running, and for the campaigns whose pacer died elsewhere.
const RollCall = 5 * time.Second

// Wiring is what a campaign's runner is given by the process: its floor,
// its dialer, the number it presents.
type Wiring struct {
	Floor     Floor
	Dialer    dialing.Dialer
	Observed  bool
	CallerIDs CallerIDs
}

// EngineConfig is what an engine needs.
type EngineConfig struct {
	Holder  string // this process's name: host and pid
	Running func(ctx context.Context) ([]Campaign, error)
	Queue   Queue
	Leases  Leases
	Clock   vclock.Clock
	// Wire gives a campaign's runner its floor and dialer; observe is the
	// runner's Observe.
	Wire func(c Campaign, observe func(ev dialing.Event)) (Wiring, error)
	Log  *slog.Logger
}

// Engine runs the campaigns that run, on every process: each process
// tries to pace each running campaign, and the pacer leases let one of
// them do it.
type Engine struct {
	cfg EngineConfig

	mu      sync.Mutex
	runners map[uuid.UUID]*Runner
}

// NewEngine returns an engine, not started.
func NewEngine(cfg EngineConfig) *Engine {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Engine{cfg: cfg, runners: map[uuid.UUID]*Runner{}}
}

// Run calls the roll every RollCall until ctx ends, then stops the
// runners and waits for their calls to end.
func (e *Engine) Run(ctx context.Context) error {
	t := time.NewTicker(RollCall)
	defer t.Stop()
	for {
		e.roll(ctx)
		select {
		case <-ctx.Done():
			e.stopAll()
			return nil
		case <-t.C:
		}
	}
}

// roll starts the runners of the running campaigns this process may pace
// and stops those of the campaigns that stopped; the runners it keeps
// take the campaign's recording setting as it now stands.
func (e *Engine) roll(ctx context.Context) {
	running, err := e.cfg.Running(ctx)
	if err != nil {
		e.cfg.Log.Warn("listing the running campaigns failed", "err", err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	live := map[uuid.UUID]bool{}
	for _, c := range running {
		live[c.ID] = true
		if r := e.runners[c.ID]; r != nil {
			select {
			case <-r.Done(): // it lost its lease: try again
			default:
				r.Recording(c.Record) // the client may turn it on or off while the campaign runs
				continue
			}
		}
		if r := e.start(ctx, c); r != nil {
			e.runners[c.ID] = r
		} else {
			delete(e.runners, c.ID)
		}
	}
	for id, r := range e.runners {
		if !live[id] {
			r.Stop()
			delete(e.runners, id)
		}
	}
}

// start starts a campaign's runner, or returns nil when another process
// paces it or it cannot be wired.
func (e *Engine) start(ctx context.Context, c Campaign) *Runner {
	var r *Runner
	w, err := e.cfg.Wire(c, func(ev dialing.Event) { r.Observe(ev) })
	if err != nil {
		e.cfg.Log.Warn("a running campaign cannot be dialled", "campaign", c.ID, "err", err)
		return nil
	}
	ctx = tenancy.WithPrincipal(context.WithoutCancel(ctx), tenancy.SystemPrincipal(c.Client, "pacer"))
	r = New(ctx, Config{Campaign: c.ID, Mode: c.Mode, Cap: c.Cap(e.cfg.Clock.Now()), Holder: e.cfg.Holder,
		Queue: e.cfg.Queue, Leases: e.cfg.Leases, Floor: w.Floor, Dialer: w.Dialer, Clock: e.cfg.Clock,
		Observed: w.Observed, Controller: pacing.DefaultController(), CallerIDs: w.CallerIDs, Record: c.Record, Log: e.cfg.Log})
	ok, err := r.Start()
	if err != nil {
		e.cfg.Log.Warn("starting a campaign's pacer failed", "campaign", c.ID, "err", err)
	}
	if !ok {
		return nil
	}
	e.cfg.Log.Info("pacing a campaign", "campaign", c.ID, "mode", c.Mode, "holder", e.cfg.Holder)
	return r
}

// StopWait is how long a stopping engine waits for its calls in progress
// to end; the leases of those still going lapse, and the next pacer ends
// them as interrupted.
const StopWait = 30 * time.Second

// stopAll stops every runner and waits, StopWait at most, until their
// calls ended.
func (e *Engine) stopAll() {
	e.mu.Lock()
	runners := make([]*Runner, 0, len(e.runners))
	for _, r := range e.runners {
		r.Stop()
		runners = append(runners, r)
	}
	e.runners = map[uuid.UUID]*Runner{}
	e.mu.Unlock()
	deadline := time.After(StopWait)
	for _, r := range runners {
		select {
		case <-r.Done():
		case <-deadline:
			e.cfg.Log.Warn("calls were still in progress when the engine stopped: their leases will lapse")
			return
		}
	}
}

// Package floorsim runs a call floor in virtual time: simulated agents
// (ready → on a call → wrap-up → ready), the simulator for their callees
// (pkg/dialing/simdial) and the pacing controller (pkg/pacing) ticking
// every second, and counts what happened — dials, live answers, abandons,
// agents' occupancy. Tests sweep it across seeds; `plateau simulate` and
// the engine's dev floor drive the same loop.
//
// It keeps no database and reads no wall clock: a run is a function of its
// Config.
package floorsim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/simdial"
	"github.com/plateau-bpo/plateau/pkg/pacing"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// Config is a floor to run. Zero values take the defaults named.
type Config struct {
	Agents int
	Mode   campaign.DialingMode
	Cap    compliance.AbandonCap
	Seed   uint64
	Start  time.Time      // the virtual start; the callees' local hour drives who answers
	Zone   *time.Location // where the callees live (Europe/Paris)
	Tick   time.Duration  // the controller's tick (1 s)
	// RingTimeout is how long a call rings before it is given up (25 s).
	RingTimeout time.Duration
	Controller  *pacing.Controller // pacing.DefaultController()
	Profile     *simdial.Profile   // simdial.DefaultProfile()
	// Reading is how long an agent reads a lead before dialling it in
	// preview mode (a median of 15 s).
	Reading *simdial.LogNormal
}

// Figures are what happened on the floor so far.
type Figures struct {
	Elapsed   time.Duration
	Dials     int
	Live      int // people who answered: Answered + Abandoned
	Answered  int // people who talked to an agent
	Abandoned int
	Machines  int
	// AbandonRate is Abandoned / Live over the whole run.
	AbandonRate float64
	// Occupancy is the agents' talk and wrap-up time over their logged time.
	Occupancy float64
	// DialsWithoutAgent counts, in preview mode, the dials placed with no
	// agent holding the lead (always 0 unless the floor is broken).
	DialsWithoutAgent int
	MaxConcurrent     int // the most calls in progress at once: ringing, waiting or talking
	Reasons           map[pacing.Reason]int
}

// Floor is a floor being simulated.
type Floor struct {
	cfg   Config
	ctrl  pacing.Controller
	clock *vclock.Virtual
	sim   *simdial.Simulator
	rng   *rand.Rand
	start time.Time
	err   error

	state   pacing.State
	agents  []*agent
	ready   []*agent // agents waiting for a call (or a lead), longest first
	busy    int      // agents on a call or in wrap-up
	calls   map[uuid.UUID]*call
	waiting []*call // people who answered and wait for an agent, first first
	nWait   int     // waiting calls not yet ended
	flying  int     // calls placed, not yet answered nor ended
	talking int
	numbers int

	meter    *pacing.Meter
	fig      Figures
	occupied time.Duration // ended talk and wrap-up, all agents
}

type agentState int

const (
	idle agentState = iota
	reading
	onCall
	wrapping
)

type agent struct {
	state agentState
	since time.Time // start of the current call, while on a call or in wrap-up
}

type call struct {
	c        dialing.Call
	dialedAt time.Time
	agent    *agent // the agent holding the call: bound at the dial in preview mode, at the bridge otherwise
	flying   bool
	waiting  bool
}

// New sets a floor up at cfg.Start, its agents ready.
func New(cfg Config) *Floor {
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
		if paris, err := time.LoadLocation("Europe/Paris"); err == nil {
			cfg.Zone = paris
		}
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Second
	}
	if cfg.RingTimeout <= 0 {
		cfg.RingTimeout = 25 * time.Second
	}
	if cfg.Controller == nil {
		c := pacing.DefaultController()
		cfg.Controller = &c
	}
	if cfg.Profile == nil {
		p := simdial.DefaultProfile()
		cfg.Profile = &p
	}
	if cfg.Reading == nil {
		cfg.Reading = &simdial.LogNormal{Median: 15 * time.Second, Sigma: 0.5, Min: 3 * time.Second}
	}
	f := &Floor{cfg: cfg, ctrl: *cfg.Controller, clock: vclock.NewVirtual(cfg.Start), start: cfg.Start,
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed_f100)), calls: map[uuid.UUID]*call{},
		meter: pacing.NewMeter(cfg.Cap.Window)}
	f.fig.Reasons = map[pacing.Reason]int{}
	f.sim = simdial.New(f.clock, cfg.Seed, simdial.WithProfile(*cfg.Profile),
		simdial.WithLocalHour(simdial.InZone(cfg.Zone)), simdial.WithObserver(f.observe))
	for range cfg.Agents {
		a := &agent{}
		f.agents = append(f.agents, a)
		f.ready = append(f.ready, a)
	}
	f.clock.AfterFunc(cfg.Tick, f.tick)
	return f
}

// Run runs a floor for d of virtual time and returns its figures.
func Run(cfg Config, d time.Duration) (Figures, error) {
	f := New(cfg)
	if err := f.Advance(d); err != nil {
		return Figures{}, err
	}
	return f.Figures(), nil
}

// Advance runs the floor for d more of virtual time and returns the first
// error met on the way (a dial or a bridge the simulator refused).
func (f *Floor) Advance(d time.Duration) error {
	f.clock.Advance(d)
	return f.err
}

// Concurrent counts the calls in progress: ringing, waiting or talking.
func (f *Floor) Concurrent() int { return f.flying + f.nWait + f.talking }

// Figures counts what happened so far.
func (f *Floor) Figures() Figures {
	now := f.clock.Now()
	fig := f.fig
	fig.Reasons = make(map[pacing.Reason]int, len(f.fig.Reasons))
	for r, n := range f.fig.Reasons {
		fig.Reasons[r] = n
	}
	fig.Elapsed = now.Sub(f.start)
	fig.Live = fig.Answered + fig.Abandoned
	if fig.Live > 0 {
		fig.AbandonRate = float64(fig.Abandoned) / float64(fig.Live)
	}
	occupied := f.occupied
	for _, a := range f.agents {
		if a.state == onCall || a.state == wrapping {
			occupied += now.Sub(a.since)
		}
	}
	if logged := fig.Elapsed * time.Duration(len(f.agents)); logged > 0 {
		fig.Occupancy = float64(occupied) / float64(logged)
	}
	return fig
}

// pacingFigures are the controller's inputs, as an engine would read them.
func (f *Floor) pacingFigures() pacing.Figures {
	fig := pacing.Figures{Mode: f.cfg.Mode, Ready: len(f.ready), Busy: f.busy, InFlight: f.flying, Waiting: f.nWait, Cap: f.cfg.Cap}
	f.meter.Fill(&fig, f.clock.Now())
	return fig
}

// tick asks the controller and places the calls it says.
func (f *Floor) tick() {
	var d pacing.Decision
	d, f.state = f.ctrl.Tick(f.state, f.pacingFigures())
	f.fig.Reasons[d.Reason]++
	for range d.Calls {
		if d.Mode != campaign.Preview {
			f.dial(nil)
			continue
		}
		if len(f.ready) == 0 {
			break
		}
		a := f.popReady()
		a.state = reading
		f.clock.AfterFunc(f.cfg.Reading.Draw(f.rng), func() { f.dial(a) })
	}
	f.clock.AfterFunc(f.cfg.Tick, f.tick)
}

// dial places a call, held by a when it is a preview agent's.
func (f *Floor) dial(a *agent) {
	if a == nil && f.cfg.Mode == campaign.Preview || a != nil && a.state != reading {
		f.fig.DialsWithoutAgent++
	}
	id := uuid.UUID{}
	for i := range 2 {
		v := f.rng.Uint64()
		for j := range 8 {
			id[8*i+j] = byte(v >> (8 * j))
		}
	}
	f.numbers++
	to := fmt.Sprintf("+336%08d", f.numbers%100_000_000)
	c := &call{dialedAt: f.clock.Now(), agent: a, flying: true}
	f.calls[id] = c
	f.flying++
	f.fig.Dials++
	dc, err := f.sim.Dial(context.Background(), dialing.Dial{CallID: id, To: to, RingTimeout: f.cfg.RingTimeout})
	if err != nil {
		f.fail(err)
		return
	}
	c.c = dc
	f.fig.MaxConcurrent = max(f.fig.MaxConcurrent, f.Concurrent())
}

func (f *Floor) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

// observe is the simulator's event, at its virtual time.
func (f *Floor) observe(e dialing.Event) {
	c := f.calls[e.CallID]
	if c == nil {
		return
	}
	switch e.Kind {
	case dialing.EventAnswered:
		c.flying = false
		f.flying--
		if e.Machine {
			f.meter.Unanswered()
			if err := c.c.Hangup(context.Background()); err != nil { // the engine's answering-machine detection
				f.fail(err)
			}
			return
		}
		f.meter.Answered(e.At, e.At.Sub(c.dialedAt))
		switch {
		case c.agent != nil:
			f.bridge(c, c.agent)
		case len(f.ready) > 0:
			f.bridge(c, f.popReady())
		default:
			c.waiting = true
			f.waiting = append(f.waiting, c)
			f.nWait++
		}
	case dialing.EventEnded:
		delete(f.calls, e.CallID)
		if c.flying {
			c.flying = false
			f.flying--
			f.meter.Unanswered()
		}
		switch e.Result {
		case dialing.Abandoned:
			f.fig.Abandoned++
			f.meter.Abandoned(e.At)
			if c.waiting {
				c.waiting = false
				f.nWait--
			}
		case dialing.Machine:
			f.fig.Machines++
		case dialing.Answered:
			f.talking--
			f.wrapUp(c.agent)
			return
		}
		if c.agent != nil { // a preview agent's call that reached nobody
			f.becomeReady(c.agent)
		}
	}
}

func (f *Floor) bridge(c *call, a *agent) {
	if err := c.c.Bridge(context.Background(), dialing.Endpoint{}); err != nil {
		f.fail(err)
		return
	}
	c.agent = a
	a.state, a.since = onCall, f.clock.Now()
	f.busy++
	f.talking++
	f.fig.Answered++
	f.fig.MaxConcurrent = max(f.fig.MaxConcurrent, f.Concurrent())
}

// wrapUp starts an agent's wrap-up after a call; it ends at a drawn time.
func (f *Floor) wrapUp(a *agent) {
	a.state = wrapping
	f.clock.AfterFunc(f.cfg.Profile.Wrap.Draw(f.rng), func() {
		handled := f.clock.Now().Sub(a.since)
		f.occupied += handled
		f.meter.Handled()
		f.busy--
		f.becomeReady(a)
	})
}

// becomeReady takes the oldest person waiting, else joins the ready queue.
func (f *Floor) becomeReady(a *agent) {
	a.state = idle
	for len(f.waiting) > 0 {
		c := f.waiting[0]
		f.waiting = f.waiting[1:]
		if !c.waiting { // abandoned meanwhile
			continue
		}
		c.waiting = false
		f.nWait--
		f.bridge(c, a)
		return
	}
	f.ready = append(f.ready, a)
}

func (f *Floor) popReady() *agent {
	a := f.ready[0]
	f.ready = f.ready[1:]
	return a
}

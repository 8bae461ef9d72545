// Package simfloor is a floor of simulated agents for the execution
// engine: they are ready, take the calls the engine connects, wrap up for
// a drawn time and write a drawn outcome through the same use case a
// person's workspace calls, then are ready again. It powers `plateau
// simulate` and the demo floor of `plateau dev`.
package simfloor

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/simdial"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/execution"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// Outcome is what a simulated agent writes after a conversation.
type Outcome struct {
	Disposition script.Disposition
	CallbackAt  *time.Time // for a callback: the callee asked to be called then
}

// Disposer writes an agent's outcome of the call of c.
type Disposer func(ctx context.Context, a execution.Agent, c dispatch.Claim, o Outcome) error

// Mix is the share of each outcome among conversations.
type Mix map[script.Disposition]float64

// DefaultMix is an outbound sales floor's day: most people decline, one in
// eight buys, some ask to be called back.
var DefaultMix = Mix{
	script.Sale:          0.12,
	script.Callback:      0.12,
	script.Refused:       0.40,
	script.NotReachable:  0.20,
	script.WrongNumber:   0.06,
	script.DoNotCall:     0.04,
	script.QualifiedLead: 0.06,
}

// Floor is the simulated agents of one campaign.
type Floor struct {
	clock   vclock.Clock
	wrap    simdial.LogNormal
	mix     []weighted
	dispose Disposer
	log     *slog.Logger

	mu     sync.Mutex
	rng    *rand.Rand
	agents map[uuid.UUID]*agent
	order  []uuid.UUID
}

type weighted struct {
	d script.Disposition
	w float64
}

type state int

const (
	ready state = iota
	reserved
	talking
	wrapping
)

type agent struct {
	execution.Agent
	state state
}

// New returns a floor of agents, all ready, on clock; seed draws their
// wrap-up times and outcomes.
func New(clock vclock.Clock, seed uint64, agents []execution.Agent, mix Mix, dispose Disposer, log *slog.Logger) *Floor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &Floor{clock: clock, wrap: simdial.DefaultProfile().Wrap, dispose: dispose, log: log,
		rng: rand.New(rand.NewPCG(seed, 0xf100_a6e7)), agents: map[uuid.UUID]*agent{}}
	for _, d := range script.Dispositions { // a fixed order: the same seed gives the same draws
		if w := mix[d]; w > 0 {
			f.mix = append(f.mix, weighted{d, w})
		}
	}
	for _, a := range agents {
		f.agents[a.ID] = &agent{Agent: a}
		f.order = append(f.order, a.ID)
	}
	return f
}

// Ready lists the agents ready now, in a fixed order.
func (f *Floor) Ready(context.Context, uuid.UUID) ([]execution.Agent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []execution.Agent
	for _, id := range f.order {
		if a := f.agents[id]; a.state == ready {
			out = append(out, a.Agent)
		}
	}
	return out, nil
}

// Reserved puts the agent aside for a call dialled for it.
func (f *Floor) Reserved(_ context.Context, a execution.Agent, _ dispatch.Claim) {
	f.set(a.ID, reserved)
}

// Connected puts the agent on the call.
func (f *Floor) Connected(_ context.Context, a execution.Agent, _ dispatch.Claim) {
	f.set(a.ID, talking)
}

// Ended frees the agent, after a wrap-up and its outcome when a person
// talked to it.
func (f *Floor) Ended(ctx context.Context, a execution.Agent, c dispatch.Claim, result dialing.Result) {
	if result != dialing.Answered {
		f.set(a.ID, ready)
		return
	}
	f.mu.Lock()
	f.agents[a.ID].state = wrapping
	wrap := f.wrap.Draw(f.rng)
	o := f.draw()
	f.mu.Unlock()
	f.clock.AfterFunc(wrap, func() {
		if o.Disposition == script.Callback {
			at := f.clock.Now().Add(24 * time.Hour)
			o.CallbackAt = &at
		}
		if err := f.dispose(ctx, a, c, o); err != nil {
			f.log.Warn("a simulated agent's outcome was refused", "call", c.Call.ID, "outcome", o.Disposition, "err", err)
		}
		f.set(a.ID, ready)
	})
}

func (f *Floor) set(id uuid.UUID, s state) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.agents[id].state = s
}

// draw picks an outcome from the mix (f.mu held).
func (f *Floor) draw() Outcome {
	total := 0.0
	for _, w := range f.mix {
		total += w.w
	}
	u := f.rng.Float64() * total
	for _, w := range f.mix {
		if u < w.w {
			return Outcome{Disposition: w.d}
		}
		u -= w.w
	}
	return Outcome{Disposition: f.mix[len(f.mix)-1].d}
}

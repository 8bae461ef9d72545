// Package simdial is the simulator adapter of the dialing.Dialer port: it
// places make-believe calls whose outcomes and durations are drawn from a
// Profile, on a vclock.Clock — the wall clock for `plateau dev`, a virtual
// one for tests, benchmarks and `plateau simulate`, where hours run in
// milliseconds.
//
// A run is deterministic per seed on the virtual clock: the n-th call
// dialled draws from its own generator (PCG seeded with the seed and n),
// so what a call does depends on the seed and its rank only, not on the
// interleaving of other calls.
//
// Dial.Record is ignored: a simulated call has no audio, and its end
// carries no recording.
//
// The simulator owns the abandon: a person who answers and is not bridged
// within dialing.AbandonDelay hears the identification message and the
// call ends as dialing.Abandoned. The engine only bridges or hangs up.
//
// It imports the dialing port, vclock and phone (for the callee's zone);
// no SIP, no database.
package simdial

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// CallerID is the number simulated calls present: one of France's NPV
// ranges, which French prospecting calls must present (the rule sets'
// caller-id rule), so that every campaign may run on the simulator.
const CallerID = "+33948000001"

// MinRingTimeout is the shortest ring timeout a dial may ask for: a call
// must ring 15 s before it is given up (16 CFR 310.4(b)(1)(iv)).
const MinRingTimeout = 15 * time.Second

// DefaultRingTimeout applies when a dial gives none.
const DefaultRingTimeout = 25 * time.Second

// Simulator is a Dialer whose callees are drawn at random.
type Simulator struct {
	clock     vclock.Clock
	seed      uint64
	profile   Profile
	localHour func(to string, at time.Time) int
	observe   func(dialing.Event)

	mu   sync.Mutex
	rank uint64
}

// Option sets up a Simulator.
type Option func(*Simulator)

// WithProfile replaces DefaultProfile.
func WithProfile(p Profile) Option { return func(s *Simulator) { s.profile = p } }

// WithLocalHour says the callee's local hour at a time; by default it is
// read from the number's first time zone (UTC when it has none).
func WithLocalHour(f func(to string, at time.Time) int) Option {
	return func(s *Simulator) { s.localHour = f }
}

// InZone is a WithLocalHour for callees who all live in loc.
func InZone(loc *time.Location) func(string, time.Time) int {
	return func(_ string, at time.Time) int { return at.In(loc).Hour() }
}

// WithObserver passes every event to f as well as to its call's channel,
// at its time and in order, from the goroutine that moves the clock: on
// the virtual clock, f may bridge or hang up at once, before the clock
// moves on. f must not block.
func WithObserver(f func(dialing.Event)) Option { return func(s *Simulator) { s.observe = f } }

// New returns a simulator drawing from seed on clock.
func New(clock vclock.Clock, seed uint64, opts ...Option) *Simulator {
	s := &Simulator{clock: clock, seed: seed, profile: DefaultProfile(), localHour: zoneHour}
	for _, o := range opts {
		o(s)
	}
	return s
}

// zoneHour is the callee's local hour in the first zone of its number.
func zoneHour(to string, at time.Time) int {
	if n, err := phone.Parse(to, ""); err == nil {
		if locs, err := n.Locations(""); err == nil {
			return at.In(locs[0]).Hour()
		}
	}
	return at.UTC().Hour()
}

// Profile is the behaviour the simulator draws from.
func (s *Simulator) Profile() Profile { return s.profile }

// state is where a simulated call stands.
type state int

const (
	ringing state = iota // dialled, not answered
	machine              // an answering machine took it
	waiting              // a person answered, no agent yet
	bridged              // talking to an agent
	ended
)

type call struct {
	sim    *Simulator
	id     uuid.UUID
	events chan dialing.Event
	talk   time.Duration

	mu      sync.Mutex
	state   state
	next    vclock.Timer    // the step the callee takes next
	step    uint64          // counts the steps set: a step stopped too late sees it moved on
	pending []dialing.Event // for the observer, once c.mu is released
}

// Dial places a simulated call. Its outcome is drawn now; its events come
// at their times on the simulator's clock.
func (s *Simulator) Dial(ctx context.Context, d dialing.Dial) (dialing.Call, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	timeout := d.RingTimeout
	if timeout == 0 {
		timeout = DefaultRingTimeout
	}
	if timeout < MinRingTimeout {
		return nil, apperr.New(apperr.Invalid, "dialing.ring_timeout.too_short",
			"a call must ring at least %s before it is given up (got %s)", MinRingTimeout, timeout)
	}
	s.mu.Lock()
	s.rank++
	r := rand.New(rand.NewPCG(s.seed, s.rank))
	s.mu.Unlock()

	p := s.profile
	o := p.Outcomes(s.localHour(d.To, s.clock.Now()))
	setup := p.Setup.Draw(r)
	answer := p.Answer.Draw(r)
	c := &call{sim: s, id: d.CallID, events: make(chan dialing.Event, 3), talk: p.Talk.Draw(r)}
	c.mu.Lock()
	defer c.mu.Unlock()
	u := r.Float64()
	switch {
	case u < o.Failed:
		c.after(p.Setup.Draw(r), func() { c.end(dialing.Failed, "sim: 503 Service Unavailable") })
	case u < o.Failed+o.Busy:
		c.after(setup, func() { c.end(dialing.Busy, "sim: 486 Busy Here") })
	case u < o.Failed+o.Busy+o.Rejected:
		reject := min(p.Reject.Draw(r), timeout)
		c.ring(setup, reject, func() { c.end(dialing.Rejected, "sim: 603 Decline") })
	case u < o.Failed+o.Busy+o.Rejected+o.Machine && answer < timeout:
		greeting := p.Machine.Draw(r)
		c.ring(setup, answer, func() {
			c.state = machine
			c.emit(dialing.Event{Kind: dialing.EventAnswered, Machine: true})
			c.after(greeting, func() { c.end(dialing.Machine, "sim: answering machine hung up") })
		})
	case u < o.Failed+o.Busy+o.Rejected+o.Machine+o.Human && answer < timeout:
		c.ring(setup, answer, func() {
			c.state = waiting
			c.emit(dialing.Event{Kind: dialing.EventAnswered})
			c.after(dialing.AbandonDelay, func() {
				c.end(dialing.Abandoned, "sim: no agent within 2 s; identification message played")
			})
		})
	default:
		c.ring(setup, timeout, func() { c.end(dialing.NoAnswer, "ring timeout") })
	}
	return c, nil
}

// ring rings after setup, then takes the step then after ringing for d.
func (c *call) ring(setup, d time.Duration, then func()) {
	c.after(setup, func() {
		c.emit(dialing.Event{Kind: dialing.EventRinging})
		c.after(d, then)
	})
}

// after sets the call's next step (c.mu held when called; held while the
// step runs). A step replaced meanwhile (a bridge stops the abandon, but on
// the wall clock its timer may already be waiting for the lock) or a call
// that ended takes no more steps.
func (c *call) after(d time.Duration, step func()) {
	c.step++
	n := c.step
	c.next = c.sim.clock.AfterFunc(d, func() {
		c.mu.Lock()
		if c.state == ended || c.step != n {
			c.mu.Unlock()
			return
		}
		step()
		c.mu.Unlock()
		c.flush()
	})
}

// emit queues an event on the call's channel (c.mu held); its buffer holds
// every event a call can have, so this never blocks.
func (c *call) emit(e dialing.Event) {
	e.CallID, e.At = c.id, c.sim.clock.Now()
	c.events <- e
	if c.sim.observe != nil {
		c.pending = append(c.pending, e)
	}
}

// end ends the call (c.mu held) and closes its channel.
func (c *call) end(r dialing.Result, cause string) {
	c.state = ended
	if c.next != nil {
		c.next.Stop()
	}
	c.emit(dialing.Event{Kind: dialing.EventEnded, Result: r, Cause: cause})
	close(c.events)
}

// flush passes the queued events to the observer, without c.mu held so
// that it may bridge or hang up.
func (c *call) flush() {
	if c.sim.observe == nil {
		return
	}
	c.mu.Lock()
	events := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, e := range events {
		c.sim.observe(e)
	}
}

// ID is the call's Plateau id.
func (c *call) ID() uuid.UUID { return c.id }

// Events carries the call's events; it is closed after EventEnded.
func (c *call) Events() <-chan dialing.Event { return c.events }

// Bridge puts the waiting callee through to the agent: the call is then
// answered, and ends when the callee hangs up after the talk time drawn
// at the dial (or at Hangup). It fails when no person is waiting: not yet
// answered, a machine, already bridged, or abandoned.
func (c *call) Bridge(_ context.Context, _ dialing.Endpoint) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != waiting {
		return apperr.New(apperr.Conflict, "dialing.bridge.nobody_waiting", "call %s has no person waiting for an agent", c.id)
	}
	c.next.Stop()
	c.state = bridged
	c.after(c.talk, func() { c.end(dialing.Answered, "sim: BYE from the callee") })
	return nil
}

// Hangup ends the call: before an answer it was not answered; a person
// waiting with no agent was abandoned; a call that ended stays as it was.
func (c *call) Hangup(context.Context) error {
	c.mu.Lock()
	switch c.state {
	case ringing:
		c.end(dialing.NoAnswer, "sim: CANCEL by Plateau")
	case machine:
		c.end(dialing.Machine, "sim: BYE from Plateau")
	case waiting:
		c.end(dialing.Abandoned, "sim: BYE from Plateau before an agent took the call")
	case bridged:
		c.end(dialing.Answered, "sim: BYE from Plateau")
	}
	c.mu.Unlock()
	c.flush()
	return nil
}

// Package routing is the dialing.Dialer that places each call through the
// SIP trunks of the center that claimed it: it loads a center's trunks
// through a port, opens one line (a dialer) per trunk, and picks the
// trunk for each call — the first added that allows the caller id and
// has room, passing over a trunk that just failed, so that a campaign
// keeps its pace on a center's other trunks while one is down. When every
// trunk of a center rests, its calls are refused at once with their
// causes: the engine then holds the campaign back (execution.DialerBackoff)
// rather than spend its leads on trunks that fail them.
//
// It imports dialing, apperr and uuid; the store and SIP come in through
// its Config's functions.
package routing

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
)

// Trunk is one of a center's trunks in service.
type Trunk struct {
	ID    uuid.UUID
	Name  string
	Trunk dialing.Trunk
}

// Line is a dialer on one trunk.
type Line interface {
	dialing.Dialer
	Close() error
}

// Defaults of a Config.
const (
	DefaultRefresh = 30 * time.Second // how long a center's list of trunks is trusted
	DefaultRest    = time.Minute      // how long a trunk that failed is passed over
)

// Config is what a Router needs.
type Config struct {
	// Trunks lists a center's trunks in service, the first added first.
	Trunks func(ctx context.Context, centerID uuid.UUID) ([]Trunk, error)
	// Open starts a line on a trunk; the line lives until ctx (New's) ends
	// or the router closes it.
	Open func(ctx context.Context, t dialing.Trunk) (Line, error)
	// Refresh is how long a center's list of trunks is trusted before it
	// is read again (a trunk added or removed); DefaultRefresh when zero.
	Refresh time.Duration
	// Rest is how long a trunk that failed a call before it rang is passed
	// over; DefaultRest when zero.
	Rest time.Duration
	Now  func() time.Time // time.Now when nil
	Log  *slog.Logger     // slog.Default() when nil
}

// Router places calls through the trunks of the center that claimed them.
// It is safe for concurrent use.
type Router struct {
	cfg Config
	ctx context.Context

	mu      sync.Mutex
	centers map[uuid.UUID]*center
	lines   map[uuid.UUID]Line
	resting map[uuid.UUID]rest // a trunk's id → until when it is passed over, and why
}

// rest is a trunk passed over after it failed a call.
type rest struct {
	until time.Time
	cause string
}

// center is a center's trunks as last read.
type center struct {
	trunks []Trunk
	read   time.Time
}

// New returns a router whose lines live until ctx ends or Close.
func New(ctx context.Context, cfg Config) *Router {
	if cfg.Refresh == 0 {
		cfg.Refresh = DefaultRefresh
	}
	if cfg.Rest == 0 {
		cfg.Rest = DefaultRest
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Router{cfg: cfg, ctx: ctx, centers: map[uuid.UUID]*center{}, lines: map[uuid.UUID]Line{},
		resting: map[uuid.UUID]rest{}}
}

// Dial places d through a trunk of d.CenterID: the first, in the order
// the center added them, that allows the caller id (an empty caller id
// takes the trunk's first), is not at rest, and accepts the call. A trunk
// that refuses the call passes it to the next; when every trunk refuses
// or rests, the error names each one's reason.
func (r *Router) Dial(ctx context.Context, d dialing.Dial) (dialing.Call, error) {
	if d.CenterID == uuid.Nil {
		return nil, apperr.New(apperr.Internal, "routing.no_center", "the call names no center whose trunks could carry it")
	}
	trunks, err := r.trunksOf(ctx, d.CenterID)
	if err != nil {
		return nil, err
	}
	if len(trunks) == 0 {
		return nil, apperr.New(apperr.Unavailable, "routing.no_trunk", "the center has no SIP trunk in service: a supervisor adds one under the center's trunks")
	}
	ready, refusals := r.order(trunks, d.CallerID)
	for _, t := range ready {
		line, err := r.line(t)
		if err == nil {
			dial := d
			if dial.CallerID == "" {
				dial.CallerID = t.Trunk.CallerIDs[0]
			}
			var c dialing.Call
			if c, err = line.Dial(ctx, dial); err == nil {
				return r.watch(t, c), nil
			}
		}
		if !apperr.Is(err, apperr.TooMany) { // a full trunk is working, not failing
			r.rest(t, err)
		}
		refusals = append(refusals, t.Name+": "+err.Error())
	}
	if len(refusals) == 0 {
		return nil, apperr.New(apperr.Unavailable, "routing.caller_id", "no trunk of the center allows the caller id %s", d.CallerID)
	}
	return nil, apperr.New(apperr.Unavailable, "routing.refused", "every trunk of the center refused the call or rests after failing one (%s)", strings.Join(refusals, "; "))
}

// CallerID is the number the center's next call presents, the one its
// claim's compliance decision sees: the first of the first trunk not at
// rest (of the first trunk when all rest, whose call will say why); ""
// for a center without trunks, whose call is refused with why.
func (r *Router) CallerID(ctx context.Context, centerID uuid.UUID) (string, error) {
	trunks, err := r.trunksOf(ctx, centerID)
	if err != nil || len(trunks) == 0 {
		return "", err
	}
	if ready, _ := r.order(trunks, ""); len(ready) > 0 {
		return ready[0].Trunk.CallerIDs[0], nil
	}
	for _, t := range trunks {
		if len(t.Trunk.CallerIDs) > 0 {
			return t.Trunk.CallerIDs[0], nil
		}
	}
	return "", nil
}

// Close closes every line, hanging up their calls.
func (r *Router) Close() error {
	r.mu.Lock()
	lines := r.lines
	r.lines = map[uuid.UUID]Line{}
	r.mu.Unlock()
	var errs []error
	for _, l := range lines {
		errs = append(errs, l.Close())
	}
	return errors.Join(errs...)
}

// trunksOf is a center's trunks, read again once Refresh has passed; the
// lines of the trunks it no longer has are closed.
func (r *Router) trunksOf(ctx context.Context, centerID uuid.UUID) ([]Trunk, error) {
	now := r.cfg.Now()
	r.mu.Lock()
	c, ok := r.centers[centerID]
	r.mu.Unlock()
	if ok && now.Sub(c.read) < r.cfg.Refresh {
		return c.trunks, nil
	}
	trunks, err := r.cfg.Trunks(ctx, centerID)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if ok {
		for _, gone := range c.trunks {
			if !slices.ContainsFunc(trunks, func(t Trunk) bool { return t.ID == gone.ID }) {
				r.closeLine(gone)
			}
		}
	}
	r.centers[centerID] = &center{trunks: trunks, read: now}
	return trunks, nil
}

// order is the trunks allowing callerID that are not at rest, and why
// each of the others at rest is.
func (r *Router) order(trunks []Trunk, callerID string) (ready []Trunk, resting []string) {
	now := r.cfg.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range trunks {
		held := r.resting[t.ID]
		switch {
		case callerID != "" && !t.Trunk.Allows(callerID), len(t.Trunk.CallerIDs) == 0:
			// The trunk would refuse the number presented: not a candidate.
		case now.Before(held.until):
			resting = append(resting, t.Name+": "+held.cause)
		default:
			ready = append(ready, t)
		}
	}
	return ready, resting
}

// line is the trunk's line, opened on first use.
func (r *Router) line(t Trunk) (Line, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.lines[t.ID]; ok {
		return l, nil
	}
	l, err := r.cfg.Open(r.ctx, t.Trunk)
	if err != nil {
		return nil, err
	}
	r.lines[t.ID] = l
	return l, nil
}

// closeLine closes a removed trunk's line in the background: its calls in
// progress are hung up, and nothing waits for them. r.mu is held.
func (r *Router) closeLine(t Trunk) {
	l, ok := r.lines[t.ID]
	if !ok {
		return
	}
	delete(r.lines, t.ID)
	go func() {
		if err := l.Close(); err != nil {
			r.cfg.Log.Warn("closing the line of a removed trunk", "trunk", t.Name, "err", err)
		}
	}()
}

// rest passes over a trunk for Rest after it failed a call.
func (r *Router) rest(t Trunk, cause error) {
	r.mu.Lock()
	r.resting[t.ID] = rest{until: r.cfg.Now().Add(r.cfg.Rest), cause: cause.Error()}
	r.mu.Unlock()
	r.cfg.Log.Warn("a SIP trunk failed a call; the center's other trunks take the next ones",
		"trunk", t.Name, "host", t.Trunk.Host, "rest", r.cfg.Rest, "cause", cause)
}

// watch relays a call's events, and puts its trunk at rest when the call
// failed before it rang (a trunk that stopped answering, or that answers
// 5xx): the next calls go to the center's other trunks.
func (r *Router) watch(t Trunk, c dialing.Call) dialing.Call {
	out := make(chan dialing.Event, 4)
	go func() {
		defer close(out)
		heard := false
		for ev := range c.Events() {
			if ev.Kind != dialing.EventEnded {
				heard = true
			} else if ev.Result == dialing.Failed && !heard {
				r.rest(t, errors.New(ev.Cause))
			}
			out <- ev
		}
	}()
	return watched{Call: c, events: out}
}

// watched is a call whose events pass through the router.
type watched struct {
	dialing.Call
	events chan dialing.Event
}

func (w watched) Events() <-chan dialing.Event { return w.events }

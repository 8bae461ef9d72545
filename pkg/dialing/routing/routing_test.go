package routing_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/routing"
)

// line is a fake trunk's dialer: refuse refuses each Dial with its error,
// dead ends each call failed before it rings.
type line struct {
	host   string
	refuse error
	dead   bool

	mu     sync.Mutex
	dials  []dialing.Dial
	closed bool
}

func (l *line) Dial(_ context.Context, d dialing.Dial) (dialing.Call, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dials = append(l.dials, d)
	if l.refuse != nil {
		return nil, l.refuse
	}
	events := make(chan dialing.Event, 2)
	if l.dead {
		events <- dialing.Event{CallID: d.CallID, Kind: dialing.EventEnded, Result: dialing.Failed, Cause: "no response from the trunk within 5s"}
	} else {
		events <- dialing.Event{CallID: d.CallID, Kind: dialing.EventRinging}
		events <- dialing.Event{CallID: d.CallID, Kind: dialing.EventEnded, Result: dialing.NoAnswer, Cause: "ring timeout"}
	}
	close(events)
	return call{id: d.CallID, events: events}, nil
}

func (l *line) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return nil
}

func (l *line) placed() []dialing.Dial {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]dialing.Dial(nil), l.dials...)
}

type call struct {
	id     uuid.UUID
	events chan dialing.Event
}

func (c call) ID() uuid.UUID                                  { return c.id }
func (c call) Events() <-chan dialing.Event                   { return c.events }
func (c call) Bridge(context.Context, dialing.Endpoint) error { return nil }
func (c call) Hangup(context.Context) error                   { return nil }

var (
	atlas = uuid.MustParse("00000000-0000-7000-8000-00000000a71a")
	rival = uuid.MustParse("00000000-0000-7000-8000-0000000000b2")
	paris = "+33180000000"
	lyon  = "+33480000000"
	t0    = time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC)
)

// floor is a router on fake lines, one per trunk host, with a clock the
// test moves.
type floor struct {
	router *routing.Router
	lines  map[string]*line
	trunks map[uuid.UUID][]routing.Trunk
	now    time.Time
	mu     sync.Mutex
}

func newFloor(t *testing.T, lines ...*line) *floor {
	f := &floor{lines: map[string]*line{}, trunks: map[uuid.UUID][]routing.Trunk{}, now: t0}
	for _, l := range lines {
		f.lines[l.host] = l
	}
	f.router = routing.New(t.Context(), routing.Config{
		Trunks: func(_ context.Context, center uuid.UUID) ([]routing.Trunk, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.trunks[center], nil
		},
		Open: func(_ context.Context, tr dialing.Trunk) (routing.Line, error) { return f.lines[tr.Host], nil },
		Now: func() time.Time {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.now
		},
	})
	return f
}

func (f *floor) add(center uuid.UUID, name, host string, callerIDs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trunks[center] = append(f.trunks[center], routing.Trunk{ID: uuid.New(), Name: name,
		Trunk: dialing.Trunk{Host: host, CallerIDs: callerIDs, MaxConcurrent: 10, CallsPerSecond: 10}})
}

func (f *floor) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// dial places a call of center and waits for its end.
func (f *floor) dial(t *testing.T, center uuid.UUID, callerID string) (dialing.Event, error) {
	t.Helper()
	c, err := f.router.Dial(t.Context(), dialing.Dial{CallID: uuid.New(), CenterID: center, To: "+33612345678", CallerID: callerID})
	if err != nil {
		return dialing.Event{}, err
	}
	var last dialing.Event
	for ev := range c.Events() {
		last = ev
	}
	return last, nil
}

func TestACallGoesThroughItsCentersTrunks(t *testing.T) {
	main, other := &line{host: "main.atlas"}, &line{host: "rival"}
	f := newFloor(t, main, other)
	f.add(atlas, "Main", "main.atlas", paris)
	f.add(rival, "Rival", "rival", paris)
	if end, err := f.dial(t, atlas, ""); err != nil || end.Result != dialing.NoAnswer {
		t.Fatalf("Atlas's call: %+v %v", end, err)
	}
	if got := main.placed(); len(got) != 1 || got[0].CallerID != paris {
		t.Errorf("Atlas's trunk placed %+v, want one call presenting its number", got)
	}
	if n := len(other.placed()); n != 0 {
		t.Errorf("another center's trunk placed %d of Atlas's calls", n)
	}
	_, err := f.dial(t, uuid.New(), "")
	if e := apperr.As(err); e == nil || e.Code != "routing.no_trunk" {
		t.Errorf("a center without trunks: %v", err)
	}
	_, err = f.dial(t, atlas, lyon)
	if e := apperr.As(err); e == nil || e.Code != "routing.caller_id" {
		t.Errorf("a caller id no trunk allows: %v", err)
	}
}

// TestACentersCallsPresentTheNumberOfItsTrunkInService: the number a
// claim presents is the first of the center's first trunk not at rest.
func TestACentersCallsPresentTheNumberOfItsTrunkInService(t *testing.T) {
	dead, live := &line{host: "dead", dead: true}, &line{host: "live"}
	f := newFloor(t, dead, live)
	f.add(atlas, "Dead", "dead", paris)
	f.add(atlas, "Live", "live", lyon)
	number := func(center uuid.UUID) string {
		t.Helper()
		n, err := f.router.CallerID(t.Context(), center)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := number(atlas); n != paris {
		t.Errorf("Atlas presents %q, want its first trunk's %s", n, paris)
	}
	if _, err := f.dial(t, atlas, paris); err != nil { // the first trunk fails it, and rests
		t.Fatal(err)
	}
	if n := number(atlas); n != lyon {
		t.Errorf("with its first trunk at rest Atlas presents %q, want %s", n, lyon)
	}
	if n := number(rival); n != "" {
		t.Errorf("a center without trunks presents %q", n)
	}
}

func TestADeadTrunkIsPassedOverForALiveOne(t *testing.T) {
	dead, live := &line{host: "dead", dead: true}, &line{host: "live"}
	f := newFloor(t, dead, live)
	f.add(atlas, "Dead", "dead", paris)
	f.add(atlas, "Live", "live", paris)
	// The first call tries the first trunk, which fails it with the cause.
	end, err := f.dial(t, atlas, paris)
	if err != nil || end.Result != dialing.Failed || !strings.Contains(end.Cause, "no response") {
		t.Fatalf("the call on the dead trunk: %+v %v", end, err)
	}
	// The next ones go to the live trunk while the dead one rests.
	for range 3 {
		if end, err := f.dial(t, atlas, paris); err != nil || end.Result != dialing.NoAnswer {
			t.Fatalf("a call after the dead trunk failed: %+v %v", end, err)
		}
	}
	if d, l := len(dead.placed()), len(live.placed()); d != 1 || l != 3 {
		t.Errorf("dead trunk placed %d, live %d; want 1 and 3", d, l)
	}
	// Its rest over, the first trunk is tried again.
	f.advance(routing.DefaultRest + time.Second)
	if _, err := f.dial(t, atlas, paris); err != nil {
		t.Fatal(err)
	}
	if d := len(dead.placed()); d != 2 {
		t.Errorf("after its rest the first trunk placed %d calls, want 2", d)
	}
}

// A center whose only trunk is dead: its first call fails with the cause;
// the next ones are refused at once, saying why, so that the engine holds
// the campaign back; once the rest is over the trunk is tried again.
func TestACenterWhoseTrunksAllRestHasItsCallsRefused(t *testing.T) {
	dead := &line{host: "dead", dead: true}
	f := newFloor(t, dead)
	f.add(atlas, "Dead", "dead", paris)
	if end, err := f.dial(t, atlas, paris); err != nil || end.Result != dialing.Failed {
		t.Fatalf("the first call: %+v %v", end, err)
	}
	_, err := f.dial(t, atlas, paris)
	if e := apperr.As(err); e == nil || e.Code != "routing.refused" || !strings.Contains(e.Error(), "Dead: no response from the trunk") {
		t.Fatalf("a call while the only trunk rests: %v, want refused with its cause", err)
	}
	if n := len(dead.placed()); n != 1 {
		t.Errorf("the resting trunk placed %d calls, want 1", n)
	}
	f.advance(routing.DefaultRest)
	if _, err := f.dial(t, atlas, paris); err != nil || len(dead.placed()) != 2 {
		t.Errorf("after its rest: %v, %d calls placed, want 2", err, len(dead.placed()))
	}
}

func TestARefusedCallPassesToTheNextTrunk(t *testing.T) {
	full := &line{host: "full", refuse: apperr.New(apperr.TooMany, "sip_trunk.full", "the trunk already carries its 10 concurrent calls")}
	down := &line{host: "down", refuse: errors.New("503 Service Unavailable")}
	live := &line{host: "live"}
	f := newFloor(t, full, down, live)
	f.add(atlas, "Full", "full", paris)
	f.add(atlas, "Down", "down", paris)
	f.add(atlas, "Live", "live", paris)
	if _, err := f.dial(t, atlas, paris); err != nil {
		t.Fatalf("a call with a live trunk left: %v", err)
	}
	if _, err := f.dial(t, atlas, paris); err != nil {
		t.Fatal(err)
	}
	// A full trunk is asked again; a down one rests.
	if f, d := len(full.placed()), len(down.placed()); f != 2 || d != 1 {
		t.Errorf("the full trunk was asked %d times (want 2), the down one %d (want 1)", f, d)
	}
	live.refuse = errors.New("408 Request Timeout")
	_, err := f.dial(t, atlas, paris)
	e := apperr.As(err)
	if e == nil || e.Code != "routing.refused" {
		t.Fatalf("every trunk refusing: %v", err)
	}
	for _, name := range []string{"Full", "Down", "Live"} {
		if !strings.Contains(e.Error(), name+": ") {
			t.Errorf("the cause does not name %s's refusal: %v", name, e)
		}
	}
}

func TestARemovedTrunksLineIsClosed(t *testing.T) {
	old, fresh := &line{host: "old"}, &line{host: "fresh"}
	f := newFloor(t, old, fresh)
	f.add(atlas, "Old", "old", paris)
	if _, err := f.dial(t, atlas, paris); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.trunks[atlas] = nil
	f.mu.Unlock()
	f.add(atlas, "Fresh", "fresh", paris)
	if _, err := f.dial(t, atlas, paris); err != nil || len(fresh.placed()) != 0 {
		t.Fatalf("within the refresh the old list holds: %v, fresh placed %d", err, len(fresh.placed()))
	}
	f.advance(routing.DefaultRefresh)
	if _, err := f.dial(t, atlas, paris); err != nil || len(fresh.placed()) != 1 {
		t.Fatalf("after the refresh: %v, fresh placed %d", err, len(fresh.placed()))
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		old.mu.Lock()
		closed := old.closed
		old.mu.Unlock()
		if closed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the removed trunk's line was not closed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := f.router.Close(); err != nil || !fresh.closed {
		t.Errorf("Close: %v, fresh line closed %v", err, fresh.closed)
	}
}

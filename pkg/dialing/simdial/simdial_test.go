package simdial_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/simdial"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

var (
	paris, _ = time.LoadLocation("Europe/Paris")
	monday   = time.Date(2026, 12, 7, 10, 0, 0, 0, paris)
)

// run dials n calls one second apart from start, bridging every person
// who answers when bridge says so, and returns every event in the order
// the observer saw them.
func run(t *testing.T, seed uint64, start time.Time, n int, bridge func(i int) bool) []dialing.Event {
	t.Helper()
	clock := vclock.NewVirtual(start)
	var sim *simdial.Simulator
	var seen []dialing.Event
	calls := map[uuid.UUID]dialing.Call{}
	rank := map[uuid.UUID]int{}
	sim = simdial.New(clock, seed, simdial.WithLocalHour(simdial.InZone(paris)), simdial.WithObserver(func(e dialing.Event) {
		seen = append(seen, e)
		if e.Kind == dialing.EventAnswered && !e.Machine && bridge(rank[e.CallID]) {
			if err := calls[e.CallID].Bridge(context.Background(), dialing.Endpoint{}); err != nil {
				t.Errorf("bridge a waiting person: %v", err)
			}
		}
	}))
	for i := range n {
		id := uuid.UUID{byte(i >> 16), byte(i >> 8), byte(i)}
		c, err := sim.Dial(context.Background(), dialing.Dial{CallID: id, To: fmt.Sprintf("+336%08d", i), RingTimeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		calls[id], rank[id] = c, i
		clock.Advance(time.Second)
	}
	clock.RunUntil(start.Add(48 * time.Hour))
	for id, c := range calls {
		var evs []dialing.Event
		for e := range c.Events() { // closed after its end, or this never returns
			evs = append(evs, e)
		}
		if len(evs) == 0 || evs[len(evs)-1].Kind != dialing.EventEnded || slices.ContainsFunc(evs[:len(evs)-1], func(e dialing.Event) bool { return e.Kind == dialing.EventEnded }) {
			t.Fatalf("call %s: events %v, want exactly one end, last", id, evs)
		}
	}
	return seen
}

// TestSameSeedSameRun: a seed gives the same events at the same times; an
// other seed, other ones. Events come in time order.
func TestSameSeedSameRun(t *testing.T) {
	always := func(int) bool { return true }
	a, b, c := run(t, 7, monday, 300, always), run(t, 7, monday, 300, always), run(t, 8, monday, 300, always)
	if !slices.Equal(a, b) {
		t.Error("seed 7 twice: different runs")
	}
	if slices.Equal(a, c) {
		t.Error("seeds 7 and 8: the same run")
	}
	for i := 1; i < len(a); i++ {
		if a[i].At.Before(a[i-1].At) {
			t.Fatalf("event %d at %s before event %d at %s", i, a[i].At, i-1, a[i-1].At)
		}
	}
}

// TestCallsEndAsDrawn: every result occurs; an unanswered call rang for
// its whole ring timeout (≥ 15 s); a person bridged talks and ends
// answered; a person never bridged is abandoned exactly AbandonDelay after
// the answer.
func TestCallsEndAsDrawn(t *testing.T) {
	events := run(t, 1, monday, 2000, func(i int) bool { return i%2 == 0 })
	ringAt, answeredAt := map[uuid.UUID]time.Time{}, map[uuid.UUID]time.Time{}
	results := map[dialing.Result]int{}
	for _, e := range events {
		switch e.Kind {
		case dialing.EventRinging:
			ringAt[e.CallID] = e.At
		case dialing.EventAnswered:
			answeredAt[e.CallID] = e.At
		case dialing.EventEnded:
			results[e.Result]++
			switch e.Result {
			case dialing.NoAnswer:
				if d := e.At.Sub(ringAt[e.CallID]); d != 20*time.Second {
					t.Errorf("no answer after ringing %s, want the 20 s ring timeout", d)
				}
			case dialing.Abandoned:
				if d := e.At.Sub(answeredAt[e.CallID]); d != dialing.AbandonDelay {
					t.Errorf("abandoned %s after the answer, want %s", d, dialing.AbandonDelay)
				}
			case dialing.Answered:
				if d := e.At.Sub(answeredAt[e.CallID]); d < 10*time.Second {
					t.Errorf("answered call talked %s", d)
				}
			}
		}
	}
	for _, r := range dialing.Results {
		if results[r] == 0 {
			t.Errorf("no call ended %s in 2000: %v", r, results)
		}
	}
	if a, b := results[dialing.Answered], results[dialing.Abandoned]; a < b/2 || b < a/2 {
		t.Errorf("half the people bridged: %d answered, %d abandoned", a, b)
	}
}

// TestPeopleAnswerMoreInTheEvening: the callee's local hour sets the
// chance a person answers: about 22 % at 10:00, 36 % at 18:00 (Paris).
func TestPeopleAnswerMoreInTheEvening(t *testing.T) {
	rate := func(start time.Time) float64 {
		live, n := 0, 0
		for _, e := range run(t, 3, start, 3000, func(int) bool { return true }) {
			if e.Kind == dialing.EventEnded {
				n++
				if e.Result.Live() {
					live++
				}
			}
		}
		return float64(live) / float64(n)
	}
	// 3000 dials a second apart span 50 min: all within the hour band.
	morning, evening := rate(monday.Add(-time.Hour+time.Minute)), rate(monday.Add(7*time.Hour+time.Minute))
	if morning < 0.17 || morning > 0.27 || evening < 0.31 || evening > 0.41 {
		t.Errorf("people answered %.1f %% at 09:01 and %.1f %% at 17:01; want about 22 %% and 36 %%", 100*morning, 100*evening)
	}
}

// TestDialChecks: a ring timeout under 15 s is refused; a machine cannot be
// bridged, a hung-up call stays ended.
func TestDialChecks(t *testing.T) {
	clock := vclock.NewVirtual(monday)
	sim := simdial.New(clock, 1)
	if _, err := sim.Dial(context.Background(), dialing.Dial{CallID: uuid.New(), To: "+33612345678", RingTimeout: 10 * time.Second}); err == nil {
		t.Error("a 10 s ring timeout was accepted")
	}
	c, err := sim.Dial(context.Background(), dialing.Dial{CallID: uuid.New(), To: "+33612345678"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Bridge(context.Background(), dialing.Endpoint{}); err == nil {
		t.Error("bridged a call nobody answered")
	}
	if err := c.Hangup(context.Background()); err != nil {
		t.Fatal(err)
	}
	var last dialing.Event
	for e := range c.Events() {
		last = e
	}
	if last.Kind != dialing.EventEnded || last.Result != dialing.NoAnswer || clock.Pending() != 0 {
		t.Errorf("hung up before an answer: %+v, %d timers left", last, clock.Pending())
	}
	if err := c.Hangup(context.Background()); err != nil {
		t.Errorf("a second hang-up: %v", err)
	}
}

// TestDefaultDurations: talks have a median of 2–3 minutes, wrap-ups of
// about 20 s, pick-ups of about 7 s.
func TestDefaultDurations(t *testing.T) {
	p := simdial.DefaultProfile()
	r := rand.New(rand.NewPCG(1, 2))
	median := func(l simdial.LogNormal) time.Duration {
		d := make([]time.Duration, 5001)
		for i := range d {
			d[i] = l.Draw(r)
		}
		slices.Sort(d)
		return d[len(d)/2]
	}
	for _, c := range []struct {
		name     string
		l        simdial.LogNormal
		min, max time.Duration
	}{{"talk", p.Talk, 2 * time.Minute, 3 * time.Minute}, {"wrap", p.Wrap, 17 * time.Second, 23 * time.Second},
		{"answer", p.Answer, 6 * time.Second, 8 * time.Second}} {
		if m := median(c.l); m < c.min || m > c.max {
			t.Errorf("%s: median %s, want %s–%s", c.name, m, c.min, c.max)
		}
	}
}

// TestRealTime: on the wall clock, calls report on their channels while
// their readers bridge them, and every call ends.
func TestRealTime(t *testing.T) {
	ms := time.Millisecond
	p := simdial.Profile{
		Outcomes: func(int) simdial.Outcomes {
			return simdial.Outcomes{Human: 0.5, Machine: 0.1, Busy: 0.1, Rejected: 0.1, Failed: 0.2} // none rings to the timeout
		},
		Setup: simdial.Uniform{Min: ms, Max: 3 * ms}, Answer: simdial.LogNormal{Median: 5 * ms, Sigma: 0.5},
		Reject: simdial.Uniform{Min: ms, Max: 5 * ms}, Machine: simdial.Uniform{Min: ms, Max: 5 * ms},
		Talk: simdial.LogNormal{Median: 5 * ms, Sigma: 0.5},
	}
	sim := simdial.New(vclock.Real{}, 1, simdial.WithProfile(p))
	results := make(chan dialing.Result, 100)
	for i := range 100 {
		c, err := sim.Dial(context.Background(), dialing.Dial{CallID: uuid.New(), To: "+33612345678"})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			var last dialing.Event
			for e := range c.Events() {
				if e.Kind == dialing.EventAnswered && !e.Machine && i%2 == 0 {
					if err := c.Bridge(context.Background(), dialing.Endpoint{}); err != nil {
						t.Errorf("bridge: %v", err)
					}
				}
				last = e
			}
			results <- last.Result
		}()
	}
	got := map[dialing.Result]int{}
	for range 100 {
		select {
		case r := <-results:
			got[r]++
		case <-time.After(20 * time.Second):
			t.Fatalf("calls still running after 20 s: %v so far", got)
		}
	}
	if got[dialing.Answered] == 0 || got[dialing.Abandoned] == 0 {
		t.Errorf("results %v: want answered and abandoned calls", got)
	}
}

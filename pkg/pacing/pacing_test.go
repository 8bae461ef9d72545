package pacing_test

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/pacing"
)

var cap3 = compliance.AbandonCap{Rate: 0.03, Window: 30 * 24 * time.Hour}

// floor is a predictive campaign in full swing: 30 agents, 4 ready, 2
// calls in flight, a person in three dials, 300 calls handled, and a
// clean record.
func floor() pacing.Figures {
	return pacing.Figures{Mode: campaign.Predictive, Ready: 4, Busy: 26, InFlight: 2, AnswerRate: 0.3,
		AvgAnswer: 9 * time.Second, AvgHandle: 200 * time.Second, Handled: 300, Live: 1000, Abandoned: 10, Cap: cap3}
}

// TestPredictiveDialsAhead: with a good record, predictive pacing places
// more calls than progressive would (2), and says so.
func TestPredictiveDialsAhead(t *testing.T) {
	d, s := pacing.DefaultController().Tick(pacing.State{}, floor())
	if d.Mode != campaign.Predictive || d.Reason != pacing.Predictive || d.Calls <= 2 || s.Level <= 1 {
		t.Errorf("decision %+v, state %+v: want predictive calls and a rising level", d, s)
	}
	if d.ExpectedAbandons <= 0 || d.ExpectedAbandons > 1 {
		t.Errorf("expects %.3f abandons", d.ExpectedAbandons)
	}
}

// TestNearTheCapFallsBackToProgressive: once one more abandon would take
// the rate near the cap, the campaign places one call per uncovered ready
// agent, and the level falls.
func TestNearTheCapFallsBackToProgressive(t *testing.T) {
	f := floor()
	f.Ready, f.InFlight, f.Abandoned = 5, 1, 27 // 2.7 % of 1000, over 90 % of the 3 % cap
	d, s := pacing.DefaultController().Tick(pacing.State{Level: 2}, f)
	if d.Mode != campaign.Progressive || d.Reason != pacing.NearCap || d.Calls != 4 || s.Level >= 2 {
		t.Errorf("decision %+v, state %+v: want 4 progressive calls, near the cap, a lower level", d, s)
	}
	f.Abandoned = 0
	f.Live = 30 // 0.9 abandon allowed: not one yet
	if d, _ := pacing.DefaultController().Tick(pacing.State{}, f); d.Reason != pacing.WarmingUp || d.Mode != campaign.Progressive {
		t.Errorf("30 live answers: %+v, want progressive while warming up", d)
	}
	f.Live, f.Cap.Rate = 1000, 0
	if d, _ := pacing.DefaultController().Tick(pacing.State{}, f); d.Reason != pacing.NoAbandons || d.Calls != 4 {
		t.Errorf("a zero cap: %+v, want progressive", d)
	}
	f.Cap, f.AnswerRate = cap3, 0
	if d, _ := pacing.DefaultController().Tick(pacing.State{}, f); d.Reason != pacing.NoFigures || d.Calls != 4 {
		t.Errorf("no answer rate: %+v, want progressive", d)
	}
}

// TestAHandleTimeOnFewCallsIsNotTrusted: the first calls to end are the
// shortest of the first wave; until one call an agent (and 30) ended,
// the campaign stays progressive rather than bet on agents freeing up
// sooner than they will.
func TestAHandleTimeOnFewCallsIsNotTrusted(t *testing.T) {
	f := floor()
	f.AvgHandle = 20 * time.Second
	for _, c := range []struct{ ready, busy, handled int }{{4, 26, 29}, {40, 960, 999}} {
		f.Ready, f.Busy, f.Handled, f.InFlight = c.ready, c.busy, c.handled, 0
		if d, _ := pacing.DefaultController().Tick(pacing.State{}, f); d.Reason != pacing.NoFigures || d.Calls != c.ready {
			t.Errorf("%d agents, %d calls handled: %+v, want one call a ready agent", c.ready+c.busy, c.handled, d)
		}
		f.Handled++
		if d, _ := pacing.DefaultController().Tick(pacing.State{}, f); d.Reason != pacing.Predictive {
			t.Errorf("%d agents, %d calls handled: %+v, want predictive", c.ready+c.busy, f.Handled, d)
		}
	}
}

// TestAHigherCapDialsMore: the same floor under a higher cap places at
// least as many calls, and strictly more between 1 % and 5 %.
func TestAHigherCapDialsMore(t *testing.T) {
	calls := func(rate float64) int {
		f := floor()
		f.Cap.Rate, f.Abandoned = rate, 0
		d, _ := pacing.DefaultController().Tick(pacing.State{Level: 1}, f)
		return d.Calls
	}
	one, three, five := calls(0.01), calls(0.03), calls(0.05)
	if one > three || three > five || one >= five {
		t.Errorf("calls at 1 %%, 3 %%, 5 %%: %d, %d, %d", one, three, five)
	}
}

// TestNoCallsWithoutAgentsOutsidePredictive: preview hands one lead per
// ready agent, progressive one call per ready agent not already covered by
// a call in flight or a person waiting.
func TestNoCallsWithoutAgentsOutsidePredictive(t *testing.T) {
	for _, c := range []struct {
		mode                     campaign.DialingMode
		ready, inFlight, waiting int
		want                     int
	}{
		{campaign.Preview, 3, 0, 0, 3}, {campaign.Preview, 0, 5, 0, 0},
		{campaign.Progressive, 5, 2, 0, 3}, {campaign.Progressive, 2, 5, 0, 0}, {campaign.Progressive, 0, 0, 3, 0},
		{"robocall", 5, 0, 0, 0},
	} {
		f := floor()
		f.Mode, f.Ready, f.InFlight, f.Waiting = c.mode, c.ready, c.inFlight, c.waiting
		if d, _ := pacing.DefaultController().Tick(pacing.State{}, f); d.Calls != c.want || (c.want > 0 && d.Mode != c.mode) {
			t.Errorf("%s, %d ready, %d in flight, %d waiting: %+v, want %d calls", c.mode, c.ready, c.inFlight, c.waiting, d, c.want)
		}
	}
}

// TestTickIsPure: whatever the figures, a tick never places a negative
// number of calls nor fewer than progressive would in predictive mode,
// keeps the level in its bounds, and gives the same answer twice.
func TestTickIsPure(t *testing.T) {
	c := pacing.DefaultController()
	rapid.Check(t, func(t *rapid.T) {
		f := pacing.Figures{
			Mode:       rapid.SampledFrom([]campaign.DialingMode{campaign.Preview, campaign.Progressive, campaign.Predictive}).Draw(t, "mode"),
			Ready:      rapid.IntRange(-2, 500).Draw(t, "ready"),
			Busy:       rapid.IntRange(-2, 500).Draw(t, "busy"),
			InFlight:   rapid.IntRange(-2, 2000).Draw(t, "inFlight"),
			Waiting:    rapid.IntRange(-2, 50).Draw(t, "waiting"),
			AnswerRate: rapid.Float64Range(-0.1, 1.1).Draw(t, "answerRate"),
			AvgAnswer:  time.Duration(rapid.Int64Range(-1, int64(time.Minute)).Draw(t, "avgAnswer")),
			AvgHandle:  time.Duration(rapid.Int64Range(-1, int64(time.Hour)).Draw(t, "avgHandle")),
			Live:       rapid.IntRange(0, 100000).Draw(t, "live"),
			Cap:        compliance.AbandonCap{Rate: rapid.Float64Range(0, 0.1).Draw(t, "cap")},
		}
		f.Abandoned = rapid.IntRange(0, f.Live).Draw(t, "abandoned")
		s := pacing.State{Level: rapid.Float64Range(0, 4).Draw(t, "level")}
		d, next := c.Tick(s, f)
		again, _ := c.Tick(s, f)
		if d != again {
			t.Fatalf("two answers: %+v, %+v", d, again)
		}
		progressive := max(max(f.Ready, 0)-max(f.InFlight, 0)-max(f.Waiting, 0), 0)
		switch {
		case d.Calls < 0:
			t.Fatalf("negative calls: %+v", d)
		case f.Mode == campaign.Predictive && d.Calls < progressive:
			t.Fatalf("%d calls, fewer than progressive's %d", d.Calls, progressive)
		case f.Mode != campaign.Predictive && d.Calls > max(f.Ready, 0):
			t.Fatalf("%s: %d calls for %d ready agents", f.Mode, d.Calls, f.Ready)
		case next.Level < c.MinLevel || next.Level > c.MaxLevel:
			t.Fatalf("level %v out of [%v, %v]", next.Level, c.MinLevel, c.MaxLevel)
		}
	})
}

// BenchmarkControllerTick measures the controller alone on a floor of
// 1 000 agents with 300 calls in flight.
func BenchmarkControllerTick(b *testing.B) {
	f := floor()
	f.Ready, f.Busy, f.InFlight, f.Live = 100, 900, 300, 100000
	c, s := pacing.DefaultController(), pacing.State{}
	for b.Loop() {
		_, s = c.Tick(s, f)
	}
}

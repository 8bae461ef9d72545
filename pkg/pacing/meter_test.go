package pacing_test

import (
	"math"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/pacing"
)

// TestMeter: the answer rate is known after 30 dials and follows them;
// live answers and abandons leave the counts when their minute leaves the
// window;
// the pick-up time starts at the first sample and moves towards the next;
// the handle time is the agents' time handling calls over the calls they
// handled, whether or not the others ended.
func TestMeter(t *testing.T) {
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	m := pacing.NewMeter(time.Hour)
	var f pacing.Figures
	for i := range 29 {
		if i%4 == 0 {
			m.Answered(start.Add(time.Duration(i)*time.Minute), 8*time.Second)
		} else {
			m.Unanswered()
		}
	}
	m.Fill(&f, start)
	if f.AnswerRate != 0 {
		t.Errorf("answer rate %v after 29 dials, want none yet", f.AnswerRate)
	}
	m.Unanswered()
	m.Abandoned(start.Add(10 * time.Minute))
	// Four agents on calls for the 10 minutes to minute 30, one also in
	// wrap-up; two calls ended at its end, the others still go: 50
	// agent-minutes for 2 calls.
	m.Fill(&f, start.Add(20*time.Minute))
	f.Busy, f.WrappingUp = 4, 1
	m.Fill(&f, start.Add(30*time.Minute))
	m.Handled()
	m.Handled()
	m.Fill(&f, start.Add(30*time.Minute))
	// 8 people in 30 dials, the older weighing slightly less.
	if math.Abs(f.AnswerRate-8.0/30) > 0.01 || f.Live != 8 || f.Abandoned != 1 || f.AvgAnswer != 8*time.Second ||
		f.Handled != 2 || f.AvgHandle != 25*time.Minute {
		t.Errorf("figures %+v", f)
	}
	m.Fill(&f, start.Add(71*time.Minute)) // the answers of minutes 0–8 and the abandon of minute 10 left
	if f.Live != 5 || f.Abandoned != 0 {
		t.Errorf("an hour on: %d live, %d abandoned; want 5 and 0", f.Live, f.Abandoned)
	}
}

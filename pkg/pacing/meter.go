package pacing

import (
	"math"
	"time"
)

// Meter turns a campaign's call events into the recent figures a tick
// needs: the answer rate, the pick-up and handle times, the live-answered
// and abandoned calls over the cap's window. It reads no clock: each event
// says its time. The engine keeps one per paced campaign (and rebuilds it
// from the last calls on takeover); the floor simulation does the same.
type Meter struct {
	window        window
	dials, people float64 // exponentially weighted: the answer rate over about the last 500 dials
	resolved      int
	answer        float64 // seconds, exponentially weighted over about the last 100; 0 before a first one
	// The handle time is the agents' time handling calls over the calls
	// handled, both decayed alike (renewal-reward): unlike an average of
	// the calls that ended, it counts the calls still going, so a floor
	// that started at once is not judged on its shortest calls.
	handling float64 // agent-seconds on a call or in wrap-up
	handles  float64 // calls handled
	pending  int     // calls handled since the last Fill: they count from it
	handled  int     // calls handled, not decayed
	last     time.Time
}

// Weights of the moving averages, and the dials resolved before the answer
// rate is trusted.
const (
	rateDecay    = 1 - 1.0/500
	avgWeight    = 1.0 / 100
	minDials     = 30
	handleMemory = 30 * time.Minute // the decay's time constant of the handle time
)

// NewMeter returns a meter counting live answers and abandons over window
// (the cap's).
func NewMeter(window time.Duration) *Meter { return &Meter{window: newWindow(window)} }

// Unanswered records a dial that ended or was answered without a person
// (no answer, busy, rejected, failed, a machine).
func (m *Meter) Unanswered() { m.resolve(false) }

// Answered records a person picking up at, wait after the dial: a
// live-answered call, whether an agent takes it or not.
func (m *Meter) Answered(at time.Time, wait time.Duration) {
	m.resolve(true)
	m.window.add(at, 1, 0)
	m.answer = average(m.answer, wait.Seconds())
}

// Abandoned records a person answered at no agent took (already counted
// by Answered).
func (m *Meter) Abandoned(at time.Time) { m.window.add(at, 0, 1) }

// Handled records that an agent finished handling a call (talk and
// wrap-up).
func (m *Meter) Handled() {
	m.pending++
	m.handled++
}

// Fill sets the figures the meter knows, as of at: AnswerRate (0 until 30
// dials are resolved), AvgAnswer, AvgHandle and the Handled calls it was
// measured on, Live and Abandoned. It counts f.Busy and f.WrappingUp as
// the agents handling calls since its last Fill.
func (m *Meter) Fill(f *Figures, at time.Time) {
	if dt := at.Sub(m.last).Seconds(); !m.last.IsZero() && dt > 0 {
		k := math.Exp(-dt / handleMemory.Seconds())
		m.handling = m.handling*k + float64(max(f.Busy, 0)+max(f.WrappingUp, 0))*dt
		m.handles *= k
	}
	m.handles += float64(m.pending)
	m.pending, m.last = 0, at
	f.AnswerRate = 0
	if m.resolved >= minDials {
		f.AnswerRate = m.people / m.dials
	}
	f.AvgAnswer, f.AvgHandle, f.Handled = seconds(m.answer), 0, m.handled
	if m.handles > 0 {
		f.AvgHandle = seconds(m.handling / m.handles)
	}
	f.Live, f.Abandoned = m.window.totals(at)
}

func (m *Meter) resolve(person bool) {
	m.resolved++
	m.dials = m.dials*rateDecay + 1
	m.people *= rateDecay
	if person {
		m.people++
	}
}

func average(avg, sample float64) float64 {
	if avg == 0 {
		return sample
	}
	return avg + avgWeight*(sample-avg)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

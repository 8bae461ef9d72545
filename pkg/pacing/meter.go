package pacing

import "time"

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
	handle        float64
	handled       int // handle times measured
}

// Weights of the moving averages, and the dials resolved before the answer
// rate is trusted.
const (
	rateDecay = 1 - 1.0/500
	avgWeight = 1.0 / 100
	minDials  = 30
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

// Handled records an agent's talk and wrap-up time for one call.
func (m *Meter) Handled(d time.Duration) {
	m.handle = average(m.handle, d.Seconds())
	m.handled++
}

// Fill sets the figures the meter knows, as of at: AnswerRate (0 until 30
// dials are resolved), AvgAnswer, AvgHandle and the Handled calls it was
// measured on, Live and Abandoned.
func (m *Meter) Fill(f *Figures, at time.Time) {
	f.AnswerRate = 0
	if m.resolved >= minDials {
		f.AnswerRate = m.people / m.dials
	}
	f.AvgAnswer, f.AvgHandle, f.Handled = seconds(m.answer), seconds(m.handle), m.handled
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

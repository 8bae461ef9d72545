package simdial

import (
	"math"
	"math/rand/v2"
	"time"
)

// Profile is how the simulated callees and agents behave: the chances of
// each outcome by the callee's local hour, and the durations, each drawn
// from its own distribution.
type Profile struct {
	// Outcomes gives the chances of each outcome of a call placed at a
	// callee's local hour (0–23).
	Outcomes func(hour int) Outcomes
	Setup    Uniform   // from the dial to the first ring (or to busy/failed)
	Answer   LogNormal // from the first ring to the pick-up; past the ring timeout the call is not answered
	Reject   Uniform   // from the first ring to the callee declining
	Machine  Uniform   // an answering machine's greeting, after which it ends the call
	Talk     LogNormal // from the bridge to the callee's hang-up
	Wrap     LogNormal // an agent's wrap-up after a call (drawn by the simulated agents)
}

// Outcomes are the chances of each way a call goes; what they leave to 1
// rings until the ring timeout (no answer).
type Outcomes struct {
	Human, Machine, Busy, Rejected, Failed float64
}

// LogNormal is a duration whose logarithm is normal: Median is e^μ, Sigma
// is σ; a draw is clamped to [Min, Max] when they are set. Human waiting
// and service times are right-skewed this way (Brown et al., "Statistical
// analysis of a telephone call center", JASA 2005: service times are
// lognormal).
type LogNormal struct {
	Median   time.Duration
	Sigma    float64
	Min, Max time.Duration
}

// Draw draws a duration.
func (l LogNormal) Draw(r *rand.Rand) time.Duration {
	d := time.Duration(float64(l.Median) * math.Exp(l.Sigma*r.NormFloat64()))
	if l.Min > 0 && d < l.Min {
		d = l.Min
	}
	if l.Max > 0 && d > l.Max {
		d = l.Max
	}
	return d
}

// Mean is the distribution's mean (before clamping): Median·e^(σ²/2).
func (l LogNormal) Mean() time.Duration {
	return time.Duration(float64(l.Median) * math.Exp(l.Sigma*l.Sigma/2))
}

// Uniform is a duration drawn evenly from [Min, Max].
type Uniform struct{ Min, Max time.Duration }

// Draw draws a duration.
func (u Uniform) Draw(r *rand.Rand) time.Duration {
	if u.Max <= u.Min {
		return u.Min
	}
	return u.Min + time.Duration(r.Int64N(int64(u.Max-u.Min)+1))
}

// DefaultProfile is a consumer campaign as floors report it: about a
// quarter of dials reach a person in the morning, a third in the evening
// (DefaultOutcomes); a pick-up after a median 7 s of ringing; talks of a
// median 2.5 min (mean ≈ 3 min, a long tail clamped at 30 min); wrap-ups of
// a median 20 s.
func DefaultProfile() Profile {
	return Profile{
		Outcomes: DefaultOutcomes,
		Setup:    Uniform{Min: time.Second, Max: 3 * time.Second},
		Answer:   LogNormal{Median: 7 * time.Second, Sigma: 0.5, Min: time.Second},
		Reject:   Uniform{Min: 2 * time.Second, Max: 10 * time.Second},
		Machine:  Uniform{Min: 3 * time.Second, Max: 8 * time.Second},
		Talk:     LogNormal{Median: 150 * time.Second, Sigma: 0.6, Min: 10 * time.Second, Max: 30 * time.Minute},
		Wrap:     LogNormal{Median: 20 * time.Second, Sigma: 0.5, Min: 3 * time.Second, Max: 5 * time.Minute},
	}
}

// DefaultOutcomes are the outcomes by the callee's local hour: people
// answer least in the working morning, more at lunch, most in the early
// evening; machines take what people leave; at night few answer.
func DefaultOutcomes(hour int) Outcomes {
	o := Outcomes{Busy: 0.06, Rejected: 0.04, Failed: 0.02}
	switch {
	case hour >= 8 && hour < 12:
		o.Human, o.Machine = 0.22, 0.20
	case hour >= 12 && hour < 14:
		o.Human, o.Machine = 0.30, 0.16
	case hour >= 14 && hour < 17:
		o.Human, o.Machine = 0.25, 0.18
	case hour >= 17 && hour < 21:
		o.Human, o.Machine = 0.36, 0.12
	default:
		o.Human, o.Machine = 0.12, 0.25
	}
	return o
}

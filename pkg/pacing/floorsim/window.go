package floorsim

import "time"

// window counts live-answered and abandoned calls over a rolling window,
// by the minute: what the controller's Figures.Live and .Abandoned hold.
type window struct {
	span    time.Duration
	buckets []bucket // oldest first
	live    int
	aband   int
}

type bucket struct {
	minute      int64
	live, aband int
}

func (w *window) add(at time.Time, live, abandoned int) {
	m := at.Unix() / 60
	if n := len(w.buckets); n == 0 || w.buckets[n-1].minute != m {
		w.buckets = append(w.buckets, bucket{minute: m})
	}
	b := &w.buckets[len(w.buckets)-1]
	b.live += live
	b.aband += abandoned
	w.live += live
	w.aband += abandoned
}

// totals drops the minutes older than the window before at and returns
// the counts left.
func (w *window) totals(at time.Time) (live, abandoned int) {
	oldest := at.Add(-w.span).Unix() / 60
	drop := 0
	for drop < len(w.buckets) && w.buckets[drop].minute < oldest {
		w.live -= w.buckets[drop].live
		w.aband -= w.buckets[drop].aband
		drop++
	}
	w.buckets = w.buckets[drop:]
	return w.live, w.aband
}

package pacing

import (
	"slices"
	"time"
)

// window counts live-answered and abandoned calls over a rolling window,
// by the minute: a minute counts while any of it is within the window.
type window struct {
	span    time.Duration
	buckets []bucket // oldest first
	live    int
	aband   int
}

func newWindow(span time.Duration) window { return window{span: span} }

type bucket struct {
	minute      int64
	live, aband int
}

func (w *window) add(at time.Time, live, abandoned int) {
	m := at.Unix() / 60
	i := len(w.buckets) // events come in time order, nearly: look from the newest
	for i > 0 && w.buckets[i-1].minute > m {
		i--
	}
	if i == 0 || w.buckets[i-1].minute != m {
		w.buckets = slices.Insert(w.buckets, i, bucket{minute: m})
		i++
	}
	b := &w.buckets[i-1]
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

// Package vclock is the clock of the simulations: the same small interface
// over the wall clock (Real) and over a virtual clock (Virtual) that moves
// only when told, firing its timers in order of their time, so that hours
// of a call floor run in milliseconds and the same seed gives the same run.
//
// It imports only the standard library.
package vclock

import (
	"container/heap"
	"sync"
	"time"
)

// Clock tells the time and runs functions later.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f once d has passed. On the virtual clock f runs in
	// the goroutine that advances the clock; on the real one, in its own.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a function waiting for its time.
type Timer interface {
	// Stop keeps the function from running; it reports whether it did
	// (false when it already ran or was stopped).
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

// Now is time.Now.
func (Real) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Virtual is a clock that moves only through Advance, RunUntil or Step.
// Timers due at the same instant fire in the order they were set. It is
// safe for concurrent use; timers fire in the goroutine that moves it,
// without its lock held, so they may set and stop timers.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers timerHeap
}

// NewVirtual returns a virtual clock showing start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// Now is the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// AfterFunc sets f to run when the clock reaches Now()+d (a d ≤ 0 runs
// at the next move of the clock, after the timers already due).
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	t := &virtualTimer{clock: v, when: v.now.Add(max(d, 0)), seq: v.seq, f: f, index: -1}
	heap.Push(&v.timers, t)
	return t
}

// Advance moves the clock by d, firing every timer due on the way.
func (v *Virtual) Advance(d time.Duration) { v.RunUntil(v.Now().Add(d)) }

// RunUntil moves the clock to end, firing every timer due on the way
// (those set by the fired functions included) in order of time; the clock
// shows each timer's time while its function runs.
func (v *Virtual) RunUntil(end time.Time) {
	for v.step(end) {
	}
	v.mu.Lock()
	if v.now.Before(end) {
		v.now = end
	}
	v.mu.Unlock()
}

// Step fires the next timer, moving the clock to its time; it reports
// false when no timer is set.
func (v *Virtual) Step() bool {
	v.mu.Lock()
	if len(v.timers) == 0 {
		v.mu.Unlock()
		return false
	}
	end := v.timers[0].when
	v.mu.Unlock()
	return v.step(end)
}

// step fires the next timer due by end.
func (v *Virtual) step(end time.Time) bool {
	v.mu.Lock()
	if len(v.timers) == 0 || v.timers[0].when.After(end) {
		v.mu.Unlock()
		return false
	}
	t := heap.Pop(&v.timers).(*virtualTimer)
	if t.when.After(v.now) {
		v.now = t.when
	}
	v.mu.Unlock()
	t.f()
	return true
}

// Pending counts the timers set and not yet fired or stopped.
func (v *Virtual) Pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.timers)
}

type virtualTimer struct {
	clock *Virtual
	when  time.Time
	seq   uint64
	f     func()
	index int // in the heap; -1 once fired or stopped
}

func (t *virtualTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.clock.timers, t.index)
	return true
}

// timerHeap orders timers by time, then by the order they were set.
type timerHeap []*virtualTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*virtualTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}

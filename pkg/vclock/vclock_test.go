package vclock_test

import (
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/vclock"
)

var start = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// TestVirtualFiresInTimeOrder: timers fire in order of time, ties in the
// order they were set, the clock showing each timer's time; timers set by
// a firing function fire in the same run; a stopped timer never fires.
func TestVirtualFiresInTimeOrder(t *testing.T) {
	c := vclock.NewVirtual(start)
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, name+"@"+c.Now().Sub(start).String()) }
	}
	c.AfterFunc(3*time.Second, at("c"))
	c.AfterFunc(time.Second, func() {
		at("a")()
		c.AfterFunc(time.Second, at("b2")) // due at 2s, set after b1
	})
	c.AfterFunc(2*time.Second, at("b1"))
	stopped := c.AfterFunc(2*time.Second, at("never"))
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop: want true once, then false")
	}
	late := c.AfterFunc(10*time.Second, at("late"))
	c.Advance(5 * time.Second)
	want := []string{"a@1s", "b1@2s", "b2@2s", "c@3s"}
	if len(got) != len(want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fired %v, want %v", got, want)
		}
	}
	if now := c.Now(); !now.Equal(start.Add(5 * time.Second)) {
		t.Errorf("clock at %s after Advance(5s)", now.Sub(start))
	}
	if c.Pending() != 1 || !c.Step() || got[len(got)-1] != "late@10s" || c.Step() || late.Stop() {
		t.Errorf("Step: pending timers fired %v", got)
	}
}

// TestRealFires: the real clock runs its function after the delay.
func TestRealFires(t *testing.T) {
	var c vclock.Clock = vclock.Real{}
	done := make(chan time.Time, 1)
	begin := c.Now()
	c.AfterFunc(time.Millisecond, func() { done <- c.Now() })
	select {
	case at := <-done:
		if at.Sub(begin) < time.Millisecond {
			t.Errorf("fired after %s", at.Sub(begin))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the real timer never fired")
	}
}

package sipdial_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/sipdial"
	"github.com/plateau-bpo/plateau/pkg/dialing/sipdial/sipptest"
)

// The trunk's limits hold before any packet leaves: a caller id it does
// not allow, a recording with nowhere to go, a call beyond its concurrent
// calls, a call that cannot get its turn in the calls per second. The
// trunk is a port nobody listens on: nothing here needs sipp.
func TestDialRefusals(t *testing.T) {
	d := newDialerWith(t, dialing.Trunk{Host: "127.0.0.1", Port: sipptest.FreePort(t)}, nil)
	call := func(ctx context.Context, change func(*dialing.Dial)) error {
		dial := dialing.Dial{CallID: uuid.New(), To: "+33612345678", CallerID: callerID, RingTimeout: time.Second}
		change(&dial)
		c, err := d.Dial(ctx, dial)
		if err == nil {
			t.Cleanup(func() { _ = c.Hangup(context.Background()) })
		}
		return err
	}
	if err := call(t.Context(), func(d *dialing.Dial) { d.CallerID = "+33999999999" }); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("a caller id the trunk does not allow: %v", err)
	}
	if err := call(t.Context(), func(d *dialing.Dial) { d.Record = true }); err == nil {
		t.Error("a recorded call without a recording store was placed")
	}
	// The test trunk carries two calls at once.
	for i := range 2 {
		if err := call(t.Context(), func(*dialing.Dial) {}); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if err := call(t.Context(), func(*dialing.Dial) {}); !apperr.Is(err, apperr.TooMany) {
		t.Errorf("a third concurrent call: %v", err)
	}
}

func TestDialWaitsForItsTurn(t *testing.T) {
	d, err := sipdial.New(t.Context(), sipdial.Config{
		Trunk: dialing.Trunk{Host: "127.0.0.1", Port: sipptest.FreePort(t), CallerIDs: []string{callerID},
			MaxConcurrent: 5, CallsPerSecond: 0.01}, // one call every 100 s
		BindHost: "127.0.0.1", ResponseTimeout: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	first, err := d.Dial(t.Context(), dialing.Dial{CallID: uuid.New(), To: "+33612345678", CallerID: callerID})
	if err != nil {
		t.Fatal(err)
	}
	// The second call's turn is 100 s away, beyond its context's second.
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if _, err := d.Dial(ctx, dialing.Dial{CallID: uuid.New(), To: "+33612345678", CallerID: callerID}); err == nil {
		t.Error("a second call got through before its turn")
	}
	checkEnd(t, expect(t, first, dialing.EventEnded), dialing.Failed, "no response from the trunk within 100ms")
}

package sipdial_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/sipdial"
	"github.com/plateau-bpo/plateau/pkg/dialing/sipdial/sipptest"
)

// callerID is the number the test trunks allow.
const callerID = "+33180000000"

// startSipp runs sipp (PLATEAU_TEST_SIPP) as a UAS for one call of the
// scenario of testdata over UDP.
func startSipp(t *testing.T, scenario string) *sipptest.UAS {
	t.Helper()
	return sipptest.Start(t, scenario, "udp")
}

// trunkPassword is the digest password testdata/digest.xml expects.
const trunkPassword = "s3cret-trunk-password"

// newDialer is a Dialer on a trunk at 127.0.0.1:port.
func newDialer(t *testing.T, port int, transport string, recordings dialing.Recordings) *sipdial.Dialer {
	t.Helper()
	return newDialerWith(t, dialing.Trunk{Host: "127.0.0.1", Port: port, Transport: transport, Password: trunkPassword}, recordings)
}

// newDialerWith is a Dialer on trunk, completed with the test's username,
// caller id and limits.
func newDialerWith(t *testing.T, trunk dialing.Trunk, recordings dialing.Recordings) *sipdial.Dialer {
	t.Helper()
	trunk.Username, trunk.CallerIDs, trunk.MaxConcurrent, trunk.CallsPerSecond = "plateau", []string{callerID}, 2, 50
	d, err := sipdial.New(t.Context(), sipdial.Config{
		Trunk:           trunk,
		BindHost:        "127.0.0.1",
		Recordings:      recordings,
		ResponseTimeout: time.Second,
		Logger:          slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

func dial(t *testing.T, d *sipdial.Dialer, ringTimeout time.Duration, record bool) dialing.Call {
	t.Helper()
	c, err := d.Dial(t.Context(), dialing.Dial{
		CallID: uuid.New(), To: "+33612345678", CallerID: callerID, RingTimeout: ringTimeout, Record: record,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// next is the call's next event, which must come within a few seconds.
func next(t *testing.T, c dialing.Call) dialing.Event {
	t.Helper()
	select {
	case e, ok := <-c.Events():
		if !ok {
			t.Fatal("the events ended without an ended event")
		}
		if e.CallID != c.ID() {
			t.Fatalf("event of call %s on call %s", e.CallID, c.ID())
		}
		return e
	case <-time.After(15 * time.Second):
		t.Fatal("no event within 15 s")
	}
	return dialing.Event{}
}

// expect reads the call's events up to its end, which must be the kinds
// given, and returns the ended event; the channel must close after it.
func expect(t *testing.T, c dialing.Call, kinds ...dialing.EventKind) dialing.Event {
	t.Helper()
	var e dialing.Event
	for _, kind := range kinds {
		if e = next(t, c); e.Kind != kind {
			t.Fatalf("event %+v, want %s", e, kind)
		}
	}
	if kinds[len(kinds)-1] == dialing.EventEnded {
		if extra, open := <-c.Events(); open {
			t.Fatalf("event %+v after ended", extra)
		}
	}
	return e
}

func checkEnd(t *testing.T, e dialing.Event, result dialing.Result, cause string) {
	t.Helper()
	if e.Result != result || e.Cause != cause {
		t.Errorf("ended %s (%q), want %s (%q)", e.Result, e.Cause, result, cause)
	}
}

func TestAnsweredThenOurBye(t *testing.T) {
	s := startSipp(t, "answer")
	c := dial(t, newDialer(t, s.Port, "udp", nil), 5*time.Second, false)
	expect(t, c, dialing.EventRinging, dialing.EventAnswered)
	if err := c.Hangup(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Answered and never bridged: nobody took the callee.
	checkEnd(t, expect(t, c, dialing.EventEnded), dialing.Abandoned, "BYE from Plateau")
	s.Finished(t)
}

// The same calls over TCP: a busy callee, and an answered one Plateau
// hangs up.
func TestOverTCP(t *testing.T) {
	t.Run("busy", func(t *testing.T) {
		s := sipptest.Start(t, "busy", "tcp")
		c := dial(t, newDialer(t, s.Port, "tcp", nil), 5*time.Second, false)
		checkEnd(t, expect(t, c, dialing.EventEnded), dialing.Busy, "486 Busy Here")
		s.Finished(t)
	})
	t.Run("answer", func(t *testing.T) {
		s := sipptest.Start(t, "answer", "tcp")
		c := dial(t, newDialer(t, s.Port, "tcp", nil), 5*time.Second, false)
		expect(t, c, dialing.EventRinging, dialing.EventAnswered)
		if err := c.Hangup(t.Context()); err != nil {
			t.Fatal(err)
		}
		checkEnd(t, expect(t, c, dialing.EventEnded), dialing.Abandoned, "BYE from Plateau")
		s.Finished(t)
	})
}

func TestAnsweredThenCalleeHangsUp(t *testing.T) {
	s := startSipp(t, "callee_bye")
	c := dial(t, newDialer(t, s.Port, "udp", nil), 5*time.Second, false)
	e := expect(t, c, dialing.EventRinging, dialing.EventAnswered, dialing.EventEnded)
	checkEnd(t, e, dialing.Abandoned, "BYE from the callee")
	s.Finished(t)
	if err := c.Hangup(t.Context()); err != nil {
		t.Errorf("hanging up an ended call: %v", err)
	}
}

func TestFinalResponses(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		result   dialing.Result
		cause    string
	}{
		{"busy", dialing.Busy, "486 Busy Here"},
		{"decline", dialing.Rejected, "603 Decline"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			s := startSipp(t, tc.scenario)
			c := dial(t, newDialer(t, s.Port, "udp", nil), 5*time.Second, false)
			checkEnd(t, expect(t, c, dialing.EventEnded), tc.result, tc.cause)
			s.Finished(t)
		})
	}
}

// The trunk challenges the INVITE: the right password gets through (to a
// 486), a wrong one is refused (403), and either way sipp saw a digest.
func TestDigestAuthentication(t *testing.T) {
	for _, tc := range []struct {
		password string
		result   dialing.Result
		cause    string
	}{
		{trunkPassword, dialing.Busy, "486 Busy Here"},
		{"not-the-password", dialing.Rejected, "403 Forbidden"},
	} {
		t.Run(tc.cause, func(t *testing.T) {
			s := startSipp(t, "digest")
			d := newDialerWith(t, dialing.Trunk{Host: "127.0.0.1", Port: s.Port, Password: tc.password}, nil)
			checkEnd(t, expect(t, dial(t, d, 5*time.Second, false), dialing.EventEnded), tc.result, tc.cause)
			s.Finished(t)
		})
	}
}

func TestRingTimeoutCancels(t *testing.T) {
	s := startSipp(t, "no_answer")
	c := dial(t, newDialer(t, s.Port, "udp", nil), time.Second, false)
	e := expect(t, c, dialing.EventRinging, dialing.EventEnded)
	checkEnd(t, e, dialing.NoAnswer, "ring timeout")
	s.Finished(t) // sipp got our CANCEL and the ACK of its 487
}

func TestHangupBeforeAnswerCancels(t *testing.T) {
	s := startSipp(t, "no_answer")
	c := dial(t, newDialer(t, s.Port, "udp", nil), 10*time.Second, false)
	expect(t, c, dialing.EventRinging)
	if err := c.Hangup(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkEnd(t, expect(t, c, dialing.EventEnded), dialing.NoAnswer, "hung up by Plateau before an answer")
	s.Finished(t)
}

// A trunk that does not answer: over UDP nothing says so, and the call
// fails once the response timeout has passed; over TCP the connection is
// refused at once. Neither needs sipp.
func TestDeadTrunk(t *testing.T) {
	t.Run("udp", func(t *testing.T) {
		c := dial(t, newDialer(t, sipptest.FreePort(t), "udp", nil), 10*time.Second, false)
		checkEnd(t, expect(t, c, dialing.EventEnded), dialing.Failed, "no response from the trunk within 1s")
	})
	t.Run("tcp", func(t *testing.T) {
		c := dial(t, newDialer(t, sipptest.FreePort(t), "tcp", nil), 10*time.Second, false)
		e := expect(t, c, dialing.EventEnded)
		if e.Result != dialing.Failed || e.Cause == "" {
			t.Errorf("ended %s (%q), want failed with a cause", e.Result, e.Cause)
		}
	})
}

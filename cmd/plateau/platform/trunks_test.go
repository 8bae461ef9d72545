package platform_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/sipdial"
	"github.com/plateau-bpo/plateau/pkg/dialing/sipdial/sipptest"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestTheSIPEngineDialsThroughTheCentersStoredTrunks: a center's trunks,
// kept by the store with the password sealed, carry its calls. The first
// added is dead (nothing listens): its call fails with the cause, and the
// next call goes to the live one, a sipp trunk that challenges the INVITE
// and lets the stored password through (to a 486). A center without
// trunks has its calls refused with the reason.
func TestTheSIPEngineDialsThroughTheCentersStoredTrunks(t *testing.T) {
	trunk := sipptest.Start(t, "digest", "udp") // the password sipdial's testdata/digest.xml expects
	e := platformtest.New(t)
	atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
	bare := e.Org(tenancy.KindCenter, "Sans Trunk", "FR")
	const callerID = "+33180000000"
	for _, in := range []store.NewTrunk{
		{Name: "Dead", Trunk: dialing.Trunk{Host: "127.0.0.1", Port: sipptest.FreePort(t), CallerIDs: []string{callerID},
			MaxConcurrent: 2, CallsPerSecond: 50}},
		{Name: "Live", Trunk: dialing.Trunk{Host: "127.0.0.1", Port: trunk.Port, Username: "plateau", Password: "s3cret-trunk-password",
			CallerIDs: []string{callerID}, MaxConcurrent: 2, CallsPerSecond: 50}},
	} {
		if _, err := e.P.Services.Trunks.Add(platformtest.As(atlas.Org), in); err != nil {
			t.Fatal(err)
		}
	}
	_, router := e.P.SIPEngine(t.Context(), platform.SIP{BindHost: "127.0.0.1"})
	t.Cleanup(func() {
		if err := router.Close(); err != nil {
			t.Error(err)
		}
	})
	dial := func(center uuid.UUID) dialing.Event {
		t.Helper()
		// The ring timeout outlasts the trunk's response timeout, which
		// alone must end the call on the dead trunk.
		c, err := router.Dial(t.Context(), dialing.Dial{CallID: uuid.New(), CenterID: center, To: "+33612345678",
			RingTimeout: 2 * sipdial.DefaultResponseTimeout})
		if err != nil {
			t.Fatal(err)
		}
		var end dialing.Event
		timeout := time.After(4 * sipdial.DefaultResponseTimeout)
		for {
			select {
			case ev, open := <-c.Events():
				if !open {
					return end
				}
				end = ev
			case <-timeout:
				t.Fatalf("the call did not end; last event %+v", end)
			}
		}
	}

	if end := dial(atlas.Org.ID); end.Result != dialing.Failed || end.Cause != "no response from the trunk within 5s" {
		t.Errorf("the call on the dead trunk ended %s (%q), want failed with the trunk's silence", end.Result, end.Cause)
	}
	if end := dial(atlas.Org.ID); end.Result != dialing.Busy || end.Cause != "486 Busy Here" {
		t.Errorf("the call after the dead trunk ended %s (%q), want the live trunk's 486", end.Result, end.Cause)
	}
	trunk.Finished(t) // sipp checked the digest of the stored password

	_, err := router.Dial(t.Context(), dialing.Dial{CallID: uuid.New(), CenterID: bare.Org.ID, To: "+33612345678", RingTimeout: time.Second})
	if e := apperr.As(err); e == nil || e.Code != "routing.no_trunk" {
		t.Errorf("a center without trunks: %v, want routing.no_trunk", err)
	}
}

package sipdial

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
)

// DefaultRingTimeout is the ring timeout of a Dial that sets none.
const DefaultRingTimeout = 30 * time.Second

// teardownTimeout bounds a BYE once the other side is gone.
const teardownTimeout = 10 * time.Second

// storeTimeout bounds the storing of a recording: a long call's WAV (an
// hour is 115 MB) to a distant bucket.
const storeTimeout = 5 * time.Minute

// Causes Plateau gives to calls it ends itself.
const (
	causeRingTimeout = "ring timeout"
	causeCancelled   = "hung up by Plateau before an answer"
	causeOurBye      = "BYE from Plateau"
	causeCalleeBye   = "BYE from the callee"
	causeAgentBye    = "BYE from the agent"
)

// errAborted cancels an INVITE Plateau gives up on; sipgo then sends CANCEL.
var errAborted = errors.New("sipdial: call aborted")

// call is one call through the trunk, run by its own goroutine (run): the
// INVITE, then the answered dialog until one side hangs up.
type call struct {
	d      *Dialer
	dial   dialing.Dial
	events chan dialing.Event
	done   chan struct{} // closed once the Ended event is sent

	inviteCtx    context.Context
	cancelInvite context.CancelCauseFunc
	responded    atomic.Bool // the trunk answered the INVITE at all (100 Trying or more)
	rang         atomic.Bool

	mu         sync.Mutex
	ending     string         // the cause when Plateau ends the call, set once
	endResult  dialing.Result // the result that goes with ending, before an answer
	callee     *diago.DialogClientSession
	calleeMed  *diago.DialogMedia
	noticeDone chan struct{} // closed when the recording notice has played
	bridge     *bridge
	finished   bool // the callee is gone: no new bridge
}

func newCall(d *Dialer, dial dialing.Dial) *call {
	if dial.RingTimeout <= 0 {
		dial.RingTimeout = DefaultRingTimeout
	}
	c := &call{d: d, dial: dial, events: make(chan dialing.Event, 3), done: make(chan struct{})}
	c.inviteCtx, c.cancelInvite = context.WithCancelCause(context.Background())
	return c
}

// ID is Plateau's call id.
func (c *call) ID() uuid.UUID { return c.dial.CallID }

// Events reports ringing, answered and ended, then closes.
func (c *call) Events() <-chan dialing.Event { return c.events }

func (c *call) emit(e dialing.Event) {
	e.CallID, e.At = c.dial.CallID, time.Now().UTC()
	c.events <- e // never blocks: at most one event of each kind, and room for three
}

// run places the call and follows it to its end.
func (c *call) run() {
	defer close(c.done)
	defer close(c.events)
	ring := time.AfterFunc(c.dial.RingTimeout, func() { c.abort(dialing.NoAnswer, causeRingTimeout) })
	silence := time.AfterFunc(c.d.responseTimeout, func() {
		if !c.responded.Load() {
			c.abort(dialing.Failed, fmt.Sprintf("no response from the trunk within %s", c.d.responseTimeout))
		}
	})
	session, med, err := c.d.diago.Invite(c.inviteCtx, c.d.calleeURI(c.dial.To), diago.InviteOptions{
		Transport:  c.d.trunk.Net(),
		Username:   c.d.trunk.Username,
		Password:   c.d.trunk.Password,
		Headers:    []sip.Header{c.d.from(c.dial.CallerID), sip.NewHeader(CallIDHeader, c.dial.CallID.String())},
		OnResponse: c.onResponse,
	})
	ring.Stop()
	silence.Stop()
	if err != nil {
		result, cause := c.unanswered(err)
		c.emit(dialing.Event{Kind: dialing.EventEnded, Result: result, Cause: cause})
		return
	}
	defer session.Close()

	c.mu.Lock()
	if c.ending != "" {
		// Plateau gave up as the 200 OK crossed its CANCEL: end it now.
		result, cause := c.endResult, c.ending
		c.mu.Unlock()
		c.bye(session)
		c.emit(dialing.Event{Kind: dialing.EventEnded, Result: result, Cause: cause})
		return
	}
	c.callee, c.calleeMed = session, med
	if c.dial.Record {
		c.noticeDone = make(chan struct{})
		go c.playNotice(med, c.noticeDone)
	}
	c.mu.Unlock()
	c.emit(dialing.Event{Kind: dialing.EventAnswered})

	<-session.Context().Done()
	c.emit(c.teardown())
}

// onResponse follows the provisional responses: the first sign of life
// from the trunk, and ringing.
func (c *call) onResponse(res *sip.Response) error {
	c.responded.Store(true)
	if (res.StatusCode == sip.StatusRinging || res.StatusCode == sip.StatusSessionInProgress) && c.rang.CompareAndSwap(false, true) {
		c.emit(dialing.Event{Kind: dialing.EventRinging})
	}
	return nil
}

// abort gives up an unanswered call with its result and cause: a CANCEL
// once the trunk has answered the INVITE at all, else (SIP may not cancel
// what got no response) the INVITE's transaction is dropped.
func (c *call) abort(result dialing.Result, cause string) {
	c.mu.Lock()
	if c.ending != "" || c.callee != nil {
		c.mu.Unlock()
		return
	}
	c.ending, c.endResult = cause, result
	c.mu.Unlock()
	if c.responded.Load() {
		c.cancelInvite(errAborted)
		return
	}
	c.cancelInvite(sipgo.WaitAnswerForceCancelErr)
}

// unanswered is how a call that got no answer ends: the trunk's final
// response when there is one, else Plateau's own cause, else the error.
func (c *call) unanswered(err error) (dialing.Result, string) {
	var res *sipgo.ErrDialogResponse
	if errors.As(err, &res) {
		return resultOf(res.Res.StatusCode), causeOf(res.Res.StatusCode, res.Res.Reason)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ending != "" {
		return c.endResult, c.ending
	}
	return dialing.Failed, "SIP error: " + err.Error()
}

// playNotice tells the callee the call is recorded.
func (c *call) playNotice(med *diago.DialogMedia, done chan struct{}) {
	defer close(done)
	playback, err := med.PlaybackCreate()
	if err == nil {
		_, err = playback.Play(bytes.NewReader(c.d.notice), c.d.noticeType)
	}
	if err != nil {
		c.d.log.Warn("sipdial: the recording notice did not play", "call_id", c.dial.CallID, "error", err)
	}
}

// teardown ends an answered call once the callee's dialog is over: the
// agent's leg is hung up and the recording stored.
func (c *call) teardown() dialing.Event {
	c.mu.Lock()
	c.finished = true
	b, cause := c.bridge, c.ending
	c.mu.Unlock()
	if cause == "" {
		cause = causeCalleeBye
	}
	if b == nil {
		return dialing.Event{Kind: dialing.EventEnded, Result: dialing.Abandoned, Cause: cause}
	}
	c.bye(b.agent)
	_ = b.agent.Close()
	ended := dialing.Event{Kind: dialing.EventEnded, Result: dialing.Answered, Cause: cause}
	if b.recorder != nil {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		ref, err := b.recorder.save(ctx, c.d.recordings, c.dial.CallID.String()+".wav")
		if err != nil {
			c.d.log.Error("sipdial: the recording was not stored", "call_id", c.dial.CallID, "error", err)
		}
		ended.Recording = ref
	}
	return ended
}

// bye hangs up an answered leg, unless it has ended already.
func (c *call) bye(leg *diago.DialogClientSession) {
	if leg.Context().Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
	defer cancel()
	if err := leg.Hangup(ctx); err != nil {
		c.d.log.Warn("sipdial: BYE failed", "call_id", c.dial.CallID, "error", err)
	}
}

// Hangup ends the call: CANCEL before an answer, BYE after (to the callee,
// and so to the agent). It returns once the call has ended, or with ctx.
func (c *call) Hangup(ctx context.Context) error {
	c.mu.Lock()
	callee, finished := c.callee, c.finished
	if callee != nil && c.ending == "" {
		c.ending = causeOurBye
	}
	c.mu.Unlock()
	switch {
	case finished:
		return nil
	case callee == nil:
		c.abort(dialing.NoAnswer, causeCancelled)
	default:
		if err := callee.Hangup(ctx); err != nil && callee.Context().Err() == nil {
			return apperr.Wrap(err, apperr.Unavailable, "sip_trunk.hangup", "the call could not be hung up")
		}
	}
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

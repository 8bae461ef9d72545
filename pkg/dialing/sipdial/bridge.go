package sipdial

import (
	"context"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
)

// bridge is an answered call's link to its agent: the agent's leg and,
// when the call records, the recorder on the callee's side.
type bridge struct {
	agent    *diago.DialogClientSession
	recorder *recorder
}

// Bridge calls the agent's endpoint (a second outbound leg, presenting the
// callee's number, with the call id header) and relays the audio between
// the callee and the agent through diago's bridge. A recorded call waits
// for its notice to finish first, and records from the moment the agent
// answers. When either side hangs up, the other is hung up too.
func (c *call) Bridge(ctx context.Context, agent dialing.Endpoint) error {
	c.mu.Lock()
	callee, med, notice, taken := c.callee, c.calleeMed, c.noticeDone, c.bridge != nil || c.finished
	c.mu.Unlock()
	switch {
	case callee == nil:
		return apperr.New(apperr.Conflict, "sip_trunk.bridge.unanswered", "the call is not answered")
	case taken:
		return apperr.New(apperr.Conflict, "sip_trunk.bridge.taken", "the call is already bridged or over")
	}
	var uri sip.Uri
	if err := sip.ParseUri(agent.URI, &uri); err != nil {
		return apperr.New(apperr.Invalid, "sip_trunk.bridge.uri", "the agent's endpoint %q is not a SIP URI", agent.URI)
	}
	if notice != nil {
		select {
		case <-notice:
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	b := diago.NewBridge()
	side, rec, err := c.calleeSide(med)
	if err == nil {
		err = b.AddAudioMedia(side)
	}
	if err != nil {
		rec.discard()
		return apperr.Wrap(err, apperr.Internal, "sip_trunk.bridge.media", "the callee's audio could not be bridged")
	}
	leg, _, err := c.d.diago.InviteBridge(ctx, uri, &b, diago.InviteOptions{
		Headers: []sip.Header{c.d.from(c.dial.To), sip.NewHeader(CallIDHeader, c.dial.CallID.String())},
	})
	if err != nil {
		rec.discard()
		return apperr.Wrap(err, apperr.Unavailable, "sip_trunk.bridge.agent", "the agent's endpoint did not take the call")
	}

	c.mu.Lock()
	if c.finished {
		c.mu.Unlock()
		c.bye(leg)
		_ = leg.Close()
		rec.discard()
		return apperr.New(apperr.Conflict, "sip_trunk.bridge.gone", "the callee hung up before the agent answered")
	}
	c.bridge = &bridge{agent: leg, recorder: rec}
	c.mu.Unlock()

	go func() {
		select {
		case <-leg.Context().Done():
			c.mu.Lock()
			if c.ending == "" {
				c.ending = causeAgentBye
			}
			c.mu.Unlock()
			c.bye(callee)
		case <-callee.Context().Done():
		}
	}()
	return nil
}

// calleeSide is the callee's audio as the bridge relays it: through the
// recorder when the call records (its nil recorder otherwise).
func (c *call) calleeSide(med *diago.DialogMedia) (*diago.BridgeAudioMedia, *recorder, error) {
	side := &diago.BridgeAudioMedia{
		StopRTP:  func() error { return med.StopRTP(0, 0) },
		StartRTP: func() error { return med.StartRTP(0, 0) },
	}
	var err error
	if side.Reader, err = med.AudioReader(diago.WithAudioReaderMediaProps(&side.ReaderProps)); err != nil {
		return nil, nil, err
	}
	if side.Writer, err = med.AudioWriter(diago.WithAudioWriterMediaProps(&side.WriterProps)); err != nil {
		return nil, nil, err
	}
	if !c.dial.Record {
		return side, nil, nil
	}
	rec, err := newRecorder(side.ReaderProps.Codec, side.Reader, side.Writer)
	if err != nil {
		return nil, nil, err
	}
	side.Reader, side.Writer = rec.reader(), rec.writer()
	return side, rec, nil
}

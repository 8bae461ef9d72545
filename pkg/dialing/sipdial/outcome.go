package sipdial

import (
	"fmt"

	"github.com/plateau-bpo/plateau/pkg/dialing"
)

// resultOf is how a final SIP response to our INVITE ends the call, by its
// status code (RFC 3261 §21): the busy and refusal codes the rules count
// apart, the "nobody picked up" ones, and everything else as a failure of
// the network or the trunk.
func resultOf(code int) dialing.Result {
	switch code {
	case 486, 600:
		return dialing.Busy
	case 603, 403, 404, 410, 484, 604:
		return dialing.Rejected
	case 408, 480, 487:
		return dialing.NoAnswer
	}
	return dialing.Failed
}

// causeOf is the cause a call row keeps for a SIP response: its code and
// reason phrase, "486 Busy Here".
func causeOf(code int, reason string) string {
	if reason == "" {
		return fmt.Sprint(code)
	}
	return fmt.Sprintf("%d %s", code, reason)
}

package sipdial_test

import (
	"testing"

	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/sipdial"
)

func TestResultOfStatus(t *testing.T) {
	for code, want := range map[int]dialing.Result{
		486: dialing.Busy, 600: dialing.Busy,
		603: dialing.Rejected, 403: dialing.Rejected, 404: dialing.Rejected, 410: dialing.Rejected, 484: dialing.Rejected, 604: dialing.Rejected,
		408: dialing.NoAnswer, 480: dialing.NoAnswer, 487: dialing.NoAnswer,
		400: dialing.Failed, 488: dialing.Failed, 500: dialing.Failed, 503: dialing.Failed, 606: dialing.Failed,
	} {
		if got := sipdial.ResultOf(code); got != want {
			t.Errorf("%d: %s, want %s", code, got, want)
		}
	}
}

package presence_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/presence"
)

func TestChoose(t *testing.T) {
	campaign := uuid.New()
	cases := []struct {
		name     string
		by       presence.Chooser
		from, to presence.State
		reason   string
		campaign *uuid.UUID
		want     apperr.Kind // "" when allowed
		kept     string
	}{
		{"ready on a campaign", presence.ByAgent, presence.Offline, presence.Ready, "", &campaign, "", ""},
		{"ready without a campaign", presence.ByAgent, presence.Offline, presence.Ready, "", nil, apperr.Invalid, ""},
		{"pause with a reason", presence.ByAgent, presence.Ready, presence.Paused, "  déjeuner ", nil, "", "déjeuner"},
		{"pause without one", presence.ByAgent, presence.Ready, presence.Paused, " ", nil, apperr.Invalid, ""},
		{"a reason only for a pause", presence.ByAgent, presence.WrapUp, presence.Offline, "fin", nil, "", ""},
		{"on a call by choice", presence.ByAgent, presence.Ready, presence.OnCall, "", nil, apperr.Invalid, ""},
		{"leaving a call", presence.ByAgent, presence.OnCall, presence.Paused, "pause", nil, apperr.Conflict, ""},
		{"a reserved agent goes offline", presence.ByAgent, presence.Reserved, presence.Offline, "", nil, apperr.Conflict, ""},
		{"a supervisor takes it off the floor", presence.BySupervisor, presence.Reserved, presence.Offline, "", nil, "", ""},
		{"but does not make it ready", presence.BySupervisor, presence.OnCall, presence.Ready, "", &campaign, apperr.Conflict, ""},
	}
	for _, c := range cases {
		kept, err := presence.Choose(c.by, c.from, c.to, c.reason, c.campaign)
		if apperr.KindOf(err) != c.want && !(c.want == "" && err == nil) || kept != c.kept {
			t.Errorf("%s: %q, %v; want %q and kind %q", c.name, kept, err, c.kept, c.want)
		}
	}
}

func TestEngage(t *testing.T) {
	for _, m := range []struct{ from, to presence.State }{
		{presence.Ready, presence.Reserved}, {presence.Reserved, presence.OnCall}, {presence.Reserved, presence.Ready},
		{presence.OnCall, presence.WrapUp},
	} {
		if err := presence.Engage(m.from, m.to); err != nil {
			t.Errorf("%s → %s: %v", m.from, m.to, err)
		}
	}
	for _, m := range []struct{ from, to presence.State }{
		{presence.Paused, presence.Reserved}, {presence.Offline, presence.OnCall}, {presence.Ready, presence.OnCall},
		{presence.WrapUp, presence.OnCall},
	} {
		if err := presence.Engage(m.from, m.to); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("%s → %s: %v, want a conflict", m.from, m.to, err)
		}
	}
}

package dialing_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
)

const callerID = "+33180000000"

func TestTrunkNeverShowsItsPassword(t *testing.T) {
	const password = "hunter2-trunk-secret"
	trunk := dialing.Trunk{Host: "sip.example.net", Username: "center-7", Password: password,
		CallerIDs: []string{callerID}, MaxConcurrent: 10, CallsPerSecond: 2}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("trunk", "trunk", trunk)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("trunk", "trunk", trunk)
	for _, shown := range []string{
		fmt.Sprint(trunk), fmt.Sprintf("%v %+v %#v %s", trunk, trunk, trunk, trunk),
		fmt.Sprint(&trunk), fmt.Sprintf("%+v", []dialing.Trunk{trunk}), logged.String(),
	} {
		if strings.Contains(shown, password) {
			t.Errorf("the password shows in %q", shown)
		}
		if !strings.Contains(shown, "sip.example.net") {
			t.Errorf("the trunk is not described in %q", shown)
		}
	}
}

func TestTrunkValidate(t *testing.T) {
	err := dialing.Trunk{Transport: "sctp", Password: "x", Codec: "G729"}.Validate()
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.Invalid {
		t.Fatalf("Validate() = %v, want invalid", err)
	}
	var paths []string
	for _, f := range e.Fields {
		paths = append(paths, f.Path)
	}
	want := "host transport username caller_ids max_concurrent calls_per_second codec"
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("invalid fields %q, want %q", got, want)
	}
	ok := dialing.Trunk{Host: "h", CallerIDs: []string{callerID}, MaxConcurrent: 1, CallsPerSecond: 1}
	if err := ok.Validate(); err != nil {
		t.Errorf("a complete trunk: %v", err)
	}
}

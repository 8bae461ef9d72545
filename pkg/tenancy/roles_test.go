package tenancy_test

import (
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestParseRoleIsCoded: a role an org of the kind does not have is an
// Invalid error a field carries in its reader's language, its kind a
// word the catalogs translate.
func TestParseRoleIsCoded(t *testing.T) {
	if r, err := tenancy.ParseRole(tenancy.KindCenter, " agent "); err != nil || r != tenancy.RoleAgent {
		t.Fatalf("ParseRole(center, agent) = %q, %v", r, err)
	}
	_, err := tenancy.ParseRole(tenancy.KindClient, "agent")
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.Invalid || e.Code != "tenancy.role.unknown" || len(e.Args) != 3 {
		t.Fatalf("ParseRole(client, agent) = %#v", err)
	}
	if kind, ok := e.Args[1].(apperr.Term); !ok || kind.TermKey() != "kind.client" {
		t.Errorf("the org kind %#v is not a word the catalogs translate", e.Args[1])
	}
	if e.Message != `must be one of owner, manager, analyst, billing for a client org (got "agent")` {
		t.Errorf("message %q", e.Message)
	}
}

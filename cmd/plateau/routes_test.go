package main

import (
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// TestEveryRouteDeclaresAPermission walks every route of the binary's
// server, all front doors mounted, and fails for one registered around the
// permission-declaring router.
func TestEveryRouteDeclaresAPermission(t *testing.T) {
	e := platformtest.New(t)
	routes := e.P.Server.Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes: are the front doors mounted?", len(routes))
	}
	for _, r := range routes {
		if !r.Declared {
			t.Errorf("%s %s declares no permission", r.Method, r.Path)
		}
	}
}

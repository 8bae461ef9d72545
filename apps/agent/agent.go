// Package agent is the front door for agents on the floor. Its pages live under /agent; for
// now its landing page, which later releases fill with their navigation.
package agent

import (
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Mount registers the front door's routes.
func Mount(p *platform.Platform) {
	p.Landing("agent", tenancy.PermAgentAccess)
}

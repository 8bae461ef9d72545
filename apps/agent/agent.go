// Package agent is the front door for agents on the floor. Its pages live under /agent; for
// now its landing page, which later releases fill with their navigation.
package agent

import (
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Deps are what the agent workspace uses.
type Deps struct {
	Server  *fiberhttp.Server
	Tenancy *store.Tenancy // the landing page's team
}

// Agent is the agent workspace.
type Agent struct{ d Deps }

// New builds the front door.
func New(d Deps) *Agent { return &Agent{d: d} }

// Mount registers the front door's routes.
func (a *Agent) Mount() {
	a.d.Server.Landing("agent", tenancy.PermAgentAccess, a.d.Tenancy.Team)
}

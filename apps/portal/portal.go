// Package portal is the front door for client companies: their campaign managers, analysts and billing staff. Its pages live under /portal; for
// now its landing page, which later releases fill with their navigation.
package portal

import (
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Mount registers the front door's routes.
func Mount(p *platform.Platform) {
	p.Landing("portal", tenancy.PermPortalAccess)
}

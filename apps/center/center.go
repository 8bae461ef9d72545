// Package center is the front door for call center owners, supervisors and quality staff. Its pages live under /center; for
// now its landing page, which later releases fill with their navigation.
package center

import (
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Mount registers the front door's routes.
func Mount(p *platform.Platform) {
	p.Landing("center", tenancy.PermCenterAccess)
}

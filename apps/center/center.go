// Package center is the front door for call center owners, supervisors and
// quality staff. Its pages live under /center: the landing page and the
// center's data-protection profile, which decides whether it may receive
// EU personal data.
//
// It composes the platform (store, i18n, server); the rule itself is
// pkg/compliance's MayProcessEUData.
package center

import (
	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Center is the center admin front door.
type Center struct {
	p *platform.Platform
}

// Mount registers the front door's routes.
func Mount(p *platform.Platform) {
	p.Landing("center", tenancy.PermCenterAccess)
	ce := &Center{p: p}
	r := p.Server.Group("/center")
	r.Get("/data-protection", tenancy.PermCenterProfileRead, ce.profilePage)
	r.Post("/data-protection", tenancy.PermCenterProfileEdit, ce.saveProfile)
}

func (ce *Center) t(c *fiber.Ctx, key string, args ...any) string {
	return ce.p.I18n.T(fiberhttp.LocaleOf(c), key, args...)
}

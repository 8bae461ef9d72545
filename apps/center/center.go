// Package center is the front door for call center owners, supervisors and
// quality staff. Its pages live under /center: the landing page; the
// marketplace as a center works it — the open campaign requests, the offer
// form, the center's offers and contracts (confirmed by the owner), and the
// brief of a contracted campaign with its call script; and the center's
// data-protection profile, which decides whether it may receive EU
// personal data.
//
// It composes the platform (store, i18n, server); the rules stay in the
// domain: pkg/market (offers, rate cards, amounts, contract activation),
// pkg/campaign, pkg/script and pkg/compliance's MayProcessEUData.
package center

import (
	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
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
	// The marketplace pages need center:access besides their permission:
	// agents read campaigns too, from the agent workspace, not from here.
	r.Get("/requests", tenancy.PermCampaignsRead, ce.admin, ce.requestsPage)
	r.Get("/requests/:id", tenancy.PermCampaignsRead, ce.admin, ce.requestPage)
	r.Post("/requests/:id/offer", tenancy.PermOffersWrite, ce.admin, ce.submitOffer)
	r.Get("/offers", tenancy.PermCampaignsRead, ce.admin, ce.offersPage)
	r.Get("/contracts", tenancy.PermCampaignsRead, ce.admin, ce.contractsPage)
	r.Post("/contracts/:id/confirm", tenancy.PermContractsWrite, ce.admin, ce.confirmContract)
	r.Get("/campaigns/:id", tenancy.PermCampaignsRead, ce.admin, ce.briefPage)
	ce.mountLeads(r)
}

// admin lets through the people of the center admin (center:access).
func (ce *Center) admin(c *fiber.Ctx) error {
	ok, err := ce.can(c, tenancy.PermCenterAccess)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "the center admin is for owners, supervisors and quality staff")
	}
	return c.Next()
}

// can reports whether the request's principal holds perm.
func (ce *Center) can(c *fiber.Ctx, perm tenancy.Permission) (bool, error) {
	principal, _ := fiberhttp.PrincipalOf(c)
	return ce.p.Authz.Allowed(c.UserContext(), principal, perm)
}

func (ce *Center) t(c *fiber.Ctx, key string, args ...any) string {
	return ce.p.I18n.T(fiberhttp.LocaleOf(c), key, args...)
}

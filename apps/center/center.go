// Package center is the front door for call center owners, supervisors and
// quality staff. Its pages live under /center: the landing page; the
// marketplace as a center works it — the open campaign requests, the offer
// form, the center's offers and contracts (confirmed by the owner), and the
// brief of a contracted campaign with its call script; the leads of a
// contracted campaign, masked; and the center's data-protection profile,
// which decides whether it may receive EU personal data.
//
// Each handler reads the request, calls one use case of pkg/store (or the
// read model made for its page, store.CenterViews) and renders. Who may do
// what is the policy table's (pkg/tenancy), asked by the routes and the
// use cases; the rules stay in the domain: pkg/market, pkg/campaign,
// pkg/script and pkg/compliance.
package center

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Deps are what the center admin uses.
type Deps struct {
	Server     *fiberhttp.Server
	Tenancy    *store.Tenancy     // the landing page's team
	Campaigns  *store.Campaigns   // not used yet: the pages read campaigns through Views
	Market     *store.Market      // offers and the confirmation of contracts
	Leads      *store.Leads       // a contracted campaign's leads, masked
	Compliance *store.Compliance  // the center's data-protection profile
	Views      *store.CenterViews // what the marketplace pages read
	Trunks     *store.Trunks      // the center's SIP trunks
	// Now is the platform's clock: a profile's status and the offer
	// form's dates are judged by it.
	Now func() time.Time
}

// Center is the center admin front door.
type Center struct {
	d Deps
	s *fiberhttp.Server
}

// New builds the front door.
func New(d Deps) *Center { return &Center{d: d, s: d.Server} }

// Mount registers the front door's routes. Every one needs center:access
// besides its own permission: agents read campaigns too, from the agent
// workspace, not from here.
func (ce *Center) Mount() {
	ce.s.Landing("center", tenancy.PermCenterAccess, ce.d.Tenancy.Team)
	r := ce.s.Section("/center", tenancy.PermCenterAccess)
	r.Get("/data-protection", tenancy.PermCenterProfileRead, ce.profilePage)
	r.Post("/data-protection", tenancy.PermCenterProfileEdit, ce.saveProfile)
	r.Get("/requests", tenancy.PermRequestsRead, ce.requestsPage)
	r.Get("/requests/:id", tenancy.PermRequestsRead, ce.requestPage)
	r.Post("/requests/:id/offer", tenancy.PermOffersWrite, ce.submitOffer)
	r.Get("/offers", tenancy.PermOffersWrite, ce.offersPage) // those who make offers read them back
	r.Get("/contracts", tenancy.PermCampaignsRead, ce.contractsPage)
	r.Post("/contracts/:id/confirm", tenancy.PermContractsConfirm, ce.confirmContract)
	r.Get("/campaigns/:id", tenancy.PermCampaignsRead, ce.briefPage)
	r.Get("/campaigns/:id/leads", tenancy.PermLeadsRead, ce.leadsPage)
	r.Get("/trunks", tenancy.PermFloorManage, ce.trunksPage)
	r.Post("/trunks", tenancy.PermFloorManage, ce.addTrunk)
	r.Post("/trunks/:id/remove", tenancy.PermFloorManage, ce.removeTrunk)
}

// can reports whether the request's principal holds perm.
func (ce *Center) can(c *fiber.Ctx, perm tenancy.Permission) (bool, error) { return ce.s.Can(c, perm) }

func (ce *Center) t(c *fiber.Ctx, key string, args ...any) string { return ce.s.T(c, key, args...) }

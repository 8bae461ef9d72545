// Package portal is the front door for client companies: their campaign
// managers, analysts and billing staff. Its pages live under /portal: the
// landing page; the campaigns, their offers, contracts, scripts and leads;
// and, for compliance, "why was this number not called?", the consent
// registry and the client's own suppression list, each with single entry,
// all-or-nothing bulk upload and CSV export.
//
// A handler reads the request, calls one use case of pkg/store (or the
// read model made for its page) and renders; the rules stay in the domain
// packages (pkg/campaign, pkg/market, pkg/compliance, pkg/script,
// pkg/leadfile).
package portal

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Deps are the use cases the client front door calls.
type Deps struct {
	Server     *fiberhttp.Server
	Tenancy    *store.Tenancy // the landing page's team
	Campaigns  *store.Campaigns
	Market     *store.Market
	Scripts    *store.Scripts
	Leads      *store.Leads
	Compliance *store.Compliance
	Now        func() time.Time // the platform's clock
}

// Portal is the client front door.
type Portal struct {
	d Deps
	s *fiberhttp.Server
}

// New builds the front door.
func New(d Deps) *Portal {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Portal{d: d, s: d.Server}
}

// Mount registers the front door's routes. Every one needs portal:access
// besides its own permission: people of centers and of the platform, who
// read campaigns too, use their own front doors.
func (pt *Portal) Mount() {
	pt.s.Landing("portal", tenancy.PermPortalAccess, pt.d.Tenancy.Team)
	r := pt.s.Section("/portal", tenancy.PermPortalAccess)
	r.Get("/compliance", tenancy.PermComplianceRead, pt.compliancePage)
	// Asking is reading: an analyst may ask why a number was not called. The
	// question is a POST so that callee numbers stay out of URLs and history.
	r.Post("/compliance", tenancy.PermComplianceRead, pt.decide)

	r.Get("/consents", tenancy.PermComplianceRead, pt.consentsPage)
	r.Get("/consents/export", tenancy.PermComplianceRead, pt.exportConsents)
	r.Post("/consents", tenancy.PermComplianceWrite, pt.recordConsent)
	r.Post("/consents/upload", tenancy.PermComplianceWrite, pt.uploadConsents)
	r.Post("/consents/withdraw", tenancy.PermComplianceWrite, pt.withdrawConsent)

	r.Get("/suppressions", tenancy.PermComplianceRead, pt.suppressionsPage)
	r.Get("/suppressions/export", tenancy.PermComplianceRead, pt.exportSuppressions)
	r.Post("/suppressions", tenancy.PermComplianceWrite, pt.addSuppression)
	r.Post("/suppressions/upload", tenancy.PermComplianceWrite, pt.uploadSuppressions)
	r.Post("/suppressions/:id/remove", tenancy.PermComplianceWrite, pt.removeSuppression)
	pt.mountScripts(r)

	pt.mountCampaigns(r)
	pt.mountLeads(r)
}

func (pt *Portal) render(c *fiber.Ctx, name, titleKey string, data any) error {
	return pt.s.Render(c, "portal/"+name, "portal", pt.s.T(c, titleKey), data)
}

// org is the signed-in person's org (pages are for people: the server
// refuses API keys here): its country is the default region of the numbers
// typed, its zone the one of the times typed and shown.
func (pt *Portal) org(c *fiber.Ctx) (tenancy.Org, *time.Location, error) {
	v := fiberhttp.ViewerOf(c)
	if v == nil {
		return tenancy.Org{}, nil, apperr.New(apperr.Unauthorized, "portal.sign_in", "sign in to use the portal")
	}
	return v.Membership.Org, fiberhttp.ZoneOf(c), nil
}

// when shows a time in a zone, with the zone's abbreviation.
var when = fiberhttp.When

// parseLocal reads a datetime-local field ("2026-09-15T10:00") as a time in
// loc: the form says which zone it is.
func parseLocal(s string, loc *time.Location) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

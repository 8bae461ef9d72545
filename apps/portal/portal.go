// Package portal is the front door for client companies: their campaign
// managers, analysts and billing staff. Its pages live under /portal: the
// landing page and, for compliance, "why was this number not called?", the
// consent registry and the client's own suppression list, each with single
// entry, all-or-nothing bulk upload and CSV export.
//
// It composes the platform (store, screener, i18n, server); the rules stay
// in pkg/compliance and the queries in pkg/store.
package portal

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Portal is the client front door.
type Portal struct {
	p *platform.Platform
}

// Mount registers the front door's routes.
func Mount(p *platform.Platform) {
	p.Landing("portal", tenancy.PermPortalAccess)
	pt := &Portal{p: p}
	r := p.Server.Group("/portal")
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

func (pt *Portal) t(c *fiber.Ctx, key string, args ...any) string {
	return pt.p.I18n.T(fiberhttp.LocaleOf(c), key, args...)
}

func (pt *Portal) render(c *fiber.Ctx, name, titleKey string, data any) error {
	return pt.p.Server.Render(c, "portal/"+name, "portal", pt.t(c, titleKey), data)
}

// can tells whether the signed-in principal holds perm, to show or hide the
// forms it needs; the routes enforce it either way.
func (pt *Portal) can(c *fiber.Ctx, perm tenancy.Permission) (bool, error) {
	principal, ok := fiberhttp.PrincipalOf(c)
	if !ok {
		return false, nil
	}
	return pt.p.Authz.Allowed(c.UserContext(), principal, perm)
}

// org is the signed-in person's org (pages are for people: the server
// refuses API keys here): its country is the default region of the numbers
// typed, its zone the one of the times typed and shown.
func (pt *Portal) org(c *fiber.Ctx) (tenancy.Org, *time.Location, error) {
	v := fiberhttp.ViewerOf(c)
	if v == nil {
		return tenancy.Org{}, nil, apperr.New(apperr.Unauthorized, "sign in to use the portal")
	}
	return v.Membership.Org, zoneOf(v.Membership.Org), nil
}

func zoneOf(org tenancy.Org) *time.Location {
	if loc, err := time.LoadLocation(org.Timezone); err == nil && org.Timezone != "" {
		return loc
	}
	return time.UTC
}

// when shows a time in a zone, with the zone's abbreviation.
func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

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

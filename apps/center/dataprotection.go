package center

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// profileForm is the profile as the form shows and sends it.
type profileForm struct {
	SCCSignedAt        string
	SCCModule          string
	TIAOnFile          bool
	AuthorityRef       string
	AuthorityExpiresAt string
	Documents          string
}

type profileData struct {
	CanEdit   bool
	Country   string
	Authority string // shown name: CNDP, CDP… or the generic words
	Form      profileForm
	Status    compliance.DataProtection
	Problems  fiberhttp.Problems
	UpdatedAt string
}

func formOf(p compliance.CenterProfile) profileForm {
	f := profileForm{SCCModule: p.SCCModule, TIAOnFile: p.TIAOnFile, AuthorityRef: p.AuthorityRef,
		Documents: strings.Join(p.Documents, "\n")}
	if p.SCCSignedAt != nil {
		f.SCCSignedAt = p.SCCSignedAt.Format(time.DateOnly)
	}
	if p.AuthorityExpiresAt != nil {
		f.AuthorityExpiresAt = p.AuthorityExpiresAt.Format(time.DateOnly)
	}
	return f
}

func (ce *Center) profilePage(c *fiber.Ctx) error {
	p, err := ce.d.Compliance.CenterProfile(c.UserContext())
	if err != nil {
		return err
	}
	return ce.renderProfile(c, p, formOf(p), nil)
}

func (ce *Center) renderProfile(c *fiber.Ctx, p compliance.CenterProfile, form profileForm, refused error) error {
	canEdit, err := ce.can(c, tenancy.PermCenterProfileEdit)
	if err != nil {
		return err
	}
	d := profileData{CanEdit: canEdit, Country: p.Country, Form: form, Status: ce.dataProtection(c, p),
		Problems: ce.s.Problems(c, refused, "scc_signed_at", "scc_module", "tia_on_file", "authority_ref", "authority_expires_at", "documents")}
	d.Authority = d.Status.Authority
	if d.Authority == "" {
		d.Authority = ce.t(c, "dp.authority_generic")
	}
	if d.Status.Filled {
		d.UpdatedAt = fiberhttp.When(p.UpdatedAt, fiberhttp.ZoneOf(c))
	}
	return ce.s.Render(c, "center/data_protection", "center", ce.t(c, "dp.title"), d)
}

func (ce *Center) saveProfile(c *fiber.Ctx) error {
	form := profileForm{SCCSignedAt: strings.TrimSpace(c.FormValue("scc_signed_at")), SCCModule: c.FormValue("scc_module"),
		TIAOnFile: c.FormValue("tia_on_file") != "", AuthorityRef: strings.TrimSpace(c.FormValue("authority_ref")),
		AuthorityExpiresAt: strings.TrimSpace(c.FormValue("authority_expires_at")), Documents: c.FormValue("documents")}
	in := compliance.CenterProfile{SCCModule: form.SCCModule, TIAOnFile: form.TIAOnFile, AuthorityRef: form.AuthorityRef,
		Documents: []string{}}
	var unread apperr.Fields
	date := func(field, s string) *time.Time {
		if s == "" {
			return nil
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			unread.Add(field, "form.date.invalid", "must be a date such as 2026-09-15 (got %q)", s)
			return nil
		}
		return &t
	}
	in.SCCSignedAt = date("scc_signed_at", form.SCCSignedAt)
	in.AuthorityExpiresAt = date("authority_expires_at", form.AuthorityExpiresAt)
	for _, line := range strings.Split(form.Documents, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Documents = append(in.Documents, line)
		}
	}
	var refused error = &apperr.Error{Kind: apperr.Invalid, Fields: unread}
	if unread == nil {
		_, err := ce.d.Compliance.SaveCenterProfile(c.UserContext(), in)
		e := apperr.As(err)
		switch {
		case err == nil:
			if err := ce.s.Flash(c, ce.t(c, "dp.saved")); err != nil {
				return err
			}
			return c.Redirect("/center/data-protection", fiber.StatusSeeOther)
		case e == nil || e.Kind != apperr.Invalid:
			return err
		}
		refused = err
	}
	// Refused: the form again, beside the profile on file and its status.
	saved, err := ce.d.Compliance.CenterProfile(c.UserContext())
	if err != nil {
		return err
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return ce.renderProfile(c, saved, form, refused)
}

// dataProtection is a center's data-protection status as the page's reader
// reads it, the time of its verification in the reader's zone.
func (ce *Center) dataProtection(c *fiber.Ctx, p compliance.CenterProfile) compliance.DataProtection {
	s := compliance.DataProtectionStatus(p, ce.d.Now(), func(key string, args ...any) string { return ce.t(c, key, args...) })
	if s.Verified {
		s.Verification = ce.t(c, "dp.verified", fiberhttp.When(*p.VerifiedAt, fiberhttp.ZoneOf(c)), p.VerifiedBy)
	}
	return s
}

package center

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/store"
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
	Status    platform.DataProtection
	Errors    []apperr.FieldError
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
	var p compliance.CenterProfile
	ctx := c.UserContext()
	err := ce.p.DB.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		p, err = t.CenterProfile(ctx)
		return err
	})
	if err != nil {
		return err
	}
	return ce.renderProfile(c, p, formOf(p), nil)
}

func (ce *Center) renderProfile(c *fiber.Ctx, p compliance.CenterProfile, form profileForm, errs []apperr.FieldError) error {
	canEdit, err := ce.can(c, tenancy.PermCenterProfileEdit)
	if err != nil {
		return err
	}
	d := profileData{CanEdit: canEdit, Country: p.Country, Form: form, Errors: errs,
		Status: platform.DataProtectionStatus(p, time.Now(), func(key string, args ...any) string { return ce.t(c, key, args...) })}
	d.Authority = d.Status.Authority
	if d.Authority == "" {
		d.Authority = ce.t(c, "dp.authority_generic")
	}
	if d.Status.Filled {
		d.UpdatedAt = p.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	return ce.p.Server.Render(c, "center/data_protection", "center", ce.t(c, "dp.title"), d)
}

func (ce *Center) saveProfile(c *fiber.Ctx) error {
	form := profileForm{SCCSignedAt: strings.TrimSpace(c.FormValue("scc_signed_at")), SCCModule: c.FormValue("scc_module"),
		TIAOnFile: c.FormValue("tia_on_file") != "", AuthorityRef: strings.TrimSpace(c.FormValue("authority_ref")),
		AuthorityExpiresAt: strings.TrimSpace(c.FormValue("authority_expires_at")), Documents: c.FormValue("documents")}
	in := compliance.CenterProfile{SCCModule: form.SCCModule, TIAOnFile: form.TIAOnFile, AuthorityRef: form.AuthorityRef,
		Documents: []string{}}
	var errs []apperr.FieldError
	date := func(field, s string) *time.Time {
		if s == "" {
			return nil
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			errs = append(errs, apperr.FieldError{Path: field, Message: "must be a date, such as 2026-09-15"})
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
	// The profile on file, to show its status again when the form is refused.
	var saved compliance.CenterProfile
	ctx := c.UserContext()
	err := ce.p.DB.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		if saved, err = t.CenterProfile(ctx); err != nil || errs != nil {
			return err
		}
		_, err = t.SaveCenterProfile(ctx, in)
		if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
			errs = e.Fields
			if len(errs) == 0 {
				errs = []apperr.FieldError{{Message: e.Message}}
			}
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if errs != nil {
		c.Status(fiber.StatusUnprocessableEntity)
		return ce.renderProfile(c, saved, form, errs)
	}
	if err := ce.p.Server.Flash(c, ce.t(c, "dp.saved")); err != nil {
		return err
	}
	return c.Redirect("/center/data-protection", fiber.StatusSeeOther)
}

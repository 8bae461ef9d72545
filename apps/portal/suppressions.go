package portal

import (
	"context"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// suppressionColumns are the columns of a suppression upload and export; a
// file of one number per line is the first column alone.
var suppressionColumns = []string{"phone", "reason", "source"}

type suppressionForm struct {
	Phone, Reason, Source string
}

type suppressionView struct {
	ID        string
	Phone     string
	Reason    string
	Source    string
	CreatedAt string
}

type suppressionsData struct {
	CanWrite  bool
	Entries   []suppressionView
	NextQuery template.URL // a query string made here, not to be escaped again
	Form      suppressionForm
	Errors    []apperr.FieldError
	Upload    *uploadReport
}

func (pt *Portal) suppressionsPage(c *fiber.Ctx) error {
	return pt.renderSuppressions(c, &suppressionsData{})
}

func (pt *Portal) renderSuppressions(c *fiber.Ctx, d *suppressionsData) error {
	_, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	if d.CanWrite, err = pt.can(c, tenancy.PermComplianceWrite); err != nil {
		return err
	}
	page := store.Page{After: fiberhttp.After(c)}
	ctx := c.UserContext()
	err = pt.p.DB.InTenant(ctx, func(t *store.Tenant) error {
		entries, next, err := t.Suppressions(ctx, page)
		for _, e := range entries {
			d.Entries = append(d.Entries, suppressionView{ID: e.ID.String(), Phone: e.Phone, Reason: e.Reason, Source: e.Source,
				CreatedAt: when(e.CreatedAt, loc)})
		}
		if next != nil {
			d.NextQuery = template.URL(url.Values{"after": {next.String()}}.Encode())
		}
		return err
	})
	if err != nil {
		return err
	}
	return pt.render(c, "suppressions", "suppressions.title", d)
}

func (pt *Portal) addSuppression(c *fiber.Ctx) error {
	org, _, err := pt.org(c)
	if err != nil {
		return err
	}
	form := suppressionForm{Phone: c.FormValue("phone"), Reason: c.FormValue("reason"), Source: c.FormValue("source")}
	var added int
	ctx := c.UserContext()
	err = pt.p.DB.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		added, err = t.AddSuppressions(ctx, org.Country, []compliance.NewSuppression{{Phone: form.Phone, Reason: form.Reason, Source: form.Source}})
		return err
	})
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderSuppressions(c, &suppressionsData{Form: form, Errors: e.Fields})
	} else if err != nil {
		return err
	}
	msg := pt.t(c, "suppressions.added", added)
	if added == 0 {
		msg = pt.t(c, "suppressions.already")
	}
	if err := pt.p.Server.Flash(c, msg); err != nil {
		return err
	}
	return c.Redirect("/portal/suppressions", fiber.StatusSeeOther)
}

// uploadSuppressions puts every number of a file on the list, or none: one
// number per line, or a CSV file with a phone column (and optionally
// reason and source).
func (pt *Portal) uploadSuppressions(c *fiber.Ctx) error {
	org, _, err := pt.org(c)
	if err != nil {
		return err
	}
	name, rows, rep := readUpload(c, suppressionColumns, []string{"created_at"}, false, "the file holds no number")
	items := make([]compliance.NewSuppression, 0, len(rows))
	for _, r := range rows {
		in := compliance.NewSuppression{Phone: r.Fields["phone"], Reason: r.Fields["reason"], Source: r.Fields["source"]}
		if in.Source == "" {
			in.Source = name
		}
		if _, errs := in.Validate("", org.Country); len(errs) > 0 {
			for _, e := range errs {
				rep.add(r.Line, e.Path, "%s", e.Message)
			}
		}
		items = append(items, in)
	}
	if rep.Bad > 0 {
		return pt.refuseSuppressions(c, rep)
	}
	added, err := storeInChunks(c.UserContext(), pt.p.DB, items, rows, rep, func(ctx context.Context, t *store.Tenant, batch []compliance.NewSuppression) (int, error) {
		return t.AddSuppressions(ctx, org.Country, batch)
	})
	if rep.Bad > 0 {
		return pt.refuseSuppressions(c, rep)
	} else if err != nil {
		return err
	}
	if err := pt.p.Server.Flash(c, pt.t(c, "suppressions.uploaded", len(items), added)); err != nil {
		return err
	}
	return c.Redirect("/portal/suppressions", fiber.StatusSeeOther)
}

func (pt *Portal) refuseSuppressions(c *fiber.Ctx, rep *uploadReport) error {
	c.Status(fiber.StatusUnprocessableEntity)
	return pt.renderSuppressions(c, &suppressionsData{Upload: rep})
}

func (pt *Portal) removeSuppression(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "entry on your list")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := pt.p.DB.InTenant(ctx, func(t *store.Tenant) error { return t.RemoveSuppression(ctx, id) }); err != nil {
		return err
	}
	if err := pt.p.Server.Flash(c, pt.t(c, "suppressions.removed", c.FormValue("phone"))); err != nil {
		return err
	}
	return c.Redirect("/portal/suppressions", fiber.StatusSeeOther)
}

func (pt *Portal) exportSuppressions(c *fiber.Ctx) error {
	all, err := everyPage(c.UserContext(), pt.p.DB, func(ctx context.Context, t *store.Tenant, page store.Page) ([]compliance.SuppressionEntry, *uuid.UUID, error) {
		return t.Suppressions(ctx, page)
	})
	if err != nil {
		return err
	}
	w := csvWriter(c, "suppressions-"+time.Now().UTC().Format("2006-01-02")+".csv")
	_ = w.Write(append(suppressionColumns[:len(suppressionColumns):len(suppressionColumns)], "created_at"))
	for _, e := range all {
		_ = w.Write([]string{e.Phone, protect(strings.TrimSpace(e.Reason)), protect(e.Source), e.CreatedAt.UTC().Format(time.RFC3339)})
	}
	w.Flush()
	return w.Error()
}

package portal

import (
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// suppressionColumns are the columns of a suppression upload and export,
// in order; a file of one number per line is the first column alone. The
// export adds when each number was added, which an upload ignores.
var suppressionColumns = []column{{"phone", "csv.col.phone"}, {"reason", "csv.col.reason"}, {"source", "csv.col.source"},
	{"created_at", "csv.col.created_at"}}

// suppressionUploaded is how many suppressionColumns a file without a
// header holds.
const suppressionUploaded = 3

type suppressionForm struct {
	Phone, Reason, Source string
}

type suppressionView struct {
	ID        string
	Phone     string // as the reader writes it
	E164      string
	Reason    string
	Source    string
	CreatedAt string
}

type suppressionsData struct {
	CanWrite  bool
	Entries   []suppressionView
	NextQuery template.URL // a query string made here, not to be escaped again
	Form      suppressionForm
	Problems  fiberhttp.Problems
	Upload    *uploadReport
	Sample    string // a file the upload takes
}

func (pt *Portal) suppressionsPage(c *fiber.Ctx) error {
	return pt.renderSuppressions(c, &suppressionsData{})
}

func (pt *Portal) renderSuppressions(c *fiber.Ctx, d *suppressionsData) error {
	org, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	if d.CanWrite, err = pt.s.Can(c, tenancy.PermComplianceWrite); err != nil {
		return err
	}
	entries, next, err := pt.d.Compliance.Suppressions(c.UserContext(), store.Page{After: fiberhttp.After(c)})
	if err != nil {
		return err
	}
	for _, e := range entries {
		d.Entries = append(d.Entries, suppressionView{ID: e.ID.String(), Phone: phone.Display(e.Phone, org.Country), E164: e.Phone,
			Reason: e.Reason, Source: e.Source, CreatedAt: when(e.CreatedAt, loc)})
	}
	t := pt.tableOf(c, suppressionColumns...)
	d.Sample = strings.Join(t.header(suppressionUploaded), ";") + "\n" + pt.s.T(c, "suppressions.sample_row")
	if d.Upload != nil {
		pt.say(c, d.Upload, t)
	}
	if next != nil {
		d.NextQuery = template.URL(url.Values{"after": {next.String()}}.Encode())
	}
	return pt.render(c, "suppressions", "suppressions.title", d)
}

func (pt *Portal) addSuppression(c *fiber.Ctx) error {
	org, _, err := pt.org(c)
	if err != nil {
		return err
	}
	form := suppressionForm{Phone: c.FormValue("phone"), Reason: c.FormValue("reason"), Source: c.FormValue("source")}
	added, err := pt.d.Compliance.AddSuppressions(c.UserContext(), org.Country,
		[]compliance.NewSuppression{{Phone: form.Phone, Reason: form.Reason, Source: form.Source}})
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderSuppressions(c, &suppressionsData{Form: form, Problems: pt.s.Problems(c, err, "phone", "reason", "source")})
	} else if err != nil {
		return err
	}
	msg := pt.s.T(c, "suppressions.added", added)
	if added == 0 {
		msg = pt.s.T(c, "suppressions.already")
	}
	if err := pt.s.Flash(c, msg); err != nil {
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
	name, rows, rep := readUpload(c, pt.tableOf(c, suppressionColumns...), suppressionUploaded, false,
		apperr.Field("", "suppressions.file.empty", "the file holds no number"))
	items := make([]compliance.NewSuppression, 0, len(rows))
	for _, r := range rows {
		in := compliance.NewSuppression{Phone: r.Fields["phone"], Reason: r.Fields["reason"], Source: r.Fields["source"]}
		if in.Source == "" {
			in.Source = name
		}
		if _, errs := in.Validate("", org.Country); len(errs) > 0 {
			for _, e := range errs {
				rep.add(r.Line, e)
			}
		}
		items = append(items, in)
	}
	if rep.Bad > 0 {
		return pt.refuseSuppressions(c, rep)
	}
	added, err := pt.d.Compliance.AddSuppressions(c.UserContext(), org.Country, items)
	if err = atLines(err, rows, rep); rep.Bad > 0 {
		return pt.refuseSuppressions(c, rep)
	} else if err != nil {
		return err
	}
	if err := pt.s.Flash(c, pt.s.T(c, "suppressions.uploaded", len(items), added)); err != nil {
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
	if err := pt.d.Compliance.RemoveSuppression(c.UserContext(), id); err != nil {
		return err
	}
	if err := pt.s.Flash(c, pt.s.T(c, "suppressions.removed", c.FormValue("phone"))); err != nil {
		return err
	}
	return c.Redirect("/portal/suppressions", fiber.StatusSeeOther)
}

func (pt *Portal) exportSuppressions(c *fiber.Ctx) error {
	all, err := everyPage(c.UserContext(), pt.d.Compliance.Suppressions)
	if err != nil {
		return err
	}
	w := csvWriter(c, "suppressions-"+pt.d.Now().UTC().Format("2006-01-02")+".csv")
	_ = w.Write(pt.tableOf(c, suppressionColumns...).header(len(suppressionColumns)))
	for _, e := range all {
		_ = w.Write([]string{e.Phone, protect(strings.TrimSpace(e.Reason)), protect(e.Source), e.CreatedAt.UTC().Format(time.RFC3339)})
	}
	w.Flush()
	return w.Error()
}

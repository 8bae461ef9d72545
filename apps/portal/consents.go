package portal

import (
	"context"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// consentColumns are the columns of a consent upload and export, in
// order: an upload takes the first five in this order without a header;
// the export adds when each consent was withdrawn, which an upload of it
// takes, and recorded, which it ignores.
var consentColumns = []column{{"phone", "csv.col.phone"}, {"source", "csv.col.source"}, {"captured_at", "csv.col.captured_at"},
	{"proof_ref", "csv.col.proof_ref"}, {"kinds", "csv.col.kinds"}, {"withdrawn_at", "csv.col.withdrawn_at"},
	{"recorded_at", "csv.col.recorded_at"}}

// consentUploaded is how many consentColumns a file without a header holds.
const consentUploaded = 5

type consentForm struct {
	Phone, Source, CapturedAt, ProofRef string
}

type consentView struct {
	Phone       string // as the reader writes it
	E164        string
	Source      string
	CapturedAt  string
	ProofRef    string
	Kinds       string
	Withdrawn   bool
	WithdrawnAt string
}

type consentsData struct {
	CanWrite     bool
	Filter       string
	FilterError  string
	Records      []consentView
	NextQuery    template.URL // a query string made here, not to be escaped again
	ExportQuery  template.URL
	Zone         string
	Form         consentForm
	Kinds        []option
	Problems     fiberhttp.Problems // of the single consent form
	Upload       *uploadReport      // a refused upload
	Sample       string             // a file the upload takes
	WithdrawErr  string
	WithdrawForm string
}

func (pt *Portal) consentsPage(c *fiber.Ctx) error {
	return pt.renderConsents(c, &consentsData{})
}

// renderConsents fills in the list (filtered by the phone in the query) and
// the options, around what the handler already put in d.
func (pt *Portal) renderConsents(c *fiber.Ctx, d *consentsData) error {
	org, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	if d.CanWrite, err = pt.s.Can(c, tenancy.PermComplianceWrite); err != nil {
		return err
	}
	d.Zone = org.Timezone
	checked := formValues(c, "kinds")
	for _, k := range compliance.ConsentKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: pt.s.T(c, consentKindKey(k)), Selected: slices.Contains(checked, string(k))})
	}
	t := pt.tableOf(c, consentColumns...)
	d.Sample = strings.Join(t.header(consentUploaded), ";") + "\n" + pt.s.T(c, "consents.sample_row")
	if d.Upload != nil {
		pt.say(c, d.Upload, t)
	}
	d.Filter = strings.TrimSpace(c.Query("phone"))
	filter := ""
	if d.Filter != "" {
		n, err := phone.Parse(d.Filter, org.Country)
		if err != nil {
			d.FilterError = pt.s.Localize(c, err).Message
		} else {
			filter = n.E164
			d.ExportQuery = template.URL(url.Values{"phone": {filter}}.Encode())
		}
	}
	records, next, err := pt.d.Compliance.Consents(c.UserContext(), filter, store.Page{After: fiberhttp.After(c)})
	if err != nil {
		return err
	}
	for _, r := range records {
		d.Records = append(d.Records, pt.consentView(c, r, org.Country, loc))
	}
	if next != nil {
		q := url.Values{"after": {next.String()}}
		if filter != "" {
			q.Set("phone", filter)
		}
		d.NextQuery = template.URL(q.Encode())
	}
	return pt.render(c, "consents", "consents.title", d)
}

func (pt *Portal) consentView(c *fiber.Ctx, r compliance.ConsentRecord, region string, loc *time.Location) consentView {
	v := consentView{Phone: phone.Display(r.Phone, region), E164: r.Phone, Source: r.Source, CapturedAt: when(r.CapturedAt, loc), ProofRef: r.ProofRef,
		Kinds: pt.s.T(c, "consents.every_kind")}
	if len(r.Kinds) > 0 {
		names := make([]string, 0, len(r.Kinds))
		for _, k := range r.Kinds {
			names = append(names, pt.s.T(c, consentKindKey(k)))
		}
		v.Kinds = strings.Join(names, ", ")
	}
	if r.WithdrawnAt != nil {
		v.Withdrawn, v.WithdrawnAt = true, when(*r.WithdrawnAt, loc)
	}
	return v
}

// consentKindKey is the catalog key of what a consent covers: a campaign
// kind, or calls outside the legal days and hours.
func consentKindKey(k compliance.Kind) string {
	if k == compliance.OutOfHours {
		return "consents.out_of_hours"
	}
	return "campaign_kind." + string(k)
}

// formValues returns every value of a repeated field (checkboxes), from a
// urlencoded or a multipart form.
func formValues(c *fiber.Ctx, key string) []string {
	if form, err := c.MultipartForm(); err == nil {
		return form.Value[key]
	}
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(v))
	}
	return out
}

func (pt *Portal) recordConsent(c *fiber.Ctx) error {
	org, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	form := consentForm{Phone: c.FormValue("phone"), Source: c.FormValue("source"), CapturedAt: strings.TrimSpace(c.FormValue("captured_at")),
		ProofRef: c.FormValue("proof_ref")}
	in := compliance.NewConsent{Phone: form.Phone, Source: form.Source, ProofRef: form.ProofRef, Kinds: formValues(c, "kinds")}
	var refused error
	if form.CapturedAt != "" {
		if at, ok := parseLocal(form.CapturedAt, loc); ok {
			in.CapturedAt = &at
		} else {
			refused = &apperr.Error{Kind: apperr.Invalid, Fields: []apperr.FieldError{
				apperr.Field("captured_at", "form.datetime.invalid", "must be a date and a time, such as 2026-09-15T10:00 (got %q)", form.CapturedAt)}}
		}
	}
	if refused == nil {
		_, err = pt.d.Compliance.RecordConsents(c.UserContext(), org.Country, []compliance.NewConsent{in})
		if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
			refused = err
		} else if err != nil {
			return err
		}
	}
	if refused != nil {
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderConsents(c, &consentsData{Form: form,
			Problems: pt.s.Problems(c, refused, "phone", "source", "captured_at", "proof_ref", "kinds")})
	}
	if err := pt.s.Flash(c, pt.s.T(c, "consents.recorded", 1)); err != nil {
		return err
	}
	return c.Redirect("/portal/consents", fiber.StatusSeeOther)
}

// uploadConsents records every consent of a CSV file, or none: a file with
// any bad line is refused with each bad line, its field and what is wrong.
func (pt *Portal) uploadConsents(c *fiber.Ctx) error {
	org, _, err := pt.org(c)
	if err != nil {
		return err
	}
	_, rows, rep := readUpload(c, pt.tableOf(c, consentColumns...), consentUploaded, true,
		apperr.Field("", "consents.file.empty", "the file holds no consent"))
	now := pt.d.Now()
	kinds := pt.consentKinds(c)
	items := make([]compliance.NewConsent, 0, len(rows))
	for _, r := range rows {
		f := r.Fields
		in := compliance.NewConsent{Phone: f["phone"], Source: f["source"], ProofRef: f["proof_ref"]}
		badTime := false
		if s := f["captured_at"]; s != "" {
			if at, err := time.Parse(time.RFC3339, s); err == nil {
				in.CapturedAt = &at
			} else {
				badTime = true
				rep.add(r.Line, apperr.Field("captured_at", "upload.time.invalid",
					"%q is not an RFC 3339 time with its zone, such as 2026-09-15T10:00:00+02:00", s))
			}
		}
		if s := f["withdrawn_at"]; s != "" {
			if at, err := time.Parse(time.RFC3339, s); err == nil {
				in.WithdrawnAt = &at
			} else {
				rep.add(r.Line, apperr.Field("withdrawn_at", "upload.time.invalid",
					"%q is not an RFC 3339 time with its zone, such as 2026-09-15T10:00:00+02:00", s))
			}
		}
		in.Kinds = kinds.read(f["kinds"])
		if _, errs := in.Validate("", org.Country, now); len(errs) > 0 {
			for _, e := range errs {
				if !(badTime && e.Path == "captured_at") {
					rep.add(r.Line, e)
				}
			}
		}
		items = append(items, in)
	}
	if rep.Bad > 0 {
		return pt.refuseConsents(c, rep)
	}
	_, err = pt.d.Compliance.RecordConsents(c.UserContext(), org.Country, items)
	if err = atLines(err, rows, rep); rep.Bad > 0 {
		return pt.refuseConsents(c, rep)
	} else if err != nil {
		return err
	}
	if err := pt.s.Flash(c, pt.s.T(c, "consents.recorded", len(items))); err != nil {
		return err
	}
	return c.Redirect("/portal/consents", fiber.StatusSeeOther)
}

func (pt *Portal) refuseConsents(c *fiber.Ctx, rep *uploadReport) error {
	c.Status(fiber.StatusUnprocessableEntity)
	return pt.renderConsents(c, &consentsData{Upload: rep})
}

func (pt *Portal) withdrawConsent(c *fiber.Ctx) error {
	org, _, err := pt.org(c)
	if err != nil {
		return err
	}
	raw := c.FormValue("phone")
	n, err := phone.Parse(raw, org.Country)
	if err != nil {
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderConsents(c, &consentsData{WithdrawErr: pt.s.Localize(c, err).Message, WithdrawForm: raw})
	}
	count, err := pt.d.Compliance.WithdrawConsent(c.UserContext(), n.E164, pt.d.Now())
	shown := phone.Display(n.E164, org.Country)
	if apperr.Is(err, apperr.NotFound) {
		c.Status(fiber.StatusNotFound)
		return pt.renderConsents(c, &consentsData{WithdrawErr: pt.s.T(c, "consents.nothing_to_withdraw", shown), WithdrawForm: raw})
	} else if err != nil {
		return err
	}
	if err := pt.s.Flash(c, pt.s.T(c, "consents.withdrawn", shown, count)); err != nil {
		return err
	}
	return c.Redirect("/portal/consents", fiber.StatusSeeOther)
}

// exportConsents sends every consent record (of one number when filtered)
// in the upload's columns, and when each was withdrawn and recorded.
func (pt *Portal) exportConsents(c *fiber.Ctx) error {
	org, _, err := pt.org(c)
	if err != nil {
		return err
	}
	filter := ""
	if raw := strings.TrimSpace(c.Query("phone")); raw != "" {
		n, err := phone.Parse(raw, org.Country)
		if err != nil {
			var f apperr.Fields
			f.AddError("phone", err)
			return f.Err("consents.filter.invalid", "the filter is not a phone number")
		}
		filter = n.E164
	}
	all, err := everyPage(c.UserContext(), func(ctx context.Context, page store.Page) ([]compliance.ConsentRecord, *uuid.UUID, error) {
		return pt.d.Compliance.Consents(ctx, filter, page)
	})
	if err != nil {
		return err
	}
	kinds := pt.consentKinds(c)
	w := csvWriter(c, "consents-"+pt.d.Now().UTC().Format("2006-01-02")+".csv")
	_ = w.Write(pt.tableOf(c, consentColumns...).header(len(consentColumns)))
	for _, r := range all {
		withdrawn := ""
		if r.WithdrawnAt != nil {
			withdrawn = r.WithdrawnAt.UTC().Format(time.RFC3339)
		}
		_ = w.Write([]string{r.Phone, protect(r.Source), r.CapturedAt.UTC().Format(time.RFC3339), protect(r.ProofRef),
			kinds.write(r.Kinds), withdrawn, r.CreatedAt.UTC().Format(time.RFC3339)})
	}
	w.Flush()
	return w.Error()
}

// kindNames are what a consent covers as files name it: the kinds' codes,
// which files always may use, and their names in the reader's language.
type kindNames struct {
	codes map[string]compliance.Kind // a name or a code, folded
	names map[compliance.Kind]string
}

func (pt *Portal) consentKinds(c *fiber.Ctx) kindNames {
	k := kindNames{codes: map[string]compliance.Kind{}, names: map[compliance.Kind]string{}}
	for _, kind := range compliance.ConsentKinds {
		name := pt.s.T(c, consentKindKey(kind))
		k.names[kind] = name
		k.codes[fold(string(kind))] = kind
		k.codes[fold(name)] = kind
	}
	return k
}

// read reads a cell of kinds separated by commas or bars, each a code or
// a name ("Prospection, Enquête"); codes may also be separated by spaces.
// What it does not know is left for validation to name.
func (k kindNames) read(cell string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(cell, func(r rune) bool { return r == ',' || r == '|' }) {
		if kind, ok := k.codes[fold(part)]; ok {
			out = append(out, string(kind))
			continue
		}
		out = append(out, strings.Fields(part)...)
	}
	return out
}

// write writes kinds by their names, as read reads them back.
func (k kindNames) write(kinds []compliance.Kind) string {
	names := make([]string, 0, len(kinds))
	for _, kind := range kinds {
		names = append(names, k.names[kind])
	}
	return strings.Join(names, ", ")
}

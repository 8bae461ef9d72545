package console

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/numberset"
)

// listRow is one national list on the page: its latest copy, if any.
type listRow struct {
	Code       string
	Name       string
	Loaded     bool
	FreshAt    string
	UploadedAt string // in the reader's zone
	FileName   string
	Numbers    string // counted in the reader's locale
	MaxAgeDays int
	Stale      bool
}

type listForm struct {
	Code, FreshAt string
}

type listsData struct {
	Lists     []listRow
	Codes     []listRow
	Form      listForm
	Problems  fiberhttp.Problems
	Report    *nationallist.Report
	Refused   string // why the file was refused
	File      string
	BodyLimit string
	MaxLines  string // about how many ten-digit lines fit in BodyLimit
}

// maxAgeOf is the legal freshness of a list: the strictest rule set that
// consults it. Zero when no rule set does.
func maxAgeOf(code string) time.Duration {
	var age time.Duration
	for _, rs := range compliance.RuleSets {
		for _, l := range rs.National {
			if l.Code == code && (age == 0 || l.MaxAge < age) {
				age = l.MaxAge
			}
		}
	}
	return age
}

func (c *Console) listsPage(ctx *fiber.Ctx) error {
	return c.renderLists(ctx, &listsData{Form: listForm{Code: nationallist.Lists[0].Code, FreshAt: c.d.Now().UTC().Format(time.DateOnly)}})
}

func (c *Console) renderLists(ctx *fiber.Ctx, d *listsData) error {
	copies, err := c.d.Compliance.NationalLists(ctx.UserContext())
	if err != nil {
		return err
	}
	byCode := map[string]nationallist.Upload{}
	for _, cp := range copies {
		byCode[cp.Code] = cp
	}
	now, locale := c.d.Now(), fiberhttp.LocaleOf(ctx)
	for _, l := range nationallist.Lists {
		maxAge := maxAgeOf(l.Code)
		r := listRow{Code: l.Code, Name: c.t(ctx, "lists.name."+l.Code), MaxAgeDays: int(maxAge / (24 * time.Hour))}
		if cp, ok := byCode[l.Code]; ok {
			r.Loaded, r.FreshAt, r.Numbers, r.FileName = true, cp.FreshAt.UTC().Format(time.DateOnly), i18n.Number(locale, cp.Numbers), cp.FileName
			r.UploadedAt = fiberhttp.When(cp.UploadedAt, fiberhttp.ZoneOf(ctx))
			r.Stale = maxAge > 0 && now.Sub(cp.FreshAt) > maxAge
		}
		d.Lists = append(d.Lists, r)
	}
	d.BodyLimit = c.t(ctx, "lists.mib", mebibytes(c.d.BodyLimit, locale))
	// A US line is ten digits and CR LF; the multipart envelope is small.
	d.MaxLines = i18n.Number(locale, bodyLimit(c.d.BodyLimit)/12/10000*10000)
	return c.s.Render(ctx, "console/national_lists", "console", c.t(ctx, "lists.title"), d)
}

// bodyLimit is the server's request limit: fiberhttp's default when unset.
func bodyLimit(configured int) int {
	if configured <= 0 {
		return 4 << 20
	}
	return configured
}

// mebibytes is the server's request limit (fiber's default when unset) in
// MiB, written for locale: "4", "2.5" or "2,5".
func mebibytes(limit int, locale string) string {
	mib := float64(bodyLimit(limit)) / (1 << 20)
	if mib == float64(int(mib)) {
		return strconv.Itoa(int(mib))
	}
	s := strconv.FormatFloat(mib, 'f', 1, 64)
	if locale == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// uploadList takes a new copy of a national list: every line a number or
// nothing is stored. The copy replaces the previous one in the database and
// in this process's memory at once (Compliance.SaveNationalList); other
// processes pick it up on their next reload.
func (c *Console) uploadList(ctx *fiber.Ctx) error {
	d := &listsData{Form: listForm{Code: ctx.FormValue("code"), FreshAt: strings.TrimSpace(ctx.FormValue("fresh_at"))}}
	var problems apperr.Fields
	list, ok := nationallist.ByCode(d.Form.Code)
	if !ok {
		problems.Add("code", "console.list.unknown", "%q is not a national list the platform knows", d.Form.Code)
	}
	fresh, err := time.Parse(time.DateOnly, d.Form.FreshAt)
	switch {
	case d.Form.FreshAt == "":
		problems.Add("fresh_at", "console.list.fresh_at.required", "is required: the date of the copy, as the list's operator dated it")
	case err != nil:
		problems.Add("fresh_at", "form.date.invalid", "must be a date such as 2026-09-15 (got %q)", d.Form.FreshAt)
	case fresh.After(c.d.Now()):
		problems.Add("fresh_at", "console.list.fresh_at.future", "is in the future")
	}
	fh, err := ctx.FormFile("file")
	if err != nil {
		problems.Add("file", "console.list.file.missing", "choose the list's file")
	}
	if problems != nil {
		d.Problems = c.s.Problems(ctx, &apperr.Error{Kind: apperr.Invalid, Fields: problems}, "code", "fresh_at", "file")
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.renderLists(ctx, d)
	}
	d.File = fh.Filename
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	keys, rep, err := nationallist.Parse(list, f)
	if err != nil {
		d.Report, d.Refused = &rep, c.s.Localize(ctx, err).Message
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.renderLists(ctx, d)
	}
	set := numberset.New(keys)
	var snapshot bytes.Buffer
	if _, err := set.WriteTo(&snapshot); err != nil {
		return err
	}
	if _, err := c.d.Compliance.SaveNationalList(ctx.UserContext(), nationallist.Upload{Code: list.Code, FreshAt: fresh,
		Numbers: int64(set.Len()), Snapshot: snapshot.Bytes(), FileName: fh.Filename}); err != nil {
		return err
	}
	msg := c.t(ctx, "lists.uploaded", list.Code, i18n.Number(fiberhttp.LocaleOf(ctx), set.Len()), d.Form.FreshAt)
	if maxAge := maxAgeOf(list.Code); maxAge > 0 && c.d.Now().Sub(fresh) > maxAge {
		msg += " " + c.t(ctx, "lists.uploaded_stale", int(maxAge/(24*time.Hour)))
	}
	if err := c.s.Flash(ctx, msg); err != nil {
		return err
	}
	return ctx.Redirect("/console/national-lists", fiber.StatusSeeOther)
}

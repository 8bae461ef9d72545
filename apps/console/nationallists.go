package console

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/numberset"
)

// listRow is one national list on the page: its latest copy, if any.
type listRow struct {
	Code       string
	Name       string
	Loaded     bool
	FreshAt    string
	UploadedAt string
	FileName   string
	Numbers    int64
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
	Errors    []apperr.FieldError
	Report    *nationallist.Report
	Refused   string // why the file was refused
	File      string
	BodyLimit string
	MaxLines  int // about how many ten-digit lines fit in BodyLimit
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
	now := c.d.Now()
	for _, l := range nationallist.Lists {
		maxAge := maxAgeOf(l.Code)
		r := listRow{Code: l.Code, Name: l.Name, MaxAgeDays: int(maxAge / (24 * time.Hour))}
		if cp, ok := byCode[l.Code]; ok {
			r.Loaded, r.FreshAt, r.Numbers, r.FileName = true, cp.FreshAt.UTC().Format(time.DateOnly), cp.Numbers, cp.FileName
			r.UploadedAt = cp.UploadedAt.UTC().Format("2006-01-02 15:04 UTC")
			r.Stale = maxAge > 0 && now.Sub(cp.FreshAt) > maxAge
		}
		d.Lists = append(d.Lists, r)
	}
	d.BodyLimit = mebibytes(c.d.BodyLimit)
	// A US line is ten digits and CR LF; the multipart envelope is small.
	d.MaxLines = bodyLimit(c.d.BodyLimit) / 12 / 10000 * 10000
	return c.s.Render(ctx, "console/national_lists", "console", c.t(ctx, "lists.title"), d)
}

// bodyLimit is the server's request limit: fiberhttp's default when unset.
func bodyLimit(configured int) int {
	if configured <= 0 {
		return 4 << 20
	}
	return configured
}

// mebibytes words the server's request limit (fiber's default when unset).
func mebibytes(limit int) string {
	mib := float64(bodyLimit(limit)) / (1 << 20)
	if mib == float64(int(mib)) {
		return fmt.Sprintf("%d MiB", int(mib))
	}
	return fmt.Sprintf("%.1f MiB", mib)
}

// uploadList takes a new copy of a national list: every line a number or
// nothing is stored. The copy replaces the previous one in the database and
// in this process's memory at once (Compliance.SaveNationalList); other
// processes pick it up on their next reload.
func (c *Console) uploadList(ctx *fiber.Ctx) error {
	d := &listsData{Form: listForm{Code: ctx.FormValue("code"), FreshAt: strings.TrimSpace(ctx.FormValue("fresh_at"))}}
	list, ok := nationallist.ByCode(d.Form.Code)
	if !ok {
		d.Errors = append(d.Errors, apperr.FieldError{Path: "code", Message: fmt.Sprintf("%q is not a national list the platform knows", d.Form.Code)})
	}
	fresh, err := time.Parse(time.DateOnly, d.Form.FreshAt)
	switch {
	case d.Form.FreshAt == "":
		d.Errors = append(d.Errors, apperr.FieldError{Path: "fresh_at", Message: "is required: the date of the copy, as the list's operator dated it"})
	case err != nil:
		d.Errors = append(d.Errors, apperr.FieldError{Path: "fresh_at", Message: "must be a date, such as 2026-09-15"})
	case fresh.After(c.d.Now()):
		d.Errors = append(d.Errors, apperr.FieldError{Path: "fresh_at", Message: "is in the future"})
	}
	fh, err := ctx.FormFile("file")
	if err != nil {
		d.Errors = append(d.Errors, apperr.FieldError{Path: "file", Message: "choose the list's file"})
	}
	if d.Errors != nil {
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
		d.Report, d.Refused = &rep, err.Error()
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
	msg := c.t(ctx, "lists.uploaded", list.Code, set.Len(), d.Form.FreshAt)
	if maxAge := maxAgeOf(list.Code); maxAge > 0 && c.d.Now().Sub(fresh) > maxAge {
		msg += " " + c.t(ctx, "lists.uploaded_stale", int(maxAge/(24*time.Hour)))
	}
	if err := c.s.Flash(ctx, msg); err != nil {
		return err
	}
	return ctx.Redirect("/console/national-lists", fiber.StatusSeeOther)
}

package api

import (
	"bytes"
	"errors"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/cdr"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// maxCDRBody bounds a batch of call detail records, or a file of them:
// cdr.MaxBatch records of a few hundred bytes each.
const maxCDRBody = 16 << 20

// cdrRowView is CDRReport.unmatched[] and .malformed[]: a row that was not
// recorded, and why.
type cdrRowView struct {
	// Row is the item's index in the batch's cdrs, or the line of the
	// file (the first line is 1).
	Row        int              `json:"row"`
	ExternalID string           `json:"external_id,omitempty"`
	Code       string           `json:"code"`
	Message    string           `json:"message"`
	Fields     []cdrProblemView `json:"fields,omitempty"`
}

// cdrProblemView is one field's problem in a malformed row.
type cdrProblemView struct {
	Path    string `json:"path"` // cdrs[3].ended_at, or the file's column
	Code    string `json:"code"`
	Message string `json:"message"`
}

// cdrReportView is CDRReport.
type cdrReportView struct {
	Recorded        int          `json:"recorded"`
	AlreadyRecorded int          `json:"already_recorded"`
	Unmatched       []cdrRowView `json:"unmatched"`
	Malformed       []cdrRowView `json:"malformed"`
}

// recordCDRs ends the calls of the center's own dialer with its call
// detail records: a JSON batch, or an Asterisk or VICIdial file. The body
// is read whole before anything is recorded, so a body that breaks off
// records nothing.
func (a *API) recordCDRs(c *fiber.Ctx) error {
	format, err := cdrFormat(c)
	if err != nil {
		return err
	}
	campaignID := uuid.Nil
	if s := strings.TrimSpace(c.Query("campaign_id")); s != "" {
		if campaignID, err = uuid.Parse(s); err != nil {
			return apperr.InvalidFields("api.cdrs.campaign_invalid", "the campaign is not an id",
				apperr.Field("campaign_id", "api.cdrs.campaign_id_invalid", "%q is not a campaign id", s))
		}
	}
	type row struct {
		rec cdr.Record
		err error // a *cdr.RowError
	}
	var rows []row
	for rec, err := range cdr.Parse(bytes.NewReader(c.Body()), format, cdr.Options{Region: strings.ToUpper(strings.TrimSpace(c.Query("region")))}) {
		if _, malformed := errors.AsType[*cdr.RowError](err); err != nil && !malformed {
			return err
		}
		if len(rows) == cdr.MaxBatch {
			return apperr.New(apperr.TooLarge, "cdr.batch.too_many", "a batch holds at most %d records: send the rest in another", cdr.MaxBatch)
		}
		rows = append(rows, row{rec, err})
	}
	rep, err := a.d.CDRs.Ingest(c.UserContext(), campaignID, func(yield func(cdr.Record, error) bool) {
		for _, r := range rows {
			if !yield(r.rec, r.err) {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	return c.JSON(a.cdrReportOf(c, rep))
}

// cdrFormat reads the body's format from its Content-Type: JSON, or a
// file (text/csv, text/plain) in ?format= asterisk or vicidial, found
// from its head when left out.
func cdrFormat(c *fiber.Ctx) (cdr.Format, error) {
	media, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	switch media {
	case fiber.MIMEApplicationJSON:
		return cdr.JSON, nil
	case "text/csv", fiber.MIMETextPlain, fiber.MIMEOctetStream:
		switch f := cdr.Format(strings.ToLower(strings.TrimSpace(c.Query("format")))); f {
		case "", cdr.Asterisk, cdr.Vicidial:
			return f, nil
		default:
			return "", apperr.InvalidFields("api.cdrs.format_invalid", "the file's format is unknown",
				apperr.Field("format", "api.cdrs.format_unknown", "%q is not a format of call detail record files: asterisk or vicidial", string(f)))
		}
	}
	return "", apperr.New(apperr.Invalid, "api.cdrs.media_type",
		"send a JSON batch with Content-Type: application/json, or a file with Content-Type: text/csv (got %q)", c.Get(fiber.HeaderContentType))
}

// cdrReportOf is the report, its messages said in the request's language.
func (a *API) cdrReportOf(c *fiber.Ctx, rep store.CDRReport) cdrReportView {
	rows := func(in []store.CDRRow) []cdrRowView {
		out := make([]cdrRowView, len(in))
		for i, r := range in {
			e := a.s.Localize(c, r.Problem)
			v := cdrRowView{Row: r.Row(), ExternalID: r.ExternalID, Code: e.Code, Message: e.Message}
			for _, f := range e.Fields {
				v.Fields = append(v.Fields, cdrProblemView{Path: f.Path, Code: f.Code, Message: f.Message})
			}
			out[i] = v
		}
		return out
	}
	return cdrReportView{Recorded: rep.Recorded, AlreadyRecorded: rep.AlreadyRecorded,
		Unmatched: rows(rep.Unmatched), Malformed: rows(rep.Malformed)}
}

package api

import (
	"context"
	"mime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// A campaign's leads for client systems. The client adds them in JSON
// batches, each item answered on its own, or sends a CSV file that runs as
// an import job, and reads them back with the file's report. A center
// holding an active contract on the campaign reads the leads too; whoever
// may not read callees' numbers (phones:read) gets them masked and without
// their email, so that a lead list cannot leave the platform through the
// API: the store masks them. The files and their reports, which hold the
// numbers as written, are the client's alone. The store admits each lead
// (normalized, deduplicated, screened) and decides who sees what:
// anything else is 404.

const (
	// maxBatchBody bounds the body of a batch: 10 000 leads with names,
	// consent and custom fields pass the server's 4 MiB.
	maxBatchBody = 16 << 20
	// defaultFileName names an uploaded file sent without file_name.
	defaultFileName = "upload.csv"
)

// blockView is LeadBlock: why a lead may not be called, as the compliance
// engine decided at import.
type blockView struct {
	Reason      compliance.Reason `json:"reason"`
	Rule        string            `json:"rule"`
	Source      string            `json:"source"`
	RuleSet     string            `json:"rule_set"`
	Explanation textView          `json:"explanation"`
	CheckedAt   time.Time         `json:"checked_at"`
}

func blockOf(b *lead.Block) *blockView {
	if b == nil {
		return nil
	}
	return &blockView{Reason: b.Reason, Rule: b.Rule, Source: b.Source, RuleSet: b.RuleSet,
		Explanation: textView(b.Explanation), CheckedAt: b.CheckedAt}
}

// leadConsentView is LeadConsent: the evidence of consent sent with the lead.
type leadConsentView struct {
	Source     string    `json:"source"`
	CapturedAt time.Time `json:"captured_at"`
	Proof      string    `json:"proof"`
}

// leadView is Lead. Masked, Phone is masked and Email left out.
type leadView struct {
	ID          uuid.UUID         `json:"id"`
	CampaignID  uuid.UUID         `json:"campaign_id"`
	Phone       string            `json:"phone"`
	PhoneMasked bool              `json:"phone_masked"`
	Region      string            `json:"region"`
	FirstName   string            `json:"first_name"`
	LastName    string            `json:"last_name"`
	Company     string            `json:"company"`
	Email       *string           `json:"email,omitempty"`
	PostalCode  string            `json:"postal_code"`
	City        string            `json:"city"`
	Country     string            `json:"country"`
	Timezone    string            `json:"timezone"`
	Custom      map[string]string `json:"custom"`
	Consent     *leadConsentView  `json:"consent"`
	Status      lead.Status       `json:"status"`
	Block       *blockView        `json:"block"`
	ImportID    *uuid.UUID        `json:"import_id"` // null for a lead of the API
	Line        int               `json:"line"`      // of the import's file; 0 for the API
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// leadViewer shows leads as the store returned them to the request's
// principal: whole to those who may read numbers, masked (by the store)
// to the others, which the view says.
func (a *API) leadViewer(c *fiber.Ctx) (func(lead.Lead) leadView, error) {
	phones, err := a.s.Can(c, tenancy.PermPhonesRead)
	if err != nil {
		return nil, err
	}
	return func(l lead.Lead) leadView {
		v := leadView{ID: l.ID, CampaignID: l.CampaignID, Phone: l.Phone, Region: l.Region, FirstName: l.FirstName,
			LastName: l.LastName, Company: l.Company, PostalCode: l.PostalCode, City: l.City, Country: l.Country,
			Timezone: l.Timezone, Custom: l.Custom, Status: l.Status, Block: blockOf(l.Block), ImportID: l.ImportID,
			Line: l.Line, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt, PhoneMasked: !phones}
		if phones {
			email := l.Email
			v.Email = &email
		}
		if v.Custom == nil {
			v.Custom = map[string]string{}
		}
		if c := l.Consent; c != nil {
			v.Consent = &leadConsentView{Source: c.Source, CapturedAt: c.CapturedAt, Proof: c.Proof}
		}
		return v
	}, nil
}

// summaryView is LeadSummary: what a batch or an import did with its items.
type summaryView struct {
	Rows       int                          `json:"rows"`
	Imported   int                          `json:"imported"`
	Ready      int                          `json:"ready"`
	Blocked    int                          `json:"blocked"`
	Duplicates int                          `json:"duplicates"`
	InCampaign int                          `json:"in_campaign"`
	Invalid    int                          `json:"invalid"`
	ByProblem  map[leadfile.ProblemCode]int `json:"by_problem"`
	ByReason   map[compliance.Reason]int    `json:"by_reason"`
}

func summaryOf(s lead.Summary) summaryView {
	v := summaryView(s)
	if v.ByProblem == nil {
		v.ByProblem = map[leadfile.ProblemCode]int{}
	}
	if v.ByReason == nil {
		v.ByReason = map[compliance.Reason]int{}
	}
	return v
}

// batchInput is LeadBatch.
type batchInput struct {
	Items []leadfile.Lead `json:"items"`
}

// batchLeadView is LeadBatchResult.lead: the lead made.
type batchLeadView struct {
	ID     uuid.UUID   `json:"id"`
	Status lead.Status `json:"status"`
	Block  *blockView  `json:"block,omitempty"`
}

// itemProblemView is LeadBatchResult.problem: why an item was kept out.
type itemProblemView struct {
	Code    leadfile.ProblemCode `json:"code"`
	Field   string               `json:"field"` // items[3].phone
	Message string               `json:"message"`
}

// itemResultView is LeadBatchResult.
type itemResultView struct {
	Index   int              `json:"index"`
	Status  string           `json:"status"` // created or rejected
	Lead    *batchLeadView   `json:"lead,omitempty"`
	Problem *itemProblemView `json:"problem,omitempty"`
}

// batchView is LeadBatchResults: every item's result, in the items' order.
type batchView struct {
	Summary summaryView      `json:"summary"`
	Results []itemResultView `json:"results"`
}

// batchOf is the results of a batch, each problem said by tr.
func batchOf(results []store.ItemResult, s lead.Summary, tr apperr.Translator) batchView {
	out := batchView{Summary: summaryOf(s), Results: make([]itemResultView, len(results))}
	for i, r := range results {
		v := itemResultView{Index: r.Index, Status: "created"}
		if r.Lead != nil {
			v.Lead = &batchLeadView{ID: r.Lead.ID, Status: r.Lead.Status, Block: blockOf(r.Lead.Block)}
		} else {
			v.Status = "rejected"
			v.Problem = &itemProblemView{Code: r.Problem.Code, Field: r.Problem.Column, Message: r.Problem.Say(tr)}
		}
		out.Results[i] = v
	}
	return out
}

// columnView is LeadImport.mapping[]: what a column of the file holds.
type columnView struct {
	Index  int            `json:"index"`
	Header string         `json:"header"`
	Field  leadfile.Field `json:"field"`
	Name   string         `json:"name"` // a custom field's name
}

// importView is LeadImport.
type importView struct {
	ID         uuid.UUID         `json:"id"`
	CampaignID uuid.UUID         `json:"campaign_id"`
	FileName   string            `json:"file_name"`
	Size       int64             `json:"size"`
	Status     lead.ImportStatus `json:"status"`
	Percent    int               `json:"percent"`
	Mapping    []columnView      `json:"mapping"`   // started with; empty: as the headers say
	Encoding   leadfile.Encoding `json:"encoding"`  // "" until the job reads the file
	Delimiter  string            `json:"delimiter"` // likewise
	BytesRead  int64             `json:"bytes_read"`
	Summary    summaryView       `json:"summary"`
	Error      string            `json:"error"` // why it failed
	CreatedBy  string            `json:"created_by"`
	CreatedAt  time.Time         `json:"created_at"`
	StartedAt  *time.Time        `json:"started_at"`
	FinishedAt *time.Time        `json:"finished_at"`
}

func importOf(im lead.Import) importView {
	v := importView{ID: im.ID, CampaignID: im.CampaignID, FileName: im.FileName, Size: im.Size, Status: im.Status,
		Percent: im.Percent(), Mapping: make([]columnView, 0, len(im.Mapping.Columns)), Encoding: im.Encoding,
		Delimiter: im.Delimiter, BytesRead: im.BytesRead, Summary: summaryOf(im.Summary), Error: im.Error,
		CreatedBy: im.CreatedBy, CreatedAt: im.CreatedAt, StartedAt: im.StartedAt, FinishedAt: im.FinishedAt}
	for _, c := range im.Mapping.Columns {
		v.Mapping = append(v.Mapping, columnView(c))
	}
	return v
}

// listLeads lists a campaign's leads, narrowed by ?status=, ?block_reason=
// and ?q=. For those who may read numbers, q is a number when it reads as
// one in the campaign's country (an exact match), else the start of a name
// or a company; anyone else searches names only.
func (a *API) listLeads(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	f := store.LeadFilter{Status: lead.Status(c.Query("status")), BlockReason: compliance.Reason(c.Query("block_reason")),
		Search: strings.TrimSpace(c.Query("q"))}
	if f.Status != "" && !f.Status.Valid() {
		return apperr.InvalidFields("http.query.invalid", "the query parameters are not valid",
			apperr.Field("status", "api.query.lead_status.invalid", "must be one of %v (got %q)", lead.Statuses(), f.Status))
	}
	view, err := a.leadViewer(c)
	if err != nil {
		return err
	}
	return list(func(ctx context.Context, page store.Page) ([]lead.Lead, *uuid.UUID, error) {
		return a.d.Leads.List(ctx, id, f, page)
	}, view)(c)
}

func (a *API) lead(c *fiber.Ctx) error {
	id, leadID, err := leadPath(c)
	if err != nil {
		return err
	}
	view, err := a.leadViewer(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (leadView, error) {
		got, err := a.d.Leads.Get(ctx, id, leadID)
		return view(got.Lead), err
	})
}

// removeLead takes a lead no call touched out of its campaign
// (store.Leads.Remove): 204, or 409 for a lead a call touched.
func (a *API) removeLead(c *fiber.Ctx) error {
	id, leadID, err := leadPath(c)
	if err != nil {
		return err
	}
	if err := a.d.Leads.Remove(c.UserContext(), id, leadID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// addLeads adds a batch of leads, each answered on its own: a bad item
// never stops the others, and an item whose number the campaign already
// holds is refused as in_campaign, so sending a batch again adds nothing.
func (a *API) addLeads(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in batchInput
	if err := fiberhttp.DecodeJSON(c, &in); err != nil {
		return err
	}
	if len(in.Items) == 0 {
		return apperr.InvalidFields("store.batch.empty", "the batch is empty",
			apperr.Field("items", "api.leads.items.none", "send from 1 to %d leads, each with at least its phone", store.MaxBatch))
	}
	results, summary, err := a.d.Leads.AddBatch(c.UserContext(), id, in.Items)
	if err != nil {
		return err
	}
	return c.JSON(batchOf(results, summary, a.s.Translator(c)))
}

// listImports lists the files brought into a campaign of the client's; a
// campaign of another org is not found, rather than an empty list.
func (a *API) listImports(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (listView[importView], error) {
		got, err := a.d.Leads.Imports(ctx, id, page)
		return pageView(got.Imports, got.Next, importOf), err
	})
}

// importAt reads the import the path names: the org's own, of the campaign
// the path names.
func (a *API) importAt(c *fiber.Ctx) (lead.Import, error) {
	campaignID, err := idParam(c)
	if err != nil {
		return lead.Import{}, err
	}
	id, err := pathID(c, "import_id")
	if err != nil {
		return lead.Import{}, err
	}
	got, err := a.d.Leads.Import(c.UserContext(), campaignID, id)
	return got.Import, err
}

func (a *API) leadImport(c *fiber.Ctx) error {
	im, err := a.importAt(c)
	if err != nil {
		return err
	}
	return c.JSON(importOf(im))
}

// importReport sends the per-row report of a finished import, as CSV in
// the file's own separator, streamed from the store.
func (a *API) importReport(c *fiber.Ctx) error {
	im, err := a.importAt(c)
	if err != nil {
		return err
	}
	if im.Status != lead.Finished {
		return apperr.New(apperr.Conflict, "api.import.not_finished", "the import is %s: its report is there once it has finished", im.Status)
	}
	// FormatMediaType quotes the client's name, or encodes it (RFC 2231)
	// when it is not ASCII.
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment",
		map[string]string{"filename": strings.TrimSuffix(im.FileName, ".csv") + "-report.csv"}))
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	return c.SendStream(a.d.Leads.Report(c.UserContext(), im.ID))
}

// uploadImport takes a lead file sent as the body, and starts its import
// with the org's saved column mapping, else the one its headers suggest.
// The file's head is read before anything is kept: one that is not a lead
// file answers 422; a file accepted is kept and queued in one use case.
func (a *API) uploadImport(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if media, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); media != "text/csv" && media != fiber.MIMEOctetStream {
		return apperr.New(apperr.Invalid, "api.import.not_csv", "send the file itself as the body, with Content-Type: text/csv (got %q)",
			c.Get(fiber.HeaderContentType))
	}
	name, err := fileName(c.Query("file_name"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	setup, err := a.d.Leads.Setup(ctx, id)
	if err != nil {
		return err
	}

	// The file is spooled to disk (by the Idempotency-Key handling, when
	// the request has one): its head is read to refuse what is not a lead
	// file, then the store reads it whole, and a 200 MiB file is not held
	// in memory. The import job reads the file again the same way.
	sp, done, err := spoolBody(c)
	if err != nil {
		return err
	}
	defer done()
	if _, err := leadfile.NewReader(sp.reader(), leadfile.Options{Region: setup.Campaign.Country, Mapping: setup.Mapping}); err != nil {
		return err
	}
	im, err := a.d.Leads.UploadAndStart(ctx, id, name, sp.reader())
	if err != nil {
		return err
	}
	c.Location(Prefix + "/campaigns/" + id.String() + "/imports/" + im.ID.String())
	return c.Status(fiber.StatusAccepted).JSON(importOf(im))
}

// fileName reads ?file_name=, the name the file goes by in the import's
// list and its report's.
func fileName(raw string) (string, error) {
	name := strings.TrimSpace(raw)
	if name == "" {
		return defaultFileName, nil
	}
	if len(name) > 255 || !utf8.ValidString(name) || strings.ContainsAny(name, `/\`) || strings.ContainsFunc(name, unicode.IsControl) {
		return "", apperr.InvalidFields("http.query.invalid", "the query parameters are not valid",
			apperr.Field("file_name", "api.query.file_name.invalid", "must be a file's name, up to 255 characters without / \\ or control characters, such as leads.csv"))
	}
	return name, nil
}

// leadPath reads /campaigns/{id}/leads/{lead_id}.
func leadPath(c *fiber.Ctx) (campaignID, leadID uuid.UUID, err error) {
	if campaignID, err = idParam(c); err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	leadID, err = pathID(c, "lead_id")
	return campaignID, leadID, err
}

package store

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode"

	json "github.com/goccy/go-json" // encoding/json's reading, faster: a page reads 50 leads' fields
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type leadRow struct {
	bun.BaseModel `bun:"table:leads,alias:l"`

	ID                uuid.UUID  `bun:"id,pk"`
	OrgID             uuid.UUID  `bun:"org_id"`
	CampaignID        uuid.UUID  `bun:"campaign_id,pk"`
	Phone             string     `bun:"phone"`
	Region            string     `bun:"region"`
	FirstName         string     `bun:"first_name"`
	LastName          string     `bun:"last_name"`
	Company           string     `bun:"company"`
	Email             string     `bun:"email"`
	PostalCode        string     `bun:"postal_code"`
	City              string     `bun:"city"`
	Country           string     `bun:"country"`
	Timezone          string     `bun:"timezone"`
	Custom            *string    `bun:"custom"`
	ConsentSource     string     `bun:"consent_source"`
	ConsentCapturedAt *time.Time `bun:"consent_captured_at"`
	ConsentProof      string     `bun:"consent_proof"`
	Status            string     `bun:"status"`
	BlockReason       string     `bun:"block_reason"`
	Block             *string    `bun:"block"`
	ImportID          *uuid.UUID `bun:"import_id"`
	Line              int        `bun:"line"`
	CreatedAt         time.Time  `bun:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at"`
}

// leadColumns are the columns of leads in the order leadValues gives them,
// for bulk loads.
var leadColumns = []string{"id", "org_id", "campaign_id", "phone", "region", "first_name", "last_name", "company",
	"email", "postal_code", "city", "country", "timezone", "custom", "consent_source", "consent_captured_at",
	"consent_proof", "status", "block_reason", "block", "import_id", "line", "created_at", "updated_at"}

// fields points at the row's fields in the order of leadColumns, for a
// scan.
func (r *leadRow) fields() []any {
	return []any{&r.ID, &r.OrgID, &r.CampaignID, &r.Phone, &r.Region, &r.FirstName, &r.LastName, &r.Company,
		&r.Email, &r.PostalCode, &r.City, &r.Country, &r.Timezone, &r.Custom, &r.ConsentSource, &r.ConsentCapturedAt,
		&r.ConsentProof, &r.Status, &r.BlockReason, &r.Block, &r.ImportID, &r.Line, &r.CreatedAt, &r.UpdatedAt}
}

func jsonText(v any) *string {
	raw, _ := json.Marshal(v) // maps of strings and plain structs always marshal
	s := string(raw)
	return &s
}

func leadRowOf(l lead.Lead) leadRow {
	r := leadRow{ID: l.ID, OrgID: l.OrgID, CampaignID: l.CampaignID, Phone: l.Phone, Region: l.Region,
		FirstName: l.FirstName, LastName: l.LastName, Company: l.Company, Email: l.Email, PostalCode: l.PostalCode,
		City: l.City, Country: l.Country, Timezone: l.Timezone, Status: string(l.Status), ImportID: l.ImportID,
		Line: l.Line, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
	if len(l.Custom) > 0 {
		r.Custom = jsonText(l.Custom)
	}
	if c := l.Consent; c != nil {
		r.ConsentSource, r.ConsentCapturedAt, r.ConsentProof = c.Source, &c.CapturedAt, c.Proof
	}
	if b := l.Block; b != nil {
		r.BlockReason, r.Block = string(b.Reason), jsonText(b)
	}
	return r
}

func (r leadRow) lead() (lead.Lead, error) {
	l := lead.Lead{ID: r.ID, OrgID: r.OrgID, CampaignID: r.CampaignID, Phone: r.Phone, Region: r.Region,
		FirstName: r.FirstName, LastName: r.LastName, Company: r.Company, Email: r.Email, PostalCode: r.PostalCode,
		City: r.City, Country: r.Country, Timezone: r.Timezone, Status: lead.Status(r.Status), ImportID: r.ImportID,
		Line: r.Line, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.Custom != nil {
		if err := json.Unmarshal([]byte(*r.Custom), &l.Custom); err != nil {
			return l, err
		}
	}
	if r.ConsentCapturedAt != nil {
		l.Consent = &lead.Consent{Source: r.ConsentSource, CapturedAt: r.ConsentCapturedAt.UTC(), Proof: r.ConsentProof}
	}
	if r.Block != nil {
		l.Block = &lead.Block{}
		if err := json.Unmarshal([]byte(*r.Block), l.Block); err != nil {
			return l, err
		}
	}
	return l, nil
}

// Leads are the use cases of a campaign's leads and their imports.
type Leads struct {
	db    *DB
	log   *slog.Logger
	lists *nationallist.Registry // the national lists an import screens with
	// files caps the file imports running at once in a process: each holds
	// a database connection for its load and uses another to read its
	// file, and more than the pool can serve would wait on each other.
	files chan struct{}
}

// leadCampaign is what screening needs of a campaign whose leads the
// principal's org adds (leads:write): its own campaign, not ended.
func (t *tenant) leadCampaign(ctx context.Context, id uuid.UUID) (lead.Campaign, error) {
	if err := t.require(ctx, tenancy.PermLeadsWrite); err != nil {
		return lead.Campaign{}, err
	}
	c, err := t.ownCampaign(ctx, id)
	if err != nil {
		return lead.Campaign{}, err
	}
	if c.Status.Ended() {
		return lead.Campaign{}, apperr.New(apperr.Conflict, "store.leads.campaign_ended", "the campaign is %s: it takes no more leads", c.Status)
	}
	return lead.Campaign{ID: c.ID, OrgID: c.OrgID, Country: c.Country, Audience: c.Audience, Kind: c.Kind}, nil
}

// LeadFacts loads what screening needs to know of every number for an
// import into a campaign: the client's and the platform's opt-out lists,
// the client's consents, and the numbers already in the campaign but for
// those the import itself loaded (a retried import finds its own leads
// again, not duplicates). phones limits the numbers looked up, for a batch
// of the API; nil loads the whole lists, for a file.
func (t *tenant) leadFacts(ctx context.Context, campaignID uuid.UUID, importID *uuid.UUID, phones []string) (lead.Facts, error) {
	f := lead.Facts{ClientList: map[uint64]struct{}{}, PlatformList: map[uint64]struct{}{},
		Consents: map[uint64][]compliance.Consent{}, InCampaign: map[uint64]struct{}{}}
	limit := func(q *bun.SelectQuery, column string) *bun.SelectQuery {
		if phones != nil {
			q = q.Where(column+" IN (?)", bun.List(phones))
		}
		return q
	}
	if phones != nil && len(phones) == 0 {
		return f, nil
	}

	var suppressed []struct {
		Phone string `bun:"phone"`
		List  string `bun:"list"`
	}
	err := limit(t.Tx.NewSelect().Table("suppression_entries").Column("phone", "list").
		Where("(org_id = ? AND list = 'client') OR list = 'platform'", t.OrgID()), "phone").Scan(ctx, &suppressed)
	if err != nil {
		return f, err
	}
	for _, s := range suppressed {
		if key, err := numberset.Key(s.Phone); err == nil {
			if s.List == string(compliance.ClientList) {
				f.ClientList[key] = struct{}{}
			} else {
				f.PlatformList[key] = struct{}{}
			}
		}
	}

	var consents []consentRow
	if err := limit(t.Tx.NewSelect().Model(&consents).Where("org_id = ?", t.OrgID()), "phone").Scan(ctx); err != nil {
		return f, err
	}
	for _, c := range consents {
		if key, err := numberset.Key(c.Phone); err == nil {
			f.Consents[key] = append(f.Consents[key], c.record().Consent())
		}
	}

	q := limit(t.Tx.NewSelect().Table("leads").Column("phone").Where("campaign_id = ?", campaignID), "phone")
	if importID != nil {
		q = q.Where("import_id IS NULL OR import_id <> ?", *importID)
	}
	rows, err := q.Rows(ctx)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return f, err
		}
		if key, err := numberset.Key(p); err == nil {
			f.InCampaign[key] = struct{}{}
		}
	}
	return f, rows.Err()
}

// customFields are the names of the custom fields a campaign's leads carry
// (a file's extra columns, an API item's custom map), sorted: the
// {{lead.custom.<field>}} variables its script may use.
func (t *tenant) customFields(ctx context.Context, campaignID uuid.UUID) ([]string, error) {
	keys := "SELECT DISTINCT j.key FROM leads, json_each(leads.custom) AS j WHERE leads.campaign_id = ? AND leads.custom IS NOT NULL ORDER BY 1"
	if t.db.Dialect == Postgres {
		keys = "SELECT DISTINCT k FROM leads, jsonb_object_keys(leads.custom) AS k WHERE leads.campaign_id = ? AND leads.custom IS NOT NULL ORDER BY 1"
	}
	var names []string
	rows, err := t.Tx.QueryContext(ctx, keys, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// LeadFilter narrows a campaign's leads.
type LeadFilter struct {
	Status      lead.Status       // "" for every status
	BlockReason compliance.Reason // "" for every reason
	// Search finds a number (E.164, as Phone normalized it) or the start of
	// a last name, first name or company, case aside.
	Search string
	Phone  string // E.164, when Search was a number
}

// Query writes the filter as a page address's query ("status=blocked&
// reason=no_consent&q=…"), with the cursor of the page after when set: the
// form the lead pages of every front door read back.
func (f LeadFilter) Query(after *uuid.UUID) string {
	v := url.Values{}
	if f.Status != "" {
		v.Set("status", string(f.Status))
	}
	if f.BlockReason != "" {
		v.Set("reason", string(f.BlockReason))
	}
	if f.Search != "" {
		v.Set("q", f.Search)
	}
	if after != nil {
		v.Set("after", after.String())
	}
	return v.Encode()
}

// LeadsPage is one page of a campaign's leads with the counts that filter
// them: what the lead pages of the portal and the center show.
type LeadsPage struct {
	Campaign campaign.Campaign
	Counts   LeadCounts
	Filter   LeadFilter // as applied: a number searched is in Phone
	Leads    []lead.Lead
	Next     *uuid.UUID
	// Unreadable is why a search of digits alone is no phone number (a
	// coded error, to say in the reader's language); the page then lists
	// no lead.
	Unreadable error
}

// Browse reads one page of a campaign's leads with its counts, for its
// client and for a center holding an active contract on it. A search that
// reads as a number finds it whole, for those who may read numbers
// (phones:read); anyone else finds leads by name only, and reads their
// numbers masked. A filter no lead can match (a status that is none, a
// reason no lead of the campaign is blocked for) is left out, as the pages'
// forms offer none.
func (s *Leads) Browse(ctx context.Context, campaignID uuid.UUID, f LeadFilter, page Page) (LeadsPage, error) {
	return run(ctx, s.db, func(t *tenant) (LeadsPage, error) {
		c, err := t.actsOn(ctx, campaignID)
		if err != nil {
			return LeadsPage{}, err
		}
		out := LeadsPage{Campaign: c}
		if out.Counts, err = t.countLeads(ctx, campaignID); err != nil {
			return out, err
		}
		if !f.Status.Valid() {
			f.Status = ""
		}
		if out.Counts.ByReason[f.BlockReason] == 0 {
			f.BlockReason = ""
		}
		if out.Filter, out.Unreadable, err = t.searchNumber(ctx, c, f); err != nil || out.Unreadable != nil {
			return out, err
		}
		out.Leads, out.Next, err = t.leads(ctx, campaignID, out.Filter, page)
		return out, err
	})
}

// List lists a campaign's leads, newest first, as Browse does without the
// counts.
func (s *Leads) List(ctx context.Context, campaignID uuid.UUID, f LeadFilter, page Page) ([]lead.Lead, *uuid.UUID, error) {
	if strings.TrimSpace(f.Search) != "" { // read in the campaign's country
		return runPair(ctx, s.db, func(t *tenant) ([]lead.Lead, *uuid.UUID, error) {
			c, err := t.actsOn(ctx, campaignID)
			if err != nil {
				return nil, nil, err
			}
			if f, err = t.resolveSearch(ctx, c, f); err != nil {
				return nil, nil, err
			}
			return t.leads(ctx, campaignID, f, page)
		})
	}
	// The page alone, in one query (as leadPage limits itself to the
	// campaigns the principal works on) that is the whole use case; when it
	// is empty, whether the campaign is one of them tells an empty page
	// from a 404.
	p, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return nil, nil, err
	}
	query, args := leadPage(p.OrgID, campaignID, f, page)
	rows, err := readRows(ctx, s.db, query, args, (*leadRow).fields, page.limit()+1)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, do(ctx, s.db, func(t *tenant) error {
			_, err := t.actsOn(ctx, campaignID)
			return err
		})
	}
	t := &tenant{Principal: p, db: s.db}
	return t.leadsShown(ctx, rows, page)
}

// resolveSearch reads a search as a number when it is one and the
// principal may read numbers; a search of digits that is no number is
// refused with why.
func (t *tenant) resolveSearch(ctx context.Context, c campaign.Campaign, f LeadFilter) (LeadFilter, error) {
	f, unreadable, err := t.searchNumber(ctx, c, f)
	if unreadable != nil {
		var bad apperr.Fields
		bad.AddError("q", unreadable)
		return f, bad.Err("store.search.not_a_number", "the search is not a phone number")
	}
	return f, err
}

// searchNumber reads a search as a number when it is one and the principal
// may read numbers; unreadable is why a search of digits alone is none.
func (t *tenant) searchNumber(ctx context.Context, c campaign.Campaign, f LeadFilter) (_ LeadFilter, unreadable, err error) {
	f.Search = strings.TrimSpace(f.Search)
	if f.Search == "" || f.Phone != "" {
		return f, nil, nil
	}
	if ok, err := t.may(ctx, tenancy.PermPhonesRead); err != nil || !ok {
		return f, nil, err
	}
	n, err := leadfile.NormalizePhone(f.Search, c.Country)
	switch {
	case err == nil:
		f.Phone = n.E164
	case !strings.ContainsFunc(f.Search, unicode.IsLetter):
		return f, err, nil
	}
	return f, nil, nil
}

// leads lists a campaign's leads the principal shares, newest first, their
// numbers masked for those who may not read them: none when the principal
// does not work on the campaign.
func (t *tenant) leads(ctx context.Context, campaignID uuid.UUID, f LeadFilter, page Page) ([]lead.Lead, *uuid.UUID, error) {
	query, args := leadPage(t.OrgID(), campaignID, f, page)
	rows := pageRows[leadRow](page)
	if err := t.Tx.NewRaw(query, args...).Scan(ctx, &rows); err != nil {
		return nil, nil, err
	}
	return t.leadsShown(ctx, rows, page)
}

// leadPage is the query of one page of a campaign's leads that org shares
// (its own campaign's, or one it holds an active contract on), newest
// first, its arguments written ?: the leads of a campaign org does not
// work on are none.
func leadPage(org, campaignID uuid.UUID, f LeadFilter, page Page) (string, []any) {
	var q strings.Builder
	q.WriteString("SELECT l." + strings.Join(leadColumns, ", l.") + " FROM leads AS l WHERE l.campaign_id = ?" +
		" AND (l.org_id = ? OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = l.campaign_id AND c.center_id = ? AND c.status = ?))")
	args := []any{campaignID, org, org, market.ContractActive}
	where := func(cond string, arg ...any) {
		q.WriteString(" AND " + cond)
		args = append(args, arg...)
	}
	if f.Status != "" {
		where("l.status = ?", f.Status)
	}
	if f.BlockReason != "" {
		where("l.block_reason = ?", f.BlockReason)
	}
	switch {
	case f.Phone != "":
		where("l.phone = ?", f.Phone)
	case f.Search != "":
		prefix := strings.ToLower(likeEscape(f.Search)) + "%"
		where(`(lower(l.last_name) LIKE ? ESCAPE '\' OR lower(l.first_name) LIKE ? ESCAPE '\' OR lower(l.company) LIKE ? ESCAPE '\')`,
			prefix, prefix, prefix)
	}
	if page.After != uuid.Nil {
		where("l.id < ?", page.After)
	}
	q.WriteString(" ORDER BY l.id DESC LIMIT ?")
	return q.String(), append(args, page.limit()+1)
}

// leadsShown is a page read into rows as the principal sees it, and the
// cursor of the next page.
func (t *tenant) leadsShown(ctx context.Context, rows []leadRow, page Page) ([]lead.Lead, *uuid.UUID, error) {
	list, next := cut(rows, page, func(r leadRow) uuid.UUID { return r.ID })
	shown, err := t.leadShown(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make([]lead.Lead, 0, len(list))
	for _, r := range list {
		l, err := r.lead()
		if err != nil {
			return nil, nil, err
		}
		out = append(out, shown(l))
	}
	return out, next, nil
}

// leadShown is how the principal reads a lead: whole with phones:read,
// as a center does otherwise (lead.Lead.ForCenter: masked numbers, no
// email, no consent proof).
func (t *tenant) leadShown(ctx context.Context) (func(lead.Lead) lead.Lead, error) {
	ok, err := t.may(ctx, tenancy.PermPhonesRead)
	if err != nil || ok {
		return func(l lead.Lead) lead.Lead { return l }, err
	}
	return lead.Lead.ForCenter, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// LeadFile is one lead with its campaign and the import it came in.
type LeadFile struct {
	Campaign campaign.Campaign
	Lead     lead.Lead
	Import   *lead.Import // nil for a lead of the API's batches
}

// Get reads one lead of a campaign the principal shares, as leads reads
// them.
func (s *Leads) Get(ctx context.Context, campaignID, id uuid.UUID) (LeadFile, error) {
	return run(ctx, s.db, func(t *tenant) (LeadFile, error) {
		c, err := t.actsOn(ctx, campaignID)
		if err != nil {
			return LeadFile{}, err
		}
		var row leadRow
		err = t.Tx.NewSelect().Model(&row).Where("l.id = ? AND l.campaign_id = ?", id, campaignID).Scan(ctx)
		if isNoRows(err) {
			return LeadFile{}, apperr.New(apperr.NotFound, "store.lead.not_found", "lead not found")
		}
		if err != nil {
			return LeadFile{}, err
		}
		l, err := row.lead()
		if err != nil {
			return LeadFile{}, err
		}
		shown, err := t.leadShown(ctx)
		if err != nil {
			return LeadFile{}, err
		}
		out := LeadFile{Campaign: c, Lead: shown(l)}
		if l.ImportID != nil && c.OrgID == t.OrgID() {
			im, err := t.leadImport(ctx, *l.ImportID)
			if err != nil {
				return out, err
			}
			out.Import = &im
		}
		return out, nil
	})
}

// LeadCounts counts a campaign's leads by status and blocked ones by
// reason.
type LeadCounts struct {
	Total    int
	ByStatus map[lead.Status]int
	ByReason map[compliance.Reason]int
}

// countLeads counts a campaign's leads, for the campaign's page: the
// client's, or a contracted center's.
func (t *tenant) countLeads(ctx context.Context, campaignID uuid.UUID) (LeadCounts, error) {
	counts, err := t.countLeadsWhere(ctx, t.Tx.NewSelect().Where("campaign_id = ?", campaignID))
	if c, ok := counts[campaignID]; ok {
		return c, err
	}
	return newLeadCounts(), err
}

func newLeadCounts() LeadCounts {
	return LeadCounts{ByStatus: map[lead.Status]int{}, ByReason: map[compliance.Reason]int{}}
}

// CampaignLeads is a campaign and how many leads it holds.
type CampaignLeads struct {
	Campaign campaign.Campaign
	Counts   LeadCounts
}

// Campaigns lists one page of the org's own campaigns with their leads
// counted, in one query for the page.
func (s *Leads) Campaigns(ctx context.Context, page Page) ([]CampaignLeads, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]CampaignLeads, *uuid.UUID, error) {
		var rows []campaignRow
		list, next, err := campaignPage(ctx, t.Tx.NewSelect().Model(&rows).Where("?TableAlias.org_id = ?", t.OrgID()), &rows, page)
		if err != nil || len(list) == 0 {
			return nil, next, err
		}
		ids := make([]uuid.UUID, len(list))
		for i, k := range list {
			ids[i] = k.ID
		}
		counts, err := t.countLeadsWhere(ctx, t.Tx.NewSelect().Where("org_id = ? AND campaign_id IN (?)", t.OrgID(), bun.List(ids)))
		out := make([]CampaignLeads, len(list))
		for i, k := range list {
			n, ok := counts[k.ID]
			if !ok {
				n = newLeadCounts()
			}
			out[i] = CampaignLeads{Campaign: k, Counts: n}
		}
		return out, next, err
	})
}

// countLeadsWhere counts the leads q selects, by campaign.
func (t *tenant) countLeadsWhere(ctx context.Context, q *bun.SelectQuery) (map[uuid.UUID]LeadCounts, error) {
	var groups []struct {
		CampaignID uuid.UUID `bun:"campaign_id"`
		Status     string    `bun:"status"`
		Reason     string    `bun:"block_reason"`
		N          int       `bun:"n"`
	}
	err := q.Table("leads").Column("campaign_id", "status", "block_reason").ColumnExpr("count(*) AS n").
		Group("campaign_id", "status", "block_reason").Scan(ctx, &groups)
	out := map[uuid.UUID]LeadCounts{}
	for _, g := range groups {
		c, ok := out[g.CampaignID]
		if !ok {
			c = newLeadCounts()
		}
		c.Total += g.N
		c.ByStatus[lead.Status(g.Status)] += g.N
		if g.Reason != "" {
			c.ByReason[compliance.Reason(g.Reason)] += g.N
		}
		out[g.CampaignID] = c
	}
	return out, err
}

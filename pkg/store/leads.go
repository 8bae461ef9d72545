package store

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
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

// LeadCampaign is what screening needs of a campaign whose leads the
// principal's org adds: its own campaign, not finished.
func (t *Tenant) LeadCampaign(ctx context.Context, id uuid.UUID) (lead.Campaign, error) {
	if t.Principal.OrgKind != tenancy.KindClient {
		return lead.Campaign{}, notFound("campaign", id)
	}
	c, err := t.Campaign(ctx, id)
	if err != nil {
		return lead.Campaign{}, err
	}
	if c.Status == campaign.Completed || c.Status == campaign.Cancelled {
		return lead.Campaign{}, apperr.New(apperr.Conflict, "the campaign is %s: it takes no more leads", c.Status)
	}
	return lead.Campaign{ID: c.ID, OrgID: c.OrgID, Country: c.Country, Audience: c.Audience, Kind: c.Kind}, nil
}

// LeadFacts loads what screening needs to know of every number for an
// import into a campaign: the client's and the platform's opt-out lists,
// the client's consents, and the numbers already in the campaign but for
// those the import itself loaded (a retried import finds its own leads
// again, not duplicates). phones limits the numbers looked up, for a batch
// of the API; nil loads the whole lists, for a file.
func (t *Tenant) LeadFacts(ctx context.Context, campaignID uuid.UUID, importID *uuid.UUID, phones []string) (lead.Facts, error) {
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
	err := t.asSystem(ctx, func() error {
		return limit(t.Tx.NewSelect().Table("suppression_entries").Column("phone", "list").
			Where("(org_id = ? AND list = 'client') OR list = 'platform'", t.OrgID()), "phone").Scan(ctx, &suppressed)
	})
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

// CustomFields are the names of the custom fields a campaign's leads carry
// (a file's extra columns, an API item's custom map), sorted: the
// {{lead.custom.<field>}} variables its script may use.
func (t *Tenant) CustomFields(ctx context.Context, campaignID uuid.UUID) ([]string, error) {
	if _, err := t.sharedCampaign(ctx, campaignID); err != nil {
		return nil, err
	}
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

// Leads lists a campaign's leads, newest first: for its client, and for a
// center holding an active contract on it.
func (t *Tenant) Leads(ctx context.Context, campaignID uuid.UUID, f LeadFilter, page Page) ([]lead.Lead, *uuid.UUID, error) {
	if _, err := t.sharedCampaign(ctx, campaignID); err != nil {
		return nil, nil, err
	}
	var rows []leadRow
	q := t.Tx.NewSelect().Model(&rows).Where("l.campaign_id = ?", campaignID)
	if f.Status != "" {
		q = q.Where("l.status = ?", f.Status)
	}
	if f.BlockReason != "" {
		q = q.Where("l.block_reason = ?", f.BlockReason)
	}
	switch {
	case f.Phone != "":
		q = q.Where("l.phone = ?", f.Phone)
	case strings.TrimSpace(f.Search) != "":
		prefix := strings.ToLower(likeEscape(strings.TrimSpace(f.Search))) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("lower(l.last_name) LIKE ? ESCAPE '\\'", prefix).
				WhereOr("lower(l.first_name) LIKE ? ESCAPE '\\'", prefix).
				WhereOr("lower(l.company) LIKE ? ESCAPE '\\'", prefix)
		})
	}
	if err := page.apply(q).Scan(ctx); err != nil {
		return nil, nil, err
	}
	list, next := cut(rows, page, func(r leadRow) uuid.UUID { return r.ID })
	out := make([]lead.Lead, 0, len(list))
	for _, r := range list {
		l, err := r.lead()
		if err != nil {
			return nil, nil, err
		}
		out = append(out, l)
	}
	return out, next, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Lead returns one lead of a campaign the principal shares.
func (t *Tenant) Lead(ctx context.Context, campaignID, id uuid.UUID) (lead.Lead, error) {
	if _, err := t.sharedCampaign(ctx, campaignID); err != nil {
		return lead.Lead{}, err
	}
	var row leadRow
	err := t.Tx.NewSelect().Model(&row).Where("l.id = ? AND l.campaign_id = ?", id, campaignID).Scan(ctx)
	if isNoRows(err) {
		return lead.Lead{}, notFound("lead", id)
	}
	if err != nil {
		return lead.Lead{}, err
	}
	return row.lead()
}

// LeadCounts counts a campaign's leads by status and blocked ones by
// reason.
type LeadCounts struct {
	Total    int
	ByStatus map[lead.Status]int
	ByReason map[compliance.Reason]int
}

// CountLeads counts a campaign's leads, for the campaign's page: the
// client's, or a contracted center's.
func (t *Tenant) CountLeads(ctx context.Context, campaignID uuid.UUID) (LeadCounts, error) {
	if _, err := t.sharedCampaign(ctx, campaignID); err != nil {
		return LeadCounts{}, err
	}
	counts, err := t.countLeads(ctx, t.Tx.NewSelect().Where("campaign_id = ?", campaignID))
	if c, ok := counts[campaignID]; ok {
		return c, err
	}
	return newLeadCounts(), err
}

func newLeadCounts() LeadCounts {
	return LeadCounts{ByStatus: map[lead.Status]int{}, ByReason: map[compliance.Reason]int{}}
}

// CountLeadsOf counts the leads of several of the org's own campaigns in
// one query, for a list of campaigns; another org's campaign counts none.
func (t *Tenant) CountLeadsOf(ctx context.Context, campaignIDs []uuid.UUID) (map[uuid.UUID]LeadCounts, error) {
	if len(campaignIDs) == 0 {
		return map[uuid.UUID]LeadCounts{}, nil
	}
	return t.countLeads(ctx, t.Tx.NewSelect().Where("org_id = ? AND campaign_id IN (?)", t.OrgID(), bun.List(campaignIDs)))
}

// countLeads counts the leads q selects, by campaign.
func (t *Tenant) countLeads(ctx context.Context, q *bun.SelectQuery) (map[uuid.UUID]LeadCounts, error) {
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

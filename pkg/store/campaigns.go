package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type campaignRow struct {
	bun.BaseModel `bun:"table:campaigns"`

	ID            uuid.UUID  `bun:"id,pk"`
	OrgID         uuid.UUID  `bun:"org_id"`
	Name          string     `bun:"name"`
	Kind          string     `bun:"kind"`
	Audience      string     `bun:"audience"`
	Country       string     `bun:"country"`
	Languages     string     `bun:"languages"`
	StartsOn      *time.Time `bun:"starts_on"`
	EndsOn        *time.Time `bun:"ends_on"`
	TargetOutcome string     `bun:"target_outcome"`
	Volume        int        `bun:"volume"`
	BudgetCap     int64      `bun:"budget_cap"`
	Currency      string     `bun:"currency"`
	DialingMode   string     `bun:"dialing_mode"`
	RetentionDays int        `bun:"retention_days"`
	RecordCalls   bool       `bun:"record_calls"`
	Status        string     `bun:"status"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	QueuedThrough *uuid.UUID `bun:"queued_through"` // the last lead its dial queue took in
}

func (r campaignRow) campaign() campaign.Campaign {
	return campaign.Campaign{ID: r.ID, OrgID: r.OrgID, Name: r.Name, Kind: compliance.Kind(r.Kind),
		Audience: compliance.Audience(r.Audience), Country: r.Country, Languages: strings.Split(r.Languages, ","),
		StartsOn: r.StartsOn, EndsOn: r.EndsOn, TargetOutcome: r.TargetOutcome, Volume: r.Volume, BudgetCap: r.BudgetCap,
		Currency: r.Currency, DialingMode: campaign.DialingMode(r.DialingMode), RetentionDays: r.RetentionDays,
		RecordCalls: r.RecordCalls, Status: campaign.Status(r.Status), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// campaignColumns are the columns of campaigns in the order fields gives
// them.
var campaignColumns = []string{"id", "org_id", "name", "kind", "audience", "country", "languages", "starts_on", "ends_on",
	"target_outcome", "volume", "budget_cap", "currency", "dialing_mode", "retention_days", "record_calls", "status", "created_at", "updated_at"}

// fields points at the row's fields in the order of campaignColumns, for a
// scan.
func (r *campaignRow) fields() []any {
	return []any{&r.ID, &r.OrgID, &r.Name, &r.Kind, &r.Audience, &r.Country, &r.Languages, &r.StartsOn, &r.EndsOn,
		&r.TargetOutcome, &r.Volume, &r.BudgetCap, &r.Currency, &r.DialingMode, &r.RetentionDays, &r.RecordCalls, &r.Status,
		&r.CreatedAt, &r.UpdatedAt}
}

func rowOf(c campaign.Campaign) campaignRow {
	return campaignRow{ID: c.ID, OrgID: c.OrgID, Name: c.Name, Kind: string(c.Kind), Audience: string(c.Audience),
		Country: c.Country, Languages: strings.Join(c.Languages, ","), StartsOn: c.StartsOn, EndsOn: c.EndsOn,
		TargetOutcome: c.TargetOutcome, Volume: c.Volume, BudgetCap: c.BudgetCap, Currency: c.Currency,
		DialingMode: string(c.DialingMode), RetentionDays: c.RetentionDays, RecordCalls: c.RecordCalls, Status: string(c.Status),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// Campaigns are the use cases of a campaign's request and life.
type Campaigns struct{ db *DB }

// Create makes a draft campaign for the principal's org (campaigns:write,
// which only clients hold).
func (s *Campaigns) Create(ctx context.Context, in campaign.Input) (campaign.Campaign, error) {
	return run(ctx, s.db, func(t *tenant) (campaign.Campaign, error) {
		if err := t.require(ctx, tenancy.PermCampaignsWrite); err != nil {
			return campaign.Campaign{}, err
		}
		c, err := in.Validate()
		if err != nil {
			return c, err
		}
		c.ID, c.OrgID, c.CreatedAt, c.UpdatedAt = newID(), t.OrgID(), t.Now, t.Now
		row := rowOf(c)
		if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return c, err
		}
		return c, t.audit(ctx, "campaign.create", "campaign", c.ID.String(), map[string]any{"name": c.Name, "kind": c.Kind})
	})
}

// List lists the campaigns the principal works on, newest first: a
// client's own, a center's through its active contracts. Open requests
// are OpenRequests.
func (s *Campaigns) List(ctx context.Context, page Page) ([]campaign.Campaign, *uuid.UUID, error) {
	p, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return nil, nil, err
	}
	// The campaigns org works on (worksOn), in one query that is the whole
	// use case (readRows).
	query := "SELECT c." + strings.Join(campaignColumns, ", c.") + " FROM campaigns AS c WHERE (c.org_id = ?" +
		" OR EXISTS (SELECT 1 FROM contracts k WHERE k.campaign_id = c.id AND k.center_id = ? AND k.status = ?))"
	args := []any{p.OrgID, p.OrgID, market.ContractActive}
	if page.After != uuid.Nil {
		query, args = query+" AND c.id < ?", append(args, page.After)
	}
	rows, err := readRows(ctx, s.db, query+" ORDER BY c.id DESC LIMIT ?", append(args, page.limit()+1),
		(*campaignRow).fields, page.limit()+1)
	if err != nil {
		return nil, nil, err
	}
	list, next := campaignsOf(rows, page)
	return list, next, nil
}

// OpenRequests lists the campaigns published on the marketplace, for the
// centers that browse them (requests:read): the requests they may answer.
func (s *Campaigns) OpenRequests(ctx context.Context, page Page) ([]campaign.Campaign, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]campaign.Campaign, *uuid.UUID, error) {
		return t.matchingRequests(ctx, RequestFilter{}, page)
	})
}

// Get returns one campaign the principal may see: one it works on, or an
// open request for those who browse them. Anything else is not found.
func (s *Campaigns) Get(ctx context.Context, id uuid.UUID) (campaign.Campaign, error) {
	return run(ctx, s.db, func(t *tenant) (campaign.Campaign, error) { return t.campaign(ctx, id) })
}

// Update rewrites a draft campaign's request.
func (s *Campaigns) Update(ctx context.Context, id uuid.UUID, in campaign.Input) (campaign.Campaign, error) {
	return s.Edit(ctx, id, func(campaign.Campaign) campaign.Input { return in })
}

// Edit rewrites a draft campaign's request with what edit makes of it as
// it stands: a patch, which leaves the fields it does not name as they are.
func (s *Campaigns) Edit(ctx context.Context, id uuid.UUID, edit func(campaign.Campaign) campaign.Input) (campaign.Campaign, error) {
	return run(ctx, s.db, func(t *tenant) (campaign.Campaign, error) {
		old, err := t.ownCampaign(ctx, id)
		if err != nil {
			return old, err
		}
		if !campaign.Editable(old.Status) {
			return old, apperr.New(apperr.Conflict, "store.campaign.not_editable", "a campaign that is %s cannot be edited; unpublish it first if no offer was accepted", old.Status)
		}
		c, err := edit(old).Validate()
		if err != nil {
			return old, err
		}
		c.ID, c.OrgID, c.CreatedAt, c.UpdatedAt, c.Status = old.ID, old.OrgID, old.CreatedAt, t.Now, old.Status
		row := rowOf(c)
		if _, err := t.Tx.NewUpdate().Model(&row).ExcludeColumn("queued_through").WherePK().Exec(ctx); err != nil {
			return old, err
		}
		return c, t.audit(ctx, "campaign.update", "campaign", id.String(), map[string]any{"name": c.Name})
	})
}

// SetRecording turns the recording of a campaign's calls on or off
// (campaigns:write, its client's): in draft as in Edit, and after, while
// the rest of the request is frozen, until the campaign ends. The engine
// applies it to the calls it places after its next roll call.
func (s *Campaigns) SetRecording(ctx context.Context, id uuid.UUID, on bool) (campaign.Campaign, error) {
	return run(ctx, s.db, func(t *tenant) (campaign.Campaign, error) {
		if err := t.require(ctx, tenancy.PermCampaignsWrite); err != nil {
			return campaign.Campaign{}, err
		}
		c, err := t.ownCampaign(ctx, id)
		if err != nil {
			return c, err
		}
		if !campaign.RecordingSettable(c.Status) {
			return c, apperr.New(apperr.Conflict, "store.campaign.recording_ended", "a campaign that is %s places no more calls: whether it records them no longer changes", c.Status)
		}
		if c.RecordCalls == on {
			return c, nil
		}
		if _, err := t.Tx.NewUpdate().Model((*campaignRow)(nil)).Set("record_calls = ?", on).Set("updated_at = ?", t.Now).
			Where("id = ?", id).Exec(ctx); err != nil {
			return c, err
		}
		c.RecordCalls, c.UpdatedAt = on, t.Now
		return c, t.audit(ctx, "campaign.recording", "campaign", id.String(), map[string]any{"record_calls": on})
	})
}

// Move applies an event to a campaign: the state machine says whether the
// campaign's status allows it and which permission it needs, the policy
// table whether the principal holds it. A campaign that ends ends its
// contracts: its centers stop seeing it.
func (s *Campaigns) Move(ctx context.Context, id uuid.UUID, event campaign.Event) (campaign.Campaign, error) {
	return run(ctx, s.db, func(t *tenant) (campaign.Campaign, error) {
		if event == campaign.Contract {
			return campaign.Campaign{}, apperr.InvalidFields("store.campaign.contracted_by_contract", "a campaign is contracted by confirming a contract",
				apperr.Field("event", "store.campaign.event.contract", "contract is not a move to ask for: confirm the contract instead"))
		}
		c, err := t.actsOn(ctx, id)
		if err != nil {
			return c, err
		}
		may, err := t.mayFn(ctx)
		if err != nil {
			return c, err
		}
		next, err := campaign.Next(c.Status, event, may)
		if err != nil {
			return c, err
		}
		return t.setStatus(ctx, c, next, event)
	})
}

// Moves lists the moves the principal may make on a campaign now, for the
// buttons of its page.
func (s *Campaigns) Moves(ctx context.Context, id uuid.UUID) ([]campaign.Event, error) {
	return run(ctx, s.db, func(t *tenant) ([]campaign.Event, error) {
		c, err := t.actsOn(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			return nil, nil // an open request a center browses: no move of its own
		}
		if err != nil {
			return nil, err
		}
		return t.moves(ctx, c)
	})
}

// moves lists the moves the principal may make on c now.
func (t *tenant) moves(ctx context.Context, c campaign.Campaign) ([]campaign.Event, error) {
	may, err := t.mayFn(ctx)
	if err != nil {
		return nil, err
	}
	var out []campaign.Event
	for _, e := range campaign.Allowed(c.Status, may) {
		if e != campaign.Contract {
			out = append(out, e)
		}
	}
	return out, nil
}

// mayFn reads the principal's permissions once, as the state machine asks.
func (t *tenant) mayFn(ctx context.Context) (campaign.May, error) {
	held := map[tenancy.Permission]bool{}
	for _, p := range tenancy.Permissions() {
		ok, err := t.may(ctx, p)
		if err != nil {
			return nil, err
		}
		held[p] = ok
	}
	return func(p tenancy.Permission) bool { return held[p] }, nil
}

// worksOn limits a query on campaigns (?TableAlias) to those the principal
// works on: its own, and those it holds an active contract for.
func (t *tenant) worksOn(q *bun.SelectQuery) *bun.SelectQuery {
	return t.worksOnCampaignOf(q, "?TableAlias.id")
}

// worksOnCampaignOf limits a query on a table whose rows belong to a
// campaign (?TableAlias.org_id is the campaign's org, campaignID names the
// column of its id) to the rows of the campaigns the principal works on, as
// worksOn says.
func (t *tenant) worksOnCampaignOf(q *bun.SelectQuery, campaignID string) *bun.SelectQuery {
	return q.Where("?TableAlias.org_id = ?", t.OrgID()).
		WhereOr("EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = "+campaignID+" AND c.center_id = ? AND c.status = ?)",
			t.OrgID(), market.ContractActive)
}

// campaign returns one campaign the principal works on, or an open
// request when it browses them. Anything else is not found.
func (t *tenant) campaign(ctx context.Context, id uuid.UUID) (campaign.Campaign, error) {
	browses, err := t.may(ctx, tenancy.PermRequestsRead)
	if err != nil {
		return campaign.Campaign{}, err
	}
	var rows []campaignRow
	q := t.Tx.NewSelect().Model(&rows).Where("?TableAlias.id = ?", id).WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		q = t.worksOn(q)
		if browses {
			q = q.WhereOr("?TableAlias.status = ?", campaign.Open)
		}
		return q
	})
	if err := t.scanRepeated(ctx, q, &rows); err != nil {
		return campaign.Campaign{}, err
	}
	if len(rows) == 0 {
		return campaign.Campaign{}, apperr.New(apperr.NotFound, "store.campaign.not_found", "campaign not found")
	}
	return rows[0].campaign(), nil
}

// actsOn is a campaign the principal works on: an open request is visible
// to every center that browses requests, but only its client and its
// contracted centers act on the campaign.
func (t *tenant) actsOn(ctx context.Context, id uuid.UUID) (campaign.Campaign, error) {
	var row campaignRow
	err := t.Tx.NewSelect().Model(&row).Where("?TableAlias.id = ?", id).WhereGroup(" AND ", t.worksOn).Scan(ctx)
	if isNoRows(err) {
		return campaign.Campaign{}, apperr.New(apperr.NotFound, "store.campaign.not_found", "campaign not found")
	}
	return row.campaign(), err
}

// ownCampaign is one of the principal's org's own campaigns.
func (t *tenant) ownCampaign(ctx context.Context, id uuid.UUID) (campaign.Campaign, error) {
	var row campaignRow
	err := t.Tx.NewSelect().Model(&row).Where("?TableAlias.id = ? AND ?TableAlias.org_id = ?", id, t.OrgID()).Scan(ctx)
	if isNoRows(err) {
		return campaign.Campaign{}, apperr.New(apperr.NotFound, "store.campaign.not_found", "campaign not found")
	}
	return row.campaign(), err
}

func campaignPage(ctx context.Context, q *bun.SelectQuery, rows *[]campaignRow, page Page) ([]campaign.Campaign, *uuid.UUID, error) {
	if err := page.apply(q).Scan(ctx); err != nil {
		return nil, nil, err
	}
	list, next := campaignsOf(*rows, page)
	return list, next, nil
}

// campaignsOf reads a page's rows and the cursor of the next page.
func campaignsOf(rows []campaignRow, page Page) ([]campaign.Campaign, *uuid.UUID) {
	list, next := cut(rows, page, func(r campaignRow) uuid.UUID { return r.ID })
	out := make([]campaign.Campaign, 0, len(list))
	for _, r := range list {
		out = append(out, r.campaign())
	}
	return out, next
}

// setStatus writes a campaign's new status, and ends its contracts when
// the campaign ends. A center moving its client's campaign (start, pause)
// writes another org's row: row-level security lets a contracted center
// change that campaign's status, and nothing else of it. The move is
// audited in the campaign's client's trail, and in the mover's when it is
// another org.
func (t *tenant) setStatus(ctx context.Context, c campaign.Campaign, next campaign.Status, event campaign.Event) (campaign.Campaign, error) {
	if _, err := t.Tx.NewUpdate().Model((*campaignRow)(nil)).Set("status = ?", next).Set("updated_at = ?", t.Now).
		Where("id = ? AND status = ?", c.ID, c.Status).Exec(ctx); err != nil {
		return c, err
	}
	if next.Ended() {
		if _, err := t.Tx.NewUpdate().Model((*contractRow)(nil)).Set("status = ?", market.ContractEnded).
			Where("campaign_id = ? AND status IN (?)", c.ID, bun.List([]market.ContractStatus{market.ContractActive, market.ContractPending})).
			Exec(ctx); err != nil {
			return c, err
		}
	}
	from := c.Status
	c.Status, c.UpdatedAt = next, t.Now
	details := map[string]any{"from": from, "to": next}
	if c.OrgID != t.OrgID() {
		details["by_org"] = t.OrgID()
		if err := insertAudit(ctx, t.Tx, t.Now, t.Principal.In(c.OrgID), "campaign."+string(event), "campaign", c.ID.String(), details); err != nil {
			return c, err
		}
	}
	return c, t.audit(ctx, "campaign."+string(event), "campaign", c.ID.String(), details)
}

package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type decisionRow struct {
	bun.BaseModel `bun:"table:compliance_decisions"`

	ID            uuid.UUID  `bun:"id,pk"`
	OrgID         uuid.UUID  `bun:"org_id"`
	CampaignID    *uuid.UUID `bun:"campaign_id"`
	LeadID        *uuid.UUID `bun:"lead_id"`
	Phone         string     `bun:"phone"`
	Purpose       string     `bun:"purpose"`
	Allowed       bool       `bun:"allowed"`
	Reason        string     `bun:"reason"`
	Rule          string     `bun:"rule"`
	Source        string     `bun:"source"`
	RuleSet       string     `bun:"rule_set"`
	NextAllowedAt *time.Time `bun:"next_allowed_at"`
	ExplanationFR string     `bun:"explanation_fr"`
	ExplanationEN string     `bun:"explanation_en"`
	DecidedAt     time.Time  `bun:"decided_at"`
}

func (r decisionRow) evidence() compliance.Evidence {
	return compliance.Evidence{ID: r.ID, CampaignID: r.CampaignID, LeadID: r.LeadID, Phone: r.Phone, Purpose: compliance.Purpose(r.Purpose),
		DecidedAt: r.DecidedAt, Decision: compliance.Decision{Allowed: r.Allowed, Reason: compliance.Reason(r.Reason),
			Rule: r.Rule, Source: r.Source, RuleSet: r.RuleSet, NextAllowedAt: r.NextAllowedAt,
			Explanation: compliance.Text{FR: r.ExplanationFR, EN: r.ExplanationEN}}}
}

// recordDecision keeps a decision that mattered: every blocked dial or
// callback with its reason, and every allowed call with the rule set
// version that allowed it.
func (t *tenant) recordDecision(ctx context.Context, e compliance.Evidence) error {
	row := t.decisionRow(e)
	_, err := t.Tx.NewInsert().Model(&row).Exec(ctx)
	return err
}

// decisionRow is how the org keeps evidence of a decision, under a new id.
func (t *tenant) decisionRow(e compliance.Evidence) decisionRow {
	d := e.Decision
	return decisionRow{ID: newID(), OrgID: t.OrgID(), CampaignID: e.CampaignID, LeadID: e.LeadID, Phone: e.Phone,
		Purpose: string(e.Purpose), Allowed: d.Allowed, Reason: string(d.Reason), Rule: d.Rule, Source: d.Source,
		RuleSet: d.RuleSet, NextAllowedAt: d.NextAllowedAt, ExplanationFR: d.Explanation.FR,
		ExplanationEN: d.Explanation.EN, DecidedAt: e.DecidedAt.UTC()}
}

// BlockCounts counts the org's blocked decisions per campaign and rule.
func (s *Compliance) BlockCounts(ctx context.Context) ([]compliance.BlockCount, error) {
	return run(ctx, s.db, func(t *tenant) ([]compliance.BlockCount, error) { return t.blockCounts(ctx) })
}

func (t *tenant) blockCounts(ctx context.Context) ([]compliance.BlockCount, error) {
	var rows []struct {
		CampaignID *uuid.UUID `bun:"campaign_id"`
		Reason     string     `bun:"reason"`
		Rule       string     `bun:"rule"`
		Count      int        `bun:"count"`
	}
	err := t.Tx.NewSelect().Model((*decisionRow)(nil)).
		ColumnExpr("campaign_id, reason, rule, count(*) AS count").
		Where("org_id = ? AND NOT allowed", t.OrgID()).
		GroupExpr("campaign_id, reason, rule").OrderExpr("count DESC, reason").Scan(ctx, &rows)
	out := make([]compliance.BlockCount, len(rows))
	for i, r := range rows {
		out[i] = compliance.BlockCount{CampaignID: r.CampaignID, Reason: r.Reason, Rule: r.Rule, Count: r.Count}
	}
	return out, err
}

// EvidenceFor lists the org's recorded decisions for a phone or a lead,
// newest first.
func (s *Compliance) EvidenceFor(ctx context.Context, phone string, leadID *uuid.UUID, page Page) ([]compliance.Evidence, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]compliance.Evidence, *uuid.UUID, error) {
		return t.evidenceFor(ctx, phone, leadID, page)
	})
}

func (t *tenant) evidenceFor(ctx context.Context, phone string, leadID *uuid.UUID, page Page) ([]compliance.Evidence, *uuid.UUID, error) {
	var rows []decisionRow
	q := t.Tx.NewSelect().Model(&rows).Where("org_id = ?", t.OrgID())
	if phone != "" {
		q = q.Where("phone = ?", phone)
	}
	if leadID != nil {
		q = q.Where("lead_id = ?", *leadID)
	}
	if err := page.apply(q).Scan(ctx); err != nil {
		return nil, nil, err
	}
	rows, next := cut(rows, page, func(r decisionRow) uuid.UUID { return r.ID })
	out := make([]compliance.Evidence, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.evidence())
	}
	return out, next, nil
}

type centerProfileRow struct {
	bun.BaseModel `bun:"table:center_profiles"`

	OrgID              uuid.UUID  `bun:"org_id,pk"`
	Country            string     `bun:"country"`
	SCCSignedAt        *time.Time `bun:"scc_signed_at"`
	SCCModule          string     `bun:"scc_module"`
	TIAOnFile          bool       `bun:"tia_on_file"`
	Authority          string     `bun:"authority"`
	AuthorityRef       string     `bun:"authority_ref"`
	AuthorityExpiresAt *time.Time `bun:"authority_expires_at"`
	Documents          string     `bun:"documents"`
	VerifiedAt         *time.Time `bun:"verified_at"`
	VerifiedBy         string     `bun:"verified_by"`
	UpdatedAt          time.Time  `bun:"updated_at"`
}

func (r centerProfileRow) profile() compliance.CenterProfile {
	p := compliance.CenterProfile{OrgID: r.OrgID, Country: r.Country, SCCSignedAt: r.SCCSignedAt, SCCModule: r.SCCModule,
		TIAOnFile: r.TIAOnFile, Authority: r.Authority, AuthorityRef: r.AuthorityRef, AuthorityExpiresAt: r.AuthorityExpiresAt,
		VerifiedAt: r.VerifiedAt, VerifiedBy: r.VerifiedBy, UpdatedAt: r.UpdatedAt, Documents: []string{}}
	for _, d := range strings.Split(r.Documents, "\n") {
		if d = strings.TrimSpace(d); d != "" {
			p.Documents = append(p.Documents, d)
		}
	}
	return p
}

// CenterProfile returns the center's data-protection profile; a center that
// never filled it gets an empty one for its country.
func (s *Compliance) CenterProfile(ctx context.Context) (compliance.CenterProfile, error) {
	return run(ctx, s.db, func(t *tenant) (compliance.CenterProfile, error) { return t.centerProfile(ctx) })
}

func (t *tenant) centerProfile(ctx context.Context) (compliance.CenterProfile, error) {
	var row centerProfileRow
	err := t.Tx.NewSelect().Model(&row).Where("org_id = ?", t.OrgID()).Scan(ctx)
	if isNoRows(err) {
		org, err := t.org(ctx)
		return compliance.CenterProfile{OrgID: t.OrgID(), Country: org.Country, Authority: compliance.AuthorityOf(org.Country),
			Documents: []string{}}, err
	}
	return row.profile(), err
}

// SaveCenterProfile replaces the center's profile (center_profile:write,
// which only centers hold). Any change voids the platform's verification:
// the platform verifies what is on file.
func (s *Compliance) SaveCenterProfile(ctx context.Context, p compliance.CenterProfile) (compliance.CenterProfile, error) {
	return run(ctx, s.db, func(t *tenant) (compliance.CenterProfile, error) { return t.saveCenterProfile(ctx, p) })
}

func (t *tenant) saveCenterProfile(ctx context.Context, p compliance.CenterProfile) (compliance.CenterProfile, error) {
	if err := t.require(ctx, tenancy.PermCenterProfileEdit); err != nil {
		return p, err
	}
	var f apperr.Fields
	if p.SCCModule != "" && p.SCCModule != "2" && p.SCCModule != "3" {
		f.Add("scc_module", "store.profile.scc_module.invalid", "must be 2 (controller to processor) or 3 (processor to processor), got %q", p.SCCModule)
	}
	if len(p.AuthorityRef) > 200 {
		f.Add("authority_ref", "store.profile.authority_ref.too_long", "must be at most 200 characters")
	}
	for i, d := range p.Documents {
		if strings.ContainsAny(d, "\r\n") || len(d) > 300 {
			f.Add("documents["+strconv.Itoa(i)+"]", "store.profile.document.invalid", "must be one line of at most 300 characters")
		}
	}
	if err := f.Err("store.profile.invalid", "the profile is not valid"); err != nil {
		return p, err
	}
	org, err := t.org(ctx)
	if err != nil {
		return p, err
	}
	row := centerProfileRow{OrgID: t.OrgID(), Country: org.Country, SCCSignedAt: p.SCCSignedAt, SCCModule: p.SCCModule,
		TIAOnFile: p.TIAOnFile, Authority: compliance.AuthorityOf(org.Country), AuthorityRef: strings.TrimSpace(p.AuthorityRef),
		AuthorityExpiresAt: p.AuthorityExpiresAt, Documents: strings.Join(p.Documents, "\n"), UpdatedAt: t.Now}
	if _, err := t.Tx.NewInsert().Model(&row).On("CONFLICT (org_id) DO UPDATE").
		Set("scc_signed_at = EXCLUDED.scc_signed_at, scc_module = EXCLUDED.scc_module, tia_on_file = EXCLUDED.tia_on_file").
		Set("authority = EXCLUDED.authority, authority_ref = EXCLUDED.authority_ref").
		Set("authority_expires_at = EXCLUDED.authority_expires_at, documents = EXCLUDED.documents").
		Set("updated_at = EXCLUDED.updated_at, verified_at = NULL, verified_by = ''").Exec(ctx); err != nil {
		return p, err
	}
	return row.profile(), t.audit(ctx, "center_profile.update", "center_profile", t.OrgID().String(), row.profile())
}

// VerifyCenterProfile records the platform admin's verification of a
// center's profile as it stands. It acts across orgs (the platform on a
// center) and is audited in the center's org.
func (s *Compliance) VerifyCenterProfile(ctx context.Context, center uuid.UUID) (compliance.CenterProfile, error) {
	d := s.db
	by, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return compliance.CenterProfile{}, err
	}
	var row centerProfileRow
	err = d.asPlatform(ctx, tenancy.PermCenterProfileOK, "center-profile-verify", func(tx bun.Tx) error {
		if err := tx.NewSelect().Model(&row).Where("org_id = ?", center).Scan(ctx); err != nil {
			if isNoRows(err) { // a center that never filled it, or no center at all
				return apperr.New(apperr.NotFound, "store.profile.not_filled", "the center %s has not filled its data-protection profile", center)
			}
			return err
		}
		at := d.now()
		row.VerifiedAt, row.VerifiedBy = &at, by.Label
		if _, err := tx.NewUpdate().Model(&row).Column("verified_at", "verified_by").WherePK().Exec(ctx); err != nil {
			return err
		}
		return insertAudit(ctx, tx, at, by.In(center), "center_profile.verify", "center_profile", center.String(), nil)
	})
	return row.profile(), err
}

// CenterWithProfile is a center and its data-protection profile, filled
// or not.
type CenterWithProfile struct {
	Center  tenancy.Org
	Profile compliance.CenterProfile
	Filled  bool
}

// CenterProfiles lists every center with its profile (an empty one for a
// center that never filled it), by name, for the platform console.
func (s *Compliance) CenterProfiles(ctx context.Context) ([]CenterWithProfile, error) {
	var rows []centerProfileRow
	var centers []orgRow
	err := s.db.asPlatform(ctx, tenancy.PermCenterProfileOK, "center-profiles", func(tx bun.Tx) error {
		if err := tx.NewSelect().Model(&centers).Where("kind = ?", tenancy.KindCenter).OrderExpr("name, id").Scan(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(&rows).Scan(ctx)
	})
	byOrg := map[uuid.UUID]compliance.CenterProfile{}
	for _, r := range rows {
		byOrg[r.OrgID] = r.profile()
	}
	out := make([]CenterWithProfile, 0, len(centers))
	for _, o := range centers {
		p, ok := byOrg[o.ID]
		if !ok {
			p = compliance.CenterProfile{OrgID: o.ID, Country: o.Country, Authority: compliance.AuthorityOf(o.Country), Documents: []string{}}
		}
		out = append(out, CenterWithProfile{Center: o.org(), Profile: p, Filled: ok})
	}
	return out, err
}

package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// The compliance bodies, explicit as the others (views.go); openapi.json
// names each under components/schemas.

// decisionView is Decision.
type decisionView struct {
	Allowed       bool              `json:"allowed"`
	Reason        compliance.Reason `json:"reason"`
	Explanation   textView          `json:"explanation"`
	Rule          string            `json:"rule"`
	Source        string            `json:"source"`
	RuleSet       string            `json:"rule_set"`
	NextAllowedAt *time.Time        `json:"next_allowed_at"`
	CalleeRegion  string            `json:"callee_region"`
	CalleeZones   []string          `json:"callee_zones"`
}

// textView is Text: a sentence in each language of the platform.
type textView struct {
	FR string `json:"fr"`
	EN string `json:"en"`
}

func decisionOf(d compliance.Decision) decisionView {
	zones := d.CalleeZones
	if zones == nil {
		zones = []string{}
	}
	return decisionView{Allowed: d.Allowed, Reason: d.Reason, Explanation: textView(d.Explanation), Rule: d.Rule,
		Source: d.Source, RuleSet: d.RuleSet, NextAllowedAt: d.NextAllowedAt, CalleeRegion: d.CalleeRegion, CalleeZones: zones}
}

// consentView is Consent.
type consentView struct {
	ID          uuid.UUID         `json:"id"`
	Phone       string            `json:"phone"`
	Source      string            `json:"source"`
	CapturedAt  time.Time         `json:"captured_at"`
	ProofRef    string            `json:"proof_ref"`
	Kinds       []compliance.Kind `json:"kinds"` // empty: every kind
	WithdrawnAt *time.Time        `json:"withdrawn_at"`
	CreatedAt   time.Time         `json:"created_at"`
}

func consentOf(r compliance.ConsentRecord) consentView {
	kinds := r.Kinds
	if kinds == nil {
		kinds = []compliance.Kind{}
	}
	return consentView{ID: r.ID, Phone: r.Phone, Source: r.Source, CapturedAt: r.CapturedAt, ProofRef: r.ProofRef,
		Kinds: kinds, WithdrawnAt: r.WithdrawnAt, CreatedAt: r.CreatedAt}
}

// consentsRecordedView is ConsentsRecorded: the answer to a batch.
type consentsRecordedView struct {
	Recorded int           `json:"recorded"`
	Data     []consentView `json:"data"`
}

// withdrawalView is ConsentWithdrawal.
type withdrawalView struct {
	Phone     string    `json:"phone"`
	Withdrawn int       `json:"withdrawn"` // how many consent records it closed
	At        time.Time `json:"at"`
}

// suppressionView is Suppression.
type suppressionView struct {
	ID        uuid.UUID           `json:"id"`
	List      compliance.ListKind `json:"list"`
	Phone     string              `json:"phone"`
	Reason    string              `json:"reason"`
	Source    string              `json:"source"`
	CreatedAt time.Time           `json:"created_at"`
}

func suppressionOf(e compliance.SuppressionEntry) suppressionView {
	return suppressionView{ID: e.ID, List: e.List, Phone: e.Phone, Reason: e.Reason, Source: e.Source, CreatedAt: e.CreatedAt}
}

// suppressionsAddedView is SuppressionsAdded.
type suppressionsAddedView struct {
	Received      int `json:"received"`
	Added         int `json:"added"`          // new on the list
	AlreadyListed int `json:"already_listed"` // there already, left as they were
}

// evidenceView is Evidence: a decision that mattered, as recorded.
type evidenceView struct {
	ID         uuid.UUID    `json:"id"`
	CampaignID *uuid.UUID   `json:"campaign_id"`
	LeadID     *uuid.UUID   `json:"lead_id"`
	Phone      string       `json:"phone"`
	Purpose    string       `json:"purpose"`
	DecidedAt  time.Time    `json:"decided_at"`
	Decision   decisionView `json:"decision"`
}

func evidenceOf(e compliance.Evidence) evidenceView {
	return evidenceView{ID: e.ID, CampaignID: e.CampaignID, LeadID: e.LeadID, Phone: e.Phone, Purpose: string(e.Purpose),
		DecidedAt: e.DecidedAt, Decision: decisionOf(e.Decision)}
}

// blockCountView is BlockCount.
type blockCountView struct {
	CampaignID *uuid.UUID `json:"campaign_id"` // null: decisions outside any campaign
	Reason     string     `json:"reason"`
	Rule       string     `json:"rule"`
	Count      int        `json:"count"`
}

// blockCountsView is BlockCounts.
type blockCountsView struct {
	Data []blockCountView `json:"data"`
}

// centerProfileView is CenterProfile, with the check contract activation
// makes.
type centerProfileView struct {
	OrgID              uuid.UUID  `json:"org_id"`
	Country            string     `json:"country"`
	SCCSignedAt        *time.Time `json:"scc_signed_at"`
	SCCModule          string     `json:"scc_module"`
	TIAOnFile          bool       `json:"tia_on_file"`
	Authority          string     `json:"authority"`
	AuthorityRef       string     `json:"authority_ref"`
	AuthorityExpiresAt *time.Time `json:"authority_expires_at"`
	Documents          []string   `json:"documents"`
	VerifiedAt         *time.Time `json:"verified_at"`
	VerifiedBy         string     `json:"verified_by"`
	UpdatedAt          *time.Time `json:"updated_at"` // null until the center first saves it
	MayProcessEUData   bool       `json:"may_process_eu_data"`
	Missing            *string    `json:"missing"` // why not, all at once; null when it may
}

// centerProfileOf is CenterProfile, missing said in the request's language.
func (a *API) centerProfileOf(c *fiber.Ctx, k store.CheckedProfile) centerProfileView {
	p := k.Profile
	v := centerProfileView{OrgID: p.OrgID, Country: p.Country, SCCSignedAt: p.SCCSignedAt, SCCModule: p.SCCModule,
		TIAOnFile: p.TIAOnFile, Authority: p.Authority, AuthorityRef: p.AuthorityRef, AuthorityExpiresAt: p.AuthorityExpiresAt,
		Documents: p.Documents, VerifiedAt: p.VerifiedAt, VerifiedBy: p.VerifiedBy, MayProcessEUData: k.Missing == nil}
	if v.Documents == nil {
		v.Documents = []string{}
	}
	if !p.UpdatedAt.IsZero() {
		at := p.UpdatedAt
		v.UpdatedAt = &at
	}
	if k.Missing != nil {
		missing := a.say(c, k.Missing)
		v.Missing = &missing
	}
	return v
}

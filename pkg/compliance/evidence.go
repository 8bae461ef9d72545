package compliance

import (
	"time"

	"github.com/google/uuid"
)

// Purpose is why a decision was asked, as the evidence records it.
type Purpose string

const (
	PurposeDial     Purpose = "dial"
	PurposeCallback Purpose = "callback"
	PurposeImport   Purpose = "import"
	PurposeAPI      Purpose = "api"
)

// Kept reports whether a decision asked for this purpose is kept as
// evidence: every dial and callback, allowed (with the rule set that
// allowed it) or refused (with its reason).
func (p Purpose) Kept() bool { return p == PurposeDial || p == PurposeCallback }

// Evidence is a recorded decision.
type Evidence struct {
	ID         uuid.UUID  `json:"id"`
	CampaignID *uuid.UUID `json:"campaign_id"`
	LeadID     *uuid.UUID `json:"lead_id"`
	Phone      string     `json:"phone"`
	Purpose    Purpose    `json:"purpose"`
	DecidedAt  time.Time  `json:"decided_at"`
	Decision   Decision   `json:"decision"`
}

// BlockCount is how many decisions a rule blocked.
type BlockCount struct {
	CampaignID *uuid.UUID `json:"campaign_id"`
	Reason     string     `json:"reason"`
	Rule       string     `json:"rule"`
	Count      int        `json:"count"`
}

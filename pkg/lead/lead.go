// Package lead is a campaign's callees: the lead as the platform keeps it,
// its statuses, and the import that brings leads in — from a client's file
// (read by pkg/leadfile) or a batch of the API — checking each against the
// compliance engine's import-time Screen, so that a lead enters a campaign
// ready to dial or blocked with its reason, never silently dropped.
//
// It holds the rules and the pipeline, not the storage: a Sink loads the
// leads (the bun store: COPY and one merge on PostgreSQL, batched
// transactions on SQLite), Facts are what the store knows of the numbers.
// It imports the standard library, uuid and the domain packages compliance,
// leadfile, numberset and apperr.
package lead

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// Status is where a lead stands in its campaign:
// new → ready → in_call → callback | retry | done, or blocked.
type Status string

const (
	New      Status = "new"      // entered, not yet screened
	Ready    Status = "ready"    // screened, may be dialled when the rules allow
	InCall   Status = "in_call"  // an agent holds it
	Callback Status = "callback" // to be called back at a set time
	Retry    Status = "retry"    // to be tried again (no answer, busy…)
	Done     Status = "done"     // finished with an outcome
	Blocked  Status = "blocked"  // may not be called: Block says why
)

// TermKey names the status in the catalogs.
func (s Status) TermKey() string { return "leads.status." + string(s) }

// Statuses lists every status, in the order of a lead's life.
func Statuses() []Status { return []Status{New, Ready, InCall, Callback, Retry, Done, Blocked} }

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses() {
		if s == v {
			return true
		}
	}
	return false
}

// Untouched reports whether no call touched a lead of status s yet: it is
// screened again when its facts change, and may be removed.
func (s Status) Untouched() bool { return s == New || s == Ready || s == Blocked }

// Consent is the evidence of consent a client supplied with the lead.
type Consent struct {
	Source     string    `json:"source"`
	CapturedAt time.Time `json:"captured_at"`
	Proof      string    `json:"proof,omitempty"`
}

// Block is why a lead may not be called: the compliance decision, kept as
// the evidence of the check.
type Block struct {
	Reason      compliance.Reason `json:"reason"`
	Rule        string            `json:"rule"`
	Source      string            `json:"source"`
	RuleSet     string            `json:"rule_set"`
	Explanation compliance.Text   `json:"explanation"`
	CheckedAt   time.Time         `json:"checked_at"`
}

// Lead is one callee of a campaign.
type Lead struct {
	ID         uuid.UUID
	OrgID      uuid.UUID // the campaign's client
	CampaignID uuid.UUID
	Phone      string // E.164
	Region     string // where the number rings: FR, MQ, US…
	FirstName  string
	LastName   string
	Company    string
	Email      string
	PostalCode string
	City       string
	Country    string // as the client wrote it
	Timezone   string // the client's IANA zone for the lead; "" to take the number's
	Custom     map[string]string
	Consent    *Consent
	Status     Status
	Block      *Block // when Status is Blocked
	ImportID   *uuid.UUID
	Line       int // the line of the import's file, 0 for the API
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Name is the lead's full name, or its company.
func (l Lead) Name() string {
	switch {
	case l.FirstName != "" && l.LastName != "":
		return l.FirstName + " " + l.LastName
	case l.FirstName+l.LastName != "":
		return l.FirstName + l.LastName
	}
	return l.Company
}

// ForCenter is the lead as a center sees it: the number masked
// (+33 6 •• •• •• 78), no email, no consent proof, every number written in
// a text it reads masked (notes, names, company, city, consent source,
// custom fields and their names: see maskValue), and a custom field that
// holds an address dropped — so that a lead list cannot walk out of the
// building.
func (l Lead) ForCenter() Lead {
	l.Phone, l.Email = phone.Mask(l.Phone), ""
	for _, f := range []*string{&l.FirstName, &l.LastName, &l.Company, &l.PostalCode, &l.City, &l.Country, &l.Timezone} {
		*f = maskValue(*f, l.Region)
	}
	if l.Consent != nil {
		c := *l.Consent
		c.Source, c.Proof = maskValue(c.Source, l.Region), ""
		l.Consent = &c
	}
	if len(l.Custom) > 0 {
		custom := make(map[string]string, len(l.Custom))
		for k, v := range l.Custom {
			if strings.Contains(v, "@") {
				continue
			}
			name := maskText(k)
			for n := 2; ; n++ { // two names masked alike
				if _, taken := custom[name]; !taken {
					break
				}
				name = fmt.Sprintf("%s (%d)", maskText(k), n)
			}
			custom[name] = maskValue(v, l.Region)
		}
		l.Custom = custom
	}
	return l
}

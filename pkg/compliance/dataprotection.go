package compliance

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// CenterProfile is a call center's data-protection file: where it is, the
// standard contractual clauses it signed, its national authority's
// reference, and the documents behind them. Center admins keep it; the
// platform admin verifies it.
type CenterProfile struct {
	OrgID              uuid.UUID  `json:"org_id"`
	Country            string     `json:"country"`
	SCCSignedAt        *time.Time `json:"scc_signed_at"`
	SCCModule          string     `json:"scc_module"` // "2" (controller to processor) or "3" (processor to processor)
	TIAOnFile          bool       `json:"tia_on_file"`
	Authority          string     `json:"authority"` // CNDP (Morocco), CDP (Senegal)…
	AuthorityRef       string     `json:"authority_ref"`
	AuthorityExpiresAt *time.Time `json:"authority_expires_at"`
	Documents          []string   `json:"documents"` // references of the uploaded documents
	VerifiedAt         *time.Time `json:"verified_at"`
	VerifiedBy         string     `json:"verified_by"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// euAdequate lists the EU and EEA countries and those with an EU adequacy
// decision: personal data may flow there without further safeguards. The
// United States' adequacy covers only certified companies, so it is left
// out (the stricter side).
var euAdequate = strings.Fields(`AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE
	IS LI NO AD AR CA FO GG IL IM JP JE NZ KR CH GB UY`)

// nationalAuthorities are the countries whose own data-protection law
// requires the center's declaration or authorization, and the authority.
var nationalAuthorities = map[string]string{
	"MA": "CNDP", // law 09-08
	"SN": "CDP",  // law 2008-12
	"CI": "ARTCI",
	"MG": "CMIL",
}

// Gap is one thing a center lacks before it may receive EU personal data.
// Code names it for translation; Args fill its message.
type Gap struct {
	Code string   `json:"code"` // scc, module, tia, authority_ref, authority_expired, verification
	Args []string `json:"args,omitempty"`
}

var gapText = map[string]string{
	"scc":               "signed standard contractual clauses (Decision (EU) 2021/914)",
	"module":            "the SCC module (2 or 3)",
	"tia":               "a transfer impact assessment on file",
	"authority_ref":     "the %s reference (declaration or authorization)",
	"authority_expired": "a %s authorization that has not expired (expired %s)",
	"verification":      "the platform's verification of the profile as it stands",
}

// String words a gap in English.
func (g Gap) String() string {
	args := make([]any, len(g.Args))
	for i, a := range g.Args {
		args[i] = a
	}
	return fmt.Sprintf(gapText[g.Code], args...)
}

// EUDataGaps lists everything a center lacks, at now, before it may
// receive EU personal data; none for a center in the EU or an adequate
// country with a verified profile.
func EUDataGaps(p CenterProfile, now time.Time) []Gap {
	if slices.Contains(euAdequate, p.Country) {
		return nil
	}
	var gaps []Gap
	if p.SCCSignedAt == nil {
		gaps = append(gaps, Gap{Code: "scc"})
	} else if p.SCCModule != "2" && p.SCCModule != "3" {
		gaps = append(gaps, Gap{Code: "module"})
	}
	if !p.TIAOnFile {
		gaps = append(gaps, Gap{Code: "tia"})
	}
	if authority, ok := nationalAuthorities[p.Country]; ok {
		switch {
		case p.AuthorityRef == "":
			gaps = append(gaps, Gap{Code: "authority_ref", Args: []string{authority}})
		case p.AuthorityExpiresAt != nil && !p.AuthorityExpiresAt.After(now):
			gaps = append(gaps, Gap{Code: "authority_expired", Args: []string{authority, p.AuthorityExpiresAt.Format("2006-01-02")}})
		}
	}
	if p.VerifiedAt == nil || p.VerifiedAt.Before(p.UpdatedAt) {
		gaps = append(gaps, Gap{Code: "verification"})
	}
	return gaps
}

// Say is the gap in tr's language (dp.missing.<code>), English when its
// catalog lacks it.
func (g Gap) Say(tr apperr.Translator) string {
	args := make([]any, len(g.Args))
	for i, a := range g.Args {
		args[i] = a
	}
	if said, ok := tr("dp.missing."+g.Code, args...); ok {
		return said
	}
	return g.String()
}

// Gaps are the gaps a message lists: in English joined by "; ", each in
// the reader's language by Say.
type Gaps []Gap

func (l Gaps) String() string {
	words := make([]string, len(l))
	for i, g := range l {
		words[i] = g.String()
	}
	return strings.Join(words, "; ")
}

// Say is every gap in tr's language, joined by "; ".
func (l Gaps) Say(tr apperr.Translator) string {
	words := make([]string, len(l))
	for i, g := range l {
		words[i] = g.Say(tr)
	}
	return strings.Join(words, "; ")
}

// MayProcessEUData tells whether a center may receive EU personal data at
// now, and if not, every reason why, so the center can fix them all at once:
// a Conflict *apperr.Error (compliance.eu_data.gaps) whose parameters are
// the center's country and its Gaps. Contract activation calls it.
func MayProcessEUData(p CenterProfile, now time.Time) error {
	gaps := EUDataGaps(p, now)
	if len(gaps) == 0 {
		return nil
	}
	return apperr.New(apperr.Conflict, "compliance.eu_data.gaps", "the center (%s) may not receive EU personal data yet: missing %s", p.Country, Gaps(gaps))
}

// AuthorityOf names the national authority of a country, if it has one.
func AuthorityOf(country string) string { return nationalAuthorities[country] }

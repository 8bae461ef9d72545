package lead_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// TestForCenterHidesEveryNumberAndAddress: a second number or an email
// kept in custom fields does not reach a center.
func TestForCenterHidesEveryNumberAndAddress(t *testing.T) {
	l := lead.Lead{Phone: "+33612345678", Region: "FR", Email: "helene@exemple.fr",
		Consent: &lead.Consent{Source: "web", Proof: "https://exemple.fr/optin/42?ip=203.0.113.9"},
		Custom:  map[string]string{"Portable": "07 98 76 54 32", "E-mail 2": "h.l@exemple.fr", "Panier": "129 €", "Ref": "A-1234"}}
	c := l.ForCenter()
	all := c.Phone + c.Email + c.Consent.Proof
	for k, v := range c.Custom {
		all += k + "=" + v + ";"
	}
	for _, secret := range []string{"12 34 56", "345678", "98 76 54", "987654", "exemple.fr", "203.0.113.9"} {
		if strings.Contains(all, secret) {
			t.Errorf("a center sees %q in %q", secret, all)
		}
	}
	if c.Custom["Panier"] != "129 €" || c.Custom["Ref"] != "A-1234" || c.Consent.Source != "web" || !strings.HasPrefix(c.Phone, "+33 6") {
		t.Errorf("what a center needs is gone: %+v", c)
	}
	if l.Email == "" || l.Custom["Portable"] != "07 98 76 54 32" || l.Consent.Proof == "" {
		t.Errorf("ForCenter changed the client's lead: %+v", l)
	}
}

// TestFileConsentDoesNotUndoAWithdrawal: a consent date in the file older
// than a withdrawal in the registry leaves the lead blocked.
func TestFileConsentDoesNotUndoAWithdrawal(t *testing.T) {
	p, err := leadfile.NormalizePhone("06 12 34 56 78", "FR")
	if err != nil {
		t.Fatal(err)
	}
	withdrawn := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s := &lead.Screener{Campaign: lead.Campaign{Country: "FR", Audience: compliance.B2C, Kind: compliance.Prospecting},
		Facts: lead.Facts{Consents: map[uint64][]compliance.Consent{p.Key: {{CapturedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), WithdrawnAt: &withdrawn}}}},
		Now:   time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	for date, want := range map[string]lead.Status{"01/02/2026": lead.Blocked, "01/04/2026": lead.Ready} {
		s.Facts.InCampaign = nil
		l, problem := s.Admit(leadfile.Lead{Phone: "0612345678", ConsentSource: "web", ConsentCapturedAt: date}, p, 2)
		if problem != nil || l.Status != want {
			t.Errorf("consent of %s in the file, withdrawn 01/03/2026 in the registry: %s %v, want %s", date, l.Status, problem, want)
		}
	}
}

package lead_test

import (
	"fmt"
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

// TestAdmitSaysItsProblemsByCode: what keeps a lead out of a campaign is
// said by a code and parameters, for the report in its reader's language.
func TestAdmitSaysItsProblemsByCode(t *testing.T) {
	p, err := leadfile.NormalizePhone("06 12 34 56 78", "FR")
	if err != nil {
		t.Fatal(err)
	}
	s := &lead.Screener{Campaign: lead.Campaign{Country: "FR", Audience: compliance.B2C, Kind: compliance.Prospecting},
		Now: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	for want, raw := range map[string]leadfile.Lead{
		"lead.timezone.unknown":        {Phone: "0612345678", Timezone: "Paris"},
		"lead.consent_date.unreadable": {Phone: "0612345678", ConsentSource: "web", ConsentCapturedAt: "hier"},
		"lead.consent_date.missing":    {Phone: "0612345678", ConsentSource: "web"},
		"lead.consent_date.future":     {Phone: "0612345678", ConsentSource: "web", ConsentCapturedAt: "01/01/2027"},
	} {
		_, problem := s.Admit(raw, p, 7)
		if problem == nil || problem.MessageCode != want || len(problem.Args) == 0 && want != "lead.consent_date.missing" || problem.Line != 7 {
			t.Errorf("%+v: problem %+v, want %s", raw, problem, want)
		}
	}
	s.Admit(leadfile.Lead{Phone: "0612345678"}, p, 8)
	if _, problem := s.Admit(leadfile.Lead{Phone: "06 12 34 56 78"}, p, 9); problem == nil || problem.MessageCode != "lead.phone.in_campaign" ||
		problem.Code != lead.ProblemInCampaign || fmt.Sprint(problem.Args) != "[+33612345678]" {
		t.Errorf("a number already in the campaign: %+v", problem)
	}
}

// TestForCenterMasksNumbersInText: a number written inside any text a
// center reads — notes, names, company, city, consent source, a custom
// field's name — is masked, all its digits but the last two; two numbers
// in one value are both masked; dates, amounts, postal codes and short
// references are left as they are.
func TestForCenterMasksNumbersInText(t *testing.T) {
	l := lead.Lead{Phone: "+33612345678", Region: "FR", FirstName: "Jean 06 11 22 33 44", LastName: "Dupré",
		Company: "SARL Dupré (tél 01.23.45.67.89)", City: "Lyon +33 (0)4 78 12 34 56", PostalCode: "69002",
		Consent: &lead.Consent{Source: "appel du 0698765401"},
		Custom: map[string]string{
			"Notes":         "rappeler au 0612345699 svp",
			"Contact":       "Tel. 06 98 76 54 32",
			"Deux":          "0611111188 ou +33 7 22 22 22 77",
			"Tirets":        "06 - 33 - 44 - 55 - 66",
			"Portable":      "07 98 76 54 55",
			"RDV":           "le 2026-09-15 à 10:00, ou le 16/09/2026",
			"Montant":       "1 250,00 €",
			"Gros montant":  "1 250 000 €",
			"CP":            "69002",
			"Ref":           "A-1234",
			"Panier":        "129 €",
			"Appeler le 05": "Date : 15.09.2026",
			"0687654321":    "le numéro est le nom de la colonne",
		}}
	c := l.ForCenter()
	all := strings.Join([]string{c.Phone, c.FirstName, c.LastName, c.Company, c.City, c.PostalCode, c.Consent.Source}, "|")
	for k, v := range c.Custom {
		all += "|" + k + "=" + v
	}
	for _, secret := range []string{"11 22 33", "23.45.67", "78 12 34", "98765401", "12345699", "98 76 54", "11111188",
		"22 22 22", "33 - 44 - 55", "98 76 54 55", "87654321"} {
		if strings.Contains(all, secret) {
			t.Errorf("a center sees %q in %s", secret, all)
		}
	}
	for field, want := range map[string]string{
		"first name": "Jean •• •• •• •• 44", "company": "SARL Dupré (tél ••.••.••.••.89)", "city": "Lyon +•• (•)• •• •• •• 56",
		"postal code": "69002", "consent source": "appel du ••••••••01",
		"Notes": "rappeler au ••••••••99 svp", "Contact": "Tel. •• •• •• •• 32", "Deux": "••••••••88 ou +•• • •• •• •• 77",
		"Tirets": "+33 6 •• •• •• 66", "Portable": "+33 7 •• •• •• 55",
		"RDV": "le 2026-09-15 à 10:00, ou le 16/09/2026", "Montant": "1 250,00 €", "Gros montant": "1 250 000 €", "CP": "69002",
		"Ref": "A-1234", "Panier": "129 €", "Appeler le 05": "Date : 15.09.2026", "••••••••21": "le numéro est le nom de la colonne",
	} {
		got, ok := c.Custom[field]
		switch field {
		case "first name":
			got, ok = c.FirstName, true
		case "company":
			got, ok = c.Company, true
		case "city":
			got, ok = c.City, true
		case "postal code":
			got, ok = c.PostalCode, true
		case "consent source":
			got, ok = c.Consent.Source, true
		}
		if !ok || got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	if l.Custom["Notes"] != "rappeler au 0612345699 svp" || l.Company != "SARL Dupré (tél 01.23.45.67.89)" || l.Consent.Source != "appel du 0698765401" {
		t.Errorf("ForCenter changed the client's lead: %+v", l)
	}
}

// FuzzForCenter: whatever a lead's texts hold, what a center reads of them
// never has seven digits in a row, and masking never panics.
func FuzzForCenter(f *testing.F) {
	f.Add("rappeler au 0612345699 svp", "FR")
	f.Add("+33 (0)6 12 34 56 78 / 07.98.76.54.32, le 2026-09-15", "FR")
	f.Add("1 250 000,00 € 69002 15/09/2026 +41223456789", "CH")
	f.Fuzz(func(t *testing.T, text, region string) {
		c := lead.Lead{Region: region, LastName: text, Custom: map[string]string{text: text}}.ForCenter()
		for _, v := range []string{c.LastName, fmt.Sprint(c.Custom)} {
			run := 0
			for _, r := range v {
				if r >= '0' && r <= '9' {
					if run++; run >= 7 {
						t.Fatalf("%q reads %q", text, v)
					}
				} else {
					run = 0
				}
			}
		}
	})
}

package lead_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// prospectingScreener screens leads into a B2C prospecting campaign in
// France, where calling takes prior consent.
func prospectingScreener() *lead.Screener {
	return &lead.Screener{Campaign: lead.Campaign{Country: "FR", Audience: compliance.B2C, Kind: compliance.Prospecting},
		Now: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
}

// TestRescreenFollowsTheFacts: a lead blocked for want of consent becomes
// ready once the registry holds a consent, blocked again (for another
// reason) once its number is on the client's opt-out list, and ready when
// the number is taken off it; the lead's own consent counts as at import;
// a lead a call touched is left alone.
func TestRescreenFollowsTheFacts(t *testing.T) {
	p, err := leadfile.NormalizePhone("06 12 34 56 78", "FR")
	if err != nil {
		t.Fatal(err)
	}
	s := prospectingScreener()
	l, problem := s.Admit(leadfile.Lead{Phone: "0612345678", LastName: "Dupré"}, p, 2)
	if problem != nil || l.Status != lead.Blocked || l.Block.Reason != compliance.NoConsent {
		t.Fatalf("admitted without consent: %s %+v %v", l.Status, l.Block, problem)
	}

	if again, changed := s.Rescreen(l, p.Key); changed || again.Status != lead.Blocked {
		t.Errorf("nothing changed, yet the lead is %s (changed %v)", again.Status, changed)
	}
	s.Now = s.Now.Add(time.Hour)
	s.Facts.Consents = map[uint64][]compliance.Consent{p.Key: {{CapturedAt: s.Now.AddDate(0, 0, -1)}}}
	ready, changed := s.Rescreen(l, p.Key)
	if !changed || ready.Status != lead.Ready || ready.Block != nil || !ready.UpdatedAt.Equal(s.Now) || ready.LastName != "Dupré" {
		t.Fatalf("a consent recorded: %s %+v (changed %v)", ready.Status, ready.Block, changed)
	}
	s.Facts.ClientList = map[uint64]struct{}{p.Key: {}}
	opted, changed := s.Rescreen(ready, p.Key)
	if !changed || opted.Status != lead.Blocked || opted.Block.Reason != compliance.SuppressedClient {
		t.Fatalf("an opt-out added: %s %+v (changed %v)", opted.Status, opted.Block, changed)
	}
	s.Facts.ClientList = nil
	if back, changed := s.Rescreen(opted, p.Key); !changed || back.Status != lead.Ready {
		t.Errorf("the opt-out lifted: %s (changed %v)", back.Status, changed)
	}

	s.Facts.Consents = nil
	own := l
	own.Consent = &lead.Consent{Source: "formulaire", CapturedAt: s.Now.AddDate(-1, 0, 0)}
	if got, _ := s.Rescreen(own, p.Key); got.Status != lead.Ready {
		t.Errorf("a lead with its own consent is %s", got.Status)
	}
	called := l
	called.Status = lead.Done
	s.Facts.Consents = map[uint64][]compliance.Consent{p.Key: {{CapturedAt: s.Now.AddDate(0, 0, -1)}}}
	if got, changed := s.Rescreen(called, p.Key); changed || got.Status != lead.Done {
		t.Errorf("a lead a call touched is screened again: %s", got.Status)
	}
}

// TestDryRunCountsAsTheImportWouldAndStopsAtItsLimit: the rows a dry run
// screens are counted as an import counts them, with the block of the
// first row blocked for each reason; past its limit it says the file goes
// on.
func TestDryRunCountsAsTheImportWouldAndStopsAtItsLimit(t *testing.T) {
	file := "Nom;Téléphone;Date du consentement;Source du consentement\r\n" +
		"Dupré;06 12 34 56 01;;\r\n" +
		"Côté;06 12 34 56 02;01/09/2026;site\r\n" +
		"Pérez;06 12 34 56 01;;\r\n" +
		"Garçon;06 12 34;;\r\n" +
		"Ménard;06 12 34 56 03;;\r\n"
	read := func() *leadfile.Reader {
		r, err := leadfile.NewReader(strings.NewReader(file), leadfile.Options{Region: "FR"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	dryRun := func(limit int) lead.DryRun {
		t.Helper()
		rows, whole, err := lead.Head(read(), limit)
		if err != nil {
			t.Fatal(err)
		}
		return prospectingScreener().DryRun(rows, whole)
	}
	d := dryRun(10)
	s := d.Summary
	if !d.Whole || s.Rows != 5 || s.Ready != 1 || s.Blocked != 2 || s.Duplicates != 1 || s.Invalid != 1 || s.ByReason[compliance.NoConsent] != 2 {
		t.Errorf("the dry run of the whole file: %+v (whole %v)", s, d.Whole)
	}
	if b, ok := d.Blocks[compliance.NoConsent]; !ok || b.Explanation.FR == "" || b.Explanation.EN == "" || b.Rule == "" {
		t.Errorf("the block for want of consent is not explained: %+v", d.Blocks)
	}
	d = dryRun(2)
	if d.Whole || d.Summary.Rows != 2 || d.Summary.Ready != 1 || d.Summary.Blocked != 1 {
		t.Errorf("a dry run of two rows: %+v (whole %v)", d.Summary, d.Whole)
	}
}

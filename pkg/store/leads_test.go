package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/leadimport"
	"github.com/plateau-bpo/plateau/pkg/screening"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// importFile uploads a file, starts it with the detected mapping and runs
// the import job at once.
func importFile(t *testing.T, d *store.DB, client context.Context, campaignID uuid.UUID, file string) lead.Import {
	t.Helper()
	im := mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) {
		return tx.CreateImport(client, campaignID, "leads.csv", strings.NewReader(file))
	})
	r, err := leadfile.NewReader(d.ImportFile(client, im.ID), leadfile.Options{Region: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) { return tx.StartImport(client, im.ID, r.Mapping()) })
	runner := &leadimport.Runner{DB: d, Screener: screening.New(d), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := runner.Run(client, uuid.Nil, im.ID); err != nil {
		t.Fatal(err)
	}
	return mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) { return tx.Import(client, im.ID) })
}

// TestLeadImport imports a French file into a B2C prospecting campaign:
// bad, duplicate, opted-out and unconsented rows each end as they should,
// the report names their lines, a second file finds the first's numbers in
// the campaign, and only the client and a contracted center see the leads.
func TestLeadImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, d, tenancy.KindClient, "Autre Client", "FR")
		center, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		x := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(client, campaign.Input{Name: "Prospection", Kind: "prospecting", Audience: "b2c",
				Country: "FR", Languages: []string{"fr"}})
		})
		consentAt := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
		mustDo(t, d, client, func(tx *store.Tenant) ([]compliance.ConsentRecord, error) {
			return tx.RecordConsents(client, "FR", []compliance.NewConsent{{Phone: "06 12 34 56 01", Source: "site web", CapturedAt: &consentAt}})
		})
		mustDo(t, d, client, func(tx *store.Tenant) (int, error) {
			return tx.AddSuppressions(client, "FR", []compliance.NewSuppression{{Phone: "06 12 34 56 02", Reason: "stop"}})
		})

		file := "Nom;Prénom;Téléphone;Date consentement;Source consentement;Ville\r\n" +
			"Lefèvre;Hélène;06 12 34 56 01;;;Besançon\r\n" + // consent in the registry: ready
			"Dupré;Noël;06 12 34 56 02;01/09/2026;site;Nîmes\r\n" + // on the client's list: blocked
			"Côté;Zoé;06 12 34 56 03;;;\r\n" + // no consent: blocked
			"Ménard;Loïc;+33 6 12 34 56 04;2026-09-02;salon;\r\n" + // consent in the file: ready
			"Pérez;Anaïs;0612345601;;;\r\n" + // duplicate of line 2
			"Garçon;Jérôme;06 12 34;;;\r\n" + // invalid
			"Müller;Chloé;06 12 34 56 05;demain;site;\r\n" // unreadable consent date
		im := importFile(t, d, client, x.ID, file)
		s := im.Summary
		if im.Status != lead.Finished || im.Error != "" || s.Rows != 7 || s.Imported != 4 || s.Ready != 2 || s.Blocked != 2 ||
			s.Duplicates != 1 || s.Invalid != 2 || s.ByReason[compliance.SuppressedClient] != 1 || s.ByReason[compliance.NoConsent] != 1 ||
			s.ByProblem[lead.ProblemConsentDate] != 1 || s.ByProblem[leadfile.ProblemInvalidPhone] != 1 {
			t.Fatalf("import: %+v\n%+v", im, s)
		}
		if im.Percent() != 100 || im.BytesRead != im.Size || im.Encoding != leadfile.UTF8 || im.Delimiter != ";" {
			t.Errorf("import file facts: %+v", im)
		}
		report, err := io.ReadAll(d.ImportReport(client, im.ID))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"6;Téléphone;0612345601;same number as line 2", "7;Téléphone;06 12 34;", "8;consent_captured_at;demain;"} {
			if !strings.Contains(string(report), want) {
				t.Errorf("the report lacks %q:\n%s", want, report)
			}
		}

		all := mustDo(t, d, client, func(tx *store.Tenant) ([]lead.Lead, error) {
			l, _, err := tx.Leads(client, x.ID, store.LeadFilter{}, store.Page{})
			return l, err
		})
		byPhone := map[string]lead.Lead{}
		for _, l := range all {
			byPhone[l.Phone] = l
		}
		if len(all) != 4 || byPhone["+33612345601"].Status != lead.Ready || byPhone["+33612345601"].City != "Besançon" ||
			byPhone["+33612345602"].Block.Reason != compliance.SuppressedClient || byPhone["+33612345603"].Block.Reason != compliance.NoConsent ||
			byPhone["+33612345604"].Consent == nil || byPhone["+33612345604"].Consent.Source != "salon" || byPhone["+33612345604"].Line != 5 {
			t.Fatalf("leads: %+v", all)
		}
		if b := byPhone["+33612345603"].Block; b.Explanation.FR == "" || b.RuleSet == "" || b.Source == "" {
			t.Errorf("a block keeps its decision: %+v", b)
		}
		blocked := mustDo(t, d, client, func(tx *store.Tenant) ([]lead.Lead, error) {
			l, _, err := tx.Leads(client, x.ID, store.LeadFilter{Status: lead.Blocked, BlockReason: compliance.NoConsent}, store.Page{})
			return l, err
		})
		if len(blocked) != 1 || blocked[0].Phone != "+33612345603" {
			t.Errorf("blocked for no consent: %+v", blocked)
		}
		found := mustDo(t, d, client, func(tx *store.Tenant) ([]lead.Lead, error) {
			l, _, err := tx.Leads(client, x.ID, store.LeadFilter{Search: "mén"}, store.Page{})
			return l, err
		})
		if len(found) != 1 || found[0].LastName != "Ménard" {
			t.Errorf("search by the start of a name: %+v", found)
		}
		counts := mustDo(t, d, client, func(tx *store.Tenant) (store.LeadCounts, error) { return tx.CountLeads(client, x.ID) })
		if counts.Total != 4 || counts.ByStatus[lead.Ready] != 2 || counts.ByReason[compliance.NoConsent] != 1 {
			t.Errorf("counts: %+v", counts)
		}

		// A second file: a number of the first is in the campaign already.
		second := importFile(t, d, client, x.ID, "Téléphone;Nom\n06 12 34 56 04;Ménard\n06 12 34 56 06;Neuf\n")
		if s := second.Summary; s.InCampaign != 1 || s.Imported != 1 {
			t.Errorf("second import: %+v", s)
		}

		// Nobody else sees the leads, the imports or the files.
		if _, err := do(t, d, other, func(tx *store.Tenant) ([]lead.Lead, error) {
			l, _, err := tx.Leads(other, x.ID, store.LeadFilter{}, store.Page{})
			return l, err
		}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another client lists the leads: %v", err)
		}
		if _, err := do(t, d, other, func(tx *store.Tenant) (lead.Import, error) { return tx.Import(other, im.ID) }); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another client reads the import: %v", err)
		}
		if b, err := io.ReadAll(d.ImportFile(other, im.ID)); err != nil || len(b) != 0 {
			t.Errorf("another client reads the file: %d bytes, %v", len(b), err)
		}
		if _, err := do(t, d, center, func(tx *store.Tenant) (lead.Lead, error) { return tx.Lead(center, x.ID, all[0].ID) }); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a center without a contract reads a lead: %v", err)
		}
		if _, err := do(t, d, other, func(tx *store.Tenant) (lead.Import, error) {
			return tx.CreateImport(other, x.ID, "x.csv", strings.NewReader("Téléphone;Nom\n0612345699;X\n"))
		}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another client imports into the campaign: %v", err)
		}
	})
}

// TestContractedCenterReadsLeads: a center with an active contract reads
// the campaign's leads, and not those of the client's other campaign.
func TestContractedCenterReadsLeads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		center, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		x := contractedCampaign(t, d, client, center)
		y := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(client, campaign.Input{Name: "Y", Kind: "survey", Audience: "b2b", Country: "CH", Languages: []string{"fr"}})
		})
		importFile(t, d, client, x.ID, "Téléphone;Nom\n+41 22 345 67 89;Favre\n")
		importFile(t, d, client, y.ID, "Téléphone;Nom\n+41 22 345 67 88;Rochat\n")
		got := mustDo(t, d, center, func(tx *store.Tenant) ([]lead.Lead, error) {
			l, _, err := tx.Leads(center, x.ID, store.LeadFilter{}, store.Page{})
			return l, err
		})
		if len(got) != 1 || got[0].LastName != "Favre" {
			t.Fatalf("the contracted center's leads: %+v", got)
		}
		if _, err := do(t, d, center, func(tx *store.Tenant) ([]lead.Lead, error) {
			l, _, err := tx.Leads(center, y.ID, store.LeadFilter{}, store.Page{})
			return l, err
		}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the center lists another campaign's leads: %v", err)
		}
		if _, err := do(t, d, center, func(tx *store.Tenant) (lead.Import, error) {
			return tx.CreateImport(center, x.ID, "x.csv", strings.NewReader("Téléphone;Nom\n0612345699;X\n"))
		}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a center imports leads: %v", err)
		}
	})
}

// TestImportOfABadFileFails: a file without a phone column fails the
// import with the reason, and keeps no lead.
func TestImportOfABadFileFails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		x := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(client, campaign.Input{Name: "X", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		})
		im := mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) {
			return tx.CreateImport(client, x.ID, "notes.csv", strings.NewReader("Nom;Ville\nDupré;Nîmes\n"))
		})
		mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) {
			return tx.StartImport(client, im.ID, leadfile.Mapping{})
		})
		runner := &leadimport.Runner{DB: d, Screener: screening.New(d), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := runner.Run(client, uuid.Nil, im.ID); err != nil {
			t.Fatal(err)
		}
		got := mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) { return tx.Import(client, im.ID) })
		if got.Status != lead.Failed || !strings.Contains(got.Error, "no column holds the phone number") {
			t.Fatalf("import of a file without phones: %+v", got)
		}
		if n := mustDo(t, d, client, func(tx *store.Tenant) (store.LeadCounts, error) { return tx.CountLeads(client, x.ID) }); n.Total != 0 {
			t.Errorf("leads kept: %+v", n)
		}
	})
}

// TestAddBatch: an API batch gets a result per item — made, duplicate in
// the batch, already in the campaign, invalid — and the valid ones land.
func TestAddBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		x := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(client, campaign.Input{Name: "X", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		})
		runner := &leadimport.Runner{DB: d, Screener: screening.New(d), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		items := []leadfile.Lead{{Phone: "06 12 34 56 01", LastName: "Lefèvre", Custom: map[string]string{"panier": "129 €"}},
			{Phone: "+33612345601"}, {Phone: "12"}, {Phone: "06 12 34 56 02", Timezone: "Mars/Olympus"}}
		res, sum, err := runner.AddBatch(client, x.ID, items)
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Lead == nil || res[0].Lead.Status != lead.Ready || res[1].Problem.Code != leadfile.ProblemDuplicate ||
			res[2].Problem.Code != leadfile.ProblemInvalidPhone || res[2].Problem.Column != "items[2].phone" ||
			res[3].Problem.Code != lead.ProblemTimezone || res[3].Problem.Column != "items[3].timezone" || sum.Imported != 1 {
			t.Fatalf("results: %+v %+v %+v %+v\n%+v", res[0], res[1].Problem, res[2].Problem, res[3].Problem, sum)
		}
		again, sum, err := runner.AddBatch(client, x.ID, items[:1])
		if err != nil || again[0].Problem == nil || again[0].Problem.Code != lead.ProblemInCampaign || sum.Imported != 0 {
			t.Fatalf("the same lead again: %+v %v", again, err)
		}
		got := mustDo(t, d, client, func(tx *store.Tenant) (lead.Lead, error) { return tx.Lead(client, x.ID, res[0].Lead.ID) })
		if got.Custom["panier"] != "129 €" || got.LastName != "Lefèvre" {
			t.Errorf("stored lead: %+v", got)
		}
		if _, _, err := runner.AddBatch(client, x.ID, make([]leadfile.Lead, leadimport.MaxBatch+1)); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a batch over the limit: %v", err)
		}
	})
}

// TestMappingIsSavedPerClient: the mapping a client confirms is kept for
// its next files, an import started "as detected" keeps it, and another
// client never gets it.
func TestMappingIsSavedPerClient(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, d, tenancy.KindClient, "Autre Client", "FR")
		x := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(client, campaign.Input{Name: "X", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		})
		start := func(m leadfile.Mapping) {
			im := mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) {
				return tx.CreateImport(client, x.ID, "a.csv", strings.NewReader("Tel;Ref client\n0612345678;A1\n"))
			})
			mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) { return tx.StartImport(client, im.ID, m) })
		}
		mine := leadfile.Mapping{Columns: []leadfile.Column{{Index: 0, Header: "Tel", Field: leadfile.FieldPhone},
			{Index: 1, Header: "Ref client", Field: leadfile.FieldCustom, Name: "ref"}}}
		start(mine)
		start(leadfile.Mapping{})
		saved := mustDo(t, d, client, func(tx *store.Tenant) (leadfile.Mapping, error) { return tx.SavedMapping(client) })
		if len(saved.Columns) != 2 || saved.Columns[1].Name != "ref" {
			t.Errorf("the client's saved mapping: %+v", saved)
		}
		if m := mustDo(t, d, other, func(tx *store.Tenant) (leadfile.Mapping, error) { return tx.SavedMapping(other) }); len(m.Columns) != 0 {
			t.Errorf("another client got a mapping: %+v", m)
		}
	})
}

// TestLoadLeadsKeepsNothingOnFailureAndNothingAcrossOrgs: a load whose
// batches fail midway keeps nothing, and a lead of one org cannot be put in
// another org's campaign, whatever the code above the store does.
func TestLoadLeadsKeepsNothingOnFailureAndNothingAcrossOrgs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, org := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, d, tenancy.KindClient, "Autre Client", "FR")
		mine := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(client, campaign.Input{Name: "X", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		})
		theirs := mustDo(t, d, other, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(other, campaign.Input{Name: "Y", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		})
		leads := func(campaignID uuid.UUID, n int) []lead.Lead {
			out := make([]lead.Lead, n)
			for i := range out {
				out[i] = lead.Lead{ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, CampaignID: campaignID, Phone: fmt.Sprintf("+3361234%04d", i),
					Region: "FR", Status: lead.Ready, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			}
			return out
		}
		sent := 0
		err := d.LoadLeads(client, func() ([]lead.Lead, error) {
			if sent++; sent == 1 {
				return leads(mine.ID, 100), nil
			}
			return nil, io.ErrUnexpectedEOF
		})
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("a load whose file fails: %v", err)
		}
		if n := mustDo(t, d, client, func(tx *store.Tenant) (store.LeadCounts, error) { return tx.CountLeads(client, mine.ID) }); n.Total != 0 {
			t.Errorf("a failed load kept %d leads", n.Total)
		}
		once := false
		err = d.LoadLeads(client, func() ([]lead.Lead, error) {
			if once {
				return nil, nil
			}
			once = true
			return leads(theirs.ID, 3), nil
		})
		if err == nil {
			t.Errorf("leads of one org went into another org's campaign")
		}
		if n := mustDo(t, d, other, func(tx *store.Tenant) (store.LeadCounts, error) { return tx.CountLeads(other, theirs.ID) }); n.Total != 0 {
			t.Errorf("the other org's campaign holds %d foreign leads", n.Total)
		}
	})
}

// TestFailedImportKeepsNoLead: an import whose job ran out of attempts is
// failed with its reason, and the leads it had loaded are gone.
func TestFailedImportKeepsNoLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, org := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		x := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(client, campaign.Input{Name: "X", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		})
		im := mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) {
			return tx.CreateImport(client, x.ID, "a.csv", strings.NewReader("Tel;Nom\n0612345678;A\n"))
		})
		mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) { return tx.StartImport(client, im.ID, leadfile.Mapping{}) })
		partial := []lead.Lead{{ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, CampaignID: x.ID, Phone: "+33612345678", Region: "FR",
			Status: lead.Ready, ImportID: &im.ID, CreatedAt: time.Now(), UpdatedAt: time.Now()}}
		sent := false
		if err := d.LoadLeads(client, func() ([]lead.Lead, error) {
			if sent {
				return nil, nil
			}
			sent = true
			return partial, nil
		}); err != nil {
			t.Fatal(err)
		}
		runner := &leadimport.Runner{DB: d, Screener: screening.New(d), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := runner.Fail(client, uuid.Nil, im.ID, errors.New("connection reset")); err != nil {
			t.Fatal(err)
		}
		got := mustDo(t, d, client, func(tx *store.Tenant) (lead.Import, error) { return tx.Import(client, im.ID) })
		if got.Status != lead.Failed || !strings.Contains(got.Error, "no lead was kept") {
			t.Errorf("the failed import: %+v", got)
		}
		if n := mustDo(t, d, client, func(tx *store.Tenant) (store.LeadCounts, error) { return tx.CountLeads(client, x.ID) }); n.Total != 0 {
			t.Errorf("the failed import left %d leads", n.Total)
		}
	})
}

// TestScriptsUseTheLeadsCustomFields: a script may name the custom fields
// the campaign's leads carry, and no other.
func TestScriptsUseTheLeadsCustomFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		x := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(client, campaign.Input{Name: "X", Kind: "customer_care", Audience: "b2c", Country: "FR", Languages: []string{"fr"}})
		})
		importFile(t, d, client, x.ID, "Téléphone;Prénom;Panier\n0612345678;Hélène;129 €\n0612345679;Loïc;\n")
		fields := mustDo(t, d, client, func(tx *store.Tenant) ([]string, error) { return tx.CustomFields(client, x.ID) })
		if len(fields) != 1 || fields[0] != "Panier" {
			t.Fatalf("custom fields: %q", fields)
		}
		s := sampleScript()
		s.Nodes["greeting"] = script.Node{Kind: script.KindSay, Text: "Votre panier de {{lead.custom.Panier}} vous attend.", Next: "interest"}
		mustDo(t, d, client, func(tx *store.Tenant) (store.ScriptVersion, error) { return tx.SaveScript(client, x.ID, s) })
		s.Nodes["greeting"] = script.Node{Kind: script.KindSay, Text: "{{lead.custom.Inconnu}}", Next: "interest"}
		if _, err := do(t, d, client, func(tx *store.Tenant) (store.ScriptVersion, error) { return tx.SaveScript(client, x.ID, s) }); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a script naming a field no lead has: %v", err)
		}
	})
}

// TestCountLeadsOfCountsOwnCampaignsOnly: one query counts several
// campaigns of the org; another org's campaign counts nothing.
func TestCountLeadsOfCountsOwnCampaignsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, d, tenancy.KindClient, "Autre Client", "FR")
		newCampaign := func(ctx context.Context, name string) campaign.Campaign {
			return mustDo(t, d, ctx, func(tx *store.Tenant) (campaign.Campaign, error) {
				return tx.CreateCampaign(ctx, campaign.Input{Name: name, Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
			})
		}
		x, y, theirs := newCampaign(client, "X"), newCampaign(client, "Y"), newCampaign(other, "Z")
		importFile(t, d, client, x.ID, "Tel;Nom\n0612345678;A\n0612345679;B\n")
		importFile(t, d, client, y.ID, "Tel;Nom\n0612345678;A\n")
		importFile(t, d, other, theirs.ID, "Tel;Nom\n0612345670;C\n0612345671;D\n0612345672;E\n")
		counts := mustDo(t, d, client, func(tx *store.Tenant) (map[uuid.UUID]store.LeadCounts, error) {
			return tx.CountLeadsOf(client, []uuid.UUID{x.ID, y.ID, theirs.ID})
		})
		if counts[x.ID].Total != 2 || counts[y.ID].Total != 1 || counts[x.ID].ByStatus[lead.Ready] != 2 {
			t.Errorf("own campaigns: %+v", counts)
		}
		if n, ok := counts[theirs.ID]; ok {
			t.Errorf("another org's campaign counted: %+v", n)
		}
	})
}

// TestImportReadsTheWholeFile: past the first 4 MB of a file, a row with a
// NUL or another control character is refused on its line (PostgreSQL
// refuses NUL in text: it failed the whole COPY) and the import goes on;
// a row with an undefined Windows-1252 byte or a value too many is kept
// with a warning in the report; the file's first accents, which come
// there, make it Windows-1252, and the import says so.
func TestImportReadsTheWholeFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		x := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(client, campaign.Input{Name: "X", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		})
		var b strings.Builder
		b.WriteString("Nom;Telephone;Ville;Note\r\n")
		note := strings.Repeat("rappeler en semaine ", 12)
		n := 0
		for b.Len() < 4<<20+1000 {
			fmt.Fprintf(&b, "Martin;01 %02d %02d %02d %02d;Lyon;%s\r\n", n/1000000%100, n/10000%100, n/100%100, n%100, note)
			n++
		}
		b.WriteString("Lef\xe8vre;06 98 76 54 30;Besan\xe7on;\r\n") // line n+2, Windows-1252
		b.WriteString("Nul\x00;06 98 76 54 31;Paris;\r\n")          // n+3
		b.WriteString("Ctl;06 98 76 54 32;Ly\x01on;\r\n")           // n+4
		b.WriteString("Und\x81;06 98 76 54 33;Metz;\r\n")           // n+5: kept
		b.WriteString("Extra;06 98 76 54 34;Nice;;en trop\r\n")     // n+6: kept
		b.WriteString("Dernier;06 98 76 54 35;Pau;\r\n")            // n+7
		im := importFile(t, d, client, x.ID, b.String())
		s := im.Summary
		if im.Status != lead.Finished || im.Error != "" || s.Rows != n+6 || s.Imported != n+4 || s.Invalid != 2 ||
			s.ByProblem[leadfile.ProblemControlCharacter] != 2 {
			t.Fatalf("import: %s %q %+v", im.Status, im.Error, s)
		}
		if im.Encoding != leadfile.Windows1252 {
			t.Errorf("the import says the file is %s", im.Encoding)
		}
		report, err := io.ReadAll(d.ImportReport(client, im.ID))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			fmt.Sprintf("\r\n%d;Nom;Nul\ufffd;the value holds the control character U+0000 (NUL)", n+3),
			fmt.Sprintf("\r\n%d;Ville;Ly\ufffdon;the value holds the control character U+0001", n+4),
			fmt.Sprintf("\r\n%d;Nom;Und\ufffd;the lead is kept", n+5),
			fmt.Sprintf("\r\n%d;;en trop;\"the lead is kept", n+6),
		} {
			if !strings.Contains(string(report), want) {
				t.Errorf("the report lacks %q:\n%s", want, report)
			}
		}
		found := mustDo(t, d, client, func(tx *store.Tenant) ([]lead.Lead, error) {
			l, _, err := tx.Leads(client, x.ID, store.LeadFilter{Search: "Lef"}, store.Page{})
			return l, err
		})
		if len(found) != 1 || found[0].LastName != "Lefèvre" || found[0].City != "Besançon" || found[0].Line != n+2 {
			t.Errorf("the first accented row: %+v", found)
		}
		last := mustDo(t, d, client, func(tx *store.Tenant) ([]lead.Lead, error) {
			l, _, err := tx.Leads(client, x.ID, store.LeadFilter{Phone: "+33698765435"}, store.Page{})
			return l, err
		})
		if len(last) != 1 || last[0].Line != n+7 {
			t.Errorf("the last row: %+v", last)
		}
	})
}

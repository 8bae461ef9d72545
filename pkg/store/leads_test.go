package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// importFile uploads a file, starts it with the detected mapping and runs
// the import job at once.
func importFile(t *testing.T, svc store.Services, client context.Context, campaignID uuid.UUID, file string) lead.Import {
	t.Helper()
	im, err := svc.Leads.Upload(client, campaignID, "leads.csv", strings.NewReader(file))
	ok(t, err)
	r, err := leadfile.NewReader(svc.Leads.File(client, im.ID), leadfile.Options{Region: "FR"})
	ok(t, err)
	_, err = svc.Leads.Start(client, im.ID, r.Mapping())
	ok(t, err)
	ok(t, svc.Leads.RunImport(client, uuid.Nil, im.ID))
	got, err := svc.Leads.Import(client, campaignID, im.ID)
	ok(t, err)
	return got.Import
}

// leadsOf lists one page of a campaign's leads.
func leadsOf(t *testing.T, svc store.Services, ctx context.Context, campaignID uuid.UUID, f store.LeadFilter) []lead.Lead {
	t.Helper()
	list, _, err := svc.Leads.List(ctx, campaignID, f, store.Page{})
	ok(t, err)
	return list
}

// leadCount counts a campaign's leads.
func leadCount(t *testing.T, svc store.Services, ctx context.Context, campaignID uuid.UUID) store.LeadCounts {
	t.Helper()
	page, err := svc.Leads.Browse(ctx, campaignID, store.LeadFilter{}, store.Page{})
	ok(t, err)
	return page.Counts
}

// TestLeadImport imports a French file into a B2C prospecting campaign:
// bad, duplicate, opted-out and unconsented rows each end as they should,
// the report names their lines, a second file finds the first's numbers in
// the campaign, and only the client and a contracted center see the leads.
func TestLeadImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, d, tenancy.KindClient, "Autre Client", "FR")
		center, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		x := draft(t, svc, client, campaign.Input{Name: "Prospection", Kind: "prospecting", Audience: "b2c",
			Country: "FR", Languages: []string{"fr"}})
		consentAt := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
		_, err := svc.Compliance.RecordConsents(client, "FR", []compliance.NewConsent{{Phone: "06 12 34 56 01", Source: "site web", CapturedAt: &consentAt}})
		ok(t, err)
		_, err = svc.Compliance.AddSuppressions(client, "FR", []compliance.NewSuppression{{Phone: "06 12 34 56 02", Reason: "stop"}})
		ok(t, err)

		file := "Nom;Prénom;Téléphone;Date consentement;Source consentement;Ville\r\n" +
			"Lefèvre;Hélène;06 12 34 56 01;;;Besançon\r\n" + // consent in the registry: ready
			"Dupré;Noël;06 12 34 56 02;01/09/2026;site;Nîmes\r\n" + // on the client's list: blocked
			"Côté;Zoé;06 12 34 56 03;;;\r\n" + // no consent: blocked
			"Ménard;Loïc;+33 6 12 34 56 04;2026-09-02;salon;\r\n" + // consent in the file: ready
			"Pérez;Anaïs;0612345601;;;\r\n" + // duplicate of line 2
			"Garçon;Jérôme;06 12 34;;;\r\n" + // invalid
			"Müller;Chloé;06 12 34 56 05;demain;site;\r\n" // unreadable consent date
		im := importFile(t, svc, client, x.ID, file)
		s := im.Summary
		if im.Status != lead.Finished || im.Error != "" || s.Rows != 7 || s.Imported != 4 || s.Ready != 2 || s.Blocked != 2 ||
			s.Duplicates != 1 || s.Invalid != 2 || s.ByReason[compliance.SuppressedClient] != 1 || s.ByReason[compliance.NoConsent] != 1 ||
			s.ByProblem[lead.ProblemConsentDate] != 1 || s.ByProblem[leadfile.ProblemInvalidPhone] != 1 {
			t.Fatalf("import: %+v\n%+v", im, s)
		}
		if im.Percent() != 100 || im.BytesRead != im.Size || im.Encoding != leadfile.UTF8 || im.Delimiter != ";" {
			t.Errorf("import file facts: %+v", im)
		}
		report, err := io.ReadAll(svc.Leads.Report(client, im.ID))
		ok(t, err)
		for _, want := range []string{"6;Téléphone;0612345601;same number as line 2", "7;Téléphone;06 12 34;", "8;consent_captured_at;demain;"} {
			if !strings.Contains(string(report), want) {
				t.Errorf("the report lacks %q:\n%s", want, report)
			}
		}

		all := leadsOf(t, svc, client, x.ID, store.LeadFilter{})
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
		blocked := leadsOf(t, svc, client, x.ID, store.LeadFilter{Status: lead.Blocked, BlockReason: compliance.NoConsent})
		if len(blocked) != 1 || blocked[0].Phone != "+33612345603" {
			t.Errorf("blocked for no consent: %+v", blocked)
		}
		found := leadsOf(t, svc, client, x.ID, store.LeadFilter{Search: "mén"})
		if len(found) != 1 || found[0].LastName != "Ménard" {
			t.Errorf("search by the start of a name: %+v", found)
		}
		counts := leadCount(t, svc, client, x.ID)
		if counts.Total != 4 || counts.ByStatus[lead.Ready] != 2 || counts.ByReason[compliance.NoConsent] != 1 {
			t.Errorf("counts: %+v", counts)
		}

		// A second file: a number of the first is in the campaign already.
		second := importFile(t, svc, client, x.ID, "Téléphone;Nom\n06 12 34 56 04;Ménard\n06 12 34 56 06;Neuf\n")
		if s := second.Summary; s.InCampaign != 1 || s.Imported != 1 {
			t.Errorf("second import: %+v", s)
		}

		// Nobody else sees the leads, the imports or the files.
		if _, _, err := svc.Leads.List(other, x.ID, store.LeadFilter{}, store.Page{}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another client lists the leads: %v", err)
		}
		if _, err := svc.Leads.Import(other, x.ID, im.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another client reads the import: %v", err)
		}
		if b, err := io.ReadAll(svc.Leads.File(other, im.ID)); err != nil || len(b) != 0 {
			t.Errorf("another client reads the file: %d bytes, %v", len(b), err)
		}
		if b, err := io.ReadAll(svc.Leads.Report(other, im.ID)); err != nil || len(b) != 0 {
			t.Errorf("another client reads the report: %d bytes, %v", len(b), err)
		}
		if _, err := svc.Leads.Get(center, x.ID, all[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a center without a contract reads a lead: %v", err)
		}
		if _, err := svc.Leads.Upload(other, x.ID, "x.csv", strings.NewReader("Téléphone;Nom\n0612345699;X\n")); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another client imports into the campaign: %v", err)
		}
	})
}

// TestContractedCenterReadsLeads: a center with an active contract reads
// the campaign's leads, masked, and not those of the client's other
// campaign; it imports none (it holds no leads:write).
func TestContractedCenterReadsLeads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		center, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		x := contractedCampaign(t, svc, client, center)
		y := draft(t, svc, client, campaign.Input{Name: "Y", Kind: "survey", Audience: "b2b", Country: "CH", Languages: []string{"fr"}})
		importFile(t, svc, client, x.ID, "Téléphone;Nom\n+41 22 345 67 89;Favre\n")
		importFile(t, svc, client, y.ID, "Téléphone;Nom\n+41 22 345 67 88;Rochat\n")
		mine := leadsOf(t, svc, client, x.ID, store.LeadFilter{})
		got := leadsOf(t, svc, center, x.ID, store.LeadFilter{})
		if len(mine) != 1 || mine[0].LastName != "Favre" || mine[0].Phone != "+41223456789" {
			t.Fatalf("the client's leads: %+v", mine)
		}
		masked := mine[0].ForCenter()
		if len(got) != 1 || got[0].ID != mine[0].ID || got[0].LastName != masked.LastName || got[0].Phone != masked.Phone ||
			got[0].Phone == mine[0].Phone {
			t.Fatalf("the contracted center's leads: %+v", got)
		}
		if one, err := svc.Leads.Get(center, x.ID, mine[0].ID); err != nil || one.Lead.Phone != masked.Phone || one.Import != nil {
			t.Fatalf("the contracted center's lead: %+v %v", one, err)
		}
		if _, _, err := svc.Leads.List(center, y.ID, store.LeadFilter{}, store.Page{}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the center lists another campaign's leads: %v", err)
		}
		// An empty page of a campaign one works on is empty, not missing.
		if none, _, err := svc.Leads.List(center, x.ID, store.LeadFilter{Status: lead.Blocked}, store.Page{}); err != nil || len(none) != 0 {
			t.Errorf("the center's page of blocked leads: %+v %v", none, err)
		}
		z := draft(t, svc, client, campaign.Input{Name: "Z", Kind: "survey", Audience: "b2b", Country: "CH", Languages: []string{"fr"}})
		if none, _, err := svc.Leads.List(client, z.ID, store.LeadFilter{}, store.Page{}); err != nil || len(none) != 0 {
			t.Errorf("the leads of a campaign without any: %+v %v", none, err)
		}
		// The policy table gives no center leads:write.
		if _, err := svc.Leads.Upload(center, x.ID, "x.csv", strings.NewReader("Téléphone;Nom\n0612345699;X\n")); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a center imports leads: %v", err)
		}
	})
}

// TestImportOfABadFileFails: a file without a phone column fails the
// import with the reason, and keeps no lead.
func TestImportOfABadFileFails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		x := draft(t, svc, client, frSurvey)
		im, err := svc.Leads.Upload(client, x.ID, "notes.csv", strings.NewReader("Nom;Ville\nDupré;Nîmes\n"))
		ok(t, err)
		_, err = svc.Leads.Start(client, im.ID, leadfile.Mapping{})
		ok(t, err)
		ok(t, svc.Leads.RunImport(client, uuid.Nil, im.ID))
		got, err := svc.Leads.Import(client, x.ID, im.ID)
		ok(t, err)
		if got.Import.Status != lead.Failed || !strings.Contains(got.Import.Error, "no column holds the phone number") {
			t.Fatalf("import of a file without phones: %+v", got.Import)
		}
		if n := leadCount(t, svc, client, x.ID); n.Total != 0 {
			t.Errorf("leads kept: %+v", n)
		}
	})
}

// TestAddBatch: an API batch gets a result per item — made, duplicate in
// the batch, already in the campaign, invalid — and the valid ones land.
func TestAddBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		x := draft(t, svc, client, frSurvey)
		items := []leadfile.Lead{{Phone: "06 12 34 56 01", LastName: "Lefèvre", Custom: map[string]string{"panier": "129 €"}},
			{Phone: "+33612345601"}, {Phone: "12"}, {Phone: "06 12 34 56 02", Timezone: "Mars/Olympus"}}
		res, sum, err := svc.Leads.AddBatch(client, x.ID, items)
		ok(t, err)
		if res[0].Lead == nil || res[0].Lead.Status != lead.Ready || res[1].Problem.Code != leadfile.ProblemDuplicate ||
			res[2].Problem.Code != leadfile.ProblemInvalidPhone || res[2].Problem.Column != "items[2].phone" ||
			res[3].Problem.Code != lead.ProblemTimezone || res[3].Problem.Column != "items[3].timezone" || sum.Imported != 1 {
			t.Fatalf("results: %+v %+v %+v %+v\n%+v", res[0], res[1].Problem, res[2].Problem, res[3].Problem, sum)
		}
		again, sum, err := svc.Leads.AddBatch(client, x.ID, items[:1])
		if err != nil || again[0].Problem == nil || again[0].Problem.Code != lead.ProblemInCampaign || sum.Imported != 0 {
			t.Fatalf("the same lead again: %+v %v", again, err)
		}
		got, err := svc.Leads.Get(client, x.ID, res[0].Lead.ID)
		ok(t, err)
		if got.Lead.Custom["panier"] != "129 €" || got.Lead.LastName != "Lefèvre" || got.Import != nil {
			t.Errorf("stored lead: %+v", got)
		}
		if _, _, err := svc.Leads.AddBatch(client, x.ID, make([]leadfile.Lead, store.MaxBatch+1)); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a batch over the limit: %v", err)
		}
	})
}

// TestMappingIsSavedPerClient: the mapping a client confirms is kept for
// its next files, an import started "as detected" keeps it, and another
// client never gets it.
func TestMappingIsSavedPerClient(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, db.App, tenancy.KindClient, "Autre Client", "FR")
		x := draft(t, svc, client, frSurvey)
		start := func(m leadfile.Mapping) {
			t.Helper()
			im, err := svc.Leads.Upload(client, x.ID, "a.csv", strings.NewReader("Tel;Ref client\n0612345678;A1\n"))
			ok(t, err)
			_, err = svc.Leads.Start(client, im.ID, m)
			ok(t, err)
		}
		mine := leadfile.Mapping{Columns: []leadfile.Column{{Index: 0, Header: "Tel", Field: leadfile.FieldPhone},
			{Index: 1, Header: "Ref client", Field: leadfile.FieldCustom, Name: "ref"}}}
		start(mine)
		start(leadfile.Mapping{})
		saved, err := svc.Leads.SavedMapping(client)
		ok(t, err)
		if len(saved.Columns) != 2 || saved.Columns[1].Name != "ref" {
			t.Errorf("the client's saved mapping: %+v", saved)
		}
		if setup, err := svc.Leads.Setup(client, x.ID); err != nil || len(setup.Mapping.Columns) != 2 || setup.Campaign.Country != "FR" {
			t.Errorf("the client's import setup: %+v %v", setup, err)
		}
		if m, err := svc.Leads.SavedMapping(other); err != nil || len(m.Columns) != 0 {
			t.Errorf("another client got a mapping: %+v %v", m, err)
		}
	})
}

// TestLoadLeadsKeepsNothingOnFailureAndNothingAcrossOrgs: a load whose
// batches fail midway keeps nothing, and a lead of one org cannot be put in
// another org's campaign, whatever the code above the store does.
func TestLoadLeadsKeepsNothingOnFailureAndNothingAcrossOrgs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, org := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, d, tenancy.KindClient, "Autre Client", "FR")
		mine := draft(t, svc, client, frSurvey)
		theirs := draft(t, svc, other, campaign.Input{Name: "Y", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
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
		if n := leadCount(t, svc, client, mine.ID); n.Total != 0 {
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
		if n := leadCount(t, svc, other, theirs.ID); n.Total != 0 {
			t.Errorf("the other org's campaign holds %d foreign leads", n.Total)
		}
	})
}

// TestFailedImportKeepsNoLead: an import whose job ran out of attempts is
// failed with its reason, and the leads it had loaded are gone.
func TestFailedImportKeepsNoLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, org := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		x := draft(t, svc, client, frSurvey)
		im, err := svc.Leads.Upload(client, x.ID, "a.csv", strings.NewReader("Tel;Nom\n0612345678;A\n"))
		ok(t, err)
		_, err = svc.Leads.Start(client, im.ID, leadfile.Mapping{})
		ok(t, err)
		partial := []lead.Lead{{ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, CampaignID: x.ID, Phone: "+33612345678", Region: "FR",
			Status: lead.Ready, ImportID: &im.ID, CreatedAt: time.Now(), UpdatedAt: time.Now()}}
		sent := false
		ok(t, d.LoadLeads(client, func() ([]lead.Lead, error) {
			if sent {
				return nil, nil
			}
			sent = true
			return partial, nil
		}))
		if n := leadCount(t, svc, client, x.ID); n.Total != 1 {
			t.Fatalf("setup: the partial load holds %d leads", n.Total)
		}
		ok(t, svc.Leads.FailImport(client, uuid.Nil, im.ID, errors.New("connection reset")))
		got, err := svc.Leads.Import(client, x.ID, im.ID)
		ok(t, err)
		if got.Import.Status != lead.Failed || !strings.Contains(got.Import.Error, "no lead was kept") {
			t.Errorf("the failed import: %+v", got.Import)
		}
		if n := leadCount(t, svc, client, x.ID); n.Total != 0 {
			t.Errorf("the failed import left %d leads", n.Total)
		}
	})
}

// TestScriptsUseTheLeadsCustomFields: a script may name the custom fields
// the campaign's leads carry, and no other.
func TestScriptsUseTheLeadsCustomFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		x := draft(t, svc, client, campaign.Input{Name: "X", Kind: "customer_care", Audience: "b2c", Country: "FR", Languages: []string{"fr"}})
		importFile(t, svc, client, x.ID, "Téléphone;Prénom;Panier\n0612345678;Hélène;129 €\n0612345679;Loïc;\n")
		versions, err := svc.Scripts.Versions(client, x.ID)
		ok(t, err)
		if fields := versions.CustomFields; len(fields) != 1 || fields[0] != "Panier" {
			t.Fatalf("custom fields: %q", fields)
		}
		s := sampleScript()
		s.Nodes["greeting"] = script.Node{Kind: script.KindSay, Text: "Votre panier de {{lead.custom.Panier}} vous attend.", Next: "interest"}
		_, err = svc.Scripts.Save(client, x.ID, s)
		ok(t, err)
		s.Nodes["greeting"] = script.Node{Kind: script.KindSay, Text: "{{lead.custom.Inconnu}}", Next: "interest"}
		if _, err := svc.Scripts.Save(client, x.ID, s); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a script naming a field no lead has: %v", err)
		}
	})
}

// TestLeadCampaignsCountOwnCampaignsOnly: one page of the org's campaigns
// comes with their leads counted; another org's campaign is neither
// listed nor counted.
func TestLeadCampaignsCountOwnCampaignsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, db.App, tenancy.KindClient, "Autre Client", "FR")
		newCampaign := func(ctx context.Context, name string) campaign.Campaign {
			return draft(t, svc, ctx, campaign.Input{Name: name, Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		}
		x, y, empty, theirs := newCampaign(client, "X"), newCampaign(client, "Y"), newCampaign(client, "Vide"), newCampaign(other, "Z")
		importFile(t, svc, client, x.ID, "Tel;Nom\n0612345678;A\n0612345679;B\n")
		importFile(t, svc, client, y.ID, "Tel;Nom\n0612345678;A\n")
		importFile(t, svc, other, theirs.ID, "Tel;Nom\n0612345670;C\n0612345671;D\n0612345672;E\n")
		counts := func(ctx context.Context) map[uuid.UUID]store.LeadCounts {
			t.Helper()
			list, _, err := svc.Leads.Campaigns(ctx, store.Page{})
			ok(t, err)
			out := map[uuid.UUID]store.LeadCounts{}
			for _, c := range list {
				out[c.Campaign.ID] = c.Counts
			}
			return out
		}
		mine := counts(client)
		if len(mine) != 3 || mine[x.ID].Total != 2 || mine[y.ID].Total != 1 || mine[x.ID].ByStatus[lead.Ready] != 2 || mine[empty.ID].Total != 0 {
			t.Errorf("own campaigns: %+v", mine)
		}
		if n, found := mine[theirs.ID]; found {
			t.Errorf("another org's campaign counted: %+v", n)
		}
		if theirCounts := counts(other); len(theirCounts) != 1 || theirCounts[theirs.ID].Total != 3 {
			t.Errorf("the other org's campaigns: %+v", theirCounts)
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
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		x := draft(t, svc, client, frSurvey)
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
		im := importFile(t, svc, client, x.ID, b.String())
		s := im.Summary
		if im.Status != lead.Finished || im.Error != "" || s.Rows != n+6 || s.Imported != n+4 || s.Invalid != 2 ||
			s.ByProblem[leadfile.ProblemControlCharacter] != 2 {
			t.Fatalf("import: %s %q %+v", im.Status, im.Error, s)
		}
		if im.Encoding != leadfile.Windows1252 {
			t.Errorf("the import says the file is %s", im.Encoding)
		}
		report, err := io.ReadAll(svc.Leads.Report(client, im.ID))
		ok(t, err)
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
		found := leadsOf(t, svc, client, x.ID, store.LeadFilter{Search: "Lef"})
		if len(found) != 1 || found[0].LastName != "Lefèvre" || found[0].City != "Besançon" || found[0].Line != n+2 {
			t.Errorf("the first accented row: %+v", found)
		}
		last := leadsOf(t, svc, client, x.ID, store.LeadFilter{Search: "06 98 76 54 35"})
		if len(last) != 1 || last[0].Line != n+7 {
			t.Errorf("the last row: %+v", last)
		}
	})
}

package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	auditlog "github.com/plateau-bpo/plateau/pkg/audit"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// rescrubs runs every lead:rescrub task the outbox holds unfinished, as
// the worker would (in the scope of the org that announced it), and
// returns their payloads.
func rescrubs(t *testing.T, db *store.DB, svc store.Services) []lead.RescrubTask {
	t.Helper()
	msgs, err := svc.Jobs.Unfinished(context.Background(), time.Now().Add(time.Hour), 100)
	ok(t, err)
	var tasks []lead.RescrubTask
	for _, m := range msgs {
		if m.TaskType != lead.TaskRescrub {
			continue
		}
		var env outbox.Envelope
		ok(t, json.Unmarshal(m.Payload, &env))
		var task lead.RescrubTask
		ok(t, json.Unmarshal(env.Data, &task))
		org, err := db.OrgByID(context.Background(), env.OrgID)
		ok(t, err)
		ctx := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(org, "job:"+lead.TaskRescrub))
		ok(t, svc.Leads.Rescrub(ctx, env.OutboxID, task))
		tasks = append(tasks, task)
	}
	return tasks
}

// byPhone reads a campaign's leads by number.
func byPhone(t *testing.T, svc store.Services, ctx context.Context, campaignID uuid.UUID) map[string]lead.Lead {
	t.Helper()
	out := map[string]lead.Lead{}
	for _, l := range leadsOf(t, svc, ctx, campaignID, store.LeadFilter{}) {
		out[l.Phone] = l
	}
	return out
}

// TestLeadsAreScreenedAgainWhenTheirFactsChange: leads blocked for want
// of consent become ready when the client records the consent; a number
// put on the client's opt-out list, then on the platform's, blocks its
// lead, and taking it off frees it again; a national list uploaded blocks
// the leads it lists. Each change announces a lead:rescrub task in its
// transaction; another client's leads never move.
func TestLeadsAreScreenedAgainWhenTheirFactsChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, d, tenancy.KindClient, "Autre Client", "FR")
		platform, _ := actingAs(t, d, tenancy.KindPlatform, "Plateau", "FR")
		prospecting := campaign.Input{Name: "Prospection", Kind: "prospecting", Audience: "b2c", Country: "FR", Languages: []string{"fr"}}
		x := draft(t, svc, client, prospecting)
		y := draft(t, svc, other, prospecting)
		items := []leadfile.Lead{{Phone: "06 12 34 56 01", LastName: "Dupré"}, {Phone: "06 12 34 56 02", LastName: "Côté"}}
		for _, c := range []struct {
			ctx context.Context
			id  uuid.UUID
		}{{client, x.ID}, {other, y.ID}} {
			_, sum, err := svc.Leads.AddBatch(c.ctx, c.id, items)
			ok(t, err)
			if sum.Blocked != 2 {
				t.Fatalf("the leads without consent: %+v", sum)
			}
		}
		if got := rescrubs(t, d, svc); len(got) != 0 {
			t.Fatalf("rescrubs announced by adding leads: %+v", got)
		}

		at := time.Now().AddDate(0, -1, 0)
		_, err := svc.Compliance.RecordConsents(client, "FR", []compliance.NewConsent{{Phone: "06 12 34 56 01", Source: "site", CapturedAt: &at}})
		ok(t, err)
		if got := rescrubs(t, d, svc); len(got) != 1 || strings.Join(got[0].Phones, ",") != "+33612345601" || got[0].Cause != lead.CauseConsent || got[0].Everywhere {
			t.Fatalf("the consent announced %+v", got)
		}
		leads := byPhone(t, svc, client, x.ID)
		if l := leads["+33612345601"]; l.Status != lead.Ready || l.Block != nil {
			t.Errorf("the consented lead is %s %+v", l.Status, l.Block)
		}
		if l := leads["+33612345602"]; l.Status != lead.Blocked || l.Block.Reason != compliance.NoConsent {
			t.Errorf("the other lead is %s", l.Status)
		}
		if got := byPhone(t, svc, other, y.ID)["+33612345601"]; got.Status != lead.Blocked {
			t.Errorf("another client's lead moved with this client's consent: %s", got.Status)
		}
		if got := rescrubs(t, d, svc); len(got) != 0 {
			t.Errorf("rescrubs left unfinished: %+v", got)
		}

		_, err = svc.Compliance.AddSuppressions(client, "FR", []compliance.NewSuppression{{Phone: "06 12 34 56 01", Reason: "stop"}})
		ok(t, err)
		rescrubs(t, d, svc)
		if l := byPhone(t, svc, client, x.ID)["+33612345601"]; l.Status != lead.Blocked || l.Block.Reason != compliance.SuppressedClient {
			t.Fatalf("the opted-out lead is %s %+v", l.Status, l.Block)
		}
		entries, _, err := svc.Compliance.Suppressions(client, store.Page{})
		ok(t, err)
		ok(t, svc.Compliance.RemoveSuppression(client, entries[0].ID))
		rescrubs(t, d, svc)
		if l := byPhone(t, svc, client, x.ID)["+33612345601"]; l.Status != lead.Ready {
			t.Fatalf("the opt-out lifted, the lead is %s %+v", l.Status, l.Block)
		}

		// The platform's list holds numbers for every client.
		_, err = svc.Compliance.AddSuppressions(platform, "FR", []compliance.NewSuppression{{Phone: "06 12 34 56 01", Reason: "fraude"}})
		ok(t, err)
		if got := rescrubs(t, d, svc); len(got) != 1 || !got[0].Everywhere || got[0].Cause != lead.CauseOptOut {
			t.Fatalf("the platform's opt-out announced %+v", got)
		}
		if l := byPhone(t, svc, client, x.ID)["+33612345601"]; l.Status != lead.Blocked || l.Block.Reason != compliance.SuppressedPlatform {
			t.Fatalf("the lead on the platform's list is %s %+v", l.Status, l.Block)
		}
		if l := byPhone(t, svc, other, y.ID)["+33612345601"]; l.Block == nil || l.Block.Reason != compliance.SuppressedPlatform {
			t.Errorf("another client's lead on the platform's list: %+v", l.Block)
		}
		entries, _, err = svc.Compliance.Suppressions(platform, store.Page{})
		ok(t, err)
		ok(t, svc.Compliance.RemoveSuppression(platform, entries[0].ID))
		rescrubs(t, d, svc)
		if l := byPhone(t, svc, client, x.ID)["+33612345601"]; l.Status != lead.Ready {
			t.Errorf("off the platform's list, the lead is %s %+v", l.Status, l.Block)
		}
		if l := byPhone(t, svc, other, y.ID)["+33612345601"]; l.Block == nil || l.Block.Reason != compliance.NoConsent {
			t.Errorf("off the platform's list, another client's lead is blocked for %+v", l.Block)
		}

		events, _, err := svc.Tenancy.AuditEvents(client, store.Page{})
		ok(t, err)
		if !strings.Contains(actionsOf(events), "lead.rescrub") {
			t.Errorf("no rescrub in the client's trail: %s", actionsOf(events))
		}
	})
}

// TestANationalListReloadedBlocksTheLeadsItLists: a US prospecting
// campaign's leads are ready without a national list to screen against
// (the platform's to fix, not the callee's); the platform uploads the Do
// Not Call registry, and the listed number's lead is blocked.
func TestANationalListReloadedBlocksTheLeadsItLists(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, _ := actingAs(t, d, tenancy.KindClient, "US Shop", "US")
		platform, _ := actingAs(t, d, tenancy.KindPlatform, "Plateau", "FR")
		x := draft(t, svc, client, campaign.Input{Name: "Leads", Kind: "prospecting", Audience: "b2c", Country: "US", Languages: []string{"en"}})
		_, sum, err := svc.Leads.AddBatch(client, x.ID, []leadfile.Lead{{Phone: "(310) 555-1234"}, {Phone: "(310) 555-1235"}})
		ok(t, err)
		if sum.Ready != 2 {
			t.Fatalf("before the list: %+v", sum)
		}
		snapshot, err := numberset.New([]uint64{13105551234}).MarshalBinary()
		ok(t, err)
		_, err = svc.Compliance.SaveNationalList(platform, nationallist.Upload{Code: "US-DNC", FreshAt: time.Now().Add(-time.Hour), Numbers: 1, Snapshot: snapshot})
		ok(t, err)
		if got := rescrubs(t, d, svc); len(got) != 1 || !got[0].Everywhere || got[0].Cause != lead.CauseNationalList || len(got[0].Phones) != 0 {
			t.Fatalf("the list announced %+v", got)
		}
		leads := byPhone(t, svc, client, x.ID)
		if l := leads["+13105551234"]; l.Status != lead.Blocked || l.Block.Reason != compliance.NationalList {
			t.Errorf("the listed number's lead is %s %+v", l.Status, l.Block)
		}
		if l := leads["+13105551235"]; l.Status != lead.Ready {
			t.Errorf("the other lead is %s", l.Status)
		}
	})
}

// TestABlockedLeadIsRemovedByItsClientAlone: another client and a center
// find no such lead; an analyst may not remove it; the client does, the
// removal is audited, and the number may come back.
func TestABlockedLeadIsRemovedByItsClientAlone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, org := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, d, tenancy.KindClient, "Autre Client", "FR")
		center, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		x := draft(t, svc, client, campaign.Input{Name: "Prospection", Kind: "prospecting", Audience: "b2c", Country: "FR", Languages: []string{"fr"}})
		items := []leadfile.Lead{{Phone: "06 12 34 56 01"}}
		res, _, err := svc.Leads.AddBatch(client, x.ID, items)
		ok(t, err)
		id := res[0].Lead.ID
		if res[0].Lead.Status != lead.Blocked {
			t.Fatalf("the lead is %s", res[0].Lead.Status)
		}
		for name, ctx := range map[string]context.Context{"another client": other, "a center": center} {
			if err := svc.Leads.Remove(ctx, x.ID, id); !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s removing the lead: %v", name, err)
			}
		}
		if err := svc.Leads.Remove(other, x.ID, id); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another client removing the lead: %v, want not found", err)
		}
		analyst := tenancy.WithPrincipal(context.Background(), tenancy.Principal{Kind: tenancy.ActorSystem, Label: "analyst",
			OrgID: org.ID, OrgKind: org.Kind, Role: tenancy.RoleAnalyst})
		if err := svc.Leads.Remove(analyst, x.ID, id); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("an analyst removing the lead: %v", err)
		}
		if n := leadCount(t, svc, client, x.ID).Total; n != 1 {
			t.Fatalf("%d leads after refused removals", n)
		}
		ok(t, svc.Leads.Remove(client, x.ID, id))
		if n := leadCount(t, svc, client, x.ID).Total; n != 0 {
			t.Fatalf("%d leads after the removal", n)
		}
		if err := svc.Leads.Remove(client, x.ID, id); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("removing it again: %v", err)
		}
		events, _, err := svc.Tenancy.AuditEvents(client, store.Page{})
		ok(t, err)
		if !strings.Contains(actionsOf(events), "lead.remove") {
			t.Errorf("the removal is not audited: %s", actionsOf(events))
		}
		if _, sum, err := svc.Leads.AddBatch(client, x.ID, items); err != nil || sum.Imported != 1 {
			t.Errorf("the number back after its removal: %+v %v", sum, err)
		}
	})
}

// TestTheDryRunSaysWhatTheImportWillBlock: before an import runs, the dry
// run of its file counts the rows the campaign's rules will block, by
// reason, as the import then does, and writes nothing; another org finds
// no such import.
func TestTheDryRunSaysWhatTheImportWillBlock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		other, _ := actingAs(t, d, tenancy.KindClient, "Autre Client", "FR")
		x := draft(t, svc, client, campaign.Input{Name: "Prospection", Kind: "prospecting", Audience: "b2c", Country: "FR", Languages: []string{"fr"}})
		_, err := svc.Compliance.AddSuppressions(client, "FR", []compliance.NewSuppression{{Phone: "06 12 34 56 02", Reason: "stop"}})
		ok(t, err)
		file := "Nom;Téléphone;Date du consentement;Source du consentement\r\n" +
			"Dupré;06 12 34 56 01;;\r\n" + // no consent
			"Côté;06 12 34 56 02;01/09/2026;site\r\n" + // opted out
			"Ménard;06 12 34 56 03;01/09/2026;site\r\n" + // ready
			"Garçon;06 12;;\r\n" // invalid
		im, err := svc.Leads.Upload(client, x.ID, "leads.csv", strings.NewReader(file))
		ok(t, err)
		if _, err := svc.Leads.DryRun(other, x.ID, im.ID, leadfile.Mapping{}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another org's dry run: %v", err)
		}
		dry, err := svc.Leads.DryRun(client, x.ID, im.ID, leadfile.Mapping{})
		ok(t, err)
		s := dry.Summary
		if !dry.Whole || s.Rows != 4 || s.Ready != 1 || s.Blocked != 2 || s.Invalid != 1 ||
			s.ByReason[compliance.NoConsent] != 1 || s.ByReason[compliance.SuppressedClient] != 1 {
			t.Errorf("the dry run: %+v", s)
		}
		if b := dry.Blocks[compliance.NoConsent]; b.Explanation.FR == "" {
			t.Errorf("the dry run does not say why: %+v", dry.Blocks)
		}
		if n := leadCount(t, svc, client, x.ID).Total; n != 0 {
			t.Errorf("the dry run wrote %d leads", n)
		}
		// Mapped so that the consent columns are left out, every row with
		// a number is blocked.
		dry, err = svc.Leads.DryRun(client, x.ID, im.ID, leadfile.Mapping{Columns: []leadfile.Column{
			{Index: 2, Header: "Date du consentement", Field: leadfile.FieldIgnore}, {Index: 3, Header: "Source du consentement", Field: leadfile.FieldIgnore}}})
		ok(t, err)
		if dry.Summary.Blocked != 3 || dry.Summary.ByReason[compliance.NoConsent] != 2 {
			t.Errorf("the dry run without the consent columns: %+v", dry.Summary)
		}

		_, err = svc.Leads.Start(client, im.ID, leadfile.Mapping{})
		ok(t, err)
		ok(t, svc.Leads.RunImport(client, uuid.Nil, im.ID))
		got, err := svc.Leads.Import(client, x.ID, im.ID)
		ok(t, err)
		if got.Import.Summary.Blocked != 2 || got.Import.Summary.Ready != 1 {
			t.Errorf("the import did not do what its dry run said: %+v", got.Import.Summary)
		}
	})
}

// actionsOf lists the actions of audit events, for messages and checks.
func actionsOf(events []auditlog.Event) string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Action
	}
	return strings.Join(out, " ")
}

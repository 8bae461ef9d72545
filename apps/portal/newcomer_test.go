package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// formDefaults reads the fields of a page's form as a browser would send
// them untouched: inputs with their values (checkboxes when checked) and
// each select's selected option.
func formDefaults(page string) url.Values {
	form := url.Values{}
	for _, m := range inputTag.FindAllStringSubmatch(page, -1) {
		a := attrs(m[1])
		if a["name"] == "" || a["type"] == "checkbox" && !strings.Contains(m[1], " checked") {
			continue
		}
		form.Add(a["name"], a["value"])
	}
	for _, s := range selectTag.FindAllStringSubmatch(page, -1) {
		for _, o := range optionTag.FindAllStringSubmatch(s[2], -1) {
			if strings.Contains(o[1], " selected") {
				form.Set(attrs(s[1])["name"], attrs(o[1])["value"])
			}
		}
	}
	return form
}

// TestTheSampleFileGivesCallableLeadsWithTheWizardsDefaults walks the
// newcomer's path: a campaign made with the wizard as it comes (B2C
// prospecting in France, where calling takes prior consent), the lead
// file `plateau dev` leaves uploaded, its mapping taken as detected — the
// mapping step says no row will be blocked — and the import gives leads
// ready to call, none blocked.
func TestTheSampleFileGivesCallableLeadsWithTheWizardsDefaults(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		org, owner := parisClient(t, e, "Maison Lumiere")
		b := signIn(e, owner, "paris password")

		_, page := b.Get("/portal/campaigns/new")
		form := formDefaults(page)
		if form.Get("kind") != "prospecting" || form.Get("audience") != "b2c" || form.Get("country") != "FR" {
			t.Fatalf("the wizard's defaults: %v", form)
		}
		form.Set("name", "Ma première campagne")
		resp, page := b.Post("/portal/campaigns", form)
		wantStatus(t, "the wizard with its defaults", resp, page, http.StatusSeeOther)
		m := campaignPath.FindStringSubmatch(resp.Header.Get("Location"))
		if m == nil {
			t.Fatalf("the wizard leads to %q", resp.Header.Get("Location"))
		}
		campaignID := uuid.MustParse(m[1])

		path, id := uploadLeads(t, b, campaignID, demo.SampleFileName, string(demo.SampleFile()))
		resp, page = b.Get(path)
		wantStatus(t, "the mapping step", resp, page, http.StatusOK)
		choices := mappingChoices(t, page)
		consentColumns := 0
		for _, field := range choices {
			if field[0] == "consent_captured_at" || field[0] == "consent_source" {
				consentColumns++
			}
		}
		if consentColumns != 2 {
			t.Errorf("the sample's consent columns are not detected: %v", choices)
		}
		if testid(page, "dry-run-blocked") != "0" || testid(page, "dry-run-ready") == "0" || strings.Contains(page, `data-testid="dry-run-reason"`) {
			t.Errorf("the mapping step of the sample: ready %q, blocked %q\n%s", testid(page, "dry-run-ready"), testid(page, "dry-run-blocked"), visibleText(page))
		}
		resp, page = post(t, b, path, path+"/start", choices)
		wantStatus(t, "start the import", resp, page, http.StatusSeeOther)
		runImport(t, e, org, id)
		s := readImport(t, e, org, campaignID, id).Summary
		if s.Blocked != 0 || s.Ready < 200 || s.Ready != s.Imported {
			t.Errorf("the sample file imported with the wizard's defaults: %d ready, %d blocked (%v) of %d rows",
				s.Ready, s.Blocked, s.ByReason, s.Rows)
		}
	})
}

// TestTheMappingStepSaysWhatTheRulesWillBlock: before the import runs,
// the mapping step counts the rows the campaign's rules will block, by
// reason with why, in French, and says how to give the consents; counting
// again with the consent columns left out blocks more, and starts
// nothing; the import then does what the count said.
func TestTheMappingStepSaysWhatTheRulesWillBlock(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		org, owner, k := prospecting(t, e, "Maison Lumiere")
		b := signIn(e, owner, "paris password")
		path, id := uploadLeads(t, b, k.ID, "leads.csv", frenchLeads)

		resp, page := b.Get(path)
		wantStatus(t, "the mapping step", resp, page, http.StatusOK)
		for tid, want := range map[string]string{"dry-run-ready": "2", "dry-run-blocked": "2", "dry-run-kept-out": "3"} {
			if got := testid(page, tid); got != want {
				t.Errorf("%s: %q, want %q", tid, got, want)
			}
		}
		words := visibleText(page)
		for _, want := range []string{"Sur les 7 lignes du fichier", "Pas de consentement préalable (1)", "Sur votre liste d'opposition (1)",
			"choisissez « Date du consentement » et « Source du consentement »"} {
			if !strings.Contains(words, want) {
				t.Errorf("the mapping step does not say %q:\n%s", want, words)
			}
		}
		if n := strings.Count(page, `data-testid="dry-run-reason"`); n != 2 {
			t.Errorf("%d reasons, want 2", n)
		}

		choices := mappingChoices(t, page)
		choices.Set("field.4", "ignore") // the consent date
		choices.Set("field.5", "ignore") // its source
		choices.Set("check", "1")
		resp, page = post(t, b, path, path+"/start", choices)
		wantStatus(t, "count again", resp, page, http.StatusOK)
		if got, ready := testid(page, "dry-run-blocked"), testid(page, "dry-run-ready"); got != "4" || ready != "1" {
			t.Errorf("counted without the consent columns: %s blocked, %s ready, want 4 and 1", got, ready)
		}
		if got := mappingChoices(t, page); got.Get("field.4") != "ignore" || got.Get("field.2") != "phone" {
			t.Errorf("counting again does not keep the choices: %v", got)
		}
		if im := readImport(t, e, org, k.ID, id); im.Status != lead.Uploaded {
			t.Fatalf("counting again left the import %s", im.Status)
		}

		choices.Del("check")
		choices.Set("field.4", "consent_captured_at")
		choices.Set("field.5", "consent_source")
		resp, page = post(t, b, path, path+"/start", choices)
		wantStatus(t, "start the import", resp, page, http.StatusSeeOther)
		runImport(t, e, org, id)
		if s := readImport(t, e, org, k.ID, id).Summary; s.Ready != 2 || s.Blocked != 2 {
			t.Errorf("the import did not do what the mapping step said: %+v", s)
		}
	})
}

// TestABlockedLeadIsRemovedFromItsPage: a lead blocked for want of
// consent has a button to remove it; another client finds no such lead,
// an analyst has no button and may not remove it; its client removes it,
// and its number comes back ready with a file that brings its consent.
func TestABlockedLeadIsRemovedFromItsPage(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		org, owner, k := prospecting(t, e, "Maison Lumiere")
		importLeads(t, e, org, k.ID, "leads.csv", frenchLeads)
		b := signIn(e, owner, "paris password")
		base := "/portal/campaigns/" + k.ID.String()
		_, page := b.Get(base + "/leads")
		leadPath := leadsOn(page)["Zoé Côté"]
		if leadPath == "" {
			t.Fatalf("no Zoé Côté among the leads:\n%s", page)
		}
		resp, page := b.Get(leadPath)
		wantStatus(t, "the blocked lead", resp, page, http.StatusOK)
		if !strings.Contains(page, `action="`+leadPath+`/remove"`) || !strings.Contains(visibleText(page), "Retirer de la campagne") {
			t.Fatalf("the blocked lead has no button to remove it:\n%s", visibleText(page))
		}

		rival := e.Org(tenancy.KindClient, "Rival", "FR")
		other := signIn(e, rival.Owner.Email, rival.Password)
		resp, page = post(t, other, "/portal/leads", leadPath+"/remove", url.Values{})
		wantStatus(t, "another client removes the lead", resp, page, http.StatusNotFound)
		e.Member(org, "analyst@ml.test", string(tenancy.RoleAnalyst), "analyst password")
		analyst := signIn(e, "analyst@ml.test", "analyst password")
		if _, page := analyst.Get(leadPath); strings.Contains(page, `data-testid="remove-lead"`) {
			t.Errorf("the analyst is offered to remove the lead")
		}
		resp, page = post(t, analyst, leadPath, leadPath+"/remove", url.Values{})
		wantStatus(t, "the analyst removes the lead", resp, page, http.StatusForbidden)
		if resp, _ := b.Get(leadPath); resp.StatusCode != http.StatusOK {
			t.Fatalf("the lead is gone after refused removals: %d", resp.StatusCode)
		}

		resp, page = post(t, b, leadPath, leadPath+"/remove", url.Values{})
		wantStatus(t, "remove the lead", resp, page, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != base+"/leads" {
			t.Errorf("the removal leads to %q", loc)
		}
		_, page = b.Get(base + "/leads")
		if _, still := leadsOn(page)["Zoé Côté"]; still || !strings.Contains(text(page), "Le contact a été retiré de la campagne.") {
			t.Errorf("after the removal, the leads:\n%s", visibleText(page))
		}
		if resp, _ := b.Get(leadPath); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the removed lead's page: %d", resp.StatusCode)
		}

		importLeads(t, e, org, k.ID, "retour.csv", "Nom;Prénom;Téléphone;Date consentement;Source consentement\r\nCôté;Zoé;06 12 34 56 03;01/09/2026;site\r\n")
		_, page = b.Get(base + "/leads")
		back := leadsOn(page)["Zoé Côté"]
		if back == "" {
			t.Fatalf("the number did not come back")
		}
		if _, page := b.Get(back); testid(page, "lead-status") != "Prêt" {
			t.Errorf("the number back with its consent is %q", testid(page, "lead-status"))
		}
	})
}

// TestStartingTheCallsAsksFirst: "Lancer les appels" on a contracted
// campaign leads to a page saying what will start — the center under
// contract, the leads ready and blocked, that this release places no call
// itself — and the campaign moves only once that is confirmed.
func TestStartingTheCallsAsksFirst(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		m := publishedWithOffers(t, e)
		svc, client := e.P.Services, platformtest.As(m.client.Org)
		k := platformtest.Must(svc.Market.Accept(client, m.campaign.ID, m.atlasOffer.ID))(t)
		platformtest.Must(svc.Market.Confirm(platformtest.As(m.atlas.Org), k.ID))(t)
		if _, _, err := svc.Leads.AddBatch(client, m.campaign.ID, []leadfile.Lead{{Phone: "+1 310 555 1234"}, {Phone: "+1 310 555 1235"}}); err != nil {
			t.Fatal(err)
		}
		b := signIn(e, m.client.Owner.Email, m.client.Password)
		path := "/portal/campaigns/" + m.campaign.ID.String()

		_, page := b.Get(path)
		if !strings.Contains(page, `data-testid="move-start"`) {
			t.Fatalf("the contracted campaign offers no start:\n%s", visibleText(page))
		}
		resp, page := post(t, b, path, path+"/move", url.Values{"event": {"start"}})
		wantStatus(t, "start the calls", resp, page, http.StatusOK)
		if got := platformtest.Must(svc.Campaigns.Get(client, m.campaign.ID))(t).Status; got != campaign.Contracted {
			t.Fatalf("the campaign moved before it was confirmed: %s", got)
		}
		words := visibleText(page)
		for _, want := range []string{"Lancer les appels de « Relance paniers » ?", "Contractualisée → En cours",
			"ne passe pas encore les appels elle-même", "Oui, lancer les appels"} {
			if !strings.Contains(words, want) {
				t.Errorf("the confirmation does not say %q:\n%s", want, words)
			}
		}
		if testid(page, "start-centers") != "Atlas Contact" || testid(page, "start-ready") != "2" || testid(page, "start-blocked") != "0" {
			t.Errorf("what will start: centers %q, ready %q, blocked %q", testid(page, "start-centers"), testid(page, "start-ready"), testid(page, "start-blocked"))
		}

		resp, page = b.Post(path+"/move", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "event": {"start"}, "confirm": {"yes"}})
		wantStatus(t, "confirm the start", resp, page, http.StatusSeeOther)
		if got := platformtest.Must(svc.Campaigns.Get(client, m.campaign.ID))(t).Status; got != campaign.Running {
			t.Errorf("the confirmed campaign is %s", got)
		}
		// Running, it offers no start: a start posted again is refused with why.
		resp, page = post(t, b, path, path+"/move", url.Values{"event": {"start"}})
		wantStatus(t, "start a running campaign", resp, page, http.StatusConflict)
	})
}

// TestTheOffersPageSaysBeforeAcceptingWhoCannotReceiveEUData: on a
// campaign calling France, the offer of a center in Morocco whose
// data-protection file is empty says, above its accept button, that the
// center cannot receive EU personal data yet; a center in France's does
// not.
func TestTheOffersPageSaysBeforeAcceptingWhoCannotReceiveEUData(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		client := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		svc, as := e.P.Services, platformtest.As(client.Org)
		k := platformtest.Must(svc.Campaigns.Create(as, campaign.Input{Name: "Prospection", Kind: "prospecting", Audience: "b2c",
			Country: "FR", Languages: []string{"fr"}}))(t)
		platformtest.Must(svc.Campaigns.Move(as, k.ID, campaign.Publish))(t)
		start := time.Now().AddDate(0, 0, 7)
		for _, center := range []platformtest.Tenant{e.Org(tenancy.KindCenter, "Atlas Contact", "MA"), e.Org(tenancy.KindCenter, "Lyon Appels", "FR")} {
			platformtest.Must(svc.Market.SubmitOffer(platformtest.As(center.Org), k.ID, market.OfferInput{Seats: 5, Languages: []string{"fr"},
				StartsOn: &start, RateCard: market.RateCard{Currency: "EUR", PerMinute: 400_000, Minimum: 30, Increment: 6}}))(t)
		}
		b := signIn(e, client.Owner.Email, client.Password)
		resp, page := b.Get("/portal/campaigns/" + k.ID.String() + "/offers")
		wantStatus(t, "the offers", resp, page, http.StatusOK)
		cards := offerCard.FindAllString(page, -1)
		if len(cards) != 2 {
			t.Fatalf("%d offers shown", len(cards))
		}
		for _, card := range cards {
			center := offerCenter.FindStringSubmatch(card)[1]
			warning, accept := strings.Index(card, `data-testid="offer-no-eu-data"`), strings.Index(card, `data-testid="accept"`)
			switch {
			case accept < 0:
				t.Errorf("%s's offer has no accept button", center)
			case center == "Atlas Contact" && (warning < 0 || warning > accept):
				t.Errorf("Atlas's offer does not say, before its accept button, that it cannot receive EU data yet:\n%s", visibleText(card))
			case center == "Atlas Contact" && !strings.Contains(visibleText(card), "ne peut pas encore recevoir de données personnelles de l'Union européenne"):
				t.Errorf("Atlas's warning: %s", visibleText(card))
			case center == "Lyon Appels" && warning >= 0:
				t.Errorf("the French center's offer is said unable to receive EU data")
			}
		}
	})
}

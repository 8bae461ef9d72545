package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/money"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// marketplace is a client's published campaign that two centers answered.
type marketplace struct {
	client, atlas, teranga platformtest.Tenant
	campaign               campaign.Campaign
	atlasOffer, terOffer   market.Offer
}

// publishedWithOffers publishes a prospecting campaign of 1 000 leads
// with a budget cap of 2 000 EUR, answered by two centers: Atlas prices
// the minute 0.45 EUR at 30/6, a sale 12 EUR and a seat 300 EUR a month,
// which the default assumptions estimate at 875 calls × 1.125 EUR + 35
// sales × 12 EUR + 5 seats × 300 EUR = 2 904.375 EUR; Teranga prices only
// the minute, 0.30 EUR at 30/6: 875 × 0.75 EUR = 656.25 EUR.
func publishedWithOffers(t *testing.T, e *platformtest.Env) marketplace {
	t.Helper()
	m := marketplace{client: e.Org(tenancy.KindClient, "Maison Lumiere", "FR"), atlas: e.Org(tenancy.KindCenter, "Atlas Contact", "MA"),
		teranga: e.Org(tenancy.KindCenter, "Teranga", "SN")}
	svc, ctx := e.P.Services, platformtest.As(m.client.Org)
	m.campaign = platformtest.Must(svc.Campaigns.Create(ctx, campaign.Input{Name: "Relance paniers", Kind: "prospecting", Audience: "b2c",
		Country: "US", Languages: []string{"fr"}, Volume: 1000, BudgetCap: 2000 * money.Micro}))(t)
	m.campaign = platformtest.Must(svc.Campaigns.Move(ctx, m.campaign.ID, campaign.Publish))(t)
	start := time.Now().AddDate(0, 0, 7)
	offer := func(center platformtest.Tenant, card market.RateCard, hours string) market.Offer {
		sent := platformtest.Must(svc.Market.SubmitOffer(platformtest.As(center.Org), m.campaign.ID, market.OfferInput{RateCard: card, Seats: 5,
			Hours: hours, Languages: []string{"fr"}, StartsOn: &start, Message: "Équipe dédiée"}))(t)
		return sent.Offers[0].Offer
	}
	m.atlasOffer = offer(m.atlas, market.RateCard{Currency: "EUR", PerMinute: 450_000, Minimum: 30, Increment: 6,
		PerOutcome: map[string]int64{"sale": 12 * money.Micro}, SeatMonthly: 300 * money.Micro}, "lun–ven 9h–20h")
	m.terOffer = offer(m.teranga, market.RateCard{Currency: "EUR", PerMinute: 300_000, Minimum: 30, Increment: 6}, "lun–sam 8h–20h")
	return m
}

var (
	offerCard    = regexp.MustCompile(`(?s)<article class="card offer[^"]*" data-testid="offer">.*?</article>`)
	offerCenter  = regexp.MustCompile(`data-testid="offer-center">([^<]+)<`)
	offerTotal   = regexp.MustCompile(`data-testid="offer-total">([^<]+)<`)
	campaignPath = regexp.MustCompile(`^/portal/campaigns/([0-9a-f-]{36})$`)
)

// offersOf reads the offers page: each center's card.
func offersOf(t *testing.T, page string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, card := range offerCard.FindAllString(page, -1) {
		name := offerCenter.FindStringSubmatch(card)
		if name == nil {
			t.Fatalf("an offer without its center:\n%s", card)
		}
		out[text(name[1])] = card
	}
	return out
}

func TestOffersAreComparedByEstimatedCostAndSeveralAccepted(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		m := publishedWithOffers(t, e)
		owner := signIn(e, m.client.Owner.Email, m.client.Password)
		offersPath := "/portal/campaigns/" + m.campaign.ID.String() + "/offers"

		resp, page := owner.Get(offersPath)
		wantStatus(t, "the offers", resp, page, http.StatusOK)
		cards := offersOf(t, page)
		if len(cards) != 2 {
			t.Fatalf("%d offers shown, want 2\n%s", len(cards), page)
		}
		for center, want := range map[string]string{"Atlas Contact": "2\u202f904,38\u00a0€", "Teranga": "656,25\u00a0€"} {
			if got := offerTotal.FindStringSubmatch(cards[center]); got == nil || text(got[1]) != want {
				t.Errorf("%s's estimate: %q, want %q", center, got, want)
			}
		}
		if !strings.Contains(cards["Teranga"], `data-testid="cheapest"`) || strings.Contains(cards["Atlas Contact"], `data-testid="cheapest"`) {
			t.Errorf("Teranga's offer is not the only one marked cheapest")
		}
		if !strings.Contains(cards["Atlas Contact"], `data-testid="over-budget"`) || strings.Contains(cards["Teranga"], `data-testid="over-budget"`) {
			t.Errorf("only Atlas's estimate is over the 2 000 € cap")
		}
		for _, want := range []string{"0,45\u00a0€ (30 s minimum, puis par tranches de 6 s)", "Vente (à l'unité)", "12,00\u00a0€",
			"300,00\u00a0€", "lun–ven 9h–20h", "Équipe dédiée", "Français"} {
			if !strings.Contains(text(cards["Atlas Contact"]), want) {
				t.Errorf("Atlas's card lacks %q", want)
			}
		}
		if want := "Coûts estimés pour 1\u202f000 contacts : 2,5 tentatives par contact, 35 % des tentatives abouties"; !strings.Contains(text(page), want) {
			t.Errorf("the page does not state the assumptions %q", want)
		}

		// Both offers are accepted, one after the other: two pending contracts.
		for _, o := range []market.Offer{m.terOffer, m.atlasOffer} {
			resp, page := post(t, owner, offersPath, offersPath+"/"+o.ID.String()+"/accept", url.Values{})
			wantStatus(t, "accept an offer", resp, page, http.StatusSeeOther)
		}
		_, page = owner.Get(offersPath)
		if !strings.Contains(text(page), "Offre du centre Atlas Contact acceptée") {
			t.Errorf("no word of the acceptance")
		}
		for center, card := range offersOf(t, page) {
			if strings.Contains(card, `data-testid="accept"`) || !strings.Contains(card, "Acceptée") {
				t.Errorf("%s's accepted offer is not shown accepted, or may be accepted again", center)
			}
		}
		resp, page = owner.Get("/portal/contracts")
		wantStatus(t, "the contracts", resp, page, http.StatusOK)
		if n := strings.Count(page, `data-testid="contract"`); n != 2 {
			t.Fatalf("%d contracts, want 2\n%s", n, page)
		}
		for _, want := range []string{"Teranga", "Atlas Contact", "Relance paniers", "En attente de confirmation",
			"0,30\u00a0€ (30 s minimum, puis par tranches de 6 s)"} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the contracts page lacks %q", want)
			}
		}

		// Teranga confirms: the campaign is contracted, the contract active.
		teranga := platformtest.As(m.teranga.Org)
		list := platformtest.Must(e.P.Services.Market.Contracts(teranga))(t)
		if len(list) != 1 {
			t.Fatalf("Teranga's contracts: %v", list)
		}
		platformtest.Must(e.P.Services.Market.Confirm(teranga, list[0].ID))(t)
		_, page = owner.Get("/portal/campaigns/" + m.campaign.ID.String())
		for _, want := range []string{`data-testid="campaign-status">Contractualisée<`, "<strong>Teranga</strong> · Actif", "2 offre(s) reçue(s)"} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the campaign page lacks %q", want)
			}
		}

		// An analyst compares, but does not accept.
		e.Member(m.client.Org, "analyst@ml.test", string(tenancy.RoleAnalyst), "analyst password")
		analyst := signIn(e, "analyst@ml.test", "analyst password")
		resp, page = analyst.Get(offersPath)
		wantStatus(t, "the analyst's offers", resp, page, http.StatusOK)
		if strings.Contains(page, `data-testid="accept"`) {
			t.Errorf("the analyst is offered to accept")
		}
		resp, page = analyst.Post(offersPath+"/"+m.atlasOffer.ID.String()+"/accept", url.Values{"_csrf": {platformtest.CSRF(t, page)}})
		wantStatus(t, "an analyst accepting", resp, page, http.StatusForbidden)
	})
}

func TestAcceptingAnOfferOfACancelledCampaignIsRefusedAndChangesNothing(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		m := publishedWithOffers(t, e)
		owner := signIn(e, m.client.Owner.Email, m.client.Password)
		detail := "/portal/campaigns/" + m.campaign.ID.String()
		offersPath := detail + "/offers"

		_, offersPage := owner.Get(offersPath) // opened before the campaign is cancelled
		resp, page := post(t, owner, detail, detail+"/move", url.Values{"event": {"cancel"}})
		wantStatus(t, "cancel", resp, page, http.StatusSeeOther)
		if _, page := owner.Get(detail); !strings.Contains(page, `data-testid="campaign-status">Annulée<`) {
			t.Fatalf("the campaign is not shown cancelled")
		}

		resp, page = owner.Post(offersPath+"/"+m.atlasOffer.ID.String()+"/accept", url.Values{"_csrf": {platformtest.CSRF(t, offersPage)}})
		wantStatus(t, "accept on a cancelled campaign", resp, page, http.StatusConflict)
		for _, want := range []string{`data-testid="accept-error"`, "rien n'a changé", "Annulée", "aucune offre ne peut plus être acceptée",
			`data-testid="offers-closed"`} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the refusal lacks %q\n%s", want, page)
			}
		}
		if strings.Contains(page, `data-testid="accept"`) {
			t.Errorf("a cancelled campaign's offers may still be accepted")
		}
		if _, page := owner.Get("/portal/contracts"); !strings.Contains(page, `data-testid="no-contracts"`) {
			t.Errorf("a contract was made")
		}
		for _, o := range platformtest.Must(e.P.Services.Market.Offers(platformtest.As(m.client.Org), m.campaign.ID))(t).Offers {
			if o.Status != market.OfferSubmitted {
				t.Errorf("offer %s is %s after the refusal", o.ID, o.Status)
			}
		}
	})
}

// wizard is a valid campaign as typed in the wizard.
func wizard() url.Values {
	return url.Values{"name": {"Rendez-vous architectes"}, "kind": {"appointment_setting"}, "audience": {"b2b"},
		"country": {"fr"}, "languages": {"fr", "en"}, "starts_on": {"2026-10-01"}, "ends_on": {"2026-12-15"},
		"target_outcome": {"appointment"}, "volume": {"800"}, "budget_cap": {"6 000"}, "currency": {"EUR"},
		"dialing_mode": {"progressive"}, "retention_days": {"365"}}
}

func TestTheWizardNamesEveryProblemKeepsTheInputAndSavesNothing(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		owner := signIn(e, ml.Owner.Email, ml.Password)

		bad := wizard()
		for k, v := range map[string]string{"name": "", "country": "XX", "volume": "beaucoup", "budget_cap": "-5",
			"starts_on": "2026-12-20", "ends_on": "2026-12-01", "retention_days": "10", "dialing_mode": "robot"} {
			bad.Set(k, v)
		}
		bad["languages"] = []string{"fr", "klingon"}
		resp, page := post(t, owner, "/portal/campaigns/new", "/portal/campaigns", bad)
		wantStatus(t, "a bad campaign", resp, page, http.StatusUnprocessableEntity)
		for field, want := range map[string]string{"name": "est obligatoire", "country": "(et non «\u00a0XX\u00a0»)",
			"languages": "(et non «\u00a0klingon\u00a0»)", "volume": "doit être un nombre entier (vous avez saisi «\u00a0beaucoup\u00a0»)",
			"budget_cap": "ne peut pas être négatif", "ends_on": "est antérieure à la date de début",
			"retention_days": "doit être compris entre 30 et 1095 jours", "dialing_mode": "(et non «\u00a0robot\u00a0»)"} {
			m := regexp.MustCompile(`data-testid="error-` + field + `" data-field="` + field + `">([^<]+)<`).FindStringSubmatch(page)
			if m == nil || !strings.Contains(text(m[1]), want) {
				t.Errorf("beside %s: %q, want %q", field, m, want)
			}
		}
		for _, kept := range []string{`name="country" value="XX"`, `name="volume" value="beaucoup"`, `name="budget_cap" value="-5"`,
			`name="starts_on" value="2026-12-20"`, `value="fr" checked`, `value="appointment_setting" selected`, `value="b2b" selected`} {
			if !strings.Contains(page, kept) {
				t.Errorf("the form did not keep %s", kept)
			}
		}
		if !strings.Contains(page, `data-testid="form-invalid"`) || !strings.Contains(page, `aria-invalid="true"`) {
			t.Errorf("the form does not say it was refused")
		}
		if _, page := owner.Get("/portal/campaigns"); !strings.Contains(page, `data-testid="no-campaigns"`) {
			t.Errorf("a refused campaign was saved")
		}

		// An amount that is no amount is named as such.
		bad = wizard()
		bad.Set("budget_cap", "beaucoup")
		_, page = post(t, owner, "/portal/campaigns/new", "/portal/campaigns", bad)
		if !strings.Contains(page, `data-testid="error-budget_cap"`) || strings.Contains(page, `data-testid="error-name"`) {
			t.Errorf("an unreadable budget is not named alone\n%s", page)
		}
	})
}

func TestTheWizardCreatesADraftThatIsEditedThenPublishedByWhoMay(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		e.Member(ml.Org, "manager@ml.test", string(tenancy.RoleManager), "manager password")
		e.Member(ml.Org, "analyst@ml.test", string(tenancy.RoleAnalyst), "analyst password")
		owner := signIn(e, ml.Owner.Email, ml.Password)

		resp, page := owner.Get("/portal/campaigns")
		wantStatus(t, "the campaigns", resp, page, http.StatusOK)
		if !strings.Contains(page, `href="/portal/campaigns/new"`) {
			t.Errorf("no way to a new campaign")
		}
		resp, page = post(t, owner, "/portal/campaigns/new", "/portal/campaigns", wizard())
		wantStatus(t, "create", resp, page, http.StatusSeeOther)
		detail := resp.Header.Get("Location")
		if !campaignPath.MatchString(detail) {
			t.Fatalf("created, then sent to %q", detail)
		}
		_, page = owner.Get(detail)
		for _, want := range []string{"Campagne « Rendez-vous architectes » créée en brouillon.", `data-testid="campaign-status">Brouillon<`,
			"Prise de rendez-vous", "Professionnels (B2B)", "<dd>FR</dd>", "Français, Anglais", "2026-10-01 → 2026-12-15", "Rendez-vous",
			"<dd>800</dd>", "6\u202f000,00\u00a0€", "Progressif", "365 jours", "0 offre(s) reçue(s)",
			`href="` + detail + `/script"`, `href="` + detail + `/leads"`, `data-testid="move-publish"`, `data-testid="move-cancel"`} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the new campaign's page lacks %q", want)
			}
		}

		// The draft is edited; a bad edit changes nothing.
		resp, page = owner.Get(detail + "/edit")
		wantStatus(t, "edit", resp, page, http.StatusOK)
		for _, want := range []string{`value="Rendez-vous architectes"`, `name="budget_cap" value="6000"`, `value="en" checked`, `value="progressive" selected`} {
			if !strings.Contains(page, want) {
				t.Errorf("the edit form lacks %s", want)
			}
		}
		edit := wizard()
		edit.Set("name", "RDV architectes")
		edit.Set("volume", "-1")
		resp, page = owner.Post(detail, withCSRF(t, page, edit))
		wantStatus(t, "a bad edit", resp, page, http.StatusUnprocessableEntity)
		if !strings.Contains(page, `data-testid="error-volume"`) || !strings.Contains(page, `value="RDV architectes"`) {
			t.Errorf("the refused edit does not show its problem with the input kept")
		}
		if _, page := owner.Get(detail); !strings.Contains(page, "<h1>Rendez-vous architectes</h1>") {
			t.Errorf("a refused edit changed the campaign")
		}
		edit.Set("volume", "900")
		edit.Set("budget_cap", "2 500,50")
		resp, page = post(t, owner, detail+"/edit", detail, edit)
		wantStatus(t, "edit", resp, page, http.StatusSeeOther)
		if _, page := owner.Get(detail); !strings.Contains(page, "<h1>RDV architectes</h1>") || !strings.Contains(text(page), "2\u202f500,50\u00a0€") {
			t.Errorf("the edit is not shown")
		}

		// A manager publishes; the request can no longer be edited. A
		// manager may not cancel: only the owner may.
		manager := signIn(e, "manager@ml.test", "manager password")
		resp, page = manager.Get(detail)
		wantStatus(t, "the manager's view", resp, page, http.StatusOK)
		if !strings.Contains(page, `data-testid="move-publish"`) || strings.Contains(page, `data-testid="move-cancel"`) {
			t.Errorf("the manager's moves are not publish without cancel")
		}
		resp, page = post(t, manager, detail, detail+"/move", url.Values{"event": {"publish"}})
		wantStatus(t, "publish", resp, page, http.StatusSeeOther)
		_, page = manager.Get(detail)
		if !strings.Contains(page, `data-testid="campaign-status">Publiée<`) || !strings.Contains(page, `data-testid="move-unpublish"`) ||
			strings.Contains(page, `data-testid="edit-campaign"`) {
			t.Errorf("the published campaign's page is not as it should be\n%s", page)
		}
		if resp, page := manager.Get(detail + "/edit"); resp.StatusCode != http.StatusConflict {
			t.Errorf("editing a published request: %d\n%s", resp.StatusCode, page)
		}
		resp, page = post(t, manager, detail, detail+"/move", url.Values{"event": {"cancel"}})
		wantStatus(t, "a manager cancelling", resp, page, http.StatusForbidden)
		if !strings.Contains(text(page), "votre rôle ne permet pas") || !strings.Contains(page, `data-testid="move-error"`) {
			t.Errorf("the refused move does not say why\n%s", page)
		}
		resp, page = post(t, manager, detail, detail+"/move", url.Values{"event": {"publish"}})
		wantStatus(t, "publishing twice", resp, page, http.StatusConflict)

		// An analyst reads, without moves.
		analyst := signIn(e, "analyst@ml.test", "analyst password")
		resp, page = analyst.Get(detail)
		wantStatus(t, "the analyst's view", resp, page, http.StatusOK)
		if strings.Contains(page, `data-testid="moves"`) {
			t.Errorf("the analyst is shown moves")
		}
		if resp, _ := analyst.Get("/portal/campaigns/new"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the analyst opens the wizard: %d", resp.StatusCode)
		}
		resp, page = analyst.Post(detail+"/move", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "event": {"unpublish"}})
		wantStatus(t, "an analyst moving", resp, page, http.StatusForbidden)
		if _, page := analyst.Get("/portal/campaigns"); !strings.Contains(page, "RDV architectes") || !strings.Contains(page, "Publiée") {
			t.Errorf("the list does not show the campaign as published")
		}
	})
}

// withCSRF adds the CSRF token of page to form.
func withCSRF(t *testing.T, page string, form url.Values) url.Values {
	t.Helper()
	form.Set("_csrf", platformtest.CSRF(t, page))
	return form
}

// TestAnotherOrgSeesNothingOfACampaign: another client gets 404 on every
// page and action of the campaign, and nothing of it in its lists; a
// center, which reads campaigns through its own door, is refused here.
func TestAnotherOrgSeesNothingOfACampaign(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		m := publishedWithOffers(t, e)
		platformtest.Must(e.P.Services.Market.Accept(platformtest.As(m.client.Org), m.campaign.ID, m.terOffer.ID))(t)
		other := e.Org(tenancy.KindClient, "Boutique Soleil", "FR")
		b := signIn(e, other.Owner.Email, other.Password)
		_, own := b.Get("/portal/campaigns")
		csrf := platformtest.CSRF(t, own)
		if strings.Contains(own, "Relance paniers") {
			t.Errorf("another client lists the campaign")
		}
		detail := "/portal/campaigns/" + m.campaign.ID.String()
		for _, path := range []string{detail, detail + "/edit", detail + "/offers", "/portal/campaigns/not-an-id"} {
			if resp, page := b.Get(path); resp.StatusCode != http.StatusNotFound || strings.Contains(page, "Relance paniers") {
				t.Errorf("another client's GET %s: %d", path, resp.StatusCode)
			}
		}
		for path, form := range map[string]url.Values{
			detail + "/move": {"event": {"cancel"}},
			detail:           wizard(),
			detail + "/offers/" + m.atlasOffer.ID.String() + "/accept": {},
		} {
			form.Set("_csrf", csrf)
			if resp, _ := b.Post(path, form); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another client's POST %s: %d", path, resp.StatusCode)
			}
		}
		if _, page := b.Get("/portal/contracts"); !strings.Contains(page, `data-testid="no-contracts"`) || strings.Contains(page, "Teranga") {
			t.Errorf("another client sees the contract")
		}
		// An offer of another campaign is not found through this one.
		mine := e.Org(tenancy.KindClient, "Third", "FR")
		theirs := platformtest.Must(e.P.Services.Campaigns.Create(platformtest.As(mine.Org),
			campaign.Input{Name: "x", Kind: "survey", Audience: "b2c", Country: "FR", Languages: []string{"fr"}}))(t)
		third := signIn(e, mine.Owner.Email, mine.Password)
		_, page := third.Get("/portal/campaigns")
		resp, _ := third.Post("/portal/campaigns/"+theirs.ID.String()+"/offers/"+m.atlasOffer.ID.String()+"/accept",
			url.Values{"_csrf": {platformtest.CSRF(t, page)}})
		wantStatus(t, "accepting another client's offer through one's campaign", resp, "", http.StatusNotFound)

		if k := platformtest.Must(e.P.Services.Campaigns.Get(platformtest.As(m.client.Org), m.campaign.ID))(t); k.Status != campaign.Open || k.Name != "Relance paniers" {
			t.Errorf("the campaign changed: %+v", k)
		}

		center := signIn(e, m.atlas.Owner.Email, m.atlas.Password)
		for _, path := range []string{"/portal/campaigns", detail, "/portal/contracts"} {
			if resp, _ := center.Get(path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("a center's GET %s: %d", path, resp.StatusCode)
			}
		}
	})
}

package center_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/money"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// publish creates a client's campaign and publishes it.
func publish(t *testing.T, e *platformtest.Env, client tenancy.Org, in campaign.Input) campaign.Campaign {
	t.Helper()
	ctx := platformtest.As(client)
	k := platformtest.Must(e.P.Services.Campaigns.Create(ctx, in))(t)
	return platformtest.Must(e.P.Services.Campaigns.Move(ctx, k.ID, campaign.Publish))(t)
}

// offer has a center answer a campaign request with offerIn.
func offer(t *testing.T, e *platformtest.Env, center tenancy.Org, campaignID uuid.UUID) market.Offer {
	t.Helper()
	sent := platformtest.Must(e.P.Services.Market.SubmitOffer(platformtest.As(center), campaignID, offerIn()))(t)
	return sent.Offers[0].Offer
}

func carts() campaign.Input {
	start := time.Now().AddDate(0, 0, 10)
	return campaign.Input{Name: "Relance paniers abandonnés", Kind: "customer_care", Audience: "b2c", Country: "FR",
		Languages: []string{"fr"}, StartsOn: &start, TargetOutcome: "sale", Volume: 4000, DialingMode: "progressive"}
}

func offerIn() market.OfferInput {
	start := time.Now().AddDate(0, 0, 10)
	return market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerMinute: 420_000, Minimum: 30, Increment: 6,
		PerOutcome: map[string]int64{"sale": 9 * money.Micro}}, Seats: 12, Languages: []string{"fr"}, StartsOn: &start}
}

func centerOffers(t *testing.T, e *platformtest.Env, center tenancy.Org) []store.CenterOffer {
	t.Helper()
	l, _, err := e.P.Services.CenterViews.Offers(platformtest.As(center), store.Page{})
	return platformtest.Must(l, err)(t)
}

func has(t *testing.T, what, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text(page), w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func lacks(t *testing.T, what, page string, gones ...string) {
	t.Helper()
	for _, g := range gones {
		if strings.Contains(text(page), g) {
			t.Errorf("%s shows %q", what, g)
		}
	}
}

func TestACenterBrowsesRequestsAndSendsAnOffer(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		client := e.Org(tenancy.KindClient, "Maison Lumière", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		teranga := e.Org(tenancy.KindCenter, "Teranga", "SN")
		x := publish(t, e, client.Org, carts())
		survey := carts()
		survey.Name, survey.Kind, survey.Languages, survey.TargetOutcome = "Enquête satisfaction", "survey", []string{"en", "wo"}, ""
		survey.RecordCalls = true // the centers read it before they offer
		publish(t, e, client.Org, survey)
		draft := carts()
		draft.Name = "Brouillon secret"
		platformtest.Must(e.P.Services.Campaigns.Create(platformtest.As(client.Org), draft))(t)

		b := e.Browser()
		b.Login(atlas.Owner.Email, atlas.Password)
		resp, page := b.Get("/center/requests")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("requests: %d\n%s", resp.StatusCode, page)
		}
		has(t, "the requests", page, "Relance paniers abandonnés", "Enquête satisfaction", "Relation client", "Particuliers (B2C)",
			"Anglais, Wolof", "4\u202f000 contacts", "Vente", `href="/center/requests/`+x.ID.String()+`"`,
			"<dt>Enregistrement des appels</dt><dd>Oui : la personne appelée en est prévenue au début de l'appel</dd>",
			"<dt>Enregistrement des appels</dt><dd>Non</dd>")
		lacks(t, "the requests", page, "Brouillon secret", "Offre envoyée")
		_, page = b.Get("/center/requests?language=wo")
		has(t, "the Wolof requests", page, "Enquête satisfaction", `<option value="wo" selected>`)
		lacks(t, "the Wolof requests", page, "Relance paniers")
		_, page = b.Get("/center/requests?kind=customer_care")
		has(t, "the customer care requests", page, "Relance paniers")
		lacks(t, "the customer care requests", page, "Enquête satisfaction")
		_, page = b.Get("/center/requests?language=%25")
		has(t, "a bad filter", page, "Ce filtre est inconnu", "Relance paniers", "Enquête satisfaction")

		resp, page = b.Get("/center/requests/" + x.ID.String())
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the request: %d\n%s", resp.StatusCode, page)
		}
		has(t, "the request", page, "Le cahier des charges", "Faire une offre", `name="rate_card.per_outcome.sale"`,
			`<option value="EUR" selected>`, `name="rate_card.minimum_seconds" value="30"`)

		// A negative price, seats that are no number and a date that is no
		// date: each named beside its input, what was typed kept, nothing saved.
		form := url.Values{"_csrf": {platformtest.CSRF(t, page)}, "rate_card.currency": {"EUR"}, "rate_card.per_minute": {"-0,45"},
			"rate_card.minimum_seconds": {"30"}, "rate_card.increment_seconds": {"6"}, "rate_card.per_outcome.sale": {"9,5"},
			"rate_card.per_attempt": {"0,1,2"}, "seats": {"douze"}, "hours": {"lun–ven 9h–20h"}, "languages": {"fr"},
			"starts_on": {"15/09/2026"}, "message": {"Équipe dédiée <e-commerce>"}}
		resp, page = b.Post("/center/requests/"+x.ID.String()+"/offer", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a negative price: %d\n%s", resp.StatusCode, page)
		}
		for name, want := range map[string]string{
			"rate_card.per_minute":  "ne peut pas être négatif",
			"rate_card.per_attempt": "écrivez un montant comme",
		} {
			if m := regexp.MustCompile(`data-testid="error-` + regexp.QuoteMeta(name) + `" data-field="[^"]*">([^<]*)<`).FindStringSubmatch(text(page)); m == nil || !strings.HasPrefix(m[1], want) {
				t.Errorf("the error beside %s: %v, want %q", name, m, want)
			}
		}
		has(t, "the refused form", page, `data-field="seats">doit être un nombre entier`, `data-field="starts_on">doit être une date`,
			`value="-0,45"`, `value="9,5"`, `value="0,1,2"`, `value="douze"`, `value="lun–ven 9h–20h"`, `value="15/09/2026"`,
			"Équipe dédiée <e-commerce></textarea>", `value="fr" checked`)
		if n := len(centerOffers(t, e, atlas.Org)); n != 0 {
			t.Fatalf("a refused offer saved %d offers", n)
		}

		// Corrected, it is sent, and the center finds it among its offers.
		form.Set("_csrf", platformtest.CSRF(t, page))
		form.Set("rate_card.per_minute", "0,42")
		form.Set("rate_card.per_attempt", "")
		form.Set("seats", "12")
		form.Set("starts_on", time.Now().AddDate(0, 0, 10).Format(time.DateOnly))
		resp, page = b.Post("/center/requests/"+x.ID.String()+"/offer", form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/center/offers" {
			t.Fatalf("a good offer: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
		}
		saved := centerOffers(t, e, atlas.Org)
		if len(saved) != 1 || saved[0].RateCard.PerMinute != 420_000 || saved[0].RateCard.PerOutcome["sale"] != 9_500_000 ||
			saved[0].RateCard.PerAttempt != 0 || saved[0].Seats != 12 || saved[0].Message != "Équipe dédiée <e-commerce>" {
			t.Fatalf("the saved offer: %+v", saved)
		}
		_, page = b.Get("/center/offers")
		lacks(t, "our offers", page, `data-testid="closed"`)
		has(t, "our offers", page, "Votre offre pour « Relance paniers abandonnés » a été envoyée.", "Relance paniers abandonnés",
			"Client : Maison Lumière", "0,42\u00a0€ (minimum 30 s, puis par tranches de 6 s)", "Par résultat : Vente", "9,50\u00a0€",
			"Soumise", "lun–ven 9h–20h", `href="/center/requests/`+x.ID.String()+`"`)
		_, page = b.Get("/center/requests")
		if strings.Count(page, `data-testid="offered"`) != 1 {
			t.Errorf("the requests do not mark the one answered:\n%s", page)
		}
		_, page = b.Get("/center/requests/" + x.ID.String())
		has(t, "the answered request", page, "Notre offre", "0,42\u00a0€")
		lacks(t, "the answered request", page, "Faire une offre")

		// Sending again (another tab) is refused, the offer unchanged.
		form.Set("rate_card.per_minute", "0,10")
		resp, page = b.Post("/center/requests/"+x.ID.String()+"/offer", form)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, `data-testid="refusal"`) {
			t.Fatalf("a second offer: %d\n%s", resp.StatusCode, page)
		}
		if saved := centerOffers(t, e, atlas.Org); len(saved) != 1 || saved[0].RateCard.PerMinute != 420_000 {
			t.Fatalf("the second offer changed things: %+v", saved)
		}

		// Another center sees none of it.
		tb := e.Browser()
		tb.Login(teranga.Owner.Email, teranga.Password)
		_, page = tb.Get("/center/offers")
		has(t, "Teranga's offers", page, "Votre centre n'a encore fait aucune offre.")
		lacks(t, "Teranga's offers", page, "0,42")
		_, page = tb.Get("/center/requests")
		lacks(t, "Teranga's requests", page, "Offre envoyée")
		_, page = tb.Get("/center/requests/" + x.ID.String())
		has(t, "the request to Teranga", page, "Faire une offre")
		lacks(t, "the request to Teranga", page, "0,42")

		// A client is not a center; a malformed or unknown id is not found.
		cb := e.Browser()
		cb.Login(client.Owner.Email, client.Password)
		if resp, _ := cb.Get("/center/requests"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a client opening the requests: %d", resp.StatusCode)
		}
		for _, path := range []string{"/center/requests/nope", "/center/requests/" + uuid.NewString()} {
			if resp, _ := b.Get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
			}
		}
	})
}

func TestRolesOfTheCenterAdmin(t *testing.T) {
	e := platformtest.New(t)
	client := e.Org(tenancy.KindClient, "Maison Lumière", "FR")
	atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
	x := publish(t, e, client.Org, carts())
	e.Member(atlas.Org, "sup@atlas.test", "supervisor", "supervisor password")
	e.Member(atlas.Org, "qa@atlas.test", "qa", "quality password")
	e.Member(atlas.Org, "agent@atlas.test", "agent", "agent password")

	// A supervisor answers requests; QA neither browses them nor answers
	// them (requests:read and offers:write are the owner's and the
	// supervisors'), yet opens the contracts, without their prices; an
	// agent works from the agent workspace, not from here.
	sup := e.Browser()
	sup.Login("sup@atlas.test", "supervisor password")
	_, page := sup.Get("/center/requests/" + x.ID.String())
	has(t, "the supervisor's request", page, "Faire une offre")
	qa := e.Browser()
	qa.Login("qa@atlas.test", "quality password")
	for _, path := range []string{"/center/requests", "/center/requests/" + x.ID.String(), "/center/offers"} {
		if resp, _ := qa.Get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("QA opening %s: %d, want 403", path, resp.StatusCode)
		}
	}
	resp, page := qa.Get("/center")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("QA's landing page: %d", resp.StatusCode)
	}
	lacks(t, "QA's navigation", page, `href="/center/requests"`, `href="/center/offers"`)
	has(t, "QA's navigation", page, `href="/center/contracts"`)
	if resp, _ := qa.Post("/center/requests/"+x.ID.String()+"/offer", url.Values{"_csrf": {platformtest.CSRF(t, page)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("QA sending an offer: %d", resp.StatusCode)
	}
	agent := e.Browser()
	agent.Login("agent@atlas.test", "agent password")
	for _, path := range []string{"/center/requests", "/center/offers", "/center/contracts"} {
		if resp, _ := agent.Get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("an agent opening %s: %d", path, resp.StatusCode)
		}
	}
}

// TestTheOwnerConfirmsAContractOnceTheProfileAllowsIt walks a contract
// from the client's acceptance to the campaign brief, with a second center
// that never sees it.
func TestTheOwnerConfirmsAContractOnceTheProfileAllowsIt(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		client := e.Org(tenancy.KindClient, "Maison Lumière", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		teranga := e.Org(tenancy.KindCenter, "Teranga", "SN")
		e.Member(atlas.Org, "sup@atlas.test", "supervisor", "supervisor password")
		e.Member(atlas.Org, "qa@atlas.test", "qa", "quality password")
		x := publish(t, e, client.Org, carts())
		other := carts()
		other.Name = "Autre campagne"
		y := publish(t, e, client.Org, other)
		atlasOffer := offer(t, e, atlas.Org, x.ID)
		offer(t, e, teranga.Org, x.ID)
		contract := platformtest.Must(e.P.Services.Market.Accept(platformtest.As(client.Org), x.ID, atlasOffer.ID))(t)
		platformtest.Must(e.P.Services.Scripts.Save(platformtest.As(client.Org), x.ID, script.Script{Start: "hello", Nodes: map[string]script.Node{
			"hello": {Kind: script.KindSay, Title: "Accueil", Text: "Bonjour {{lead.first_name}}, ici {{agent.first_name}} de {{client.name}}.", Next: "cart"},
			"cart": {Kind: script.KindAsk, Title: "Le panier", Text: "Souhaitez-vous finaliser votre commande ?", Answers: []script.Answer{
				{Label: "Oui", Next: "sale"}, {Label: "Non merci", Next: "refused"}}},
			"no_time": {Kind: script.KindObjection, Title: "Pas le temps", Text: "Une minute suffit.", Next: "cart"},
			"sale":    {Kind: script.KindOutcome, Text: "Merci !", Disposition: script.Sale},
			"refused": {Kind: script.KindOutcome, Disposition: script.Refused},
		}}))(t)
		brief := "/center/campaigns/" + x.ID.String()
		confirm := "/center/contracts/" + contract.ID.String() + "/confirm"
		status := func() market.ContractStatus {
			list := platformtest.Must(e.P.Services.Market.Contracts(platformtest.As(atlas.Org)))(t)
			if len(list) != 1 {
				t.Fatalf("Atlas's contracts: %+v", list)
			}
			return list[0].Status
		}

		// The supervisor sees the pending contract; the owner confirms.
		sup := e.Browser()
		sup.Login("sup@atlas.test", "supervisor password")
		_, page := sup.Get("/center/contracts")
		has(t, "the supervisor's contracts", page, "Relance paniers abandonnés", "Client : Maison Lumière",
			"En attente de confirmation", "Le responsable du centre confirme les contrats.")
		lacks(t, "the supervisor's contracts", page, `data-testid="confirm"`)
		if resp, _ := sup.Post(confirm, url.Values{"_csrf": {platformtest.CSRF(t, page)}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a supervisor confirming: %d", resp.StatusCode)
		}

		// Atlas, in Morocco, may not take French leads yet: the page says
		// so before and after the owner tries, and nothing changes.
		b := e.Browser()
		b.Login(atlas.Owner.Email, atlas.Password)
		_, page = b.Get("/center/contracts")
		has(t, "the owner's contracts", page, `data-testid="confirm"`, `data-testid="dp-blocked"`,
			"les clauses contractuelles types signées", `href="/center/data-protection"`)
		resp, page := b.Post(confirm, url.Values{"_csrf": {platformtest.CSRF(t, page)}})
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("confirming without a profile: %d\n%s", resp.StatusCode, page)
		}
		has(t, "the refusal", page, `data-testid="confirm-refused"`, "Le contrat n'a pas pu être activé",
			"la référence CNDP (déclaration ou autorisation)", `href="/center/data-protection"`)
		if s := status(); s != market.ContractPending {
			t.Fatalf("a refused confirmation left the contract %s", s)
		}
		if resp, _ := b.Get(brief); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the brief of a pending contract: %d", resp.StatusCode)
		}

		// Teranga never sees Atlas's contract, nor may it confirm it.
		tb := e.Browser()
		tb.Login(teranga.Owner.Email, teranga.Password)
		_, page = tb.Get("/center/contracts")
		has(t, "Teranga's contracts", page, "Aucun contrat pour l'instant")
		lacks(t, "Teranga's contracts", page, "Relance paniers")
		if resp, _ := tb.Post(confirm, url.Values{"_csrf": {platformtest.CSRF(t, page)}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another center confirming: %d", resp.StatusCode)
		}

		// With its profile complete and verified, Atlas confirms and lands
		// on the brief.
		signed, expires := time.Now().AddDate(-1, 0, 0), time.Now().AddDate(1, 0, 0)
		platformtest.Must(e.P.Services.Compliance.SaveCenterProfile(platformtest.As(atlas.Org), compliance.CenterProfile{SCCSignedAt: &signed,
			SCCModule: "2", TIAOnFile: true, AuthorityRef: "D-GC-1", AuthorityExpiresAt: &expires}))(t)
		verify(t, e, atlas.Org.ID)
		_, page = b.Get("/center/contracts")
		lacks(t, "the contracts with a verified profile", page, `data-testid="dp-blocked"`)
		resp, page = b.Post(confirm, url.Values{"_csrf": {platformtest.CSRF(t, page)}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != brief {
			t.Fatalf("confirming: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
		}
		if s := status(); s != market.ContractActive {
			t.Fatalf("the confirmed contract is %s", s)
		}
		resp, page = b.Get(brief)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the brief: %d\n%s", resp.StatusCode, page)
		}
		has(t, "the brief", page, "Le contrat est actif", "Client : Maison Lumière", "Contractualisée", "0,42\u00a0€",
			"12 postes", "Argumentaire", "Bonjour [Prénom du contact], ici [Prénom de l'agent] de Maison Lumière.",
			"Souhaitez-vous finaliser votre commande ?", `<span class="node-answer">Oui</span> → <a href="#node-sale">Issue`+"\u00a0"+`: Vente</a>`,
			`id="node-no_time"`, `<a href="#node-no_time">Pas le temps</a>`, "Enregistre le résultat :", "Vente", "Pas intéressé",
			`href="`+brief+`/leads"`)
		if i, j := strings.Index(page, `id="node-hello"`), strings.Index(page, `id="node-cart"`); i < 0 || j < i {
			t.Errorf("the script does not start with its start node")
		}
		_, page = b.Get("/center/contracts")
		has(t, "the active contract", page, "Actif", `href="`+brief+`"`)
		lacks(t, "the active contract", page, `data-testid="confirm"`)

		// QA reads the brief and the contracts, without their prices
		// (prices:read); a campaign without Atlas's contract is not found,
		// open request or not; Teranga does not see the brief.
		qa := e.Browser()
		qa.Login("qa@atlas.test", "quality password")
		resp, page = qa.Get(brief)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("QA reading the brief: %d", resp.StatusCode)
		}
		has(t, "QA's brief", page, "Bonjour [Prénom du contact]", "12 postes")
		lacks(t, "QA's brief", page, "0,42", "9,00")
		resp, page = qa.Get("/center/contracts")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("QA reading the contracts: %d", resp.StatusCode)
		}
		has(t, "QA's contracts", page, "Relance paniers abandonnés", `href="`+brief+`"`)
		lacks(t, "QA's contracts", page, "0,42", "9,00", `data-testid="confirm"`)
		if resp, _ := b.Get("/center/campaigns/" + y.ID.String()); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the brief of an open request: %d", resp.StatusCode)
		}
		for _, path := range []string{brief, "/center/requests/" + x.ID.String()} {
			if resp, page := tb.Get(path); resp.StatusCode != http.StatusNotFound || strings.Contains(page, "Bonjour") {
				t.Errorf("Teranga opening %s: %d", path, resp.StatusCode)
			}
		}
		// Teranga's own offer names the campaign still, without a link.
		_, page = tb.Get("/center/offers")
		has(t, "Teranga's offers", page, "Relance paniers abandonnés", "Soumise", "Cette campagne ne reçoit plus d'offres.")
		lacks(t, "Teranga's offers", page, `href="/center/requests/`+x.ID.String()+`"`)
	})
}

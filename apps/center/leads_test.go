package center_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// genevaLeads are the leads of a Swiss campaign (no EU personal data: the
// contract needs no data-protection profile); the last number is on the
// client's opt-out list.
const genevaLeads = "Téléphone;Nom;Prénom;Email;Ville\n" +
	"+41 22 345 67 89;Favre;Léa;lea.favre@example.ch;Genève\n" +
	"+41 22 345 67 88;Rochat;Marc;marc.rochat@example.ch;Carouge\n"

// leadsOf imports a file into a client's campaign, as detected, and runs
// the import as the worker would.
func leadsOf(t *testing.T, e *platformtest.Env, client tenancy.Org, campaignID uuid.UUID, file string) {
	t.Helper()
	leads, ctx := e.P.Services.Leads, platformtest.As(client)
	im := platformtest.Must(leads.Upload(ctx, campaignID, "leads.csv", strings.NewReader(file)))(t)
	platformtest.Must(leads.Start(ctx, im.ID, leadfile.Mapping{}))(t)
	if err := leads.RunImport(ctx, uuid.Nil, im.ID); err != nil {
		t.Fatal(err)
	}
}

var maskedPhone = regexp.MustCompile(`data-testid="masked-phone">([^<]*)<`)

// TestACenterReadsAContractedCampaignsLeadsMasked: the center holding the
// active contract reads the leads with their numbers masked and no email,
// searches them by name but never by number, filters them; a center
// without a contract, and the same center on another campaign, find
// nothing.
func TestACenterReadsAContractedCampaignsLeadsMasked(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		client := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		teranga := e.Org(tenancy.KindCenter, "Teranga", "SN")
		geneva := publish(t, e, client.Org, campaign.Input{Name: "Relance Genève", Kind: "customer_care", Audience: "b2c",
			Country: "CH", Languages: []string{"fr"}, Volume: 100})
		other := publish(t, e, client.Org, campaign.Input{Name: "Relance Lausanne", Kind: "customer_care", Audience: "b2c",
			Country: "CH", Languages: []string{"fr"}, Volume: 100})
		atlasOffer := offer(t, e, atlas.Org, geneva.ID)
		platformtest.Must(e.P.Services.Compliance.AddSuppressions(platformtest.As(client.Org), "CH",
			[]compliance.NewSuppression{{Phone: "+41 22 345 67 88", Reason: "stop"}}))(t)
		contract := platformtest.Must(e.P.Services.Market.Accept(platformtest.As(client.Org), geneva.ID, atlasOffer.ID))(t)
		platformtest.Must(e.P.Services.Market.Confirm(platformtest.As(atlas.Org), contract.ID))(t)
		leadsOf(t, e, client.Org, geneva.ID, genevaLeads)
		leadsOf(t, e, client.Org, other.ID, "Téléphone;Nom\n+41 21 345 67 87;Secret\n")
		path := "/center/campaigns/" + geneva.ID.String() + "/leads"

		b := e.Browser()
		b.Login(atlas.Owner.Email, atlas.Password)
		resp, page := b.Get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the contracted center's leads: %d\n%s", resp.StatusCode, page)
		}
		has(t, "the leads", page, "Léa Favre", "Marc Rochat", "Genève", "Relance Genève")
		masked := maskedPhone.FindAllStringSubmatch(page, -1)
		if len(masked) != 2 {
			t.Fatalf("%d masked numbers, want 2", len(masked))
		}
		for _, m := range masked {
			// "+41 2• ••• •• 89": the country, the first digit and the last two.
			n := text(m[1])
			if digits := regexp.MustCompile(`[0-9]`).FindAllString(strings.TrimPrefix(n, "+41"), -1); !strings.HasPrefix(n, "+41 2•") || len(digits) != 3 {
				t.Errorf("the number %q is not masked", n)
			}
		}
		lacks(t, "the leads", page, "+41223456789", "+41223456788", "345 67", "22 345", "example.ch", "Secret")
		if _, page := b.Get(path + "?status=blocked"); !strings.Contains(text(page), "Marc Rochat") || strings.Contains(text(page), "Léa Favre") ||
			!strings.Contains(text(page), "Sur votre liste d'opposition") {
			t.Errorf("the blocked filter:\n%s", page)
		}
		if _, page := b.Get(path + "?q=fav"); !strings.Contains(text(page), "Léa Favre") || strings.Contains(text(page), "Marc Rochat") {
			t.Errorf("a search by name:\n%s", page)
		}
		for _, q := range []string{"%2B41223456789", "0223456789", "22+345"} {
			if _, page := b.Get(path + "?q=" + q); strings.Contains(page, `data-testid="lead-row"`) {
				t.Errorf("a search by the number %s finds leads", q)
			}
		}
		// A number written in a name, a company or a city is masked too.
		leadsOf(t, e, client.Org, geneva.ID, "Téléphone;Nom;Société;Ville\n"+
			"+41 22 345 67 80;Perret 079 123 45 67;Garage (tél 022 345 67 81);Genève 022.345.67.82\n")
		_, page = b.Get(path + "?q=perret")
		has(t, "numbers in texts", page, "Perret ••• ••• •• 67", "Garage (tél ••• ••• •• 81)", "Genève •••.•••.••.82")
		lacks(t, "numbers in texts", page, "123 45", "345 67 81", "345.67")
		if _, page := b.Get("/center/campaigns/" + geneva.ID.String()); !strings.Contains(page, `href="`+path+`"`) {
			t.Errorf("the brief does not link the leads")
		}

		for _, p := range []string{"/center/campaigns/" + other.ID.String() + "/leads", "/center/campaigns/" + uuid.NewString() + "/leads",
			"/center/campaigns/not-an-id/leads"} {
			if resp, page := b.Get(p); resp.StatusCode != http.StatusNotFound || strings.Contains(page, "Secret") {
				t.Errorf("the contracted center's GET %s: %d", p, resp.StatusCode)
			}
		}
		stranger := e.Browser()
		stranger.Login(teranga.Owner.Email, teranga.Password)
		if resp, page := stranger.Get(path); resp.StatusCode != http.StatusNotFound || strings.Contains(text(page), "Favre") {
			t.Errorf("a center without a contract reads the leads: %d", resp.StatusCode)
		}
		e.Member(atlas.Org, "agent@atlas.test", string(tenancy.RoleAgent), "agent password")
		agent := e.Browser()
		agent.Login("agent@atlas.test", "agent password")
		if resp, _ := agent.Get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("an agent opens the center's lead list: %d", resp.StatusCode)
		}
	})
}

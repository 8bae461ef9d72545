package center_test

import (
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestTheBriefSaysWhyTheCallsAreHeld: when every trunk of the center
// refused the campaign's calls, its pacer holds them, and the brief says
// until when and why, in French, with a link to the trunks for those who
// keep them; once the pacer dials again, the notice is gone.
func TestTheBriefSaysWhyTheCallsAreHeld(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		client := e.Org(tenancy.KindClient, "Maison Lumière", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		x := publish(t, e, client.Org, campaign.Input{Name: "Relance Genève", Kind: "customer_care", Audience: "b2c",
			Country: "CH", Languages: []string{"fr"}, Volume: 100})
		contract := platformtest.Must(e.P.Services.Market.Accept(platformtest.As(client.Org), x.ID, offer(t, e, atlas.Org, x.ID).ID))(t)
		platformtest.Must(e.P.Services.Market.Confirm(platformtest.As(atlas.Org), contract.ID))(t)
		pacer := platformtest.As(client.Org)
		if paced := platformtest.Must(e.P.Services.Execution.Pace(pacer, x.ID, "host:1", time.Minute))(t); !paced {
			t.Fatal("the pacer lease was not taken")
		}
		refused := apperr.New(apperr.Unavailable, "routing.refused",
			"every trunk of the center refused the call or rests after failing one (%s)", "Main: 503 Service Unavailable")
		if err := e.P.Services.Execution.Hold(pacer, x.ID, "host:1", time.Now().Add(30*time.Second), refused); err != nil {
			t.Fatal(err)
		}
		brief := "/center/campaigns/" + x.ID.String()
		b := e.Browser()
		b.Login(atlas.Owner.Email, atlas.Password)
		_, page := b.Get(brief)
		has(t, "the held brief", text(page), `data-testid="held"`, "Les appels sont suspendus jusqu'à",
			"tous les trunks du centre ont refusé l'appel ou se reposent après en avoir échoué un (Main: 503 Service Unavailable)")
		has(t, "the held brief, to a floor manager", page, `<a href="/center/trunks" data-testid="held-trunks">Vérifier les lignes SIP du centre</a>`)
		e.Member(atlas.Org, "qa@atlas.test", "qa", "quality password")
		qa := e.Browser()
		qa.Login("qa@atlas.test", "quality password")
		_, page = qa.Get(brief)
		has(t, "the held brief, to quality staff", page, `data-testid="held"`)
		lacks(t, "the held brief, to quality staff", page, `data-testid="held-trunks"`)
		if err := e.P.Services.Execution.Hold(pacer, x.ID, "host:1", time.Time{}, nil); err != nil {
			t.Fatal(err)
		}
		_, page = b.Get(brief)
		lacks(t, "the brief once the pacer dials again", page, `data-testid="held"`)
	})
}

package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestTheClientSaysWhetherACampaignRecordsItsCalls: the wizard asks
// whether the calls are recorded, saying the callee is told; a draft
// keeps the answer and its edit changes it; once published, the
// campaign's page turns it on and off for whoever writes campaigns — not
// an analyst, not another client.
func TestTheClientSaysWhetherACampaignRecordsItsCalls(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		e.Member(ml.Org, "analyst@ml.test", string(tenancy.RoleAnalyst), "analyst password")
		owner := signIn(e, ml.Owner.Email, ml.Password)
		records := func(id string) bool {
			t.Helper()
			k, err := e.P.Services.Campaigns.Get(platformtest.As(ml.Org), uuid.MustParse(id))
			if err != nil {
				t.Fatal(err)
			}
			return k.RecordCalls
		}

		_, page := owner.Get("/portal/campaigns/new")
		for _, want := range []string{`name="record_calls" value="yes"`, "Enregistrer les appels",
			"La personne appelée est prévenue dès le début de l'appel que la conversation est enregistrée."} {
			if !strings.Contains(text(page), want) && !strings.Contains(page, want) {
				t.Errorf("the wizard lacks %q", want)
			}
		}
		if strings.Contains(page, `data-testid="record-calls" checked`) {
			t.Error("the wizard records calls unless told not to")
		}
		form := wizard()
		form.Set("record_calls", "yes")
		resp, page := post(t, owner, "/portal/campaigns/new", "/portal/campaigns", form)
		wantStatus(t, "create", resp, page, http.StatusSeeOther)
		detail := resp.Header.Get("Location")
		id := strings.TrimPrefix(detail, "/portal/campaigns/")
		if !records(id) {
			t.Fatal("a campaign created recording its calls does not record them")
		}
		_, page = owner.Get(detail)
		if !strings.Contains(text(page), "Oui : la personne appelée en est prévenue au début de l'appel") ||
			strings.Contains(page, `data-testid="recording-off"`) {
			t.Errorf("the draft's page does not say it records, or offers a second way to change it:\n%s", page)
		}
		_, page = owner.Get(detail + "/edit")
		if !strings.Contains(page, `data-testid="record-calls" checked`) {
			t.Error("the edit form does not show the recording on")
		}
		resp, page = post(t, owner, detail+"/edit", detail, wizard()) // the box left unticked
		wantStatus(t, "edit", resp, page, http.StatusSeeOther)
		if records(id) {
			t.Fatal("an edit without the box ticked left the recording on")
		}

		platformtest.Must(e.P.Services.Campaigns.Move(platformtest.As(ml.Org), uuid.MustParse(id), campaign.Publish))(t)
		_, page = owner.Get(detail)
		if !strings.Contains(page, `data-testid="recording-on"`) || !strings.Contains(text(page), "s'applique aux appels suivants") {
			t.Fatalf("the published campaign's page offers no way to record its calls:\n%s", page)
		}
		resp, page = post(t, owner, detail, detail+"/recording", url.Values{"record_calls": {"yes"}})
		wantStatus(t, "recording on", resp, page, http.StatusSeeOther)
		_, page = owner.Get(detail)
		if !records(id) || !strings.Contains(text(page), "sont désormais enregistrés") || !strings.Contains(page, `data-testid="recording-off"`) {
			t.Fatalf("turned on, the campaign records %v; its page:\n%s", records(id), page)
		}

		analyst := signIn(e, "analyst@ml.test", "analyst password")
		_, page = analyst.Get(detail)
		if strings.Contains(page, `data-testid="recording-off"`) {
			t.Error("the analyst is offered to stop the recording")
		}
		resp, _ = analyst.Post(detail+"/recording", url.Values{"_csrf": {platformtest.CSRF(t, page)}})
		wantStatus(t, "an analyst stopping the recording", resp, "", http.StatusForbidden)
		other := e.Org(tenancy.KindClient, "Boutique Soleil", "FR")
		b := signIn(e, other.Owner.Email, other.Password)
		_, own := b.Get("/portal/campaigns")
		resp, _ = b.Post(detail+"/recording", url.Values{"_csrf": {platformtest.CSRF(t, own)}})
		wantStatus(t, "another client stopping the recording", resp, "", http.StatusNotFound)
		if !records(id) {
			t.Fatal("a refused request stopped the recording")
		}
		resp, page = post(t, owner, detail, detail+"/recording", url.Values{})
		wantStatus(t, "recording off", resp, page, http.StatusSeeOther)
		if records(id) {
			t.Fatal("turned off, the campaign still records")
		}
	})
}

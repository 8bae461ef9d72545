package center_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// besides reads the problem shown beside the input name, "" for none.
func besides(page, name string) string {
	m := regexp.MustCompile(`data-testid="error-` + regexp.QuoteMeta(name) + `" data-field="` + regexp.QuoteMeta(name) + `">([^<]*)<`).
		FindStringSubmatch(text(page))
	if m == nil {
		return ""
	}
	return m[1]
}

func trunksOf(t *testing.T, e *platformtest.Env, center tenancy.Org) []store.Trunk {
	t.Helper()
	return platformtest.Must(e.P.Services.Trunks.List(platformtest.As(center)))(t)
}

// TestTheCenterOwnerKeepsItsTrunksOnTheirPage: from the navigation, the
// owner finds no trunk; a form with bad fields is refused, each problem in
// French beside its input, what was typed kept but the password, nothing
// saved; corrected, the trunk is added and listed without its password;
// a second trunk of the same name is refused beside the name; removing
// asks first, then takes the trunk out of the list.
func TestTheCenterOwnerKeepsItsTrunksOnTheirPage(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		b := e.Browser()
		b.Login(atlas.Owner.Email, atlas.Password)
		_, home := b.Get("/center")
		has(t, "the center's navigation", home, `<a href="/center/trunks" >Lignes SIP</a>`)

		resp, page := b.Get("/center/trunks")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET: %d\n%s", resp.StatusCode, page)
		}
		has(t, "the empty trunks page", page, "Lignes SIP", `data-testid="no-trunks"`, "Ajouter une ligne SIP",
			`<option value="udp" selected>UDP</option>`, `<option value="PCMA" selected>G.711 loi A</option>`)

		const secret = "s3cret-du-trunk"
		form := url.Values{"_csrf": {platformtest.CSRF(t, page)}, "name": {"  "}, "host": {"sip.maroc-telecom.ma"},
			"port": {"cinq mille"}, "transport": {"tls"}, "username": {""}, "password": {secret},
			"caller_ids": {"\r\n"}, "max_concurrent": {"0"}, "calls_per_second": {"deux"}, "codec": {"PCMU"}}
		resp, page = b.Post("/center/trunks", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a bad trunk: %d\n%s", resp.StatusCode, page)
		}
		for name, want := range map[string]string{
			"name":             "le trunk doit avoir un nom",
			"port":             "doit être un nombre entier (vous avez saisi «\u00a0cinq mille\u00a0»)",
			"username":         "un mot de passe demande son nom d'utilisateur",
			"caller_ids":       "au moins un numéro présenté est requis",
			"max_concurrent":   "doit permettre au moins un appel",
			"calls_per_second": "doit être un nombre, par exemple 2,5 (vous avez saisi «\u00a0deux\u00a0»)",
		} {
			if got := besides(page, name); got != want {
				t.Errorf("beside %s: %q, want %q", name, got, want)
			}
		}
		has(t, "the refused form", page, `value="sip.maroc-telecom.ma"`, `value="cinq mille"`, `value="deux"`,
			`<option value="tls" selected>TLS</option>`, `<option value="PCMU" selected>G.711 loi µ</option>`,
			"Saisissez à nouveau le mot de passe")
		lacks(t, "the refused form", page, secret)
		if n := len(trunksOf(t, e, atlas.Org)); n != 0 {
			t.Fatalf("a refused form saved %d trunks", n)
		}

		form.Set("_csrf", platformtest.CSRF(t, page))
		form.Set("name", " Maroc Telecom ")
		form.Set("port", "")
		form.Set("username", "atlas-tanger")
		form.Set("caller_ids", "+212539000001\r\n +212539000002 \r\n")
		form.Set("max_concurrent", "30")
		form.Set("calls_per_second", "2,5")
		if resp, page = b.Post("/center/trunks", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the corrected trunk: %d\n%s", resp.StatusCode, page)
		}
		saved := trunksOf(t, e, atlas.Org)
		if len(saved) != 1 || saved[0].Name != "Maroc Telecom" || saved[0].Transport != "tls" || saved[0].CallsPerSecond != 2.5 ||
			len(saved[0].CallerIDs) != 2 || saved[0].CallerIDs[1] != "+212539000002" || !saved[0].HasPassword || saved[0].Codec != "PCMU" {
			t.Fatalf("saved: %+v", saved)
		}
		_, page = b.Get("/center/trunks")
		has(t, "the trunks page", page, "La ligne « Maroc Telecom » est ajoutée.", `data-testid="trunk-name">Maroc Telecom<`,
			"sip.maroc-telecom.ma", "<dd>5061</dd>", "<dd>TLS</dd>", "<dd>atlas-tanger</dd>", "+212539000001, +212539000002",
			"30 appels", "2,5 par seconde", "Mot de passe enregistré", "G.711 loi µ")
		lacks(t, "the trunks page", page, secret, `data-testid="no-trunks"`, ">"+saved[0].ID.String()+"<")

		// The name is the center's one trunk's already: refused beside it.
		form.Set("_csrf", platformtest.CSRF(t, page))
		form.Set("password", "")
		form.Set("username", "")
		resp, page = b.Post("/center/trunks", form)
		if resp.StatusCode != http.StatusConflict || besides(page, "name") != "le centre a déjà un trunk nommé \"Maroc Telecom\"" {
			t.Fatalf("a second trunk of the name: %d, beside the name %q", resp.StatusCode, besides(page, "name"))
		}

		// Removing asks first; the trunk stays until the answer is yes.
		remove := "/center/trunks/" + saved[0].ID.String() + "/remove"
		resp, page = b.Post(remove, url.Values{"_csrf": {platformtest.CSRF(t, page)}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("remove: %d\n%s", resp.StatusCode, page)
		}
		has(t, "the removal's question", page, "Retirer la ligne « Maroc Telecom » ?", "sip.maroc-telecom.ma:5061 (TLS)",
			`name="confirm" value="yes"`)
		if n := len(trunksOf(t, e, atlas.Org)); n != 1 {
			t.Fatalf("asking removed the trunk: %d left", n)
		}
		if resp, page = b.Post(remove, url.Values{"_csrf": {platformtest.CSRF(t, page)}, "confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove, confirmed: %d\n%s", resp.StatusCode, page)
		}
		if n := len(trunksOf(t, e, atlas.Org)); n != 0 {
			t.Fatalf("the removed trunk is still in service: %d", n)
		}
		_, page = b.Get("/center/trunks")
		has(t, "the page after the removal", page, "La ligne « Maroc Telecom » est retirée.", `data-testid="no-trunks"`)
		if resp, _ := b.Post(remove, url.Values{"_csrf": {platformtest.CSRF(t, page)}, "confirm": {"yes"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("removing it again: %d, want 404", resp.StatusCode)
		}
	})
}

// TestOnlyFloorManagersKeepTrunks: the supervisor keeps the trunks as the
// owner does; quality staff, who use the center admin without directing
// the floor, neither see the page in the navigation nor open, add or
// remove a trunk.
func TestOnlyFloorManagersKeepTrunks(t *testing.T) {
	e := platformtest.New(t)
	teranga := e.Org(tenancy.KindCenter, "Teranga", "SN")
	e.Member(teranga.Org, "sup@teranga.test", "supervisor", "supervisor password")
	e.Member(teranga.Org, "qa@teranga.test", "qa", "quality password")
	trunk := platformtest.Must(e.P.Services.Trunks.Add(platformtest.As(teranga.Org), store.NewTrunk{Name: "Orange",
		Trunk: dialing.Trunk{Host: "sip.orange.sn", CallerIDs: []string{"+221330000001"}, MaxConcurrent: 4, CallsPerSecond: 1}}))(t)

	sup := e.Browser()
	sup.Login("sup@teranga.test", "supervisor password")
	resp, page := sup.Get("/center/trunks")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("supervisor: %d", resp.StatusCode)
	}
	has(t, "the supervisor's page", page, `href="/center/trunks"`, "Orange", "Sans mot de passe", `data-testid="trunk-form"`)

	qa := e.Browser()
	qa.Login("qa@teranga.test", "quality password")
	_, home := qa.Get("/center")
	lacks(t, "the quality staff's navigation", home, `href="/center/trunks"`)
	if resp, page := qa.Get("/center/trunks"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("QA reading: %d, want 403\n%s", resp.StatusCode, page)
	} else {
		has(t, "the refusal", page, "diriger le plateau")
	}
	csrf := platformtest.CSRF(t, home)
	if resp, _ := qa.Post("/center/trunks", url.Values{"_csrf": {csrf}, "name": {"Pirate"}, "host": {"sip.pirate.test"},
		"caller_ids": {"+221330000009"}, "max_concurrent": {"1"}, "calls_per_second": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("QA adding: %d, want 403", resp.StatusCode)
	}
	if resp, _ := qa.Post("/center/trunks/"+trunk.ID.String()+"/remove", url.Values{"_csrf": {csrf}, "confirm": {"yes"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("QA removing: %d, want 403", resp.StatusCode)
	}
	if got := trunksOf(t, e, teranga.Org); len(got) != 1 || got[0].Name != "Orange" {
		t.Errorf("after QA's tries: %+v", got)
	}
}

// TestACenterNeverSeesAnothersTrunks: Teranga's owner neither finds
// Atlas's trunk in its list nor removes it: it is not found (404), asked
// or confirmed, and stays in Atlas's service.
func TestACenterNeverSeesAnothersTrunks(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		teranga := e.Org(tenancy.KindCenter, "Teranga", "SN")
		theirs := platformtest.Must(e.P.Services.Trunks.Add(platformtest.As(atlas.Org), store.NewTrunk{Name: "Maroc Telecom",
			Trunk: dialing.Trunk{Host: "sip.maroc-telecom.ma", Username: "atlas", Password: "atlas secret",
				CallerIDs: []string{"+212539000001"}, MaxConcurrent: 30, CallsPerSecond: 2}}))(t)
		platformtest.Must(e.P.Services.Trunks.Add(platformtest.As(teranga.Org), store.NewTrunk{Name: "Orange",
			Trunk: dialing.Trunk{Host: "sip.orange.sn", CallerIDs: []string{"+221330000001"}, MaxConcurrent: 4, CallsPerSecond: 1}}))(t)

		b := e.Browser()
		b.Login(teranga.Owner.Email, teranga.Password)
		_, page := b.Get("/center/trunks")
		has(t, "Teranga's trunks", page, "Orange", "sip.orange.sn")
		lacks(t, "Teranga's trunks", page, "Maroc Telecom", "sip.maroc-telecom.ma", theirs.ID.String())
		remove := "/center/trunks/" + theirs.ID.String() + "/remove"
		for _, confirm := range []string{"", "yes"} {
			resp, refused := b.Post(remove, url.Values{"_csrf": {platformtest.CSRF(t, page)}, "confirm": {confirm}})
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("removing Atlas's trunk (confirm %q): %d, want 404", confirm, resp.StatusCode)
			}
			lacks(t, "the refusal", refused, "Maroc Telecom", "sip.maroc-telecom.ma")
		}
		if got := trunksOf(t, e, atlas.Org); len(got) != 1 || got[0].ID != theirs.ID {
			t.Errorf("Atlas's trunks after Teranga's tries: %+v", got)
		}
	})
}

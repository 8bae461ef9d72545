package portal_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// demoCampaigns seeds the demo tenants and returns the ids of Maison
// Lumière's campaigns by name: "Relance paniers abandonnés" has a script
// and Atlas Contact's active contract; Teranga has none.
func demoCampaigns(t *testing.T, e *platformtest.Env) map[string]uuid.UUID {
	t.Helper()
	if _, err := demo.Seed(context.Background(), e.P.DB, e.P.Services); err != nil {
		t.Fatal(err)
	}
	return clientCampaigns(t, e)
}

// clientCampaigns returns the ids of the campaigns of the only client org
// by name.
func clientCampaigns(t *testing.T, e *platformtest.Env) map[string]uuid.UUID {
	t.Helper()
	clients, err := e.P.DB.ListOrgs(context.Background(), tenancy.KindClient)
	if err != nil || len(clients) != 1 {
		t.Fatalf("client orgs %v: %v", clients, err)
	}
	ids := map[string]uuid.UUID{}
	list, _, err := e.P.Services.Campaigns.List(platformtest.As(clients[0]), store.Page{})
	for _, c := range platformtest.Must(list, err)(t) {
		ids[c.Name] = c.ID
	}
	return ids
}

// newCampaign creates a draft campaign of org, without a script.
func newCampaign(t *testing.T, e *platformtest.Env, org tenancy.Org) uuid.UUID {
	t.Helper()
	c := platformtest.Must(e.P.Services.Campaigns.Create(platformtest.As(org), campaign.Input{Name: "Relance", Kind: "customer_care",
		Audience: "b2c", Country: "FR", Languages: []string{"fr"}, TargetOutcome: "sale", Volume: 100, DialingMode: "preview"}))(t)
	return c.ID
}

// versions reads a campaign's script versions as its client.
func versions(t *testing.T, e *platformtest.Env, org tenancy.Org, id uuid.UUID) []script.Version {
	t.Helper()
	return platformtest.Must(e.P.Services.Scripts.Versions(platformtest.As(org), id))(t).Versions
}

var (
	formTag     = regexp.MustCompile(`(?s)<form [^>]*data-testid="script-form"[^>]*>(.*?)</form>`)
	inputTag    = regexp.MustCompile(`<input\s([^>]*)>`)
	textareaTag = regexp.MustCompile(`(?s)<textarea\s([^>]*)>(.*?)</textarea>`)
	selectTag   = regexp.MustCompile(`(?s)<select\s([^>]*)>(.*?)</select>`)
	optionTag   = regexp.MustCompile(`<option\s([^>]*)>`)
	attrOf      = regexp.MustCompile(`([a-z_-]+)(?:="([^"]*)")?`)
)

func attrs(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range attrOf.FindAllStringSubmatch(tag, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// editorForm reads the fields of the editor form as a browser would send
// them (without the op button): inputs, textareas, and each select's
// selected option or, failing one, its first.
func editorForm(t *testing.T, page string) url.Values {
	t.Helper()
	m := formTag.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no editor form on the page:\n%s", page)
	}
	form := m[1]
	v := url.Values{}
	for _, in := range inputTag.FindAllStringSubmatch(form, -1) {
		a := attrs(in[1])
		if a["name"] != "" && a["type"] != "file" {
			v.Add(a["name"], a["value"])
		}
	}
	for _, ta := range textareaTag.FindAllStringSubmatch(form, -1) {
		v.Add(attrs(ta[1])["name"], html.UnescapeString(ta[2]))
	}
	for _, sel := range selectTag.FindAllStringSubmatch(form, -1) {
		opts := optionTag.FindAllStringSubmatch(sel[2], -1)
		value := ""
		for i, o := range opts {
			a := attrs(o[1])
			if _, selected := a["selected"]; selected || i == 0 {
				value = a["value"]
			}
		}
		v.Add(attrs(sel[1])["name"], value)
	}
	return v
}

// nodeField names the field of the node whose id is id in a form read by
// editorForm ("n3.text").
func nodeField(t *testing.T, form url.Values, id, field string) string {
	t.Helper()
	for k, vs := range form {
		if strings.HasSuffix(k, ".id") && vs[0] == id {
			return strings.TrimSuffix(k, ".id") + "." + field
		}
	}
	t.Fatalf("no node %q in the form %v", id, form)
	return ""
}

// nodeAt is the position of node id in the form, as the selects name it.
func nodeAt(t *testing.T, form url.Values, id string) string {
	return strings.TrimPrefix(strings.TrimSuffix(nodeField(t, form, id, "id"), ".id"), "n")
}

// nodeSections are the cards of the nodes of id on the editor page, their
// HTML unescaped.
func nodeSections(page, id string) []string {
	var out []string
	re := regexp.MustCompile(`(?s)<section class="card script-node" id="n\d+" data-testid="node" data-node="` + regexp.QuoteMeta(id) + `">(.*?)</section>`)
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		out = append(out, text(m[1]))
	}
	return out
}

func TestScriptEditorBuildsAScriptFromFormsAndSavesIt(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		id := newCampaign(t, e, ml.Org)
		path := "/portal/campaigns/" + id.String() + "/script"
		b := signIn(e, ml.Owner.Email, ml.Password)

		resp, page := b.Get(path)
		wantStatus(t, "the editor of a campaign without a script", resp, page, http.StatusOK)
		if !strings.Contains(page, `data-testid="no-script"`) {
			t.Errorf("the editor does not say there is no script yet")
		}
		for _, v := range script.StandardVariables {
			if !strings.Contains(page, "<code>{{"+v+"}}</code>") {
				t.Errorf("the editor does not list the variable %s", v)
			}
		}

		// Fill the starter, add an ask node, rename the greeting: the
		// links follow, nothing is saved along the way.
		form := editorForm(t, page)
		form.Set(nodeField(t, form, "greeting", "text"), "Bonjour {{lead.first_name}}, {{agent.first_name}} de {{client.name}}.")
		form.Set(nodeField(t, form, "end", "disposition"), "sale")
		form.Set("new_kind", "ask")
		form.Set("op", "add")
		resp, page = b.Post(path, form)
		wantStatus(t, "add a node", resp, page, http.StatusOK)
		if !strings.Contains(page, `value="ask_3"`) || !strings.Contains(page, "Bonjour {{lead.first_name}}") {
			t.Fatalf("after adding a node the page lacks the new node or the text typed:\n%s", page)
		}
		if len(versions(t, e, ml.Org, id)) != 0 {
			t.Fatalf("adding a node saved the script")
		}
		form = editorForm(t, page)
		form.Set(nodeField(t, form, "greeting", "id"), "accueil")
		form.Set(nodeField(t, form, "accueil", "next"), nodeAt(t, form, "ask_3"))
		form.Set(nodeField(t, form, "ask_3", "text"), "Souhaitez-vous finaliser votre commande ?")
		form.Set(nodeField(t, form, "ask_3", "answers[0].label"), "Oui")
		form.Set(nodeField(t, form, "ask_3", "answers[0].next"), nodeAt(t, form, "end"))
		form.Set("op", "answer:"+nodeAt(t, form, "ask_3"))
		_, page = b.Post(path, form)
		form = editorForm(t, page)
		form.Set(nodeField(t, form, "ask_3", "answers[1].label"), "Non merci")
		form.Set("new_kind", "outcome")
		form.Set("op", "add")
		_, page = b.Post(path, form)
		form = editorForm(t, page)
		form.Set(nodeField(t, form, "outcome_4", "disposition"), "refused")
		form.Set(nodeField(t, form, "ask_3", "answers[1].next"), nodeAt(t, form, "outcome_4"))
		form.Set("op", "save")
		resp, page = b.Post(path, form)
		wantStatus(t, "save", resp, page, http.StatusSeeOther)

		vs := versions(t, e, ml.Org, id)
		if len(vs) != 1 {
			t.Fatalf("%d versions after saving", len(vs))
		}
		want := script.Script{Start: "accueil", Nodes: map[string]script.Node{
			"accueil": {Kind: script.KindSay, Text: "Bonjour {{lead.first_name}}, {{agent.first_name}} de {{client.name}}.", Next: "ask_3"},
			"ask_3": {Kind: script.KindAsk, Text: "Souhaitez-vous finaliser votre commande ?", Answers: []script.Answer{
				{Label: "Oui", Next: "end"}, {Label: "Non merci", Next: "outcome_4"}}},
			"end":       {Kind: script.KindOutcome, Disposition: script.Sale},
			"outcome_4": {Kind: script.KindOutcome, Disposition: script.Refused},
		}}
		if got := vs[0].Script; got.Hash() != want.Hash() {
			t.Errorf("saved %s\nwant  %s", got.Canonical(), want.Canonical())
		}
		_, page = b.Get(path)
		if !strings.Contains(text(page), "Version 1 de l'argumentaire enregistrée.") || !strings.Contains(page, `data-testid="script-version"`) {
			t.Errorf("the editor does not confirm the save:\n%s", page)
		}

		// Saving the same script again changes nothing.
		form = editorForm(t, page)
		form.Set("op", "save")
		if resp, page := b.Post(path, form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save again: %d\n%s", resp.StatusCode, page)
		}
		if _, page := b.Get(path); !strings.Contains(text(page), "Rien n'a changé : la version 1") {
			t.Errorf("saving the same script does not say nothing changed")
		}

		// Removing a node cuts the links to it and keeps the others.
		form = editorForm(t, page)
		form.Set("op", "remove:"+nodeAt(t, form, "end"))
		_, page = b.Post(path, form)
		form = editorForm(t, page)
		if got := form.Get(nodeField(t, form, "ask_3", "answers[0].next")); got != "" {
			t.Errorf("the answer to the removed node still leads to %q", got)
		}
		if got := form.Get(nodeField(t, form, "ask_3", "answers[1].next")); got != nodeAt(t, form, "outcome_4") {
			t.Errorf("the second answer leads to %q after the removal, want outcome_4 at %s", got, nodeAt(t, form, "outcome_4"))
		}
		// Removing the first answer moves the second up.
		form.Set("op", "unanswer:"+nodeAt(t, form, "ask_3")+":0")
		_, page = b.Post(path, form)
		form = editorForm(t, page)
		if got := form[nodeField(t, form, "ask_3", "answers[0].label")]; len(got) != 1 || got[0] != "Non merci" ||
			form.Get(nodeField(t, form, "ask_3", "answer_count")) != "1" {
			t.Errorf("after removing the first answer: %v", form)
		}
		if len(versions(t, e, ml.Org, id)) != 1 || versions(t, e, ml.Org, id)[0].Hash != want.Hash() {
			t.Errorf("editing without saving changed the saved script")
		}
	})
}

func TestInvalidScriptEditShowsEachProblemBesideItsFieldAndSavesNothing(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		id := demoCampaigns(t, e)["Relance paniers abandonnés"]
		ml := orgNamed(t, e, "Maison Lumière")
		path := "/portal/campaigns/" + id.String() + "/script"
		b := signIn(e, "julien.bernard@maison-lumiere.test", demo.Password)
		before := versions(t, e, ml, id)

		_, page := b.Get(path)
		form := editorForm(t, page)
		form.Set(nodeField(t, form, "panier", "text"), "Votre panier de {{lead.cart}} vous attend.")
		form.Set(nodeField(t, form, "interet", "answers[1].next"), "")
		form.Set(nodeField(t, form, "fin_refus", "disposition"), "")
		dup := nodeField(t, form, "obj_mail", "id")
		form.Set(dup, "obj_trop_cher")
		form.Set("new_kind", "say")
		form.Set("op", "add")
		_, page = b.Post(path, form)

		// Ids first: a node named like another is refused before anything else.
		form = editorForm(t, page)
		form.Set("op", "save")
		resp, page := b.Post(path, form)
		wantStatus(t, "save with two nodes of one id", resp, page, http.StatusUnprocessableEntity)
		if sec := nodeSections(page, "obj_trop_cher"); len(sec) != 2 || !strings.Contains(sec[1], "est déjà l'identifiant de l'étape") {
			t.Errorf("the repeated id is not shown beside the second node:\n%s", page)
		}

		form = editorForm(t, page)
		form.Set(dup, "obj_mail")
		form.Set("op", "save")
		resp, page = b.Post(path, form)
		wantStatus(t, "save an invalid script", resp, page, http.StatusUnprocessableEntity)
		for _, c := range []struct{ node, want string }{
			{"panier", "variable inconnue {{lead.cart}}"},
			{"interet", "indiquez l'étape qui suit"},
			{"fin_refus", "indiquez comment l'appel se termine"},
			{"say_20", "est inaccessible"},
		} {
			sec := nodeSections(page, c.node)
			if len(sec) != 1 || !strings.Contains(sec[0], c.want) {
				t.Errorf("node %s does not show %q:\n%s", c.node, c.want, sec)
			}
		}
		if !strings.Contains(page, `data-testid="script-problems"`) || !strings.Contains(page, `<a href="#n`) {
			t.Errorf("no summary of the problems with links to their nodes")
		}
		// The edits are kept, nothing is saved.
		if !strings.Contains(text(page), "Votre panier de {{lead.cart}} vous attend.") {
			t.Errorf("the refused page lost the text typed")
		}
		after := versions(t, e, ml, id)
		if len(after) != len(before) || after[0].Hash != before[0].Hash {
			t.Errorf("a refused save changed the versions: %d → %d", len(before), len(after))
		}
	})
}

// orgNamed finds an org by its name.
func orgNamed(t *testing.T, e *platformtest.Env, name string) tenancy.Org {
	t.Helper()
	orgs, err := e.P.DB.ListOrgs(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no org %q", name)
	return tenancy.Org{}
}

// Another client sees nothing of a campaign's script, centers are sent to
// their own brief, an analyst reads without editing.
func TestScriptPagesAreTheClients(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ids := demoCampaigns(t, e)
		carts := ids["Relance paniers abandonnés"]
		ml := orgNamed(t, e, "Maison Lumière")
		base := "/portal/campaigns/" + carts.String() + "/script"
		pages := []string{base, base + "/preview", base + "/versions", base + "/export"}
		saved := versions(t, e, ml, carts)[0].Hash

		rival := e.Org(tenancy.KindClient, "Rival", "FR")
		other := signIn(e, rival.Owner.Email, rival.Password)
		for _, p := range append(pages, "/portal/campaigns/"+uuid.NewString()+"/script", "/portal/campaigns/not-an-id/script") {
			resp, page := other.Get(p)
			wantStatus(t, "another client's GET "+p, resp, page, http.StatusNotFound)
			if strings.Contains(page, "identite") || strings.Contains(text(page), "Relance paniers") {
				t.Errorf("%s shows the other client's script to a rival", p)
			}
		}
		resp, page := post(t, other, "/portal", base, url.Values{"op": {"save"}, "nodes": {"1"}, "start": {"0"},
			"n0.id": {"x"}, "n0.kind": {"say"}, "n0.text": {"pwned"}, "n0.next": {"0"}})
		wantStatus(t, "another client saves", resp, page, http.StatusNotFound)
		resp, page = post(t, other, "/portal", base+"/import", url.Values{"json": {string(versions(t, e, ml, carts)[0].Script.Canonical())}})
		wantStatus(t, "another client imports", resp, page, http.StatusNotFound)

		// Centers read a contracted campaign's script in their own brief
		// (/center/campaigns/{id}); the portal is the client's.
		for _, email := range []string{"youssef.alami@atlas-contact.test", "aminata.diop@teranga-rc.test"} {
			center := signIn(e, email, demo.Password)
			for _, p := range pages {
				resp, page := center.Get(p)
				wantStatus(t, email+" GET "+p, resp, page, http.StatusForbidden)
				if strings.Contains(text(page), "Relance paniers") {
					t.Errorf("%s: the portal shows the script to a center", p)
				}
			}
		}

		analyst := signIn(e, "claire.dubois@maison-lumiere.test", demo.Password)
		_, page = analyst.Get(base)
		if strings.Contains(page, `data-testid="save"`) || !strings.Contains(page, `data-node="obj_barrage"`) {
			t.Errorf("the analyst does not read the script, or is offered to save it")
		}
		resp, page = post(t, analyst, base, base+"/import", url.Values{"json": {"{}"}})
		wantStatus(t, "the analyst imports", resp, page, http.StatusForbidden)

		if got := versions(t, e, ml, carts); len(got) != 1 || got[0].Hash != saved {
			t.Errorf("the script changed: %d versions", len(got))
		}
	})
}

func TestScriptImportIsStrictAndExportReadsBack(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ids := demoCampaigns(t, e)
		ml := orgNamed(t, e, "Maison Lumière")
		carts, meetings := ids["Relance paniers abandonnés"], ids["Rendez-vous architectes et décorateurs"]
		b := signIn(e, "sophie.martin@maison-lumiere.test", demo.Password)

		resp, body := b.Get("/portal/campaigns/" + carts.String() + "/script/export")
		wantStatus(t, "export", resp, body, http.StatusOK)
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="script-`+carts.String()+`-v1.json"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		exported, err := script.Parse([]byte(body))
		if err != nil || exported.Hash() != versions(t, e, ml, carts)[0].Hash {
			t.Fatalf("the export does not read back as the saved script: %v\n%s", err, body)
		}

		path := "/portal/campaigns/" + meetings.String() + "/script"
		before := versions(t, e, ml, meetings)
		for _, c := range []struct {
			name, json string
			want       []string
		}{
			{"not JSON", "Bonjour", []string{"le script n'est pas un objet JSON (erreur de syntaxe à l'octet 1)"}},
			{"strict", `{"start": "a", "nodes": {"a": {"kind": "say", "txt": "Bonjour", "next": "b"}, "a": {"kind": "outcome"}}, "version": 2}`,
				[]string{`data-field="nodes.a">`, "est donné deux fois", `data-field="nodes.a.txt">`, "n'est pas un champ d'une étape",
					`data-field="version">`, "n'est pas un champ d'un script"}},
		} {
			resp, page := post(t, b, path, path+"/import", url.Values{"json": {c.json}})
			wantStatus(t, "import "+c.name, resp, page, http.StatusUnprocessableEntity)
			if !strings.Contains(page, `data-testid="import-problems"`) {
				t.Errorf("import %s: no problems shown", c.name)
			}
			for _, w := range c.want {
				if !strings.Contains(text(page), w) {
					t.Errorf("import %s: the page lacks %q", c.name, w)
				}
			}
			if !strings.Contains(text(page), c.json) {
				t.Errorf("import %s: the JSON pasted is not kept", c.name)
			}
		}

		// A script that reads but does not validate goes to the editor,
		// each problem beside its field.
		resp, page := post(t, b, path, path+"/import", url.Values{"json": {`{"start": "a", "nodes": {"a": {"kind": "say", "text": "Bonjour", "next": "zzz"}}}`}})
		wantStatus(t, "import an invalid script", resp, page, http.StatusUnprocessableEntity)
		if sec := nodeSections(page, "a"); len(sec) != 1 || !strings.Contains(sec[0], "ne désigne aucune étape («\u00a0zzz\u00a0»)") {
			t.Errorf("the imported node does not show its dangling next:\n%s", page)
		}
		if after := versions(t, e, ml, meetings); len(after) != 1 || after[0].Hash != before[0].Hash {
			t.Errorf("a refused import changed the script")
		}

		// A valid file replaces the unused version.
		resp, page = upload(t, b, path, path+"/import", "carts.json", body)
		wantStatus(t, "import a file", resp, page, http.StatusSeeOther)
		after := versions(t, e, ml, meetings)
		if len(after) != 1 || after[0].Hash != exported.Hash() {
			t.Errorf("the import did not replace the unused version: %d versions", len(after))
		}
		if _, page := b.Get(path); !strings.Contains(text(page), "Version 1 de l'argumentaire mise à jour") {
			t.Errorf("the import is not confirmed")
		}
	})
}

var (
	answerLink    = regexp.MustCompile(`<a class="button" href="([^"]*)" data-testid="preview-(?:answer|continue)">([^<]*)</a>`)
	objectionLink = regexp.MustCompile(`<a class="button objection" href="([^"]*)" data-testid="preview-objection">([^<]*)</a>`)
	stepNode      = regexp.MustCompile(`data-testid="preview-step" data-node="([^"]*)"`)
	backLink      = regexp.MustCompile(`<a href="([^"]*)" data-testid="preview-back">`)
)

// follow clicks the link labelled label (a prefix) among links of the
// preview page and returns the next page.
func follow(t *testing.T, b *platformtest.Browser, path, page string, links *regexp.Regexp, label string) string {
	t.Helper()
	for _, m := range links.FindAllStringSubmatch(page, -1) {
		if strings.HasPrefix(text(m[2]), label) {
			resp, next := b.Get(path + text(m[1]))
			wantStatus(t, "follow "+label, resp, next, http.StatusOK)
			return next
		}
	}
	t.Fatalf("no link %q on the preview:\n%s", label, page)
	return ""
}

func at(t *testing.T, page string) string {
	t.Helper()
	m := stepNode.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no step on the preview:\n%s", page)
	}
	return m[1]
}

func TestPreviewWalksTheScriptAsAnAgentWould(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		carts := demoCampaigns(t, e)["Relance paniers abandonnés"]
		path := "/portal/campaigns/" + carts.String() + "/script/preview"
		b := signIn(e, "claire.dubois@maison-lumiere.test", demo.Password)

		resp, page := b.Get(path)
		wantStatus(t, "preview", resp, page, http.StatusOK)
		if at(t, page) != "identite" || !strings.Contains(text(page), "Bonjour, Yasmine du service client de Maison Lumière. Suis-je bien avec Camille Martin ?") {
			t.Fatalf("the preview does not start with the greeting rendered for the sample lead:\n%s", page)
		}
		page = follow(t, b, path, page, answerLink, "Oui, c'est moi")
		page = follow(t, b, path, page, answerLink, "Continuer")
		if at(t, page) != "panier" {
			t.Fatalf("after the consent reminder the preview is at %s", at(t, page))
		}
		page = follow(t, b, path, page, objectionLink, "Trop cher")
		if at(t, page) != "obj_trop_cher" || !strings.Contains(text(page), "Maison Lumière peut appliquer 10 %") {
			t.Fatalf("the objection handler is not shown:\n%s", page)
		}
		m := backLink.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no way back")
		}
		if _, back := b.Get(path + text(m[1])); at(t, back) != "panier" {
			t.Errorf("back from the objection goes to %s", at(t, back))
		}
		page = follow(t, b, path, page, answerLink, "J'accepte l'offre")
		page = follow(t, b, path, page, answerLink, "Continuer")
		if at(t, page) != "fin_vente" || !strings.Contains(text(page), "Fin de l'appel : Vente") || answerLink.MatchString(page) || objectionLink.MatchString(page) {
			t.Errorf("the walk does not end at the sale:\n%s", page)
		}
		if !strings.Contains(text(page), "Merci Camille") || !strings.Contains(page, `data-testid="trail"`) {
			t.Errorf("the outcome lacks its closing words or the trail")
		}

		// The sample lead is editable, and its values follow the walk.
		_, page = b.Get(path + "?lead.first_name=L%C3%A9a&lead.last_name=Roux")
		if !strings.Contains(text(page), "Suis-je bien avec Léa Roux ?") {
			t.Errorf("the sample values typed are not used")
		}
		page = follow(t, b, path, page, objectionLink, "Barrage")
		if !strings.Contains(text(page), "Pourriez-vous me passer Léa Roux") {
			t.Errorf("the sample values are lost along the walk")
		}

		// A choice that leads nowhere says so and stays where it was.
		resp, page = b.Get(path + "?c=a0&c=a7")
		wantStatus(t, "a bad choice", resp, page, http.StatusOK)
		if at(t, page) != "consentement" || !strings.Contains(page, `data-testid="preview-problem"`) {
			t.Errorf("a bad choice is not reported at the step before it:\n%s", page)
		}
	})
}

func TestVersionsShowWhichAreImmutable(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		carts := demoCampaigns(t, e)["Relance paniers abandonnés"]
		ml := orgNamed(t, e, "Maison Lumière")
		base := "/portal/campaigns/" + carts.String() + "/script"
		v1 := versions(t, e, ml, carts)[0].ID
		if err := e.P.Services.Scripts.MarkUsed(platformtest.As(ml), v1); err != nil {
			t.Fatal(err)
		}
		b := signIn(e, "sophie.martin@maison-lumiere.test", demo.Password)
		_, page := b.Get(base)
		if !strings.Contains(text(page), "utilisée par un appel depuis le") {
			t.Errorf("the editor does not say the version is used")
		}
		form := editorForm(t, page)
		form.Set(nodeField(t, form, "fin_injoignable", "text"), "Merci beaucoup, bonne journée.")
		form.Set("op", "save")
		resp, page := b.Post(base, form)
		wantStatus(t, "save over a used version", resp, page, http.StatusSeeOther)

		_, page = b.Get(base + "/versions")
		rows := strings.Count(page, `data-testid="script-version-row"`)
		if rows != 2 || strings.Count(page, `data-testid="version-used"`) != 1 {
			t.Errorf("versions page: %d rows, want 2 with one immutable:\n%s", rows, page)
		}
		resp, body := b.Get(base + "/export?version=1")
		wantStatus(t, "export version 1", resp, body, http.StatusOK)
		var used script.Script
		if err := json.Unmarshal([]byte(body), &used); err != nil || used.Nodes["fin_injoignable"].Text != "Merci, bonne journée." {
			t.Errorf("version 1 exported is not the used one: %v", err)
		}
		if resp, _ := b.Get(base + "/export?version=3"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("export of a version that does not exist: %d", resp.StatusCode)
		}
	})
}

package script_test

import (
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/script"
)

func previewValues() script.Values {
	v := script.SampleValues()
	v["client.name"] = "Maison Lumière"
	v["lead.custom.cart_amount"] = "129,00 €"
	v["lead.custom.cart_date"] = "12 mars"
	return v // no promo_code: its placeholder shows
}

func TestWalk(t *testing.T) {
	s := realistic(t)
	cases := []struct {
		name    string
		choices []script.Choice
		nodes   string // the nodes visited, from the start
		end     script.Disposition
	}{
		{"sale", []script.Choice{{}, {Answer: 0}, {}, {}, {Answer: 0}, {}},
			"greeting identity consent_reminder cart interest confirm_order end_sale", script.Sale},
		{"no time, then a sale", []script.Choice{{}, {}, {}, {}, {Objection: "obj_no_time"}, {Answer: 0}, {Answer: 0}, {}},
			"greeting identity consent_reminder cart interest obj_no_time interest confirm_order end_sale", script.Sale},
		{"already equipped", []script.Choice{{}, {}, {}, {}, {Objection: "obj_equipped"}, {Answer: 0}},
			"greeting identity consent_reminder cart interest obj_equipped end_refused", script.Refused},
		{"barrage, then the lead", []script.Choice{{Objection: "obj_gatekeeper"}, {Answer: 0}, {}, {Answer: 2}},
			"greeting obj_gatekeeper greeting identity end_wrong_number", script.WrongNumber},
		{"barrage holds", []script.Choice{{Objection: "obj_gatekeeper"}, {Answer: 2}},
			"greeting obj_gatekeeper end_not_reachable", script.NotReachable},
		{"send me an e-mail", []script.Choice{{}, {}, {}, {}, {Objection: "obj_email"}, {Answer: 0}},
			"greeting identity consent_reminder cart interest obj_email end_callback", script.Callback},
		{"think about it", []script.Choice{{}, {}, {}, {}, {Answer: 1}, {Answer: 0}},
			"greeting identity consent_reminder cart interest offer_callback end_callback", script.Callback},
		{"do not call", []script.Choice{{}, {}, {}, {}, {Answer: 3}},
			"greeting identity consent_reminder cart interest end_do_not_call", script.DoNotCall},
		{"not finished", []script.Choice{{}},
			"greeting identity", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			steps, err := s.Walk(c.choices, previewValues())
			if err != nil {
				t.Fatal(err)
			}
			var visited []string
			for _, st := range steps {
				visited = append(visited, st.Node)
			}
			if got := strings.Join(visited, " "); got != c.nodes {
				t.Fatalf("visited %s\nwant    %s", got, c.nodes)
			}
			last := steps[len(steps)-1]
			if last.End() != (c.end != "") || last.Disposition != c.end {
				t.Fatalf("ends at %s (%q, end %v), want %q", last.Node, last.Disposition, last.End(), c.end)
			}
		})
	}
}

func TestWalkRendersTheSampleLead(t *testing.T) {
	s := realistic(t)
	steps, err := s.Walk([]script.Choice{{}, {}, {}, {}}, previewValues())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		step int
		text string
	}{
		{0, "Bonjour, Yasmine de Maison Lumière à l'appareil."},
		{1, "Suis-je bien avec Camille Martin ?"},
		{3, "Je vous appelle au sujet du panier de 129,00 € que vous avez laissé le 12 mars sur notre site."},
		{4, "Souhaitez-vous finaliser votre commande ? Avec le code [lead.custom.promo_code], vous avez 10 % de remise et la livraison offerte à Lyon."},
	}
	for _, c := range checks {
		if got := steps[c.step].Text; got != c.text {
			t.Errorf("step %d (%s): %q\nwant %q", c.step, steps[c.step].Node, got, c.text)
		}
	}
	interest := steps[4]
	if strings.Join(interest.Answers, " | ") != "Oui, je commande | J'ai besoin d'y réfléchir | Non merci | Ne plus m'appeler" {
		t.Errorf("answers: %q", interest.Answers)
	}
	var handlers []string
	for _, h := range interest.Objections {
		handlers = append(handlers, h.Node+"="+h.Title)
	}
	want := "obj_email=Envoyez-moi un mail, obj_equipped=Déjà équipé, obj_gatekeeper=Barrage : « je vous passe le responsable ? », obj_no_time=Pas le temps"
	if got := strings.Join(handlers, ", "); got != want {
		t.Errorf("objections: %s\nwant        %s", got, want)
	}

	// In a handler, the other handlers stay at hand; at the end, none.
	st, err := s.Step("interest", script.Choice{Objection: "obj_no_time"}, previewValues())
	if err != nil {
		t.Fatal(err)
	}
	if st.Node != "obj_no_time" || st.Title != "Pas le temps" || len(st.Objections) != 3 {
		t.Errorf("objection step: %+v", st)
	}
	end, err := s.Step("confirm_order", script.Choice{}, previewValues())
	if err != nil {
		t.Fatal(err)
	}
	if !end.End() || end.Text != "Merci Camille, excellente journée !" || end.Objections != nil || end.Answers != nil {
		t.Errorf("end step: %+v", end)
	}
}

func TestWalkErrors(t *testing.T) {
	s := realistic(t)
	cases := []struct {
		name    string
		choices []script.Choice
		path    string
		steps   int // returned before the error
	}{
		{"answer out of range", []script.Choice{{}, {Answer: 3}}, "choices[1].answer", 2},
		{"negative answer", []script.Choice{{}, {Answer: -1}}, "choices[1].answer", 2},
		{"an answer at a say node", []script.Choice{{Answer: 1}}, "choices[0].answer", 1},
		{"unknown objection", []script.Choice{{Objection: "obj_price"}}, "choices[0].objection", 1},
		{"jumping to a node that is no objection", []script.Choice{{Objection: "end_sale"}}, "choices[0].objection", 1},
		{"past the end", []script.Choice{{}, {Answer: 2}, {}}, "choices[2]", 3},
		{"no objection after the end", []script.Choice{{}, {Answer: 2}, {Objection: "obj_no_time"}}, "choices[2]", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			steps, err := s.Walk(c.choices, nil)
			e := apperr.As(err)
			if e == nil || e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Path != c.path {
				t.Fatalf("Walk: %v %+v, want an invalid %s", err, e, c.path)
			}
			if len(steps) != c.steps {
				t.Fatalf("%d steps before the error, want %d", len(steps), c.steps)
			}
		})
	}

	if _, err := s.Step("nowhere", script.Choice{}, nil); apperr.As(err) == nil || apperr.As(err).Fields[0].Path != "node" {
		t.Fatalf("Step from an unknown node: %v", err)
	}
	if _, err := s.At("nowhere", nil); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("At an unknown node: %v", err)
	}
	if _, err := (script.Script{}).Walk(nil, nil); apperr.As(err) == nil || apperr.As(err).Fields[0].Path != "start" {
		t.Fatalf("Walk without a start: %v", err)
	}
	broken := small()
	edit(&broken, "pitch", func(n *script.Node) { n.Next = "gone" })
	if _, err := broken.Step("pitch", script.Choice{}, nil); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("Step through a dangling next: %v", err)
	}
}

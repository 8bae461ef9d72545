package script_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/script"
)

var customFields = []string{"cart_amount", "cart_date", "promo_code"}

// small is a valid script every validation case breaks in one way.
func small() script.Script {
	return script.Script{Start: "greeting", Nodes: map[string]script.Node{
		"greeting": {Kind: script.KindAsk, Text: "Bonjour {{lead.first_name}}, avez-vous un instant ?", Answers: []script.Answer{
			{Label: "Oui", Next: "pitch"}, {Label: "Non", Next: "end_callback"}}},
		"pitch": {Kind: script.KindSay, Text: "Votre panier de {{lead.custom.cart_amount}} vous attend.", Next: "interest"},
		"interest": {Kind: script.KindAsk, Text: "On le valide ensemble ?", Answers: []script.Answer{
			{Label: "Oui", Next: "end_sale"}, {Label: "Non", Next: "end_refused"}}},
		"no_time":      {Kind: script.KindObjection, Title: "Pas le temps", Text: "Je vous rappelle quand ?", Next: "end_callback"},
		"end_sale":     {Kind: script.KindOutcome, Disposition: script.Sale},
		"end_refused":  {Kind: script.KindOutcome, Disposition: script.Refused},
		"end_callback": {Kind: script.KindOutcome, Text: "À bientôt.", Disposition: script.Callback},
	}}
}

// edit changes one node of the script.
func edit(s *script.Script, id string, change func(*script.Node)) {
	n := s.Nodes[id]
	change(&n)
	s.Nodes[id] = n
}

func realistic(t testing.TB) script.Script {
	t.Helper()
	data, err := os.ReadFile("testdata/relance_panier.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := script.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// problem is an expected field error: its exact path and words of its
// message.
type problem struct{ path, says string }

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(s *script.Script)
		want   []problem // none: valid
	}{
		{"valid", func(s *script.Script) {}, nil},
		{"spaces inside braces", func(s *script.Script) {
			edit(s, "pitch", func(n *script.Node) { n.Text = "{{ lead.city }} {{client.name}} {{ agent.first_name}}" })
		}, nil},
		{"text of exactly 4000 characters", func(s *script.Script) {
			edit(s, "pitch", func(n *script.Node) { n.Text = strings.Repeat("é", script.MaxText) })
		}, nil},
		{"500 nodes", func(s *script.Script) {
			for i := len(s.Nodes); i < script.MaxNodes; i++ {
				s.Nodes[fmt.Sprintf("obj_%d", i)] = script.Node{Kind: script.KindObjection, Title: fmt.Sprint(i), Text: "t", Next: "end_refused"}
			}
		}, nil},
		{"an answer looping back beside an exit", func(s *script.Script) {
			edit(s, "interest", func(n *script.Node) {
				n.Answers = append(n.Answers, script.Answer{Label: "Pardon ?", Next: "interest"})
			})
		}, nil},

		{"no start", func(s *script.Script) { s.Start = "" },
			[]problem{{"start", "is required"}}},
		{"unknown start", func(s *script.Script) { s.Start = "hello" },
			[]problem{{"start", `names no node ("hello")`}}},
		{"start at an objection", func(s *script.Script) { s.Start = "no_time" }, []problem{
			{"start", "must be a say or ask node"},
			{"nodes.end_refused", "cannot be reached"},
			{"nodes.end_sale", "cannot be reached"},
			{"nodes.greeting", "cannot be reached"},
			{"nodes.interest", "cannot be reached"},
			{"nodes.pitch", "cannot be reached"},
		}},
		{"empty script", func(s *script.Script) { *s = script.Script{} }, []problem{
			{"nodes", "add at least one node"},
			{"start", "is required"},
		}},
		{"501 nodes", func(s *script.Script) {
			for i := len(s.Nodes); i <= script.MaxNodes; i++ {
				s.Nodes[fmt.Sprintf("obj_%d", i)] = script.Node{Kind: script.KindObjection, Title: fmt.Sprint(i), Text: "t", Next: "end_refused"}
			}
		}, []problem{{"nodes", "has 501 nodes; a script holds at most 500"}}},

		{"dangling next", func(s *script.Script) {
			edit(s, "pitch", func(n *script.Node) { n.Next = "intrest" })
			edit(s, "no_time", func(n *script.Node) { n.Next = "interest" })
		}, []problem{{"nodes.pitch.next", `names no node ("intrest")`}}},
		{"dangling next, and the nodes it cut off", func(s *script.Script) {
			edit(s, "pitch", func(n *script.Node) { n.Next = "intrest" })
		}, []problem{
			{"nodes.end_refused", "cannot be reached"},
			{"nodes.end_sale", "cannot be reached"},
			{"nodes.interest", "cannot be reached"},
			{"nodes.pitch.next", `names no node ("intrest")`},
		}},
		{"dangling answer", func(s *script.Script) {
			edit(s, "greeting", func(n *script.Node) { n.Answers[1].Next = "end_calback" })
			edit(s, "no_time", func(n *script.Node) { n.Next = "end_refused" })
		}, []problem{
			{"nodes.end_callback", "cannot be reached"},
			{"nodes.greeting.answers[1].next", `names no node ("end_calback")`},
		}},
		{"answer without next", func(s *script.Script) {
			edit(s, "interest", func(n *script.Node) { n.Answers[1].Next = "" })
			edit(s, "no_time", func(n *script.Node) { n.Next = "end_refused" })
		}, []problem{
			{"nodes.interest.answers[1].next", "is required"},
		}},
		{"say without next", func(s *script.Script) {
			edit(s, "pitch", func(n *script.Node) { n.Next = "" })
			edit(s, "no_time", func(n *script.Node) { n.Next = "interest" })
		}, []problem{{"nodes.pitch.next", "is required"}}},
		{"unreachable node", func(s *script.Script) {
			s.Nodes["orphan"] = script.Node{Kind: script.KindSay, Text: "Au fait…", Next: "end_sale"}
		}, []problem{{"nodes.orphan", "cannot be reached: no path from the start (greeting) leads here"}}},
		{"a node reached only through an objection is reachable", func(s *script.Script) {
			s.Nodes["callback_when"] = script.Node{Kind: script.KindAsk, Text: "Quand ?", Answers: []script.Answer{{Label: "Demain", Next: "end_callback"}}}
			edit(s, "no_time", func(n *script.Node) { n.Next = "callback_when" })
		}, nil},
		{"cycle without exit", func(s *script.Script) {
			edit(s, "interest", func(n *script.Node) {
				n.Answers = append(n.Answers, script.Answer{Label: "Peut-être", Next: "insist"})
			})
			s.Nodes["insist"] = script.Node{Kind: script.KindSay, Text: "Réfléchissez bien.", Next: "insist_again"}
			s.Nodes["insist_again"] = script.Node{Kind: script.KindAsk, Text: "Alors ?", Answers: []script.Answer{
				{Label: "Je réfléchis", Next: "insist"}, {Label: "Toujours pas", Next: "insist_again"}}}
		}, []problem{
			{"nodes.insist", "leads to no outcome"},
			{"nodes.insist_again", "leads to no outcome"},
		}},
		{"an objection into a cycle is no exit, nor is it one", func(s *script.Script) {
			edit(s, "no_time", func(n *script.Node) { n.Next = "loop" })
			s.Nodes["loop"] = script.Node{Kind: script.KindSay, Text: "Encore.", Next: "loop"}
		}, []problem{
			{"nodes.loop", "leads to no outcome"},
			{"nodes.no_time", "leads to no outcome"},
		}},
		{"ask without answers", func(s *script.Script) {
			edit(s, "greeting", func(n *script.Node) {
				n.Answers = append(n.Answers, script.Answer{Label: "Qui êtes-vous ?", Next: "who"})
			})
			s.Nodes["who"] = script.Node{Kind: script.KindAsk, Text: "Je suis {{agent.first_name}}."}
		}, []problem{{"nodes.who.answers", "needs at least one answer"}}},
		{"too many answers", func(s *script.Script) {
			edit(s, "interest", func(n *script.Node) {
				for i := len(n.Answers); i <= script.MaxAnswers; i++ {
					n.Answers = append(n.Answers, script.Answer{Label: fmt.Sprint("choix ", i), Next: "end_sale"})
				}
			})
		}, []problem{{"nodes.interest.answers", "has 21 answers; a node has at most 20"}}},

		{"blank say text", func(s *script.Script) { edit(s, "pitch", func(n *script.Node) { n.Text = " \n " }) },
			[]problem{{"nodes.pitch.text", "is required"}}},
		{"blank ask text", func(s *script.Script) { edit(s, "interest", func(n *script.Node) { n.Text = "" }) },
			[]problem{{"nodes.interest.text", "is required"}}},
		{"blank objection text and title", func(s *script.Script) {
			edit(s, "no_time", func(n *script.Node) { n.Text, n.Title = "", "" })
		}, []problem{{"nodes.no_time.title", "is required"}, {"nodes.no_time.text", "is required"}}},
		{"text over 4000 characters", func(s *script.Script) {
			edit(s, "pitch", func(n *script.Node) { n.Text = strings.Repeat("é", script.MaxText+1) })
		}, []problem{{"nodes.pitch.text", "has 4001 characters; at most 4000"}}},
		{"title over 200 characters", func(s *script.Script) {
			edit(s, "no_time", func(n *script.Node) { n.Title = strings.Repeat("a", script.MaxLabel+1) })
		}, []problem{{"nodes.no_time.title", "has 201 characters"}}},
		{"blank answer label", func(s *script.Script) { edit(s, "greeting", func(n *script.Node) { n.Answers[0].Label = "  " }) },
			[]problem{{"nodes.greeting.answers[0].label", "is required"}}},
		{"duplicate answer labels", func(s *script.Script) {
			edit(s, "interest", func(n *script.Node) { n.Answers[1].Label = "  OUI " })
		}, []problem{{"nodes.interest.answers[1].label", `repeats answer 1 ("Oui")`}}},

		{"unknown variable", func(s *script.Script) {
			edit(s, "greeting", func(n *script.Node) { n.Text = "Bonjour {{lead.firstname}} !" })
		}, []problem{{"nodes.greeting.text", "unknown variable {{lead.firstname}}: use lead.first_name"}}},
		{"unknown custom field", func(s *script.Script) {
			edit(s, "pitch", func(n *script.Node) { n.Text = "Votre {{lead.custom.colour}}" })
		}, []problem{{"nodes.pitch.text", "unknown variable {{lead.custom.colour}}: use lead.first_name, lead.last_name, lead.company, lead.city, agent.first_name, client.name or lead.custom.<field> with a field among cart_amount, cart_date, promo_code"}}},
		{"empty variable", func(s *script.Script) { edit(s, "pitch", func(n *script.Node) { n.Text = "Votre {{ }}" }) },
			[]problem{{"nodes.pitch.text", "unknown variable {{}}"}}},
		{"unclosed variable", func(s *script.Script) {
			edit(s, "pitch", func(n *script.Node) { n.Text = "Bonjour {{lead.first_name" })
		}, []problem{{"nodes.pitch.text", "has a {{ without its closing }}"}}},
		{"unknown variables in a label, a title and closing words", func(s *script.Script) {
			edit(s, "greeting", func(n *script.Node) { n.Answers[0].Label = "Oui, {{agent.name}}" })
			edit(s, "no_time", func(n *script.Node) { n.Title = "{{lead.age}}" })
			edit(s, "end_sale", func(n *script.Node) { n.Text = "Merci {{client}}" })
		}, []problem{
			{"nodes.end_sale.text", "unknown variable {{client}}"},
			{"nodes.greeting.answers[0].label", "unknown variable {{agent.name}}"},
			{"nodes.no_time.title", "unknown variable {{lead.age}}"},
		}},

		{"unknown disposition", func(s *script.Script) {
			edit(s, "end_sale", func(n *script.Node) { n.Disposition = "vente" })
		}, []problem{{"nodes.end_sale.disposition", `must be one of sale, appointment, promise_to_pay, donation, qualified_lead, survey_completed, callback_done, callback, refused, not_reachable, wrong_number, do_not_call (got "vente")`}}},
		{"outcome without disposition", func(s *script.Script) {
			edit(s, "end_sale", func(n *script.Node) { n.Disposition = "" })
		}, []problem{{"nodes.end_sale.disposition", "is required"}}},
		{"disposition on a say node", func(s *script.Script) {
			edit(s, "pitch", func(n *script.Node) { n.Disposition = script.Sale })
		}, []problem{{"nodes.pitch.disposition", "only an outcome node records a disposition"}}},
		{"outcome with a next and answers", func(s *script.Script) {
			edit(s, "end_sale", func(n *script.Node) {
				n.Next = "greeting"
				n.Answers = []script.Answer{{Label: "x", Next: "greeting"}}
			})
		}, []problem{{"nodes.end_sale.next", "has no next"}, {"nodes.end_sale.answers", "has no answers"}}},
		{"say with answers", func(s *script.Script) {
			edit(s, "pitch", func(n *script.Node) { n.Answers = []script.Answer{{Label: "Oui", Next: "interest"}} })
		}, []problem{{"nodes.pitch.answers", "make it an ask node"}}},
		{"ask with a next", func(s *script.Script) { edit(s, "interest", func(n *script.Node) { n.Next = "end_sale" }) },
			[]problem{{"nodes.interest.next", "not next"}}},
		{"objection with a next and answers", func(s *script.Script) {
			edit(s, "no_time", func(n *script.Node) { n.Answers = []script.Answer{{Label: "Demain", Next: "end_callback"}} })
		}, []problem{{"nodes.no_time.next", "not both"}}},
		{"objection leading nowhere", func(s *script.Script) { edit(s, "no_time", func(n *script.Node) { n.Next = "" }) },
			[]problem{{"nodes.no_time.next", "is required"}}},
		{"unknown kind", func(s *script.Script) { edit(s, "pitch", func(n *script.Node) { n.Kind = "tell" }) },
			[]problem{{"nodes.pitch.kind", `must be say, ask, objection or outcome (got "tell")`}}},
		{"no kind", func(s *script.Script) { edit(s, "pitch", func(n *script.Node) { n.Kind = "" }) },
			[]problem{{"nodes.pitch.kind", "is required"}}},

		{"id with capitals and a space", func(s *script.Script) {
			s.Nodes["End Sale"] = s.Nodes["end_sale"]
			delete(s.Nodes, "end_sale")
			edit(s, "interest", func(n *script.Node) { n.Answers[0].Next = "End Sale" })
		}, []problem{{`nodes["End Sale"]`, "ids are 1 to 64 characters of a-z, 0-9, _ and -"}}},
		{"id of 65 characters", func(s *script.Script) {
			long := strings.Repeat("x", script.MaxID+1)
			s.Nodes[long] = s.Nodes["end_sale"]
			delete(s.Nodes, "end_sale")
			edit(s, "interest", func(n *script.Node) { n.Answers[0].Next = long })
		}, []problem{{`nodes["` + strings.Repeat("x", script.MaxID) + `…"]`, "ids are 1 to 64"}}},
		{"id with a dot", func(s *script.Script) {
			s.Nodes["greeting.2"] = script.Node{Kind: script.KindSay, Text: "Re-bonjour", Next: "greeting"}
			s.Start = "greeting.2"
		}, []problem{{`nodes["greeting.2"]`, "ids are"}}},

		{"every problem at once", func(s *script.Script) {
			s.Start = "nowhere"
			edit(s, "greeting", func(n *script.Node) { n.Answers[1].Next = "missing" })
			edit(s, "pitch", func(n *script.Node) { n.Text = "{{lead.age}}" })
			edit(s, "end_sale", func(n *script.Node) { n.Disposition = "vente" })
			s.Nodes["loop"] = script.Node{Kind: script.KindSay, Text: "…", Next: "loop"}
		}, []problem{
			{"start", "names no node"},
			{"nodes.end_sale.disposition", "must be one of"},
			{"nodes.greeting.answers[1].next", "names no node"},
			{"nodes.loop", "leads to no outcome"},
			{"nodes.pitch.text", "unknown variable {{lead.age}}"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := small()
			c.change(&s)
			checkProblems(t, script.Validate(s, customFields), c.want)
		})
	}
}

func checkProblems(t *testing.T, err error, want []problem) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("Validate: %v\n%s", err, fields(err))
		}
		return
	}
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.Invalid {
		t.Fatalf("Validate = %v, want an invalid error with %d fields", err, len(want))
	}
	ok := len(e.Fields) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = e.Fields[i].Path == want[i].path && strings.Contains(e.Fields[i].Message, want[i].says)
	}
	if !ok {
		t.Fatalf("got fields:\n%s\nwant:\n%v", fields(err), want)
	}
}

func fields(err error) string {
	var b strings.Builder
	if e := apperr.As(err); e != nil {
		for _, f := range e.Fields {
			fmt.Fprintf(&b, "  %s: %s\n", f.Path, f.Message)
		}
	}
	return b.String()
}

func TestRealisticScriptIsValid(t *testing.T) {
	s := realistic(t)
	if err := script.Validate(s, customFields); err != nil {
		t.Fatalf("%v\n%s", err, fields(err))
	}
	if got := s.Objections(); strings.Join(got, " ") != "obj_email obj_equipped obj_gatekeeper obj_no_time" {
		t.Fatalf("objections = %v", got)
	}
	// Without the campaign's custom fields, the same script names unknown variables.
	checkProblems(t, script.Validate(s, nil), []problem{
		{"nodes.cart.text", "unknown variable {{lead.custom.cart_amount}}"},
		{"nodes.cart.text", "unknown variable {{lead.custom.cart_date}}"},
		{"nodes.interest.text", "unknown variable {{lead.custom.promo_code}}: use lead.first_name, lead.last_name, lead.company, lead.city, agent.first_name, client.name (the campaign's leads have no custom field)"},
	})
}

func TestOrder(t *testing.T) {
	s := small()
	s.Nodes["orphan"] = script.Node{Kind: script.KindSay, Text: "…", Next: "end_sale"}
	s.Nodes["callback_when"] = script.Node{Kind: script.KindAsk, Text: "Quand ?", Answers: []script.Answer{{Label: "Demain", Next: "end_callback"}}}
	edit(&s, "no_time", func(n *script.Node) { n.Next = "callback_when" })
	got := strings.Join(s.Order(), " ")
	want := "greeting pitch end_callback interest end_sale end_refused no_time callback_when orphan"
	if got != want {
		t.Fatalf("Order() = %s\nwant      %s", got, want)
	}
}

package script_test

import (
	"fmt"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/script"
)

func Example() {
	s, err := script.Parse([]byte(`{
	  "start": "greeting",
	  "nodes": {
	    "greeting": {"kind": "say", "text": "Bonjour {{lead.first_name}}, {{agent.first_name}} de {{client.name}}.", "next": "interest"},
	    "interest": {"kind": "ask", "text": "Souhaitez-vous finaliser votre commande ?", "answers": [
	      {"label": "Oui", "next": "sale"},
	      {"label": "Non merci", "next": "refused"}
	    ]},
	    "no_time": {"kind": "objection", "title": "Pas le temps", "text": "Je serai bref : une minute suffit.", "next": "interest"},
	    "sale": {"kind": "outcome", "text": "Merci, bonne journée !", "disposition": "sale"},
	    "refused": {"kind": "outcome", "disposition": "refused"}
	  }
	}`))
	if err != nil {
		panic(err)
	}
	if err := script.Validate(s, nil); err != nil {
		panic(err)
	}
	values := script.SampleValues()
	values["client.name"] = "Maison Lumière"
	steps, _ := s.Walk([]script.Choice{{}, {Objection: "no_time"}, {}, {Answer: 0}}, values)
	for _, st := range steps {
		fmt.Printf("%s: %s %v\n", st.Node, st.Text, st.Answers)
	}
	fmt.Println("ends with", steps[len(steps)-1].Disposition)
	// Output:
	// greeting: Bonjour Camille, Yasmine de Maison Lumière. []
	// interest: Souhaitez-vous finaliser votre commande ? [Oui Non merci]
	// no_time: Je serai bref : une minute suffit. []
	// interest: Souhaitez-vous finaliser votre commande ? [Oui Non merci]
	// sale: Merci, bonne journée ! []
	// ends with sale
}

func ExampleValidate() {
	s := script.Script{Start: "greeting", Nodes: map[string]script.Node{
		"greeting": {Kind: script.KindAsk, Text: "Bonjour {{lead.prenom}} !", Answers: []script.Answer{
			{Label: "Oui", Next: "pitch"}, {Label: "Non", Next: "end"}}},
		"pitch": {Kind: script.KindSay, Text: "Encore une fois…", Next: "pitch"},
	}}
	for _, f := range apperr.As(script.Validate(s, nil)).Fields {
		fmt.Printf("%s: %s\n", f.Path, f.Message)
	}
	// Output:
	// nodes.greeting.text: unknown variable {{lead.prenom}}: use lead.first_name, lead.last_name, lead.company, lead.city, agent.first_name, client.name (the campaign's leads have no custom field)
	// nodes.greeting.answers[1].next: names no node ("end")
	// nodes.pitch: leads to no outcome: every path from here loops back without reaching the end of the call
}

package script_test

import (
	"testing"

	"github.com/plateau-bpo/plateau/pkg/script"
)

func TestRender(t *testing.T) {
	values := script.Values{
		"lead.first_name":         "Camille",
		"lead.company":            "  Boulangerie Martin ",
		"lead.city":               "   ",
		"lead.custom.cart_amount": "89,90 €",
		"client.name":             "{{agent.first_name}} <b>&</b>",
		"agent.first_name":        "Yasmine",
	}
	cases := []struct{ name, text, want string }{
		{"no variable", "Bonjour !", "Bonjour !"},
		{"one variable", "Bonjour {{lead.first_name}} !", "Bonjour Camille !"},
		{"spaces inside the braces", "Bonjour {{ lead.first_name  }}", "Bonjour Camille"},
		{"adjacent variables", "{{lead.first_name}}{{agent.first_name}}", "CamilleYasmine"},
		{"custom field", "Votre panier de {{lead.custom.cart_amount}}", "Votre panier de 89,90 €"},
		{"value trimmed", "chez {{lead.company}}.", "chez Boulangerie Martin."},
		{"missing value: placeholder", "Bonjour {{lead.last_name}}", "Bonjour [lead.last_name]"},
		{"blank value: placeholder", "à {{lead.city}}", "à [lead.city]"},
		{"unknown variable: placeholder", "{{lead.age}} ans", "[lead.age] ans"},
		{"empty braces", "a {{}} b", "a [] b"},
		{"a value is never read as a variable nor escaped", "de la part de {{client.name}}", "de la part de {{agent.first_name}} <b>&</b>"},
		{"unclosed braces left as they are", "Bonjour {{lead.first_name", "Bonjour {{lead.first_name"},
		{"closed then unclosed", "{{lead.first_name}} et {{lead", "Camille et {{lead"},
		{"single braces are text", "{lead.first_name} }}", "{lead.first_name} }}"},
		{"nested opening", "{{ {{lead.first_name}}", "[{{lead.first_name]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := script.Render(c.text, values); got != c.want {
				t.Fatalf("Render(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestSampleValuesCoverTheLeadAndAgent(t *testing.T) {
	v := script.SampleValues()
	for _, name := range script.StandardVariables {
		got := script.Render("{{"+name+"}}", v)
		if name == "client.name" {
			if got != script.Placeholder(name) {
				t.Fatalf("client.name = %q: the preview sets the real client", got)
			}
			continue
		}
		if got == script.Placeholder(name) {
			t.Fatalf("the sample has no %s", name)
		}
	}
}

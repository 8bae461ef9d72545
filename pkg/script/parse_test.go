package script_test

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/script"
)

func TestParseReadsWhatEncodingJSONReads(t *testing.T) {
	data, err := os.ReadFile("testdata/relance_panier.json")
	if err != nil {
		t.Fatal(err)
	}
	strict, err := script.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var lenient script.Script
	if err := json.Unmarshal(data, &lenient); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(strict, lenient) {
		t.Fatalf("Parse and json.Unmarshal differ:\n%+v\n%+v", strict, lenient)
	}
	if len(strict.Nodes) != 17 || strict.Nodes["interest"].Answers[3] != (script.Answer{Label: "Ne plus m'appeler", Next: "end_do_not_call"}) {
		t.Fatalf("parsed %+v", strict)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, json string
		paths      []string // none: an error without fields
	}{
		{"not JSON", `start: greeting`, nil},
		{"not an object", `["greeting"]`, nil},
		{"null", `null`, nil},
		{"trailing data", `{"start":"a"} {}`, nil},
		{"unknown field", `{"start":"a","nodes":{},"version":2}`, []string{"version"}},
		{"start not a string", `{"start":1}`, []string{"start"}},
		{"nodes not an object", `{"nodes":[{"kind":"say"}]}`, []string{"nodes"}},
		{"node not an object", `{"nodes":{"a":"say"}}`, []string{"nodes.a"}},
		{"unknown node field", `{"nodes":{"a":{"kind":"say","nxt":"b"}}}`, []string{"nodes.a.nxt"}},
		{"unknown node field, oddly named", `{"nodes":{"a":{"Next":"b"}}}`, []string{`nodes.a["Next"]`}},
		{"text not a string", `{"nodes":{"a":{"kind":"say","text":["Bonjour"]}}}`, []string{"nodes.a.text"}},
		{"answers not a list", `{"nodes":{"a":{"kind":"ask","answers":{"label":"Oui"}}}}`, []string{"nodes.a.answers"}},
		{"answer not an object", `{"nodes":{"a":{"kind":"ask","answers":["Oui"]}}}`, []string{"nodes.a.answers[0]"}},
		{"unknown answer field", `{"nodes":{"a":{"kind":"ask","answers":[{"label":"Oui","next":"b"},{"label":"Non","goto":"c"}]}}}`,
			[]string{"nodes.a.answers[1].goto"}},
		{"label not a string", `{"nodes":{"a":{"kind":"ask","answers":[{"label":1,"next":"b"}]}}}`, []string{"nodes.a.answers[0].label"}},
		{"a node id given twice", `{"start":"a","nodes":{"a":{"kind":"say"},"b":{"kind":"outcome"},"a":{"kind":"ask"}}}`, []string{"nodes.a"}},
		{"every problem at once", `{"start":2,"nodes":{"a":{"kind":3,"colour":"red"},"Bad id":{"text":false}},"extra":1}`,
			[]string{"extra", "nodes.a.colour", "nodes.a.kind", "nodes[\"Bad id\"].text", "start"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := script.Parse([]byte(c.json))
			e := apperr.As(err)
			if e == nil || e.Kind != apperr.Invalid {
				t.Fatalf("Parse = %v, want an invalid error", err)
			}
			var paths []string
			for _, f := range e.Fields {
				paths = append(paths, f.Path)
			}
			if !reflect.DeepEqual(paths, c.paths) {
				t.Fatalf("paths %q, want %q (%v)", paths, c.paths, err)
			}
		})
	}
}

func TestParseAcceptsNullsAndEmptyNodes(t *testing.T) {
	s, err := script.Parse([]byte(`{"start":null,"nodes":{"a":{"kind":"say","text":null,"answers":null}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Start != "" || s.Nodes["a"].Kind != script.KindSay || s.Nodes["a"].Answers != nil {
		t.Fatalf("parsed %+v", s)
	}
	if s, err := script.Parse([]byte(`{}`)); err != nil || s.Nodes != nil {
		t.Fatalf("empty object: %+v, %v", s, err)
	}
}

package script_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/script"
)

// FuzzValidate reads random bytes as a script, leniently (encoding/json)
// and strictly (Parse), and validates what it gets. Nothing may panic, every
// rejection must name its fields, and a script Validate accepts must hold
// what Validate promises, checked here by other means.
func FuzzValidate(f *testing.F) {
	data, err := os.ReadFile("testdata/relance_panier.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(small().Canonical())
	for _, seed := range []string{
		`{}`, `null`, `[]`, `{"start":"a","nodes":{}}`,
		`{"start":"a","nodes":{"a":{"kind":"say","text":"x","next":"a"}}}`,
		`{"start":"a","nodes":{"a":{"kind":"ask","text":"x","answers":[{"label":"l","next":"b"},{"label":"m","next":"a"}]},"b":{"kind":"outcome","disposition":"sale"}}}`,
		`{"start":"a","nodes":{"a":{"kind":"say","text":"{{lead.custom.cart_amount}} {{","next":"o"},"o":{"kind":"objection","title":"t","text":"t","next":"a"}}}`,
		`{"start":"a","nodes":{"a":{"kind":"say","text":"x","next":"b"},"b":{"kind":"outcome","disposition":"refused","next":"a"},"a":{"kind":"ask"}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var lenient script.Script
		if json.Unmarshal(data, &lenient) == nil {
			check(t, lenient)
		}
		strict, err := script.Parse(data)
		if err != nil {
			if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid {
				t.Fatalf("Parse: %v, want an invalid error", err)
			}
			return
		}
		check(t, strict)
		again, err := script.Parse(strict.Canonical())
		if err != nil {
			t.Fatalf("the canonical form does not read back: %v\n%s", err, strict.Canonical())
		}
		if again.Hash() != strict.Hash() {
			t.Fatalf("the canonical form reads back as another script:\n%s\n%s", strict.Canonical(), again.Canonical())
		}
	})
}

func check(t *testing.T, s script.Script) {
	err := script.Validate(s, customFields)
	if err != nil {
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.Invalid || len(e.Fields) == 0 {
			t.Fatalf("Validate: %v, want an invalid error with fields", err)
		}
		for _, f := range e.Fields {
			if f.Path == "" || f.Message == "" {
				t.Fatalf("a field error without path or message: %+v", f)
			}
		}
		return
	}

	// Accepted: every node reaches an outcome, found here as a fixed point
	// rather than by Validate's backward search.
	ends := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for id, n := range s.Nodes {
			if ends[id] {
				continue
			}
			reaches := n.Kind == script.KindOutcome || ends[n.Next]
			for _, a := range n.Answers {
				reaches = reaches || ends[a.Next]
			}
			if reaches {
				ends[id], changed = true, true
			}
		}
	}
	for id := range s.Nodes {
		if !ends[id] {
			t.Fatalf("Validate accepted a script where %s reaches no outcome:\n%s", id, s.Canonical())
		}
	}

	// Every node is reached from the start, depth first, any objection being
	// one jump away from any node.
	seen := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		n, ok := s.Nodes[id]
		if !ok {
			t.Fatalf("Validate accepted an edge to %q, which is no node:\n%s", id, s.Canonical())
		}
		if seen[id] {
			return
		}
		seen[id] = true
		if n.Kind != script.KindOutcome {
			for _, h := range s.Objections() {
				visit(h)
			}
		}
		if n.Next != "" {
			visit(n.Next)
		}
		for _, a := range n.Answers {
			visit(a.Next)
		}
	}
	visit(s.Start)
	if len(seen) != len(s.Nodes) || len(s.Nodes) > script.MaxNodes {
		t.Fatalf("Validate accepted %d nodes, %d of them reachable:\n%s", len(s.Nodes), len(seen), s.Canonical())
	}

	// And every choice an agent can make at every node leads somewhere.
	for id, n := range s.Nodes {
		st, err := s.At(id, script.SampleValues())
		if err != nil {
			t.Fatal(err)
		}
		if st.End() {
			if !script.KnownDisposition(st.Disposition) {
				t.Fatalf("%s ends with %q", id, st.Disposition)
			}
			continue
		}
		choices := len(n.Answers)
		if choices == 0 {
			choices = 1
		}
		for i := range choices {
			if _, err := s.Step(id, script.Choice{Answer: i}, nil); err != nil {
				t.Fatalf("at %s, answer %d: %v", id, i, err)
			}
		}
		for _, h := range st.Objections {
			if _, err := s.Step(id, script.Choice{Objection: h.Node}, nil); err != nil {
				t.Fatalf("at %s, objection %s: %v", id, h.Node, err)
			}
		}
	}
}

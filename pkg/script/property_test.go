package script_test

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/script"
)

// genGraph draws a script whose every node is well formed (known kind, texts,
// distinct labels, edges to existing nodes), so that only the shape of the
// graph can make it invalid.
func genGraph(t *rapid.T) script.Script {
	n := rapid.IntRange(1, 12).Draw(t, "nodes")
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("n%d", i)
	}
	target := func(label string) string { return rapid.SampledFrom(ids).Draw(t, label) }
	s := script.Script{Start: target("start"), Nodes: map[string]script.Node{}}
	for _, id := range ids {
		kind := rapid.SampledFrom(script.Kinds).Draw(t, id+".kind")
		node := script.Node{Kind: kind, Text: "Texte de " + id}
		switch kind {
		case script.KindOutcome:
			node.Disposition = rapid.SampledFrom(script.Dispositions).Draw(t, id+".disposition")
		case script.KindObjection:
			node.Title = "Objection " + id
		}
		answers := 0
		switch {
		case kind == script.KindAsk:
			answers = rapid.IntRange(1, 3).Draw(t, id+".answers")
		case kind == script.KindObjection && rapid.Bool().Draw(t, id+".has_answers"):
			answers = rapid.IntRange(1, 3).Draw(t, id+".answers")
		}
		for i := range answers {
			node.Answers = append(node.Answers, script.Answer{Label: fmt.Sprint("Réponse ", i), Next: target(id + ".next")})
		}
		if kind == script.KindSay || kind == script.KindObjection && answers == 0 {
			node.Next = target(id + ".next")
		}
		s.Nodes[id] = node
	}
	return s
}

// TestValidateGraphProperty checks Validate's verdict on random graphs
// against an independent reading of the rules, both ways: it accepts every
// graph that holds them and rejects, with the right paths, every other.
func TestValidateGraphProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genGraph(t)
		want := map[string]bool{} // expected paths
		start := s.Nodes[s.Start]
		if start.Kind != script.KindSay && start.Kind != script.KindAsk {
			want["start"] = true
		}
		successors := func(n script.Node) []string {
			var out []string
			if n.Next != "" {
				out = append(out, n.Next)
			}
			for _, a := range n.Answers {
				out = append(out, a.Next)
			}
			return out
		}
		// Reachable: the closure of the start and every objection.
		reached := map[string]bool{s.Start: true}
		for id, n := range s.Nodes {
			if n.Kind == script.KindObjection {
				reached[id] = true
			}
		}
		for grown := true; grown; {
			grown = false
			for id, n := range s.Nodes {
				for _, x := range successors(n) {
					if reached[id] && !reached[x] {
						reached[x], grown = true, true
					}
				}
			}
		}
		// Ending: the fixed point of "is an outcome or leads to an ending node".
		ends := map[string]bool{}
		for grown := true; grown; {
			grown = false
			for id, n := range s.Nodes {
				if ends[id] {
					continue
				}
				e := n.Kind == script.KindOutcome
				for _, x := range successors(n) {
					e = e || ends[x]
				}
				if e {
					ends[id], grown = true, true
				}
			}
		}
		for id := range s.Nodes {
			if !reached[id] {
				want["nodes."+id+" unreachable"] = true
			}
			if !ends[id] {
				want["nodes."+id+" no outcome"] = true
			}
		}

		got := map[string]bool{}
		if e := apperr.As(script.Validate(s, nil)); e != nil {
			for _, f := range e.Fields {
				switch {
				case f.Path == "start":
					got["start"] = true
				case strings.Contains(f.Message, "cannot be reached"):
					got[f.Path+" unreachable"] = true
				case strings.Contains(f.Message, "leads to no outcome"):
					got[f.Path+" no outcome"] = true
				default:
					t.Fatalf("unexpected problem %s: %s", f.Path, f.Message)
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Validate found %v\nwant %v\nin %s", got, want, s.Canonical())
		}
	})
}

package script_test

import (
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/script"
)

// Every problem Validate reports about a node leads back to that node.
func TestNodeOfFindsTheNodeOfEveryProblem(t *testing.T) {
	s := script.Script{Start: "greeting", Nodes: map[string]script.Node{
		"greeting":  {Kind: script.KindSay, Text: "Bonjour {{lead.nickname}}", Next: "interest"},
		"interest":  {Kind: script.KindAsk, Text: "Alors ?", Answers: []script.Answer{{Label: "Oui", Next: "sale"}, {Label: "Non", Next: "gone"}}},
		"interest2": {Kind: script.KindSay, Text: "Jamais lu", Next: "sale"},
		"Bad id":    {Kind: script.KindOutcome, Disposition: script.Refused},
		"sale":      {Kind: script.KindOutcome, Disposition: "sold"},
	}}
	e := apperr.As(script.Validate(s, nil))
	if e == nil {
		t.Fatal("the script validates")
	}
	got := map[string]bool{}
	for _, f := range e.Fields {
		id, rest, ok := s.NodeOf(f.Path)
		if !ok {
			t.Errorf("%s: no node found", f.Path)
			continue
		}
		got[id+" "+rest] = true
	}
	for _, want := range []string{"greeting .text", "interest .answers[1].next", "interest2 ", "Bad id ", "sale .disposition"} {
		if !got[want] {
			t.Errorf("no problem placed at %q; placed: %v", want, got)
		}
	}
	for _, path := range []string{"start", "nodes", "nodes.unknown.text", "nodes.interest3", "nodes.interestX.text"} {
		if id, rest, ok := s.NodeOf(path); ok {
			t.Errorf("%s is placed at node %q (%q)", path, id, rest)
		}
	}
}

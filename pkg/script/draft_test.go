package script_test

import (
	"reflect"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/script"
)

func TestADraftOfAScriptIsTheSameScript(t *testing.T) {
	s := realistic(t)
	d := script.DraftOf(s)
	if got, want := len(d.Nodes), len(s.Nodes); got != want {
		t.Fatalf("%d nodes in the draft, want %d", got, want)
	}
	if d.Nodes[d.Start].ID != s.Start {
		t.Errorf("the draft starts at %q, want %q", d.Nodes[d.Start].ID, s.Start)
	}
	back, problems := d.Script()
	if len(problems) > 0 {
		t.Fatalf("id problems: %v", problems)
	}
	if back.Hash() != s.Hash() {
		t.Errorf("the draft's script differs:\n%s\nwant\n%s", back.Canonical(), s.Canonical())
	}
}

func TestTheStarterDraftIsAGreetingThatEnds(t *testing.T) {
	s, problems := script.StarterDraft().Script()
	if len(problems) > 0 {
		t.Fatalf("id problems: %v", problems)
	}
	want := script.Script{Start: "greeting", Nodes: map[string]script.Node{
		"greeting": {Kind: script.KindSay, Next: "end"},
		"end":      {Kind: script.KindOutcome},
	}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("starter: %+v, want %+v", s, want)
	}
}

func TestADraftNamesMissingAndTakenIdsAndLeavesOutWhatAKindDoesNotUse(t *testing.T) {
	d := script.Draft{Start: 0, Nodes: []script.DraftNode{
		{ID: "hello", Kind: script.KindSay, Text: "Bonjour", Next: 1,
			Answers: []script.DraftAnswer{{Label: "stray", Next: 2}}, Disposition: script.Sale},
		{ID: "", Kind: script.KindSay, Next: 2},
		{ID: "hello", Kind: script.KindOutcome, Disposition: script.Refused, Next: 0},
		{ID: "bye", Kind: script.KindOutcome, Disposition: script.Sale, Next: 0},
	}}
	s, problems := d.Script()
	want := []script.IDProblem{
		{Node: 1, Message: "is required: name the node (a-z, 0-9, _ and -)"},
		{Node: 2, Message: "is already the id of node 1: ids must differ"},
	}
	if !reflect.DeepEqual(problems, want) {
		t.Errorf("problems: %+v, want %+v", problems, want)
	}
	wantNodes := map[string]script.Node{
		// A say node keeps its next (to a node without an id: nowhere), not
		// its answers or disposition; an outcome no next.
		"hello": {Kind: script.KindSay, Text: "Bonjour"},
		"bye":   {Kind: script.KindOutcome, Disposition: script.Sale},
	}
	if s.Start != "hello" || !reflect.DeepEqual(s.Nodes, wantNodes) {
		t.Errorf("script: %+v, want start hello and %+v", s, wantNodes)
	}
}

func TestFieldsOfEachKind(t *testing.T) {
	for kind, want := range map[script.Kind][3]bool{
		script.KindSay: {true, false, false}, script.KindAsk: {false, true, false},
		script.KindObjection: {true, true, false}, script.KindOutcome: {false, false, true},
		"mystery": {true, true, true},
	} {
		next, answers, disposition := script.Fields(kind)
		if got := [3]bool{next, answers, disposition}; got != want {
			t.Errorf("Fields(%s) = %v, want %v", kind, got, want)
		}
	}
}

// three is a draft of three nodes linked in a row, the last asking.
func three() script.Draft {
	return script.Draft{Start: 0, Nodes: []script.DraftNode{
		{ID: "a", Kind: script.KindSay, Next: 1},
		{ID: "b", Kind: script.KindSay, Next: 2},
		{ID: "c", Kind: script.KindAsk, Next: script.NoNode, Answers: []script.DraftAnswer{{Label: "x", Next: 0}, {Label: "y", Next: 1}, {Label: "z", Next: 2}}},
	}}
}

func TestRemovingANodeCutsTheLinksToItAndShiftsThoseAfterIt(t *testing.T) {
	d := three()
	if !d.Remove(1) {
		t.Fatal("node 1 was not removed")
	}
	want := script.Draft{Start: 0, Nodes: []script.DraftNode{
		{ID: "a", Kind: script.KindSay, Next: script.NoNode},
		{ID: "c", Kind: script.KindAsk, Next: script.NoNode, Answers: []script.DraftAnswer{{Label: "x", Next: 0}, {Label: "y", Next: script.NoNode}, {Label: "z", Next: 1}}},
	}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("after removing b: %+v, want %+v", d, want)
	}
	d.Remove(0)
	if d.Start != script.NoNode {
		t.Errorf("removing the start node left the start at %d", d.Start)
	}
	for _, i := range []int{-1, 1, 5} {
		before := script.Draft{Start: d.Start, Nodes: append([]script.DraftNode(nil), d.Nodes...)}
		if d.Remove(i) || !reflect.DeepEqual(d, before) {
			t.Errorf("Remove(%d) of a node that is not there changed the draft", i)
		}
	}
}

func TestAddingANodeGivesItAnIdOfItsOwn(t *testing.T) {
	d := three()
	d.Nodes[0].ID = "ask_4" // the id a fourth node would first be given
	at := d.Add(script.KindAsk)
	if at != 3 {
		t.Fatalf("added at %d, want 3", at)
	}
	want := script.DraftNode{ID: "ask_5", Kind: script.KindAsk, Next: script.NoNode, Answers: []script.DraftAnswer{{Next: script.NoNode}}}
	if !reflect.DeepEqual(d.Nodes[3], want) {
		t.Errorf("added %+v, want %+v", d.Nodes[3], want)
	}
	if at := d.Add(script.KindSay); at != 4 || d.Nodes[4].ID != "say_5" || d.Nodes[4].Answers != nil {
		t.Errorf("added say node: %d %+v", at, d.Nodes[4])
	}
	if at := d.Add("mystery"); at != script.NoNode || len(d.Nodes) != 5 {
		t.Errorf("a node of an unknown kind was added at %d", at)
	}
}

func TestAnswersAreAddedAndRemovedByPosition(t *testing.T) {
	d := three()
	if !d.AddAnswer(0) || len(d.Nodes[0].Answers) != 1 || d.Nodes[0].Answers[0].Next != script.NoNode {
		t.Errorf("AddAnswer(0): %+v", d.Nodes[0].Answers)
	}
	if !d.RemoveAnswer(2, 1) {
		t.Fatal("answer 1 of node 2 was not removed")
	}
	if got := d.Nodes[2].Answers; len(got) != 2 || got[0].Label != "x" || got[1].Label != "z" {
		t.Errorf("after removing y: %+v", got)
	}
	for _, at := range [][2]int{{2, 2}, {2, -1}, {3, 0}, {-1, 0}} {
		if d.RemoveAnswer(at[0], at[1]) {
			t.Errorf("RemoveAnswer(%d, %d) removed an answer that is not there", at[0], at[1])
		}
	}
	if d.AddAnswer(3) || d.AddAnswer(-1) {
		t.Errorf("AddAnswer added to a node that is not there")
	}
}

func TestLocateFindsTheNodeAProblemIsAbout(t *testing.T) {
	d := three()
	d.Nodes = append(d.Nodes, script.DraftNode{ID: "a", Kind: script.KindSay}, script.DraftNode{ID: "Bad id", Kind: script.KindSay})
	for path, want := range map[string]struct {
		node int
		rest string
	}{
		"nodes.a.text":            {0, ".text"},
		"nodes.c.answers[1].next": {2, ".answers[1].next"},
		"nodes.b":                 {1, ""},
		`nodes["Bad id"]`:         {4, ""},
		"nodes.ab.text":           {script.NoNode, "nodes.ab.text"},
		"start":                   {script.NoNode, "start"},
		"nodes":                   {script.NoNode, "nodes"},
	} {
		node, rest := d.Locate(path)
		if node != want.node || rest != want.rest {
			t.Errorf("Locate(%q) = %d %q, want %d %q", path, node, rest, want.node, want.rest)
		}
	}
}

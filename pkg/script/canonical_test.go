package script_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/script"
)

func TestCanonical(t *testing.T) {
	s := script.Script{Start: "hello", Nodes: map[string]script.Node{
		"hello": {Kind: script.KindSay, Title: "Accueil", Text: "Bonjour <{{lead.first_name}}> & bienvenue", Next: "end"},
		"end":   {Kind: script.KindOutcome, Disposition: script.Sale},
		"ask":   {Kind: script.KindAsk, Text: "?", Answers: []script.Answer{{Label: "Oui", Next: "end"}}},
	}}
	want := `{"nodes":{"ask":{"answers":[{"label":"Oui","next":"end"}],"kind":"ask","text":"?"},` +
		`"end":{"disposition":"sale","kind":"outcome"},` +
		`"hello":{"kind":"say","next":"end","text":"Bonjour <{{lead.first_name}}> & bienvenue","title":"Accueil"}},` +
		`"start":"hello"}`
	if got := string(s.Canonical()); got != want {
		t.Fatalf("Canonical() =\n%s\nwant\n%s", got, want)
	}
}

// shuffled rebuilds a script's node map in a random insertion order, with
// a fresh copy of every answer list.
func shuffled(s script.Script, r *rand.Rand) script.Script {
	ids := make([]string, 0, len(s.Nodes))
	for id := range s.Nodes {
		ids = append(ids, id)
	}
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	out := script.Script{Start: s.Start, Nodes: make(map[string]script.Node)}
	for _, id := range ids {
		n := s.Nodes[id]
		n.Answers = append([]script.Answer(nil), n.Answers...)
		out.Nodes[id] = n
	}
	return out
}

func TestHashIsStableAcrossMapOrders(t *testing.T) {
	s := realistic(t)
	want := s.Hash()
	if len(want) != 64 {
		t.Fatalf("Hash() = %q, want 64 hex digits", want)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		other := shuffled(s, r)
		if got := other.Hash(); got != want {
			t.Fatalf("hash changed with the map order: %s, want %s", got, want)
		}
		if !bytes.Equal(other.Canonical(), s.Canonical()) {
			t.Fatal("canonical form changed with the map order")
		}
	}

	// The export's layout does not matter: indented or compact, the same script.
	indented, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	back, err := script.Parse(indented)
	if err != nil {
		t.Fatal(err)
	}
	if back.Hash() != want {
		t.Fatal("export then import changed the hash")
	}
	again, err := script.Parse(s.Canonical())
	if err != nil {
		t.Fatal(err)
	}
	if again.Hash() != want {
		t.Fatal("the canonical form does not read back to the same script")
	}
}

func TestHashSeesEveryEdit(t *testing.T) {
	base := small().Hash()
	edits := map[string]func(*script.Script){
		"start": func(s *script.Script) { s.Start = "pitch" },
		"text":  func(s *script.Script) { edit(s, "pitch", func(n *script.Node) { n.Text += " " }) },
		"title": func(s *script.Script) { edit(s, "pitch", func(n *script.Node) { n.Title = "Pitch" }) },
		"next":  func(s *script.Script) { edit(s, "pitch", func(n *script.Node) { n.Next = "end_sale" }) },
		"kind":  func(s *script.Script) { edit(s, "pitch", func(n *script.Node) { n.Kind = script.KindObjection }) },
		"disposition": func(s *script.Script) {
			edit(s, "end_sale", func(n *script.Node) { n.Disposition = script.Appointment })
		},
		"answer label": func(s *script.Script) { edit(s, "interest", func(n *script.Node) { n.Answers[0].Label = "oui" }) },
		"answer next": func(s *script.Script) {
			edit(s, "interest", func(n *script.Node) { n.Answers[0].Next = "end_refused" })
		},
		"answers order": func(s *script.Script) {
			edit(s, "interest", func(n *script.Node) { n.Answers[0], n.Answers[1] = n.Answers[1], n.Answers[0] })
		},
		"node renamed": func(s *script.Script) { s.Nodes["end_sale2"] = s.Nodes["end_sale"]; delete(s.Nodes, "end_sale") },
		"node added": func(s *script.Script) {
			s.Nodes["extra"] = script.Node{Kind: script.KindOutcome, Disposition: script.Sale}
		},
		"node removed":   func(s *script.Script) { delete(s.Nodes, "no_time") },
		"answer removed": func(s *script.Script) { edit(s, "interest", func(n *script.Node) { n.Answers = n.Answers[:1] }) },
	}
	for name, change := range edits {
		s := small()
		change(&s)
		if s.Hash() == base {
			t.Errorf("%s: the hash did not change", name)
		}
	}
	// Nil and empty answer lists are the same content.
	a, b := small(), small()
	edit(&a, "pitch", func(n *script.Node) { n.Answers = nil })
	edit(&b, "pitch", func(n *script.Node) { n.Answers = []script.Answer{} })
	if a.Hash() != b.Hash() {
		t.Error("nil and empty answers hash differently")
	}
}

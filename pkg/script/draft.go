package script

import (
	"fmt"
	"slices"
	"strconv"
)

// Draft is a script while an editor writes it: its nodes in the order of
// the page, linked by position rather than by id, so that renaming a node
// keeps every link to it. A draft may be anything an edit in progress is
// (a node added and not linked yet, an id missing or given twice): it
// becomes a script with Script, which Validate then judges. Saving every
// edit as a version instead would not work: the store keeps valid scripts
// only.
type Draft struct {
	Start int // the position of the start node, NoNode for none
	Nodes []DraftNode
}

// DraftNode is a node of a draft. Next and the answers' Next are
// positions in the draft, NoNode for none.
type DraftNode struct {
	ID          string
	Kind        Kind
	Title       string
	Text        string
	Disposition Disposition
	Next        int
	Answers     []DraftAnswer
}

// DraftAnswer is an answer of a draft's node.
type DraftAnswer struct {
	Label string
	Next  int
}

// NoNode is the position of a link that leads to no node.
const NoNode = -1

// DraftOf lays a script out as a draft, its nodes in reading order (Order).
func DraftOf(s Script) Draft {
	order := s.Order()
	pos := make(map[string]int, len(order))
	for i, id := range order {
		pos[id] = i
	}
	at := func(id string) int {
		if i, ok := pos[id]; ok {
			return i
		}
		return NoNode
	}
	d := Draft{Start: at(s.Start), Nodes: make([]DraftNode, 0, len(order))}
	for _, id := range order {
		n := s.Nodes[id]
		dn := DraftNode{ID: id, Kind: n.Kind, Title: n.Title, Text: n.Text, Disposition: n.Disposition, Next: at(n.Next)}
		for _, a := range n.Answers {
			dn.Answers = append(dn.Answers, DraftAnswer{Label: a.Label, Next: at(a.Next)})
		}
		d.Nodes = append(d.Nodes, dn)
	}
	return d
}

// StarterDraft is what an editor offers a campaign without a script: a
// greeting leading to an outcome, to fill in.
func StarterDraft() Draft {
	return Draft{Start: 0, Nodes: []DraftNode{
		{ID: "greeting", Kind: KindSay, Next: 1},
		{ID: "end", Kind: KindOutcome, Next: NoNode},
	}}
}

// Fields tells which fields a kind of node uses: an editor hides the
// others, and Draft.Script leaves them out. A kind that is none of Kinds
// keeps them all, for Validate to name.
func Fields(k Kind) (next, answers, disposition bool) {
	switch k {
	case KindSay:
		return true, false, false
	case KindAsk:
		return false, true, false
	case KindObjection:
		return true, true, false
	case KindOutcome:
		return false, false, true
	}
	return true, true, true
}

// IDProblem is a node of a draft whose id is missing or taken.
type IDProblem struct {
	Node    int // its position
	Message string
}

// Script turns the draft into a script. Ids must be given and differ (a
// script is a map of nodes by id): otherwise the problems come back, and
// the script, which lacks the nodes concerned, is not to be saved. Links
// to a node without an id of its own lead nowhere.
func (d Draft) Script() (Script, []IDProblem) {
	var problems []IDProblem
	first := map[string]int{}
	for i, n := range d.Nodes {
		switch j, dup := first[n.ID]; {
		case n.ID == "":
			problems = append(problems, IDProblem{i, "is required: name the node (a-z, 0-9, _ and -)"})
		case dup:
			problems = append(problems, IDProblem{i, fmt.Sprintf("is already the id of node %d: ids must differ", j+1)})
		default:
			first[n.ID] = i
		}
	}
	id := func(p int) string {
		if p < 0 || p >= len(d.Nodes) {
			return ""
		}
		return d.Nodes[p].ID
	}
	s := Script{Start: id(d.Start), Nodes: make(map[string]Node, len(d.Nodes))}
	for i, n := range d.Nodes {
		if n.ID == "" || first[n.ID] != i {
			continue
		}
		node := Node{Kind: n.Kind, Title: n.Title, Text: n.Text}
		next, answers, disposition := Fields(n.Kind)
		if next {
			node.Next = id(n.Next)
		}
		if answers {
			for _, a := range n.Answers {
				node.Answers = append(node.Answers, Answer{Label: a.Label, Next: id(a.Next)})
			}
		}
		if disposition {
			node.Disposition = n.Disposition
		}
		s.Nodes[n.ID] = node
	}
	return s, problems
}

// Locate finds the node of the draft a problem of its script is about,
// from the problem's path (as Validate reports it): the position of the
// first node with the path's id and the rest of the path (".text", "" for
// the node itself). node is NoNode, and rest the whole path, for a problem
// about the script as a whole ("start", "nodes").
func (d Draft) Locate(path string) (node int, rest string) {
	for i, n := range d.Nodes {
		if rest, ok := under(path, n.ID); ok && n.ID != "" {
			return i, rest
		}
	}
	return NoNode, path
}

// newNodeID is an id no node of the draft has: the kind and a number.
func (d Draft) newNodeID(kind Kind) string {
	taken := map[string]bool{}
	for _, n := range d.Nodes {
		taken[n.ID] = true
	}
	for i := len(d.Nodes) + 1; ; i++ {
		if id := string(kind) + "_" + strconv.Itoa(i); !taken[id] {
			return id
		}
	}
}

// Add appends a node of kind, with an id of its own and no link (an ask
// node gets an empty answer, which it needs), and returns its position.
// A kind that is none of Kinds adds nothing: NoNode.
func (d *Draft) Add(kind Kind) int {
	if !slices.Contains(Kinds, kind) {
		return NoNode
	}
	n := DraftNode{ID: d.newNodeID(kind), Kind: kind, Next: NoNode}
	if kind == KindAsk {
		n.Answers = []DraftAnswer{{Next: NoNode}}
	}
	d.Nodes = append(d.Nodes, n)
	return len(d.Nodes) - 1
}

// Remove deletes the node at position i: links to it are cut, links past
// it follow their node's new position. It reports whether there was one.
func (d *Draft) Remove(i int) bool {
	if !d.has(i) {
		return false
	}
	d.Nodes = slices.Delete(d.Nodes, i, i+1)
	shift := func(p *int) {
		switch {
		case *p == i:
			*p = NoNode
		case *p > i:
			*p--
		}
	}
	shift(&d.Start)
	for k := range d.Nodes {
		shift(&d.Nodes[k].Next)
		for j := range d.Nodes[k].Answers {
			shift(&d.Nodes[k].Answers[j].Next)
		}
	}
	return true
}

// AddAnswer appends an empty answer to the node at position i, and
// reports whether there was one.
func (d *Draft) AddAnswer(i int) bool {
	if !d.has(i) {
		return false
	}
	d.Nodes[i].Answers = append(d.Nodes[i].Answers, DraftAnswer{Next: NoNode})
	return true
}

// RemoveAnswer deletes answer j of the node at position i, and reports
// whether there was one.
func (d *Draft) RemoveAnswer(i, j int) bool {
	if !d.has(i) || j < 0 || j >= len(d.Nodes[i].Answers) {
		return false
	}
	d.Nodes[i].Answers = slices.Delete(d.Nodes[i].Answers, j, j+1)
	return true
}

func (d *Draft) has(i int) bool { return i >= 0 && i < len(d.Nodes) }

// Package script owns the call script (argumentaire): a branching graph an
// agent follows during a call, its JSON form, its validation, the rendering
// of lead variables in its texts, and the walk an agent (or the portal's
// preview) makes through it.
//
// It is pure: it imports the standard library and pkg/apperr only — no
// store, no HTTP. Versioning belongs to the store; this package gives it a
// canonical form (Script.Canonical) and a hash (Script.Hash) to tell whether
// an edit changed anything.
//
// # Nodes
//
// A script is a set of nodes keyed by id, and the id of the Start node. Ids
// are 1 to 64 characters of a-z, 0-9, _ and -. There are four kinds:
//
//   - say: text the agent reads, then next.
//   - ask: a question (text) and its answers; each answer has a label (the
//     button the agent clicks) and the next node.
//   - objection: a handler the agent may jump to from any node of the call
//     ("pas le temps", "envoyez-moi un mail", the barrage: "je vous passe le
//     responsable ?"). It has a title (the button), a text, and either a next
//     or answers. No edge needs to lead to it.
//   - outcome: the end of the call, with the disposition it records (sale,
//     appointment, promise_to_pay, callback, refused, …; see Dispositions)
//     and optional closing words in text.
//
// Any node may have a title: the editor shows it; for an objection it is
// required, since it labels the agent's button.
//
// # JSON
//
// The JSON form is the API's and the editor's (import and export):
//
//	{
//	  "start": "greeting",
//	  "nodes": {
//	    "greeting": {"kind": "say", "text": "Bonjour {{lead.first_name}}, {{agent.first_name}} de {{client.name}}.", "next": "interest"},
//	    "interest": {"kind": "ask", "text": "Souhaitez-vous finaliser votre commande ?", "answers": [
//	      {"label": "Oui", "next": "sale"},
//	      {"label": "Non merci", "next": "refused"}
//	    ]},
//	    "no_time": {"kind": "objection", "title": "Pas le temps", "text": "Je serai bref : une minute suffit.", "next": "interest"},
//	    "sale": {"kind": "outcome", "text": "Merci, bonne journée !", "disposition": "sale"},
//	    "refused": {"kind": "outcome", "disposition": "refused"}
//	  }
//	}
//
// Fields that do not apply to a node's kind are left out (and refused by
// Validate when present). Parse reads this form strictly (an unknown field or
// a node id given twice is an error with its path); encoding/json reads it
// leniently. Canonical writes it with every key sorted.
//
// # Variables
//
// Texts, titles and answer labels may hold variables: {{lead.first_name}},
// {{lead.last_name}}, {{lead.company}}, {{lead.city}}, {{agent.first_name}},
// {{client.name}}, and {{lead.custom.<field>}} for a custom field of the
// campaign's leads. Spaces inside the braces are allowed. Render substitutes
// them (see Render for missing values).
//
// # Validation
//
// Validate reports every problem at once as an apperr Invalid error whose
// fields have paths such as "start", "nodes.greeting.text" and
// "nodes.interest.answers[1].next" (answer indexes count from 0, as in the
// JSON array). See Validate for the rules.
//
// # Drafts
//
// An editor holds a script being written as a Draft: its nodes in the
// page's order, linked by position, so that a node may lack its id or
// links for a while; Draft.Script turns it into a script for Validate, and
// Draft.Locate puts each problem back on its node.
package script

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
)

// Kind is what a node does.
type Kind string

const (
	KindSay       Kind = "say"       // text, then next
	KindAsk       Kind = "ask"       // a question and its answers
	KindObjection Kind = "objection" // a handler reachable from any node
	KindOutcome   Kind = "outcome"   // the end of the call, with a disposition
)

// Kinds lists every kind of node.
var Kinds = []Kind{KindSay, KindAsk, KindObjection, KindOutcome}

// Disposition is what an outcome node records about the call.
type Disposition string

const (
	Sale            Disposition = "sale"
	Appointment     Disposition = "appointment"
	PromiseToPay    Disposition = "promise_to_pay" // recouvrement: the debtor commits to a payment
	Donation        Disposition = "donation"
	QualifiedLead   Disposition = "qualified_lead"
	SurveyCompleted Disposition = "survey_completed"
	CallbackDone    Disposition = "callback_done" // customer care: the requested callback was made
	Callback        Disposition = "callback"      // rappel: call the lead again later
	Refused         Disposition = "refused"
	NotReachable    Disposition = "not_reachable" // the person could not be reached (barrage, absent)
	WrongNumber     Disposition = "wrong_number"
	DoNotCall       Disposition = "do_not_call" // the callee objects to any further call
)

// Dispositions lists every disposition an outcome may record. It holds every
// outcome a campaign may target and a rate card may price, and the
// dispositions that end a call without that outcome.
var Dispositions = []Disposition{Sale, Appointment, PromiseToPay, Donation, QualifiedLead, SurveyCompleted,
	CallbackDone, Callback, Refused, NotReachable, WrongNumber, DoNotCall}

// TermKey names the kind in the catalogs, as the editor shows it.
func (k Kind) TermKey() string { return "scripts.kind." + string(k) }

// TermKey names the disposition in the catalogs.
func (d Disposition) TermKey() string { return "scripts.disposition." + string(d) }

// KnownDisposition reports whether d is one of Dispositions.
func KnownDisposition(d Disposition) bool { return slices.Contains(Dispositions, d) }

// Limits of a script.
const (
	MaxNodes   = 500
	MaxText    = 4000 // characters of a node's text
	MaxLabel   = 200  // characters of a title or an answer label
	MaxAnswers = 20   // answers of one node
	MaxID      = 64   // characters of a node id
)

// Script is a call script: a graph of nodes keyed by id.
type Script struct {
	Start string          `json:"start"`
	Nodes map[string]Node `json:"nodes"`
}

// Node is one step of a script. Which fields apply depends on Kind.
type Node struct {
	Kind        Kind        `json:"kind"`
	Title       string      `json:"title,omitempty"`
	Text        string      `json:"text,omitempty"`
	Next        string      `json:"next,omitempty"`        // say, objection
	Answers     []Answer    `json:"answers,omitempty"`     // ask, objection
	Disposition Disposition `json:"disposition,omitempty"` // outcome
}

// Answer is one answer to an ask or objection node: the button the agent
// clicks and the node it leads to.
type Answer struct {
	Label string `json:"label"`
	Next  string `json:"next"`
}

// canonical mirrors Script with its keys in sorted order.
type canonicalScript struct {
	Nodes map[string]canonicalNode `json:"nodes"`
	Start string                   `json:"start"`
}

type canonicalNode struct {
	Answers     []Answer    `json:"answers,omitempty"` // label < next already
	Disposition Disposition `json:"disposition,omitempty"`
	Kind        Kind        `json:"kind"`
	Next        string      `json:"next,omitempty"`
	Text        string      `json:"text,omitempty"`
	Title       string      `json:"title,omitempty"`
}

// Canonical returns the script's canonical JSON: every object's keys sorted,
// no insignificant space, empty fields left out, no HTML escaping. Two
// scripts with the same content have the same canonical form, whatever the
// order their nodes were built or read in; Parse reads it back.
func (s Script) Canonical() []byte {
	c := canonicalScript{Start: s.Start, Nodes: make(map[string]canonicalNode, len(s.Nodes))}
	for id, n := range s.Nodes {
		c.Nodes[id] = canonicalNode{Answers: n.Answers, Disposition: n.Disposition, Kind: n.Kind,
			Next: n.Next, Text: n.Text, Title: n.Title}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		// Strings, slices and maps keyed by strings always encode.
		panic("script: canonical encoding: " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// Hash is the hex SHA-256 of the canonical form: equal for scripts with the
// same content, different when an edit changed anything.
func (s Script) Hash() string {
	h := sha256.Sum256(s.Canonical())
	return hex.EncodeToString(h[:])
}

// edges returns the ids a node leads to, in the order the agent sees them:
// next, then each answer's next. Empty ids are left out.
func (n Node) edges() []string {
	var out []string
	if n.Next != "" {
		out = append(out, n.Next)
	}
	for _, a := range n.Answers {
		if a.Next != "" {
			out = append(out, a.Next)
		}
	}
	return out
}

// Order returns every node id in reading order, for the editor and exports:
// the nodes reached from the start breadth first (next, then answers in
// order), then each objection handler (by id) with the nodes only it leads
// to, then any node left unreachable, by id.
func (s Script) Order() []string {
	out := make([]string, 0, len(s.Nodes))
	seen := make(map[string]bool, len(s.Nodes))
	visit := func(root string) {
		if _, ok := s.Nodes[root]; !ok || seen[root] {
			return
		}
		seen[root] = true
		queue := []string{root}
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			out = append(out, id)
			for _, next := range s.Nodes[id].edges() {
				if _, ok := s.Nodes[next]; ok && !seen[next] {
					seen[next] = true
					queue = append(queue, next)
				}
			}
		}
	}
	visit(s.Start)
	ids := sortedIDs(s.Nodes)
	for _, id := range ids {
		if s.Nodes[id].Kind == KindObjection {
			visit(id)
		}
	}
	for _, id := range ids {
		visit(id)
	}
	return out
}

// Objections returns the ids of the objection handlers, sorted.
func (s Script) Objections() []string {
	var out []string
	for id, n := range s.Nodes {
		if n.Kind == KindObjection {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func sortedIDs(nodes map[string]Node) []string {
	ids := make([]string, 0, len(nodes))
	for id := range nodes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

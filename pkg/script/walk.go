package script

import (
	"strconv"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Step is one node as the agent sees it, its texts rendered for a lead.
type Step struct {
	Node        string      `json:"node"`
	Kind        Kind        `json:"kind"`
	Title       string      `json:"title,omitempty"`
	Text        string      `json:"text,omitempty"`
	Answers     []string    `json:"answers,omitempty"`     // the labels; Choice.Answer indexes them
	Disposition Disposition `json:"disposition,omitempty"` // set at an outcome, where the call ends
	Objections  []Handler   `json:"objections,omitempty"`  // the handlers the agent may jump to from here
}

// Handler is an objection handler offered at a step: its node and its
// rendered title, the words on the agent's button.
type Handler struct {
	Node  string `json:"node"`
	Title string `json:"title"`
}

// End reports whether the call ends at this step.
func (st Step) End() bool { return st.Kind == KindOutcome }

// Choice is what the agent does at a step: pick an answer (by its index in
// Step.Answers; 0, the zero value, continues from a node that has a next),
// or jump to an objection handler (Objection names it; Answer is then
// ignored).
type Choice struct {
	Answer    int    `json:"answer"`
	Objection string `json:"objection,omitempty"`
}

// At renders node id as a step.
func (s Script) At(id string, values Values) (Step, error) {
	n, ok := s.Nodes[id]
	if !ok {
		return Step{}, apperr.InvalidFields("script.node.not_found", "no such node", apperr.Field("node", "script.node.unknown", "names no node of the script"))
	}
	st := Step{Node: id, Kind: n.Kind, Title: Render(n.Title, values), Text: Render(n.Text, values), Disposition: n.Disposition}
	for _, a := range n.Answers {
		st.Answers = append(st.Answers, Render(a.Label, values))
	}
	if n.Kind != KindOutcome {
		for _, h := range s.Objections() {
			if h != id {
				st.Objections = append(st.Objections, Handler{Node: h, Title: Render(s.Nodes[h].Title, values)})
			}
		}
	}
	return st, nil
}

// Next returns the node a choice at node from leads to.
func (s Script) Next(from string, c Choice) (string, error) {
	next, why := s.next(from, c)
	if why != nil {
		return "", apperr.InvalidFields("script.choice.nowhere", "this choice leads nowhere", *why)
	}
	return next, nil
}

// next is where choice c at node from leads, or why it leads nowhere, at
// the path of the choice's field ("node", "objection", "answer").
func (s Script) next(from string, c Choice) (string, *apperr.FieldError) {
	why := func(f apperr.FieldError) (string, *apperr.FieldError) { return "", &f }
	var next string
	n, ok := s.Nodes[from]
	switch {
	case !ok:
		return why(apperr.Field("node", "script.node.unknown", "names no node of the script"))
	case n.Kind == KindOutcome:
		return why(apperr.Field("node", "script.node.ended", "the call has ended at this outcome"))
	case c.Objection != "":
		if h, ok := s.Nodes[c.Objection]; !ok || h.Kind != KindObjection {
			return why(apperr.Field("objection", "script.objection.unknown", "names no objection handler of the script"))
		}
		return c.Objection, nil
	case len(n.Answers) > 0:
		if c.Answer < 0 || c.Answer >= len(n.Answers) {
			return why(apperr.Field("answer", "script.answer.out_of_range", "must be between 0 and %d", len(n.Answers)-1))
		}
		next = n.Answers[c.Answer].Next
	default:
		if c.Answer != 0 {
			return why(apperr.Field("answer", "script.answer.not_zero", "must be 0: this node has no answers, only a next"))
		}
		next = n.Next
	}
	if _, ok := s.Nodes[next]; !ok {
		return why(apperr.Field("answer", "script.answer.dangling", "leads to no node: the script is not valid"))
	}
	return next, nil
}

// Step makes a choice at node from and returns the step it leads to,
// rendered with values: what the preview and the agent workspace show next.
func (s Script) Step(from string, c Choice, values Values) (Step, error) {
	next, err := s.Next(from, c)
	if err != nil {
		return Step{}, err
	}
	return s.At(next, values)
}

// Walk follows choices from the start and returns every step on the way,
// the start's first: a preview of the call as an agent would make it. It
// stops at the first choice that leads nowhere, returning the steps so far
// and an error whose path is that choice ("choices[3]").
func (s Script) Walk(choices []Choice, values Values) ([]Step, error) {
	st, err := s.At(s.Start, values)
	if err != nil {
		return nil, apperr.InvalidFields("script.start.missing", "the script has no start", apperr.Field("start", "script.node.unknown", "names no node of the script"))
	}
	steps := []Step{st}
	for i, c := range choices {
		next, why := s.next(st.Node, c)
		if why != nil {
			p := "choices[" + strconv.Itoa(i) + "]"
			if why.Path != "node" {
				p += "." + why.Path
			}
			why.Path = p
			return steps, apperr.InvalidFields("script.choice.nowhere", "this choice leads nowhere", *why)
		}
		if st, err = s.At(next, values); err != nil {
			return steps, err
		}
		steps = append(steps, st)
	}
	return steps, nil
}

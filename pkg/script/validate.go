package script

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Validate checks a script and reports every problem at once, as an apperr
// Invalid error whose fields name each problem's path. customFields are the
// campaign's custom lead fields, usable as {{lead.custom.<field>}}.
//
// The rules:
//   - start names a node, which is a say or ask node;
//   - there are 1 to MaxNodes nodes; ids are 1 to MaxID of a-z, 0-9, _, -;
//   - each node has a known kind and only the fields of its kind: a say node
//     a text and a next; an ask node a text and 1 to MaxAnswers answers; an
//     objection a title, a text, and a next or answers; an outcome a known
//     disposition and optionally a text;
//   - texts are not blank and hold at most MaxText characters; titles and
//     labels at most MaxLabel; answer labels are not blank and differ within
//     a node (ignoring case and spacing);
//   - every "{{" is closed and names a known variable (StandardVariables, or
//     lead.custom.<field> for one of customFields);
//   - every next and answer names a node (no dangling edge);
//   - every node is reachable from the start, objection handlers counting as
//     reachable from every node;
//   - from every node an outcome is reachable by nexts and answers alone.
//     Jumping to an objection does not count as an exit: otherwise a loop
//     without exit would pass as soon as one objection leads to an outcome.
//
// A node whose kind or edges are already reported is not reported again as
// leading to no outcome, so one mistake gives one message.
func Validate(s Script, customFields []string) error {
	v := validator{s: s, custom: customFields, byNode: map[string]apperr.Fields{}, unsure: map[string]bool{}}
	v.start()
	ids := sortedIDs(s.Nodes)
	for _, id := range ids {
		v.node(id, s.Nodes[id])
	}
	v.reachable()
	v.reachesOutcome()
	f := v.top
	for _, id := range ids {
		f = append(f, v.byNode[id]...)
	}
	return f.Err("script.invalid", "the script is not valid")
}

type validator struct {
	s      Script
	custom []string
	top    apperr.Fields            // start, nodes
	byNode map[string]apperr.Fields // each node's problems, reported together
	unsure map[string]bool          // nodes whose kind or edges are reported: their paths are unknown
}

// add records a problem of node id; its path is the field's within the
// node ("" for the node, ".text", ".answers[2].label").
func (v *validator) add(id string, problem apperr.FieldError) {
	problem.Path = nodePath(id) + problem.Path
	v.byNode[id] = append(v.byNode[id], problem)
}

func (v *validator) start() {
	switch n := len(v.s.Nodes); {
	case n == 0:
		v.top.Add("nodes", "script.nodes.none", "add at least one node")
	case n > MaxNodes:
		v.top.Add("nodes", "script.nodes.too_many", "has %d nodes; a script holds at most %d", n, MaxNodes)
	}
	if v.s.Start == "" {
		v.top.Add("start", "script.start.required", "is required: name the node the call starts with")
		return
	}
	n, ok := v.s.Nodes[v.s.Start]
	switch {
	case !ok:
		v.top.Add("start", "script.edge.dangling", "names no node (%q)", shorten(v.s.Start))
	case n.Kind == KindObjection || n.Kind == KindOutcome:
		v.top.Add("start", "script.start.kind", "must be a say or ask node (%s is an %s)", v.s.Start, n.Kind)
	}
}

func (v *validator) node(id string, n Node) {
	if !validID(id) {
		v.add(id, apperr.Field("", "script.node.bad_id", "ids are 1 to %d characters of a-z, 0-9, _ and -", MaxID))
	}
	v.label(id, ".title", n.Title, n.Kind == KindObjection)
	switch n.Kind {
	case KindSay:
		v.text(id, n.Text, true)
		v.next(id, n.Next, true)
		if len(n.Answers) > 0 {
			v.misplaced(id, apperr.Field(".answers", "script.say.answers", "a say node leads on through next, not answers: make it an ask node"))
		}
	case KindAsk:
		v.text(id, n.Text, true)
		if n.Next != "" {
			v.misplaced(id, apperr.Field(".next", "script.ask.next", "an ask node leads on through its answers, not next"))
		}
		if len(n.Answers) == 0 {
			v.misplaced(id, apperr.Field(".answers", "script.ask.no_answers", "an ask node needs at least one answer"))
		}
		v.answers(id, n.Answers)
	case KindObjection:
		v.text(id, n.Text, true)
		switch {
		case n.Next != "" && len(n.Answers) > 0:
			v.misplaced(id, apperr.Field(".next", "script.objection.both", "an objection leads on through next or answers, not both"))
		case n.Next == "" && len(n.Answers) == 0:
			v.misplaced(id, apperr.Field(".next", "script.objection.no_way_on", "is required: an objection leads on through next or answers"))
		case n.Next != "":
			v.next(id, n.Next, true)
		}
		v.answers(id, n.Answers)
	case KindOutcome:
		v.text(id, n.Text, false)
		if n.Next != "" {
			v.misplaced(id, apperr.Field(".next", "script.outcome.next", "an outcome ends the call: it has no next"))
		}
		if len(n.Answers) > 0 {
			v.misplaced(id, apperr.Field(".answers", "script.outcome.answers", "an outcome ends the call: it has no answers"))
		}
		switch {
		case n.Disposition == "":
			v.add(id, apperr.Field(".disposition", "script.disposition.required", "is required: name what the call ends with (%s)", dispositionList()))
		case !KnownDisposition(n.Disposition):
			v.add(id, apperr.Field(".disposition", "script.disposition.unknown", "must be one of %s (got %q)", dispositionList(), shorten(string(n.Disposition))))
		}
	default:
		v.unsure[id] = true
		if n.Kind == "" {
			v.add(id, apperr.Field(".kind", "script.kind.required", "is required: %s", "say, ask, objection or outcome"))
		} else {
			v.add(id, apperr.Field(".kind", "script.kind.unknown", "must be %s (got %q)", "say, ask, objection or outcome", shorten(string(n.Kind))))
		}
	}
	if n.Disposition != "" && n.Kind != KindOutcome && slices.Contains(Kinds, n.Kind) {
		v.add(id, apperr.Field(".disposition", "script.disposition.not_outcome", "only an outcome node records a disposition"))
	}
}

func dispositionList() string {
	s := make([]string, len(Dispositions))
	for i, d := range Dispositions {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}

// misplaced reports a problem with a node's edges.
func (v *validator) misplaced(id string, problem apperr.FieldError) {
	v.unsure[id] = true
	v.add(id, problem)
}

func (v *validator) next(id, next string, required bool) {
	v.edge(id, ".next", next, required)
}

func (v *validator) edge(id, suffix, next string, required bool) {
	switch _, ok := v.s.Nodes[next]; {
	case next == "" && required:
		v.unsure[id] = true
		v.add(id, apperr.Field(suffix, "script.next.required", "is required: name the node that comes next"))
	case next != "" && !ok:
		v.unsure[id] = true
		v.add(id, apperr.Field(suffix, "script.edge.dangling", "names no node (%q)", shorten(next)))
	}
}

func (v *validator) answers(id string, answers []Answer) {
	if len(answers) > MaxAnswers {
		v.add(id, apperr.Field(".answers", "script.answers.too_many", "has %d answers; a node has at most %d", len(answers), MaxAnswers))
	}
	first := map[string]int{} // normalized label → index of its first answer
	for i, a := range answers {
		p := ".answers[" + strconv.Itoa(i) + "]"
		if strings.TrimSpace(a.Label) == "" {
			v.add(id, apperr.Field(p+".label", "script.answer.label_required", "is required: the words of the answer the agent clicks"))
		} else {
			v.label(id, p+".label", a.Label, true)
			key := strings.ToLower(strings.Join(strings.Fields(a.Label), " "))
			if j, dup := first[key]; dup {
				v.add(id, apperr.Field(p+".label", "script.answer.repeated", "repeats answer %d (%q): answers must differ", j+1, shorten(answers[j].Label)))
			} else {
				first[key] = i
			}
		}
		v.edge(id, p+".next", a.Next, true)
	}
}

func (v *validator) text(id, text string, required bool) {
	switch n := utf8.RuneCountInString(text); {
	case strings.TrimSpace(text) == "" && required:
		v.add(id, apperr.Field(".text", "script.text.required", "is required: write what the agent says"))
		return
	case n > MaxText:
		v.add(id, apperr.Field(".text", "script.text.too_long", "has %d characters; at most %d", n, MaxText))
	}
	v.variables(id, ".text", text)
}

func (v *validator) label(id, suffix, label string, required bool) {
	switch n := utf8.RuneCountInString(label); {
	case strings.TrimSpace(label) == "" && required:
		v.add(id, apperr.Field(suffix, "script.label.required", "is required: the words on the agent's button"))
		return
	case n > MaxLabel:
		v.add(id, apperr.Field(suffix, "script.text.too_long", "has %d characters; at most %d", n, MaxLabel))
	}
	v.variables(id, suffix, label)
}

func (v *validator) variables(id, suffix, text string) {
	for _, r := range references(text) {
		switch {
		case r.unclosed:
			v.add(id, apperr.Field(suffix, "script.variable.unclosed", "has a {{ without its closing }}"))
		case !knownVariable(r.name, v.custom) && len(v.custom) == 0:
			v.add(id, apperr.Field(suffix, "script.variable.unknown", "unknown variable {{%s}}: use %s (the campaign's leads have no custom field)",
				shorten(r.name), strings.Join(StandardVariables, ", ")))
		case !knownVariable(r.name, v.custom):
			v.add(id, apperr.Field(suffix, "script.variable.unknown_custom", "unknown variable {{%s}}: use %s or %s<field> with a field among %s",
				shorten(r.name), strings.Join(StandardVariables, ", "), CustomPrefix, strings.Join(v.custom, ", ")))
		}
	}
}

// reachable reports the nodes no path from the start leads to. Without a
// start there is nothing to measure from, and the start is reported.
func (v *validator) reachable() {
	if _, ok := v.s.Nodes[v.s.Start]; !ok {
		return
	}
	seen := map[string]bool{v.s.Start: true}
	queue := []string{v.s.Start}
	// The agent may jump to any objection handler from any node.
	for id, n := range v.s.Nodes {
		if n.Kind == KindObjection && !seen[id] {
			seen[id] = true
			queue = append(queue, id)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, next := range v.s.Nodes[id].edges() {
			if _, ok := v.s.Nodes[next]; ok && !seen[next] {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	for id := range v.s.Nodes {
		if !seen[id] {
			v.add(id, apperr.Field("", "script.node.unreachable", "cannot be reached: no path from the start (%s) leads here", v.s.Start))
		}
	}
}

// reachesOutcome reports the nodes from which no outcome can be reached, by
// walking the edges backwards from the outcomes.
func (v *validator) reachesOutcome() {
	into := map[string][]string{} // node → the nodes leading to it
	var queue []string
	good := map[string]bool{}
	for id, n := range v.s.Nodes {
		if n.Kind == KindOutcome || v.unsure[id] {
			good[id] = true
			queue = append(queue, id)
			continue
		}
		for _, next := range n.edges() {
			into[next] = append(into[next], id)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, prev := range into[id] {
			if !good[prev] {
				good[prev] = true
				queue = append(queue, prev)
			}
		}
	}
	for id := range v.s.Nodes {
		if !good[id] {
			v.add(id, apperr.Field("", "script.node.no_outcome", "leads to no outcome: every path from here loops back without reaching the end of the call"))
		}
	}
}

package script

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Parse reads a script from its JSON form strictly, for imports and the
// API: beyond what encoding/json checks, a field that is not part of the
// format and a node id given twice (which encoding/json would silently
// collapse, losing a node) are errors. Every problem is reported at once, as
// an apperr Invalid error with paths ("nodes.greeting.answers[0].nxt").
// Parse does not validate the graph: call Validate for that.
func Parse(data []byte) (Script, error) {
	var (
		f   apperr.Fields
		s   Script
		top map[string]json.RawMessage
	)
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		if se, ok := err.(*json.SyntaxError); ok {
			return Script{}, apperr.New(apperr.Invalid, "script.json.syntax", "the script is not a JSON object (syntax error at byte %d)", se.Offset)
		}
		return Script{}, apperr.New(apperr.Invalid, "script.json.not_object", "the script is not a JSON object")
	}
	for _, k := range sortedKeys(top) {
		switch k {
		case "start":
			decodeString(&f, "start", top[k], &s.Start)
		case "nodes":
			s.Nodes = parseNodes(&f, top[k])
		default:
			f.Add(fieldPath("", k), "script.field.unknown", "is not a field of a script (%s)", "start, nodes")
		}
	}
	if err := f.Err("script.unreadable", "the script cannot be read"); err != nil {
		return Script{}, err
	}
	return s, nil
}

var nodeFields = []string{"kind", "title", "text", "next", "answers", "disposition"}

func parseNodes(f *apperr.Fields, raw json.RawMessage) map[string]Node {
	if isNull(raw) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		f.Add("nodes", "script.nodes.not_object", "must be an object of nodes keyed by id")
		return nil
	}
	nodes := map[string]Node{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			f.Add("nodes", "script.json.unreadable", "cannot be read")
			return nodes
		}
		id, _ := tok.(string) // an object's keys are strings
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			f.Add(nodePath(id), "script.json.unreadable", "cannot be read")
			return nodes
		}
		if _, dup := nodes[id]; dup {
			f.Add(nodePath(id), "script.node.duplicate", "is given twice: node ids must be unique")
			continue
		}
		nodes[id] = parseNode(f, nodePath(id), value)
	}
	return nodes
}

func parseNode(f *apperr.Fields, path string, raw json.RawMessage) Node {
	var n Node
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		f.Add(path, "script.node.not_object", "must be an object (%s, …)", "kind, text")
		return n
	}
	for _, k := range sortedKeys(fields) {
		p := fieldPath(path, k)
		v := fields[k]
		switch k {
		case "kind":
			decodeString(f, p, v, (*string)(&n.Kind))
		case "title":
			decodeString(f, p, v, &n.Title)
		case "text":
			decodeString(f, p, v, &n.Text)
		case "next":
			decodeString(f, p, v, &n.Next)
		case "disposition":
			decodeString(f, p, v, (*string)(&n.Disposition))
		case "answers":
			n.Answers = parseAnswers(f, p, v)
		default:
			f.Add(p, "script.node.unknown_field", "is not a field of a node (%s)", strings.Join(nodeFields, ", "))
		}
	}
	return n
}

func parseAnswers(f *apperr.Fields, path string, raw json.RawMessage) []Answer {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		f.Add(path, "script.answers.not_list", "must be a list of answers (%s)", `{"label": …, "next": …}`)
		return nil
	}
	if items == nil {
		return nil
	}
	answers := make([]Answer, len(items))
	for i, item := range items {
		p := path + "[" + strconv.Itoa(i) + "]"
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(item, &fields); err != nil || fields == nil {
			f.Add(p, "script.answer.not_object", "must be an object with a label and a next")
			continue
		}
		for _, k := range sortedKeys(fields) {
			switch k {
			case "label":
				decodeString(f, p+".label", fields[k], &answers[i].Label)
			case "next":
				decodeString(f, p+".next", fields[k], &answers[i].Next)
			default:
				f.Add(fieldPath(p, k), "script.answer.unknown_field", "is not a field of an answer (%s)", "label, next")
			}
		}
	}
	return answers
}

func decodeString(f *apperr.Fields, path string, raw json.RawMessage, dst *string) {
	if err := json.Unmarshal(raw, dst); err != nil {
		f.Add(path, "script.value.not_string", "must be a string")
	}
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// fieldPath appends a field name from the input to a path: ".colour" when
// it is a plain name, ["Odd name"] (quoted, shortened) otherwise.
func fieldPath(path, k string) string {
	switch {
	case !validID(k):
		return path + "[" + strconv.Quote(shorten(k)) + "]"
	case path == "":
		return k
	}
	return path + "." + k
}

// nodePath is the path of a node: "nodes.greeting", or nodes["Bad id"] for
// an id that is not a valid one (so a dot in it cannot be misread).
func nodePath(id string) string {
	if validID(id) {
		return "nodes." + id
	}
	return "nodes[" + strconv.Quote(shorten(id)) + "]"
}

// shorten keeps input echoed in messages small.
func shorten(s string) string {
	const max = MaxID
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}

func validID(id string) bool {
	if id == "" || len(id) > MaxID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

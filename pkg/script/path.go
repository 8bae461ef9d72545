package script

import "strings"

// NodeOf splits the path of a problem that Parse or Validate reported about
// a node of s into the node's id and the rest of the path (".text",
// ".answers[1].next", or "" for the node itself), so that an editor can show
// the problem beside the field concerned. ok is false for a path about the
// script as a whole ("start", "nodes") or about no node of s.
func (s Script) NodeOf(path string) (id, rest string, ok bool) {
	for _, id := range sortedIDs(s.Nodes) {
		if rest, ok := under(path, id); ok {
			return id, rest, true
		}
	}
	return "", "", false
}

// under reports whether path is about the node id, and the rest of it.
func under(path, id string) (rest string, ok bool) {
	rest, found := strings.CutPrefix(path, nodePath(id))
	return rest, found && (rest == "" || rest[0] == '.' || rest[0] == '[')
}

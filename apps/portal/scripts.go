package portal

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// A campaign's call script (argumentaire), under
// /portal/campaigns/{id}/script: an editor of plain HTML forms, a preview
// that walks the script as an agent would with a sample lead, JSON import
// and export, and the list of versions. The store keeps the versions and
// decides who reads and who writes (the campaign's client; a contracted
// center reads); pkg/script validates, renders and walks.
//
// The editor holds its draft in the page. Every button of the editor form
// (add a node, remove one, add or remove an answer, save) posts the whole
// script as form fields — node 3 is n3.id, n3.kind, n3.text, n3.next,
// n3.answers[1].label, … — and the server answers with the page rebuilt
// from them, so nothing is lost between two clicks and no JavaScript is
// needed. Only Save writes, through Tenant.SaveScript: a refused save
// re-renders the user's draft with every problem beside its field, and
// nothing is written. Links (the start, nexts, answers) name a node by its
// position in the form, not its id, so that renaming a node keeps every
// link to it. Saving every edit as a version instead would not work: an
// edit in progress (a node added, not linked yet) is not a valid script,
// and the store keeps valid scripts only.

func (pt *Portal) mountScripts(r *fiberhttp.Router) {
	r.Get("/campaigns/:id/script", tenancy.PermCampaignsRead, clientsOnly, pt.scriptEditor)
	r.Post("/campaigns/:id/script", tenancy.PermCampaignsWrite, clientsOnly, pt.editScript)
	r.Post("/campaigns/:id/script/import", tenancy.PermCampaignsWrite, clientsOnly, pt.importScript)
	r.Get("/campaigns/:id/script/export", tenancy.PermCampaignsRead, clientsOnly, pt.exportScript)
	r.Get("/campaigns/:id/script/preview", tenancy.PermCampaignsRead, clientsOnly, pt.previewScript)
	r.Get("/campaigns/:id/script/versions", tenancy.PermCampaignsRead, clientsOnly, pt.scriptVersions)
}

// The draft of the editor: the nodes in the order of the page, linked by
// position (-1: no node).
type draft struct {
	Start int
	Nodes []draftNode
}

type draftNode struct {
	ID, Kind, Title, Text, Disposition string
	Next                               int
	Answers                            []draftAnswer
}

type draftAnswer struct {
	Label string
	Next  int
}

// draftOf lays a script out for the editor, in its reading order.
func draftOf(s script.Script) draft {
	order := s.Order()
	pos := make(map[string]int, len(order))
	for i, id := range order {
		pos[id] = i
	}
	at := func(id string) int {
		if i, ok := pos[id]; ok {
			return i
		}
		return -1
	}
	d := draft{Start: at(s.Start), Nodes: make([]draftNode, 0, len(order))}
	for _, id := range order {
		n := s.Nodes[id]
		dn := draftNode{ID: id, Kind: string(n.Kind), Title: n.Title, Text: n.Text, Disposition: string(n.Disposition), Next: at(n.Next)}
		for _, a := range n.Answers {
			dn.Answers = append(dn.Answers, draftAnswer{Label: a.Label, Next: at(a.Next)})
		}
		d.Nodes = append(d.Nodes, dn)
	}
	return d
}

// starterDraft is what the editor offers a campaign without a script: a
// greeting leading to an outcome, to fill in.
func starterDraft() draft {
	return draft{Start: 0, Nodes: []draftNode{
		{ID: "greeting", Kind: string(script.KindSay), Next: 1},
		{ID: "end", Kind: string(script.KindOutcome), Next: -1},
	}}
}

func nodeKey(i int) string { return "n" + strconv.Itoa(i) }

func answerKey(i, j int) string { return nodeKey(i) + ".answers[" + strconv.Itoa(j) + "]" }

// readDraft reads the editor form. Counts are bounded one past the
// script's limits, so that the validator can say a draft is too big.
func readDraft(get func(key string) string) draft {
	n := boundedCount(get("nodes"), script.MaxNodes+1)
	d := draft{Start: position(get("start"), n), Nodes: make([]draftNode, n)}
	for i := range d.Nodes {
		k := nodeKey(i)
		d.Nodes[i] = draftNode{ID: strings.TrimSpace(get(k + ".id")), Kind: get(k + ".kind"), Title: get(k + ".title"),
			Text: strings.ReplaceAll(get(k+".text"), "\r\n", "\n"), Disposition: get(k + ".disposition"), Next: position(get(k+".next"), n)}
		answers := make([]draftAnswer, boundedCount(get(k+".answer_count"), script.MaxAnswers+1))
		for j := range answers {
			ak := answerKey(i, j)
			answers[j] = draftAnswer{Label: get(ak + ".label"), Next: position(get(ak+".next"), n)}
		}
		d.Nodes[i].Answers = answers
	}
	return d
}

func boundedCount(s string, max int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return min(n, max)
}

func position(s string, n int) int {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= n {
		return -1
	}
	return i
}

// applies tells which fields of the form a kind of node uses; the page
// hides the others and the script leaves them out. A kind the editor does
// not know keeps them all, for the validator to name.
func applies(k script.Kind) (next, answers, disposition bool) {
	switch k {
	case script.KindSay:
		return true, false, false
	case script.KindAsk:
		return false, true, false
	case script.KindObjection:
		return true, true, false
	case script.KindOutcome:
		return false, false, true
	}
	return true, true, true
}

// idProblem is a node of the draft whose id is missing or taken.
type idProblem struct {
	Node    int
	Message string
}

// script turns the draft into a script. Ids must be given and differ (the
// script is a map of nodes by id): otherwise the problems come back, and
// the script is not to be saved.
func (d draft) script() (script.Script, []idProblem) {
	var problems []idProblem
	first := map[string]int{}
	for i, n := range d.Nodes {
		switch j, dup := first[n.ID]; {
		case n.ID == "":
			problems = append(problems, idProblem{i, "is required: name the node (a-z, 0-9, _ and -)"})
		case dup:
			problems = append(problems, idProblem{i, fmt.Sprintf("is already the id of node %d: ids must differ", j+1)})
		default:
			first[n.ID] = i
		}
	}
	id := func(p int) string {
		if p < 0 {
			return ""
		}
		return d.Nodes[p].ID
	}
	s := script.Script{Start: id(d.Start), Nodes: make(map[string]script.Node, len(d.Nodes))}
	for i, n := range d.Nodes {
		if first[n.ID] != i || n.ID == "" {
			continue
		}
		node := script.Node{Kind: script.Kind(n.Kind), Title: n.Title, Text: n.Text}
		next, answers, disposition := applies(node.Kind)
		if next {
			node.Next = id(n.Next)
		}
		if answers {
			for _, a := range n.Answers {
				node.Answers = append(node.Answers, script.Answer{Label: a.Label, Next: id(a.Next)})
			}
		}
		if disposition {
			node.Disposition = script.Disposition(n.Disposition)
		}
		s.Nodes[n.ID] = node
	}
	return s, problems
}

// newNodeID is an id no node of the draft has: the kind and a number.
func (d draft) newNodeID(kind string) string {
	taken := map[string]bool{}
	for _, n := range d.Nodes {
		taken[n.ID] = true
	}
	for i := len(d.Nodes) + 1; ; i++ {
		if id := kind + "_" + strconv.Itoa(i); !taken[id] {
			return id
		}
	}
}

// apply makes one change an editor button asks for and reports the node to
// bring into view (-1: none). An op that names no node changes nothing.
func (d *draft) apply(op, newKind string) int {
	verb, args, _ := strings.Cut(op, ":")
	var at []int
	for _, a := range strings.Split(args, ":") {
		if i, err := strconv.Atoi(a); err == nil {
			at = append(at, i)
		}
	}
	valid := func(i int) bool { return i >= 0 && i < len(d.Nodes) }
	switch {
	case verb == "add" && slices.Contains(script.Kinds, script.Kind(newKind)):
		n := draftNode{ID: d.newNodeID(newKind), Kind: newKind, Next: -1}
		if script.Kind(newKind) == script.KindAsk {
			n.Answers = []draftAnswer{{Next: -1}}
		}
		d.Nodes = append(d.Nodes, n)
		return len(d.Nodes) - 1
	case verb == "remove" && len(at) == 1 && valid(at[0]):
		d.remove(at[0])
	case verb == "answer" && len(at) == 1 && valid(at[0]):
		d.Nodes[at[0]].Answers = append(d.Nodes[at[0]].Answers, draftAnswer{Next: -1})
		return at[0]
	case verb == "unanswer" && len(at) == 2 && valid(at[0]) && at[1] >= 0 && at[1] < len(d.Nodes[at[0]].Answers):
		n := &d.Nodes[at[0]]
		n.Answers = append(n.Answers[:at[1]], n.Answers[at[1]+1:]...)
		return at[0]
	}
	return -1
}

// remove deletes node i: links to it are cut, links past it follow their
// node's new position.
func (d *draft) remove(i int) {
	d.Nodes = append(d.Nodes[:i], d.Nodes[i+1:]...)
	shift := func(p *int) {
		switch {
		case *p == i:
			*p = -1
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
}

// scriptHead is what every script page shows: the campaign, its script's
// versions (newest first) and whether the viewer may edit.
type scriptHead struct {
	CampaignID   string
	CampaignName string
	Tab          string // editor, preview or versions
	Versions     []versionView
	CanWrite     bool
}

type versionView struct {
	Number    int
	CreatedAt string
	CreatedBy string
	UsedAt    string // empty while no call has used it
	Hash      string // its first 12 characters
}

// loadScript reads the campaign of the page and every version of its
// script; a campaign whose script the viewer may not read is not found.
func (pt *Portal) loadScript(c *fiber.Ctx, tab string) (scriptHead, []store.ScriptVersion, error) {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return scriptHead{}, nil, err
	}
	_, loc, err := pt.org(c)
	if err != nil {
		return scriptHead{}, nil, err
	}
	head := scriptHead{CampaignID: id.String(), Tab: tab}
	if head.CanWrite, err = pt.can(c, tenancy.PermCampaignsWrite); err != nil {
		return head, nil, err
	}
	var versions []store.ScriptVersion
	ctx := c.UserContext()
	err = pt.p.DB.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		if versions, err = t.ScriptVersions(ctx, id); err != nil {
			return err
		}
		camp, err := t.Campaign(ctx, id)
		head.CampaignName = camp.Name
		return err
	})
	if err != nil {
		return head, nil, err
	}
	for _, v := range versions {
		vv := versionView{Number: v.Version, CreatedAt: when(v.CreatedAt, loc), CreatedBy: v.CreatedBy, Hash: v.Hash[:min(12, len(v.Hash))]}
		if v.UsedAt != nil {
			vv.UsedAt = when(*v.UsedAt, loc)
		}
		head.Versions = append(head.Versions, vv)
	}
	return head, versions, nil
}

// editorData is the editor page.
type editorData struct {
	scriptHead
	Start        int
	Nodes        []nodeView
	Kinds        []option
	Dispositions []option
	Variables    []string
	Errs         map[string][]string // by form field: n3, n3.text, n3.answers[1].next, start, nodes
	Problems     []problem
	Import       importView

	d     draft
	focus int // the node to bring into view, -1 for none
}

type nodeView struct {
	Key, ID, Kind, Title, Text, Disposition string
	Pos, Next                               int
	Answers                                 []answerView
	Focus                                   bool
}

type answerView struct {
	Key   string
	Pos   int
	Label string
	Next  int
}

// Targets are the nodes a link may lead to, for a select whose value is
// the node at position selected.
func (ed *editorData) Targets(selected int) []option {
	out := make([]option, len(ed.Nodes))
	for i, n := range ed.Nodes {
		label := cmp.Or(n.ID, "…")
		if n.Title != "" {
			label += " — " + n.Title
		}
		out[i] = option{Value: strconv.Itoa(i), Label: label, Selected: i == selected}
	}
	return out
}

// problem is one reason a save was refused, for the summary above the
// editor: Anchor is the id of the element it is about.
type problem struct{ Anchor, Node, Field, Message string }

// importView is the import form, with what was sent when it was refused.
type importView struct {
	JSON, File, Message string
	Errors              []apperr.FieldError
	Loaded              bool // read, but not valid: the editor shows it with its problems
}

// place puts a problem on a node (its position, and the rest of the path:
// ".text", "" for the node itself) or, at -1, on the script (rest is then
// "start" or "nodes").
func (ed *editorData) place(node int, rest, message string) {
	p := problem{Field: strings.TrimPrefix(rest, "."), Message: message}
	key := rest
	if node >= 0 {
		key = nodeKey(node) + rest
		p.Anchor, p.Node = nodeKey(node), ed.d.Nodes[node].ID
	} else if rest == "start" {
		p.Anchor = "script-start"
	}
	if ed.Errs == nil {
		ed.Errs = map[string][]string{}
	}
	ed.Errs[key] = append(ed.Errs[key], message)
	ed.Problems = append(ed.Problems, p)
}

// placeInvalid puts the problems the validator found in s on the draft's
// fields: the node of a path is the first of the draft with its id.
func (ed *editorData) placeInvalid(s script.Script, fields []apperr.FieldError) {
	for _, f := range fields {
		id, rest, ok := s.NodeOf(f.Path)
		at := slices.IndexFunc(ed.d.Nodes, func(n draftNode) bool { return n.ID == id })
		if !ok || at < 0 {
			ed.place(-1, f.Path, f.Message)
			continue
		}
		ed.place(at, rest, f.Message)
	}
}

func (pt *Portal) scriptEditor(c *fiber.Ctx) error {
	head, versions, err := pt.loadScript(c, "editor")
	if err != nil {
		return err
	}
	return pt.renderEditor(c, &editorData{scriptHead: head, d: currentDraft(versions), focus: -1})
}

// currentDraft is the latest version laid out for the editor, or the
// starter of a campaign without a script.
func currentDraft(versions []store.ScriptVersion) draft {
	if len(versions) == 0 {
		return starterDraft()
	}
	return draftOf(versions[0].Script)
}

// editScript answers a button of the editor form: Save, or a change of the
// draft, which is shown again and not saved.
func (pt *Portal) editScript(c *fiber.Ctx) error {
	head, versions, err := pt.loadScript(c, "editor")
	if err != nil {
		return err
	}
	ed := &editorData{scriptHead: head, d: readDraft(func(k string) string { return c.FormValue(k) }), focus: -1}
	if op := c.FormValue("op"); op != "save" {
		ed.focus = ed.d.apply(op, c.FormValue("new_kind"))
		return pt.renderEditor(c, ed)
	}
	s, idProblems := ed.d.script()
	if len(idProblems) > 0 {
		for _, p := range idProblems {
			ed.place(p.Node, ".id", p.Message)
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderEditor(c, ed)
	}
	return pt.saveScript(c, ed, s, versions)
}

// saveScript saves s as the campaign's script and goes back to the editor,
// or shows the editor's draft with the reasons it was refused.
func (pt *Portal) saveScript(c *fiber.Ctx, ed *editorData, s script.Script, before []store.ScriptVersion) error {
	var saved store.ScriptVersion
	ctx := c.UserContext()
	err := pt.p.DB.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		saved, err = t.SaveScript(ctx, uuid.MustParse(ed.CampaignID), s)
		return err
	})
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
		ed.placeInvalid(s, e.Fields)
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderEditor(c, ed)
	} else if err != nil {
		return err
	}
	msg := pt.t(c, "scripts.saved", saved.Version)
	switch {
	case len(before) > 0 && before[0].Hash == saved.Hash:
		msg = pt.t(c, "scripts.unchanged", saved.Version)
	case len(before) > 0 && before[0].Version == saved.Version:
		msg = pt.t(c, "scripts.replaced", saved.Version)
	}
	if err := pt.p.Server.Flash(c, msg); err != nil {
		return err
	}
	return c.Redirect("/portal/campaigns/"+ed.CampaignID+"/script", fiber.StatusSeeOther)
}

// importScript reads a script in JSON, pasted or as a file, strictly: a
// script that cannot be read is refused with the path of every problem; one
// that reads but does not validate is shown in the editor with its
// problems; a valid one is saved.
func (pt *Portal) importScript(c *fiber.Ctx) error {
	head, versions, err := pt.loadScript(c, "editor")
	if err != nil {
		return err
	}
	ed := &editorData{scriptHead: head, d: currentDraft(versions), focus: -1, Import: importView{JSON: c.FormValue("json")}}
	data := []byte(ed.Import.JSON)
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		data, err = io.ReadAll(f)
		_ = f.Close()
		if err != nil {
			return err
		}
		ed.Import.File = fh.Filename
	}
	if len(bytes.TrimSpace(data)) == 0 {
		ed.Import.Message = pt.t(c, "scripts.import.empty")
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderEditor(c, ed)
	}
	s, err := script.Parse(data)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
		ed.Import.Message, ed.Import.Errors = e.Message, e.Fields
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderEditor(c, ed)
	} else if err != nil {
		return err
	}
	ed.d, ed.Import = draftOf(s), importView{Loaded: true, File: ed.Import.File}
	return pt.saveScript(c, ed, s, versions)
}

func (pt *Portal) renderEditor(c *fiber.Ctx, ed *editorData) error {
	ed.Start = ed.d.Start
	for _, k := range script.Kinds {
		ed.Kinds = append(ed.Kinds, option{Value: string(k), Label: pt.t(c, "scripts.kind."+string(k))})
	}
	for _, d := range script.Dispositions {
		ed.Dispositions = append(ed.Dispositions, option{Value: string(d), Label: pt.t(c, "scripts.disposition."+string(d))})
	}
	// The campaign's custom lead fields are variables too.
	var custom []string
	err := pt.p.DB.InTenant(c.UserContext(), func(t *store.Tenant) error {
		var err error
		custom, err = t.CustomFields(c.UserContext(), uuid.MustParse(ed.CampaignID))
		return err
	})
	if err != nil {
		return err
	}
	ed.Variables = slices.Clone(script.StandardVariables)
	for _, f := range custom {
		ed.Variables = append(ed.Variables, script.CustomPrefix+f)
	}
	for i, n := range ed.d.Nodes {
		v := nodeView{Key: nodeKey(i), ID: n.ID, Kind: n.Kind, Title: n.Title, Text: n.Text, Disposition: n.Disposition,
			Pos: i, Next: n.Next, Focus: i == ed.focus}
		for j, a := range n.Answers {
			v.Answers = append(v.Answers, answerView{Key: answerKey(i, j), Pos: j, Label: a.Label, Next: a.Next})
		}
		ed.Nodes = append(ed.Nodes, v)
	}
	return pt.render(c, "script", "scripts.title", ed)
}

// exportScript downloads a version (the latest, or ?version=N) as JSON,
// in the form import reads back.
func (pt *Portal) exportScript(c *fiber.Ctx) error {
	head, versions, err := pt.loadScript(c, "")
	if err != nil {
		return err
	}
	want := c.Query("version")
	at := slices.IndexFunc(versions, func(v store.ScriptVersion) bool { return want == "" || strconv.Itoa(v.Version) == want })
	if at < 0 {
		return apperr.New(apperr.NotFound, "this campaign's script has no such version")
	}
	v := versions[at]
	var out bytes.Buffer
	if err := json.Indent(&out, v.Script.Canonical(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="script-`+head.CampaignID+"-v"+strconv.Itoa(v.Version)+`.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(out.Bytes())
}

func (pt *Portal) scriptVersions(c *fiber.Ctx) error {
	head, _, err := pt.loadScript(c, "versions")
	if err != nil {
		return err
	}
	return pt.render(c, "script_versions", "scripts.versions.title", &head)
}

// The preview walks the latest version as an agent would. Its state is in
// the query string: the choices made so far (c=a1 for the second answer,
// c=o.<id> for a jump to an objection handler, in order) and the sample
// lead's values (lead.first_name=…), so that every step is a plain link and
// the browser's back button works.
type previewData struct {
	scriptHead
	Version     int
	Trail       []link // the steps before the current one, each a link back to it
	Step        *script.Step
	Disposition string
	Answers     []link
	Objections  []link
	Continue    string // for a node that leads on through next
	Back        string
	Restart     string
	Problem     string
	Sample      []sampleValue
	Choices     []string
}

type link struct{ Label, Href string }

// sampleValue is a variable of the preview's sample lead and its value.
type sampleValue struct{ Name, Value string }

// maxChoices bounds a preview's walk.
const maxChoices = 500

func parseChoice(s string) (script.Choice, bool) {
	if h, ok := strings.CutPrefix(s, "o."); ok {
		return script.Choice{Objection: h}, h != ""
	}
	i, err := strconv.Atoi(strings.TrimPrefix(s, "a"))
	return script.Choice{Answer: i}, err == nil && i >= 0 && strings.HasPrefix(s, "a")
}

func choiceParam(c script.Choice) string {
	if c.Objection != "" {
		return "o." + c.Objection
	}
	return "a" + strconv.Itoa(c.Answer)
}

func (pt *Portal) previewScript(c *fiber.Ctx) error {
	head, versions, err := pt.loadScript(c, "preview")
	if err != nil {
		return err
	}
	d := &previewData{scriptHead: head}
	if len(versions) == 0 {
		return pt.render(c, "script_preview", "scripts.preview.title", d)
	}
	org, _, err := pt.org(c)
	if err != nil {
		return err
	}
	values := script.SampleValues()
	if org.Kind == tenancy.KindClient {
		values["client.name"] = org.Name
	}
	q := c.Request().URI().QueryArgs()
	kept := url.Values{} // the values typed, carried by every link
	for _, name := range script.StandardVariables {
		if q.Has(name) {
			values[name] = string(q.Peek(name))
			kept.Set(name, values[name])
		}
		d.Sample = append(d.Sample, sampleValue{name, values[name]})
	}
	var choices []script.Choice
	for _, raw := range q.PeekMulti("c") {
		ch, ok := parseChoice(string(raw))
		if !ok || len(choices) == maxChoices {
			d.Problem = pt.t(c, "scripts.preview.bad_choice", string(raw))
			break
		}
		choices = append(choices, ch)
	}
	s := versions[0].Script
	d.Version = versions[0].Version
	steps, err := s.Walk(choices, values)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid && len(steps) > 0 {
		d.Problem = pt.t(c, "scripts.preview.bad_choice", e.Fields[0].Path) + " " + e.Fields[0].Message
	} else if err != nil {
		return err
	}
	choices = choices[:len(steps)-1]
	href := func(cs []script.Choice) string {
		v := url.Values{}
		for k, vs := range kept {
			v[k] = vs
		}
		for _, ch := range cs {
			v.Add("c", choiceParam(ch))
		}
		if len(v) == 0 {
			return "?"
		}
		return "?" + v.Encode()
	}
	next := func(ch script.Choice) string { return href(append(choices[:len(choices):len(choices)], ch)) }
	for i, st := range steps[:len(steps)-1] {
		d.Trail = append(d.Trail, link{Label: cmp.Or(st.Title, st.Node), Href: href(choices[:i])})
	}
	st := steps[len(steps)-1]
	d.Step = &st
	for i, a := range st.Answers {
		d.Answers = append(d.Answers, link{Label: a, Href: next(script.Choice{Answer: i})})
	}
	if len(st.Answers) == 0 && !st.End() {
		d.Continue = next(script.Choice{})
	}
	for _, h := range st.Objections {
		d.Objections = append(d.Objections, link{Label: h.Title, Href: next(script.Choice{Objection: h.Node})})
	}
	if st.End() {
		d.Disposition = pt.t(c, "scripts.disposition."+string(st.Disposition))
	}
	if len(choices) > 0 {
		d.Back = href(choices[:len(choices)-1])
	}
	d.Restart = href(nil)
	for _, ch := range choices {
		d.Choices = append(d.Choices, choiceParam(ch))
	}
	return pt.render(c, "script_preview", "scripts.preview.title", d)
}

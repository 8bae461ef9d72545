package portal

import (
	"bytes"
	"encoding/json"
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
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// A campaign's call script (argumentaire), under
// /portal/campaigns/{id}/script: an editor of plain HTML forms, a preview
// that walks the script as an agent would with a sample lead, JSON import
// and export, and the list of versions. The store keeps the versions and
// decides who reads and who writes (the campaign's client; a contracted
// center reads); pkg/script validates, renders and walks.
//
// The editor holds its draft (a script.Draft) in the page. Every button of
// the editor form (add a node, remove one, add or remove an answer, save)
// posts the whole draft as form fields — node 3 is n3.id, n3.kind,
// n3.text, n3.next, n3.answers[1].label, … — and the server answers with
// the page rebuilt from them, so nothing is lost between two clicks and no
// JavaScript is needed. Only Save writes, through Scripts.Save: a refused
// save re-renders the user's draft with every problem beside its field,
// and nothing is written. Links (the start, nexts, answers) name a node by
// its position in the form, as the draft does.

func (pt *Portal) mountScripts(r *fiberhttp.Router) {
	r.Get("/campaigns/:id/script", tenancy.PermCampaignsRead, pt.scriptEditor)
	r.Post("/campaigns/:id/script", tenancy.PermCampaignsWrite, pt.editScript)
	r.Post("/campaigns/:id/script/import", tenancy.PermCampaignsWrite, pt.importScript)
	r.Get("/campaigns/:id/script/export", tenancy.PermCampaignsRead, pt.exportScript)
	r.Get("/campaigns/:id/script/preview", tenancy.PermCampaignsRead, pt.previewScript)
	r.Get("/campaigns/:id/script/versions", tenancy.PermCampaignsRead, pt.scriptVersions)
}

func nodeKey(i int) string { return "n" + strconv.Itoa(i) }

func answerKey(i, j int) string { return nodeKey(i) + ".answers[" + strconv.Itoa(j) + "]" }

// readDraft reads the editor form. Counts are bounded one past the
// script's limits, so that the validator can say a draft is too big.
func readDraft(get func(key string) string) script.Draft {
	n := boundedCount(get("nodes"), script.MaxNodes+1)
	d := script.Draft{Start: position(get("start"), n), Nodes: make([]script.DraftNode, n)}
	for i := range d.Nodes {
		k := nodeKey(i)
		d.Nodes[i] = script.DraftNode{ID: strings.TrimSpace(get(k + ".id")), Kind: script.Kind(get(k + ".kind")), Title: get(k + ".title"),
			Text: strings.ReplaceAll(get(k+".text"), "\r\n", "\n"), Disposition: script.Disposition(get(k + ".disposition")),
			Next: position(get(k+".next"), n)}
		answers := make([]script.DraftAnswer, boundedCount(get(k+".answer_count"), script.MaxAnswers+1))
		for j := range answers {
			ak := answerKey(i, j)
			answers[j] = script.DraftAnswer{Label: get(ak + ".label"), Next: position(get(ak+".next"), n)}
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
		return script.NoNode
	}
	return i
}

// edit makes the change an editor button asks for (op: "add" a node of
// newKind, "remove:3", "answer:3", "unanswer:3:1") and reports the node to
// bring into view (NoNode: none). An op that names no node changes nothing.
func edit(d *script.Draft, op, newKind string) int {
	verb, args, _ := strings.Cut(op, ":")
	var at []int
	for _, a := range strings.Split(args, ":") {
		if i, err := strconv.Atoi(a); err == nil {
			at = append(at, i)
		}
	}
	switch {
	case verb == "add":
		return d.Add(script.Kind(newKind))
	case verb == "remove" && len(at) == 1:
		d.Remove(at[0])
	case verb == "answer" && len(at) == 1 && d.AddAnswer(at[0]):
		return at[0]
	case verb == "unanswer" && len(at) == 2 && d.RemoveAnswer(at[0], at[1]):
		return at[0]
	}
	return script.NoNode
}

// scriptHead is what every script page shows: the campaign, its script's
// versions (newest first) and whether the viewer may edit.
type scriptHead struct {
	CampaignID   string
	CampaignName string
	Tab          string // editor, preview or versions
	Versions     []versionView
	CanWrite     bool

	customFields []string // of the campaign's leads: variables too
}

type versionView struct {
	Number    int
	CreatedAt string
	CreatedBy string
	UsedAt    string // empty while no call has used it
}

// loadScript reads the campaign of the page and every version of its
// script; a campaign whose script the viewer may not read is not found.
func (pt *Portal) loadScript(c *fiber.Ctx, tab string) (scriptHead, []script.Version, error) {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return scriptHead{}, nil, err
	}
	_, loc, err := pt.org(c)
	if err != nil {
		return scriptHead{}, nil, err
	}
	head := scriptHead{CampaignID: id.String(), Tab: tab}
	if head.CanWrite, err = pt.s.Can(c, tenancy.PermCampaignsWrite); err != nil {
		return head, nil, err
	}
	found, err := pt.d.Scripts.Versions(c.UserContext(), id)
	if err != nil {
		return head, nil, err
	}
	head.CampaignName, head.customFields = found.Campaign.Name, found.CustomFields
	versions := found.Versions
	for _, v := range versions {
		vv := versionView{Number: v.Version, CreatedAt: when(v.CreatedAt, loc), CreatedBy: v.CreatedBy}
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
	Variables    []variable
	Errs         map[string][]string // by form field: n3, n3.text, n3.answers[1].next, start, nodes
	Problems     []problem
	Import       importView

	d     script.Draft
	focus int                            // the node to bring into view, NoNode for none
	label func(node int) string          // a node's name for its reader
	field func(rest string) string       // a field of a node's name for its reader
	say   func(apperr.FieldError) string // a problem in the reader's language
}

type nodeView struct {
	Key, ID, Kind, Title, Text, Disposition string
	Label                                   string // the node's name for its reader: its title, or what it is
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
		out[i] = option{Value: strconv.Itoa(i), Label: n.Label, Selected: i == selected}
	}
	return out
}

// problem is one reason a save was refused, for the summary above the
// editor: Anchor is the id of the element it is about, Node and Field
// name the step and the field for the reader.
type problem struct{ Anchor, Node, Field, Message string }

// nodeLabel names the node at pos for its reader: its title; else, for
// an outcome, what it records; else its place ("Étape 3").
func (pt *Portal) nodeLabel(c *fiber.Ctx, pos int, n script.DraftNode) string {
	switch {
	case strings.TrimSpace(n.Title) != "":
		return n.Title
	case n.Kind == script.KindOutcome && n.Disposition != "":
		return pt.s.T(c, "scripts.outcome_named", pt.s.T(c, "scripts.disposition."+string(n.Disposition)))
	}
	return pt.s.T(c, "scripts.node_n", pos+1)
}

// scriptFields are the catalog keys of the fields of a node, by the rest
// of their path, and of the script's own.
var scriptFields = map[string]string{"id": "scripts.id", "kind": "scripts.kind", "title": "scripts.node_title",
	"text": "scripts.text", "next": "scripts.next", "disposition": "scripts.disposition", "answers": "scripts.answers",
	"label": "scripts.answer_label", "start": "scripts.start"}

// fieldLabel names a field of a node (".answers[1].next", ".text") or of
// the script ("start"; "nodes" is the script as a whole) for its reader.
func (pt *Portal) fieldLabel(c *fiber.Ctx, rest string) string {
	rest = strings.TrimPrefix(rest, ".")
	if at, tail, ok := strings.Cut(rest, "]."); ok && strings.HasPrefix(rest, "answers[") {
		n, _ := strconv.Atoi(strings.TrimPrefix(at, "answers["))
		key := "scripts.answer_label"
		if tail == "next" {
			key = "scripts.answer_next"
		}
		return pt.s.T(c, "scripts.answer_n", n+1, pt.s.T(c, key))
	}
	if key, ok := scriptFields[rest]; ok {
		return pt.s.T(c, key)
	}
	return ""
}

// importView is the import form, with what was sent when it was refused.
type importView struct {
	JSON, File, Message string
	Errors              []apperr.FieldError
	Loaded              bool // read, but not valid: the editor shows it with its problems
}

// place puts a problem, said in the reader's language, on a node (its
// position, and the rest of the path: ".text", "" for the node itself) or,
// at NoNode, on the script (rest is then "start" or "nodes").
func (ed *editorData) place(node int, rest, message string) {
	p := problem{Field: ed.field(rest), Message: message}
	key := rest
	if node >= 0 {
		key = nodeKey(node) + rest
		p.Anchor, p.Node = nodeKey(node), ed.label(node)
	} else if rest == "start" {
		p.Anchor = "script-start"
	}
	if ed.Errs == nil {
		ed.Errs = map[string][]string{}
	}
	ed.Errs[key] = append(ed.Errs[key], message)
	ed.Problems = append(ed.Problems, p)
}

// placeInvalid puts the problems the validator found on the draft's
// fields: the node of a path is the first of the draft with its id.
func (ed *editorData) placeInvalid(fields []apperr.FieldError) {
	for _, f := range fields {
		node, rest := ed.d.Locate(f.Path)
		ed.place(node, rest, ed.say(f))
	}
}

// newEditor is the editor of a draft for the request's reader.
func (pt *Portal) newEditor(c *fiber.Ctx, head scriptHead, d script.Draft) *editorData {
	ed := &editorData{scriptHead: head, d: d, focus: script.NoNode}
	ed.label = func(node int) string { return pt.nodeLabel(c, node, ed.d.Nodes[node]) }
	ed.field = func(rest string) string { return pt.fieldLabel(c, rest) }
	ed.say = func(f apperr.FieldError) string { return pt.s.Say(c, []apperr.FieldError{f})[0].Message }
	return ed
}

func (pt *Portal) scriptEditor(c *fiber.Ctx) error {
	head, versions, err := pt.loadScript(c, "editor")
	if err != nil {
		return err
	}
	return pt.renderEditor(c, pt.newEditor(c, head, currentDraft(versions)))
}

// currentDraft is the latest version laid out for the editor, or the
// starter of a campaign without a script.
func currentDraft(versions []script.Version) script.Draft {
	if len(versions) == 0 {
		return script.StarterDraft()
	}
	return script.DraftOf(versions[0].Script)
}

// editScript answers a button of the editor form: Save, or a change of the
// draft, which is shown again and not saved.
func (pt *Portal) editScript(c *fiber.Ctx) error {
	head, versions, err := pt.loadScript(c, "editor")
	if err != nil {
		return err
	}
	ed := pt.newEditor(c, head, readDraft(func(k string) string { return c.FormValue(k) }))
	if op := c.FormValue("op"); op != "save" {
		ed.focus = edit(&ed.d, op, c.FormValue("new_kind"))
		return pt.renderEditor(c, ed)
	}
	s, idProblems := ed.d.Script()
	if len(idProblems) > 0 {
		for _, p := range idProblems {
			ed.place(p.Node, ".id", ed.say(idProblem(ed.d, p.Node)))
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderEditor(c, ed)
	}
	return pt.saveScript(c, ed, s, versions)
}

// idProblem says why the node at pos has no id of its own: none is
// given, or an earlier node has it.
func idProblem(d script.Draft, pos int) apperr.FieldError {
	id := d.Nodes[pos].ID
	for j, n := range d.Nodes[:pos] {
		if id != "" && n.ID == id {
			return apperr.Field("id", "scripts.node.id_taken", "is already the id of node %d: ids must differ", j+1)
		}
	}
	return apperr.Field("id", "scripts.node.id_required", "is required: name the node (a-z, 0-9, _ and -)")
}

// saveScript saves s as the campaign's script and goes back to the editor,
// or shows the editor's draft with the reasons it was refused.
func (pt *Portal) saveScript(c *fiber.Ctx, ed *editorData, s script.Script, before []script.Version) error {
	saved, err := pt.d.Scripts.Save(c.UserContext(), uuid.MustParse(ed.CampaignID), s)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
		ed.placeInvalid(e.Fields)
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderEditor(c, ed)
	} else if err != nil {
		return err
	}
	msg := pt.s.T(c, "scripts.saved", saved.Version)
	switch {
	case len(before) > 0 && before[0].Hash == saved.Hash:
		msg = pt.s.T(c, "scripts.unchanged", saved.Version)
	case len(before) > 0 && before[0].Version == saved.Version:
		msg = pt.s.T(c, "scripts.replaced", saved.Version)
	}
	if err := pt.s.Flash(c, msg); err != nil {
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
	ed := pt.newEditor(c, head, currentDraft(versions))
	ed.Import = importView{JSON: c.FormValue("json")}
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
		ed.Import.Message = pt.s.T(c, "scripts.import.empty")
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderEditor(c, ed)
	}
	s, err := script.Parse(data)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
		said := pt.s.Localize(c, err)
		ed.Import.Message, ed.Import.Errors = said.Message, said.Fields
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderEditor(c, ed)
	} else if err != nil {
		return err
	}
	ed.d, ed.Import = script.DraftOf(s), importView{Loaded: true, File: ed.Import.File}
	return pt.saveScript(c, ed, s, versions)
}

func (pt *Portal) renderEditor(c *fiber.Ctx, ed *editorData) error {
	ed.Start = ed.d.Start
	for _, k := range script.Kinds {
		ed.Kinds = append(ed.Kinds, option{Value: string(k), Label: pt.s.T(c, "scripts.kind."+string(k))})
	}
	for _, d := range script.Dispositions {
		ed.Dispositions = append(ed.Dispositions, option{Value: string(d), Label: pt.s.T(c, "scripts.disposition."+string(d))})
	}
	// The campaign's custom lead fields are variables too.
	for _, name := range script.StandardVariables {
		ed.Variables = append(ed.Variables, variable{Name: name, Label: pt.s.T(c, "scripts.variable."+name)})
	}
	for _, f := range ed.customFields {
		ed.Variables = append(ed.Variables, variable{Name: script.CustomPrefix + f, Label: f})
	}
	for i, n := range ed.d.Nodes {
		v := nodeView{Key: nodeKey(i), ID: n.ID, Kind: string(n.Kind), Title: n.Title, Text: n.Text, Disposition: string(n.Disposition),
			Label: ed.label(i), Pos: i, Next: n.Next, Focus: i == ed.focus}
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
	at := slices.IndexFunc(versions, func(v script.Version) bool { return want == "" || strconv.Itoa(v.Version) == want })
	if at < 0 {
		return apperr.New(apperr.NotFound, "scripts.version.not_found", "this campaign's script has no such version")
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
	Heading     string // the step's name for its reader
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
type sampleValue struct{ Name, Label, Value string }

// variable is a variable a script may use: its name, which a text holds
// between double braces, and what it is in the reader's language.
type variable struct{ Name, Label string }

// maxChoices bounds a preview's walk.
const maxChoices = 500

// stepLabel names a step of a walk for its reader: its title, else what
// it is ("Issue : Vente", "Dire").
func (pt *Portal) stepLabel(c *fiber.Ctx, st script.Step) string {
	switch {
	case strings.TrimSpace(st.Title) != "":
		return st.Title
	case st.End() && st.Disposition != "":
		return pt.s.T(c, "scripts.outcome_named", pt.s.T(c, "scripts.disposition."+string(st.Disposition)))
	}
	return pt.s.T(c, "scripts.kind."+string(st.Kind))
}

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
	values["client.name"] = org.Name // the portal's people are the campaign's client's
	q := c.Request().URI().QueryArgs()
	kept := url.Values{} // the values typed, carried by every link
	for _, name := range script.StandardVariables {
		if q.Has(name) {
			values[name] = string(q.Peek(name))
			kept.Set(name, values[name])
		}
		d.Sample = append(d.Sample, sampleValue{name, pt.s.T(c, "scripts.variable."+name), values[name]})
	}
	var choices []script.Choice
	for _, raw := range q.PeekMulti("c") {
		ch, ok := parseChoice(string(raw))
		if !ok || len(choices) == maxChoices {
			d.Problem = pt.s.T(c, "scripts.preview.bad_choice", string(raw))
			break
		}
		choices = append(choices, ch)
	}
	s := versions[0].Script
	d.Version = versions[0].Version
	steps, err := s.Walk(choices, values)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid && len(steps) > 0 {
		d.Problem = pt.s.T(c, "scripts.preview.refused") + " " + strings.Join(pt.s.Problems(c, err).Others, " ")
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
		d.Trail = append(d.Trail, link{Label: pt.stepLabel(c, st), Href: href(choices[:i])})
	}
	st := steps[len(steps)-1]
	d.Step, d.Heading = &st, pt.stepLabel(c, st)
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
		d.Disposition = pt.s.T(c, "scripts.disposition."+string(st.Disposition))
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

package center

// The brief of a campaign the center holds an active contract for: the
// request, the contract's rate card (for those who may read prices), and
// the current call script set out for reading — every node in the order an
// agent meets them, what the agent says or asks, each answer and where it
// leads, the objection handlers, and the outcomes. Without an active contract the campaign is
// not found, even while it is an open request (its brief is then
// /center/requests/{id}, without the script).

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// nodeLink points at a node of the script set out on the page.
type nodeLink struct{ ID, Label string }

type answerView struct {
	Label string
	Next  nodeLink
}

type nodeView struct {
	ID          string
	Kind        string // the script.Kind, for the card's class
	KindTxt     string
	Title       string
	Text        string
	Start       bool
	Next        *nodeLink
	Answers     []answerView
	Disposition string
}

type scriptView struct {
	Version    int
	SavedAt    string
	Nodes      []nodeView
	Objections []nodeLink
}

type briefData struct {
	Campaign    campaignView
	Client      string
	Rate        []line
	Seats       int
	ConfirmedAt string
	Script      *scriptView
	LeadsLink   string
	Held        *heldView
}

// heldView is why the campaign's pacer places no call for now, and until
// when (the reader's clock time).
type heldView struct {
	Until  string
	Reason string
}

func (ce *Center) briefPage(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	b, err := ce.d.Views.Brief(c.UserContext(), id) // not found without an active contract
	if err != nil {
		return err
	}
	k, contract, client := b.Campaign, b.Contract, b.Contract.ClientName
	d := briefData{Campaign: ce.campaignView(c, k), Client: client, Seats: contract.Seats, ConfirmedAt: dayOf(c, contract.ConfirmedAt)}
	if d.Rate, err = ce.pricedLines(c, contract.RateCard); err != nil {
		return err
	}
	if ok, err := ce.can(c, tenancy.PermLeadsRead); err != nil {
		return err
	} else if ok {
		d.LeadsLink = "/center/campaigns/" + id.String() + "/leads"
	}
	if b.Script != nil {
		d.Script = ce.scriptView(c, *b.Script, client)
	}
	if b.Held != nil {
		d.Held = &heldView{Until: b.Held.Until.In(fiberhttp.ZoneOf(c)).Format(time.TimeOnly), Reason: ce.s.Localize(c, b.Held.Reason).Message}
	}
	return ce.s.Render(c, "center/brief", "center", k.Name, d)
}

// variable is a variable of a script's text: "{{lead.first_name}}".
var variable = regexp.MustCompile(`\{\{\s*([^{}]+?)\s*\}\}`)

// scriptView sets a script out for reading. Variables show as what they
// stand for in the reader's language, in brackets ("[Prénom du
// contact]", "[panier]" for the lead's custom field), except the client's
// name, known here.
func (ce *Center) scriptView(c *fiber.Ctx, v script.Version, client string) *scriptView {
	s := v.Script
	values := script.Values{"client.name": client}
	render := func(text string) string {
		for _, m := range variable.FindAllStringSubmatch(text, -1) {
			name := m[1]
			if _, ok := values[name]; ok {
				continue
			}
			if field, ok := strings.CutPrefix(name, script.CustomPrefix); ok {
				values[name] = "[" + field + "]"
			} else if slices.Contains(script.StandardVariables, name) {
				values[name] = "[" + ce.t(c, "scripts.variable."+name) + "]"
			}
		}
		return script.Render(text, values)
	}
	link := func(id string) nodeLink {
		n := s.Nodes[id]
		label := render(n.Title)
		switch {
		case label != "":
		case n.Kind == script.KindOutcome && n.Disposition != "":
			label = ce.t(c, "scripts.outcome_named", ce.t(c, "scripts.disposition."+string(n.Disposition)))
		default:
			label = ce.t(c, "scripts.kind."+string(n.Kind))
		}
		return nodeLink{ID: id, Label: label}
	}
	out := &scriptView{Version: v.Version, SavedAt: dayOf(c, &v.CreatedAt)}
	for _, id := range s.Order() {
		n := s.Nodes[id]
		nv := nodeView{ID: id, Kind: string(n.Kind), KindTxt: ce.t(c, "scripts.kind."+string(n.Kind)),
			Title: render(n.Title), Text: render(n.Text), Start: id == s.Start}
		if n.Next != "" {
			next := link(n.Next)
			nv.Next = &next
		}
		for _, a := range n.Answers {
			nv.Answers = append(nv.Answers, answerView{Label: render(a.Label), Next: link(a.Next)})
		}
		if n.Disposition != "" {
			nv.Disposition = ce.t(c, "scripts.disposition."+string(n.Disposition))
		}
		out.Nodes = append(out.Nodes, nv)
	}
	for _, id := range s.Objections() {
		out.Objections = append(out.Objections, link(id))
	}
	return out
}

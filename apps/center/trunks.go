package center

// The center's SIP trunks, kept by its floor managers: the list (a
// password is never shown, only whether there is one), the form to add
// one, and their removal, asked first. The store's Trunks use cases judge
// the trunk as the API's do (store.NewTrunk, dialing.Trunk); the form
// reads only what a person types as text: whole numbers, a decimal number
// with a comma or a point, the numbers presented one a line.

import (
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// trunkForm is the trunk form as typed, kept to show it again; never its
// password, which is typed again.
type trunkForm struct {
	Name, Host, Port, Transport, Username, CallerIDs, MaxConcurrent, CallsPerSecond, Codec string
}

// trunkInputs are the form's inputs, named as the fields whose problems
// they show.
var trunkInputs = []string{"name", "host", "port", "transport", "username", "password", "caller_ids", "max_concurrent",
	"calls_per_second", "codec"}

// trunkRow is a trunk as the list shows it.
type trunkRow struct {
	ID          string // for the removal's address only
	Name        string
	Host        string
	Port        int
	Transport   string
	Username    string
	HasPassword bool
	CallerIDs   []string
	Calls       string // at once
	PerSecond   string
	Codec       string
}

type trunksData struct {
	Trunks     []trunkRow
	Form       trunkForm
	Where      []inputField // name, host and port
	Username   inputField
	Pace       []inputField // calls at once and per second
	Transports []option
	Codecs     []option
	Problems   fiberhttp.Problems
}

func (ce *Center) trunksPage(c *fiber.Ctx) error {
	return ce.renderTrunks(c, trunkForm{Transport: "udp", Codec: "PCMA"}, nil)
}

func (ce *Center) renderTrunks(c *fiber.Ctx, form trunkForm, refused error) error {
	list, err := ce.d.Trunks.List(c.UserContext())
	if err != nil {
		return err
	}
	d := trunksData{Form: form, Problems: ce.s.Problems(c, refused, trunkInputs...)}
	for _, t := range list {
		d.Trunks = append(d.Trunks, ce.trunkRow(c, t))
	}
	input := func(name, hint, value, mode string) inputField {
		h := ""
		if hint != "" {
			h = ce.t(c, "center.trunks."+hint)
		}
		return inputField{Name: name, Label: ce.t(c, "center.trunks."+name), Hint: h, Value: value, Error: d.Problems.At[name], Mode: mode}
	}
	d.Where = []inputField{input("name", "name_hint", form.Name, ""), input("host", "host_hint", form.Host, ""),
		input("port", "port_hint", form.Port, "numeric")}
	d.Username = input("username", "username_hint", form.Username, "")
	d.Pace = []inputField{input("max_concurrent", "max_concurrent_hint", form.MaxConcurrent, "numeric"),
		input("calls_per_second", "calls_per_second_hint", form.CallsPerSecond, "decimal")}
	for _, tr := range []string{"udp", "tcp", "tls"} {
		d.Transports = append(d.Transports, option{Value: tr, Label: strings.ToUpper(tr), Selected: tr == form.Transport})
	}
	for _, codec := range []string{"PCMA", "PCMU"} {
		d.Codecs = append(d.Codecs, option{Value: codec, Label: ce.t(c, "center.trunks.codec."+codec), Selected: codec == form.Codec})
	}
	return ce.s.Render(c, "center/trunks", "center", ce.t(c, "center.trunks.title"), d)
}

func (ce *Center) trunkRow(c *fiber.Ctx, t store.Trunk) trunkRow {
	locale := fiberhttp.LocaleOf(c)
	codec := t.Codec
	if codec == "" {
		codec = "PCMA"
	}
	tr := dialing.Trunk{Port: t.Port, Transport: t.Transport}
	return trunkRow{ID: t.ID.String(), Name: t.Name, Host: t.Host, Port: tr.SIPPort(), Transport: strings.ToUpper(tr.Net()),
		Username: t.Username, HasPassword: t.HasPassword, CallerIDs: t.CallerIDs,
		Calls:     ce.t(c, "center.trunks.calls_value", i18n.Number(locale, t.MaxConcurrent)),
		PerSecond: ce.t(c, "center.trunks.per_second_value", decimal(locale, t.CallsPerSecond)),
		Codec:     ce.t(c, "center.trunks.codec."+codec)}
}

func (ce *Center) addTrunk(c *fiber.Ctx) error {
	form, in, unread := readTrunkForm(c)
	var refused error
	if unread != nil {
		// Say what else is wrong at once: the unreadable inputs stand in
		// as valid values.
		refused = &apperr.Error{Kind: apperr.Invalid, Fields: unread.Merge(fieldsOf(in.Validate()))}
	} else {
		added, err := ce.d.Trunks.Add(c.UserContext(), in)
		e := apperr.As(err)
		switch {
		case err == nil:
			if err := ce.s.Flash(c, ce.t(c, "center.trunks.added", added.Name)); err != nil {
				return err
			}
			return c.Redirect("/center/trunks", fiber.StatusSeeOther)
		case e == nil || len(e.Fields) == 0:
			return err
		}
		refused = err // fields refused, the name another trunk has among them
	}
	if apperr.Is(refused, apperr.Conflict) {
		c.Status(fiber.StatusConflict)
	} else {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return ce.renderTrunks(c, form, refused)
}

// fieldsOf is the problems err names field by field.
func fieldsOf(err error) []apperr.FieldError {
	if e := apperr.As(err); e != nil {
		return e.Fields
	}
	return nil
}

// readTrunkForm reads the form into what it shows again and the trunk it
// asks for. An input that cannot be read is a problem named by its input,
// and stands in the trunk as a valid value, so that validating the trunk
// names only the other problems.
func readTrunkForm(c *fiber.Ctx) (trunkForm, store.NewTrunk, apperr.Fields) {
	v := func(name string) string { return strings.TrimSpace(c.FormValue(name)) }
	form := trunkForm{Name: v("name"), Host: v("host"), Port: v("port"), Transport: v("transport"), Username: v("username"),
		CallerIDs: c.FormValue("caller_ids"), MaxConcurrent: v("max_concurrent"), CallsPerSecond: v("calls_per_second"),
		Codec: v("codec")}
	var problems apperr.Fields
	whole := func(name, typed string, stand int) int { return wholeField(&problems, name, typed, stand) }
	perSecond := 0.0
	if form.CallsPerSecond != "" {
		f, err := strconv.ParseFloat(strings.Replace(form.CallsPerSecond, ",", ".", 1), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			problems.Add("calls_per_second", "form.decimal.invalid", "must be a number such as 2.5 (got %q)", form.CallsPerSecond)
			f = 1
		}
		perSecond = f
	}
	var callerIDs []string
	for _, n := range strings.FieldsFunc(form.CallerIDs, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' }) {
		if n = strings.TrimSpace(n); n != "" {
			callerIDs = append(callerIDs, n)
		}
	}
	in := store.NewTrunk{Name: form.Name, Trunk: dialing.Trunk{Host: form.Host, Port: whole("port", form.Port, 0),
		Transport: form.Transport, Username: form.Username, Password: c.FormValue("password"), CallerIDs: callerIDs,
		MaxConcurrent: whole("max_concurrent", form.MaxConcurrent, 1), CallsPerSecond: perSecond, Codec: form.Codec}}
	return form, in, problems
}

// decimal writes a number as the reader writes it: "2,5" in French.
func decimal(locale string, f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if locale == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// removeData is a trunk about to be taken out of service.
type removeData struct{ Trunk trunkRow }

// removeTrunk takes a trunk out of service once asked: the first post
// shows what goes and asks again; the one that comes back confirmed
// removes it. Another center's trunk is not found either way.
func (ce *Center) removeTrunk(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "trunk")
	if err != nil {
		return err
	}
	t, err := ce.trunk(c, id)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		row := ce.trunkRow(c, t)
		return ce.s.Render(c, "center/trunk_remove", "center", ce.t(c, "center.trunks.remove_title", row.Name), removeData{Trunk: row})
	}
	if err := ce.d.Trunks.Remove(c.UserContext(), id); err != nil {
		return err
	}
	if err := ce.s.Flash(c, ce.t(c, "center.trunks.removed", t.Name)); err != nil {
		return err
	}
	return c.Redirect("/center/trunks", fiber.StatusSeeOther)
}

// trunk is the center's trunk in service named id.
func (ce *Center) trunk(c *fiber.Ctx, id uuid.UUID) (store.Trunk, error) {
	list, err := ce.d.Trunks.List(c.UserContext())
	if err != nil {
		return store.Trunk{}, err
	}
	for _, t := range list {
		if t.ID == id {
			return t, nil
		}
	}
	return store.Trunk{}, apperr.New(apperr.NotFound, "sip_trunk.not_found", "SIP trunk not found")
}

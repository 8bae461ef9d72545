package call

import (
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/script"
)

// Outcome is what an agent records of a call it held: the script's
// disposition, its fields (appointment time, amount promised, sale
// amount…), the script's version and the path walked, notes, and for a
// callback when to call again.
type Outcome struct {
	Disposition   script.Disposition `json:"disposition"`
	Fields        map[string]string  `json:"fields,omitempty"`
	Notes         string             `json:"notes,omitempty"`
	ScriptVersion int                `json:"script_version,omitempty"`
	ScriptPath    []string           `json:"script_path,omitempty"`
	Callback      *CallbackRequest   `json:"callback,omitempty"`
}

// CallbackRequest is a callback promised to the callee: an instant, the
// zone it was set in (the callee's; empty: the zone the call was placed
// under), and the agent who owns it (nil: the center's team).
type CallbackRequest struct {
	At    time.Time  `json:"at"`
	Zone  string     `json:"zone,omitempty"`
	Owner *uuid.UUID `json:"owner_id,omitempty"`
}

// Limits of an outcome, so that a disposition stays a record, not a file.
const (
	maxFields     = 50
	maxFieldKey   = 64
	maxFieldValue = 1000
	maxNotes      = 5000
	maxPath       = 500
)

// Validate checks an outcome on its own: a known disposition, a callback
// request with a callback disposition and only then, fields and notes
// within their limits.
func (o Outcome) Validate() error {
	var f apperr.Fields
	switch {
	case o.Disposition == "":
		f.Add("disposition", "call.disposition.required", "is required")
	case !script.KnownDisposition(o.Disposition):
		f.Add("disposition", "call.disposition.unknown", "is not a disposition a script records (got %q)", truncate(string(o.Disposition)))
	case o.Disposition == script.Callback && o.Callback == nil:
		f.Add("callback", "call.callback.required", "is required for a callback: when to call again")
	case o.Disposition != script.Callback && o.Callback != nil:
		f.Add("callback", "call.callback.unexpected", "is only for a callback disposition")
	}
	if o.Callback != nil {
		if o.Callback.At.IsZero() {
			f.Add("callback.at", "call.callback.at_required", "is required")
		}
		if o.Callback.Zone != "" {
			if _, err := time.LoadLocation(o.Callback.Zone); err != nil {
				f.Add("callback.zone", "call.callback.zone_unknown", "is not a known time zone (got %q)", truncate(o.Callback.Zone))
			}
		}
	}
	if len(o.Fields) > maxFields {
		f.Add("fields", "call.fields.too_many", "must hold at most %d fields (got %d)", maxFields, len(o.Fields))
	}
	for k, v := range o.Fields {
		if k == "" || utf8.RuneCountInString(k) > maxFieldKey || utf8.RuneCountInString(v) > maxFieldValue {
			f.Add("fields."+truncate(k), "call.fields.too_long", "names must be 1 to %d characters and values at most %d", maxFieldKey, maxFieldValue)
		}
	}
	if utf8.RuneCountInString(o.Notes) > maxNotes {
		f.Add("notes", "call.notes.too_long", "must be at most %d characters", maxNotes)
	}
	if len(o.ScriptPath) > maxPath {
		f.Add("script_path", "call.script_path.too_long", "must hold at most %d steps", maxPath)
	}
	return f.Err("call.outcome.invalid", "the call's outcome is not valid")
}

// ValidateNotes checks notes written on their own, during the call.
func ValidateNotes(notes string) error {
	if utf8.RuneCountInString(notes) > maxNotes {
		return apperr.InvalidFields("call.outcome.invalid", "the call's outcome is not valid",
			apperr.Field("notes", "call.notes.too_long", "must be at most %d characters", maxNotes))
	}
	return nil
}

// truncate shortens a value quoted back in a message.
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

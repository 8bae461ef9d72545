package cdr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
)

// MaxBatch is the most records a batch may hold.
const MaxBatch = 10_000

// Batch is the body of POST /api/v1/cdrs: {"cdrs": [Item, …]}.
type Batch struct {
	CDRs []Item `json:"cdrs"`
}

// Item is one call of a batch. Every field is a JSON string (or null, as
// if absent); times are RFC 3339 with their offset. external_id,
// started_at, ended_at and result are required; to when call_id is absent;
// answered_at when someone or something answered (result answered,
// machine or abandoned), and only then.
type Item struct {
	ExternalID string         `json:"external_id"`           // the dialer's unique id of the call, at most 128 characters
	CallID     string         `json:"call_id,omitempty"`     // Plateau's call id, when the dialer carried it
	LeadID     string         `json:"lead_id,omitempty"`     // Plateau's lead id, when the dialer carried it
	To         string         `json:"to,omitempty"`          // the callee, E.164 or national in the campaign's country
	From       string         `json:"from,omitempty"`        // the caller id presented
	Campaign   string         `json:"campaign,omitempty"`    // the dialer's campaign code
	StartedAt  string         `json:"started_at"`            // "2026-11-30T10:15:42+01:00"
	AnsweredAt string         `json:"answered_at,omitempty"` // when someone or something picked up
	EndedAt    string         `json:"ended_at"`              // the hang-up
	Result     dialing.Result `json:"result"`                // one of dialing.Results
	Cause      string         `json:"cause,omitempty"`       // the dialer's own word for the end: a SIP code, a disposition
	Agent      string         `json:"agent,omitempty"`       // the dialer's user who took the call
}

// field is where the item keeps the field named by its JSON name; nil for
// a name that is not a field.
func (it *Item) field(name string) *string {
	switch name {
	case "external_id":
		return &it.ExternalID
	case "call_id":
		return &it.CallID
	case "lead_id":
		return &it.LeadID
	case "to":
		return &it.To
	case "from":
		return &it.From
	case "campaign":
		return &it.Campaign
	case "started_at":
		return &it.StartedAt
	case "answered_at":
		return &it.AnsweredAt
	case "ended_at":
		return &it.EndedAt
	case "result":
		return (*string)(&it.Result)
	case "cause":
		return &it.Cause
	case "agent":
		return &it.Agent
	}
	return nil
}

// maxExternalID bounds the dialer's id a record keeps.
const maxExternalID = 128

// ParseJSON reads a batch (see Batch and Item) item by item, without
// holding it whole, yielding a record per item and a *RowError for an
// item that is not one, whose problems' paths name the item and its field
// ("cdrs[3].ended_at"). A body that is not such an object, is not JSON
// past some point, or holds more than MaxBatch items yields its error
// once, last.
func ParseJSON(src io.Reader, opts Options) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		dec := json.NewDecoder(src)
		if err := expectDelim(dec, '{'); err != nil {
			yield(Record{}, err)
			return
		}
		found := false
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				yield(Record{}, batchError(err))
				return
			}
			if key != "cdrs" || found {
				yield(Record{}, apperr.InvalidFields("cdr.batch.unknown_field", "the body has a field other than one cdrs array",
					apperr.Field(fmt.Sprint(key), "cdr.batch.field_unknown", "is not a field of a batch: send {\"cdrs\": [ … ]}")))
				return
			}
			found = true
			if err := expectDelim(dec, '['); err != nil {
				yield(Record{}, err)
				return
			}
			for i := 0; dec.More(); i++ {
				if i == MaxBatch {
					yield(Record{}, apperr.New(apperr.TooLarge, "cdr.batch.too_many", "a batch holds at most %d records: send the rest in another", MaxBatch))
					return
				}
				var item map[string]json.RawMessage
				err := dec.Decode(&item)
				var wrongType *json.UnmarshalTypeError
				switch {
				case errors.As(err, &wrongType) || err == nil && item == nil:
					if !emit(yield, Record{Index: i}, apperr.Fields{apperr.Field(fmt.Sprintf("cdrs[%d]", i), "cdr.batch.item_not_object", "must be a JSON object")}) {
						return
					}
					continue
				case err != nil:
					yield(Record{}, batchError(err))
					return
				}
				rec, problems := readItem(i, item, opts.Region)
				if !emit(yield, rec, problems) {
					return
				}
			}
			if _, err := dec.Token(); err != nil {
				yield(Record{}, batchError(err))
				return
			}
		}
		if _, err := dec.Token(); err != nil {
			yield(Record{}, batchError(err))
			return
		}
		if !found {
			yield(Record{}, apperr.New(apperr.Invalid, "cdr.batch.no_cdrs", "the body has no cdrs: send {\"cdrs\": [ … ]}"))
			return
		}
		if _, err := dec.Token(); err != io.EOF {
			yield(Record{}, apperr.New(apperr.Invalid, "cdr.batch.trailing", "the body holds something after its JSON object"))
		}
	}
}

// expectDelim reads the next token, which must be delim.
func expectDelim(dec *json.Decoder, delim json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return batchError(err)
	}
	if tok != delim {
		if delim == '{' {
			return apperr.New(apperr.Invalid, "cdr.batch.not_object", "the body must be a JSON object: {\"cdrs\": [ … ]}")
		}
		return apperr.InvalidFields("cdr.batch.cdrs_not_array", "the body's cdrs is not an array",
			apperr.Field("cdrs", "cdr.batch.cdrs_not_array_field", "must be an array of call detail records"))
	}
	return nil
}

// batchError says why a body stopped being read.
func batchError(err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return apperr.Wrap(err, apperr.Invalid, "cdr.batch.syntax", "the body is not valid JSON: %s (at byte %d)", syntax.Error(), syntax.Offset)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Wrap(err, apperr.Invalid, "cdr.batch.truncated", "the body ends before its JSON does")
	}
	return fmt.Errorf("cdr: reading the batch: %w", err)
}

// itemFields are an item's JSON names, in the order its problems are
// reported.
var itemFields = []string{"external_id", "call_id", "lead_id", "to", "from", "campaign", "started_at", "answered_at", "ended_at", "result", "cause", "agent"}

func readItem(i int, raw map[string]json.RawMessage, region string) (Record, apperr.Fields) {
	rec := Record{Index: i}
	var f apperr.Fields
	prefix := fmt.Sprintf("cdrs[%d].", i)
	var it Item
	known := 0
	for _, name := range itemFields {
		v, ok := raw[name]
		if !ok {
			continue
		}
		known++
		if !jsonString(v, it.field(name)) {
			f.Add(prefix+name, "cdr.batch.not_string", "must be a string")
		}
	}
	if known < len(raw) {
		for _, name := range slices.Sorted(maps.Keys(raw)) {
			if it.field(name) == nil {
				f.Add(prefix+name, "cdr.batch.item_field_unknown", "is not a field of a call detail record")
			}
		}
	}
	path := func(name string) string { return prefix + name }
	rec.ExternalID = strings.TrimSpace(it.ExternalID)
	if len(rec.ExternalID) > maxExternalID {
		f.Add(path("external_id"), "cdr.external_id.too_long", "is longer than %d characters", maxExternalID)
		rec.ExternalID = ""
	}
	rec.CallID = batchID(&f, path("call_id"), it.CallID)
	rec.LeadID = batchID(&f, path("lead_id"), it.LeadID)
	rec.ToRaw, rec.From = strings.TrimSpace(it.To), strings.TrimSpace(it.From)
	rec.Campaign, rec.Cause, rec.Agent = strings.TrimSpace(it.Campaign), strings.TrimSpace(it.Cause), strings.TrimSpace(it.Agent)
	rec.Start = rfc3339(&f, path("started_at"), it.StartedAt, true)
	rec.Answer = rfc3339(&f, path("answered_at"), it.AnsweredAt, false)
	rec.End = rfc3339(&f, path("ended_at"), it.EndedAt, true)
	rec.Result = it.Result
	switch {
	case rec.Result == "":
		f.Add(path("result"), "cdr.batch.result_required", "is required: one of %s", resultList())
	case !slices.Contains(dialing.Results, rec.Result):
		f.Add(path("result"), "cdr.batch.result_unknown", "must be one of %s (not %q)", resultList(), string(rec.Result))
	case answeredBy(rec.Result) && it.AnsweredAt == "":
		f.Add(path("answered_at"), "cdr.batch.answered_at_required", "is required when the result is %s", string(rec.Result))
	case !answeredBy(rec.Result) && it.AnsweredAt != "":
		f.Add(path("answered_at"), "cdr.batch.answered_at_unanswered", "is set, but the result %s says no one answered", string(rec.Result))
	}
	if !rec.Start.IsZero() && rec.End.After(rec.Start) {
		rec.Duration = rec.End.Sub(rec.Start).Truncate(time.Second)
	}
	if !rec.Answer.IsZero() && rec.End.After(rec.Answer) {
		rec.Billsec = rec.End.Sub(rec.Answer).Truncate(time.Second)
	}
	check(&rec, &f, paths{prefix: prefix, externalID: "external_id", to: "to", start: "started_at", answer: "answered_at",
		end: "ended_at", billsec: "answered_at"}, region)
	return rec, f
}

// jsonString reads v, a JSON string or null, into dst; false when v is
// something else. A string without escapes, the common case, is read
// without the decoder (which would also turn invalid UTF-8 into U+FFFD).
func jsonString(v json.RawMessage, dst *string) bool {
	switch {
	case string(v) == "null":
		return true
	case len(v) >= 2 && v[0] == '"' && bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v):
		*dst = string(v[1 : len(v)-1])
		return true
	}
	return json.Unmarshal(v, dst) == nil
}

func resultList() string {
	names := make([]string, len(dialing.Results))
	for i, r := range dialing.Results {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func batchID(f *apperr.Fields, path, s string) uuid.UUID {
	s = strings.TrimSpace(s)
	if s == "" {
		return uuid.Nil
	}
	id, ok := plateauID(s)
	if !ok {
		f.Add(path, "cdr.batch.id_invalid", "%q is not one of Plateau's ids (a UUID)", s)
	}
	return id
}

func rfc3339(f *apperr.Fields, path, s string, required bool) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			f.Add(path, "cdr.time.required", "is required")
		}
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		f.Add(path, "cdr.time.not_rfc3339", "%q is not an RFC 3339 time such as 2026-11-30T10:15:42+01:00", s)
		return time.Time{}
	}
	return plausible(f, path, t)
}

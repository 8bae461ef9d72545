// Package cdr reads the call detail records that centers keeping their own
// dialer send Plateau — Asterisk's cdr-csv Master.csv, VICIdial's call log
// exports, and the JSON batches of POST /api/v1/cdrs — as a stream of one
// normalized Record per call, in the words of pkg/dialing. A row that is
// not a record is reported as a *RowError naming its line (or the item's
// index) and its fields, and reading goes on: a bad row never stops a file.
//
// It owns the formats only: matching a record to its call or lead, storing
// it exactly once and reporting unmatched rows belong to others. It imports
// the standard library, uuid and the domain packages apperr, dialing and
// leadfile (its CSV reader, and its phone numbers: phone.Parse's, faster);
// nothing that talks to a database, a
// queue or the network.
package cdr

import (
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// Format is a kind of CDR source.
type Format string

const (
	Asterisk Format = "asterisk" // cdr-csv Master.csv: no header, 16 to 18 columns
	Vicidial Format = "vicidial" // vicidial_log or the Export Calls Report: a header row, tab or comma separated
	JSON     Format = "json"     // the body of POST /api/v1/cdrs
)

// Record is one call as the center's dialer saw it.
type Record struct {
	// Line is the line of the file the row starts on (the first line is
	// 1); 0 in a JSON batch.
	Line int
	// Index is the item's index in a JSON batch's cdrs; -1 in a file.
	Index int
	// ExternalID is the dialer's unique id of the call (Asterisk's
	// uniqueid, VICIdial's uniqueid, the batch's external_id): with the
	// center, the key that makes a record count once.
	ExternalID string
	// CallID is Plateau's id of the call when the dialer carried it
	// (Asterisk's accountcode or userfield, the batch's call_id);
	// uuid.Nil otherwise, and the call is matched by campaign, number and
	// time.
	CallID uuid.UUID
	// LeadID is Plateau's id of the lead when the dialer carried it
	// (VICIdial's vendor_lead_code, the batch's lead_id); uuid.Nil
	// otherwise.
	LeadID uuid.UUID
	// To is the callee in E.164, "" when ToRaw is not a valid number (the
	// record then has a CallID).
	To    string
	ToRaw string // the callee as the dialer wrote it
	// From is the caller id presented, as the dialer wrote it.
	From string
	// Campaign is the dialer's campaign code (VICIdial's campaign_id,
	// Asterisk's accountcode when it is not a call id).
	Campaign string
	// Start, Answer and End are in UTC. Answer is zero when the call was
	// not answered, or the source does not say when (VICIdial).
	Start, Answer, End time.Time
	// Duration is the whole call; Billsec the part after the answer.
	Duration, Billsec time.Duration
	Result            dialing.Result
	// Cause is what the dialer said of the call's end, as written: an
	// Asterisk disposition ("NO ANSWER"), a VICIdial status ("SALE").
	Cause string
	// Agent is the dialer's user who took the call, "" when none did.
	Agent string
}

// Options tell a parser what a source does not say.
type Options struct {
	// Location is the zone local times are written in: Asterisk's start,
	// answer and end (the server's zone, or UTC with usegmtime=yes in
	// cdr.conf's [csv]) and VICIdial's call_date (the server's zone).
	// nil reads them in UTC.
	Location *time.Location
	// Region is the default region of numbers written without a country
	// code (ISO 3166-1 alpha-2, "FR"): the campaign's country, where its
	// callees are, as for its leads.
	Region string
	// Statuses maps a center's own VICIdial statuses to results, over
	// VicidialResults.
	Statuses map[string]dialing.Result
}

func (o Options) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// RowError is a row of a file, or an item of a batch, that is not a
// record: where it is, and what is wrong with it. Its Unwrap is an
// *apperr.Error of kind Invalid whose Fields are Problems.
type RowError struct {
	Line       int    // as Record.Line
	Index      int    // as Record.Index
	ExternalID string // the row's, when it has one, for the report
	// Problems name their field by its column ("disposition", "end_epoch")
	// or, in a batch, by its path ("cdrs[3].ended_at"); "" for the whole
	// row.
	Problems []apperr.FieldError
}

func (e *RowError) Error() string {
	var b strings.Builder
	if e.Index >= 0 {
		fmt.Fprintf(&b, "cdr: cdrs[%d]: ", e.Index)
	} else {
		fmt.Fprintf(&b, "cdr: line %d: ", e.Line)
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		if p.Path != "" {
			b.WriteString(p.Path + " ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// Unwrap is the row's problems as one Invalid error, for a front door.
func (e *RowError) Unwrap() error {
	return apperr.InvalidFields("cdr.row.invalid", "this call detail record cannot be read", e.Problems...)
}

// Parse reads src in format, or in the format Sniff finds when format is
// "". It yields each record, or a *RowError for a row that is not one and
// goes on; any other error (a file that cannot be read at all, a read
// error) is yielded once, last.
func Parse(src io.Reader, format Format, opts Options) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		r, f := src, format
		if f == "" {
			var err error
			if f, r, err = Detect(src); err != nil {
				yield(Record{}, err)
				return
			}
		}
		var records iter.Seq2[Record, error]
		switch f {
		case Asterisk:
			records = ParseAsterisk(r, opts)
		case Vicidial:
			records = ParseVicidial(r, opts)
		case JSON:
			records = ParseJSON(r, opts)
		default:
			yield(Record{}, apperr.New(apperr.Invalid, "cdr.format.unknown", "%q is not a CDR format: asterisk, vicidial or json", string(f)))
			return
		}
		for rec, err := range records {
			if !yield(rec, err) {
				return
			}
		}
	}
}

// paths names a record's fields as its source does, for its problems:
// prefix and the field's name.
type paths struct {
	prefix                                      string
	externalID, to, start, answer, end, billsec string
}

// check finishes rec: it normalizes the callee and adds to f what keeps
// rec from being a record. The times are already in UTC.
func check(rec *Record, f *apperr.Fields, p paths, region string) {
	if rec.ExternalID == "" {
		f.Add(p.prefix+p.externalID, "cdr.external_id.required", "is required: the dialer's unique id of the call makes its record count once")
	}
	if rec.ToRaw != "" {
		if n, err := leadfile.NormalizePhone(rec.ToRaw, region); err == nil {
			rec.To = n.E164
		} else if rec.CallID == uuid.Nil {
			f.AddError(p.prefix+p.to, err)
		}
	} else if rec.CallID == uuid.Nil {
		f.Add(p.prefix+p.to, "cdr.to.required", "is required when the record does not carry Plateau's call id")
	}
	if !rec.Start.IsZero() && !rec.End.IsZero() {
		switch {
		case rec.End.Before(rec.Start):
			f.Add(p.prefix+p.end, "cdr.time.end_before_start", "(%s) is before the call's start (%s)", stamp(rec.End), stamp(rec.Start))
		case !rec.Answer.IsZero() && (rec.Answer.Before(rec.Start) || rec.Answer.After(rec.End)):
			f.Add(p.prefix+p.answer, "cdr.time.answer_outside", "(%s) is outside the call, which lasts from %s to %s", stamp(rec.Answer), stamp(rec.Start), stamp(rec.End))
		}
	}
	if rec.Billsec > rec.Duration {
		f.Add(p.prefix+p.billsec, "cdr.seconds.billsec_over_duration", "(%d s) is longer than the whole call (%d s)", int64(rec.Billsec/time.Second), int64(rec.Duration/time.Second))
	}
}

// stamp writes a UTC time for a message.
func stamp(t time.Time) string { return t.Format("2006-01-02 15:04:05Z") }

// answeredBy reports whether someone or something picked up: the results
// that have an answer time and billable seconds.
func answeredBy(r dialing.Result) bool { return r.Live() || r == dialing.Machine }

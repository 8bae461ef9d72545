package cdr

import (
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// VicidialResults maps VICIdial's system statuses to results. The statuses
// and their flags are VICIdial's defaults (extras/MySQL_AST_CREATE_tables.sql,
// INSERT INTO vicidial_statuses): a status flagged human_answered=Y (SALE,
// NI, DNC, CALLBK, DEC, NP, XFER…) is a person an agent talked to; DROP
// ("Agent Not Available"), XDROP and PDROP ("Outbound Pre-Routing Drop")
// are people answered and left without an agent — abandoned; A, AA
// (answering machine, by the agent or by AMD), AM and AL (message left) and
// AFAX are machines; B and AB busy; N and NA no answer; DC and ADC
// ("Disconnected Number") a number that refused the call; ADCT (a number
// disconnected for a while), LRERR ("Outbound Local Channel Res Err"), ERI
// ("Agent Error") and DAIR ("Dead Air") calls the line or the system
// failed.
var VicidialResults = map[string]dialing.Result{
	"SALE": dialing.Answered, "NI": dialing.Answered, "DNC": dialing.Answered, "CALLBK": dialing.Answered,
	"CBHOLD": dialing.Answered, "DEC": dialing.Answered, "NP": dialing.Answered, "XFER": dialing.Answered,
	"DROP": dialing.Abandoned, "XDROP": dialing.Abandoned, "PDROP": dialing.Abandoned,
	"A": dialing.Machine, "AA": dialing.Machine, "AM": dialing.Machine, "AL": dialing.Machine, "AFAX": dialing.Machine,
	"B": dialing.Busy, "AB": dialing.Busy,
	"N": dialing.NoAnswer, "NA": dialing.NoAnswer,
	"DC": dialing.Rejected, "ADC": dialing.Rejected,
	"ADCT": dialing.Failed, "LRERR": dialing.Failed, "ERI": dialing.Failed, "DAIR": dialing.Failed,
}

// vicidialPending are a lead's states in VICIdial, which a call log holds
// for a call not yet dispositioned: no result yet.
var vicidialPending = map[string]bool{"NEW": true, "QUEUE": true, "INCALL": true, "DISPO": true}

// vicidialDialers are VICIdial's users for calls no agent took: VDAD (the
// auto-dialer) and VDCL (the closer queue).
var vicidialDialers = map[string]bool{"VDAD": true, "VDCL": true}

// vicidialColumns are the columns a record reads, by their header. The
// vicidial_log table (extras/MySQL_AST_CREATE_tables.sql: uniqueid,
// lead_id, list_id, campaign_id, call_date, start_epoch, end_epoch,
// length_in_sec, status, phone_code, phone_number, user, comments,
// processed, user_group, term_reason, alt_dial) exported with its header,
// and the admin's Export Calls Report (call_report_export.php: call_date,
// phone_number_dialed, status, user, …, campaign_id, vendor_lead_code, …,
// length_in_sec, … and, with the EXTENDED fields, uniqueid) both have
// them; other columns are left alone.
type vicidialColumns struct {
	width int // the header's
	// Indexes of the columns, -1 for one the header lacks.
	uniqueID, campaign, callDate, startEpoch, endEpoch, length, status int
	phoneCode, phoneNumber, dialed, user, vendorLeadCode               int
}

func readVicidialHeader(header []string) (vicidialColumns, []string) {
	at := map[string]int{}
	for i, h := range header {
		at[strings.ToLower(strings.TrimSpace(h))] = i
	}
	col := func(name string) int {
		if i, ok := at[name]; ok {
			return i
		}
		return -1
	}
	c := vicidialColumns{width: len(header), uniqueID: col("uniqueid"), campaign: col("campaign_id"), callDate: col("call_date"),
		startEpoch: col("start_epoch"), endEpoch: col("end_epoch"), length: col("length_in_sec"),
		status: col("status"), phoneCode: col("phone_code"), phoneNumber: col("phone_number"),
		dialed: col("phone_number_dialed"), user: col("user"), vendorLeadCode: col("vendor_lead_code")}
	var missing []string
	for _, need := range []struct {
		name string
		i    int
	}{{"uniqueid", c.uniqueID}, {"status", c.status}, {"campaign_id", c.campaign}, {"call_date", max(c.callDate, c.startEpoch)},
		{"length_in_sec", max(c.length, c.endEpoch)}, {"phone_number", max(c.phoneNumber, c.dialed)}} {
		if need.i < 0 {
			missing = append(missing, need.name)
		}
	}
	return c, missing
}

// ParseVicidial reads a VICIdial call log with its header row (see
// vicidialColumns), tab, comma or semicolon separated, yielding a record
// per row, a *RowError for a row that is not one, and, last, any error
// that stops the file — a header without the columns a record needs among
// them.
//
// A call starts at start_epoch (or call_date, in Options.Location) and
// ends at end_epoch (or length_in_sec later); VICIdial does not say when
// it was answered. The status is the record's Cause, and its result is
// Options.Statuses's, else VicidialResults's; a status neither knows is a
// campaign's own, which only an agent sets after talking to someone:
// Answered when the user is an agent, a problem when it is the dialer.
// VICIdial carries no call id of Plateau's; vendor_lead_code, when it holds
// Plateau's lead id, is the record's LeadID.
func ParseVicidial(src io.Reader, opts Options) iter.Seq2[Record, error] {
	loc := opts.location()
	return func(yield func(Record, error) bool) {
		var cols vicidialColumns
		header := false
		for row, err := range csvRecords(src) {
			if err != nil {
				yield(Record{}, err)
				return
			}
			if !header {
				if err := vicidialHeader(row, &cols); err != nil {
					yield(Record{}, err)
					return
				}
				header = true
				continue
			}
			rec, problems := readVicidial(row, cols, opts, loc)
			if !emit(yield, rec, problems) {
				return
			}
		}
	}
}

func vicidialHeader(row leadfile.Record, cols *vicidialColumns) error {
	if row.Problem != nil {
		return apperr.InvalidFields("cdr.vicidial.header.unreadable", "the header of the VICIdial export cannot be read", *row.Problem)
	}
	c, missing := readVicidialHeader(row.Values)
	if len(missing) > 0 {
		return apperr.New(apperr.Invalid, "cdr.vicidial.header.missing",
			"the header (line %d) lacks the columns %s: export vicidial_log with its header, or the Export Calls Report with the EXTENDED fields",
			row.Line, strings.Join(missing, ", "))
	}
	*cols = c
	return nil
}

func readVicidial(row leadfile.Record, c vicidialColumns, opts Options, loc *time.Location) (Record, apperr.Fields) {
	rec := Record{Line: row.Line, Index: -1}
	var f apperr.Fields
	if row.Problem != nil {
		return rec, append(f, *row.Problem)
	}
	v := row.Values
	if need := max(c.uniqueID, c.campaign, c.callDate, c.startEpoch, c.endEpoch, c.length, c.status, c.phoneCode,
		c.phoneNumber, c.dialed, c.user, c.vendorLeadCode) + 1; len(v) < need {
		f.Add("", "cdr.vicidial.field_count", "has %d values where the header has %d columns", len(v), c.width)
		return rec, f
	}
	rec.ExternalID = cell(v, c.uniqueID)
	rec.Campaign = cell(v, c.campaign)
	if user := cell(v, c.user); !vicidialDialers[strings.ToUpper(user)] {
		rec.Agent = user
	}
	if id, ok := plateauID(cell(v, c.vendorLeadCode)); ok {
		rec.LeadID = id
	}
	toPath := "phone_number_dialed"
	rec.ToRaw = cell(v, c.dialed)
	if rec.ToRaw == "" {
		toPath = "phone_number"
		rec.ToRaw = cell(v, c.phoneNumber)
		if code := strings.TrimPrefix(cell(v, c.phoneCode), "+"); code != "" && rec.ToRaw != "" && !strings.HasPrefix(rec.ToRaw, "+") {
			rec.ToRaw = "+" + code + " " + rec.ToRaw
		}
	}
	startPath := "call_date"
	if s := cell(v, c.startEpoch); s != "" && s != "0" {
		startPath = "start_epoch"
		rec.Start = epoch(&f, startPath, s)
	} else {
		rec.Start = localTime(&f, startPath, cell(v, c.callDate), loc, true)
	}
	length := cell(v, c.length)
	if length != "" {
		rec.Duration = seconds(&f, "length_in_sec", length)
	}
	endPath := "end_epoch"
	if s := cell(v, c.endEpoch); s != "" && s != "0" {
		rec.End = epoch(&f, endPath, s)
		if length == "" && !rec.Start.IsZero() && rec.End.After(rec.Start) {
			rec.Duration = rec.End.Sub(rec.Start)
		}
	} else if !rec.Start.IsZero() {
		endPath = "length_in_sec"
		if length == "" {
			f.Add(endPath, "cdr.time.required", "is required")
		}
		rec.End = rec.Start.Add(rec.Duration)
	}
	rec.Cause = strings.ToUpper(cell(v, c.status))
	rec.Result = vicidialResult(&f, rec.Cause, rec.Agent, opts.Statuses)
	if answeredBy(rec.Result) {
		rec.Billsec = rec.Duration
	}
	check(&rec, &f, paths{externalID: "uniqueid", to: toPath, start: startPath, end: endPath, billsec: "length_in_sec"}, opts.Region)
	return rec, f
}

func vicidialResult(f *apperr.Fields, status, agent string, own map[string]dialing.Result) dialing.Result {
	if r, ok := own[status]; ok {
		return r
	}
	if r, ok := VicidialResults[status]; ok {
		return r
	}
	switch {
	case status == "":
		f.Add("status", "cdr.vicidial.status.required", "is required")
	case vicidialPending[status]:
		f.Add("status", "cdr.vicidial.status.pending", "%q is a lead's state in VICIdial, not how a call ended: the call has no disposition yet", status)
	case agent != "":
		return dialing.Answered
	default:
		f.Add("status", "cdr.vicidial.status.unknown", "%q is not a VICIdial system status and no agent set it: map it to a result in the center's settings", status)
	}
	return ""
}

// epoch reads a Unix time in seconds.
func epoch(f *apperr.Fields, path, s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 1<<40 {
		f.Add(path, "cdr.time.epoch_invalid", "%q is not a Unix time in seconds", s)
		return time.Time{}
	}
	return plausible(f, path, time.Unix(n, 0))
}

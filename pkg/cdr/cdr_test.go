package cdr_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/cdr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// collect reads a whole stream: its records, and its row errors, and its
// final error.
func collect(t *testing.T, seq iter.Seq2[cdr.Record, error]) (records []cdr.Record, rowErrs []*cdr.RowError, final error) {
	t.Helper()
	for rec, err := range seq {
		var rowErr *cdr.RowError
		switch {
		case final != nil:
			t.Fatalf("something after the final error %v: %+v %v", final, rec, err)
		case errors.As(err, &rowErr):
			rowErrs = append(rowErrs, rowErr)
		case err != nil:
			final = err
		default:
			records = append(records, rec)
		}
	}
	return records, rowErrs, final
}

// outcomes says what a stream yielded, one line per row: "<line> ok <external id>"
// or "<line> <path>:<code> …" (the index instead of the line in a batch).
func outcomes(t *testing.T, seq iter.Seq2[cdr.Record, error]) []string {
	t.Helper()
	var out []string
	for rec, err := range seq {
		where := rec.Line
		if rec.Index >= 0 {
			where = rec.Index
		}
		var rowErr *cdr.RowError
		switch {
		case errors.As(err, &rowErr):
			if rowErr.Line != rec.Line || rowErr.Index != rec.Index {
				t.Errorf("row error at %d/%d for a record at %d/%d", rowErr.Line, rowErr.Index, rec.Line, rec.Index)
			}
			s := fmt.Sprint(where)
			for _, p := range rowErr.Problems {
				s += " " + p.Path + ":" + p.Code
			}
			out = append(out, s)
		case err != nil:
			out = append(out, "final "+apperr.As(err).Code)
		default:
			out = append(out, fmt.Sprintf("%d ok %s", where, rec.ExternalID))
		}
	}
	return out
}

// clean reads a stream that must hold records only.
func clean(t *testing.T, seq iter.Seq2[cdr.Record, error]) []cdr.Record {
	t.Helper()
	records, rowErrs, final := collect(t, seq)
	if len(rowErrs) > 0 || final != nil {
		t.Fatalf("row errors %v, final %v", rowErrs, final)
	}
	return records
}

func sameOutcomes(t *testing.T, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func sameRecords(t *testing.T, got, want []cdr.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d records, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestAsterisk(t *testing.T) {
	// Master.csv of a Casablanca server (UTC+1 in November) with
	// loguniqueid and loguserfield.
	records := clean(t, cdr.ParseAsterisk(open(t, "Master.csv"), cdr.Options{Location: zone(t, "Africa/Casablanca"), Region: "FR"}))
	sameRecords(t, records, []cdr.Record{{
		Line: 1, Index: -1, ExternalID: "1796030102.42", CallID: uuid.MustParse("0190c6f2-7b1e-7a4c-9d3e-5f8a1b2c3d4e"),
		To: "+33612345678", ToRaw: "0033612345678", From: "0522456789",
		Start: at("2026-11-30T09:15:02Z"), Answer: at("2026-11-30T09:15:11Z"), End: at("2026-11-30T09:17:44Z"),
		Duration: 162 * time.Second, Billsec: 153 * time.Second, Result: dialing.Answered, Cause: "ANSWERED",
	}, {
		// The call id in the userfield, the accountcode the campaign.
		Line: 2, Index: -1, ExternalID: "1796030105.44", CallID: uuid.MustParse("0190c6f2-8c2f-7b5d-8e4f-6a9b2c3d4e5f"),
		To: "+33687654321", ToRaw: "0033687654321", From: "0522456789", Campaign: "ATLAS-PROSP",
		Start: at("2026-11-30T09:15:05Z"), End: at("2026-11-30T09:15:50Z"),
		Duration: 45 * time.Second, Result: dialing.NoAnswer, Cause: "NO ANSWER",
	}, {
		Line: 3, Index: -1, ExternalID: "1796030180.46", To: "+33145678901", ToRaw: "0033145678901", From: "0522456789", Campaign: "ATLAS-PROSP",
		Start: at("2026-11-30T09:16:20Z"), End: at("2026-11-30T09:16:24Z"),
		Duration: 4 * time.Second, Result: dialing.Busy, Cause: "BUSY",
	}, {
		// AMD said MACHINE in the userfield, beside the call id.
		Line: 4, Index: -1, ExternalID: "1796030220.48", CallID: uuid.MustParse("0190c6f2-9d30-7c6e-9f50-7bac3d4e5f60"),
		To: "+33698765432", ToRaw: "0033698765432", From: "0522456789", Campaign: "ATLAS-PROSP",
		Start: at("2026-11-30T09:17:00Z"), Answer: at("2026-11-30T09:17:09Z"), End: at("2026-11-30T09:17:21Z"),
		Duration: 21 * time.Second, Billsec: 12 * time.Second, Result: dialing.Machine, Cause: "ANSWERED",
	}, {
		Line: 5, Index: -1, ExternalID: "1796030310.50", To: "+33611223344", ToRaw: "0033611223344", From: "0522456789", Campaign: "ATLAS-PROSP",
		Start: at("2026-11-30T09:18:30Z"), End: at("2026-11-30T09:18:30Z"), Result: dialing.Failed, Cause: "CONGESTION",
	}, {
		// One second to midnight in Casablanca is 22:59:58 UTC.
		Line: 6, Index: -1, ExternalID: "1796079598.52", To: "+33655443322", ToRaw: "+33 6 55 44 33 22", From: "0522456789",
		Start: at("2026-11-30T22:59:58Z"), End: at("2026-11-30T22:59:59Z"),
		Duration: time.Second, Result: dialing.Failed, Cause: "FAILED",
	}})
}

func TestAsteriskWithoutUniqueID(t *testing.T) {
	// Asterisk's default cdr.conf writes neither uniqueid nor userfield.
	records := clean(t, cdr.ParseAsterisk(open(t, "Master-16.csv"), cdr.Options{Location: zone(t, "Africa/Casablanca"), Region: "MA"}))
	var ids []string
	for _, r := range records {
		ids = append(ids, r.ExternalID)
		if r.CallID != uuid.Nil {
			t.Errorf("line %d: call id %s from nowhere", r.Line, r.CallID)
		}
	}
	want := []string{"PJSIP/plateau-out-0000002c@2026-11-30 10:15:05", "PJSIP/plateau-out-0000002e@2026-11-30 10:16:20"}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("external ids %q, want %q", ids, want)
	}
}

func TestAsteriskGarbledRows(t *testing.T) {
	// Every bad row is reported on its line, and the rows after it are read.
	got := outcomes(t, cdr.ParseAsterisk(open(t, "Master-garbled.csv"), cdr.Options{Location: zone(t, "Africa/Casablanca"), Region: "MA"}))
	sameOutcomes(t, got, []string{
		"1 ok 1796030180.46",
		"2 :cdr.asterisk.field_count",
		"3 start:cdr.time.invalid",
		"4 end:cdr.time.end_before_start",
		"5 disposition:cdr.asterisk.disposition_unknown",
		"6 billsec:cdr.seconds.invalid",
		"7 billsec:cdr.seconds.billsec_over_duration",
		"8 dst:phone.unexpected",
		"9 ok 1796030102.42",
	})
}

func TestVicidialLog(t *testing.T) {
	// vicidial_log with its header, from a Dakar server: the epochs say the
	// time whatever the zone.
	records := clean(t, cdr.ParseVicidial(open(t, "vicidial_log.tsv"), cdr.Options{Location: zone(t, "Asia/Tokyo"), Region: "SN"}))
	type summary struct {
		line                     int
		id, to, agent            string
		result                   dialing.Result
		start                    time.Time
		duration, billsec, spent time.Duration
	}
	var got []summary
	for _, r := range records {
		if r.Campaign != "ATLASPRO" || r.Index != -1 || r.CallID != uuid.Nil || !r.Answer.IsZero() {
			t.Errorf("line %d: %+v", r.Line, r)
		}
		got = append(got, summary{r.Line, r.ExternalID, r.To, r.Agent, r.Result, r.Start, r.Duration, r.Billsec, r.End.Sub(r.Start)})
	}
	s := time.Second
	want := []summary{
		{2, "1796029331.1021", "+33612345678", "dkr_agent07", dialing.Answered, at("2026-11-30T09:02:11Z"), 187 * s, 187 * s, 187 * s},
		{3, "1796029335.1022", "+33687654321", "", dialing.NoAnswer, at("2026-11-30T09:02:15Z"), 0, 0, 0},
		{4, "1796029360.1023", "+33145678901", "", dialing.Busy, at("2026-11-30T09:02:40Z"), 0, 0, 0},
		{5, "1796029382.1024", "+33698765432", "", dialing.Machine, at("2026-11-30T09:03:02Z"), 9 * s, 9 * s, 9 * s},
		{6, "1796029410.1025", "+33611223344", "", dialing.Abandoned, at("2026-11-30T09:03:30Z"), 4 * s, 4 * s, 4 * s},
		{7, "1796029441.1026", "+33699999999", "dkr_agent03", dialing.Rejected, at("2026-11-30T09:04:01Z"), 2 * s, 0, 2 * s},
		// RDV is the campaign's own status: an agent set it after talking.
		{8, "1796029512.1027", "+33655443322", "dkr_agent07", dialing.Answered, at("2026-11-30T09:05:12Z"), 243 * s, 243 * s, 243 * s},
		{9, "1796029560.1028", "+221771234567", "", dialing.Failed, at("2026-11-30T09:06:00Z"), 0, 0, 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	if records[5].Cause != "DC" || records[6].Cause != "RDV" {
		t.Errorf("causes %q, %q", records[5].Cause, records[6].Cause)
	}
}

func TestVicidialOwnStatuses(t *testing.T) {
	// A center maps its own statuses, over the system's.
	opts := cdr.Options{Region: "SN", Statuses: map[string]dialing.Result{"RDV": dialing.Answered, "DC": dialing.Failed, "ZZTOP": dialing.NoAnswer}}
	records, _, _ := collect(t, cdr.ParseVicidial(open(t, "vicidial_log.tsv"), opts))
	if len(records) != 8 || records[5].Result != dialing.Failed {
		t.Fatalf("%d records, DC read as %q", len(records), records[5].Result)
	}
	got := outcomes(t, cdr.ParseVicidial(open(t, "vicidial_log-garbled.tsv"), opts))
	if got[4] != "6 ok 1796029335.1022" {
		t.Errorf("a status the center mapped: %s", got[4])
	}
}

func TestVicidialExportCallsReport(t *testing.T) {
	// The admin's Export Calls Report with the EXTENDED fields, from a
	// Casablanca server: call_date is local time.
	records := clean(t, cdr.ParseVicidial(open(t, "export_calls_extended.txt"), cdr.Options{Location: zone(t, "Africa/Casablanca"), Region: "FR"}))
	sameRecords(t, records, []cdr.Record{{
		Line: 2, Index: -1, ExternalID: "1796030100.3301", LeadID: uuid.MustParse("0190c6f2-aaaa-7bbb-8ccc-0123456789ab"),
		To: "+33612345678", ToRaw: "0612345678", Campaign: "ATLASREC",
		Start: at("2026-11-30T09:15:00Z"), End: at("2026-11-30T09:18:32Z"),
		Duration: 212 * time.Second, Billsec: 212 * time.Second, Result: dialing.Answered, Cause: "PTP", Agent: "casa_agent12",
	}, {
		Line: 3, Index: -1, ExternalID: "1796030190.3302", LeadID: uuid.MustParse("0190c6f2-bbbb-7ccc-8ddd-123456789abc"),
		To: "+33687654321", ToRaw: "0687654321", Campaign: "ATLASREC",
		Start: at("2026-11-30T09:16:30Z"), End: at("2026-11-30T09:16:30Z"), Result: dialing.NoAnswer, Cause: "NA",
	}, {
		// A vendor_lead_code that is not Plateau's is no lead id.
		Line: 4, Index: -1, ExternalID: "1796030225.3303", To: "+33145678901", ToRaw: "0145678901", Campaign: "ATLASREC",
		Start: at("2026-11-30T09:17:05Z"), End: at("2026-11-30T09:17:05Z"), Result: dialing.Busy, Cause: "AB",
	}})
}

func TestVicidialGarbledRows(t *testing.T) {
	got := outcomes(t, cdr.ParseVicidial(open(t, "vicidial_log-garbled.tsv"), cdr.Options{Region: "SN"}))
	sameOutcomes(t, got, []string{
		"2 ok 1796029331.1021",
		"3 :cdr.vicidial.field_count",
		"4 start_epoch:cdr.time.epoch_invalid",
		"5 end_epoch:cdr.time.end_before_start",
		"6 status:cdr.vicidial.status.unknown",
		"7 status:cdr.vicidial.status.pending",
		"8 ok 1796029512.1027",
	})
}

func TestVicidialHeader(t *testing.T) {
	// The Export Calls Report without the EXTENDED fields has no uniqueid:
	// the file is refused, saying how to export it.
	export := "call_date\tphone_number_dialed\tstatus\tuser\tcampaign_id\tlength_in_sec\n2026-11-30 10:15:00\t0612345678\tSALE\tagent1\tATLAS\t60\n"
	got := outcomes(t, cdr.ParseVicidial(strings.NewReader(export), cdr.Options{Region: "FR"}))
	sameOutcomes(t, got, []string{"final cdr.vicidial.header.missing"})
	_, _, final := collect(t, cdr.ParseVicidial(strings.NewReader(export), cdr.Options{}))
	if !strings.Contains(final.Error(), "uniqueid") || apperr.KindOf(final) != apperr.Invalid {
		t.Errorf("%v", final)
	}
}

func TestBatch(t *testing.T) {
	records := clean(t, cdr.ParseJSON(open(t, "batch.json"), cdr.Options{Region: "FR"}))
	sameRecords(t, records, []cdr.Record{{
		Index: 0, ExternalID: "dkr-pbx1-1796029331.1021", CallID: uuid.MustParse("0190c6f2-7b1e-7a4c-9d3e-5f8a1b2c3d4e"),
		To: "+33612345678", ToRaw: "+33612345678", From: "+33522456789", Campaign: "ATLASPRO",
		Start: at("2026-11-30T09:02:11Z"), Answer: at("2026-11-30T09:02:19Z"), End: at("2026-11-30T09:05:18Z"),
		Duration: 187 * time.Second, Billsec: 179 * time.Second, Result: dialing.Answered, Cause: "16 Normal Clearing", Agent: "dkr_agent07",
	}, {
		Index: 1, ExternalID: "dkr-pbx1-1796029335.1022", To: "+33687654321", ToRaw: "06 87 65 43 21", Campaign: "ATLASPRO",
		Start: at("2026-11-30T09:02:15Z"), End: at("2026-11-30T09:02:45Z"), Duration: 30 * time.Second,
		Result: dialing.NoAnswer, Cause: "19 No Answer",
	}, {
		// Billable seconds are whole: 10.5 s are 10.
		Index: 2, ExternalID: "dkr-pbx1-1796029362.1024", LeadID: uuid.MustParse("0190c6f2-aaaa-7bbb-8ccc-0123456789ab"),
		To: "+33698765432", ToRaw: "0698765432", Campaign: "ATLASPRO",
		Start: at("2026-11-30T09:03:02Z"), Answer: at("2026-11-30T09:03:10.5Z"), End: at("2026-11-30T09:03:21Z"),
		Duration: 19 * time.Second, Billsec: 10 * time.Second, Result: dialing.Machine, Cause: "AMD MACHINE",
	}})
}

// TestBatchSchema: a batch written with Batch and Item reads back as the
// records it says.
func TestBatchSchema(t *testing.T) {
	body, err := json.Marshal(cdr.Batch{CDRs: []cdr.Item{{
		ExternalID: "pbx2-1796030102.42", CallID: "0190c6f2-7b1e-7a4c-9d3e-5f8a1b2c3d4e", To: "+33612345678", From: "+33522456789",
		Campaign: "ATLASPRO", StartedAt: "2026-11-30T10:15:02+01:00", AnsweredAt: "2026-11-30T10:15:11+01:00", EndedAt: "2026-11-30T10:17:44+01:00",
		Result: dialing.Answered, Cause: "16", Agent: "casa_agent12",
	}, {
		ExternalID: "pbx2-1796030105.44", LeadID: "0190c6f2-aaaa-7bbb-8ccc-0123456789ab", To: "0687654321",
		StartedAt: "2026-11-30T10:15:05+01:00", EndedAt: "2026-11-30T10:15:09+01:00", Result: dialing.Busy,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	records := clean(t, cdr.ParseJSON(strings.NewReader(string(body)), cdr.Options{Region: "FR"}))
	sameRecords(t, records, []cdr.Record{{
		Index: 0, ExternalID: "pbx2-1796030102.42", CallID: uuid.MustParse("0190c6f2-7b1e-7a4c-9d3e-5f8a1b2c3d4e"),
		To: "+33612345678", ToRaw: "+33612345678", From: "+33522456789", Campaign: "ATLASPRO",
		Start: at("2026-11-30T09:15:02Z"), Answer: at("2026-11-30T09:15:11Z"), End: at("2026-11-30T09:17:44Z"),
		Duration: 162 * time.Second, Billsec: 153 * time.Second, Result: dialing.Answered, Cause: "16", Agent: "casa_agent12",
	}, {
		Index: 1, ExternalID: "pbx2-1796030105.44", LeadID: uuid.MustParse("0190c6f2-aaaa-7bbb-8ccc-0123456789ab"),
		To: "+33687654321", ToRaw: "0687654321", Start: at("2026-11-30T09:15:05Z"), End: at("2026-11-30T09:15:09Z"),
		Duration: 4 * time.Second, Result: dialing.Busy,
	}})
}

func TestBatchItemProblems(t *testing.T) {
	const good = `"external_id": "x1", "to": "+33612345678", "started_at": "2026-11-30T09:02:11Z", "ended_at": "2026-11-30T09:02:41Z"`
	for _, c := range []struct {
		name, item string
		want       string
	}{
		{"no external id", `{"to": "+33612345678", "started_at": "2026-11-30T09:02:11Z", "ended_at": "2026-11-30T09:02:41Z", "result": "busy"}`,
			"0 cdrs[0].external_id:cdr.external_id.required"},
		{"end before start", `{"external_id": "x1", "to": "+33612345678", "started_at": "2026-11-30T09:02:11Z", "ended_at": "2026-11-30T09:01:41Z", "result": "busy"}`,
			"0 cdrs[0].ended_at:cdr.time.end_before_start"},
		{"local time without offset", `{"external_id": "x1", "to": "+33612345678", "started_at": "2026-11-30 09:02:11", "ended_at": "2026-11-30T09:02:41Z", "result": "busy"}`,
			"0 cdrs[0].started_at:cdr.time.not_rfc3339"},
		{"year one", `{"external_id": "x1", "to": "+33612345678", "started_at": "0001-01-01T00:00:00Z", "ended_at": "2026-11-30T09:02:41Z", "result": "busy"}`,
			"0 cdrs[0].started_at:cdr.time.too_early"},
		{"no end", `{"external_id": "x1", "to": "+33612345678", "started_at": "2026-11-30T09:02:11Z", "result": "busy"}`,
			"0 cdrs[0].ended_at:cdr.time.required"},
		{"unknown result", `{` + good + `, "result": "voicemail"}`, "0 cdrs[0].result:cdr.batch.result_unknown"},
		{"no result", `{` + good + `}`, "0 cdrs[0].result:cdr.batch.result_required"},
		{"answered without its time", `{` + good + `, "result": "answered"}`, "0 cdrs[0].answered_at:cdr.batch.answered_at_required"},
		{"unanswered with an answer time", `{` + good + `, "result": "no_answer", "answered_at": "2026-11-30T09:02:21Z"}`,
			"0 cdrs[0].answered_at:cdr.batch.answered_at_unanswered"},
		{"answer after the end", `{` + good + `, "result": "answered", "answered_at": "2026-11-30T09:03:21Z"}`,
			"0 cdrs[0].answered_at:cdr.time.answer_outside"},
		{"number as a number", `{"external_id": "x1", "to": 33612345678, "started_at": "2026-11-30T09:02:11Z", "ended_at": "2026-11-30T09:02:41Z", "result": "busy"}`,
			"0 cdrs[0].to:cdr.batch.not_string cdrs[0].to:cdr.to.required"},
		{"invalid number", `{"external_id": "x1", "to": "+33 6 12", "started_at": "2026-11-30T09:02:11Z", "ended_at": "2026-11-30T09:02:41Z", "result": "busy"}`,
			"0 cdrs[0].to:phone.too_short"},
		{"invalid number with a call id", `{"external_id": "x1", "call_id": "0190c6f2-7b1e-7a4c-9d3e-5f8a1b2c3d4e", "to": "+33 6 12", "started_at": "2026-11-30T09:02:11Z", "ended_at": "2026-11-30T09:02:41Z", "result": "busy"}`,
			"0 ok x1"},
		{"bad call id", `{` + good + `, "call_id": "call-42", "result": "busy"}`, "0 cdrs[0].call_id:cdr.batch.id_invalid"},
		{"unknown field", `{` + good + `, "result": "busy", "duration": "30"}`, "0 cdrs[0].duration:cdr.batch.item_field_unknown"},
		{"not an object", `42`, "0 cdrs[0]:cdr.batch.item_not_object"},
		{"null", `null`, "0 cdrs[0]:cdr.batch.item_not_object"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := `{"cdrs": [` + c.item + `, {` + good + `, "external_id": "next", "result": "busy"}]}`
			sameOutcomes(t, outcomes(t, cdr.ParseJSON(strings.NewReader(body), cdr.Options{Region: "FR"})), []string{c.want, "1 ok next"})
		})
	}
}

func TestBatchBody(t *testing.T) {
	for _, c := range []struct {
		body string
		want []string
	}{
		{`[]`, []string{"final cdr.batch.not_object"}},
		{`{}`, []string{"final cdr.batch.no_cdrs"}},
		{`{"cdrs": {}}`, []string{"final cdr.batch.cdrs_not_array"}},
		{`{"items": []}`, []string{"final cdr.batch.unknown_field"}},
		{`{"cdrs": [{"external_id": "a"`, []string{"final cdr.batch.truncated"}},
		{`{"cdrs": [}`, []string{"final cdr.batch.syntax"}},
		{`{"cdrs": [42]} {}`, []string{"0 cdrs[0]:cdr.batch.item_not_object", "final cdr.batch.trailing"}},
		{``, []string{"final cdr.batch.truncated"}},
	} {
		sameOutcomes(t, outcomes(t, cdr.ParseJSON(strings.NewReader(c.body), cdr.Options{})), c.want)
	}
}

func TestBatchTooMany(t *testing.T) {
	body := `{"cdrs": [` + strings.Repeat(`{},`, cdr.MaxBatch) + `{}]}`
	_, rowErrs, final := collect(t, cdr.ParseJSON(strings.NewReader(body), cdr.Options{}))
	if len(rowErrs) != cdr.MaxBatch || apperr.KindOf(final) != apperr.TooLarge {
		t.Errorf("%d row errors, then %v", len(rowErrs), final)
	}
}

func TestRowErrorIsInvalid(t *testing.T) {
	_, rowErrs, _ := collect(t, cdr.ParseAsterisk(open(t, "Master-garbled.csv"), cdr.Options{Region: "MA"}))
	e := apperr.As(rowErrs[2])
	if e == nil || e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Path != "end" {
		t.Fatalf("%+v", e)
	}
	if got := rowErrs[2].Error(); !strings.HasPrefix(got, "cdr: line 4: end (2026-11-30 10:06:24Z) is before the call's start (2026-11-30 10:16:20Z)") {
		t.Errorf("%q", got)
	}
}

// TestEveryProblemOfARow: a row says all that is wrong with it, in column
// order, not only the first thing.
func TestEveryProblemOfARow(t *testing.T) {
	row := `"","0522456789","0612345678","from-plateau","","PJSIP/a-1","","Dial","","2026-11-31 10:00:00",,"2026-11-30 10:00:05",five,0,"HUNG UP","DOCUMENTATION","1796029200.1",""` + "\n"
	_, rowErrs, _ := collect(t, cdr.ParseAsterisk(strings.NewReader(row), cdr.Options{Region: "FR"}))
	if len(rowErrs) != 1 {
		t.Fatalf("%d row errors", len(rowErrs))
	}
	var got []string
	for _, p := range rowErrs[0].Problems {
		got = append(got, p.Path+":"+p.Code)
	}
	sameOutcomes(t, got, []string{"start:cdr.time.invalid", "duration:cdr.seconds.invalid", "disposition:cdr.asterisk.disposition_unknown"})
	want := `cdr: line 1: start "2026-11-31 10:00:00" is not a time written as 2026-11-30 14:05:09; duration "five" is not a whole number of seconds; ` +
		`disposition "HUNG UP" is not an Asterisk disposition: ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION`
	if got := rowErrs[0].Error(); got != want {
		t.Errorf("%s\nwant\n%s", got, want)
	}
	if rowErrs[0].ExternalID != "1796029200.1" {
		t.Errorf("the report names the call by %q", rowErrs[0].ExternalID)
	}
}

func TestSniff(t *testing.T) {
	for name, want := range map[string]cdr.Format{
		"Master.csv": cdr.Asterisk, "Master-16.csv": cdr.Asterisk, "Master-garbled.csv": cdr.Asterisk,
		"vicidial_log.tsv": cdr.Vicidial, "export_calls_extended.txt": cdr.Vicidial, "batch.json": cdr.JSON,
	} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := cdr.Sniff(data); got != want || err != nil {
			t.Errorf("%s: %q %v, want %q", name, got, err, want)
		}
		// Parse finds the format, and reads what the format's parser reads.
		got := outcomes(t, cdr.Parse(strings.NewReader(string(data)), "", cdr.Options{Region: "FR"}))
		direct := outcomes(t, cdr.Parse(strings.NewReader(string(data)), want, cdr.Options{Region: "FR"}))
		if len(got) == 0 || !reflect.DeepEqual(got, direct) {
			t.Errorf("%s: detected %v, direct %v", name, got, direct)
		}
	}
	for _, head := range []string{
		"Nom;Téléphone\nDupont;0612345678\n",
		`"a","b","c"` + "\n",
		"PK\x03\x04binary",
	} {
		if f, err := cdr.Sniff([]byte(head)); err == nil {
			t.Errorf("%q sniffed as %q", head, f)
		}
	}
	if _, _, final := collect(t, cdr.Parse(strings.NewReader("x"), "xml", cdr.Options{})); apperr.As(final).Code != "cdr.format.unknown" {
		t.Errorf("unknown format: %v", final)
	}
}

// A read error stops the stream: it is yielded last.
func TestReadErrorIsFinal(t *testing.T) {
	broken := io.MultiReader(open(t, "Master.csv"), iotestErr{})
	records, _, final := collect(t, cdr.ParseAsterisk(broken, cdr.Options{Region: "MA"}))
	if final == nil || apperr.As(final) != nil && apperr.KindOf(final) == apperr.Invalid {
		t.Errorf("%d records, then %v", len(records), final)
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

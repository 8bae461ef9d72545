package cdr

import (
	"io"
	"iter"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
)

// AsteriskColumns are the columns of Master.csv in the order cdr_csv.c's
// build_csv_record writes them: always the first 16; uniqueid when
// cdr.conf's [csv] has loguniqueid=yes, and userfield after it when it has
// loguserfield=yes. There is no header row. Strings are quoted, times are
// "%Y-%m-%d %T" in the server's zone (UTC with usegmtime=yes) and empty
// when unset, durations are whole seconds.
var AsteriskColumns = []string{"accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel",
	"lastapp", "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
	"uniqueid", "userfield"}

// Indexes into AsteriskColumns of the columns a record reads.
const (
	astAccountCode = 0
	astSrc         = 1
	astDst         = 2
	astCLID        = 4
	astChannel     = 5
	astStart       = 9
	astAnswer      = 10
	astEnd         = 11
	astDuration    = 12
	astBillsec     = 13
	astDisposition = 14
	astUniqueID    = 16
	astUserField   = 17
)

// asteriskResults maps the dispositions ast_cdr_disp2str writes to
// results. CONGESTION (Asterisk 12 and later) is the network's or the
// trunk's refusal to carry the call: a failure, as 5xx is for SIP.
var asteriskResults = map[string]dialing.Result{
	"ANSWERED":   dialing.Answered,
	"NO ANSWER":  dialing.NoAnswer,
	"BUSY":       dialing.Busy,
	"FAILED":     dialing.Failed,
	"CONGESTION": dialing.Failed,
}

// ParseAsterisk reads an Asterisk cdr-csv Master.csv (see
// AsteriskColumns), yielding a record per row, a *RowError for a row that
// is not one, and, last, any error that stops the file.
//
// The record's ExternalID is the uniqueid; a file without it (loguniqueid
// off, Asterisk's default) gets "channel@start" instead, which the channel's
// sequence number keeps unique on one server. A floor of several servers
// should set systemname in asterisk.conf, which prefixes the uniqueid.
//
// Plateau's call id is read from the accountcode (36 characters: Asterisk
// 13 and later; older versions keep 20) or from the userfield, which
// Plateau asks the dialplan to write as "<call id>;amd=${AMDSTATUS}"
// (Set(CDR(userfield)=…) after AMD()). An accountcode that is not a call
// id is the center's billing code, read as the campaign. An ANSWERED call
// whose userfield says amd=MACHINE is Machine; Asterisk cannot tell an
// abandoned call from an answered one.
func ParseAsterisk(src io.Reader, opts Options) iter.Seq2[Record, error] {
	loc := opts.location()
	return func(yield func(Record, error) bool) {
		for row, err := range csvRecords(src) {
			if err != nil {
				yield(Record{}, err)
				return
			}
			rec, problems := readAsterisk(row.Line, row.Values, row.Problem, opts.Region, loc)
			if !emit(yield, rec, problems) {
				return
			}
		}
	}
}

func readAsterisk(line int, v []string, unreadable *apperr.FieldError, region string, loc *time.Location) (Record, apperr.Fields) {
	rec := Record{Line: line, Index: -1}
	var f apperr.Fields
	if unreadable != nil {
		return rec, append(f, *unreadable)
	}
	if n := len(v); n < astUniqueID || n > len(AsteriskColumns) {
		f.Add("", "cdr.asterisk.field_count", "has %d values: a row of Master.csv has 16, 17 (with uniqueid) or 18 (with uniqueid and userfield)", n)
		return rec, f
	}
	rec.ExternalID = cell(v, astUniqueID)
	if len(v) == astUniqueID {
		if ch, start := cell(v, astChannel), cell(v, astStart); ch != "" && start != "" {
			rec.ExternalID = ch + "@" + start
		}
	}
	amd := ""
	if account := cell(v, astAccountCode); account != "" {
		if id, ok := plateauID(account); ok {
			rec.CallID = id
		} else {
			rec.Campaign = account
		}
	}
	if uf := cell(v, astUserField); uf != "" {
		var id uuid.UUID
		id, amd = readUserField(uf)
		if rec.CallID == uuid.Nil {
			rec.CallID = id
		}
	}
	rec.ToRaw = cell(v, astDst)
	rec.From = cell(v, astSrc)
	if rec.From == "" {
		rec.From = cell(v, astCLID)
	}
	rec.Start = localTime(&f, "start", cell(v, astStart), loc, true)
	rec.Answer = localTime(&f, "answer", cell(v, astAnswer), loc, false)
	rec.End = localTime(&f, "end", cell(v, astEnd), loc, true)
	rec.Duration = seconds(&f, "duration", cell(v, astDuration))
	rec.Billsec = seconds(&f, "billsec", cell(v, astBillsec))
	rec.Cause = cell(v, astDisposition)
	result, ok := asteriskResults[strings.ToUpper(rec.Cause)]
	switch {
	case !ok:
		f.Add("disposition", "cdr.asterisk.disposition_unknown", "%q is not an Asterisk disposition: ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION", rec.Cause)
	case result == dialing.Answered && amd == "MACHINE":
		result = dialing.Machine
	}
	rec.Result = result
	if !answeredBy(result) {
		rec.Answer = time.Time{}
	}
	check(&rec, &f, paths{externalID: "uniqueid", to: "dst", start: "start", answer: "answer", end: "end", billsec: "billsec"}, region)
	return rec, f
}

// readUserField reads Plateau's call id and AMD()'s AMDSTATUS (MACHINE,
// HUMAN, NOTSURE or HANGUP) from a userfield of parts separated by ';': a
// call id alone or as call=…, and amd=…; other parts are the center's.
func readUserField(s string) (id uuid.UUID, amd string) {
	for part := range strings.SplitSeq(s, ";") {
		key, value, named := strings.Cut(strings.TrimSpace(part), "=")
		if !named {
			value = key
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "amd", "amdstatus":
			amd = strings.ToUpper(value)
			continue
		}
		if u, ok := plateauID(value); ok {
			id = u
		}
	}
	return id, amd
}

package cdr_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/cdr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// checkStream holds what every stream promises whatever its input, and
// returns how many rows it yielded (the final error left out): each is a
// record keeping checkRecord's promises, or a *RowError of kind Invalid
// with at least one problem, at the same place as its record; a final
// error comes last; a file's rows come in line order, a batch's in index
// order.
func checkStream(t *testing.T, seq iter.Seq2[cdr.Record, error], file bool) int {
	t.Helper()
	rows, prev, final := 0, 0, error(nil)
	for rec, err := range seq {
		if final != nil {
			t.Fatalf("a row after the final error %v: %+v, %v", final, rec, err)
		}
		var rowErr *cdr.RowError
		switch {
		case errors.As(err, &rowErr):
			if len(rowErr.Problems) == 0 || apperr.KindOf(err) != apperr.Invalid || rowErr.Line != rec.Line || rowErr.Index != rec.Index {
				t.Fatalf("row error %+v for %+v", rowErr, rec)
			}
		case err != nil:
			final = err
			continue
		default:
			checkRecord(t, rec)
		}
		if file && (rec.Index != -1 || rec.Line <= prev) || !file && (rec.Index != rows || rec.Line != 0) {
			t.Fatalf("row %d at line %d, index %d, after line %d", rows, rec.Line, rec.Index, prev)
		}
		prev = rec.Line
		rows++
	}
	return rows
}

// checkRecord holds what a record promises.
func checkRecord(t *testing.T, r cdr.Record) {
	t.Helper()
	switch {
	case r.ExternalID == "":
		t.Fatalf("no external id: %+v", r)
	case r.Start.IsZero() || r.End.Before(r.Start) || r.Start.Location() != time.UTC || r.End.Location() != time.UTC:
		t.Fatalf("start %v, end %v", r.Start, r.End)
	case !r.Answer.IsZero() && (r.Answer.Before(r.Start) || r.Answer.After(r.End)):
		t.Fatalf("answered at %v, outside %v–%v", r.Answer, r.Start, r.End)
	case r.Duration < 0 || r.Billsec < 0 || r.Billsec > r.Duration:
		t.Fatalf("duration %v, billsec %v", r.Duration, r.Billsec)
	case !slices.Contains(dialing.Results, r.Result):
		t.Fatalf("result %q", r.Result)
	case r.CallID == uuid.Nil && (len(r.To) < 9 || r.To[0] != '+'):
		t.Fatalf("neither a call id nor a number: %+v", r)
	}
}

// csvRows counts the records leadfile reads in data, which the parsers
// read: each must come out as a record or a row error.
func csvRows(data []byte) (int, bool) {
	rr, err := leadfile.NewRecordReader(bytes.NewReader(data))
	if err != nil {
		return 0, false
	}
	n := 0
	for {
		if _, err := rr.Next(); err == io.EOF {
			return n, true
		} else if err != nil {
			return n, false
		}
		n++
	}
}

func seeds(f *testing.F, names ...string) {
	for _, name := range names {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzAsterisk: whatever the bytes, no panic, the stream keeps its
// promises, and every row of the file comes out, as a record or an error.
func FuzzAsterisk(f *testing.F) {
	seeds(f, "Master.csv", "Master-16.csv", "Master-garbled.csv")
	f.Add([]byte(`"","1","2","c","","SIP/a-1","","Dial","",2026-11-30 10:00:00,,"2026-11-30 10:00:05",5,0,"BUSY","DOCUMENTATION"` + "\r\n\"unterminated,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows := checkStream(t, cdr.ParseAsterisk(bytes.NewReader(data), cdr.Options{Region: "FR"}), true)
		if want, ok := csvRows(data); ok && rows != want {
			t.Fatalf("%d rows yielded of %d", rows, want)
		}
	})
}

// FuzzVicidial: as FuzzAsterisk, the header aside.
func FuzzVicidial(f *testing.F) {
	seeds(f, "vicidial_log.tsv", "vicidial_log-garbled.tsv", "export_calls_extended.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		var final error
		rows := 0
		seq := func(yield func(cdr.Record, error) bool) {
			for rec, err := range cdr.ParseVicidial(bytes.NewReader(data), cdr.Options{Region: "FR"}) {
				if err != nil && !errors.As(err, new(*cdr.RowError)) {
					final = err
				}
				if !yield(rec, err) {
					return
				}
			}
		}
		rows = checkStream(t, seq, true)
		if want, ok := csvRows(data); ok && final == nil && rows != want-1 {
			t.Fatalf("%d rows yielded of %d under the header", rows, want-1)
		}
	})
}

// FuzzBatch: whatever the body, no panic, the stream keeps its promises,
// and a body that is a well-formed batch yields one row per item.
func FuzzBatch(f *testing.F) {
	seeds(f, "batch.json")
	f.Add([]byte(`{"cdrs": [42, null, {"external_id": 1}, {"to": "+33612345678", "result": "busy", "x": [1]}]}`))
	f.Add([]byte(`{"cdrs": [{"external_id": "a", "started_at": "2026-11-30T09:02:11+01:00", "ended_at": "2026-11-30T09:02:11Z", "result": "failed", "call_id": "0190c6f2-7b1e-7a4c-9d3e-5f8a1b2c3d4e"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows := checkStream(t, cdr.ParseJSON(bytes.NewReader(data), cdr.Options{Region: "FR"}), false)
		var body map[string]json.RawMessage
		var items []json.RawMessage
		if json.Unmarshal(data, &body) == nil && len(body) == 1 && json.Unmarshal(body["cdrs"], &items) == nil &&
			items != nil && len(items) <= cdr.MaxBatch && rows != len(items) {
			t.Fatalf("%d rows yielded of %d items", rows, len(items))
		}
	})
}

package leadfile_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/leadfile/leadgen"
)

// FuzzReader: whatever the bytes, NewReader and Rows never panic, every row
// has a line number of at least 2 (1 in a list of numbers without a
// header), strictly after the previous row's and
// within the file, the summary counts every row once, and reading one byte
// at a time changes nothing. When encoding/csv reads the file without
// error, the rows are its records, on the same lines.
func FuzzReader(f *testing.F) {
	f.Add(leadgen.File(30, 1))
	f.Add([]byte("Nom;Téléphone\n\"Lefèvre\r\nHélène\";06 12 34 56 78\nA;\"0612\"\"345678\n"))
	f.Add([]byte("\xef\xbb\xbfsep=,\r\nName,Phone,City\r\n\"Doe, John\",+33612345678,Paris\r\n"))
	f.Add([]byte("Nom\tTel\r\"x\rY\"\t0612345678\r"))
	f.Add(leadgen.CP1252("Société;Portable;Code postal\r\nCrème & Cie;0696 12 34 56;97200\r\n;;\r\n"))
	f.Add([]byte("Nom;Tel\n\n  ;\nA;06 12 34 56 78;\nB;\"0612345678\"\r\nC;06 12 34 56 78\r"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("06 12 34 56 78\r\n+33 6 12 34 56 79\r0612;x\n"))
	f.Add([]byte("Nom;Tel;\r\nA\x81;0612345678\rB;0612345679;;x\r\nC\x00;0612345680\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, fastErr := readRows(t, bytes.NewReader(data), data)
		slow, slowErr := readRows(t, oneByteAtATime{bytes.NewReader(data)}, data)
		if (fastErr == nil) != (slowErr == nil) || !slices.EqualFunc(fast, slow, sameRow) {
			t.Fatalf("read at once: %v %+v\nread byte by byte: %v %+v", fastErr, fast, slowErr, slow)
		}
		if fastErr == nil {
			sameAsEncodingCSV(t, data, fast)
		}
	})
}

func sameRow(a, b leadfile.Row) bool {
	return a.Line == b.Line && slices.Equal(a.Values, b.Values) && a.Phone == b.Phone && a.DuplicateOf == b.DuplicateOf &&
		slices.EqualFunc(a.Problems, b.Problems, sameProblem)
}

func sameProblem(a, b leadfile.Problem) bool {
	return a.Line == b.Line && a.Column == b.Column && a.Value == b.Value && a.Code == b.Code &&
		a.Message == b.Message && a.MessageCode == b.MessageCode && slices.Equal(a.Args, b.Args)
}

func readRows(t *testing.T, src io.Reader, data []byte) ([]leadfile.Row, error) {
	r, err := leadfile.NewReader(src, leadfile.Options{Region: "FR"})
	if err != nil {
		return nil, err
	}
	lines := 1 + bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r"))
	prev := 1
	if headerless(r) {
		prev = 0
	}
	var rows []leadfile.Row
	for row, err := range r.Rows() {
		if err != nil {
			t.Fatalf("read error from a byte slice: %v", err)
		}
		rows = append(rows, row)
		if row.Line < 1 || row.Line <= prev || row.Line > lines {
			t.Fatalf("row on line %d after line %d (file of %d lines)", row.Line, prev, lines)
		}
		prev = row.Line
		if row.OK() != (row.Phone.E164 != "" && row.DuplicateOf == 0) {
			t.Fatalf("line %d: OK %v with %+v", row.Line, row.OK(), row)
		}
		for _, v := range row.Values {
			if !utf8.ValidString(v) {
				t.Fatalf("line %d: a value that is not UTF-8: %q", row.Line, v)
			}
		}
		if row.OK() {
			l := row.Lead
			for _, v := range append([]string{l.Phone, l.FirstName, l.LastName, l.Company, l.Email, l.PostalCode, l.City,
				l.Country, l.Timezone, l.ConsentSource, l.ConsentCapturedAt, l.ConsentProof}, slices.Collect(maps.Values(l.Custom))...) {
				if leadfile.ControlCharacter(v) >= 0 {
					t.Fatalf("line %d: a lead with a control character: %q", row.Line, v)
				}
			}
		}
	}
	s := r.Summary()
	if s.Rows != len(rows) || s.Valid+s.Duplicates+s.Invalid != len(rows) {
		t.Fatalf("%d rows, summary %+v", len(rows), s)
	}
	if headerless(r) {
		return append([]leadfile.Row{{Line: -1, Phone: leadfile.Phone{E164: string(r.Delimiter())}}}, rows...), nil
	}
	// The header goes first, as the first row of the comparison.
	return append([]leadfile.Row{{Line: 0, Values: r.Header(), Phone: leadfile.Phone{E164: string(r.Delimiter())}}}, rows...), nil
}

// headerless reports whether r reads a list of numbers without a header.
func headerless(r *leadfile.Reader) bool { return len(r.Header()) == 1 && r.Header()[0] == "" }

// sameAsEncodingCSV compares rows with what encoding/csv reads, for the
// files both read the same way: UTF-8 without a byte-order mark or a sep=
// line, lines ending in "\n" or "\r\n" and no lone "\r", encoding/csv
// reading all of it.
func sameAsEncodingCSV(t *testing.T, data []byte, rows []leadfile.Row) {
	if !utf8.Valid(data) || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || bytes.HasPrefix(bytes.ToLower(data), []byte("sep=")) ||
		bytes.Count(data, []byte("\n")) > 200 {
		return
	}
	if bytes.Count(data, []byte("\r")) != bytes.Count(data, []byte("\r\n")) {
		return // a lone CR, which encoding/csv keeps in a value and we read as a line end
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = []rune(rows[0].Phone.E164)[0]
	cr.FieldsPerRecord = -1
	var records [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return
		}
		blank := true
		for _, v := range rec {
			blank = blank && strings.Trim(v, " \t") == ""
		}
		if blank && len(records) > 0 {
			continue
		}
		line, _ := cr.FieldPos(0)
		records, lines = append(records, rec), append(lines, line)
	}
	if rows[0].Line == -1 { // no header: the first record is a row
		rows = rows[1:]
	}
	if len(records) != len(rows) {
		t.Fatalf("encoding/csv reads %d records %q, we read %d rows %+v", len(records), records, len(rows), rows)
	}
	for i, rec := range records {
		got := rows[i].Values
		if i == 0 && rows[0].Line == 0 {
			for j := range rec {
				rec[j] = strings.TrimSpace(rec[j])
			}
		} else if rows[i].Line != lines[i] {
			t.Fatalf("record %d: encoding/csv says line %d, we say %d", i, lines[i], rows[i].Line)
		}
		if !slices.Equal(rec, got) {
			t.Fatalf("line %d: encoding/csv reads %q, we read %q", lines[i], rec, got)
		}
	}
}

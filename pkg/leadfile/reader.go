// Package leadfile reads the lead files clients upload — CSV as French
// Excel exports it: Windows-1252 or UTF-8 with or without a byte-order
// mark, ';' or ',' or tab separated, quoted values with line breaks, CRLF,
// LF or lone CR line ends; or a plain list of numbers — as a stream of rows
// with their line numbers, their fields mapped from the headers (French
// and English, detected or set by the client), their phone number in E.164,
// their problems and warnings. A bad row never stops the file: it is
// reported, and reading goes on. Memory does not grow with the file, save
// for 12 to 24 bytes per distinct number to find duplicates. Its
// RecordReader reads any other CSV file a person uploads the same way.
//
// It owns the file format only: checking consent and suppression, storing
// leads and running the import job belong to others. It imports the
// standard library and the domain packages phone, numberset and apperr, and
// nothing that talks to a database, a queue or the network.
package leadfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"unicode/utf8"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Errors that make a whole file unreadable, wrapped in an *apperr.Error of
// kind Invalid whose message says what to do.
var (
	ErrEmpty         = errors.New("leadfile: empty file")
	ErrNotCSV        = errors.New("leadfile: not a CSV file")
	ErrNoPhoneColumn = errors.New("leadfile: no phone column")
)

// Options tell a Reader what it cannot find in the file.
type Options struct {
	// Region is the default region of phone numbers written without a
	// country code: the campaign's country (ISO 3166-1 alpha-2, "FR").
	Region string
	// Mapping, when it has columns, overrides the detected mapping: the
	// client's saved mapping, or the one they just edited.
	Mapping Mapping
}

// ProblemCode classifies a row's problem, for the import summary.
type ProblemCode string

// TermKey names the problem in the catalogs, for the summary's labels and
// for messages: leads.problem.<code>.
func (c ProblemCode) TermKey() string { return "leads.problem." + string(c) }

// ProblemCodes lists leadfile's problems and warnings (pkg/lead adds the
// campaign's own).
var ProblemCodes = []ProblemCode{ProblemMalformed, ProblemFieldCount, ProblemMissingPhone, ProblemInvalidPhone,
	ProblemDuplicate, ProblemControlCharacter, WarningExtraValues, WarningUndefinedByte}

const (
	ProblemMalformed    ProblemCode = "malformed"     // quoting is broken; the row could not be read
	ProblemFieldCount   ProblemCode = "field_count"   // not as many values as the header has columns
	ProblemMissingPhone ProblemCode = "missing_phone" // the phone cell is empty
	ProblemInvalidPhone ProblemCode = "invalid_phone" // the phone cell is not a valid number
	ProblemDuplicate    ProblemCode = "duplicate"     // the number is on an earlier row of the file
	// A value holds a control character (NUL, U+0001…U+001F but tab and
	// line feed, U+007F): not text, and PostgreSQL refuses NUL.
	ProblemControlCharacter ProblemCode = "control_character"
)

// Warnings of a row that is kept.
const (
	WarningExtraValues   ProblemCode = "extra_values"   // values after the last column, not imported
	WarningUndefinedByte ProblemCode = "undefined_byte" // a byte Windows-1252 leaves undefined, read as U+FFFD
)

// Problem is one thing wrong with a row, as the error report shows it.
// Code classifies it; Message says it in English, and MessageCode and
// Args are that message's code and parameters, to say it in the reader's
// language (Say). They are not written in JSON, whose numbers would not
// read back as the parameters they were: a Problem read from JSON says
// its English Message.
type Problem struct {
	Line        int         `json:"line"`
	Column      string      `json:"column,omitempty"` // the header of the cell, "" for the whole row
	Value       string      `json:"value,omitempty"`
	Code        ProblemCode `json:"code"`
	Message     string      `json:"message"`
	MessageCode string      `json:"-"` // "leadfile.row.field_count", "phone.too_short"…
	Args        []any       `json:"-"`
}

// NewProblem is a problem of code with a row's cell (column and value; ""
// for the whole row), said by what: apperr.Field's code, English text and
// parameters (its path is left out).
func NewProblem(line int, column, value string, code ProblemCode, what apperr.FieldError) Problem {
	return Problem{Line: line, Column: column, Value: value, Code: code, Message: what.Message, MessageCode: what.Code, Args: what.Args}
}

// ProblemOf is err, which another part of the domain returned (a
// phone.Parse error, a consent date that does not read), as a problem of
// code with a row's cell: its message code and parameters when it has
// them.
func ProblemOf(line int, column, value string, code ProblemCode, err error) Problem {
	var f apperr.Fields
	f.AddError(column, err)
	return NewProblem(line, column, value, code, f[0])
}

// PhoneProblem is what keeps a row whose phone cell holds value out:
// NormalizePhone's error err, a missing or an invalid phone.
func PhoneProblem(line int, column, value string, err error) Problem {
	code := ProblemInvalidPhone
	if strings.TrimSpace(value) == "" {
		code = ProblemMissingPhone
	}
	return ProblemOf(line, column, value, code, err)
}

// FieldError is the problem as a field's problem at the path of its
// column, for a page that lists problems by field.
func (p Problem) FieldError() apperr.FieldError {
	return apperr.FieldError{Path: p.Column, Code: p.MessageCode, Message: p.Message, Args: p.Args}
}

// Say is the problem's message in tr's language; English when tr is nil
// or its catalog lacks the message's code.
func (p Problem) Say(tr apperr.Translator) string { return p.FieldError().Say(tr) }

// Lead is what a row says about the callee, each value trimmed of spaces
// (and of the ="…" some exports wrap numbers in).
type Lead struct {
	Phone             string            `json:"phone"` // as written
	FirstName         string            `json:"first_name,omitempty"`
	LastName          string            `json:"last_name,omitempty"`
	Company           string            `json:"company,omitempty"`
	Email             string            `json:"email,omitempty"`
	PostalCode        string            `json:"postal_code,omitempty"`
	City              string            `json:"city,omitempty"`
	Country           string            `json:"country,omitempty"`
	Timezone          string            `json:"timezone,omitempty"`
	ConsentSource     string            `json:"consent_source,omitempty"`
	ConsentCapturedAt string            `json:"consent_captured_at,omitempty"` // as written in the file
	ConsentProof      string            `json:"consent_proof,omitempty"`
	Custom            map[string]string `json:"custom,omitempty"` // by Column.Name; empty cells left out
}

// Row is one data row of a file.
type Row struct {
	// Line is the line of the file the row starts on, counting the header
	// and the line breaks inside quoted values; the header is line 1.
	Line int
	// Values are the cells as decoded, in file order; nil when the row
	// could not be read (ProblemMalformed).
	Values []string
	Lead   Lead
	// Phone is the number in E.164 when it is valid, the zero Phone
	// otherwise.
	Phone Phone
	// DuplicateOf is the line of the first row with the same number, 0
	// when this row is the first.
	DuplicateOf int
	Problems    []Problem
	// Warnings are what the report says of a row that is kept anyway.
	Warnings []Problem
}

// OK reports whether the row is a lead to import.
func (r Row) OK() bool { return len(r.Problems) == 0 }

// Summary counts the rows read so far.
type Summary struct {
	Rows       int                 `json:"rows"`       // data rows, blank lines left out
	Valid      int                 `json:"valid"`      // rows without problems
	Duplicates int                 `json:"duplicates"` // rows whose number is on an earlier valid row
	Invalid    int                 `json:"invalid"`    // rows with another problem
	Warnings   int                 `json:"warnings"`   // rows kept with a warning
	ByProblem  map[ProblemCode]int `json:"by_problem"`
}

// Reader reads a lead file row by row. It is not safe for concurrent use.
type Reader struct {
	rr       *RecordReader
	header   []string
	first    *Record // the first row of a list of numbers without a header
	mapping  Mapping
	fields   []Field  // by column index
	names    []string // custom field name, by column index
	phoneCol int
	region   string
	seen     *seen
	summary  Summary
}

// NewReader reads the head of a file: it strips a byte-order mark, finds
// the encoding, the line ends and the separator, reads the header and
// builds the mapping. A plain list of numbers, one a line, with or without
// a header, is a file of one phone column. A file that is empty, is not
// CSV, has a single column that is not a list of numbers, or no phone
// column, is refused with an *apperr.Error of kind Invalid wrapping
// ErrEmpty, ErrNotCSV or ErrNoPhoneColumn.
func NewReader(src io.Reader, opts Options) (*Reader, error) {
	rr, err := NewRecordReader(src)
	if err != nil {
		return nil, err
	}
	r := &Reader{rr: rr, region: opts.Region, seen: newSeen(), summary: Summary{ByProblem: map[ProblemCode]int{}}}
	rec, err := rr.Next()
	switch {
	case err == io.EOF:
		return nil, apperr.Wrap(ErrEmpty, apperr.Invalid, "leadfile.file.empty", "the file is empty")
	case err != nil:
		return nil, fmt.Errorf("leadfile: reading the header: %w", err)
	case rec.Problem != nil:
		e := apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.header.unreadable", "the header (line %d) cannot be read", rec.Line)
		e.Fields = []apperr.FieldError{*rec.Problem}
		return nil, e
	}
	r.header = make([]string, len(rec.Values))
	for i, h := range rec.Values {
		r.header[i] = strings.TrimSpace(h)
	}
	if len(r.header) < 2 {
		switch h := r.header[0]; {
		case numberLike(cell(h)):
			// A list of numbers without a header: its first line is a row.
			r.first, r.header = &rec, []string{""}
		case !isPhoneHeader(h):
			return nil, apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.header.one_column", "the header (line %d) has a single column: a lead file needs a phone column and others, separated by ; or , (or one phone number a line)", rec.Line)
		}
	}

	r.mapping = DetectMapping(r.header)
	if r.first != nil {
		r.mapping.Columns[0].Field = FieldPhone
	}
	if len(opts.Mapping.Columns) > 0 {
		if r.mapping, err = r.mapping.apply(opts.Mapping); err != nil {
			return nil, err
		}
	}
	r.fields = make([]Field, len(r.header))
	r.names = make([]string, len(r.header))
	r.phoneCol = -1
	for _, c := range r.mapping.Columns {
		r.fields[c.Index], r.names[c.Index] = c.Field, c.Name
		if c.Field == FieldPhone {
			r.phoneCol = c.Index
		}
	}
	if r.phoneCol < 0 {
		return nil, r.noPhoneColumn(rec.Line)
	}
	return r, nil
}

// numberLike reports whether v is written like a phone number: digits,
// and the spaces, dots, dashes, slashes, parentheses and leading + that
// numbers are written with.
func numberLike(v string) bool {
	digits := 0
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')' || c == '\u00a0' || c == '+' && i == 0:
		default:
			return false
		}
	}
	return digits > 0
}

func (r *Reader) noPhoneColumn(line int) error {
	for _, h := range r.header {
		if _, err := NormalizePhone(h, r.region); err == nil {
			return apperr.Wrap(ErrNoPhoneColumn, apperr.Invalid, "leadfile.header.missing",
				"the first line holds a phone number (%s), not column names: add a header line such as Nom;Prénom;Téléphone", h)
		}
	}
	quoted := make([]string, len(r.header))
	for i, h := range r.header {
		quoted[i] = fmt.Sprintf("%q", h)
	}
	return apperr.Wrap(ErrNoPhoneColumn, apperr.Invalid, "leadfile.header.no_phone",
		"no column holds the phone number: the headers (line %d) are %s; name it \"Téléphone\" or \"Phone\", or choose it in the column mapping",
		line, strings.Join(quoted, ", "))
}

// sepLine reads Excel's "sep=;" first line, which names the separator.
func sepLine(head []byte) (byte, bool) {
	if len(head) < 5 || !bytes.EqualFold(head[:4], []byte("sep=")) {
		return 0, false
	}
	d := head[4]
	if len(head) > 5 && head[5] != '\r' && head[5] != '\n' {
		return 0, false
	}
	if d == '"' || d == '\r' || d == '\n' || d >= utf8.RuneSelf || d >= '0' && d <= '9' || d|0x20 >= 'a' && d|0x20 <= 'z' {
		return 0, false
	}
	return d, true
}

// sniffDelimiter finds the separator of the first non-blank line of head:
// whichever of ';', tab and ',' it has most of outside quotes, ';' on a
// tie (and for a line of one column), as French Excel writes it.
func sniffDelimiter(head []byte, complete bool) (delim byte, problem error) {
	head = bytes.TrimLeft(head, "\r\n")
	var semi, tab, comma int
	quoted, ended := false, false
scan:
	for _, c := range head {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		switch {
		case c == ';':
			semi++
		case c == ',':
			comma++
		case c == '\t':
			tab++
		case c == '\n' || c == '\r':
			ended = true
			break scan
		case c < 0x20 || c == 0x7f:
			return 0, apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.file.control_character", "this file is not a CSV file: its first line holds the control character %#02x", c)
		}
	}
	if !ended && !complete {
		return 0, apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.file.first_line_too_long", "this file is not a CSV file: its first line is longer than %d KiB", len(head)>>10)
	}
	switch {
	case semi >= tab && semi >= comma:
		return ';', nil
	case tab >= comma:
		return '\t', nil
	}
	return ',', nil
}

// Header returns the header's cells, trimmed; a single "" for a list of
// numbers without a header.
func (r *Reader) Header() []string { return r.header }

// Mapping returns the mapping in use: the detected one, with Options.Mapping
// laid over it. Save it to read the client's next file the same way.
func (r *Reader) Mapping() Mapping { return r.mapping }

// Delimiter returns the separator of the file's values.
func (r *Reader) Delimiter() rune { return r.rr.Delimiter() }

// Encoding returns the encoding the file is read in; UTF8 while the file
// has been plain ASCII so far. It is the file's after the last row.
func (r *Reader) Encoding() Encoding { return r.rr.Encoding() }

// Summary counts the rows read so far: after the last row, the file's.
func (r *Reader) Summary() Summary { return r.summary }

// Rows iterates over the data rows. A row with problems is yielded like any
// other (see Row.Problems); the error is non-nil only when the file cannot
// be read further (a read error), once, at the end.
func (r *Reader) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for {
			row, err := r.Next()
			if err == io.EOF {
				return
			}
			if !yield(row, err) || err != nil {
				return
			}
		}
	}
}

// Next returns the next data row, or io.EOF after the last one, or the
// read error that stopped the file.
func (r *Reader) Next() (Row, error) {
	var rec Record
	if r.first != nil {
		rec, r.first = *r.first, nil
	} else {
		var err error
		if rec, err = r.rr.Next(); err != nil {
			return Row{}, err
		}
	}
	row := Row{Line: rec.Line, Values: rec.Values}
	if rec.Problem != nil {
		r.report(&row, NewProblem(rec.Line, "", "", ProblemMalformed, *rec.Problem))
		return row, nil
	}
	r.read(&row, rec)
	return row, nil
}

// cell trims a value, and unwraps ="0612345678", which exports write to
// keep spreadsheets from reading a number and dropping its leading 0.
func cell(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 3 && v[0] == '=' && v[1] == '"' && v[len(v)-1] == '"' {
		v = strings.TrimSpace(v[2 : len(v)-1])
	}
	return v
}

// read maps the values of row, normalizes its phone and checks it is not a
// duplicate. A row short of columns is read when the missing ones are not
// imported (a column without a header); values after the last column are
// left out with a warning; either way, as papaparse reads them.
func (r *Reader) read(row *Row, rec Record) {
	n := len(row.Values)
	for i := n; i < len(r.header); i++ {
		if r.fields[i] != FieldIgnore {
			r.report(row, NewProblem(row.Line, "", "", ProblemFieldCount, apperr.Field("", "leadfile.row.field_count",
				"%d values where the header has %d columns (a value holding %q must be in quotes)", n, len(r.header), rune(r.rr.sc.delim))))
			return
		}
	}
	for _, u := range rec.Undefined {
		if u.Index < len(r.header) && r.fields[u.Index] != FieldIgnore {
			row.Warnings = append(row.Warnings, NewProblem(row.Line, r.header[u.Index], row.Values[u.Index], WarningUndefinedByte,
				apperr.Field("", "leadfile.row.undefined_byte",
					"the lead is kept, with \ufffd for the byte %#02x, which Windows-1252 does not define: check the value and the file's encoding", u.Byte)))
		}
	}
	if extra := row.Values[min(n, len(r.header)):]; len(extra) > 0 && !isBlankValues(extra) {
		kept := strings.Join(extra, string(r.rr.sc.delim))
		row.Warnings = append(row.Warnings, NewProblem(row.Line, "", strings.Trim(kept, string(r.rr.sc.delim)+" \t"), WarningExtraValues,
			apperr.Field("", "leadfile.row.extra_values",
				"the lead is kept without what follows the last of the header's %d columns: name a column for it, or put a value holding %q in quotes",
				len(r.header), rune(r.rr.sc.delim))))
	}
	lead := &row.Lead
	for i, f := range r.fields[:min(n, len(r.fields))] {
		if f == FieldIgnore {
			continue
		}
		v := cell(row.Values[i])
		if rec.controls {
			if at := ControlCharacter(v); at >= 0 {
				r.report(row, NewProblem(row.Line, r.header[i], Printable(v), ProblemControlCharacter, ControlProblem(v, at)))
				return
			}
		}
		if f == FieldCustom {
			if v != "" {
				if lead.Custom == nil {
					lead.Custom = make(map[string]string, 4)
				}
				lead.Custom[r.names[i]] = v
			}
			continue
		}
		*lead.field(f) = v
	}
	p, err := NormalizePhone(lead.Phone, r.region)
	if err != nil {
		r.report(row, PhoneProblem(row.Line, r.header[r.phoneCol], lead.Phone, err))
		return
	}
	row.Phone = p
	if first, dup := r.seen.add(p.Key, row.Line); dup {
		row.DuplicateOf = first
		r.report(row, NewProblem(row.Line, r.header[r.phoneCol], lead.Phone, ProblemDuplicate,
			apperr.Field("", "leadfile.row.duplicate", "same number as line %d (%s)", first, p.E164)))
		return
	}
	r.report(row)
}

func isBlankValues(values []string) bool {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// report records the row's problems, if any, and counts it.
func (r *Reader) report(row *Row, problems ...Problem) {
	row.Problems = problems
	r.summary.Rows++
	if len(row.Warnings) > 0 {
		r.summary.Warnings++
	}
	switch {
	case len(problems) == 0:
		r.summary.Valid++
	case problems[0].Code == ProblemDuplicate:
		r.summary.Duplicates++
	default:
		r.summary.Invalid++
	}
	for _, p := range problems {
		r.summary.ByProblem[p.Code]++
	}
}

func (l *Lead) field(f Field) *string {
	switch f {
	case FieldPhone:
		return &l.Phone
	case FieldFirstName:
		return &l.FirstName
	case FieldLastName:
		return &l.LastName
	case FieldCompany:
		return &l.Company
	case FieldEmail:
		return &l.Email
	case FieldPostalCode:
		return &l.PostalCode
	case FieldCity:
		return &l.City
	case FieldCountry:
		return &l.Country
	case FieldTimezone:
		return &l.Timezone
	case FieldConsentSource:
		return &l.ConsentSource
	case FieldConsentCapturedAt:
		return &l.ConsentCapturedAt
	case FieldConsentProof:
		return &l.ConsentProof
	}
	panic("leadfile: no lead field for " + string(f))
}

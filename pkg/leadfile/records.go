package leadfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// RecordReader reads a CSV file as Reader does — byte-order mark, encoding
// (UTF-8 or Windows-1252, decided over the whole stream), separator (a
// "sep=" line, or sniffed from the first line), quoted values with line
// breaks, any line ends — and gives its records as text, with no header,
// mapping or phone numbers: the reader of every CSV file a person uploads
// (lead files through Reader, the portal's consent and opt-out lists).
// Memory does not grow with the file. It is not safe for concurrent use.
type RecordReader struct {
	sc      *scanner
	enc     Encoding
	decided bool // the encoding is known; until then the file was ASCII
	tmp     []byte
	read    int // records returned
	err     error
}

// Record is one record of a file.
type Record struct {
	// Line is the line of the file the record starts on, counting the
	// line breaks inside quoted values; the first line is 1.
	Line int
	// Values are the cells in UTF-8, in file order, not trimmed; nil when
	// the record could not be read (see Problem).
	Values []string
	// Problem says why the record could not be read (quoting is broken,
	// the record is too long); nil otherwise. Reading goes on after it.
	Problem *apperr.FieldError
	// Undefined lists the values that held a byte Windows-1252 leaves
	// undefined, by index, with the first such byte; each reads as U+FFFD.
	Undefined []UndefinedByte
	controls  bool // the record has a byte below 0x20 or 0x7F: see ControlCharacter
}

// UndefinedByte is a byte of a value that Windows-1252 does not define
// (0x81, 0x8D, 0x8F, 0x90 or 0x9D), read as U+FFFD.
type UndefinedByte struct {
	Index int  // of the value in Record.Values
	Byte  byte // the first such byte of the value
}

// NewRecordReader reads the head of a file: it strips a byte-order mark,
// guesses the encoding and finds the separator. A file that is empty or
// cannot be CSV (a workbook, a PDF, a binary file, a first line too long
// or holding control characters) is refused with an *apperr.Error of kind
// Invalid wrapping ErrEmpty or ErrNotCSV. A first line without ';', tab
// or ',' is a file of one column, read as separated by ';'.
func NewRecordReader(src io.Reader) (*RecordReader, error) {
	sc := newScanner(src)
	sc.fillAtLeast(readChunk) // a read error surfaces where it stops reading
	r := &RecordReader{sc: sc, enc: UTF8}
	head := sc.buf[:sc.end]
	if err := notCSV(head); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		sc.pos, sc.keep = 3, 3
		r.decided = true
	} else {
		r.enc, r.decided = guessEncoding(head, sc.eof)
	}
	head = head[sc.pos:]
	if len(bytes.TrimLeft(head, " \t\r\n")) == 0 {
		if sc.err != nil {
			return nil, fmt.Errorf("leadfile: reading the file: %w", sc.err)
		}
		return nil, apperr.Wrap(ErrEmpty, apperr.Invalid, "leadfile.file.empty", "the file is empty")
	}
	if d, ok := sepLine(head); ok {
		sc.delim = d
		if _, err := sc.readLine(); err != nil {
			return nil, apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.file.sep_only", "the file has a \"sep=\" line and nothing else")
		}
		return r, nil
	}
	d, err := sniffDelimiter(head, sc.eof || sc.err != nil)
	if err != nil {
		return nil, err
	}
	sc.delim = d
	return r, nil
}

// Delimiter returns the separator of the file's values.
func (r *RecordReader) Delimiter() rune { return rune(r.sc.delim) }

// Encoding returns the encoding the file is read in; UTF8 while the file
// has been plain ASCII so far. It is the file's once the last record is
// read.
func (r *RecordReader) Encoding() Encoding { return r.enc }

// Next returns the next record, or io.EOF after the last one, or the read
// error that stopped the file. Blank lines, and records whose values are
// all empty or spaces after the first record (Excel writes ";;;;" for rows
// it once formatted), are skipped.
func (r *RecordReader) Next() (Record, error) {
	for r.err == nil {
		line, problem, err := r.sc.next()
		if err != nil {
			r.err = err
			if err != io.EOF {
				r.err = fmt.Errorf("leadfile: reading the file after line %d: %w", r.sc.line, err)
			}
			break
		}
		if problem != nil {
			r.read++
			return Record{Line: line, Problem: problem}, nil
		}
		if r.read > 0 && isBlank(r.sc.rec) {
			continue
		}
		r.read++
		rec := Record{Line: line, controls: hasControlByte(r.sc.rec)}
		rec.Values, rec.Undefined = r.values()
		return rec, nil
	}
	return Record{}, r.err
}

func isBlank(rec []byte) bool {
	for _, c := range rec {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// values decodes the scanned record into one string, which the values
// share.
func (r *RecordReader) values() ([]string, []UndefinedByte) {
	rec, ends := r.sc.rec, r.sc.ends
	if !r.decided && !isASCII(rec) {
		// The first non-ASCII bytes of the file, wherever they come:
		// judge the encoding from everything buffered from this record on.
		r.enc, _ = guessEncoding(r.sc.buf[r.sc.keep:r.sc.end], r.sc.eof)
		r.decided = true
	}
	var s string
	var undefined []UndefinedByte
	switch {
	case r.enc == UTF8 && utf8.Valid(rec), r.enc == Windows1252 && isASCII(rec):
		s = string(rec)
	default:
		appendText := appendCP1252
		if r.enc == UTF8 {
			appendText = appendLenientUTF8
		}
		r.tmp = r.tmp[:0]
		prev := 0
		for i, end := range ends {
			var b byte
			r.tmp, b = appendText(r.tmp, rec[prev:end])
			if b != 0 {
				undefined = append(undefined, UndefinedByte{Index: i, Byte: b})
			}
			prev, ends[i] = end, len(r.tmp)
		}
		s = string(r.tmp)
	}
	values := make([]string, len(ends))
	prev := 0
	for i, end := range ends {
		values[i] = s[prev:end]
		prev = end
	}
	return values, undefined
}

// hasControlByte reports whether b has a byte below 0x20 or 0x7F, 8 bytes
// at a time; tabs and line feeds are among them, and ControlCharacter
// tells them apart.
func hasControlByte(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		del := v ^ (ones * 0x7f)
		if ((v-ones*0x20)&^v|(del-ones)&^del)&highs != 0 {
			return true
		}
	}
	for ; i < len(b); i++ {
		if b[i] < 0x20 || b[i] == 0x7f {
			return true
		}
	}
	return false
}

// ControlCharacter returns the index in v of the first control character
// a value may not hold — NUL, U+0001 to U+001F but tab and line feed, and
// U+007F — or -1. None is text, none shows, and PostgreSQL refuses NUL.
// The controls U+0080 to U+009F are let through: a UTF-8 file converted
// from Windows-1252 as if it were Latin-1 holds them for its quotes and
// dashes.
func ControlCharacter(v string) int {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
			return i
		}
	}
	return -1
}

// control is a control character a value holds, as a message names it:
// "U+0000 (NUL)", its name in the reader's language when it has one
// (leads.control.<hex>).
type control byte

// controlNames names the control characters people meet in files.
var controlNames = map[control]string{0: "NUL", '\r': "carriage return", 0x0b: "vertical tab", 0x0c: "form feed",
	0x1a: "end of file, Ctrl-Z", 0x1b: "escape", 0x7f: "DEL"}

func (c control) String() string {
	name := fmt.Sprintf("U+%04X", byte(c))
	if n, ok := controlNames[c]; ok {
		name += " (" + n + ")"
	}
	return name
}

// TermKey names the character in the catalogs; only those of
// controlNames are there, the others are said as String says them.
func (c control) TermKey() string { return fmt.Sprintf("leads.control.%02x", byte(c)) }

// ControlProblem says what is wrong with v, whose byte i is a control
// character (see ControlCharacter).
func ControlProblem(v string, i int) apperr.FieldError {
	return apperr.Field("", "leadfile.value.control_character", "the value holds the control character %s at character %d, which is not text: remove it",
		control(v[i]), utf8.RuneCountInString(v[:i])+1)
}

// ControlMessage is ControlProblem's message, in English.
func ControlMessage(v string, i int) string { return ControlProblem(v, i).Message }

// Printable is v with each control character a value may not hold
// replaced by U+FFFD, to show it in a report.
func Printable(v string) string {
	if ControlCharacter(v) < 0 {
		return v
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f {
			return utf8.RuneError
		}
		return r
	}, v)
}

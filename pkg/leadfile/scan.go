package leadfile

import (
	"bytes"
	"errors"
	"io"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// The scanner reads records the way encoding/csv does with LazyQuotes off
// and FieldsPerRecord -1 (RFC 4180 quoting, "\r\n" or "\n" line ends, blank
// lines skipped), with three differences a lead import needs:
//
//   - memory is bounded: a buffer of bufSize bytes, a record of at most
//     maxRecord bytes and maxRecordLines lines, so a quote that is never
//     closed cannot swallow a 200 MB file into one field;
//   - a malformed record is reported and skipped, and reading goes on: an
//     unclosed quote is taken back and reading resumes on the line after
//     the one where the record started;
//   - lines may also end with a lone "\r" (Excel for Mac's CSV), in any
//     file: a line break inside quotes is a "\n" whichever it was.
//
// Fields are kept as raw bytes; decoding to UTF-8 comes after, because ';',
// ',', tab, '"', CR and LF are the same single bytes in UTF-8 and in
// Windows-1252 and never occur inside a multi-byte UTF-8 character.
const (
	bufSize        = 320 << 10
	readChunk      = 64 << 10
	maxRecord      = 64 << 10
	maxRecordLines = 256
)

var errLineTooLong = errors.New("line too long")

type scanner struct {
	src   io.Reader
	buf   []byte
	pos   int // next byte to read
	end   int // end of the buffered bytes
	keep  int // start of the record being read: bytes before it may be dropped
	eof   bool
	err   error // a read error other than io.EOF
	line  int   // lines read so far
	delim byte

	rec  []byte // fields of the current record, unquoted, back to back
	ends []int  // end of each field in rec
}

func newScanner(src io.Reader) *scanner {
	return &scanner{src: src, buf: make([]byte, bufSize), rec: make([]byte, 0, 1024), ends: make([]int, 0, 32)}
}

// fill reads more bytes, dropping those before keep. It returns false when
// nothing more can be read: end of input, read error, or a full buffer
// (neither eof nor err set).
func (s *scanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.keep > 0 && len(s.buf)-s.end < readChunk {
		copy(s.buf, s.buf[s.keep:s.end])
		s.pos -= s.keep
		s.end -= s.keep
		s.keep = 0
	}
	if s.end == len(s.buf) {
		return false
	}
	for range 100 { // a reader returning 0, nil forever must not hang us
		n, err := s.src.Read(s.buf[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.err = err
		}
		if n > 0 || err != nil {
			return n > 0
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// fillAtLeast reads until n bytes are buffered past pos or the input ends.
func (s *scanner) fillAtLeast(n int) {
	for s.end-s.pos < n && s.fill() {
	}
}

// lineEnd returns the index of the first '\r' or '\n' in b, or -1. It
// looks for each with bytes.IndexByte (vector instructions), a window at a
// time, so that a file of lone-CR lines is not searched to the end of the
// buffer for a '\n' on each line.
func lineEnd(b []byte) int {
	const window = 512
	for off := 0; off < len(b); off += window {
		w := b[off:min(len(b), off+window)]
		if i := bytes.IndexByte(w, '\n'); i >= 0 {
			w = w[:i]
		}
		if j := bytes.IndexByte(w, '\r'); j >= 0 {
			return off + j
		}
		if len(w) < window && off+len(w) < len(b) {
			return off + len(w) // the '\n'
		}
	}
	return -1
}

// endLine moves pos past the line end at buf[at] — "\r\n", "\n" or a
// lone "\r" — reading one more byte when the '\r' is the last one
// buffered. It returns at as moved by that read.
func (s *scanner) endLine(at int) int {
	s.pos = at + 1
	s.line++
	if s.buf[at] != '\r' {
		return at
	}
	if s.pos == s.end {
		before := s.pos
		s.fill()
		at -= before - s.pos // fill may have moved the bytes
	}
	if s.pos < s.end && s.buf[s.pos] == '\n' {
		s.pos++
	}
	return at
}

// readLine returns the next line without its end (valid until the next
// call), or io.EOF, or a read error, or errLineTooLong when no line end
// comes within maxRecord bytes; the long line is then left unread. A line
// ends with "\r\n", "\n" or a lone "\r", whichever the file mixes, as
// papaparse reads it: Excel for Mac ends lines with "\r", and a file
// pieced together from several exports has all three.
func (s *scanner) readLine() ([]byte, error) {
	from := s.pos
	for {
		if i := lineEnd(s.buf[from:s.end]); i >= 0 {
			if from+i-s.pos > maxRecord {
				return nil, errLineTooLong
			}
			start := s.pos
			end := s.endLine(from + i)
			start -= (from + i) - end // endLine may have moved the bytes
			return s.buf[start:end], nil
		}
		if s.end-s.pos > maxRecord {
			return nil, errLineTooLong
		}
		from = s.end
		start := s.pos
		if !s.fill() {
			if !s.eof && s.err == nil {
				return nil, errLineTooLong
			}
			break
		}
		from -= start - s.pos // fill may have moved the bytes
	}
	if s.err != nil {
		return nil, s.err
	}
	if s.pos == s.end {
		return nil, io.EOF
	}
	line := s.buf[s.pos:s.end]
	s.pos = s.end
	s.line++
	return line, nil
}

// skipLongLine drops everything up to and including the next line end,
// without buffering it.
func (s *scanner) skipLongLine() error {
	for {
		if i := lineEnd(s.buf[s.pos:s.end]); i >= 0 {
			s.keep = s.pos + i
			s.endLine(s.pos + i)
			return nil
		}
		s.pos = s.end
		s.keep = s.pos
		if !s.fill() {
			if s.err != nil {
				return s.err
			}
			s.line++
			return nil
		}
	}
}

// next reads the next non-blank record into s.rec and s.ends. It returns
// the line the record starts on and, for a malformed record, what is wrong
// with it (the record is then skipped). err is io.EOF at the end of the
// input, or a read error.
// rowProblem is a record's problem, as Record.Problem holds it.
func rowProblem(f apperr.FieldError) *apperr.FieldError { return &f }

func (s *scanner) next() (start int, problem *apperr.FieldError, err error) {
	s.rec, s.ends = s.rec[:0], s.ends[:0]
	var line []byte
	for {
		s.keep = s.pos
		line, err = s.readLine()
		if err == errLineTooLong {
			start = s.line + 1
			if err := s.skipLongLine(); err != nil {
				return 0, nil, err
			}
			return start, rowProblem(apperr.Field("", "leadfile.row.too_long", "the line is longer than %d KiB", maxRecord>>10)), nil
		}
		if err != nil {
			return 0, nil, err
		}
		if len(line) > 0 {
			break
		}
	}
	start = s.line
	firstLine := s.pos - s.keep // fill moves keep, not this offset from it
	lines := 1

	// unclosed gives the quote back: reading resumes on the line after
	// the one the record started on.
	unclosed := func(why apperr.FieldError) (int, *apperr.FieldError, error) {
		s.pos, s.line = s.keep+firstLine, start
		return start, &why, nil
	}

	for {
		if len(line) == 0 || line[0] != '"' {
			field := line
			i := bytes.IndexByte(line, s.delim)
			if i >= 0 {
				field = line[:i]
			}
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				return start, rowProblem(apperr.Field("", "leadfile.row.stray_quote", "a quote (\") inside a value that does not start with one, on line %d: the value must be quoted and the quote doubled", s.line)), nil
			}
			s.rec = append(s.rec, field...)
			s.ends = append(s.ends, len(s.rec))
			if i < 0 {
				return start, nil, nil
			}
			line = line[i+1:]
			continue
		}
		line = line[1:] // the opening quote
		for {
			if i := bytes.IndexByte(line, '"'); i >= 0 {
				s.rec = append(s.rec, line[:i]...)
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"':
					s.rec = append(s.rec, '"')
					line = line[1:]
					continue
				case len(line) > 0 && line[0] == s.delim:
					s.ends = append(s.ends, len(s.rec))
					line = line[1:]
				case len(line) == 0:
					s.ends = append(s.ends, len(s.rec))
					return start, nil, nil
				default:
					return start, rowProblem(apperr.Field("", "leadfile.row.undoubled_quote", "a quote (\") in a quoted value is not doubled, on line %d", s.line)), nil
				}
				break
			}
			// The quoted field goes on on the next line.
			s.rec = append(s.rec, line...)
			s.rec = append(s.rec, '\n')
			lines++
			line, err = s.readLine()
			if lines > maxRecordLines || s.pos-s.keep > maxRecord || err == errLineTooLong {
				return unclosed(apperr.Field("", "leadfile.row.quote_not_closed", "a quoted value that starts on this line is not closed within %d lines and %d KiB", maxRecordLines, maxRecord>>10))
			}
			if err == io.EOF {
				return unclosed(apperr.Field("", "leadfile.row.quote_never_closed", "a quoted value that starts on this line is never closed"))
			}
			if err != nil {
				return 0, nil, err
			}
		}
	}
}

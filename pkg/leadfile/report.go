package leadfile

import (
	"encoding/csv"
	"io"
	"strconv"
)

// ReportWriter writes the per-row error report a client downloads after an
// import: one line per problem, and per warning of a row kept (its message
// says the lead is kept), with the columns line, column, value and
// error, in UTF-8 with a byte-order mark so that Excel shows the accents.
type ReportWriter struct {
	w       *csv.Writer
	started bool
	err     error
}

// NewReportWriter writes a report separated by delim: pass the lead file's
// Delimiter so the client's Excel opens it as it opened the file.
func NewReportWriter(w io.Writer, delim rune) *ReportWriter {
	cw := csv.NewWriter(w)
	if delim == ';' || delim == ',' || delim == '\t' {
		cw.Comma = delim
	} else {
		cw.Comma = ';'
	}
	cw.UseCRLF = true
	return &ReportWriter{w: cw}
}

// Write writes the row's problems and warnings; a row without either
// writes nothing.
func (rw *ReportWriter) Write(row Row) error {
	for _, list := range [][]Problem{row.Problems, row.Warnings} {
		for _, p := range list {
			if err := rw.WriteProblem(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteProblem writes one problem.
func (rw *ReportWriter) WriteProblem(p Problem) error {
	if rw.err != nil {
		return rw.err
	}
	if !rw.started {
		rw.started = true
		rw.err = rw.w.Write([]string{"\ufeffline", "column", "value", "error"})
		if rw.err != nil {
			return rw.err
		}
	}
	rw.err = rw.w.Write([]string{strconv.Itoa(p.Line), inert(p.Column), inert(p.Value), inert(p.Message)})
	return rw.err
}

// Flush writes the header if nothing else was, and everything buffered.
func (rw *ReportWriter) Flush() error {
	if !rw.started && rw.err == nil {
		rw.started = true
		rw.err = rw.w.Write([]string{"\ufeffline", "column", "value", "error"})
	}
	rw.w.Flush()
	if rw.err == nil {
		rw.err = rw.w.Error()
	}
	return rw.err
}

// inert keeps a spreadsheet from reading a value as a formula (OWASP's "CSV
// injection"): a value starting with = + - @ or a control character is
// written after an apostrophe, which Excel hides. It also keeps "+33 6…" a
// text.
func inert(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + v
	}
	return v
}

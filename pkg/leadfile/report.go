package leadfile

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// ReportWriter writes the per-row error report a client downloads after an
// import: one line per problem, and per warning of a row kept (its message
// says the lead is kept), with the columns line, column, value and
// error, in UTF-8 with a byte-order mark so that Excel shows the accents.
// The header and the problems are in English, or in Translate's language
// when it is set.
type ReportWriter struct {
	// Translate, when set, says the header (leads.report.*) and each
	// problem (Problem.Say) in its reader's language.
	Translate apperr.Translator

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
		if rw.header(); rw.err != nil {
			return rw.err
		}
	}
	rw.err = rw.w.Write([]string{strconv.Itoa(p.Line), inert(p.Column), inert(p.Value), inert(p.Say(rw.Translate))})
	return rw.err
}

// header writes the header line.
func (rw *ReportWriter) header() {
	rw.started = true
	names := []string{"line", "column", "value", "error"}
	if rw.Translate != nil {
		for i, key := range []string{"line", "column", "value", "problem"} {
			if said, ok := rw.Translate("leads.report." + key); ok {
				names[i] = said
			}
		}
	}
	names[0] = "\ufeff" + names[0]
	rw.err = rw.w.Write(names)
}

// Flush writes the header if nothing else was, and everything buffered.
func (rw *ReportWriter) Flush() error {
	if !rw.started && rw.err == nil {
		rw.header()
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

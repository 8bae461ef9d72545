package portal

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// badLine is one problem of an upload, on a line of its file; an upload
// with any is refused whole.
type badLine struct {
	Line    int
	Field   string // the column or form field, as named in files: for tests and scripts
	Column  string // its name in the reader's language
	Message string // in the reader's language
	problem apperr.FieldError
}

// maxBadLines bounds the lines a refusal lists; the count says how many in all.
const maxBadLines = 1000

type uploadReport struct {
	File  string
	Rows  int
	Bad   int
	Lines []badLine
}

// add records the problem p, found on a line of the file (0: the file
// as a whole); its path is the column.
func (r *uploadReport) add(line int, p apperr.FieldError) {
	r.Bad++
	if len(r.Lines) < maxBadLines {
		r.Lines = append(r.Lines, badLine{Line: line, Field: p.Path, problem: p})
	}
}

// addError records err, a problem another part of the platform found,
// at a column of a line.
func (r *uploadReport) addError(line int, column string, err error) {
	var f apperr.Fields
	f.AddError(column, err)
	r.add(line, f[0])
}

// column is a column of an upload and of its export: its name in files,
// which uploads always take, and the catalog key of its name in the
// reader's language, which they take too.
type column struct{ Name, Key string }

// table is the columns of an upload as its reader names them.
type table struct {
	columns []column
	names   map[string]string // a header as written, folded, to its column's name
	headers map[string]string // a column's name to its header in the reader's language
}

// tableOf names the columns of an upload in the reader's language.
func (pt *Portal) tableOf(c *fiber.Ctx, columns ...column) table {
	t := table{columns: columns, names: map[string]string{}, headers: map[string]string{}}
	for _, col := range columns {
		header := pt.s.T(c, col.Key)
		t.headers[col.Name] = header
		t.names[fold(col.Name)] = col.Name
		t.names[fold(header)] = col.Name
	}
	return t
}

// fold is how a header is compared: lower case, spaces and underscores
// alike.
func fold(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.Join(strings.Fields(s), " ")), "_", " ")
}

// header is the first line of a file of the columns, in the reader's
// language.
func (t table) header(n int) []string {
	out := make([]string, 0, n)
	for _, col := range t.columns[:n] {
		out = append(out, t.headers[col.Name])
	}
	return out
}

// say puts the problems of a refused upload in the reader's language,
// each column by its name in that language.
func (pt *Portal) say(c *fiber.Ctx, rep *uploadReport, t table) *uploadReport {
	problems := make([]apperr.FieldError, len(rep.Lines))
	for i, l := range rep.Lines {
		problems[i] = l.problem
	}
	for i, p := range pt.s.Say(c, problems) {
		l := &rep.Lines[i]
		l.Message = p.Message
		name, _, _ := strings.Cut(l.Field, "[")
		if h, ok := t.headers[name]; ok {
			l.Column = h
		} else if l.Field != "file" {
			l.Column = l.Field // a column of the file the upload does not take, as the file names it
		}
	}
	return rep
}

// row is one data line of an uploaded table, by column name.
type row struct {
	Line   int
	Fields map[string]string
}

// readTable reads an uploaded CSV file as lead files are read
// (leadfile.RecordReader): UTF-8 or Windows-1252, with or without a BOM,
// cells separated by ";", "," or tab (or a "sep=" line), quoted values with
// line breaks, any line ends. A first line naming the columns maps them
// by name, in any order (its phone column under any of the names a lead
// file's may have; extra names columns a header may add, such as an
// export's); without one, columns are taken in the order given. Columns
// not named are refused when strict, ignored otherwise.
// Problems go into rep, every one of them, so a person fixes a file once.
func readTable(src io.Reader, t table, known int, strict bool, rep *uploadReport) []row {
	r, err := leadfile.NewRecordReader(src)
	if errors.Is(err, leadfile.ErrEmpty) {
		return nil
	} else if err != nil {
		rep.addError(0, "", err)
		return nil
	}
	var (
		out    []row
		index  []string // column name of each cell
		header = true
	)
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			rep.addError(0, "", err)
			break
		}
		if rec.Problem != nil {
			rep.add(rec.Line, *rec.Problem)
			continue
		}
		if header {
			header = false
			if names := headerOf(rec.Values, t); names != nil {
				for i, n := range names {
					if n == "" && strict {
						rep.add(rec.Line, apperr.Field(strings.TrimSpace(rec.Values[i]), "upload.column.unknown", "unknown column; the columns are %s",
							strings.Join(t.header(len(t.columns)), ", ")))
					}
				}
				index = names
				continue
			}
			for _, col := range t.columns[:known] {
				index = append(index, col.Name)
			}
		}
		if blank(rec.Values) {
			continue
		}
		fields := map[string]string{}
		for i, cell := range rec.Values {
			if i >= len(index) {
				if strings.TrimSpace(cell) != "" && strict {
					rep.add(rec.Line, apperr.Field("", "upload.cells.too_many", "more cells than the %d columns %s", known,
						strings.Join(t.header(known), ", ")))
				}
				break
			}
			if index[i] == "" {
				continue
			}
			if at := leadfile.ControlCharacter(cell); at >= 0 {
				rep.add(rec.Line, controlProblem(index[i], cell, at))
			}
			fields[index[i]] = unprotect(strings.TrimSpace(cell))
		}
		for _, u := range rec.Undefined {
			if u.Index < len(index) && index[u.Index] != "" {
				rep.add(rec.Line, apperr.Field(index[u.Index], "upload.byte.undefined",
					"the byte %#02x is not a character in Windows-1252: check the value, or save the file as \"CSV UTF-8\"", u.Byte))
			}
		}
		out = append(out, row{Line: rec.Line, Fields: fields})
	}
	rep.Rows = len(out)
	return out
}

// headerOf maps a first line to column names when it names the columns
// (it has a phone column), or returns nil when it is data.
func headerOf(rec []string, t table) []string {
	names := make([]string, len(rec))
	for i, cell := range rec {
		names[i] = t.names[fold(cell)]
	}
	if !slices.Contains(names, "phone") {
		c, ok := leadfile.DetectMapping(rec).Column(leadfile.FieldPhone)
		if !ok || names[c.Index] != "" {
			return nil
		}
		names[c.Index] = "phone"
	}
	return names
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// protect keeps a spreadsheet from reading a text cell as a formula
// (CSV injection): a cell starting with = + - @ or a control character gets
// a leading apostrophe, which unprotect drops when the file comes back.
func protect(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func unprotect(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// readUpload reads the table of the uploaded file, whose first known
// columns a file without a header holds in order; rep holds every problem
// of the file, and empty when it holds no row.
func readUpload(c *fiber.Ctx, t table, known int, strict bool, empty apperr.FieldError) (name string, rows []row, rep *uploadReport) {
	name, file, err := uploaded(c)
	rep = &uploadReport{File: name}
	if err != nil {
		rep.addError(0, "file", err)
		return name, nil, rep
	}
	defer file.Close()
	rows = readTable(file, t, known, strict, rep)
	if rep.Bad == 0 && len(rows) == 0 {
		rep.add(0, empty)
	}
	return name, rows, rep
}

var itemPath = regexp.MustCompile(`^items\[(\d+)\]\.(.+)$`)

// atLines puts the field errors of a refused upload (items[i] read from
// rows[i]) on the lines of the file they came from; other errors pass
// through.
func atLines(err error, rows []row, rep *uploadReport) error {
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.Invalid {
		return err
	}
	for _, f := range e.Fields {
		line := 0
		if m := itemPath.FindStringSubmatch(f.Path); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(rows) {
				line, f.Path = rows[i].Line, m[2]
			}
		} else if len(rows) == 1 {
			line = rows[0].Line
		}
		rep.add(line, f)
	}
	if len(e.Fields) == 0 {
		rep.addError(0, "", err)
	}
	return err
}

// uploaded opens the file of a form's "file" field, or says what is wrong.
func uploaded(c *fiber.Ctx) (name string, file io.ReadCloser, err error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return "", nil, apperr.New(apperr.Invalid, "upload.file.missing", "choose a file to upload")
	}
	f, err := fh.Open()
	if err != nil {
		return fh.Filename, nil, err
	}
	return fh.Filename, f, nil
}

// everyPage reads a whole list, page after page, for an export.
func everyPage[T any](ctx context.Context, list func(ctx context.Context, page store.Page) ([]T, *uuid.UUID, error)) ([]T, error) {
	var all []T
	page := store.Page{Limit: store.MaxLimit}
	for {
		items, next, err := list(ctx, page)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == nil {
			return all, nil
		}
		page.After = *next
	}
}

// csvWriter writes an export: ";"-separated (what spreadsheets in France
// open directly, and what the uploads read back), UTF-8 with a BOM so that
// spreadsheets read accents right.
func csvWriter(c *fiber.Ctx, filename string) *csv.Writer {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	_, _ = c.WriteString("\ufeff")
	w := csv.NewWriter(c)
	w.Comma = ';'
	w.UseCRLF = true
	return w
}

// controlProblem is the control character at byte at of a cell of a
// column.
func controlProblem(column, cell string, at int) apperr.FieldError {
	p := leadfile.ControlProblem(cell, at)
	p.Path = column
	return p
}

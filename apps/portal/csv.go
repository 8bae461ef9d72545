package portal

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
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

// badLine is one line of an upload that cannot be taken, and why; an
// upload with any is refused whole.
type badLine struct {
	Line    int
	Field   string
	Message string
}

// maxBadLines bounds the lines a refusal lists; the count says how many in all.
const maxBadLines = 1000

type uploadReport struct {
	File  string
	Rows  int
	Bad   int
	Lines []badLine
}

func (r *uploadReport) add(line int, field, format string, args ...any) {
	r.Bad++
	if len(r.Lines) < maxBadLines {
		r.Lines = append(r.Lines, badLine{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
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
func readTable(src io.Reader, columns, extra []string, strict bool, rep *uploadReport) []row {
	r, err := leadfile.NewRecordReader(src)
	if errors.Is(err, leadfile.ErrEmpty) {
		return nil
	} else if e := apperr.As(err); e != nil {
		rep.add(0, "", "%s", e.Message)
		return nil
	} else if err != nil {
		rep.add(0, "", "%v", err)
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
			rep.add(0, "", "%v", err)
			break
		}
		if rec.Problem != "" {
			rep.add(rec.Line, "", "%s", rec.Problem)
			continue
		}
		if header {
			header = false
			if names := headerOf(rec.Values, append(slices.Clone(columns), extra...)); names != nil {
				for i, n := range names {
					if n == "" && strict {
						rep.add(rec.Line, strings.TrimSpace(rec.Values[i]), "unknown column; the columns are %s", strings.Join(append(slices.Clone(columns), extra...), ", "))
					}
				}
				index = names
				continue
			}
			index = columns
		}
		if blank(rec.Values) {
			continue
		}
		fields := map[string]string{}
		for i, cell := range rec.Values {
			if i >= len(index) {
				if strings.TrimSpace(cell) != "" && strict {
					rep.add(rec.Line, "", "more cells than the %d columns %s", len(columns), strings.Join(columns, ", "))
				}
				break
			}
			if index[i] == "" {
				continue
			}
			if at := leadfile.ControlCharacter(cell); at >= 0 {
				rep.add(rec.Line, index[i], "%s", leadfile.ControlMessage(cell, at))
			}
			fields[index[i]] = unprotect(strings.TrimSpace(cell))
		}
		for _, u := range rec.Undefined {
			if u.Index < len(index) && index[u.Index] != "" {
				rep.add(rec.Line, index[u.Index], "the byte %#02x is not a character in Windows-1252: check the value, or save the file as \"CSV UTF-8\"", u.Byte)
			}
		}
		out = append(out, row{Line: rec.Line, Fields: fields})
	}
	rep.Rows = len(out)
	return out
}

// headerOf maps a first line to column names when it names the columns
// (it has a phone column), or returns nil when it is data.
func headerOf(rec []string, columns []string) []string {
	names := make([]string, len(rec))
	for i, cell := range rec {
		name := strings.ToLower(strings.TrimSpace(cell))
		name = strings.ReplaceAll(name, " ", "_")
		if slices.Contains(columns, name) {
			names[i] = name
		}
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

// readUpload reads the table of the uploaded file; rep holds every problem
// of the file, and empty when it holds no row.
func readUpload(c *fiber.Ctx, columns, extra []string, strict bool, empty string) (name string, rows []row, rep *uploadReport) {
	name, file, err := uploaded(c)
	rep = &uploadReport{File: name}
	if err != nil {
		rep.add(0, "file", "%v", err)
		return name, nil, rep
	}
	defer file.Close()
	rows = readTable(file, columns, extra, strict, rep)
	if rep.Bad == 0 && len(rows) == 0 {
		rep.add(0, "", "%s", empty)
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
		line, field := 0, f.Path
		if m := itemPath.FindStringSubmatch(f.Path); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(rows) {
				line, field = rows[i].Line, m[2]
			}
		} else if len(rows) == 1 {
			line = rows[0].Line
		}
		rep.add(line, field, "%s", f.Message)
	}
	if len(e.Fields) == 0 {
		rep.add(0, "", "%s", e.Message)
	}
	return err
}

// uploaded opens the file of a form's "file" field, or says what is wrong.
func uploaded(c *fiber.Ctx) (name string, file io.ReadCloser, err error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return "", nil, errors.New("choose a file to upload")
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

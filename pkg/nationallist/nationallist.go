// Package nationallist reads the national do-not-call lists a platform
// admin uploads (US National DNC area-code files, UK TPS and CTPS files,
// plain one-number-a-line files) and holds each list's latest copy in
// memory as an exact, compact number set, with the date of the copy, so
// that every decision can ask "is this number listed, and is the copy
// fresh?" in well under a microsecond.
//
// It imports the standard library, pkg/numberset, pkg/phone, pkg/apperr and
// pkg/compliance; no adapter.
package nationallist

import (
	"bufio"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// List describes a national list the platform knows.
type List struct {
	Code    string // as rule sets name it
	Name    string
	Country string // default region for numbers written nationally
	Format  string // how its files are written
}

// Lists are the national lists an admin may upload.
var Lists = []List{
	{Code: "US-DNC", Name: "US National Do Not Call Registry (area-code files)", Country: "US", Format: "us-dnc"},
	{Code: "UK-TPS", Name: "UK Telephone Preference Service", Country: "GB", Format: "national"},
	{Code: "UK-CTPS", Name: "UK Corporate TPS", Country: "GB", Format: "national"},
	{Code: "FR-BLOCTEL", Name: "France Bloctel (until 10 August 2026)", Country: "FR", Format: "national"},
}

// ByCode finds a list.
func ByCode(code string) (List, bool) {
	for _, l := range Lists {
		if l.Code == code {
			return l, true
		}
	}
	return List{}, false
}

// BadLine is a line of an upload that is not a number: why, in English
// (Error) and by its code and parameters (Problem), to say it in the
// reader's language.
type BadLine struct {
	Line    int               `json:"line"`
	Text    string            `json:"text"`
	Error   string            `json:"error"`
	Problem apperr.FieldError `json:"-"`
}

// Say is why the line is bad, in tr's language.
func (b BadLine) Say(tr apperr.Translator) string { return b.Problem.Say(tr) }

// String is why the line is bad, in English.
func (b BadLine) String() string { return b.Error }

// Report says what a file held.
type Report struct {
	Lines    int       `json:"lines"`
	Numbers  int       `json:"numbers"`
	BadLines []BadLine `json:"bad_lines"` // the first MaxBadLines of them
	Bad      int       `json:"bad"`       // how many in all
}

// MaxBadLines bounds the bad lines a report lists.
const MaxBadLines = 1000

// Parse reads a list's file: one number per line; blank lines and lines
// starting with # are skipped. It returns every number's key and the
// report; a file with any bad line is refused whole (err names how many),
// so a list is never half-loaded.
func Parse(l List, r io.Reader) ([]uint64, Report, error) {
	var (
		keys []uint64
		rep  Report
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024)
	for sc.Scan() {
		rep.Lines++
		text := strings.TrimSpace(sc.Text())
		if rep.Lines == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, err := parseLine(l, text)
		if err != nil {
			rep.Bad++
			if len(rep.BadLines) < MaxBadLines {
				var f apperr.Fields
				f.AddError("", err)
				rep.BadLines = append(rep.BadLines, BadLine{Line: rep.Lines, Text: clip(text), Error: f[0].Message, Problem: f[0]})
			}
			continue
		}
		keys = append(keys, key)
	}
	if err := sc.Err(); err != nil {
		return nil, rep, apperr.Wrap(err, apperr.Invalid, "nationallist.file.unreadable", "line %d cannot be read (is it a text file, one number per line?)", rep.Lines+1)
	}
	rep.Numbers = len(keys)
	if rep.Bad > 0 {
		return nil, rep, apperr.New(apperr.Invalid, "nationallist.file.bad_lines", "%d of %d lines are not numbers (first on line %d: %s); nothing was loaded",
			rep.Bad, rep.Lines, rep.BadLines[0].Line, rep.BadLines[0])
	}
	if len(keys) == 0 {
		return nil, rep, apperr.New(apperr.Invalid, "nationallist.file.empty", "the file holds no number")
	}
	return keys, rep, nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// parseLine reads one number. The US DNC files write ten digits (area code
// and number, sometimes with separators), read on a fast path: the registry
// holds hundreds of millions. Other lines go through the full parser with
// the list's country as default.
func parseLine(l List, text string) (uint64, error) {
	if l.Format == "us-dnc" {
		return usNumber(text)
	}
	if strings.HasPrefix(text, "+") {
		if key, err := numberset.Key(strings.Map(dropSeparators, text)); err == nil {
			return key, nil
		}
	}
	n, err := phone.Parse(text, l.Country)
	if err != nil {
		return 0, err
	}
	return numberset.Key(n.E164)
}

func dropSeparators(r rune) rune {
	switch r {
	case ' ', '-', '.', ',', '(', ')':
		return -1
	}
	return r
}

// usNumber reads NPA-NXX-XXXX, with or without separators or a leading 1.
func usNumber(text string) (uint64, error) {
	var digits [11]byte
	n := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(digits) {
				return 0, apperr.New(apperr.Invalid, "nationallist.us.too_long", "too many digits for a US number")
			}
			digits[n] = c
			n++
		case c == ' ' || c == '-' || c == ',' || c == '.' || c == '(' || c == ')' || c == '+':
		default:
			return 0, apperr.New(apperr.Invalid, "nationallist.us.unexpected", "unexpected %q in a US number", rune(c))
		}
	}
	d := digits[:n]
	if n == 11 && d[0] == '1' {
		d = d[1:]
	}
	if len(d) != 10 {
		return 0, apperr.New(apperr.Invalid, "nationallist.us.length", "a US number has 10 digits (area code and number), not %d", len(d))
	}
	if d[0] < '2' || d[3] < '2' {
		return 0, apperr.New(apperr.Invalid, "nationallist.us.area_code", "%s is not a US number: area code and exchange cannot start with 0 or 1", string(d))
	}
	key := uint64(1)
	for _, c := range d {
		key = key*10 + uint64(c-'0')
	}
	return key, nil
}

// Copy is one uploaded copy of a list, as held in memory.
type Copy struct {
	ID      uuid.UUID // the upload it was read from
	Code    string
	FreshAt time.Time
	Set     *numberset.Set
}

// Upload is one copy of a list as the platform admin uploaded it and the
// platform keeps it: the number set serialized, with where it came from.
type Upload struct {
	ID         uuid.UUID `json:"id"`
	Code       string    `json:"code"`
	FreshAt    time.Time `json:"fresh_at"`
	Numbers    int64     `json:"numbers"`
	FileName   string    `json:"file_name"`
	UploadedAt time.Time `json:"uploaded_at"`
	Snapshot   []byte    `json:"-"` // the numberset, serialized
}

// Registry holds the latest copy of each list. It is safe for concurrent
// use: decisions read while an upload swaps a list.
type Registry struct {
	mu     sync.RWMutex
	copies map[string]Copy
}

// NewRegistry makes an empty registry.
func NewRegistry() *Registry { return &Registry{copies: map[string]Copy{}} }

// Put replaces a list's copy.
func (r *Registry) Put(c Copy) {
	r.mu.Lock()
	r.copies[c.Code] = c
	r.mu.Unlock()
}

// Holds reports whether the registry holds the copy read from upload id
// for code: a reload skips it.
func (r *Registry) Holds(code string, id uuid.UUID) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.copies[code].ID == id
}

// Copies returns the copies held, by code.
func (r *Registry) Copies() map[string]Copy {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string]Copy, len(r.copies))
	for k, v := range r.copies {
		out[k] = v
	}
	return out
}

// Check says, for every list held, whether e164 is on it and how fresh the
// copy is: the engine's national input.
func (r *Registry) Check(e164 string) map[string]compliance.NationalCheck {
	key, err := numberset.Key(e164)
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string]compliance.NationalCheck, len(r.copies))
	for code, c := range r.copies {
		out[code] = compliance.NationalCheck{Listed: err == nil && c.Set.Contains(key), FreshAt: c.FreshAt}
	}
	return out
}

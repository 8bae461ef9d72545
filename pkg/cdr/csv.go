package cdr

import (
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// csvRecords yields the records of a CSV file as leadfile reads any file a
// person uploads (encoding, separator, quoting, line ends), or the error
// that keeps the file from being read, once, last.
func csvRecords(src io.Reader) iter.Seq2[leadfile.Record, error] {
	return func(yield func(leadfile.Record, error) bool) {
		rr, err := leadfile.NewRecordReader(src)
		if err != nil {
			yield(leadfile.Record{}, err)
			return
		}
		for {
			rec, err := rr.Next()
			if err == io.EOF {
				return
			}
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// emit yields rec, or a *RowError when problems were found with it.
func emit(yield func(Record, error) bool, rec Record, problems apperr.Fields) bool {
	if len(problems) == 0 {
		return yield(rec, nil)
	}
	return yield(Record{Line: rec.Line, Index: rec.Index, ExternalID: rec.ExternalID},
		&RowError{Line: rec.Line, Index: rec.Index, ExternalID: rec.ExternalID, Problems: problems})
}

// localLayout is how Asterisk (cdr_csv.c's DATE_FORMAT "%Y-%m-%d %T") and
// VICIdial (MySQL's DATETIME) write a time, in the server's zone.
const localLayout = "2006-01-02 15:04:05"

// localTime reads s, written in loc, as UTC; "" is the zero time, a
// problem when the time is required.
func localTime(f *apperr.Fields, path, s string, loc *time.Location, required bool) time.Time {
	if s == "" {
		if required {
			f.Add(path, "cdr.time.required", "is required")
		}
		return time.Time{}
	}
	t, err := time.ParseInLocation(localLayout, s, loc)
	if err != nil {
		f.Add(path, "cdr.time.invalid", "%q is not a time written as 2026-11-30 14:05:09", s)
		return time.Time{}
	}
	return plausible(f, path, t)
}

// earliest is the earliest time a call may have: before it, a dialer's
// clock was not set (and the zero time would read as no time at all).
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// plausible is t in UTC, or the zero time and a problem when t is before
// earliest.
func plausible(f *apperr.Fields, path string, t time.Time) time.Time {
	if t.Before(earliest) {
		f.Add(path, "cdr.time.too_early", "(%s) is before 2000: the dialer's clock was not set", t.UTC().Format(time.RFC3339))
		return time.Time{}
	}
	return t.UTC()
}

// seconds reads a whole, non-negative number of seconds.
func seconds(f *apperr.Fields, path, s string) time.Duration {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		f.Add(path, "cdr.seconds.invalid", "%q is not a whole number of seconds", s)
		return 0
	}
	return time.Duration(n) * time.Second
}

// plateauID reads s as one of Plateau's ids (a UUID, with or without its
// dashes); anything else is not one, and not a problem: the fields that
// carry ids carry other things on floors that do not use them.
func plateauID(s string) (uuid.UUID, bool) {
	if len(s) != 36 && len(s) != 32 {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(s)
	return id, err == nil && id != uuid.Nil
}

// cell is a value trimmed of spaces.
func cell(values []string, i int) string {
	if i < 0 || i >= len(values) {
		return ""
	}
	return strings.TrimSpace(values[i])
}

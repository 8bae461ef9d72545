// Package apperr defines the few kinds of error the platform distinguishes,
// so that every front door (HTML pages, the REST API, the CLI, jobs) can map
// them to a status and a message without knowing where they came from.
//
// It imports only the standard library.
package apperr

import (
	"errors"
	"fmt"
	"slices"
)

// Kind classifies an error for its caller.
type Kind string

const (
	Internal     Kind = "internal"     // a bug or an unavailable dependency; details are logged, never shown
	Invalid      Kind = "invalid"      // the input is wrong; Fields says where
	NotFound     Kind = "not_found"    // absent, or outside the caller's tenant (never "forbidden" for rows)
	Conflict     Kind = "conflict"     // the input clashes with existing state (duplicate, stale, replayed)
	Unauthorized Kind = "unauthorized" // no valid credentials
	Forbidden    Kind = "forbidden"    // authenticated, but the role lacks the permission
	TooMany      Kind = "too_many"     // throttled; RetryAfter says for how long
	TooLarge     Kind = "too_large"    // the body exceeds its limit
	Unavailable  Kind = "unavailable"  // a dependency is down; try again later
)

// FieldError points at one field of the input, as a JSON pointer-like path
// ("email", "rate_card.per_minute.increment", "rows[12].phone").
type FieldError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Error is an error with a kind, a message safe to show to the caller, and
// optionally the invalid fields. Err keeps the cause for logs.
type Error struct {
	Kind       Kind
	Message    string
	Fields     []FieldError
	RetryAfter int // seconds, for TooMany
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New builds an error of a kind with a formatted, caller-safe message.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap keeps err as the cause of a caller-safe error.
func Wrap(err error, kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// InvalidFields reports one or more invalid fields.
func InvalidFields(message string, fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Message: message, Fields: fields}
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Is reports whether err is of the given kind.
func Is(err error, kind Kind) bool { return KindOf(err) == kind }

// Fields collects field errors and turns them into one Invalid error.
type Fields []FieldError

// Add records a problem with the field at path.
func (f *Fields) Add(path, format string, args ...any) {
	*f = append(*f, FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Merge adds the problems of more whose path f does not name already: the
// first problem found with a field is the one worth reading.
func (f Fields) Merge(more []FieldError) Fields {
	for _, e := range more {
		if !slices.ContainsFunc(f, func(have FieldError) bool { return have.Path == e.Path }) {
			f = append(f, e)
		}
	}
	return f
}

// Err returns nil when no field was added.
func (f Fields) Err(message string) error {
	if len(f) == 0 {
		return nil
	}
	return InvalidFields(message, f...)
}

// Package apperr defines the few kinds of error the platform distinguishes,
// so that every front door (HTML pages, the REST API, the CLI, jobs) can map
// them to a status and a message without knowing where they came from.
//
// Every message a person may read has a stable code ("campaign.name.too_long")
// and its parameters beside its English text: a front door says it in the
// reader's language with Localize, looking the code up in its catalogs
// (web/i18n/errors.<area>.<locale>.json, as "err.<code>"), and falls back to
// the English. A parameter that is a word of the domain (a status, a kind)
// implements Term and is translated itself; one that says itself (a list of
// such words) implements Sayer.
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

// Term is a parameter of a message that is itself a word of the domain (a
// campaign's status, a role): the catalogs translate it by its key.
type Term interface {
	TermKey() string
}

// Sayer is a parameter of a message that says itself in the reader's
// language (a list of domain words, another coded message).
type Sayer interface {
	Say(tr Translator) string
}

// FieldError points at one field of the input, as a JSON pointer-like path
// ("email", "rate_card.per_minute.increment", "rows[12].phone").
type FieldError struct {
	Path    string `json:"path"`
	Code    string `json:"code"`    // stable, for programs and translations
	Message string `json:"message"` // English, or the reader's language once localized
	Args    []any  `json:"-"`
}

// Error is an error with a kind, a message safe to show to the caller (its
// code, English text and parameters), and optionally the invalid fields.
// Err keeps the cause for logs.
type Error struct {
	Kind       Kind
	Code       string
	Message    string
	Args       []any
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

// New builds an error of a kind with a caller-safe message: its code, and
// its English text formatted with args.
func New(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: english(format, args), Args: args}
}

// Wrap keeps err as the cause of a caller-safe error.
func Wrap(err error, kind Kind, code, format string, args ...any) *Error {
	e := New(kind, code, format, args...)
	e.Err = err
	return e
}

// InvalidFields reports one or more invalid fields, under a message that
// sums them up.
func InvalidFields(code, message string, fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Code: code, Message: message, Fields: fields}
}

// Field is one problem with the field at path.
func Field(path, code, format string, args ...any) FieldError {
	return FieldError{Path: path, Code: code, Message: english(format, args), Args: args}
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

// Add records a problem with the field at path: its code, and its English
// text formatted with args.
func (f *Fields) Add(path, code, format string, args ...any) {
	*f = append(*f, Field(path, code, format, args...))
}

// AddError records err, a problem another part of the domain found (a
// phone number that does not parse), at path: its code and parameters
// when it has them, its text either way.
func (f *Fields) AddError(path string, err error) {
	if e := As(err); e != nil && e.Code != "" {
		*f = append(*f, FieldError{Path: path, Code: e.Code, Message: e.Message, Args: e.Args})
		return
	}
	*f = append(*f, FieldError{Path: path, Code: "invalid", Message: err.Error()})
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

// Err returns nil when no field was added, else one Invalid error summed up
// by code and its English message.
func (f Fields) Err(code, message string) error {
	if len(f) == 0 {
		return nil
	}
	return InvalidFields(code, message, f...)
}

// Translator says a catalog key in the reader's language; ok is false when
// the catalog has no such key.
type Translator func(key string, args ...any) (text string, ok bool)

// Localize returns err as its reader reads it: a copy of the *Error in its
// chain (or an Internal one) whose message and fields' messages are in the
// translator's language where the catalog has their code, English
// otherwise.
func Localize(err error, tr Translator) *Error {
	e := As(err)
	if e == nil {
		return &Error{Kind: Internal, Code: "internal", Message: "something went wrong on our side", Err: err}
	}
	out := *e
	out.Message = say(tr, e.Code, e.Message, e.Args)
	out.Fields = make([]FieldError, len(e.Fields))
	for i, f := range e.Fields {
		f.Message = say(tr, f.Code, f.Message, f.Args)
		out.Fields[i] = f
	}
	return &out
}

// Say is a field problem's message in the translator's language.
func (f FieldError) Say(tr Translator) string { return say(tr, f.Code, f.Message, f.Args) }

func say(tr Translator, code, englishText string, args []any) string {
	if code == "" || tr == nil {
		return englishText
	}
	words := make([]any, len(args))
	for i, a := range args {
		words[i] = a
		switch a := a.(type) {
		case Sayer:
			words[i] = a.Say(tr)
		case Term:
			if w, ok := tr(a.TermKey()); ok {
				words[i] = w
			}
		}
	}
	if text, ok := tr("err."+code, words...); ok {
		return text
	}
	return englishText
}

func english(format string, args []any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// Package errs holds Tangram's typed errors. Every error that may reach an API
// user carries a stable dotted code and an HTTP-ish class; exactly one place
// (server/problem) turns them into problem+json. Anything that is not an
// *Error is reported to clients as an opaque internal error.
package errs

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Class says which kind of failure an error is; it maps to one HTTP status.
type Class int

// Error classes, one per HTTP status the API uses for them.
const (
	Internal        Class = iota // 500: never shown in detail
	Invalid                      // 400: the request is malformed (bad JSON, bad filter)
	Unprocessable                // 422: well-formed but fails validation
	NotFound                     // 404
	Conflict                     // 409: duplicate key, state conflict
	PreconditionErr              // 412: stale version (If-Match)
	Unauthorized                 // 401
	Forbidden                    // 403
	TooLarge                     // 413
	TooMany                      // 429
	Unavailable                  // 503
)

// FieldError points at one bad part of an input by JSON path.
type FieldError struct {
	Path    string `json:"path"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// Error is a coded, client-safe error.
type Error struct {
	Class  Class
	Code   string       // stable dotted code, e.g. "query.unknown_field"
	Msg    string       // client-safe message
	Fields []FieldError // validation details, each with a JSON path
	Cause  error        // internal cause, never rendered to clients
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Path, f.Message)
	}
	if e.Cause != nil {
		b.WriteString(" (")
		b.WriteString(e.Cause.Error())
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap exposes the internal cause to errors.Is/As.
func (e *Error) Unwrap() error { return e.Cause }

// Is matches errors of the same code, so sentinel values work with errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// New makes a coded error with a formatted message.
func New(class Class, code, format string, args ...any) *Error {
	return &Error{Class: class, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Wrap makes a coded error that keeps an internal cause.
func Wrap(cause error, class Class, code, format string, args ...any) *Error {
	return &Error{Class: class, Code: code, Msg: fmt.Sprintf(format, args...), Cause: cause}
}

// Validation builds one error from collected field errors, or nil when there
// are none. Fields are sorted by path so responses are deterministic.
func Validation(class Class, code, msg string, fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	sort.SliceStable(fields, func(i, j int) bool { return naturalLess(fields[i].Path, fields[j].Path) })
	return &Error{Class: class, Code: code, Msg: msg, Fields: fields}
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ClassOf returns the class of err (Internal for foreign errors).
func ClassOf(err error) Class {
	if e, ok := As(err); ok {
		return e.Class
	}
	return Internal
}

// HasCode reports whether err is an *Error with the given code.
func HasCode(err error, code string) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// naturalLess orders paths so "fields[2]" comes before "fields[10]".
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

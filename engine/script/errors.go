package script

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/tangram/tangram/engine/errs"
)

// Error codes made by this package. Every error it returns is an *errs.Error
// with one of these codes, except errors raised by host functions, which come
// back unchanged so a "ledger.insufficient_balance" keeps its code through a
// script.
const (
	// CodeSyntax: the source does not compile (or a formula is not a single
	// expression, or a parameter name is not an identifier).
	CodeSyntax = "script.syntax"
	// CodeError: the code threw (a thrown value, TypeError, RangeError from a
	// sandbox guard, ...).
	CodeError = "script.error"
	// CodeTimeout: the run passed its deadline and was interrupted.
	CodeTimeout = "script.timeout"
	// CodeCanceled: the caller's context ended during the run.
	CodeCanceled = "script.canceled"
	// CodeOutput: the returned value (or a value passed to a host function)
	// is too large, too deep or of a kind JSON cannot hold.
	CodeOutput = "script.output"
	// CodeLimit: a resource limit other than time was hit: call stack depth
	// or the process heap guard.
	CodeLimit = "script.limit"
	// CodeInput: the Go caller passed a value the sandbox does not accept
	// (an unsupported Go type, a bad global name, wrong argument count).
	// This is a programming error, so its class is Internal.
	CodeInput = "script.input"
	// CodeClosed: the engine was closed.
	CodeClosed = "script.closed"
	// CodeHostPanic: a host function panicked (class Internal).
	CodeHostPanic = "script.host_panic"
)

// Position is a 1-based line and column in the source the caller compiled
// (the formula expression or the script body, not the wrapper around it), so
// the builder can underline the spot.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// IsValid reports whether the position is known.
func (p Position) IsValid() bool { return p.Line > 0 }

// String renders "line 3, column 7".
func (p Position) String() string {
	return fmt.Sprintf("line %d, column %d", p.Line, p.Column)
}

// ScriptError is the Cause of every *errs.Error this package makes about a
// script or formula. It carries the structured position that the message
// also spells out, for editors; use PositionOf to get at it.
type ScriptError struct {
	Code    string
	Message string // without the position
	Pos     Position
}

func (e *ScriptError) Error() string {
	if e.Pos.IsValid() {
		return e.Message + " (" + e.Pos.String() + ")"
	}
	return e.Message
}

// PositionOf returns where in the source err happened, when known.
func PositionOf(err error) (Position, bool) {
	var se *ScriptError
	if errors.As(err, &se) && se.Pos.IsValid() {
		return se.Pos, true
	}
	return Position{}, false
}

// AtPath returns a copy of err whose field errors point at path, typically
// the JSON path of the formula inside a definition ("fields[3].formula").
// The line and column stay in the message. Errors not made by this package
// are returned unchanged.
func AtPath(err error, path string) error {
	e, ok := errs.As(err)
	if !ok || !strings.HasPrefix(e.Code, "script.") {
		return err
	}
	c := *e
	c.Fields = make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		f.Path = path
		c.Fields[i] = f
	}
	return &c
}

// scriptErr builds the coded error for a problem located in the source. The
// default field path is the position itself, which is what a caller without
// a better path (see AtPath) can show.
func scriptErr(class errs.Class, code, msg string, pos Position) *errs.Error {
	se := &ScriptError{Code: code, Message: msg, Pos: pos}
	path := "source"
	if pos.IsValid() {
		path = pos.String()
	}
	return &errs.Error{
		Class:  class,
		Code:   code,
		Msg:    se.Error(),
		Fields: []errs.FieldError{{Path: path, Code: code, Message: se.Error()}},
		Cause:  se,
	}
}

// inputErr reports a Go caller's mistake; it never mentions script positions.
func inputErr(format string, args ...any) *errs.Error {
	return errs.New(errs.Internal, CodeInput, format, args...)
}

func closedErr() *errs.Error {
	return errs.New(errs.Unavailable, CodeClosed, "script engine is closed")
}

// canceledErr keeps the context's error as the cause so errors.Is(err,
// context.Canceled) and context.DeadlineExceeded work for callers.
func canceledErr(ctx context.Context, pos Position) *errs.Error {
	e := scriptErr(errs.Unavailable, CodeCanceled, "run canceled: "+context.Cause(ctx).Error(), pos)
	e.Cause = errors.Join(e.Cause, ctx.Err())
	return e
}

// syntaxErr turns a parser error into CodeSyntax with the position mapped
// back from the wrapper to the caller's source (lineShift lines were added in
// front of it).
func syntaxErr(err error, lineShift int) *errs.Error {
	var list parser.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		first := list[0]
		return scriptErr(errs.Unprocessable, CodeSyntax, "SyntaxError: "+first.Message,
			shiftPos(first.Position.Line, first.Position.Column, lineShift))
	}
	var one *parser.Error
	if errors.As(err, &one) {
		return scriptErr(errs.Unprocessable, CodeSyntax, "SyntaxError: "+one.Message,
			shiftPos(one.Position.Line, one.Position.Column, lineShift))
	}
	var ce *goja.CompilerSyntaxError
	if errors.As(err, &ce) {
		pos := Position{}
		if ce.File != nil {
			p := ce.File.Position(ce.Offset)
			pos = shiftPos(p.Line, p.Column, lineShift)
		}
		return scriptErr(errs.Unprocessable, CodeSyntax, "SyntaxError: "+ce.Message, pos)
	}
	return scriptErr(errs.Unprocessable, CodeSyntax, "SyntaxError: "+err.Error(), Position{})
}

// shiftPos maps a wrapper position to the caller's source. A position inside
// the wrapper's own first line (before the source starts) is clamped to the
// source's start so the message still points somewhere sensible.
func shiftPos(line, col, lineShift int) Position {
	if line <= 0 {
		return Position{}
	}
	line -= lineShift
	if line < 1 {
		return Position{Line: 1, Column: 1}
	}
	return Position{Line: line, Column: col}
}

// clampPos keeps a position inside src: a parse error at the wrapper's
// closing parenthesis or brace is reported at the end of the source.
func clampPos(pos Position, src string) Position {
	if !pos.IsValid() {
		return pos
	}
	lines := strings.Split(src, "\n")
	if pos.Line > len(lines) {
		last := lines[len(lines)-1]
		return Position{Line: len(lines), Column: utf8.RuneCountInString(last) + 1}
	}
	return pos
}

// clampErr applies clampPos to an error made by scriptErr.
func clampErr(err *errs.Error, src string) *errs.Error {
	se, ok := err.Cause.(*ScriptError)
	if !ok || !se.Pos.IsValid() {
		return err
	}
	pos := clampPos(se.Pos, src)
	if pos == se.Pos {
		return err
	}
	return scriptErr(err.Class, err.Code, se.Message, pos)
}

// stackPos finds the innermost frame that belongs to the caller's program
// (frames of sandbox guards and native functions have other names) and maps
// its position.
func stackPos(stack []goja.StackFrame, name string, lineShift int) Position {
	for i := range stack {
		f := &stack[i]
		if f.SrcName() != name {
			continue
		}
		p := f.Position()
		if p.Line > 0 {
			return shiftPos(p.Line, p.Column, lineShift)
		}
	}
	return Position{}
}

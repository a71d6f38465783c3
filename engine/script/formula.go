package script

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"

	"github.com/tangram/tangram/engine/errs"
)

// Formula is a compiled JavaScript expression over named parameters (record
// field keys), e.g. `price * qty` or `IF(tier == "gold", 2, 1)`. It is safe
// to evaluate concurrently on any engine.
type Formula struct {
	id     uint64
	prog   *goja.Program
	expr   string
	params []string
}

// Source returns the expression as compiled.
func (f *Formula) Source() string { return f.expr }

// Params returns the parameter names, in the order EvalFormula takes the
// arguments. The slice must not be modified.
func (f *Formula) Params() []string { return f.params }

// CompileFormula compiles expr, a single JavaScript expression over params.
// Anything that is not exactly one expression (statements, a `;`, an attempt
// to close the wrapper) is a CodeSyntax error, as is a parameter name that
// is not a JavaScript identifier. Results, including errors, are cached by
// SHA-256 of params and expr.
func CompileFormula(expr string, params []string) (*Formula, error) {
	key := cacheKey(kindFormula, params, expr)
	if e, ok := compiled.get(key); ok {
		return e.formula, e.err
	}
	e := &cacheEntry{key: key}
	e.formula, e.err = compileFormula(expr, params)
	if e.err != nil {
		e.formula = nil
	}
	e = compiled.put(e)
	return e.formula, e.err
}

func compileFormula(expr string, params []string) (*Formula, error) {
	if err := checkParams(params); err != nil {
		return nil, err
	}
	if len(expr) > MaxFormulaBytes {
		return nil, scriptErr(errs.Unprocessable, CodeSyntax, "formula is longer than 16 KiB", Position{})
	}
	if strings.TrimSpace(expr) == "" {
		return nil, scriptErr(errs.Unprocessable, CodeSyntax, "formula is empty", Position{})
	}
	// First the expression alone, in parentheses: it must parse as exactly
	// one expression statement. `1); while(true){} (1` parses as several
	// statements and is refused here, before it is ever put in a function.
	alone, err := parser.ParseFile(nil, formulaName, "(\n"+expr+"\n)", 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, clampErr(syntaxErr(err, 1), expr)
	}
	if len(alone.Body) != 1 {
		pos := Position{}
		if len(alone.Body) > 1 {
			p := alone.File.Position(int(alone.Body[1].Idx0()) - alone.File.Base())
			pos = shiftPos(p.Line, p.Column, 1)
		}
		return nil, scriptErr(errs.Unprocessable, CodeSyntax, "SyntaxError: a formula must be a single expression", pos)
	}
	if _, ok := alone.Body[0].(*ast.ExpressionStatement); !ok {
		return nil, scriptErr(errs.Unprocessable, CodeSyntax, "SyntaxError: a formula must be a single expression", Position{})
	}
	// Then the wrapper; compileWrapped checks again that it is one function.
	wrapper := "(function(" + strings.Join(params, ",") + "){\"use strict\";return (\n" + expr + "\n);})"
	p, cerr := compileWrapped(formulaName, wrapper, 1)
	if cerr != nil {
		return nil, clampErr(cerr, expr)
	}
	return &Formula{id: nextID.Add(1), prog: p, expr: expr, params: append([]string(nil), params...)}, nil
}

// checkParams accepts JavaScript identifiers (Unicode letters included, so
// a field key such as 价格 works) that are not reserved words, each once.
func checkParams(params []string) error {
	seen := make(map[string]bool, len(params))
	for i, p := range params {
		msg := ""
		switch {
		case !isIdentifier(p):
			msg = fmt.Sprintf("parameter %q is not a JavaScript identifier", p)
		case reservedWords[p]:
			msg = fmt.Sprintf("parameter %q is a reserved word", p)
		case seen[p]:
			msg = fmt.Sprintf("parameter %q appears twice", p)
		}
		if msg != "" {
			e := scriptErr(errs.Unprocessable, CodeSyntax, msg, Position{})
			e.Fields[0].Path = fmt.Sprintf("params[%d]", i)
			return e
		}
		seen[p] = true
	}
	return nil
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '$' || r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r):
		case i > 0 && (unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc) || r == '\u200c' || r == '\u200d'):
		default:
			return false
		}
	}
	return true
}

// EvalFormula evaluates f with args in the order of f.Params(), on a pooled
// runtime, within Options.FormulaTimeout (and ctx). Arguments are JSON-like
// Go values (see the conversion rules in convert.go: nil, bool, string,
// integers, floats, json.Number, time.Time, []any, map[string]any); the
// result is nil, bool, string, int64 (integral within ±(2^53-1)), float64, []any
// or map[string]any. NaN and ±Infinity come back as nil.
func (e *Engine) EvalFormula(ctx context.Context, f *Formula, args ...any) (any, error) {
	if f == nil {
		return nil, inputErr("nil formula")
	}
	if len(args) != len(f.params) {
		return nil, inputErr("formula takes %d arguments (%s), got %d", len(f.params), strings.Join(f.params, ", "), len(args))
	}
	if e.closed.Load() {
		return nil, closedErr()
	}
	if ctx.Err() != nil {
		return nil, canceledErr(ctx, Position{})
	}
	s, err := e.acquire()
	if err != nil {
		return nil, err
	}
	defer e.recoverSlot(s)
	out, err := s.evalFormula(ctx, f, args)
	e.release(s)
	return out, err
}

func (s *slot) evalFormula(ctx context.Context, f *Formula, in []any) (any, error) {
	fn, err := s.fn(f.id, f.prog)
	if err != nil {
		return nil, err
	}
	if cap(s.args) < len(in) {
		s.args = make([]goja.Value, len(in))
	}
	args := s.args[:len(in)]
	defer clear(args) // drop references to this call's values
	for i, a := range in {
		v, err := s.toValue(a, 0)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	return s.call(ctx, fn, args, s.e.formulaTicks, formulaName, s.e.opts.FormulaTimeout)
}

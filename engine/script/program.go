package script

import (
	"strings"
	"sync/atomic"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"

	"github.com/tangram/tangram/engine/errs"
)

// MaxSourceBytes bounds the source of a script; MaxFormulaBytes that of a
// formula. Both keep the parser's work proportional to what a builder
// writes by hand.
const (
	MaxSourceBytes  = 1 << 20
	MaxFormulaBytes = 16 << 10
)

// Program names double as stack-frame names: positions are reported only
// for frames of the caller's code.
const (
	scriptName  = "script"
	formulaName = "formula"
)

// The script wrapper: the body becomes a strict function of `input`, so
// top-level `return` works and top-level declarations stay local. The
// prefix ends with a newline so body line N is wrapper line N+1 and
// columns need no adjustment.
const (
	scriptPrefix = "(function(input){\"use strict\";\n"
	scriptSuffix = "\n})"
)

// ids distinguish compiled programs in each runtime's function cache.
var nextID atomic.Uint64

// Program is a compiled script body, safe to run concurrently on any
// engine. Inside, `input` is RunOptions.Input, `return` gives the result,
// and RunOptions.Globals plus the formula standard library and log are in
// scope.
type Program struct {
	id   uint64
	prog *goja.Program
	src  string
}

// Source returns the script body as compiled.
func (p *Program) Source() string { return p.src }

// Compile compiles a script body (statements; `return` gives the result).
// Results, including errors, are cached by the source's SHA-256. A syntax
// error is a CodeSyntax *errs.Error with the line and column in the body.
func Compile(src string) (*Program, error) {
	key := cacheKey(kindScript, nil, src)
	if e, ok := compiled.get(key); ok {
		return e.program, e.err
	}
	e := &cacheEntry{key: key}
	e.program, e.err = compileScript(src)
	if e.err != nil {
		e.program = nil
	}
	e = compiled.put(e)
	return e.program, e.err
}

func compileScript(src string) (*Program, error) {
	if len(src) > MaxSourceBytes {
		return nil, scriptErr(errs.Unprocessable, CodeSyntax, "script is longer than 1 MiB", Position{})
	}
	p, err := compileWrapped(scriptName, scriptPrefix+src+scriptSuffix, 1)
	if err != nil {
		return nil, clampErr(err, src)
	}
	return &Program{id: nextID.Add(1), prog: p, src: src}, nil
}

// compileWrapped parses a wrapper and refuses anything but one function
// literal at the top: source that closes the wrapper early and adds
// statements after it (`}); evil(); (function(){`) or turns it into a call
// (`}).call(null, function(){`) would otherwise run outside the function
// when the wrapper is instantiated, before any deadline is armed.
func compileWrapped(name, wrapper string, lineShift int) (*goja.Program, *errs.Error) {
	prg, err := parser.ParseFile(nil, name, wrapper, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, syntaxErr(err, lineShift)
	}
	if !isOneFunction(prg) {
		return nil, scriptErr(errs.Unprocessable, CodeSyntax,
			"SyntaxError: unbalanced braces or parentheses: the source must not close its enclosing function", Position{})
	}
	p, err := goja.CompileAST(prg, true)
	if err != nil {
		return nil, syntaxErr(err, lineShift)
	}
	return p, nil
}

func isOneFunction(prg *ast.Program) bool {
	if len(prg.Body) != 1 {
		return false
	}
	st, ok := prg.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return false
	}
	_, ok = st.Expression.(*ast.FunctionLiteral)
	return ok
}

// reservedWords cannot name a formula parameter (strict mode adds eval and
// arguments).
var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`break case catch class const continue debugger default delete do else
		enum export extends false finally for function if import in instanceof new null return super switch
		this throw true try typeof var void while with yield let static implements interface package private
		protected public await eval arguments`) {
		m[w] = true
	}
	return m
}()

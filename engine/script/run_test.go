package script

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/errs"
)

func TestRunScript(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{})
	p := mustProgram(t, `
const total = input.items.reduce((s, it) => s + it.price * it.qty, 0);
log("total", total, {n: input.items.length});
console.log("done");
if (total > 100) {
	return {total, discount: ROUND(total * 0.05, 2), member: member.level};
}
return {total};`)
	res, err := e.Run(context.Background(), p, RunOptions{
		Input: map[string]any{"items": []any{
			map[string]any{"price": 60.5, "qty": 2},
			map[string]any{"price": 10, "qty": int64(1)},
		}},
		Globals: map[string]any{"member": map[string]any{"level": "gold"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"total": int64(131), "discount": 6.55, "member": "gold"}
	if !reflect.DeepEqual(res.Value, want) {
		t.Errorf("value %#v", res.Value)
	}
	if !reflect.DeepEqual(res.Logs, []string{`total 131 {"n":2}`, "done"}) {
		t.Errorf("logs %q", res.Logs)
	}
}

func TestRunLogsBounded(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{MaxLogLines: 3})
	res, err := e.Run(context.Background(), mustProgram(t, "for (let i = 0; i < 10; i++) log(i); log('x'.repeat(5000)); throw new Error('late')"), RunOptions{})
	wantCode(t, err, CodeError)
	if len(res.Logs) != 4 || res.Logs[3] != "(8 more log lines dropped)" {
		t.Errorf("logs %q", res.Logs)
	}
	// Formulas have no log sink: log is a no-op there.
	if v, err := eval(t, e, "log('x') || 1"); err != nil || v != int64(1) {
		t.Errorf("log in formula: %v %v", v, err)
	}
}

func TestScriptSyntaxPosition(t *testing.T) {
	t.Parallel()
	_, err := Compile("const a = 1;\nconst b = ;\nreturn a")
	wantCode(t, err, CodeSyntax)
	if pos, _ := PositionOf(err); pos != (Position{Line: 2, Column: 11}) {
		t.Errorf("position %v (%v)", pos, err)
	}
	_, err = Compile("if (x) {\n  return 1")
	wantCode(t, err, CodeSyntax)
	if pos, _ := PositionOf(err); pos.Line != 2 {
		t.Errorf("unterminated block position %v", pos)
	}
	_, err = Compile("with (x) {}")
	wantCode(t, err, CodeSyntax) // strict mode
}

func TestScriptRuntimePosition(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{})
	cases := []struct {
		src       string
		line, col int
		msg       string
	}{
		{"const a = 1;\n\nthrow new Error('boom');", 3, 7, "Error: boom"},
		{"const m = null;\nreturn m.level;", 2, 10, "TypeError"},
		{"\n  undefinedFn();", 2, 14, "ReferenceError"},
		{"throw 'plain string'", 1, 1, "Uncaught plain string"},
		{"throw {code: 'E1'}", 1, 1, `Uncaught {"code":"E1"}`},
		{"'x'.repeat(1e10)", 1, 11, "RangeError"},
	}
	for _, c := range cases {
		_, err := e.Run(context.Background(), mustProgram(t, c.src), RunOptions{})
		se := wantCode(t, err, CodeError)
		pos, _ := PositionOf(err)
		if pos.Line != c.line || pos.Column != c.col || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("%q: %q at %v, want %q at %d:%d", c.src, se.Msg, pos, c.msg, c.line, c.col)
		}
	}
}

// Source that closes the wrapper function is refused: it would otherwise run
// at instantiation, outside any deadline.
func TestScriptInjection(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"}); while(true){} (function(){",
		"}).call(null, function(){",
		"})(); (function(){",
		"}\n})\n;(function(){\n{",
	} {
		_, err := Compile(src)
		wantCode(t, err, CodeSyntax)
	}
}

var errBalance = errs.New(errs.Conflict, "ledger.insufficient_balance", "balance too low")

func ledgerGlobals(calls *[]any) map[string]any {
	return map[string]any{
		"ledger": map[string]any{
			"post": HostFunc(func(ctx context.Context, args []any) (any, error) {
				*calls = append(*calls, args...)
				if args[0].(int64) > 100 {
					return nil, errBalance
				}
				return map[string]any{"balance": 100 - args[0].(int64)}, nil
			}),
			"boom": HostFunc(func(context.Context, []any) (any, error) { panic("bug") }),
			"fail": HostFunc(func(context.Context, []any) (any, error) {
				return nil, fmt.Errorf("dial tcp 10.0.0.1: secret detail")
			}),
		},
	}
}

func TestHostFunctions(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{})
	var calls []any
	res, err := e.Run(context.Background(), mustProgram(t, "return ledger.post(30, {memo: 'x'}).balance"),
		RunOptions{Globals: ledgerGlobals(&calls)})
	if err != nil || res.Value != int64(70) {
		t.Fatalf("post: %v %v", res.Value, err)
	}
	if !reflect.DeepEqual(calls, []any{int64(30), map[string]any{"memo": "x"}}) {
		t.Errorf("host args %#v", calls)
	}

	// Uncaught: the original error comes back, code intact.
	_, err = e.Run(context.Background(), mustProgram(t, "ledger.post(500);\nreturn 1"), RunOptions{Globals: ledgerGlobals(&calls)})
	if err != errBalance || !errs.HasCode(err, "ledger.insufficient_balance") || errs.ClassOf(err) != errs.Conflict {
		t.Fatalf("want the host's error back, got %v", err)
	}

	// Caught: a JavaScript Error with the client-safe message and the code.
	res, err = e.Run(context.Background(), mustProgram(t, `
try { ledger.post(500) } catch (e) { return [e instanceof Error, e.message, e.code] }`),
		RunOptions{Globals: ledgerGlobals(&calls)})
	if err != nil || !reflect.DeepEqual(res.Value, []any{true, "balance too low", "ledger.insufficient_balance"}) {
		t.Errorf("caught: %#v %v", res.Value, err)
	}

	// Rethrown after catching: still the original error.
	_, err = e.Run(context.Background(), mustProgram(t, "try { ledger.post(500) } catch (e) { log(e.code); throw e }"),
		RunOptions{Globals: ledgerGlobals(&calls)})
	if err != errBalance {
		t.Errorf("rethrown: %v", err)
	}

	// A foreign error's text stays out of the script.
	res, err = e.Run(context.Background(), mustProgram(t, "try { ledger.fail() } catch (e) { return e.message }"),
		RunOptions{Globals: ledgerGlobals(&calls)})
	if err != nil || res.Value != "internal error" {
		t.Errorf("foreign error message: %v %v", res.Value, err)
	}

	// A panicking host function becomes an internal error, and the runtime
	// stays usable.
	_, err = e.Run(context.Background(), mustProgram(t, "ledger.boom()"), RunOptions{Globals: ledgerGlobals(&calls)})
	if !errs.HasCode(err, CodeHostPanic) || errs.ClassOf(err) != errs.Internal {
		t.Errorf("panic: %v", err)
	}
	if res, err := e.Run(context.Background(), mustProgram(t, "return 7"), RunOptions{}); err != nil || res.Value != int64(7) {
		t.Errorf("after panic: %v %v", res.Value, err)
	}
}

// Nothing a run defines is visible to the next run on the same runtime.
func TestGlobalsDoNotLeak(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{PoolSize: 1})
	run := func(src string, globals map[string]any) any {
		t.Helper()
		res, err := e.Run(context.Background(), mustProgram(t, src), RunOptions{Globals: globals})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		return res.Value
	}
	run("globalThis.stash = 'secret'; Function('sloppy = 1')(); return typeof secretHost",
		map[string]any{"secretHost": "tenant A"})
	got := run("return [typeof stash, typeof sloppy, typeof secretHost, Object.keys(globalThis).join()]", nil)
	if !reflect.DeepEqual(got, []any{"undefined", "undefined", "undefined", "globalThis"}) {
		t.Errorf("leaked: %#v", got)
	}
	// Host globals may shadow built-ins for their run only.
	if got := run("return Math", map[string]any{"Math": int64(1)}); got != int64(1) {
		t.Errorf("shadow: %v", got)
	}
	if got := run("return typeof Math.round", nil); got != "function" {
		t.Errorf("after shadow: %v", got)
	}
	// Formulas on the same runtime see no script globals either.
	if got, err := eval(t, e, "typeof stash + typeof sloppy"); err != nil || got != "undefinedundefined" {
		t.Errorf("formula sees script state: %v %v", got, err)
	}
}

func TestRunInputErrors(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{})
	p := mustProgram(t, "return 1")
	for _, g := range []map[string]any{
		{"not an identifier": 1}, {"class": 1}, {"input": 1},
		{"x": struct{}{}}, {"x": []any{make(chan int)}}, {"x": errors.New("go object")},
	} {
		_, err := e.Run(context.Background(), p, RunOptions{Globals: g})
		if !errs.HasCode(err, CodeInput) {
			t.Errorf("globals %v: %v", g, err)
		}
	}
	e.Close()
	_, err := e.Run(context.Background(), p, RunOptions{})
	wantCode(t, err, CodeClosed)
}

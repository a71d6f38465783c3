package script

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/internal/testkit"
)

// fixedNow is 2026-03-15 20:30 UTC, which is already 2026-03-16 04:30 in
// Asia/Shanghai: date functions must use the engine's zone.
var fixedNow = time.Date(2026, 3, 15, 20, 30, 0, 0, time.UTC)

func newTestEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return fixedNow }
	}
	e := New(opts)
	t.Cleanup(e.Close)
	return e
}

func mustFormula(t testing.TB, expr string, params ...string) *Formula {
	t.Helper()
	f, err := CompileFormula(expr, params)
	if err != nil {
		t.Fatalf("CompileFormula(%q): %v", expr, err)
	}
	return f
}

func mustProgram(t testing.TB, src string) *Program {
	t.Helper()
	p, err := Compile(src)
	if err != nil {
		t.Fatalf("Compile(%q): %v", src, err)
	}
	return p
}

func eval(t testing.TB, e *Engine, expr string) (any, error) {
	t.Helper()
	return e.EvalFormula(context.Background(), mustFormula(t, expr))
}

// wantCode fails unless err is an *errs.Error with code; it returns it.
var wantCode = testkit.WantCode

func fmtJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

package script

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// Per-core figures: go test ./engine/script -run '^$' -bench . -benchmem -cpu 1

func reportEvals(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
}

func BenchmarkFormulaSimple(b *testing.B) {
	e := newTestEngine(b, Options{})
	f := mustFormula(b, "price * qty", "price", "qty")
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := e.EvalFormula(ctx, f, 12.5, int64(i&7)); err != nil {
			b.Fatal(err)
		}
	}
	reportEvals(b)
}

func BenchmarkFormulaStdlib(b *testing.B) {
	e := newTestEngine(b, Options{})
	f := mustFormula(b, "ROUND(price * qty * 0.95, 2)", "price", "qty")
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := e.EvalFormula(ctx, f, 19.99, int64(i&7)); err != nil {
			b.Fatal(err)
		}
	}
	reportEvals(b)
}

// BenchmarkFormulaParallel measures the pool under contention (all cores).
func BenchmarkFormulaParallel(b *testing.B) {
	e := newTestEngine(b, Options{})
	f := mustFormula(b, "price * qty", "price", "qty")
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.EvalFormula(ctx, f, 12.5, int64(3)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportEvals(b)
}

func BenchmarkScriptRun(b *testing.B) {
	e := newTestEngine(b, Options{})
	p := mustProgram(b, `
let total = 0;
for (const it of input.items) total += it.price * it.qty;
const points = FLOOR(total * member.rate);
return {total, points};`)
	ctx := context.Background()
	opts := RunOptions{
		Input: map[string]any{"items": []any{
			map[string]any{"price": 1999, "qty": 2},
			map[string]any{"price": 500, "qty": 1},
		}},
		Globals: map[string]any{"member": map[string]any{"rate": 0.01}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Run(ctx, p, opts); err != nil {
			b.Fatal(err)
		}
	}
	reportEvals(b)
}

func BenchmarkCompileCached(b *testing.B) {
	params := []string{"price", "qty", "tier"}
	expr := `IF(tier == "gold", ROUND(price * qty * 0.9, 2), price * qty)`
	mustFormula(b, expr, params...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CompileFormula(expr, params); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewRuntime is the cost of one pooled runtime (setup, guards,
// freezing the intrinsics); paid once per pool slot.
func BenchmarkNewRuntime(b *testing.B) {
	e := newTestEngine(b, Options{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.newSlot(); err != nil {
			b.Fatal(err)
		}
	}
}

// The deadline options, measured around the same bare goja call of
// `price * qty` on one runtime, so the difference is the mechanism's cost.
func benchDeadline(b *testing.B, arm func(s *slot) func()) {
	e := newTestEngine(b, Options{})
	f := mustFormula(b, "price * qty", "price", "qty")
	s, err := e.acquire()
	if err != nil {
		b.Fatal(err)
	}
	fn, err := s.fn(f.id, f.prog)
	if err != nil {
		b.Fatal(err)
	}
	args := []goja.Value{s.rt.ToValue(12.5), s.rt.ToValue(3)}
	b.ReportAllocs()
	for b.Loop() {
		disarm := arm(s)
		if _, err := fn(goja.Undefined(), args...); err != nil {
			b.Fatal(err)
		}
		disarm()
	}
}

func BenchmarkDeadlineNone(b *testing.B) {
	benchDeadline(b, func(*slot) func() { return func() {} })
}

// BenchmarkDeadlineAfterFunc arms a runtime timer per call.
func BenchmarkDeadlineAfterFunc(b *testing.B) {
	benchDeadline(b, func(s *slot) func() {
		t := time.AfterFunc(DefaultFormulaTimeout, func() { s.rt.Interrupt(reasonTimeout) })
		return func() {
			if !t.Stop() {
				s.rt.ClearInterrupt()
			}
		}
	})
}

// BenchmarkDeadlineWallClock stores a time.Now-based deadline for a
// watchdog to compare (the variant that reads the clock per call).
func BenchmarkDeadlineWallClock(b *testing.B) {
	var d atomic.Int64
	benchDeadline(b, func(s *slot) func() {
		d.Store(time.Now().Add(DefaultFormulaTimeout).UnixNano())
		return func() { d.Swap(0) }
	})
}

// BenchmarkDeadlineWatchdog is what the engine does: tick-counter deadline.
func BenchmarkDeadlineWatchdog(b *testing.B) {
	var e *Engine
	benchDeadline(b, func(s *slot) func() {
		if e == nil {
			e = s.e
		}
		e.wd.arm(s, e.formulaTicks, nil)
		return func() { e.wd.disarm(s) }
	})
}

package script

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Many goroutines share the pool: results stay correct (run with -race),
// formulas and scripts interleave, and a slow script on one runtime does not
// disturb the others.
func TestConcurrentEvaluation(t *testing.T) {
	e := newTestEngine(t, Options{PoolSize: 2})
	f := mustFormula(t, "ROUND(price * qty * 0.95, 2)", "price", "qty")
	p := mustProgram(t, "let s = 0; for (const x of input) s += x; return s")
	var wg sync.WaitGroup
	errc := make(chan error, 64)
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				price, qty := float64(g)+0.5, int64(i%7+1)
				got, err := e.EvalFormula(context.Background(), f, price, qty)
				want := roundPlaces(price*float64(qty)*0.95, 2, halfAway)
				if err != nil || number(want) != got {
					errc <- errorf("formula(%v, %v) = %v, %v; want %v", price, qty, got, err, want)
					return
				}
				if i%20 == 0 {
					res, err := e.Run(context.Background(), p, RunOptions{Input: []int64{int64(g), int64(i), 1}})
					if err != nil || res.Value != int64(g+i+1) {
						errc <- errorf("script = %v, %v", res.Value, err)
						return
					}
				}
			}
		})
	}
	// Meanwhile a runaway script is stopped without affecting the rest.
	wg.Go(func() {
		_, err := e.Run(context.Background(), mustProgram(t, "while(true){}"), RunOptions{Timeout: 100 * time.Millisecond})
		if err == nil {
			errc <- errorf("runaway script was not stopped")
		}
	})
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
}

// A host function may use the engine again (e.g. evaluate a formula) even
// when every pooled runtime is busy: the pool never blocks.
func TestNestedUseDoesNotDeadlock(t *testing.T) {
	e := newTestEngine(t, Options{PoolSize: 1})
	f := mustFormula(t, "x * 2", "x")
	globals := map[string]any{
		"double": HostFunc(func(ctx context.Context, args []any) (any, error) {
			return e.EvalFormula(ctx, f, args[0])
		}),
	}
	res, err := e.Run(context.Background(), mustProgram(t, "return double(21)"), RunOptions{Globals: globals})
	if err != nil || res.Value != int64(42) {
		t.Fatalf("%v %v", res.Value, err)
	}
}

// The watchdog parks when idle and wakes for the next run.
func TestWatchdogParks(t *testing.T) {
	e := newTestEngine(t, Options{})
	if _, err := eval(t, e, "1"); err != nil {
		t.Fatal(err)
	}
	// A wait, not a speed assertion: parking takes parkAfter idle ticks,
	// and the bound only keeps a broken watchdog from hanging the test.
	deadline := time.Now().Add(30 * time.Second)
	for !e.wd.parked.Load() {
		if time.Now().After(deadline) {
			t.Fatal("watchdog did not park")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Parked, the watchdog counts no ticks: an idle engine costs nothing.
	parkedAt := e.wd.ticks.Load()
	time.Sleep(20 * time.Millisecond)
	if now := e.wd.ticks.Load(); now != parkedAt {
		t.Errorf("a parked watchdog ticked %d times", now-parkedAt)
	}
	// The next run wakes it: it counts the run's ticks again and stops the
	// loop at its deadline (a watchdog left asleep would never stop it).
	_, err := eval(t, e, "(() => { while (true) {} })()")
	wantCode(t, err, CodeTimeout)
	if n := e.wd.ticks.Load() - parkedAt; n < ticksFor(DefaultFormulaTimeout) {
		t.Errorf("the woken watchdog counted %d ticks, want at least %d", n, ticksFor(DefaultFormulaTimeout))
	}
}

func TestCloseStopsWatchdog(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 20 {
		e := New(Options{})
		_, _ = e.EvalFormula(context.Background(), mustFormula(t, "1"))
		e.Close()
	}
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Errorf("goroutines %d -> %d: watchdogs not stopped", before, after)
	}
}

package ledger_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/internal/testkit"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/store"
)

const app = "crm"

// clock is a settable test clock.
type clock struct{ *testkit.Clock }

// Advance moves the clock on by d.
func (c clock) Advance(d time.Duration) { c.Add(d) }

// env is a ledger over a fresh store.
type env struct {
	t     *testing.T
	ctx   context.Context
	st    store.Store
	l     *ledger.Ledger
	clock clock
}

// eachStore runs fn on the embedded SQLite store and on the Mongo adapter
// over lungo: the same test on both backends. After fn, Reconcile must
// find every account of the app consistent.
func eachStore(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, backend := range []string{"sqlite", "lungo"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, backend))
		})
	}
}

func newEnv(t *testing.T, backend string) *env {
	t.Helper()
	ctx := context.Background()
	uri := "lungo://memory"
	if backend == "sqlite" {
		uri = testkit.SQLiteURI(t, "ledger.db")
	}
	st := testkit.Open(t, uri)
	c := clock{testkit.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))}
	e := &env{t: t, ctx: ctx, st: st, l: ledger.New(st, ledger.Options{Now: c.Now}), clock: c}
	if err := e.l.Init(ctx); err != nil {
		t.Fatalf("init: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		rep, err := e.l.Reconcile(ctx, app)
		if err != nil {
			t.Errorf("reconcile: %v", err)
			return
		}
		if len(rep.Mismatches) > 0 {
			t.Errorf("reconcile after the test: %+v", rep.Mismatches)
		}
	})
	return e
}

// posting is a points posting of app with defaults filled in.
func posting(owner string, amount int64, key string) ledger.Posting {
	typ := "earn"
	if amount < 0 {
		typ = "redeem"
	}
	return ledger.Posting{App: app, Owner: owner, Kind: "points", Unit: ledger.UnitPoint, Amount: amount,
		Key: key, Type: typ, By: "tester"}
}

func (e *env) post(p ledger.Posting) ledger.Entry {
	e.t.Helper()
	en, err := e.l.PostTx(e.ctx, p)
	if err != nil {
		e.t.Fatalf("post %+v: %v", p, err)
	}
	return en
}

// expectCode fails unless err is a coded error with code (and class).
func expectCode(t *testing.T, err error, code string, class errs.Class) *errs.Error {
	t.Helper()
	ce, ok := errs.As(err)
	if !ok || ce.Code != code || ce.Class != class {
		t.Fatalf("error %v, want %s (class %d)", err, code, class)
	}
	return ce
}

func (e *env) balance(owner, kind string) int64 {
	e.t.Helper()
	b, err := e.l.Balance(e.ctx, app, owner, kind)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) lots(owner string) []ledger.Lot {
	e.t.Helper()
	a, err := e.l.Account(e.ctx, app, owner, "points")
	if err != nil {
		e.t.Fatal(err)
	}
	lots, err := e.l.Lots(e.ctx, a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return lots
}

func (e *env) entries(f ledger.EntryFilter) []ledger.Entry {
	e.t.Helper()
	var all []ledger.Entry
	cursor := ""
	for {
		pg, err := e.l.Entries(e.ctx, app, f, 7, cursor)
		if err != nil {
			e.t.Fatal(err)
		}
		all = append(all, pg.Items...)
		if pg.Next == "" {
			return all
		}
		cursor = pg.Next
	}
}

// runConcurrently runs fn(0..n-1) on n goroutines released together.
func runConcurrently(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

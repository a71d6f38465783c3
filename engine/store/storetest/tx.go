package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var errRollback = errors.New("storetest: roll back")

// txState is three collections a transaction writes to: an insert target,
// an account updated in place, and a document deleted.
type txState struct {
	orders, accounts, coupons string
}

func newTxState(t *testing.T, st store.Store) txState {
	t.Helper()
	s := txState{coll("txorders"), coll("txaccounts"), coll("txcoupons")}
	_, err := st.Insert(t.Context(), s.accounts, store.Doc{"_id": "acct", "balance": 100})
	mustNil(t, err, "insert account")
	_, err = st.Insert(t.Context(), s.coupons, store.Doc{"_id": "cp", "used": false})
	mustNil(t, err, "insert coupon")
	return s
}

// writes performs the transaction's three writes.
func (s txState) writes(ctx context.Context, tx store.Ops) error {
	if _, err := tx.Insert(ctx, s.orders, store.Doc{"_id": "o1", "total": 30, "note": "会员订单"}); err != nil {
		return err
	}
	if _, err := tx.Update(ctx, s.accounts, "acct", store.Patch{Inc: map[string]int64{"balance": -30}},
		query.Cmp(raceFields["balance"], query.OpGte, query.Int(30))); err != nil {
		return err
	}
	return tx.Delete(ctx, s.coupons, "cp", nil)
}

// check asserts either every write is visible (committed) or none is.
func (s txState) check(t *testing.T, st store.Store, committed bool) {
	t.Helper()
	ctx := t.Context()
	_, errOrder := st.Get(ctx, s.orders, "o1")
	acct, err := st.Get(ctx, s.accounts, "acct")
	mustNil(t, err, "get account")
	_, errCoupon := st.Get(ctx, s.coupons, "cp")
	bal := acct["balance"]
	if committed {
		if errOrder != nil || bal != num("70") || !errors.Is(errCoupon, store.ErrNotFound) {
			t.Errorf("after commit: order err=%v, balance=%v, coupon err=%v; want order, 70, coupon deleted", errOrder, bal, errCoupon)
		}
		return
	}
	if !errors.Is(errOrder, store.ErrNotFound) || bal != num("100") || errCoupon != nil {
		t.Errorf("after rollback: order err=%v, balance=%v, coupon err=%v; want no order, 100, coupon kept", errOrder, bal, errCoupon)
	}
}

func (s *suite) tx(t *testing.T) {
	st := s.open(t)

	t.Run("Commit", func(t *testing.T) {
		t.Parallel()
		ts := newTxState(t, st)
		err := st.Tx(t.Context(), func(tx store.Ops) error { return ts.writes(t.Context(), tx) })
		mustNil(t, err, "tx")
		ts.check(t, st, true)
	})

	t.Run("ErrorRollsBack", func(t *testing.T) {
		t.Parallel()
		ts := newTxState(t, st)
		err := st.Tx(t.Context(), func(tx store.Ops) error {
			if err := ts.writes(t.Context(), tx); err != nil {
				return err
			}
			return errRollback
		})
		wantIs(t, err, errRollback, "Tx must return fn's error")
		ts.check(t, st, false)
	})

	t.Run("FailedWriteRollsBack", func(t *testing.T) {
		t.Parallel()
		ts := newTxState(t, st)
		err := st.Tx(t.Context(), func(tx store.Ops) error {
			if err := ts.writes(t.Context(), tx); err != nil {
				return err
			}
			// A conditional update that fails ends the transaction.
			_, err := tx.Update(t.Context(), ts.accounts, "acct", store.Patch{Inc: map[string]int64{"balance": -500}},
				query.Cmp(raceFields["balance"], query.OpGte, query.Int(500)))
			return err
		})
		wantIs(t, err, store.ErrConditionFailed, "Tx must return the failed update's error")
		ts.check(t, st, false)
	})

	t.Run("PanicRollsBackAndPropagates", func(t *testing.T) {
		t.Parallel()
		ts := newTxState(t, st)
		type boom struct{ msg string }
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			_ = st.Tx(t.Context(), func(tx store.Ops) error {
				if err := ts.writes(t.Context(), tx); err != nil {
					return err
				}
				panic(boom{"会员 panic"})
			})
		}()
		if recovered != (boom{"会员 panic"}) {
			t.Errorf("recovered %#v, want the panic value boom{\"会员 panic\"}", recovered)
		}
		ts.check(t, st, false)
		// The store still works after a panicking transaction.
		err := st.Tx(t.Context(), func(tx store.Ops) error { return ts.writes(t.Context(), tx) })
		mustNil(t, err, "tx after a panic")
		ts.check(t, st, true)
	})

	t.Run("ReadsOwnWrites", func(t *testing.T) {
		t.Parallel()
		ts := newTxState(t, st)
		ctx := t.Context()
		err := st.Tx(ctx, func(tx store.Ops) error {
			if err := ts.writes(ctx, tx); err != nil {
				return err
			}
			if d, err := tx.Get(ctx, ts.orders, "o1"); err != nil || d["note"] != "会员订单" {
				t.Errorf("get own insert: %v %v", d, err)
			}
			if d, err := tx.Get(ctx, ts.accounts, "acct"); err != nil || d["balance"] != num("70") {
				t.Errorf("get own update: %v %v", d, err)
			}
			if _, err := tx.Get(ctx, ts.coupons, "cp"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("get own delete: %v", err)
			}
			f := query.Cmp(raceFields["balance"], query.OpLt, query.Int(100))
			if docs, err := tx.Find(ctx, ts.accounts, store.Query{Filter: f}); err != nil || len(docs) != 1 {
				t.Errorf("find sees own update: %v %v", docs, err)
			}
			if n, err := tx.Count(ctx, ts.orders, nil); err != nil || n != 1 {
				t.Errorf("count sees own insert: %d %v", n, err)
			}
			if n, err := tx.Count(ctx, ts.coupons, nil); err != nil || n != 0 {
				t.Errorf("count sees own delete: %d %v", n, err)
			}
			if s.h.NoAggregate == "" {
				spec := &query.Aggregate{Measures: []query.Measure{{Fn: query.FnCount, As: "n"}}, Location: query.DefaultLocation}
				rows, err := tx.Aggregate(ctx, ts.orders, spec)
				if err != nil || len(rows) != 1 || rows[0]["n"] != num("1") {
					t.Errorf("aggregate sees own insert: %v %v", rows, err)
				}
			}
			if _, err := tx.Insert(ctx, ts.orders, store.Doc{"_id": "o1"}); !errors.Is(err, store.ErrDuplicate) {
				t.Errorf("insert over own insert: want ErrDuplicate, got %v", err)
			}
			return errRollback
		})
		wantIs(t, err, errRollback, "tx")
		ts.check(t, st, false)
	})

	t.Run("ConcurrentTransfers", func(t *testing.T) { s.transfers(t, st) })
	t.Run("ReadModifyWrite", func(t *testing.T) { s.readModifyWrite(t, st) })
}

// readModifyWrite increments a counter by reading it and writing the new
// value inside transactions (no Inc, no condition): a transaction may not
// commit over a write it did not see, so no increment is lost.
func (s *suite) readModifyWrite(t *testing.T, st store.Store) {
	ctx, cancel := context.WithTimeout(t.Context(), raceTimeout)
	defer cancel()
	c := coll("rmw")
	_, err := st.Insert(ctx, c, store.Doc{"_id": "n", "v": 0})
	mustNil(t, err, "insert")
	const workers = 30
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.Tx(ctx, func(tx store.Ops) error {
				d, err := tx.Get(ctx, c, "n")
				if err != nil {
					return err
				}
				r, ok := toRat(d["v"])
				if !ok {
					return fmt.Errorf("v is %#v", d["v"])
				}
				_, err = tx.Update(ctx, c, "n", store.Patch{Set: map[string]any{"v": r.Num().Int64() + 1}}, nil)
				return err
			})
		}()
	}
	wg.Wait()
	committed := 0
	for i, err := range errs {
		switch {
		case err == nil:
			committed++
		case errors.Is(err, store.ErrConflict):
		default:
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	d, err := st.Get(ctx, c, "n")
	mustNil(t, err, "get")
	if d["v"] != num(fmt.Sprint(committed)) {
		t.Errorf("counter = %v after %d committed read-modify-write transactions (lost updates)", d["v"], committed)
	}
	if committed < workers/2 {
		t.Errorf("only %d of %d transactions committed: the adapter should retry transient conflicts", committed, workers)
	}
}

// transfers moves random amounts between two accounts from many goroutines,
// each move a transaction that also writes a log entry; the sum of the
// balances never changes and the log explains each balance exactly.
func (s *suite) transfers(t *testing.T, st store.Store) {
	ctx, cancel := context.WithTimeout(t.Context(), raceTimeout)
	defer cancel()
	accts, logs := coll("xferacct"), coll("xferlog")
	for _, id := range []string{"A", "B"} {
		_, err := st.Insert(ctx, accts, store.Doc{"_id": id, "balance": 1000})
		mustNil(t, err, "insert %s", id)
	}
	const workers, each = 20, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	var okCount, refused, conflicts int
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				from, to := "A", "B"
				if rand.IntN(2) == 0 {
					from, to = to, from
				}
				amt := int64(rand.IntN(300) + 1)
				err := st.Tx(ctx, func(tx store.Ops) error {
					cond := query.Cmp(raceFields["balance"], query.OpGte, query.Int(amt))
					if _, err := tx.Update(ctx, accts, from, store.Patch{Inc: map[string]int64{"balance": -amt}}, cond); err != nil {
						return err
					}
					if _, err := tx.Update(ctx, accts, to, store.Patch{Inc: map[string]int64{"balance": amt}}, nil); err != nil {
						return err
					}
					_, err := tx.Insert(ctx, logs, store.Doc{"from": from, "amt": amt})
					return err
				})
				mu.Lock()
				switch {
				case err == nil:
					okCount++
				case errors.Is(err, store.ErrConditionFailed):
					refused++
				case errors.Is(err, store.ErrConflict):
					conflicts++ // allowed after the adapter's own retries
				default:
					t.Errorf("transfer: %v", err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	a, err := st.Get(ctx, accts, "A")
	mustNil(t, err, "get A")
	b, err := st.Get(ctx, accts, "B")
	mustNil(t, err, "get B")
	ra, _ := toRat(a["balance"])
	rb, _ := toRat(b["balance"])
	if ra == nil || rb == nil {
		t.Fatalf("balances %v %v", a["balance"], b["balance"])
	}
	balA, balB := ra.Num().Int64(), rb.Num().Int64()
	if balA+balB != 2000 || balA < 0 || balB < 0 {
		t.Errorf("balances A=%d B=%d: the sum must stay 2000 and neither may go negative", balA, balB)
	}
	entries, err := st.Find(ctx, logs, store.Query{})
	mustNil(t, err, "find log")
	if len(entries) != okCount {
		t.Errorf("%d log entries for %d committed transfers", len(entries), okCount)
	}
	wantA := int64(1000)
	for _, e := range entries {
		amt, _ := toRat(e["amt"])
		if e["from"] == "A" {
			wantA -= amt.Num().Int64()
		} else {
			wantA += amt.Num().Int64()
		}
	}
	if balA != wantA {
		t.Errorf("A = %d, but the committed log entries give %d", balA, wantA)
	}
	if conflicts > workers*each/2 {
		t.Errorf("%d of %d transfers failed with ErrConflict: the adapter should retry transient conflicts", conflicts, workers*each)
	}
	t.Logf("%d committed, %d refused (insufficient balance), %d conflicts", okCount, refused, conflicts)
}

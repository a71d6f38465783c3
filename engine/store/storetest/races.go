package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var raceFields = query.NewFields(
	query.Field{Path: "balance", Kind: query.KindInt},
	query.Field{Path: "used", Kind: query.KindBool},
)

// raceTimeout turns a deadlocked adapter into a failure instead of a hung
// test run.
const raceTimeout = 2 * time.Minute

func (s *suite) races(t *testing.T) {
	st := s.open(t)

	t.Run("NoOverdraw", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), raceTimeout)
		defer cancel()
		c := coll("balance")
		const start = 1000
		_, err := st.Insert(ctx, c, store.Doc{"_id": "acct", "balance": start})
		mustNil(t, err, "insert account")
		type result struct {
			amount int64
			err    error
		}
		const workers = 100
		results := make([]result, workers)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := 0; i < workers; i++ {
			wg.Add(1)
			amount := int64(rand.IntN(50) + 1)
			go func() {
				defer wg.Done()
				<-gate
				cond := query.Cmp(raceFields["balance"], query.OpGte, query.Int(amount))
				_, err := st.Update(ctx, c, "acct", store.Patch{Inc: map[string]int64{"balance": -amount}}, cond)
				results[i] = result{amount, err}
			}()
		}
		close(gate)
		wg.Wait()
		doc, err := st.Get(ctx, c, "acct")
		mustNil(t, err, "get account")
		final, ok := toRat(doc["balance"])
		if !ok || !final.IsInt() {
			t.Fatalf("balance is %#v", doc["balance"])
		}
		fin := final.Num().Int64()
		var spent, ok2, failed int64
		for _, r := range results {
			switch {
			case r.err == nil:
				spent += r.amount
				ok2++
			case errors.Is(r.err, store.ErrConditionFailed):
				failed++
				// The balance only goes down, so a refused amount must
				// exceed the final balance too.
				if r.amount <= fin {
					t.Errorf("a decrement of %d was refused but the final balance is %d", r.amount, fin)
				}
			default:
				t.Errorf("decrement of %d: want nil or ErrConditionFailed, got %v", r.amount, r.err)
			}
		}
		if fin < 0 {
			t.Errorf("balance went below zero: %d", fin)
		}
		if start-fin != spent {
			t.Errorf("start %d - final %d = %d, but successful decrements sum to %d", start, fin, start-fin, spent)
		}
		t.Logf("%d succeeded, %d refused, final balance %d", ok2, failed, fin)
	})

	t.Run("SingleUseCoupon", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), raceTimeout)
		defer cancel()
		c := coll("coupon")
		_, err := st.Insert(ctx, c, store.Doc{"_id": "cp", "used": false})
		mustNil(t, err, "insert coupon")
		const workers = 50
		errs := make([]error, workers)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		cond := mustFilter(t, `{"used":false}`, raceFields)
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				_, errs[i] = st.Update(ctx, c, "cp", store.Patch{Set: map[string]any{"used": true, "by": fmt.Sprint(i)}}, cond)
			}()
		}
		close(gate)
		wg.Wait()
		winners := 0
		winner := ""
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
				winner = fmt.Sprint(i)
			case errors.Is(err, store.ErrConditionFailed):
			default:
				t.Errorf("redeemer %d: want nil or ErrConditionFailed, got %v", i, err)
			}
		}
		if winners != 1 {
			t.Fatalf("%d redeemers succeeded, want exactly 1", winners)
		}
		doc, err := st.Get(ctx, c, "cp")
		mustNil(t, err, "get coupon")
		if doc["used"] != true || doc["by"] != winner {
			t.Errorf("coupon = %v, want used by %s", doc, winner)
		}
	})

	t.Run("IncIsAtomic", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), raceTimeout)
		defer cancel()
		c := coll("counter")
		_, err := st.Insert(ctx, c, store.Doc{"_id": "n", "hits": 0})
		mustNil(t, err, "insert counter")
		const workers = 100
		var wg sync.WaitGroup
		errs := make([]error, workers)
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = st.Update(ctx, c, "n", store.Patch{Inc: map[string]int64{"hits": 1, "stats.byWorker": int64(i)}}, nil)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("increment %d: %v", i, err)
			}
		}
		doc, err := st.Get(ctx, c, "n")
		mustNil(t, err, "get counter")
		if doc["hits"] != num("100") || lookup(doc, "stats.byWorker") != num("4950") {
			t.Errorf("after 100 concurrent increments: hits=%v stats.byWorker=%v, want 100 and 4950 (lost updates)", doc["hits"], lookup(doc, "stats.byWorker"))
		}
	})

	t.Run("InsertSameIDOnce", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), raceTimeout)
		defer cancel()
		c := coll("sameid")
		// An idempotency key held as the id: exactly one insert wins.
		n := raceOnce(t, 50, func(i int) error {
			_, err := st.Insert(ctx, c, store.Doc{"_id": "idem-会员-1", "by": i})
			return err
		}, store.ErrDuplicate)
		if n != 1 {
			t.Errorf("%d inserts of one id succeeded, want exactly 1", n)
		}
	})

	t.Run("UniqueIndexOnce", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), raceTimeout)
		defer cancel()
		c := coll("sameidx")
		mustNil(t, st.EnsureIndexes(ctx, c, []store.Index{{Name: "key_u", Fields: []string{"key"}, Unique: true}}), "ensure index")
		n := raceOnce(t, 50, func(i int) error {
			_, err := st.Insert(ctx, c, store.Doc{"key": "k1", "by": i})
			return err
		}, store.ErrDuplicate)
		if n != 1 {
			t.Errorf("%d inserts of one unique key succeeded, want exactly 1", n)
		}
		cnt, err := st.Count(ctx, c, nil)
		mustNil(t, err, "count")
		if cnt != 1 {
			t.Errorf("%d documents hold the unique key", cnt)
		}
	})

	t.Run("DeleteOnce", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), raceTimeout)
		defer cancel()
		c := coll("delonce")
		_, err := st.Insert(ctx, c, store.Doc{"_id": "x"})
		mustNil(t, err, "insert")
		n := raceOnce(t, 30, func(int) error { return st.Delete(ctx, c, "x", nil) }, store.ErrNotFound)
		if n != 1 {
			t.Errorf("%d deletes of one document succeeded, want exactly 1", n)
		}
	})
}

// raceOnce starts workers calls at once and returns how many succeeded;
// every failure must be loser.
func raceOnce(t *testing.T, workers int, call func(i int) error, loser error) int {
	t.Helper()
	errs := make([]error, workers)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			errs[i] = call(i)
		}()
	}
	close(gate)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, loser):
			t.Errorf("call %d: want nil or %v, got %v", i, loser, err)
		}
	}
	return ok
}

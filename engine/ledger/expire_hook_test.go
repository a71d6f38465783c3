package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/store"
)

// TestExpireHook: the store's expire hook sees every expiry entry inside
// its transaction (what it writes there commits with the entry), and a
// failing hook fails the lot's expiry with nothing written, so the next
// run expires it.
func TestExpireHook(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		e.expiring("m1", 30, "m1-a", time.Hour)
		e.expiring("m2", 50, "m2-a", time.Hour)
		e.clock.Advance(2 * time.Hour)

		fail := errors.New("mirror unavailable")
		ledger.SetExpireHook(e.st, func(context.Context, store.Ops, ledger.Entry) error { return fail })
		t.Cleanup(func() { ledger.SetExpireHook(e.st, nil) })
		res, err := e.l.Expire(e.ctx, app, e.clock.Now())
		if !errors.Is(err, fail) || res != (ledger.ExpireResult{Failed: 2}) {
			t.Fatalf("failing hook: %+v %v", res, err)
		}
		if len(e.entries(ledger.EntryFilter{Type: "expire"})) != 0 || e.balance("m1", "points") != 30 {
			t.Fatal("a failed expiry left an entry or moved the balance")
		}

		seen := map[string]int64{}
		ledger.SetExpireHook(e.st, func(ctx context.Context, tx store.Ops, x ledger.Entry) error {
			seen[x.Owner] = x.BalanceAfter
			_, err := tx.Insert(ctx, "test_mirrors", store.Doc{"_id": x.Owner, "points": x.BalanceAfter})
			return err
		})
		res, err = e.l.Expire(e.ctx, app, e.clock.Now())
		if err != nil || res != (ledger.ExpireResult{Expired: 2}) {
			t.Fatalf("expire: %+v %v", res, err)
		}
		if seen["m1"] != 0 || seen["m2"] != 0 || len(seen) != 2 {
			t.Fatalf("hook saw %v", seen)
		}
		for _, owner := range []string{"m1", "m2"} {
			if d, err := e.st.Get(e.ctx, "test_mirrors", owner); err != nil || d["points"] == nil {
				t.Fatalf("the hook's write for %s did not commit: %v %v", owner, d, err)
			}
		}
	})
}

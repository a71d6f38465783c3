package ledger_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/store"
)

// TestReconcile: a consistent ledger reports nothing; a balance or a lot
// written behind the ledger's back is found and named.
func TestReconcile(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		for i := range 7 {
			owner := fmt.Sprintf("m%d", i)
			e.expiring(owner, 100, owner+"a", 10*day)
			e.post(posting(owner, 50, owner+"b"))
			e.post(posting(owner, -int64(20*i+10), owner+"c"))
		}
		rep, err := e.l.Reconcile(e.ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		method := map[string]string{"sqlite": "aggregate", "lungo": "scan"}[e.st.Backend()]
		if rep.Accounts != 7 || rep.Entries != 21 || len(rep.Mismatches) != 0 || rep.Method != method {
			t.Fatalf("report %+v, want 7 accounts, 21 entries, method %s", rep, method)
		}

		// Plant a bad balance and a bad lot directly through the store.
		plant := func(coll, id, field string, by int64) {
			t.Helper()
			if _, err := e.st.Update(e.ctx, coll, id, store.Patch{Inc: map[string]int64{field: by}}, nil); err != nil {
				t.Fatal(err)
			}
		}
		plant(ledger.CollAccounts, "crm:points:m2", "balance", 5)
		lot := e.lots("m4")[0]
		plant(ledger.CollLots, lot.ID, "remaining", -200)
		rep, err = e.l.Reconcile(e.ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		want := []ledger.Mismatch{
			{Account: "crm:points:m2", Owner: "m2", Kind: "points", Balance: 105, SumOfEntries: 100,
				LotsRemaining: 50, AccountLots: 50, Problems: []string{ledger.ProblemBalance}},
			{Account: "crm:points:m4", Owner: "m4", Kind: "points", Balance: 60, SumOfEntries: 60,
				LotsRemaining: -190, AccountLots: 10, Problems: []string{ledger.ProblemLotsTotal, ledger.ProblemNegativeLot}},
		}
		if !reflect.DeepEqual(rep.Mismatches, want) {
			t.Fatalf("mismatches\n got %+v\nwant %+v", rep.Mismatches, want)
		}
		// Undo the damage so the check after the test passes.
		plant(ledger.CollAccounts, "crm:points:m2", "balance", -5)
		plant(ledger.CollLots, lot.ID, "remaining", 200)
	})
}

// TestReconcilePaging: more accounts than one page, over both stores.
func TestReconcilePaging(t *testing.T) {
	if testing.Short() {
		t.Skip("posts 600 accounts")
	}
	eachStore(t, func(t *testing.T, e *env) {
		err := e.st.Tx(e.ctx, func(tx store.Ops) error {
			for i := range 600 {
				p := posting(fmt.Sprintf("p%03d", i), int64(i+1), fmt.Sprintf("k%d", i))
				p.ExpiresAt = e.clock.Now().Add(time.Hour)
				if _, err := e.l.Post(e.ctx, tx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := e.l.Reconcile(e.ctx, app)
		if err != nil || rep.Accounts != 600 || rep.Entries != 600 || len(rep.Mismatches) != 0 {
			t.Fatalf("report %+v %v", rep, err)
		}
	})
}

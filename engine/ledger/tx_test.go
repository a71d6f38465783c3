package ledger_test

import (
	"errors"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/store"
)

// TestAtomicWithCallersTx: posts made inside a caller's transaction commit
// with it or not at all.
func TestAtomicWithCallersTx(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		e.post(ledger.Posting{App: app, Owner: "m1", Kind: "sv_principal", Unit: ledger.UnitFen, Amount: 5000,
			Key: "top", Type: "topup"})
		points := posting("m1", 88, "sale-1:points")
		pay := ledger.Posting{App: app, Owner: "m1", Kind: "sv_principal", Unit: ledger.UnitFen, Amount: -8800,
			Key: "sale-1:sv", Type: "pay", Ref: "sale-1"}
		wantNothing := func(step string) {
			t.Helper()
			if b := e.balance("m1", "points"); b != 0 {
				t.Fatalf("%s: points %d written", step, b)
			}
			if b := e.balance("m1", "sv_principal"); b != 5000 {
				t.Fatalf("%s: stored value %d", step, b)
			}
			if n := len(e.entries(ledger.EntryFilter{Owner: "m1"})); n != 1 {
				t.Fatalf("%s: %d entries", step, n)
			}
		}

		// The caller fails after posting: nothing is written.
		boom := errors.New("sale record refused")
		err := e.st.Tx(e.ctx, func(tx store.Ops) error {
			if _, err := e.l.Post(e.ctx, tx, points); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("tx: %v", err)
		}
		wantNothing("caller error")

		// Points, then a stored-value payment the balance cannot cover:
		// neither is written.
		err = e.st.Tx(e.ctx, func(tx store.Ops) error {
			if _, err := e.l.Post(e.ctx, tx, points); err != nil {
				return err
			}
			_, err := e.l.Post(e.ctx, tx, pay)
			return err
		})
		expectCode(t, err, "ledger.insufficient_balance", errs.Unprocessable)
		wantNothing("second post refused")

		// Both with a sale record, when the balance covers it.
		pay.Amount = -4800
		var got [2]ledger.Entry
		err = e.st.Tx(e.ctx, func(tx store.Ops) error {
			var err error
			if got[0], err = e.l.Post(e.ctx, tx, points); err != nil {
				return err
			}
			if got[1], err = e.l.Post(e.ctx, tx, pay); err != nil {
				return err
			}
			_, err = tx.Insert(e.ctx, "sales", store.Doc{"_id": "sale-1", "total": int64(8800)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if e.balance("m1", "points") != 88 || e.balance("m1", "sv_principal") != 200 || got[1].BalanceAfter != 200 {
			t.Fatalf("after the sale: %+v", got)
		}
		// Replaying the whole checkout writes nothing new.
		err = e.st.Tx(e.ctx, func(tx store.Ops) error {
			for i, p := range []ledger.Posting{points, pay} {
				en, err := e.l.Post(e.ctx, tx, p)
				if err != nil {
					return err
				}
				if en.ID != got[i].ID {
					t.Errorf("replay %d gave entry %s, want %s", i, en.ID, got[i].ID)
				}
			}
			return nil
		})
		if err != nil || e.balance("m1", "sv_principal") != 200 {
			t.Fatalf("replayed checkout: %v", err)
		}
	})
}

package ledger_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ledger"
)

// TestReverseDebit: a reversed debit gives its lots back exactly; an entry
// is reversed once; the same request again is a replay.
func TestReverseDebit(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		a := e.expiring("m1", 100, "a", 10*day)
		b := e.expiring("m1", 50, "b", 5*day)
		e.post(posting("m1", 30, "c"))
		x := e.post(posting("m1", -160, "x")) // b 50, a 100, 10 unlotted
		if len(x.Lots) != 2 || len(e.lots("m1")) != 0 {
			t.Fatalf("debit %+v", x)
		}
		r, err := e.l.ReverseTx(e.ctx, app, x.ID, "refund-1", "clerk")
		if err != nil {
			t.Fatal(err)
		}
		if r.Amount != 160 || r.Type != "reversal" || r.Reverses != x.ID || r.Key != "reverse:"+x.ID ||
			r.RequestKey != "refund-1" || r.BalanceAfter != 180 || !reflect.DeepEqual(r.Lots, x.Lots) {
			t.Fatalf("reversal %+v", r)
		}
		if got := e.remaining("m1"); !reflect.DeepEqual(got, map[string]int64{a.Lot: 100, b.Lot: 50}) {
			t.Fatalf("lots after reversal %v", got)
		}
		again, err := e.l.ReverseTx(e.ctx, app, x.ID, "refund-1", "clerk")
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("replay %+v %v, want %+v", again, err, r)
		}
		_, err = e.l.ReverseTx(e.ctx, app, x.ID, "refund-2", "clerk")
		expectCode(t, err, "ledger.already_reversed", errs.Conflict)
		_, err = e.l.ReverseTx(e.ctx, app, x.ID, "", "clerk")
		expectCode(t, err, "ledger.already_reversed", errs.Conflict)
		_, err = e.l.ReverseTx(e.ctx, app, r.ID, "r", "clerk")
		expectCode(t, err, "ledger.not_reversible", errs.Unprocessable)
		_, err = e.l.ReverseTx(e.ctx, "other", x.ID, "r", "clerk")
		expectCode(t, err, "ledger.entry_not_found", errs.NotFound)
		_, err = e.l.ReverseTx(e.ctx, app, "nope", "r", "clerk")
		expectCode(t, err, "ledger.entry_not_found", errs.NotFound)
		if b := e.balance("m1", "points"); b != 180 {
			t.Fatalf("balance %d", b)
		}

		// Ten requests with different keys reverse one debit at once: one
		// reversal, nine refusals.
		y := e.post(posting("m1", -100, "y"))
		errc := make([]error, 10)
		runConcurrently(10, func(i int) {
			_, errc[i] = e.l.ReverseTx(e.ctx, app, y.ID, fmt.Sprintf("refund-y-%d", i), "clerk")
		})
		done := 0
		for _, err := range errc {
			switch {
			case err == nil:
				done++
			case !errs.HasCode(err, "ledger.already_reversed"):
				t.Fatalf("concurrent reversal: %v", err)
			}
		}
		if done != 1 || e.balance("m1", "points") != 180 {
			t.Fatalf("%d reversals, balance %d", done, e.balance("m1", "points"))
		}
	})
}

// TestReverseCredit: a credit is taken back from its own lot first; when
// part of it was spent the account must cover the rest, else
// ledger.reversal_insufficient and nothing changes.
func TestReverseCredit(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		a := e.expiring("m1", 100, "a", 10*day)
		e.post(posting("m1", 50, "b"))
		e.post(posting("m1", -120, "x")) // lot a 100, 20 unlotted: 30 left
		_, err := e.l.ReverseTx(e.ctx, app, a.ID, "undo-a", "clerk")
		expectCode(t, err, "ledger.reversal_insufficient", errs.Unprocessable)
		if b := e.balance("m1", "points"); b != 30 {
			t.Fatalf("a refused reversal changed the balance to %d", b)
		}
		c := e.expiring("m1", 80, "c", 20*day)
		r, err := e.l.ReverseTx(e.ctx, app, a.ID, "undo-a", "clerk")
		if err != nil {
			t.Fatal(err)
		}
		// Lot a is empty: 100 from lot c (80) and the unlotted 20.
		if r.Amount != -100 || r.BalanceAfter != 10 || !reflect.DeepEqual(r.Lots, []ledger.Allocation{{Lot: c.Lot, Amount: 80}}) {
			t.Fatalf("reversal %+v", r)
		}
		// A partly spent credit: what is left of its lot, then the rest
		// from the account's next lot.
		d := e.expiring("m2", 60, "d", 5*day)
		f := e.expiring("m2", 60, "f", 10*day)
		e.post(posting("m2", -20, "y")) // from lot d
		r, err = e.l.ReverseTx(e.ctx, app, d.ID, "", "clerk")
		want := []ledger.Allocation{{Lot: d.Lot, Amount: 40}, {Lot: f.Lot, Amount: 20}}
		if err != nil || !reflect.DeepEqual(r.Lots, want) || r.BalanceAfter != 40 {
			t.Fatalf("reversal %+v %v", r, err)
		}
		if got := e.remaining("m2"); !reflect.DeepEqual(got, map[string]int64{f.Lot: 40}) {
			t.Fatalf("lots %v", got)
		}
	})
}

// TestReverseAfterExpiry: a debit reversed after its lot expired refills
// the lot, and the next Expire expires it again under a new key.
func TestReverseAfterExpiry(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		a := e.expiring("m1", 100, "a", time.Hour)
		x := e.post(posting("m1", -40, "x"))
		e.clock.Advance(2 * time.Hour)
		if res, err := e.l.Expire(e.ctx, app, e.clock.Now()); err != nil || res.Expired != 1 {
			t.Fatalf("expire: %+v %v", res, err)
		}
		if _, err := e.l.ReverseTx(e.ctx, app, x.ID, "refund", "clerk"); err != nil {
			t.Fatal(err)
		}
		if av, _ := e.l.Available(e.ctx, app, "m1", "points"); av != 0 {
			t.Fatalf("refilled expired points are available: %d", av)
		}
		if res, err := e.l.Expire(e.ctx, app, e.clock.Now()); err != nil || res.Expired != 1 {
			t.Fatalf("second expire: %+v %v", res, err)
		}
		ex := e.entries(ledger.EntryFilter{Type: "expire"})
		if len(ex) != 2 || ex[0].Key != "expire:"+a.Lot+":2" || ex[0].Amount != -40 || ex[1].Key != "expire:"+a.Lot {
			t.Fatalf("expire entries %+v", ex)
		}
		if b := e.balance("m1", "points"); b != 0 {
			t.Fatalf("balance %d", b)
		}
		_, err := e.l.ReverseTx(e.ctx, app, ex[0].ID, "", "clerk")
		expectCode(t, err, "ledger.not_reversible", errs.Unprocessable)
	})
}

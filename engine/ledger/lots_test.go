package ledger_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ledger"
)

const day = 24 * time.Hour

// expiring is a points credit that expires after d.
func (e *env) expiring(owner string, amount int64, key string, d time.Duration) ledger.Entry {
	e.t.Helper()
	p := posting(owner, amount, key)
	p.ExpiresAt = e.clock.Now().Add(d)
	return e.post(p)
}

// remaining maps lot id to remaining for owner's open lots.
func (e *env) remaining(owner string) map[string]int64 {
	out := map[string]int64{}
	for _, l := range e.lots(owner) {
		out[l.ID] = l.Remaining
	}
	return out
}

// TestLotsFIFO: a debit uses the earliest-expiring lot first (the older of
// two with one expiry first), then credits without expiry, and records
// the lots it used.
func TestLotsFIFO(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		a := e.expiring("m1", 100, "a", 30*day)
		b := e.expiring("m1", 50, "b", 10*day)
		e.post(posting("m1", 70, "c")) // no expiry: not a lot
		d := e.expiring("m1", 40, "d", 10*day)
		if a.Lot == "" || b.Lot == "" || d.Lot == "" || !a.ExpiresAt.Equal(e.clock.Now().Add(30*day)) {
			t.Fatalf("credits with expiry should make lots: %+v %+v %+v", a, b, d)
		}
		lots := e.lots("m1")
		if len(lots) != 3 || lots[0].ID != b.Lot || lots[1].ID != d.Lot || lots[2].ID != a.Lot {
			t.Fatalf("lots not in use order: %+v", lots)
		}
		x := e.post(posting("m1", -120, "x"))
		want := []ledger.Allocation{{Lot: b.Lot, Amount: 50}, {Lot: d.Lot, Amount: 40}, {Lot: a.Lot, Amount: 30}}
		if !reflect.DeepEqual(x.Lots, want) {
			t.Fatalf("allocations %+v, want %+v", x.Lots, want)
		}
		if got := e.remaining("m1"); !reflect.DeepEqual(got, map[string]int64{a.Lot: 70}) {
			t.Fatalf("open lots %v", got)
		}
		// The rest of lot a, then 30 of the 70 without expiry.
		y := e.post(posting("m1", -100, "y"))
		if !reflect.DeepEqual(y.Lots, []ledger.Allocation{{Lot: a.Lot, Amount: 70}}) || y.BalanceAfter != 40 {
			t.Fatalf("second debit %+v", y)
		}
		if len(e.lots("m1")) != 0 {
			t.Fatalf("lots left: %+v", e.lots("m1"))
		}
		acct, _ := e.l.Account(e.ctx, app, "m1", "points")
		if acct.Balance != 40 || acct.LotsRemaining != 0 {
			t.Fatalf("account %+v", acct)
		}
		// The stored entry carries the allocations too.
		got := e.entries(ledger.EntryFilter{Owner: "m1", Type: "redeem"})
		if len(got) != 2 || !reflect.DeepEqual(got[1].Lots, want) {
			t.Fatalf("stored debits %+v", got)
		}
	})
}

// TestExpiredLotsNotSpendable: a lot past its expiry counts in the balance
// until Expire runs, but no debit can use it; Expire then closes it.
func TestExpiredLotsNotSpendable(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		first := posting("m1", 100, "a")
		first.ExpiresAt = e.clock.Now().Add(time.Hour)
		lot := e.post(first)
		e.post(posting("m1", 20, "b"))
		e.clock.Advance(2 * time.Hour)
		// A late retry of the credit is still a replay, not a refusal of
		// an expiry now in the past.
		if again := e.post(first); !reflect.DeepEqual(again, lot) {
			t.Fatalf("late replay %+v, want %+v", again, lot)
		}
		if b := e.balance("m1", "points"); b != 120 {
			t.Fatalf("balance %d", b)
		}
		if av, _ := e.l.Available(e.ctx, app, "m1", "points"); av != 20 {
			t.Fatalf("available %d, want 20", av)
		}
		_, err := e.l.PostTx(e.ctx, posting("m1", -50, "x"))
		ce := expectCode(t, err, "ledger.insufficient_balance", errs.Unprocessable)
		if !strings.Contains(ce.Msg, "available 20") {
			t.Fatalf("message %q", ce.Msg)
		}
		e.post(posting("m1", -15, "y")) // from the 20 without expiry
		res, err := e.l.Expire(e.ctx, app, e.clock.Now())
		if err != nil || res != (ledger.ExpireResult{Expired: 1}) {
			t.Fatalf("expire: %+v %v", res, err)
		}
		ex := e.entries(ledger.EntryFilter{Type: "expire"})
		if len(ex) != 1 || ex[0].Amount != -100 || ex[0].Key != "expire:"+lot.Lot || ex[0].BalanceAfter != 5 ||
			!reflect.DeepEqual(ex[0].Lots, []ledger.Allocation{{Lot: lot.Lot, Amount: 100}}) {
			t.Fatalf("expire entries %+v", ex)
		}
		if b := e.balance("m1", "points"); b != 5 {
			t.Fatalf("balance after expiry %d", b)
		}
		// Nothing is due any more.
		if res, err := e.l.Expire(e.ctx, app, e.clock.Now()); err != nil || res.Expired != 0 {
			t.Fatalf("second run: %+v %v", res, err)
		}

		// Expired lots ahead of live ones over several pages of lots.
		var ids []string
		for i := range 5 {
			ids = append(ids, e.expiring("m2", 10, fmt.Sprintf("m2-%d", i), time.Duration(i+1)*time.Hour).Lot)
		}
		last := e.expiring("m2", 100, "m2-last", 10*day)
		e.clock.Advance(3 * time.Hour)
		x := e.post(posting("m2", -50, "m2-x"))
		want := []ledger.Allocation{{Lot: ids[3], Amount: 10}, {Lot: ids[4], Amount: 10}, {Lot: last.Lot, Amount: 30}}
		if !reflect.DeepEqual(x.Lots, want) || x.BalanceAfter != 100 {
			t.Fatalf("debit past expired lots: %+v, want lots %+v", x, want)
		}
		_, err = e.l.PostTx(e.ctx, posting("m2", -71, "m2-y"))
		ce = expectCode(t, err, "ledger.insufficient_balance", errs.Unprocessable)
		if !strings.Contains(ce.Msg, "available 70") {
			t.Fatalf("message %q", ce.Msg)
		}
	})
}

// TestExpireConcurrent: runs on several instances at once expire each lot
// exactly once; lots not yet due stay.
func TestExpireConcurrent(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		const members = 12
		for i := range members {
			owner := fmt.Sprintf("m%02d", i)
			e.expiring(owner, 10, owner+"-a", time.Hour)
			e.expiring(owner, 20, owner+"-b", 2*time.Hour)
			e.expiring(owner, 40, owner+"-c", 5*day)
			e.post(posting(owner, -5, owner+"-x")) // from lot a
		}
		e.clock.Advance(3 * time.Hour)
		other := ledger.New(e.st, ledger.Options{Now: e.clock.Now}) // a second instance
		results := make([]ledger.ExpireResult, 4)
		errc := make([]error, 4)
		runConcurrently(4, func(i int) {
			l := e.l
			if i%2 == 1 {
				l = other
			}
			results[i], errc[i] = l.Expire(e.ctx, app, e.clock.Now())
		})
		total := 0
		for i := range results {
			if errc[i] != nil || results[i].Failed != 0 {
				t.Fatalf("run %d: %+v %v", i, results[i], errc[i])
			}
			total += results[i].Expired
		}
		if total != 2*members {
			t.Fatalf("%d lots expired in all, want %d", total, 2*members)
		}
		ex := e.entries(ledger.EntryFilter{Type: "expire"})
		if len(ex) != 2*members {
			t.Fatalf("%d expire entries, want %d", len(ex), 2*members)
		}
		for i := range members {
			owner := fmt.Sprintf("m%02d", i)
			if b := e.balance(owner, "points"); b != 40 {
				t.Fatalf("%s balance %d, want 40", owner, b)
			}
		}
	})
}

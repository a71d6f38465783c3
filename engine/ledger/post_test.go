package ledger_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/store"
)

// TestCreditDebit: credits create the account, debits take from it, a
// debit beyond the balance is refused with the available amount, and the
// entries tell the story newest first.
func TestCreditDebit(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.post(posting("m1", 100, "k1"))
		if c.Amount != 100 || c.BalanceAfter != 100 || c.Account != "crm:points:m1" || c.Type != "earn" {
			t.Fatalf("credit entry %+v", c)
		}
		d := e.post(posting("m1", -30, "k2"))
		if d.BalanceAfter != 70 || len(d.Lots) != 0 {
			t.Fatalf("debit entry %+v", d)
		}
		_, err := e.l.PostTx(e.ctx, posting("m1", -71, "k3"))
		ce := expectCode(t, err, "ledger.insufficient_balance", errs.Unprocessable)
		if !strings.Contains(ce.Msg, "available 70") || !strings.Contains(ce.Msg, "needed 71") {
			t.Fatalf("message %q should give available and needed", ce.Msg)
		}
		// A debit of an account that does not exist creates nothing.
		_, err = e.l.PostTx(e.ctx, posting("m2", -1, "k4"))
		expectCode(t, err, "ledger.insufficient_balance", errs.Unprocessable)
		if a, _ := e.l.Account(e.ctx, app, "m2", "points"); a.ID != "" {
			t.Fatalf("a refused debit created account %+v", a)
		}
		if got := e.balance("m1", "points"); got != 70 {
			t.Fatalf("balance %d, want 70", got)
		}
		e.post(posting("m1", -70, "k5"))
		if got := e.balance("m1", "points"); got != 0 {
			t.Fatalf("balance %d, want 0", got)
		}

		// Stored value in fen is another account of the same owner; kinds
		// may be spelt like definition keys, with hyphens.
		sv := ledger.Posting{App: app, Owner: "m1", Kind: "sv-principal", Unit: ledger.UnitFen, Amount: 10000,
			Key: "top1", Type: "topup", Ref: "order-1"}
		e.post(sv)
		accts, err := e.l.Accounts(e.ctx, app, "m1")
		if err != nil || len(accts) != 2 || accts[0].Kind != "points" || accts[1].Kind != "sv-principal" ||
			accts[1].Balance != 10000 || accts[1].Unit != ledger.UnitFen {
			t.Fatalf("accounts %+v %v", accts, err)
		}
		sv.Unit, sv.Key = ledger.UnitPoint, "top2"
		_, err = e.l.PostTx(e.ctx, sv)
		expectCode(t, err, "ledger.unit_mismatch", errs.Unprocessable)

		all := e.entries(ledger.EntryFilter{Owner: "m1"})
		if len(all) != 4 || all[0].Kind != "sv-principal" || all[3].Key != "k1" {
			t.Fatalf("entries newest first: %+v", all)
		}
		if got := e.entries(ledger.EntryFilter{Owner: "m1", Kind: "points", Type: "redeem"}); len(got) != 2 {
			t.Fatalf("redeem entries %+v", got)
		}
		if got := e.entries(ledger.EntryFilter{Ref: "order-1"}); len(got) != 1 || got[0].Key != "top1" {
			t.Fatalf("entries by ref %+v", got)
		}
	})
}

// TestPostingValidation: every problem of a posting at once, with paths.
func TestPostingValidation(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		bad := ledger.Posting{App: "crm", Owner: "", Kind: "Points", Unit: "yuan", Amount: 0, Key: "expire:x",
			Type: "expire", Meta: map[string]any{"rate": 1.5, "bad key": "x"}}
		_, err := e.l.PostTx(e.ctx, bad)
		ce := expectCode(t, err, "ledger.invalid", errs.Unprocessable)
		var paths []string
		for _, f := range ce.Fields {
			paths = append(paths, f.Path)
		}
		want := []string{"amount", "key", "kind", "meta.bad key", "meta.rate", "owner", "type", "unit"}
		if !reflect.DeepEqual(paths, want) {
			t.Fatalf("paths %v, want %v", paths, want)
		}
		for _, tc := range []struct {
			name string
			p    ledger.Posting
			path string
		}{
			{"too large", posting("m", ledger.MaxAmount+1, "a"), "amount"},
			{"min int64", posting("m", -1<<63, "a"), "amount"},
			{"debit with expiry", func() ledger.Posting {
				p := posting("m", -5, "a")
				p.ExpiresAt = e.clock.Now().Add(time.Hour)
				return p
			}(), "expiresAt"},
			{"expiry in the past", func() ledger.Posting {
				p := posting("m", 5, "a")
				p.ExpiresAt = e.clock.Now()
				return p
			}(), "expiresAt"},
			{"control character", posting("m\n1", 5, "a"), "owner"},
			{"reversal type", func() ledger.Posting { p := posting("m", 5, "a"); p.Type = "reversal"; return p }(), "type"},
			{"colon in kind", func() ledger.Posting { p := posting("m", 5, "a"); p.Kind = "sv:bonus"; return p }(), "kind"},
			{"hyphen in type", func() ledger.Posting { p := posting("m", 5, "a"); p.Type = "top-up"; return p }(), "type"},
		} {
			_, err := e.l.PostTx(e.ctx, tc.p)
			ce := expectCode(t, err, "ledger.invalid", errs.Unprocessable)
			if len(ce.Fields) != 1 || ce.Fields[0].Path != tc.path {
				t.Errorf("%s: fields %+v, want %s", tc.name, ce.Fields, tc.path)
			}
		}
		// Overflow: the balance stays within MaxAmount.
		e.post(posting("big", ledger.MaxAmount, "b1"))
		_, err = e.l.PostTx(e.ctx, posting("big", 1, "b2"))
		expectCode(t, err, "ledger.overflow", errs.Unprocessable)
		e.post(posting("big", -ledger.MaxAmount, "b3"))
	})
}

// TestIdempotency: one key posted 50 times at once makes one entry; a
// replay returns that entry; another posting under the key is a 409.
func TestIdempotency(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		p := posting("m1", 25, "receipt-9:points")
		p.Ref, p.Meta = "receipt-9", map[string]any{"store": "s01", "items": 3}
		const n = 50
		got := make([]ledger.Entry, n)
		errc := make([]error, n)
		runConcurrently(n, func(i int) { got[i], errc[i] = e.l.PostTx(e.ctx, p) })
		for i := range n {
			if errc[i] != nil {
				t.Fatalf("post %d: %v", i, errc[i])
			}
			if !reflect.DeepEqual(got[i], got[0]) {
				t.Fatalf("post %d returned %+v, want %+v", i, got[i], got[0])
			}
		}
		if b := e.balance("m1", "points"); b != 25 {
			t.Fatalf("balance %d after %d identical posts, want 25", b, n)
		}
		if all := e.entries(ledger.EntryFilter{Owner: "m1"}); len(all) != 1 {
			t.Fatalf("%d entries, want 1", len(all))
		}
		// A later retry (another actor, other meta) is a replay too.
		p.By, p.Meta = "retry", nil
		again := e.post(p)
		if !reflect.DeepEqual(again, got[0]) {
			t.Fatalf("replay %+v, want %+v", again, got[0])
		}
		for _, change := range []func(*ledger.Posting){
			func(q *ledger.Posting) { q.Amount = 26 },
			func(q *ledger.Posting) { q.Owner = "m2" },
			func(q *ledger.Posting) { q.Kind = "bonus" },
			func(q *ledger.Posting) { q.Type = "adjust" },
		} {
			q := p
			change(&q)
			_, err := e.l.PostTx(e.ctx, q)
			expectCode(t, err, "ledger.idempotency_mismatch", errs.Conflict)
		}
		// Keys are per app.
		q := p
		q.App = "other"
		if _, err := e.l.PostTx(e.ctx, q); err != nil {
			t.Fatalf("same key in another app: %v", err)
		}
	})
}

// TestNeverNegative: 100 concurrent debits of one account; the balance is
// never below zero and the successful debits add up exactly.
func TestNeverNegative(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		e.post(posting("m1", 1000, "seed"))
		const n = 100
		amounts := make([]int64, n)
		ok := make([]bool, n)
		errc := make([]error, n)
		for i := range n {
			amounts[i] = int64(7 + i%13) // 7..19: about 1,300 asked of 1,000
		}
		runConcurrently(n, func(i int) {
			_, err := e.l.PostTx(e.ctx, posting("m1", -amounts[i], "d"+string(rune('a'+i/26))+string(rune('a'+i%26))))
			ok[i], errc[i] = err == nil, err
		})
		var spent int64
		for i := range n {
			if ok[i] {
				spent += amounts[i]
			} else if !errs.HasCode(errc[i], "ledger.insufficient_balance") {
				t.Fatalf("debit %d: %v", i, errc[i])
			}
		}
		b := e.balance("m1", "points")
		if b < 0 || b != 1000-spent || b > 19 {
			t.Fatalf("balance %d, spent %d: want 1000-spent and less than the smallest refused debit", b, spent)
		}
		for _, en := range e.entries(ledger.EntryFilter{Owner: "m1"}) {
			if en.BalanceAfter < 0 {
				t.Fatalf("entry %+v went below zero", en)
			}
		}
	})
}

// TestPostNeedsTx: Post refuses a Store (its writes would not commit
// together) and a Ledger that was never initialised.
func TestPostNeedsTx(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		_, err := e.l.Post(e.ctx, e.st, posting("m1", 5, "k"))
		expectCode(t, err, "ledger.not_in_tx", errs.Internal)
		fresh := ledger.New(e.st, ledger.Options{})
		err = e.st.Tx(e.ctx, func(tx store.Ops) error {
			_, err := fresh.Post(e.ctx, tx, posting("m1", 5, "k"))
			return err
		})
		expectCode(t, err, "ledger.not_initialised", errs.Internal)
	})
}

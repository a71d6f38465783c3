package action

import (
	"context"
	"errors"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// TestPoisonedHostCall: a host call that fails after writing marks the
// run failed even if the script catches the error (the transaction has no
// savepoint to undo that part alone); one that fails before writing does
// not.
func TestPoisonedHostCall(t *testing.T) {
	e := newEnv(t)
	a, err := e.svc.definition(e.ctx, "shop", "checkout")
	if err != nil {
		t.Fatal(err)
	}
	boom := errs.New(errs.Unprocessable, "test.boom", "boom")
	rollback := errors.New("roll back")
	err = e.st.Tx(e.ctx, func(tx store.Ops) error {
		h := e.svc.newHost(tx, a, e.admin, e.admin, Options{}, "en")
		clean := h.fn("clean", func(context.Context, []any) (any, error) { return nil, boom })
		if _, err := clean(e.ctx, nil); !errors.Is(err, boom) || h.poison != nil {
			t.Fatalf("a failure before any write: %v, poison %v", err, h.poison)
		}
		ok := h.fn("ok", func(ctx context.Context, _ []any) (any, error) {
			_, err := h.tx.Insert(ctx, "scratch", store.Doc{"a": 1})
			return map[string]any{"n": int64(1)}, err
		})
		if _, err := ok(e.ctx, nil); err != nil || h.poison != nil {
			t.Fatalf("a successful write: %v, poison %v", err, h.poison)
		}
		dirty := h.fn("dirty", func(ctx context.Context, _ []any) (any, error) {
			if _, err := h.tx.Insert(ctx, "scratch", store.Doc{"a": 2}); err != nil {
				return nil, err
			}
			return nil, boom
		})
		if _, err := dirty(e.ctx, nil); !errors.Is(err, boom) || !errors.Is(h.poison, boom) {
			t.Fatalf("a failure after a write: %v, poison %v", err, h.poison)
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
}

// TestMoneyIn: scripts write money as integer fen; the records service
// reads yuan. Fractions of a fen and text are refused at their paths.
func TestMoneyIn(t *testing.T) {
	for fen, want := range map[int64]string{0: "0", 5: "0.05", 50: "0.5", 1250: "12.5", 1234: "12.34", 100: "1", -1999: "-19.99"} {
		if got, ok := yuan(fen); !ok || got != want {
			t.Errorf("yuan(%d) = %q, want %q", fen, got, want)
		}
	}
	for _, v := range []any{12.5, "12.50", true} {
		if _, ok := yuan(v); ok {
			t.Errorf("yuan(%v) accepted", v)
		}
	}
	e := newEnv(t)
	e.publish("action", "money", `{"title": "x", "input": {}, "script": "return records.create('sales', {receipt: 'M1', amount: 12.5});"}`)
	_, err := e.run(e.admin, "money", `{}`, Options{Lang: "en"})
	ee := wantCode(t, err, "action.money")
	if len(ee.Fields) != 1 || ee.Fields[0].Path != "amount" {
		t.Fatalf("fields %v", ee.Fields)
	}
}

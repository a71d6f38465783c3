package action

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

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

// TestIsPlain: results made only of JSON values go to the script engine
// as they are; anything plain would convert (times, typed lists, structs,
// functions), at any depth, makes the whole result go through plain.
func TestIsPlain(t *testing.T) {
	for _, v := range []any{nil, true, "x", int64(1), 2, 1.5, json.Number("3"),
		map[string]any{"a": []any{map[string]any{"b": "c"}, json.Number("1")}}, []any{}} {
		if !isPlain(v, 0) {
			t.Errorf("isPlain(%#v) = false", v)
		}
	}
	for _, v := range []any{time.Now(), []string{"a"}, struct{ A int }{1}, func() {},
		map[string]any{"a": []any{map[string]any{"at": time.Now()}}}, []any{[]string{"x"}}} {
		if isPlain(v, 0) {
			t.Errorf("isPlain(%#v) = true", v)
		}
	}
	deep := any("x")
	for range maxPlainDepth + 1 {
		deep = []any{deep}
	}
	if isPlain(deep, 0) {
		t.Error("a value deeper than maxPlainDepth counts as plain")
	}
}

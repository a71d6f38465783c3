package action

import (
	"testing"

	"github.com/tangram/tangram/engine/store"
)

// TestRunIn: an action run through a caller's transaction writes its
// effects and its audit entry there, and commits or rolls back with it.
func TestRunIn(t *testing.T) {
	e := newEnv(t)
	m := e.member("郭八", "gold")
	if err := e.svc.Prepare(e.ctx); err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"receiptId": "W1", "member": m, "amount": 1000}
	err := e.st.Tx(e.ctx, func(tx store.Ops) error {
		out, err := e.svc.RunIn(e.ctx, tx, e.admin, "shop", "checkout", in, "en")
		if err == nil && len(out) == 0 {
			t.Error("no output")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.effects(); got != [4]int64{1, 1, 0, 1} {
		t.Fatalf("effects %v (sales, entries, idempotency rows, audit)", got)
	}
	rollback := errDiverged // any error: the caller's transaction fails
	_ = e.st.Tx(e.ctx, func(tx store.Ops) error {
		in["receiptId"] = "W2"
		if _, err := e.svc.RunIn(e.ctx, tx, e.admin, "shop", "checkout", in, "en"); err != nil {
			t.Fatal(err)
		}
		return rollback
	})
	if got := e.effects(); got != [4]int64{1, 1, 0, 1} {
		t.Fatalf("a rolled back transaction left %v", got)
	}
}

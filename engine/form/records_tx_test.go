package form

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// txCtx bounds a test transaction: on SQLite a write through the store
// from inside Tx would wait forever for the writer the transaction holds,
// so a deadlock shows up as this deadline instead of a hung test.
func txCtx(t *testing.T, e *env) context.Context {
	ctx, cancel := context.WithTimeout(e.ctx, 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestTxRecordsShareTheCallersTransaction: inside one store transaction,
// records created through TxRecords are visible to the next operations
// (a relation to a member created a moment ago, a rollup over it, a patch
// and a list), auto-numbers and unique claims work, and everything commits
// with the caller's own write, history and audit included. The forms are
// first compiled inside the transaction: their indexes wait for
// EnsurePendingIndexes instead of deadlocking the writer.
func TestTxRecordsShareTheCallersTransaction(t *testing.T) {
	e := newEnv(t).crm()
	ctx := txCtx(t, e)
	var memberID, orderID string
	err := e.st.Tx(ctx, func(tx store.Ops) error {
		tr := e.rec.In(tx)
		m, err := tr.Create(ctx, e.admin, "crm", "members", map[string]any{"name": "张三", "phone": "13800000001"}, WriteOptions{Lang: "en"})
		if err != nil {
			return err
		}
		memberID = m[SysID].(string)
		if m["cardNo"] == nil {
			t.Errorf("no auto-number: %v", m)
		}
		o, err := tr.Create(ctx, e.admin, "crm", "orders", map[string]any{"member": memberID, "price": "12.50", "qty": 2}, WriteOptions{})
		if err != nil {
			return err
		}
		orderID = o[SysID].(string)
		if o["memberName"] != "张三" {
			t.Errorf("lookup of a record created in the same transaction: %v", o)
		}
		got, err := tr.Get(ctx, e.admin, "crm", "members", memberID)
		if err != nil {
			return err
		}
		if str(got["spent"]) != "2500" || str(got["orderCount"]) != "1" {
			t.Errorf("rollups inside the transaction: %v", got)
		}
		if _, err := tr.Patch(ctx, e.admin, "crm", "members", memberID, map[string]any{"tier": "gold", "note": "vip"}, 1, WriteOptions{}); err != nil {
			return err
		}
		_, err = tr.Patch(ctx, e.admin, "crm", "members", memberID, map[string]any{"name": "x"}, 1, WriteOptions{Lang: "en"})
		wantCode(t, err, "record.stale")
		page, err := tr.List(ctx, e.admin, "crm", "members", ListQuery{Filter: []byte(`{"tier": "gold"}`)})
		if err != nil {
			return err
		}
		if len(page.Items) != 1 || page.Items[0][SysID] != memberID {
			t.Errorf("list inside the transaction: %v", page.Items)
		}
		_, err = tr.Create(ctx, e.admin, "crm", "members", map[string]any{"name": "李四", "phone": "13800000001"}, WriteOptions{Lang: "en"})
		wantPaths(t, err, "phone")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.rec.Get(e.ctx, e.admin, "crm", "members", memberID)
	if err != nil || m["tier"] != "gold" || str(m[SysVersion]) != "2" || str(m["spent"]) != "2500" {
		t.Fatalf("after commit: %v %v", m, err)
	}
	revs, err := e.rec.History(e.ctx, e.admin, "crm", "members", memberID)
	if err != nil || len(revs) != 2 {
		t.Fatalf("history: %v %v", revs, err)
	}
	if _, err := e.rec.Get(e.ctx, e.admin, "crm", "orders", orderID); err != nil {
		t.Fatal(err)
	}
	n, _ := e.st.Count(e.ctx, auth.CollAudit, query.Eq(query.Field{Path: "action", Kind: query.KindString}, query.Str("record.create")))
	if n != 2 {
		t.Fatalf("audit entries %d, want 2", n)
	}
	if err := e.rec.EnsurePendingIndexes(e.ctx); err != nil {
		t.Fatal(err)
	}
	pending := 0
	e.rec.cache.pending.Range(func(_, _ any) bool { pending++; return true })
	if pending != 0 {
		t.Fatalf("%d forms still wait for their indexes", pending)
	}
}

// TestTxRecordsRollBackWithTheCaller: when the caller's transaction fails
// after the records were written, nothing of them is kept: no record, no
// revision, no audit entry, no claim, no number used.
func TestTxRecordsRollBackWithTheCaller(t *testing.T) {
	e := newEnv(t).crm()
	first := e.create(e.admin, "members", map[string]any{"name": "a"})
	ctx := txCtx(t, e)
	boom := errors.New("the caller fails")
	err := e.st.Tx(ctx, func(tx store.Ops) error {
		tr := e.rec.In(tx)
		m, err := tr.Create(ctx, e.admin, "crm", "members", map[string]any{"name": "b", "phone": "13800000002"}, WriteOptions{IdempotencyKey: "k1"})
		if err != nil {
			return err
		}
		if _, err := tr.Create(ctx, e.admin, "crm", "orders", map[string]any{"member": m[SysID], "price": "1", "qty": 1}, WriteOptions{}); err != nil {
			return err
		}
		if err := tr.Delete(ctx, e.admin, "crm", "members", first[SysID].(string), 0, WriteOptions{}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("tx: %v", err)
	}
	for coll, want := range map[string]int64{
		RecordsCollection("crm", "members"): 1, HistoryCollection("crm", "members"): 1,
		RecordsCollection("crm", "orders"): 0, collUnique: 0, collIdem: 0,
	} {
		if n, err := e.st.Count(e.ctx, coll, nil); err != nil || n != want {
			t.Errorf("%s: %d docs (%v), want %d", coll, n, err, want)
		}
	}
	next := e.create(e.admin, "members", map[string]any{"name": "c", "phone": "13800000002"})
	if str(next["cardNo"])[len(str(next["cardNo"]))-1] != '2' {
		t.Fatalf("a rolled back create used a number: first %v, next %v", first["cardNo"], next["cardNo"])
	}
}

// TestTxRecordsKeepAccessDecisions: a caller's rights apply inside the
// transaction exactly as outside, and dry runs are refused there.
func TestTxRecordsKeepAccessDecisions(t *testing.T) {
	e, ids := scoped(t)
	e.publish(meta.KindRole, "reader", `{"title": "r", "permissions": [{"kind": "form", "key": "members", "actions": ["read"]}]}`)
	clerk := user("c1", []string{"s1"}, "clerk")
	reader := user("r1", nil, "reader")
	ctx := txCtx(t, e)
	err := e.st.Tx(ctx, func(tx store.Ops) error {
		tr := e.rec.In(tx)
		_, err := tr.Get(ctx, clerk, "crm", "members", ids["s2a"])
		wantCode(t, err, "record.not_found")
		got, err := tr.Get(ctx, clerk, "crm", "members", ids["s1a"])
		if err != nil || got["phone"] != "138****1234" {
			t.Errorf("field rules inside the transaction: %v %v", got, err)
		}
		_, err = tr.Create(ctx, reader, "crm", "members", map[string]any{"name": "x"}, WriteOptions{})
		if errs.ClassOf(err) != errs.Forbidden {
			t.Errorf("create without the right: %v", err)
		}
		_, err = tr.Create(ctx, clerk, "crm", "members", map[string]any{"name": "x", "storeId": "s2"}, WriteOptions{})
		wantCode(t, err, "record.out_of_scope")
		_, err = tr.Create(ctx, e.admin, "crm", "members", map[string]any{"name": "x"}, WriteOptions{DryRun: true})
		wantCode(t, err, "record.dry_run_in_tx")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTxRecordsIdempotentCreate: a key used earlier in the same
// transaction, or in a committed one, returns the first record.
func TestTxRecordsIdempotentCreate(t *testing.T) {
	e := newEnv(t).crm()
	ctx := txCtx(t, e)
	in := map[string]any{"name": "王五"}
	var id string
	for round := 0; round < 2; round++ {
		err := e.st.Tx(ctx, func(tx store.Ops) error {
			tr := e.rec.In(tx)
			for i := 0; i < 2; i++ {
				m, err := tr.Create(ctx, e.admin, "crm", "members", in, WriteOptions{IdempotencyKey: "same"})
				if err != nil {
					return err
				}
				if id == "" {
					id = m[SysID].(string)
				}
				if m[SysID] != id {
					t.Errorf("round %d try %d: id %v, want %s", round, i, m[SysID], id)
				}
			}
			_, err := tr.Create(ctx, e.admin, "crm", "members", map[string]any{"name": "other"}, WriteOptions{IdempotencyKey: "same"})
			wantCode(t, err, "record.idempotency_mismatch")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := e.st.Count(e.ctx, RecordsCollection("crm", "members"), nil); n != 1 {
		t.Fatalf("%d members, want 1", n)
	}
}

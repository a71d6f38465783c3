package report

import (
	"fmt"
	"testing"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// writeCount is the sum of a form's write counter shards.
func writeCount(t *testing.T, e *env, app, formKey string) int64 {
	t.Helper()
	prefix := query.Cmp(query.IDField, query.OpStartsWith, query.Str(app+":"+formKey+":"))
	docs, err := e.st.Find(e.ctx, collVersions, store.Query{Filter: prefix, Limit: versionShards})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, d := range docs {
		v, _ := query.ToInt(d["n"])
		n += v
	}
	return n
}

// A batch of creates (an import, a bulk create) bumps the form's write
// counter once and keeps the rollup exact, as record-by-record writes do.
func TestWriteBatchBumpsOnceAndKeepsRollups(t *testing.T) {
	e := newEnv(t)
	e.load(3, 10, 200)
	e.publish(meta.KindReport, "rolled-int", rolledIntSales)
	hook := e.svc.Hook()
	if _, err := e.svc.BuildRollup(e.ctx, e.admin, "crm", "rolled-int"); err != nil {
		t.Fatal(err)
	}
	coll := form.RecordsCollection("crm", "transactions")
	stamp := query.FormatTime(e.svc.now())
	insert := func(ctxBatch bool, from, n int) {
		t.Helper()
		err := e.st.Tx(e.ctx, func(tx store.Ops) error {
			ctx := e.ctx
			if ctxBatch {
				ctx = form.WithWriteBatch(ctx)
			}
			for i := from; i < from+n; i++ {
				st := e.data.stores[i%len(e.data.stores)]
				doc := store.Doc{"_id": fmt.Sprintf("b%05d", i), "_version": int64(1), "_deleted": false, "_createdAt": stamp, "_updatedAt": stamp,
					"store": st["_id"], "storeUnit": st["orgUnit"], "paidAt": fmt.Sprintf("2025-0%d-1%dT08:00:00.000Z", 1+i%9, i%10),
					"paid": int64(100 + i), "amount": int64(200 + i), "status": "completed", "channel": "pos"}
				if _, err := tx.Insert(ctx, coll, doc); err != nil {
					return err
				}
				if err := hook(ctx, tx, "crm", "transactions", nil, doc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	before := writeCount(t, e, "crm", "transactions")
	insert(true, 0, 50)
	if got := writeCount(t, e, "crm", "transactions"); got != before+1 {
		t.Fatalf("a batch of 50 creates moved the write counter by %d, want 1", got-before)
	}
	insert(false, 50, 5)
	if got := writeCount(t, e, "crm", "transactions"); got != before+6 {
		t.Fatalf("5 single writes after the batch: counter moved by %d in all, want 6", got-before)
	}
	if form.WriteBatchMemo(e.ctx) != nil {
		t.Fatal("a memo outside a batch")
	}
	rolledEqualsRaw(t, e, e.rawService(), "rolled-int")
}

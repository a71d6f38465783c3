package form

import (
	"testing"
	"time"

	"github.com/tangram/tangram/engine/store"
)

// TestSetState: a workflow transition written through TxRecords bumps the
// version, stamps who and when, keeps the flow's own system field, and
// shows in History as a "transition" revision among the record's edits; a
// stale version or a field the records service owns writes nothing.
func TestSetState(t *testing.T) {
	e := newEnv(t).crm()
	ctx := txCtx(t, e)
	m := e.create(e.admin, "members", map[string]any{"name": "张三", "phone": "13800000002"})
	id := m[SysID].(string)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	set := func(ch StateChange) (map[string]any, error) {
		var out map[string]any
		err := e.st.Tx(ctx, func(tx store.Ops) error {
			var err error
			out, err = e.rec.In(tx).SetState(ctx, e.admin, "crm", "members", id, ch)
			return err
		})
		return out, err
	}

	got, err := set(StateChange{To: "review", Version: 1, At: at, Trigger: "submit", System: map[string]any{"_flowVersion": 3}})
	if err != nil {
		t.Fatal(err)
	}
	if got[SysVersion] != int64(2) || got[SysState] != "review" || got["_flowVersion"] != 3 {
		t.Fatalf("fields set %v", got)
	}
	if _, err := set(StateChange{From: "review", To: "approved", Version: 2, Trigger: "approve"}); err != nil {
		t.Fatal(err)
	}

	// Stale, and fields that are not the flow's: refused, nothing written.
	_, err = set(StateChange{From: "approved", To: "draft", Version: 2})
	wantCode(t, err, CodeStale)
	for _, bad := range []map[string]any{{SysDeleted: true}, {SysVersion: 9}, {"name": "李四"}, {"_": 1}} {
		if _, err := set(StateChange{To: "draft", Version: 3, System: bad}); err == nil {
			t.Errorf("a state change set %v", bad)
		}
	}
	_, err = set(StateChange{Version: 3})
	if err == nil {
		t.Error("a state change without a state was written")
	}
	_, err = set(StateChange{To: "x", Version: 1})
	wantCode(t, err, CodeStale)

	rec, err := e.rec.Get(e.ctx, e.admin, "crm", "members", id)
	if err != nil {
		t.Fatal(err)
	}
	if rec[SysState] != "approved" || str(rec[SysVersion]) != "3" || rec[SysUpdatedBy] != e.admin.Actor() || rec["name"] != "张三" {
		t.Fatalf("record after transitions %v", rec)
	}
	hist, err := e.rec.History(e.ctx, e.admin, "crm", "members", id)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0].Op != OpTransition || hist[1].Op != OpTransition || hist[2].Op != OpCreate {
		t.Fatalf("history %+v", hist)
	}
	if hist[0].Old[SysState] != "review" || hist[0].New[SysState] != "approved" || hist[0].Rev != 3 {
		t.Errorf("second transition %+v", hist[0])
	}
	if _, had := hist[1].Old[SysState]; had || hist[1].New[SysState] != "review" || hist[1].At != "2026-03-02T10:00:00.000Z" {
		t.Errorf("first transition %+v", hist[1])
	}
}

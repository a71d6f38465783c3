package form

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/store"
)

// hookCall is one call of the write hook, summarized.
type hookCall struct {
	form, id, before, after string // versions and the watched field, "-" for none
}

func hookState(d store.Doc, field string) string {
	if d == nil {
		return "-"
	}
	return fmt.Sprintf("v%v:%v:del=%v", d[SysVersion], d[field], d[SysDeleted])
}

// TestWriteHookSeesEveryWrite: the hook gets the stored record before and
// after each create, patch, delete, restore and batch create, and the
// parent record whose rollups a child's write recomputes; it runs under
// WithoutEvents too, and a failing hook fails the write, which leaves
// nothing behind.
func TestWriteHookSeesEveryWrite(t *testing.T) {
	e := newEnv(t).crm()
	var calls []hookCall
	var fail error
	e.rec.SetWriteHook(func(ctx context.Context, tx store.Ops, app, form string, before, after store.Doc) error {
		if app != "crm" {
			t.Errorf("app %q", app)
		}
		field := map[string]string{"orders": "qty", "members": "spent"}[form]
		id, _ := after[SysID].(string)
		if id == "" {
			id, _ = before[SysID].(string)
		}
		// The record as stored: reading it through tx gives after.
		if after != nil {
			got, err := tx.Get(ctx, RecordsCollection(app, form), id)
			if err != nil || hookState(got, field) != hookState(after, field) {
				t.Errorf("%s %s: stored %v, hook after %v (%v)", form, id, got, after, err)
			}
		}
		calls = append(calls, hookCall{form, id, hookState(before, field), hookState(after, field)})
		return fail
	})
	take := func() []string {
		var out []string
		for _, c := range calls {
			out = append(out, c.form+" "+c.before+" -> "+c.after)
		}
		calls = nil
		return out
	}
	want := func(step string, got []string, w ...string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(w, "\n") {
			t.Fatalf("%s: hook calls\n%s\nwant\n%s", step, strings.Join(got, "\n"), strings.Join(w, "\n"))
		}
	}
	m := e.create(e.admin, "members", map[string]any{"name": "张三"})
	mID := m[SysID].(string)
	want("create member", take(), "members - -> v1:<nil>:del=false")

	o := e.create(e.admin, "orders", map[string]any{"member": mID, "price": "1.00", "qty": 2})
	oID := o[SysID].(string)
	want("create order", take(),
		"orders - -> v1:2:del=false",
		"members v1:<nil>:del=false -> v1:200:del=false") // the parent's rollup

	if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "orders", oID, map[string]any{"qty": 3}, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	want("patch", take(),
		"orders v1:2:del=false -> v2:3:del=false",
		"members v1:200:del=false -> v1:300:del=false")

	if err := e.rec.Delete(WithoutEvents(e.ctx), e.admin, "crm", "orders", oID, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	want("delete (without events)", take(),
		"orders v2:3:del=false -> -",
		"members v1:300:del=false -> v1:0:del=false")

	if _, err := e.rec.Restore(e.ctx, e.admin, "crm", "orders", oID, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	want("restore", take(),
		"orders - -> v4:3:del=false",
		"members v1:0:del=false -> v1:300:del=false")

	if _, err := e.rec.CreateMany(WithoutEvents(e.ctx), e.admin, "crm", "orders", []map[string]any{
		{"member": mID, "price": "1.00", "qty": 1}, {"member": mID, "price": "1.00", "qty": 5},
	}, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	want("create many", take(),
		"orders - -> v1:1:del=false",
		"orders - -> v1:5:del=false",
		"members v1:300:del=false -> v1:900:del=false") // each parent once per batch

	// A patch that changes nothing writes nothing: no call.
	if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "orders", oID, map[string]any{"qty": 3}, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	want("no-op patch", take())

	// A failing hook fails the write: the order is not stored and the
	// member's total is unchanged.
	fail = errors.New("hook says no")
	if _, err := e.rec.Create(e.ctx, e.admin, "crm", "orders", map[string]any{"member": mID, "price": "1.00", "qty": 7}, WriteOptions{}); !errors.Is(err, fail) {
		t.Fatalf("create with a failing hook: %v", err)
	}
	if err := e.rec.Delete(e.ctx, e.admin, "crm", "orders", oID, 0, WriteOptions{}); !errors.Is(err, fail) {
		t.Fatalf("delete with a failing hook: %v", err)
	}
	fail = nil
	if n, err := e.st.Count(e.ctx, RecordsCollection("crm", "orders"), nil); err != nil || n != 3 {
		t.Fatalf("orders after failed writes: %d %v", n, err)
	}
	if got, err := e.rec.Get(e.ctx, e.admin, "crm", "members", mID); err != nil || str(got["spent"]) != "900" {
		t.Fatalf("member after failed writes: %v %v", got, err)
	}
	if got, err := e.rec.Get(e.ctx, e.admin, "crm", "orders", oID); err != nil || got[SysDeleted] == true {
		t.Fatalf("order after a failed delete: %v %v", got, err)
	}

	// Detached: writes go on without calls.
	e.rec.SetWriteHook(nil)
	take()
	e.create(e.admin, "members", map[string]any{"name": "李四"})
	want("detached", take())
}

package form

import (
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// clerkRole: a store clerk reads and writes members and orders of the
// stores below their unit; member phones are masked and points read-only.
const clerkRole = `{"title": "店员", "permissions": [
  {"kind": "form", "key": "members", "actions": ["read", "create", "update", "delete"],
   "scope": {"storeId": {"$in": "$user.unitSubtree"}}, "fields": {"phone": "masked", "points": "readonly"}},
  {"kind": "form", "key": "orders", "actions": ["read", "create", "update"],
   "scope": {"storeId": {"$in": "$user.unitSubtree"}}}
]}`

// scoped seeds two stores' members and orders and returns the env, a clerk
// of store s1, and the ids by name.
func scoped(t *testing.T) (*env, map[string]string) {
	e := newEnv(t).crm()
	e.publish(meta.KindRole, "clerk", clerkRole)
	ids := map[string]string{}
	for _, m := range []map[string]any{
		{"name": "s1a", "storeId": "s1", "phone": "13812341234", "points": 5},
		{"name": "s1b", "storeId": "s1"},
		{"name": "s2a", "storeId": "s2", "phone": "13900001111"},
	} {
		ids[m["name"].(string)] = e.create(e.admin, "members", m)[SysID].(string)
	}
	// An s1 order of an s2 member: the clerk sees the order, not the member.
	ids["o1"] = e.create(e.admin, "orders", map[string]any{"member": ids["s2a"], "storeId": "s1", "price": "1", "qty": 1})[SysID].(string)
	ids["o2"] = e.create(e.admin, "orders", map[string]any{"member": ids["s1a"], "storeId": "s1", "price": "1", "qty": 1})[SysID].(string)
	return e, ids
}

func TestRowScopeOnEveryReadPath(t *testing.T) {
	e, ids := scoped(t)
	clerk := user("c1", []string{"s1"}, "clerk")
	page, err := e.rec.List(e.ctx, clerk, "crm", "members", ListQuery{Count: true})
	if err != nil || len(page.Items) != 2 || *page.Total != 2 {
		t.Fatalf("list: %v %v", page.Items, err)
	}
	// $or cannot widen the scope: it is ANDed outside the user's filter.
	page, err = e.rec.List(e.ctx, clerk, "crm", "members", ListQuery{Filter: []byte(`{"$or": [{"storeId": "s2"}, {"name": {"$ne": null}}]}`)})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("$or trick: %v %v", page.Items, err)
	}
	for _, it := range page.Items {
		if it["storeId"] != "s1" {
			t.Fatalf("out of scope row %v", it)
		}
	}
	// Out of scope is not found, never forbidden.
	_, err = e.rec.Get(e.ctx, clerk, "crm", "members", ids["s2a"])
	wantCode(t, err, "record.not_found")
	_, err = e.rec.History(e.ctx, clerk, "crm", "members", ids["s2a"])
	wantCode(t, err, "record.not_found")
	_, err = e.rec.Patch(e.ctx, clerk, "crm", "members", ids["s2a"], map[string]any{"name": "x"}, 0, WriteOptions{})
	wantCode(t, err, "record.not_found")
	err = e.rec.Delete(e.ctx, clerk, "crm", "members", ids["s2a"], 0, WriteOptions{})
	wantCode(t, err, "record.not_found")
	if e.st.Backend() != "lungo" {
		rows, err := e.rec.Aggregate(e.ctx, clerk, "crm", "members", []byte(`{"groupBy": [{"field": "storeId"}], "measures": [{"op": "count", "as": "n"}]}`))
		if err != nil || len(rows) != 1 || rows[0]["storeId"] != "s1" || str(rows[0]["n"]) != "2" {
			t.Fatalf("aggregate: %v %v", rows, err)
		}
	}
	// A lookup through a relation to a record outside the scope shows null.
	o1, err := e.rec.Get(e.ctx, clerk, "crm", "orders", ids["o1"])
	if err != nil || o1["memberName"] != nil {
		t.Fatalf("lookup out of scope: %v %v", o1, err)
	}
	o2, err := e.rec.Get(e.ctx, clerk, "crm", "orders", ids["o2"])
	if err != nil || o2["memberName"] != "s1a" || o2["memberPhone"] != "138****1234" {
		t.Fatalf("lookup in scope (masked by the member form's rules): %v %v", o2, err)
	}
}

func TestFieldRules(t *testing.T) {
	e, ids := scoped(t)
	clerk := user("c1", []string{"s1"}, "clerk")
	m, err := e.rec.Get(e.ctx, clerk, "crm", "members", ids["s1a"])
	if err != nil || m["phone"] != "138****1234" {
		t.Fatalf("masked get: %v %v", m, err)
	}
	page, err := e.rec.List(e.ctx, clerk, "crm", "members", ListQuery{Sort: "name"})
	if err != nil || page.Items[0]["phone"] != "138****1234" {
		t.Fatalf("masked list: %v %v", page.Items, err)
	}
	for _, q := range []ListQuery{
		{Filter: []byte(`{"phone": {"$startsWith": "138"}}`)},
		{Filter: []byte(`{"$or": [{"name": "x"}, {"phone": "13812341234"}]}`)},
		{Sort: "phone"},
		{Search: "1381", SearchFields: []string{"phone"}},
	} {
		_, err := e.rec.List(e.ctx, clerk, "crm", "members", q)
		if wantCode(t, err, "record.field_not_readable"); errs.ClassOf(err) != errs.Invalid {
			t.Fatalf("class %v", errs.ClassOf(err))
		}
	}
	// The default search skips the masked phone: no match through it.
	page, err = e.rec.List(e.ctx, clerk, "crm", "members", ListQuery{Search: "1381"})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("search through a masked field: %v %v", page.Items, err)
	}
	_, err = e.rec.Aggregate(e.ctx, clerk, "crm", "members", []byte(`{"groupBy": [{"field": "phone"}], "measures": [{"op": "count"}]}`))
	wantCode(t, err, "record.field_not_readable")

	// Read-only and masked fields cannot be written: 403 with the paths.
	_, err = e.rec.Patch(e.ctx, clerk, "crm", "members", ids["s1a"], map[string]any{"points": 9, "phone": "13800000000", "name": "ok"}, 0, WriteOptions{})
	fe := wantCode(t, err, "access.field_readonly")
	if errs.ClassOf(err) != errs.Forbidden {
		t.Fatalf("class %v", errs.ClassOf(err))
	}
	wantPaths(t, fe, "phone", "points")
	// Writes cannot leave the scope.
	_, err = e.rec.Create(e.ctx, clerk, "crm", "members", map[string]any{"name": "n", "storeId": "s2"}, WriteOptions{})
	wantCode(t, err, "record.out_of_scope")
	_, err = e.rec.Patch(e.ctx, clerk, "crm", "members", ids["s1b"], map[string]any{"storeId": "s2"}, 0, WriteOptions{})
	wantCode(t, err, "record.out_of_scope")
	// A relation to a record the writer cannot see is reported as missing.
	_, err = e.rec.Create(e.ctx, clerk, "crm", "orders", map[string]any{"member": ids["s2a"], "storeId": "s1", "price": "1", "qty": 1}, WriteOptions{Lang: "en"})
	wantPaths(t, err, "member")
	if fe := fieldErrors(err); fe[0] != "member record.relation_not_found" {
		t.Fatalf("relation error %v", fe)
	}
	if _, err := e.rec.Create(e.ctx, clerk, "crm", "orders", map[string]any{"member": ids["s1a"], "storeId": "s1", "price": "1", "qty": 1}, WriteOptions{}); err != nil {
		t.Fatalf("relation in scope: %v", err)
	}
	// History masks too, in old and new values.
	if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", ids["s1a"], map[string]any{"phone": "13811112222"}, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	revs, err := e.rec.History(e.ctx, clerk, "crm", "members", ids["s1a"])
	if err != nil || len(revs) != 2 {
		t.Fatalf("history: %v %v", revs, err)
	}
	if revs[0].Old["phone"] != "138****1234" || revs[0].New["phone"] != "138****2222" || revs[1].New["phone"] != "138****1234" {
		t.Fatalf("history not masked: %+v", revs)
	}
	// No delete right on orders: forbidden (the form is visible, the right is not).
	err = e.rec.Delete(e.ctx, clerk, "crm", "orders", ids["o2"], 0, WriteOptions{})
	wantCode(t, err, "access.forbidden")
	_, err = e.rec.List(e.ctx, clerk, "crm", "orders", ListQuery{Deleted: true})
	wantCode(t, err, "access.forbidden")
}

func TestHistoryAndRestoreRevision(t *testing.T) {
	e := newEnv(t).crm()
	m := e.create(e.admin, "members", map[string]any{"name": "v1", "points": 1, "note": "a"})
	id := m[SysID].(string)
	for _, patch := range []map[string]any{
		{"name": "v2", "points": 2},
		{"note": nil},
		{"name": "v4"},
	} {
		if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", id, patch, 0, WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	revs, err := e.rec.History(e.ctx, e.admin, "crm", "members", id)
	if err != nil || len(revs) != 4 {
		t.Fatalf("history: %+v %v", revs, err)
	}
	if r := revs[2]; r.Rev != 2 || r.Op != OpUpdate || r.By != "admin" || r.Old["name"] != "v1" || r.New["name"] != "v2" ||
		len(r.Fields) != 2 || r.Fields[0] != "name" || r.Fields[1] != "points" {
		t.Fatalf("revision 2: %+v", r)
	}
	if r := revs[1]; r.Old["note"] != "a" || len(r.New) != 0 {
		t.Fatalf("revision 3 (clear): %+v", r)
	}
	back, err := e.rec.RestoreRevision(e.ctx, e.admin, "crm", "members", id, 2, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if back["name"] != "v2" || str(back["points"]) != "2" || back["note"] != "a" || str(back[SysVersion]) != "5" {
		t.Fatalf("restored to 2: %v", back)
	}
	back, err = e.rec.RestoreRevision(e.ctx, e.admin, "crm", "members", id, 3, WriteOptions{})
	if err != nil || back["name"] != "v2" || back["note"] != nil || str(back["points"]) != "2" {
		t.Fatalf("restored to 3: %v %v", back, err)
	}
	revs, _ = e.rec.History(e.ctx, e.admin, "crm", "members", id)
	if revs[0].Op != OpRevert || revs[0].From != 3 || revs[0].Rev != 6 {
		t.Fatalf("revert revision: %+v", revs[0])
	}
	_, err = e.rec.RestoreRevision(e.ctx, e.admin, "crm", "members", id, 99, WriteOptions{})
	wantCode(t, err, "record.revision_not_found")
}

// TestBulkRights: each item gets the answer its single call would; a
// caller with none of the rights is refused as a whole.
func TestBulkRights(t *testing.T) {
	e, ids := scoped(t)
	clerk := user("c1", []string{"s1"}, "clerk")
	res, err := e.rec.Bulk(e.ctx, clerk, "crm", "orders", []BulkOp{
		{Op: BulkCreate, Data: map[string]any{"member": ids["s1a"], "storeId": "s1", "price": "2", "qty": 1}},
		{Op: BulkDelete, ID: ids["o2"]},
		{Op: BulkUpdate, ID: ids["o1"], Data: map[string]any{"qty": 2}},
	}, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].ID == "" || !errs.HasCode(res[1].Err, "access.forbidden") || res[2].Err != nil {
		t.Fatalf("results %+v", res)
	}
	_, err = e.rec.Bulk(e.ctx, user("nobody", nil), "crm", "orders", []BulkOp{{Op: BulkDelete, ID: ids["o2"]}}, WriteOptions{})
	wantCode(t, err, "access.forbidden")
	_, err = e.rec.Bulk(e.ctx, clerk, "crm", "orders", make([]BulkOp, MaxBulk+1), WriteOptions{})
	wantCode(t, err, "record.bulk_too_large")
}

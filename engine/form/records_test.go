package form

import (
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

func TestCreateGetPatchDeleteRestore(t *testing.T) {
	e := newEnv(t).crm()
	m := e.create(e.admin, "members", map[string]any{"name": "张三", "phone": "13812341234"})
	id := m[SysID].(string)
	if m["tier"] != "normal" || str(m[SysVersion]) != "1" || m[SysCreatedBy] != "admin" || m[SysDeleted] != false {
		t.Fatalf("created: %v", m)
	}
	got, err := e.rec.Get(e.ctx, e.admin, "crm", "members", id)
	if err != nil || got["name"] != "张三" || got["phone"] != "13812341234" {
		t.Fatalf("get: %v %v", got, err)
	}

	p, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", id, map[string]any{"name": "张三丰", "phone": nil}, 1, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p["name"] != "张三丰" || p["phone"] != nil || str(p[SysVersion]) != "2" {
		t.Fatalf("patched: %v", p)
	}
	if _, has := p["phone"]; has {
		t.Fatalf("null must clear the field: %v", p)
	}
	// Nothing changes: no new version.
	same, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", id, map[string]any{"name": "张三丰"}, 0, WriteOptions{})
	if err != nil || str(same[SysVersion]) != "2" {
		t.Fatalf("no-op patch: %v %v", same, err)
	}
	_, err = e.rec.Patch(e.ctx, e.admin, "crm", "members", id, map[string]any{"name": "x"}, 1, WriteOptions{})
	wantCode(t, err, "record.stale")
	if errs.ClassOf(err) != errs.PreconditionErr {
		t.Fatalf("stale class %v", errs.ClassOf(err))
	}

	if err := e.rec.Delete(e.ctx, e.admin, "crm", "members", id, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rec.Get(e.ctx, e.admin, "crm", "members", id); !isNotFound(err) {
		t.Fatalf("deleted record still readable: %v", err)
	}
	page, err := e.rec.List(e.ctx, e.admin, "crm", "members", ListQuery{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("list after delete: %v %v", page.Items, err)
	}
	page, err = e.rec.List(e.ctx, e.admin, "crm", "members", ListQuery{Deleted: true})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("deleted list: %v %v", page.Items, err)
	}
	if err := e.rec.Delete(e.ctx, e.admin, "crm", "members", id, 0, WriteOptions{}); !isNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
	back, err := e.rec.Restore(e.ctx, e.admin, "crm", "members", id, WriteOptions{})
	if err != nil || back["name"] != "张三丰" || str(back[SysVersion]) != "4" {
		t.Fatalf("restore: %v %v", back, err)
	}
	if _, err := e.rec.Restore(e.ctx, e.admin, "crm", "members", id, WriteOptions{}); !isNotFound(err) {
		t.Fatalf("restore of a live record: %v", err)
	}
	// Every write was audited in its transaction.
	page2, err := e.audit.Query(e.ctx, auth.AuditQuery{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, en := range page2.Entries {
		seen[en.Action]++
	}
	if seen["record.create"] != 1 || seen["record.update"] != 1 || seen["record.delete"] != 1 || seen["record.restore"] != 1 {
		t.Fatalf("audit actions %v", seen)
	}
}

func TestValidationCollectsEverything(t *testing.T) {
	e := newEnv(t).crm()
	e.create(e.admin, "members", map[string]any{"name": "李四", "phone": "13900000000"})
	for _, tc := range []struct {
		name  string
		in    map[string]any
		paths []string
	}{
		{"missing required and unknown", map[string]any{"nope": 1}, []string{"name", "nope"}},
		{"wrong types", map[string]any{"name": 5, "points": "many", "tier": "platinum"}, []string{"name", "points", "tier"}},
		{"too long", map[string]any{"name": "一二三四五六七八九十一二三四五六七八九十一"}, []string{"name"}},
		{"bad phone", map[string]any{"name": "a", "phone": "12345"}, []string{"phone"}},
		{"bad id number", map[string]any{"name": "a", "idNo": "110105194912310021"}, []string{"idNo"}},
		{"computed and system", map[string]any{"name": "a", "cardNo": "X", "spent": 5, "_version": 3}, []string{"_version", "cardNo", "spent"}},
		{"requiredWhen", map[string]any{"name": "a", "tier": "gold"}, []string{"note"}},
		{"unique taken", map[string]any{"name": "a", "phone": "13900000000"}, []string{"phone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.rec.Create(e.ctx, e.admin, "crm", "members", tc.in, WriteOptions{Lang: "en"})
			e := wantCode(t, err, "record.validation")
			if errs.ClassOf(err) != errs.Unprocessable || e.Msg != "the record is invalid" {
				t.Fatalf("class %v msg %q", errs.ClassOf(err), e.Msg)
			}
			wantPaths(t, err, tc.paths...)
		})
	}
	// Messages follow the language; zh-CN by default.
	_, err := e.rec.Create(e.ctx, e.admin, "crm", "members", map[string]any{}, WriteOptions{})
	if ee, _ := errs.As(err); ee == nil || ee.Msg != "记录校验未通过" || ee.Fields[0].Message != "此项为必填项" {
		t.Fatalf("zh-CN messages: %v", err)
	}
	// Nothing was written by the refused creates, and no number was used.
	n, err := e.st.Count(e.ctx, RecordsCollection("crm", "members"), nil)
	if err != nil || n != 1 {
		t.Fatalf("records %d %v", n, err)
	}
	m := e.create(e.admin, "members", map[string]any{"name": "王五", "idNo": "11010519491231002X"})
	if m["cardNo"] == nil || str(m["cardNo"])[len(str(m["cardNo"]))-2:] != "02" {
		t.Fatalf("second number: %v", m["cardNo"])
	}
}

func TestUniqueValuesAcrossWrites(t *testing.T) {
	e := newEnv(t).crm()
	a := e.create(e.admin, "members", map[string]any{"name": "a", "phone": "13800000001"})
	b := e.create(e.admin, "members", map[string]any{"name": "b"})
	e.create(e.admin, "members", map[string]any{"name": "c"}) // two records without a phone are fine
	_, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", b[SysID].(string), map[string]any{"phone": "13800000001"}, 0, WriteOptions{})
	wantPaths(t, err, "phone")
	// Deleting releases the value; restoring claims it again.
	if err := e.rec.Delete(e.ctx, e.admin, "crm", "members", a[SysID].(string), 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", b[SysID].(string), map[string]any{"phone": "13800000001"}, 0, WriteOptions{}); err != nil {
		t.Fatalf("value of a deleted record: %v", err)
	}
	_, err = e.rec.Restore(e.ctx, e.admin, "crm", "members", a[SysID].(string), WriteOptions{})
	wantPaths(t, err, "phone")
	// Changing b's phone frees the old value.
	if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", b[SysID].(string), map[string]any{"phone": "13800000002"}, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rec.Restore(e.ctx, e.admin, "crm", "members", a[SysID].(string), WriteOptions{}); err != nil {
		t.Fatalf("restore once the value is free: %v", err)
	}
}

func TestRelationsMustExist(t *testing.T) {
	e := newEnv(t).crm()
	m := e.create(e.admin, "members", map[string]any{"name": "张三"})
	_, err := e.rec.Create(e.ctx, e.admin, "crm", "orders", map[string]any{"member": "nosuchid", "price": "1.00", "qty": 1}, WriteOptions{Lang: "en"})
	wantPaths(t, err, "member")
	if err := e.rec.Delete(e.ctx, e.admin, "crm", "members", m[SysID].(string), 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = e.rec.Create(e.ctx, e.admin, "crm", "orders", map[string]any{"member": m[SysID], "price": "1.00", "qty": 1}, WriteOptions{})
	wantPaths(t, err, "member")
}

func TestUnknownFormAndRights(t *testing.T) {
	e := newEnv(t).crm()
	_, err := e.rec.Create(e.ctx, e.admin, "crm", "nosuch", map[string]any{}, WriteOptions{})
	if errs.ClassOf(err) != errs.NotFound {
		t.Fatalf("unknown form: %v", err)
	}
	_, err = e.rec.Create(e.ctx, nil, "crm", "members", map[string]any{}, WriteOptions{})
	if errs.ClassOf(err) != errs.Unauthorized {
		t.Fatalf("no principal: %v", err)
	}
	_, err = e.rec.List(e.ctx, user("u1", nil), "crm", "members", ListQuery{})
	if errs.ClassOf(err) != errs.Forbidden {
		t.Fatalf("no role: %v", err)
	}
}

func TestCollectionNames(t *testing.T) {
	seen := map[string]string{}
	keys := []string{"a", "a_", "a-", "a_x", "a_x_b", "a-x", "a__x", "x_a", "b", "a_d", "ad"}
	for _, app := range keys {
		for _, form := range keys {
			for _, name := range []string{RecordsCollection(app, form), HistoryCollection(app, form)} {
				if !store.ValidCollection(name) {
					t.Fatalf("%s/%s: invalid name %q", app, form, name)
				}
				if prev, dup := seen[name]; dup {
					t.Fatalf("%s/%s and %s share %q", app, form, prev, name)
				}
				seen[name] = app + "/" + form
			}
		}
	}
	long := "abcdefghij-bcdefghij_bcdefghij-bcdefghij_bcdefghij-bcdefghij_ab"
	if n := RecordsCollection(long, long); !store.ValidCollection(n) || n == RecordsCollection(long, long+"x") {
		t.Fatalf("long keys: %q", n)
	}
}

// TestFailedWriteLeavesNothing: a failing write leaves nothing behind (record, history,
// audit, claims, counters all roll back together).
func TestFailedWriteLeavesNothing(t *testing.T) {
	e := newEnv(t).crm()
	e.create(e.admin, "members", map[string]any{"name": "a", "phone": "13800000001"})
	_, err := e.rec.Create(e.ctx, e.admin, "crm", "members", map[string]any{"name": "b", "phone": "13800000001"}, WriteOptions{})
	if !errs.HasCode(err, "record.validation") {
		t.Fatal(err)
	}
	for coll, want := range map[string]int64{
		RecordsCollection("crm", "members"): 1, HistoryCollection("crm", "members"): 1, collUnique: 1,
	} {
		n, err := e.st.Count(e.ctx, coll, nil)
		if err != nil || n != want {
			t.Errorf("%s: %d docs (%v), want %d", coll, n, err, want)
		}
	}
	n, _ := e.st.Count(e.ctx, auth.CollAudit, query.Eq(query.Field{Path: "action", Kind: query.KindString}, query.Str("record.create")))
	if n != 1 {
		t.Errorf("audit entries %d", n)
	}
}

// TestDryRun: every check runs, nothing is kept (no record, no number
// used, no revision), and the would-be record comes back.
func TestDryRun(t *testing.T) {
	e := newEnv(t).crm()
	dry := WriteOptions{DryRun: true}
	doc, err := e.rec.Create(e.ctx, e.admin, "crm", "members", map[string]any{"name": "试", "phone": "13800000009"}, dry)
	if err != nil || doc["cardNo"] == nil || doc[SysID] == nil {
		t.Fatalf("dry create: %v %v", doc, err)
	}
	if n, _ := e.st.Count(e.ctx, RecordsCollection("crm", "members"), nil); n != 0 {
		t.Fatalf("a dry run stored %d records", n)
	}
	m := e.create(e.admin, "members", map[string]any{"name": "真", "phone": "13800000009"})
	if str(m["cardNo"]) != str(doc["cardNo"]) {
		t.Fatalf("the dry run used a number: %v then %v", doc["cardNo"], m["cardNo"])
	}
	_, err = e.rec.Create(e.ctx, e.admin, "crm", "members", map[string]any{"name": "重", "phone": "13800000009"}, dry)
	wantPaths(t, err, "phone")
	p, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", m[SysID].(string), map[string]any{"name": "改"}, 0, dry)
	if err != nil || p["name"] != "改" {
		t.Fatalf("dry patch: %v %v", p, err)
	}
	res, err := e.rec.Bulk(e.ctx, e.admin, "crm", "members", []BulkOp{{Op: BulkDelete, ID: m[SysID].(string)}}, dry)
	if err != nil || res[0].Err != nil {
		t.Fatalf("dry bulk delete: %v %v", res, err)
	}
	got, err := e.rec.Get(e.ctx, e.admin, "crm", "members", m[SysID].(string))
	if err != nil || got["name"] != "真" || str(got[SysVersion]) != "1" {
		t.Fatalf("after dry runs: %v %v", got, err)
	}
}

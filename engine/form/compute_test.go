package form

import (
	"testing"

	"github.com/tangram/tangram/engine/meta"
)

// TestFormulasRollupsLookups: an order's amount is computed from price
// and quantity and recomputed on patch; the member's rollups follow every
// order write (create, patch, move to another member, delete, restore);
// lookups show the member's fields.
func TestFormulasRollupsLookups(t *testing.T) {
	e := newEnv(t).crm()
	a := e.create(e.admin, "members", map[string]any{"name": "张三", "phone": "13812341234"})
	b := e.create(e.admin, "members", map[string]any{"name": "李四"})
	aID, bID := a[SysID].(string), b[SysID].(string)

	o1 := e.create(e.admin, "orders", map[string]any{"member": aID, "price": "12.50", "qty": 2})
	if str(o1["amount"]) != "2500" || o1["memberName"] != "张三" || o1["memberPhone"] != "13812341234" {
		t.Fatalf("order: %v", o1)
	}
	e.create(e.admin, "orders", map[string]any{"member": aID, "price": "1.00", "qty": 3})
	member := func(id string) map[string]any {
		t.Helper()
		m, err := e.rec.Get(e.ctx, e.admin, "crm", "members", id)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := member(aID); str(m["spent"]) != "2800" || str(m["orderCount"]) != "2" || str(m[SysVersion]) != "1" {
		t.Fatalf("rollups after creates: %v", m)
	}
	// Patch recomputes the formula and the rollup.
	p, err := e.rec.Patch(e.ctx, e.admin, "crm", "orders", o1[SysID].(string), map[string]any{"qty": 4}, 0, WriteOptions{})
	if err != nil || str(p["amount"]) != "5000" {
		t.Fatalf("patched order: %v %v", p, err)
	}
	if m := member(aID); str(m["spent"]) != "5300" {
		t.Fatalf("spent after patch: %v", m["spent"])
	}
	// Moving the order to another member updates both.
	if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "orders", o1[SysID].(string), map[string]any{"member": bID}, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if ma, mb := member(aID), member(bID); str(ma["spent"]) != "300" || str(mb["spent"]) != "5000" || str(mb["orderCount"]) != "1" {
		t.Fatalf("after move: a %v/%v b %v/%v", ma["spent"], ma["orderCount"], mb["spent"], mb["orderCount"])
	}
	if err := e.rec.Delete(e.ctx, e.admin, "crm", "orders", o1[SysID].(string), 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if mb := member(bID); str(mb["spent"]) != "0" || str(mb["orderCount"]) != "0" {
		t.Fatalf("after delete: %v", mb)
	}
	if _, err := e.rec.Restore(e.ctx, e.admin, "crm", "orders", o1[SysID].(string), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if mb := member(bID); str(mb["spent"]) != "5000" {
		t.Fatalf("after restore: %v", mb)
	}
	// Lookups follow the member's current values.
	if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", bID, map[string]any{"name": "李四四"}, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	page, err := e.rec.List(e.ctx, e.admin, "crm", "orders", ListQuery{Sort: "_createdAt"})
	if err != nil || len(page.Items) != 2 || page.Items[0]["memberName"] != "李四四" || page.Items[1]["memberName"] != "张三" {
		t.Fatalf("lookups in a list: %v %v", page.Items, err)
	}
}

// TestDefaultsAndFormulaDefaults: fixed defaults and formula defaults fill
// absent fields only.
func TestDefaultsAndFormulaDefaults(t *testing.T) {
	e := newEnv(t)
	e.publish(meta.KindForm, "tickets", `{"title": "工单", "fields": [
	  {"key": "title", "type": "text", "label": "标题"},
	  {"key": "qty", "type": "number", "label": "数量", "default": 3},
	  {"key": "total", "type": "number", "label": "合计", "default": {"formula": "qty * 10"}},
	  {"key": "double", "type": "formula", "label": "双倍", "expression": "total * 2", "resultType": "number"}
	]}`)
	doc := e.create(e.admin, "tickets", map[string]any{"title": "a"})
	if str(doc["qty"]) != "3" || str(doc["total"]) != "30" || str(doc["double"]) != "60" {
		t.Fatalf("defaults: %v", doc)
	}
	doc = e.create(e.admin, "tickets", map[string]any{"title": "b", "qty": 1, "total": 7})
	if str(doc["total"]) != "7" || str(doc["double"]) != "14" {
		t.Fatalf("given values win: %v", doc)
	}
}

// TestFormulaFailureIsAFieldError: a formula that throws refuses the write
// with the formula field's path.
func TestFormulaFailureIsAFieldError(t *testing.T) {
	e := newEnv(t)
	e.publish(meta.KindForm, "calc", `{"title": "calc", "fields": [
	  {"key": "n", "type": "number", "label": "n"},
	  {"key": "r", "type": "formula", "label": "r", "expression": "n.toFixed(undefined.x)", "resultType": "number"}
	]}`)
	_, err := e.rec.Create(e.ctx, e.admin, "crm", "calc", map[string]any{"n": 1}, WriteOptions{})
	wantCode(t, err, "record.validation")
	wantPaths(t, err, "r")
}

func TestCheckSpec(t *testing.T) {
	for _, tc := range []struct {
		name, spec string
		paths      []string
	}{
		{"valid", membersSpec, nil},
		{"unknown type", `{"title":"x","fields":[{"key":"a","type":"nosuch","label":"a"}]}`, []string{"fields[0].type"}},
		{"bad formula", `{"title":"x","fields":[{"key":"a","type":"formula","label":"a","expression":"1 +"}]}`, []string{"fields[0].expression"}},
		{"cycle", `{"title":"x","fields":[{"key":"a","type":"formula","label":"a","expression":"b"},{"key":"b","type":"formula","label":"b","expression":"a"}]}`, []string{"fields"}},
		{"bad condition", `{"title":"x","fields":[{"key":"a","type":"text","label":"a","requiredWhen":{"zz":1}}]}`, []string{"fields[0].requiredWhen.zz"}},
		{"lookup without relation", `{"title":"x","fields":[{"key":"a","type":"lookup","label":"a","relation":"b","field":"c"}]}`, []string{"fields[0].relation"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := CheckSpec([]byte(tc.spec))
			var got []string
			for _, f := range fe {
				got = append(got, f.Path)
			}
			if len(got) != len(tc.paths) {
				t.Fatalf("problems %v, want paths %v", fe, tc.paths)
			}
			for i := range got {
				if got[i] != tc.paths[i] {
					t.Fatalf("problems %v, want paths %v", fe, tc.paths)
				}
			}
		})
	}
}

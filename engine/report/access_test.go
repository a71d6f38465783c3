package report

import (
	"fmt"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

const regionManagerRole = `{"title": "Region manager", "permissions": [
 {"kind": "form", "key": "transactions", "actions": ["read"], "scope": {"storeUnit": {"$in": "$user.unitSubtree"}}},
 {"kind": "form", "key": "stores", "actions": ["read"], "scope": {"orgUnit": {"$in": "$user.unitSubtree"}}},
 {"kind": "form", "key": "members", "actions": ["read"], "scope": {"homeUnit": {"$in": "$user.unitSubtree"}}, "fields": {"phone": "masked"}},
 {"kind": "report", "key": "*", "actions": ["read"]},
 {"kind": "dashboard", "key": "*", "actions": ["read"]}]}`

// A region manager's report equals HQ's report filtered to the region:
// the scope on transactions is ANDed in, and joined members outside the
// region join as missing (their tier reads null) without dropping the
// region's sales.
func TestRowScopeOfRegionManager(t *testing.T) {
	e := newEnv(t)
	d := e.load(8, 120, 1500)
	e.publish(meta.KindRole, "region-manager", regionManagerRole)
	e.publish(meta.KindReport, "sales", salesByRegionTier)
	mgr := user("east-mgr", []string{"u-east"}, "region-manager")

	mine := e.run(mgr, "sales", nil)
	hq := e.run(e.admin, "sales", map[string]any{"region": "east"})
	var mineOrders, hqOrders, mineSales, hqSales int64
	for _, row := range mine.Rows {
		if row["region"] != "east" {
			t.Errorf("a region manager sees region %v", row["region"])
		}
		mineOrders += intOf(row["orders"])
		mineSales += intOf(row["sales"])
	}
	for _, row := range hq.Rows {
		hqOrders += intOf(row["orders"])
		hqSales += intOf(row["sales"])
	}
	if mineOrders == 0 || mineOrders != hqOrders || mineSales != hqSales {
		t.Fatalf("manager %d orders / %d sales, HQ filtered %d / %d", mineOrders, mineSales, hqOrders, hqSales)
	}
	// Tiers: only members of the region are visible; the rest count under null.
	model := map[string]int64{}
	for _, s := range d.sales {
		if d.storeOf(s, "region") != "east" {
			continue
		}
		tier := "<nil>"
		if m := d.member(s["member"]); m != nil && m["homeUnit"] == "u-east" {
			tier = fmt.Sprint(m["tier"])
		}
		model[tier]++
	}
	got := map[string]int64{}
	for _, row := range mine.Rows {
		got[fmt.Sprint(row["tier"])] += intOf(row["orders"])
	}
	if fmt.Sprint(got) != fmt.Sprint(model) {
		t.Errorf("orders by visible tier: got %v, want %v", got, model)
	}
	// The scope is part of the cache key: another region's manager gets
	// its own numbers, not the cached east ones.
	north := e.run(user("north-mgr", []string{"u-north"}, "region-manager"), "sales", nil)
	for _, row := range north.Rows {
		if row["region"] != "north" {
			t.Fatalf("north manager sees %v (cached result of another scope?)", row["region"])
		}
	}
}

// Field rules: a report over a field the caller may not read is refused
// (a total by phone would leak phones), naming the field.
func TestFieldRulesHideMeasuresAndDimensions(t *testing.T) {
	e := newEnv(t)
	e.load(3, 10, 50)
	e.publish(meta.KindRole, "region-manager", regionManagerRole)
	e.publish(meta.KindReport, "by-phone", `{"title": "p", "dataset": {"form": "transactions", "joins": [{"relation": "member", "as": "member"}]},
		"dimensions": [{"field": "member.phone"}], "measures": [{"op": "count"}]}`)
	e.publish(meta.KindReport, "phones", `{"title": "p", "dataset": {"form": "members"},
		"measures": [{"op": "countDistinct", "field": "phone"}, {"op": "count", "filter": {"phone": {"$startsWith": "138"}}, "as": "n138"}]}`)
	mgr := user("m", []string{"u-east"}, "region-manager")
	for key, paths := range map[string][]string{"by-phone": {"dimensions[0].field"}, "phones": {"measures[0].field", "measures[1].filter"}} {
		_, err := e.tryRun(mgr, key, nil)
		e2, ok := errs.As(err)
		if !ok || e2.Class != errs.Forbidden || e2.Code != "report.field_hidden" {
			t.Fatalf("%s: got %v, want 403 report.field_hidden", key, err)
		}
		var got []string
		for _, f := range e2.Fields {
			got = append(got, f.Path)
		}
		if fmt.Sprint(got) != fmt.Sprint(paths) {
			t.Errorf("%s: paths %v, want %v", key, got, paths)
		}
	}
	// HQ may.
	if _, err := e.tryRun(e.admin, "phones", nil); err != nil {
		t.Fatal(err)
	}
	// Without the read right on the report itself: forbidden.
	e.publish(meta.KindRole, "clerk", `{"title": "c", "permissions": [{"kind": "form", "key": "members", "actions": ["read"]}]}`)
	if _, err := e.tryRun(user("c", nil, "clerk"), "phones", nil); errs.ClassOf(err) != errs.Forbidden {
		t.Errorf("no report right: got %v, want forbidden", err)
	}
}

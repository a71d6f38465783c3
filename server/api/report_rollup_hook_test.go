package api_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// TestCRMRollupsKeptByWrites: with the records write hook wired, the CRM
// template's rollups build over HTTP (no 409 report.rollup_unhooked), the
// till's checkouts after the build keep them current, and a rollup-backed
// report answers exactly what the same report over the records answers
// (a copy of it published without its rollup). A store manager opens the
// store dashboard and sees only their store's numbers, from the rollup.
func TestCRMRollupsKeptByWrites(t *testing.T) {
	c := newCRM(t)
	h := c.h
	r := h.Do("POST", "/api/apps/crm/report-rollups", nil)
	h.Expect(r, 200, "")
	ready := map[any]any{}
	for _, st := range r.JSON().([]any) {
		ready[st.(map[string]any)["report"]] = st.(map[string]any)["state"]
	}
	if ready["sales-kpi"] != "ready" {
		t.Fatalf("rollups built: %v", ready)
	}
	unit := func(kind, name, code, parent string) string {
		t.Helper()
		return jsonStr(h.Expect(h.Do("POST", "/api/org/units", map[string]any{"kind": kind, "name": name, "code": code, "parentId": parent}), 201, ""), "id")
	}
	east := unit("region", "华东大区", "EAST", "")
	units := map[string]string{"S0001": unit("store", "南京西路店", "U-S0001", east), "S0002": unit("store", "春熙路店", "U-S0002", east)}
	storeIDs := map[string]string{}
	for code, u := range units {
		s := c.find("stores", map[string]any{"code": code})[0]
		storeIDs[code] = jsonStr(s, "_id")
		h.Expect(h.Do("PATCH", "/api/apps/crm/forms/stores/records/"+storeIDs[code], map[string]any{"orgUnit": u}), 200, "")
	}
	// Sales in both stores after the build: only the hook puts them in.
	for i := range 6 {
		store := []string{"S0001", "S0002"}[i%2]
		m := c.ok("register-member", map[string]any{"phone": fmt.Sprintf("138001381%02d", i), "name": "会员", "homeStore": store})
		c.ok("checkout", map[string]any{"receiptId": fmt.Sprintf("RH-%d", i), "store": store,
			"member": map[string]any{"id": jsonStr(m["member"].(map[string]any), "id")},
			"lines":  []any{line("X", "食品", 1+i, "12.30")}})
	}

	// The reference: sales-kpi without its rollup reads the records.
	def := h.Expect(h.Do("GET", "/api/apps/crm/meta/report/sales-kpi?status=published", nil), 200, "")
	spec := def["spec"].(map[string]any)
	delete(spec, "rollup")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/report/sales-kpi-raw", map[string]any{"spec": spec}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/report/sales-kpi-raw/publish", nil), 200, "")

	run := func(hh *apitest.Harness, key string, params map[string]any) map[string]any {
		t.Helper()
		return hh.Expect(hh.Do("POST", "/api/apps/crm/reports/"+key+"/run", map[string]any{"parameters": params, "noCache": true}), 200, "")
	}
	same := func(what string, got, want map[string]any) {
		t.Helper()
		if got["source"] != "rollup" || want["source"] != "raw" {
			t.Fatalf("%s: sources %v / %v", what, got["source"], want["source"])
		}
		if !reflect.DeepEqual(got["rows"], want["rows"]) || !reflect.DeepEqual(got["totals"], want["totals"]) {
			t.Fatalf("%s: rollup and records differ\nrollup %v %v\nraw    %v %v", what, got["rows"], got["totals"], want["rows"], want["totals"])
		}
	}
	all := run(h, "sales-kpi", nil)
	if rows, _ := all["rows"].([]any); len(rows) == 0 {
		t.Fatalf("no sales: %v", all)
	}
	same("admin", all, run(h, "sales-kpi-raw", nil))
	s1 := map[string]any{"store": storeIDs["S0001"]}
	same("admin, store S0001", run(h, "sales-kpi", s1), run(h, "sales-kpi-raw", s1))
	if reflect.DeepEqual(all["rows"], run(h, "sales-kpi", s1)["rows"]) {
		t.Fatalf("one store's sales equal all sales: %v", all["rows"])
	}

	// A store manager of S0001: reports and dashboards are readable, and
	// the row scope holds inside them.
	h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "manager1", "password": apitest.AdminPassword,
		"memberships": []any{map[string]any{"unitId": units["S0001"], "position": "store_manager"}},
		"roles":       []any{map[string]any{"app": "crm", "role": "store-manager"}}}), 201, "")
	manager := h.As(h.Login("manager1", apitest.AdminPassword))
	mine := run(manager, "sales-kpi", nil)
	same("store manager", mine, run(manager, "sales-kpi-raw", nil))
	if ref := run(h, "sales-kpi-raw", s1); !reflect.DeepEqual(mine["rows"], ref["rows"]) {
		t.Fatalf("store manager sees %v, S0001 has %v", mine["rows"], ref["rows"])
	}
	h.Expect(manager.Do("GET", "/api/apps/crm/dashboards/store-view", nil), 200, "")
	data := manager.Expect(manager.Do("GET", "/api/apps/crm/dashboards/store-view/data", nil), 200, "")
	var sales map[string]any
	for _, w := range data["widgets"].([]any) {
		w := w.(map[string]any)
		if w["error"] != nil {
			t.Fatalf("widget %v: %v", w["id"], w["error"])
		}
		if w["report"] == "sales-kpi" {
			sales = w["result"].(map[string]any)
		}
	}
	if sales == nil || sales["source"] != "rollup" || !reflect.DeepEqual(sales["rows"], mine["rows"]) {
		t.Fatalf("store dashboard's sales widget %v, want %v", sales, mine["rows"])
	}
}

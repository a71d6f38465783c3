package api_test

import (
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// TestCRMRoles: the template's roles over HTTP, with the stores placed in
// an org tree (east region: S0001; west region: S0002). A cashier runs the
// till actions but not HQ's, and reads members with masked phones; a store
// manager sees their store's members and sales only; a region manager
// their region's; nobody but the actions writes points or balances.
func TestCRMRoles(t *testing.T) {
	c := newCRM(t)
	h := c.h
	unit := func(kind, name, code, parent string) string {
		t.Helper()
		return jsonStr(h.Expect(h.Do("POST", "/api/org/units", map[string]any{"kind": kind, "name": name, "code": code, "parentId": parent}), 201, ""), "id")
	}
	east, west := unit("region", "华东大区", "EAST", ""), unit("region", "西部大区", "WEST", "")
	units := map[string]string{"S0001": unit("store", "南京西路店", "U-S0001", east), "S0002": unit("store", "春熙路店", "U-S0002", west)}
	for code, u := range units {
		s := c.find("stores", map[string]any{"code": code})[0]
		h.Expect(h.Do("PATCH", "/api/apps/crm/forms/stores/records/"+jsonStr(s, "_id"), map[string]any{"orgUnit": u}), 200, "")
	}
	user := func(name, role, unitID, position string) *apitest.Harness {
		t.Helper()
		h.Expect(h.Do("POST", "/api/users", map[string]any{"username": name, "password": apitest.AdminPassword,
			"memberships": []any{map[string]any{"unitId": unitID, "position": position}},
			"roles":       []any{map[string]any{"app": "crm", "role": role}}}), 201, "")
		return h.As(h.Login(name, apitest.AdminPassword))
	}
	cashier := user("cashier1", "cashier", units["S0001"], "store_clerk")
	manager := user("manager1", "store-manager", units["S0001"], "store_manager")
	regional := user("east1", "region-manager", east, "region_manager")
	westManager := user("manager2", "store-manager", units["S0002"], "store_manager")

	// The cashier registers two members, one per store, and sells.
	reg := func(phone, store string) string {
		out := cashier.Expect(c.run(cashier, "register-member", map[string]any{"phone": phone, "name": "会员" + store, "homeStore": store}), 200, "")
		return jsonStr(out["member"].(map[string]any), "id")
	}
	a, b := reg("13800138031", "S0001"), reg("13800138032", "S0002")
	if rec := c.record("members", a); rec["homeUnit"] != units["S0001"] {
		t.Fatalf("home unit not copied from the store: %v", rec)
	}
	for i, m := range []string{a, b} {
		store := []string{"S0001", "S0002"}[i]
		cashier.Expect(c.run(cashier, "checkout", map[string]any{"receiptId": "ROLE-" + store, "store": store,
			"member": map[string]any{"id": m}, "lines": []any{line("X", "食品", 1, "30")}}), 200, "")
	}
	cashier.Expect(c.run(cashier, "adjust-points", map[string]any{"member": a, "points": 100, "reason": "补发"}), 403, "access.forbidden")
	cashier.Expect(c.run(cashier, "issue-coupons", map[string]any{"template": "x", "members": []any{a}}), 403, "access.forbidden")
	cashier.Expect(cashier.Do("GET", "/api/apps/crm/forms/transactions/records", nil), 403, "access.forbidden")
	seen := cashier.Expect(cashier.Do("GET", "/api/apps/crm/forms/members/records/"+a, nil), 200, "")
	if seen["phone"] == "13800138031" || seen["phone"] == nil || seen["unionid"] != nil {
		t.Fatalf("cashier sees %v", seen)
	}

	// Store managers: their own store only.
	list := func(hh *apitest.Harness, form string) []map[string]any {
		t.Helper()
		return jsonItems(t, hh.Expect(hh.Do("GET", "/api/apps/crm/forms/"+form+"/records", nil), 200, ""))
	}
	if ms := list(manager, "members"); len(ms) != 1 || ms[0]["_id"] != a || ms[0]["phone"] == "13800138031" {
		t.Fatalf("store manager's members %v", ms)
	}
	if ts := list(manager, "transactions"); len(ts) != 1 || ts[0]["receiptId"] != "ROLE-S0001" {
		t.Fatalf("store manager's transactions %v", ts)
	}
	if ms := list(westManager, "members"); len(ms) != 1 || ms[0]["_id"] != b {
		t.Fatalf("west store manager's members %v", ms)
	}
	manager.Expect(manager.Do("GET", "/api/apps/crm/forms/members/records/"+b, nil), 404, "")
	p := manager.Expect(manager.Do("PATCH", "/api/apps/crm/forms/members/records/"+a, map[string]any{"points": 99999}), 403, "access.field_readonly")
	expectPath(t, p, "points")
	manager.Expect(manager.Do("PATCH", "/api/apps/crm/forms/members/records/"+a, map[string]any{"gender": "female"}), 200, "")
	manager.Expect(c.run(manager, "redeem-points", map[string]any{"member": a, "template": "nope"}), 422, "crm.unknown_template")

	// The east region manager: S0001 and its members, not the west's.
	if ss := list(regional, "stores"); len(ss) != 1 || ss[0]["code"] != "S0001" {
		t.Fatalf("region manager's stores %v", ss)
	}
	if ms := list(regional, "members"); len(ms) != 1 || ms[0]["_id"] != a {
		t.Fatalf("region manager's members %v", ms)
	}
	regional.Expect(c.run(regional, "checkout", map[string]any{"receiptId": "R9", "store": "S0001", "member": map[string]any{"id": a},
		"lines": []any{line("X", "食品", 1, "1")}}), 403, "access.forbidden")
	c.reconcile()
}

// jsonItems reads the items of a records page.
func jsonItems(t *testing.T, page map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, it := range page["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

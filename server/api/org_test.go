package api_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// subtreeOf returns the sorted ids of a unit's subtree.
func subtreeOf(t *testing.T, h *apitest.Harness, id string) string {
	t.Helper()
	m := h.Expect(h.Do("GET", "/api/org/units/"+id+"/subtree", nil), 200, "")
	if jsonStr(m, "unitId") != id {
		t.Fatalf("subtree of %s answers %v", id, m)
	}
	var out []string
	for _, v := range m["ids"].([]any) {
		out = append(out, v.(string))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// sortedIDs sorts ids and joins them with commas.
func sortedIDs(ids ...string) string {
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// unitCodes lists the codes of units in a list answer.
func unitCodes(units []map[string]any) string {
	var out []string
	for _, u := range units {
		out = append(out, jsonStr(u, "code"))
	}
	return strings.Join(out, ",")
}

// TestOrgTree: HQ -> 2 regions -> 4 stores; a store moves to the other
// region and the subtrees follow; cycles are refused; everyone signed in
// reads the tree, only admins change it.
func TestOrgTree(t *testing.T) {
	h := apitest.New(t)
	org := orgFixture(t, h)
	if roots := jsonArray(t, h.Do("GET", "/api/org/units", nil)); unitCodes(roots) != "HQ" {
		t.Fatalf("roots: %v", roots)
	}
	if kids := jsonArray(t, h.Do("GET", "/api/org/units?parent="+org["R1"], nil)); unitCodes(kids) != "S1,S2" {
		t.Fatalf("R1 children: %v", kids)
	}
	if got := subtreeOf(t, h, org["R1"]); got != sortedIDs(org["R1"], org["S1"], org["S2"]) {
		t.Fatalf("R1 subtree before the move: %s", got)
	}

	moved := h.Expect(h.Do("POST", "/api/org/units/"+org["S2"]+"/move", map[string]any{"parentId": org["R2"]}), 200, "")
	r2 := h.Expect(h.Do("GET", "/api/org/units/"+org["R2"], nil), 200, "")
	if jsonStr(moved, "parentId") != org["R2"] || jsonStr(moved, "path") != jsonStr(r2, "path")+org["S2"]+"/" {
		t.Fatalf("moved unit %v (R2 %v)", moved, r2)
	}
	if got := subtreeOf(t, h, org["R1"]); got != sortedIDs(org["R1"], org["S1"]) {
		t.Fatalf("R1 subtree after the move: %s", got)
	}
	if got := subtreeOf(t, h, org["R2"]); got != sortedIDs(org["R2"], org["S2"], org["S3"], org["S4"]) {
		t.Fatalf("R2 subtree after the move: %s", got)
	}
	if got := subtreeOf(t, h, org["HQ"]); strings.Count(got, ",") != 6 {
		t.Fatalf("HQ subtree: %s", got)
	}

	// A region moving under its own store is a cycle, as is a unit under
	// itself; a missing parent points at the body, a missing unit is 404.
	h.Expect(h.Do("POST", "/api/org/units/"+org["R2"]+"/move", map[string]any{"parentId": org["S3"]}), 422, "org.move_cycle")
	h.Expect(h.Do("POST", "/api/org/units/"+org["HQ"]+"/move", map[string]any{"parentId": org["HQ"]}), 422, "org.move_cycle")
	expectPath(t, h.Expect(h.Do("POST", "/api/org/units/"+org["S1"]+"/move", map[string]any{"parentId": "ghost"}), 422, "org.invalid_move"), "parentId")
	expectPath(t, h.Expect(h.Do("POST", "/api/org/units/"+org["S1"]+"/move", map[string]any{}), 422, "org.invalid_move"), "parentId")
	h.Expect(h.Do("POST", "/api/org/units/ghost/move", map[string]any{"parentId": org["R1"]}), 404, "org.unit_not_found")
	if got := subtreeOf(t, h, org["R2"]); got != sortedIDs(org["R2"], org["S2"], org["S3"], org["S4"]) {
		t.Fatalf("refused moves changed R2: %s", got)
	}

	// Create, change and delete.
	h.Expect(h.Do("POST", "/api/org/units", map[string]any{"kind": "store", "name": "dup", "code": "S1"}), 409, "org.unit_code_exists")
	bad := h.Expect(h.Do("POST", "/api/org/units", map[string]any{"kind": "castle", "name": " ", "code": "a b"}), 422, "org.invalid_unit")
	for _, p := range []string{"kind", "name", "code"} {
		expectPath(t, bad, p)
	}
	expectPath(t, h.Expect(h.Do("POST", "/api/org/units", map[string]any{"kind": "store", "name": "x", "code": "S9", "parentId": "ghost"}),
		422, "org.invalid_unit"), "parentId")
	if u := h.Expect(h.Do("PATCH", "/api/org/units/"+org["S4"], map[string]any{"name": "南京路店"}), 200, ""); jsonStr(u, "name") != "南京路店" || jsonStr(u, "code") != "S4" {
		t.Fatalf("patched unit %v", u)
	}
	h.Expect(h.Do("PATCH", "/api/org/units/"+org["S4"], map[string]any{"code": "S3"}), 409, "org.unit_code_exists")
	h.Expect(h.Do("DELETE", "/api/org/units/"+org["R1"], nil), 409, "org.unit_not_empty")
	h.Expect(h.Do("DELETE", "/api/org/units/"+org["S1"], nil), 204, "")
	h.Expect(h.Do("GET", "/api/org/units/"+org["S1"], nil), 404, "org.unit_not_found")
	h.Expect(h.Do("GET", "/api/org/units/"+org["S1"]+"/subtree", nil), 404, "org.unit_not_found")
	// null makes a root.
	if u := h.Expect(h.Do("POST", "/api/org/units/"+org["R1"]+"/move", `{"parentId":null}`), 200, ""); jsonStr(u, "parentId") != "" || jsonStr(u, "path") != "/"+org["R1"]+"/" {
		t.Fatalf("R1 as a root: %v", u)
	}

	// A store clerk reads the whole tree and changes nothing.
	mkStaff(t, h, "clerk.s3", org["S3"], "store_clerk")
	clerk := h.As(h.Login("clerk.s3", staffPassword))
	if roots := jsonArray(t, clerk.Do("GET", "/api/org/units", nil)); unitCodes(roots) != "HQ,R1" {
		t.Fatalf("clerk roots: %v", roots)
	}
	clerk.Expect(clerk.Do("GET", "/api/org/units/"+org["S3"], nil), 200, "")
	if got := subtreeOf(t, clerk, org["R2"]); !strings.Contains(got, org["S3"]) {
		t.Fatalf("clerk subtree of R2: %s", got)
	}
	clerk.Expect(clerk.Do("POST", "/api/org/units", map[string]any{"kind": "store", "name": "x", "code": "X1", "parentId": org["R2"]}), 403, "auth.forbidden")
	clerk.Expect(clerk.Do("PATCH", "/api/org/units/"+org["S3"], map[string]any{"name": "mine"}), 403, "auth.forbidden")
	clerk.Expect(clerk.Do("POST", "/api/org/units/"+org["S3"]+"/move", map[string]any{"parentId": org["R1"]}), 403, "auth.forbidden")
	clerk.Expect(clerk.Do("DELETE", "/api/org/units/"+org["S4"], nil), 403, "auth.forbidden")
	clerk.Expect(clerk.Do("PUT", "/api/org/kinds/kiosk", map[string]any{"name": "亭"}), 403, "auth.forbidden")
	clerk.Expect(clerk.Do("DELETE", "/api/org/kinds/merchant", nil), 403, "auth.forbidden")
	clerk.Expect(clerk.Do("PUT", "/api/org/positions/boss", map[string]any{"name": "老板", "manager": true}), 403, "auth.forbidden")
	clerk.Expect(clerk.Do("DELETE", "/api/org/positions/store_clerk", nil), 403, "auth.forbidden")
	if kinds := jsonArray(t, clerk.Do("GET", "/api/org/kinds", nil)); len(kinds) != 4 {
		t.Fatalf("clerk reads kinds: %v", kinds)
	}
	if ps := jsonArray(t, clerk.Do("GET", "/api/org/positions", nil)); len(ps) != 5 {
		t.Fatalf("clerk reads positions: %v", ps)
	}
}

// TestOrgKindsAndPositions: unit kinds and positions are data an admin
// adds and removes; ones in use cannot be deleted; a new manager position
// joins the manager chain.
func TestOrgKindsAndPositions(t *testing.T) {
	h := apitest.New(t)
	if k := h.Expect(h.Do("PUT", "/api/org/kinds/mall", map[string]any{"name": " 商场 "}), 200, ""); jsonStr(k, "key") != "mall" || jsonStr(k, "name") != "商场" {
		t.Fatalf("put kind: %v", k)
	}
	h.Expect(h.Do("PUT", "/api/org/kinds/counter", map[string]any{"name": "专柜"}), 200, "")
	h.Expect(h.Do("PUT", "/api/org/kinds/counter", map[string]any{"name": "专柜区"}), 200, "")
	var names []string
	for _, k := range jsonArray(t, h.Do("GET", "/api/org/kinds", nil)) {
		names = append(names, jsonStr(k, "key")+"="+jsonStr(k, "name"))
	}
	if got := strings.Join(names, " "); got != "counter=专柜区 hq=总部 mall=商场 merchant=商户 region=区域 store=门店" {
		t.Fatalf("kinds: %s", got)
	}
	bad := h.Expect(h.Do("PUT", "/api/org/kinds/Bad-Key", map[string]any{"name": ""}), 422, "org.invalid")
	expectPath(t, bad, "key")
	expectPath(t, bad, "name")

	mall := mkUnit(t, h, "mall", "M1", "")
	counter := mkUnit(t, h, "counter", "M1-C1", mall)
	h.Expect(h.Do("DELETE", "/api/org/kinds/mall", nil), 409, "org.kind_in_use")
	h.Expect(h.Do("DELETE", "/api/org/kinds/merchant", nil), 204, "")
	h.Expect(h.Do("DELETE", "/api/org/kinds/merchant", nil), 404, "org.kind_not_found")
	expectPath(t, h.Expect(h.Do("POST", "/api/org/units", map[string]any{"kind": "merchant", "name": "x", "code": "X"}), 422, "org.invalid_unit"), "kind")

	// A new manager position: its holder manages the counter's clerk.
	if p := h.Expect(h.Do("PUT", "/api/org/positions/floor_manager", map[string]any{"name": "楼层经理", "manager": true}), 200, ""); p["manager"] != true {
		t.Fatalf("put position: %v", p)
	}
	boss := mkStaff(t, h, "floor.boss", mall, "floor_manager")
	clerk := mkStaff(t, h, "counter.clerk", counter, "store_clerk")
	chain := jsonArray(t, h.Do("GET", "/api/users/"+clerk+"/managers", nil))
	if len(chain) != 1 || jsonStr(chain[0], "unitId") != mall || joinIDs(chain[0]["userIds"]) != boss {
		t.Fatalf("chain through the new position: %v", chain)
	}
	h.Expect(h.Do("DELETE", "/api/org/positions/floor_manager", nil), 409, "org.position_in_use")
	h.Expect(h.Do("DELETE", "/api/org/positions/merchant_admin", nil), 204, "")
	h.Expect(h.Do("DELETE", "/api/org/positions/merchant_admin", nil), 404, "org.position_not_found")
	expectPath(t, h.Expect(h.Do("PUT", "/api/org/positions/x", map[string]any{"name": strings.Repeat("长", 51)}), 422, "org.invalid"), "name")

	// Once nothing uses the mall kind, it can go.
	h.Expect(h.Do("PATCH", "/api/org/units/"+mall, map[string]any{"kind": "hq"}), 200, "")
	h.Expect(h.Do("DELETE", "/api/org/kinds/mall", nil), 204, "")
}

package api_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/server/api/apitest"
)

const memberRights = "/api/apps/crm/forms/members/rights"

// rightsFixture: the crm app, a store manager role (read, create, update
// and export on members, scoped to the user's store, phone masked 3*4 and
// points read-only; read on orders; running one action) and its user, and
// a user holding no role of the app.
func rightsFixture(t *testing.T) (h, manager, nobody *apitest.Harness) {
	t.Helper()
	h = apitest.New(t)
	crmApp(t, h)
	h.Expect(h.Do("POST", "/api/apps/crm/meta/action/ping", map[string]any{"spec": map[string]any{
		"title": "Ping", "input": map[string]any{"type": "object"}, "script": "function main(input) { return {}; }"}}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/action/ping/publish", nil), 200, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/action/secret", map[string]any{"spec": map[string]any{
		"title": "Secret", "input": map[string]any{"type": "object"}, "script": "function main(input) { return {}; }"}}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/action/secret/publish", nil), 200, "")
	publishRole(t, h, "store_manager", []any{
		map[string]any{"kind": "form", "key": "members", "actions": []any{"read", "create", "update", "export"},
			"scope":  map[string]any{"storeId": map[string]any{"$in": "$user.unitSubtree"}},
			"fields": map[string]any{"phone": "masked", "points": "readonly", "cardNo": "hidden"}},
		map[string]any{"kind": "form", "key": "orders", "actions": []any{"read"}},
		map[string]any{"kind": "action", "key": "ping", "actions": []any{"run"}},
	})
	ctx, sys := context.Background(), auth.System()
	unit, err := h.Auth.CreateUnit(ctx, sys, auth.UnitInput{Kind: "store", Name: "一店", Code: "S1"})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "Str0ng-Passw0rd!"
	if _, err := h.Auth.CreateUser(ctx, sys, auth.UserInput{Username: "manager1", Password: pw,
		Memberships: []auth.Membership{{UnitID: unit.ID, Position: "store_manager"}},
		Roles:       []auth.RoleRef{{App: "crm", Role: "store_manager"}}}); err != nil {
		t.Fatal(err)
	}
	return h, h.As(h.Login("manager1", pw)), h.As(userWithRoles(t, h, "nobody1"))
}

func keysOf(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func trueOps(m map[string]any) string {
	var ks []string
	for k, v := range m {
		if v == true {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func TestFormRightsAdmin(t *testing.T) {
	h, _, _ := rightsFixture(t)
	b := h.Expect(h.Do("GET", memberRights, nil), 200, "")
	rights := b["rights"].(map[string]any)
	if b["admin"] != true || keysOf(rights) != "create,delete,design,export,import,read,update" {
		t.Fatalf("admin rights: %v", b)
	}
	if r := rights["read"].(map[string]any); r["scoped"] != false || r["fields"] != nil {
		t.Fatalf("admin read is scoped or restricted: %v", r)
	}
	if got := trueOps(b["can"].(map[string]any)); got != "aggregate,bulk,create,delete,export,get,history,import,list,migrate,restore,revert,trash,update,upload" {
		t.Fatalf("admin can: %s", got)
	}
	h.Expect(h.Do("GET", "/api/apps/crm/forms/nosuch/rights", nil), 404, "")
	h.Expect(h.As("").Do("GET", memberRights, nil), 401, "auth.unauthenticated")
}

func TestFormRightsScopedManager(t *testing.T) {
	_, manager, _ := rightsFixture(t)
	b := manager.Expect(manager.Do("GET", memberRights, nil), 200, "")
	rights := b["rights"].(map[string]any)
	if b["admin"] != false || keysOf(rights) != "create,export,read,update" {
		t.Fatalf("manager rights: %v", b)
	}
	read := rights["read"].(map[string]any)
	fields, _ := read["fields"].(map[string]any)
	if read["scoped"] != true || keysOf(fields) != "cardNo,phone,points" || fields["cardNo"].(map[string]any)["rule"] != "hidden" {
		t.Fatalf("manager read: %v", read)
	}
	if p := fields["phone"].(map[string]any); p["rule"] != "masked" || p["mask"] != "3*4" {
		t.Fatalf("phone rule: %v", p)
	}
	if p := fields["points"].(map[string]any); p["rule"] != "readonly" || p["mask"] != nil {
		t.Fatalf("points rule: %v", p)
	}
	// The scope's presence only: nothing of its filter.
	if strings.Contains(string(manager.Do("GET", memberRights, nil).Body), "unitSubtree") {
		t.Fatal("the row scope's filter leaked")
	}
	if got := trueOps(b["can"].(map[string]any)); got != "aggregate,bulk,create,export,get,history,list,revert,update,upload" {
		t.Fatalf("manager can: %s", got)
	}
	// What it says holds on the records routes.
	manager.Expect(manager.Do("DELETE", members+"/nosuch", nil), 403, "access.forbidden")
	manager.Expect(manager.Do("GET", members+"?deleted=true", nil), 403, "access.forbidden")
	manager.Expect(manager.Do("GET", "/api/apps/crm/forms/members/export?format=csv", nil), 200, "")
	o := manager.Expect(manager.Do("GET", "/api/apps/crm/forms/orders/rights", nil), 200, "")
	if keysOf(o["rights"].(map[string]any)) != "read" || trueOps(o["can"].(map[string]any)) != "aggregate,get,history,list" {
		t.Fatalf("orders rights: %v", o)
	}
}

// TestFormRightsNoAccess: no right on the form is 403 before anything is
// said about the form, as on the records routes.
func TestFormRightsNoAccess(t *testing.T) {
	h, manager, nobody := rightsFixture(t)
	nobody.Expect(nobody.Do("GET", memberRights, nil), 403, "access.forbidden")
	nobody.Expect(nobody.Do("GET", members, nil), 403, "access.forbidden")
	nobody.Expect(nobody.Do("GET", "/api/apps/crm/forms/nosuch/rights", nil), 403, "access.forbidden")
	nobody.Expect(nobody.Do("GET", "/api/apps/crm/rights", nil), 403, "access.forbidden")
	manager.Expect(manager.Do("GET", "/api/apps/crm/forms/nosuch/rights", nil), 403, "access.forbidden")
	manager.Expect(manager.Do("GET", "/api/apps/other/rights", nil), 403, "access.forbidden")
	h.Expect(h.Do("GET", "/api/apps/other/rights", nil), 404, "")
}

func TestAppRights(t *testing.T) {
	h, manager, _ := rightsFixture(t)
	// A draft view is not listed; a published one of a readable form is.
	h.Expect(h.Do("POST", "/api/apps/crm/meta/view/gold", map[string]any{"spec": map[string]any{"title": "金卡", "form": "members"}}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/view/draft", map[string]any{"spec": map[string]any{"title": "草稿", "form": "members"}}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/view/gold/publish", nil), 200, "")
	publishRole(t, h, "viewer", []any{map[string]any{"kind": "view", "key": "*", "actions": []any{"read"}}})
	b := h.Expect(h.Do("GET", "/api/apps/crm/rights", nil), 200, "")
	if b["design"] != true || len(b["forms"].([]any)) != 2 || len(b["actions"].([]any)) != 2 || len(b["views"].([]any)) != 1 {
		t.Fatalf("admin app rights: %v", b)
	}
	m := manager.Expect(manager.Do("GET", "/api/apps/crm/rights", nil), 200, "")
	forms := m["forms"].([]any)
	if m["design"] != false || len(forms) != 2 {
		t.Fatalf("manager forms: %v", m)
	}
	f0 := forms[0].(map[string]any)
	if f0["key"] != "members" || f0["title"] != "会员" || strings.Join(strs(f0["rights"]), ",") != "read,create,update,export" {
		t.Fatalf("manager members: %v", f0)
	}
	acts := m["actions"].([]any)
	if len(acts) != 1 || acts[0].(map[string]any)["key"] != "ping" {
		t.Fatalf("manager actions: %v", acts)
	}
	// The manager may not read view definitions: none is offered.
	if len(m["views"].([]any)) != 0 || len(m["dashboards"].([]any)) != 0 {
		t.Fatalf("manager views: %v", m)
	}
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

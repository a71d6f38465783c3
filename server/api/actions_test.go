package api_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// The shop app of the action scenarios: members, sales, a points rule and
// a checkout action that uses all three and the ledger.
var (
	shopMembers = map[string]any{"title": "会员", "titleField": "name", "fields": []any{
		map[string]any{"key": "name", "type": "text", "label": "姓名", "required": true},
		map[string]any{"key": "tier", "type": "select", "label": "等级", "default": "normal", "options": []any{
			map[string]any{"value": "normal", "label": "普通"}, map[string]any{"value": "gold", "label": "金卡"}}},
	}}
	shopSales = map[string]any{"title": "销售", "fields": []any{
		map[string]any{"key": "receipt", "type": "text", "label": "小票号", "required": true, "unique": true},
		map[string]any{"key": "member", "type": "relation", "label": "会员", "form": "members"},
		map[string]any{"key": "amount", "type": "money", "label": "金额"},
	}}
	shopRule = map[string]any{"title": "积分倍率", "hitPolicy": "first",
		"inputs":  []any{map[string]any{"key": "tier", "type": "string"}},
		"outputs": []any{map[string]any{"key": "rate", "type": "int", "default": 1}},
		"rows":    []any{map[string]any{"when": map[string]any{"tier": "gold"}, "then": map[string]any{"rate": 2}}}}
	shopCheckout = map[string]any{"title": map[string]any{"zh-CN": "收银结算", "en": "Checkout"},
		"input": map[string]any{"type": "object", "required": []any{"receiptId", "member", "amount"},
			"properties": map[string]any{"receiptId": map[string]any{"type": "string"}, "member": map[string]any{"type": "string"},
				"amount": map[string]any{"type": "integer", "minimum": 0}}},
		"output": map[string]any{"type": "object", "required": []any{"sale", "points"}},
		"script": `const m = records.get('members', input.member);
if (!m) { throw new Error('会员不存在'); }
const rate = rules.evaluate('points_rate', {tier: m.tier}).outputs.rate;
const points = Math.floor(input.amount / 100) * rate;
const e = ledger.post({owner: m._id, kind: 'points', unit: 'point', amount: points, key: 'earn:' + input.receiptId, type: 'earn'});
const sale = records.create('sales', {receipt: input.receiptId, member: m._id, amount: input.amount});
log('points', points);
return {sale: sale._id, points: points, balance: e.balanceAfter};`}
)

// shopApp publishes the shop app and returns a gold member's id.
func shopApp(t *testing.T, h *apitest.Harness) string {
	t.Helper()
	h.Expect(h.Do("POST", "/api/apps/shop/meta/app/shop", appSpec), 201, "")
	for _, d := range []struct {
		kind, key string
		spec      any
	}{{"form", "members", shopMembers}, {"form", "sales", shopSales}, {"rule", "points_rate", shopRule}, {"action", "checkout", shopCheckout}} {
		publishDef(t, h, d.kind, d.key, d.spec)
	}
	m := h.Expect(h.Do("POST", "/api/apps/shop/forms/members/records", map[string]any{"name": "张三", "tier": "gold"}), 201, "")
	return jsonStr(m, "_id")
}

func publishDef(t *testing.T, h *apitest.Harness, kind, key string, spec any) {
	t.Helper()
	base := "/api/apps/shop/meta/" + kind + "/" + key
	h.Expect(h.Do("POST", base, map[string]any{"spec": spec}), 201, "")
	h.Expect(h.Do("POST", base+"/publish", nil), 200, "")
}

const checkoutPath = "/api/apps/shop/actions/checkout"

// TestActionHTTP: a run answers the script's output; the same
// Idempotency-Key replays it byte for byte with Idempotent-Replayed; a
// different body under that key is a 409; the runs list shows all of it.
func TestActionHTTP(t *testing.T) {
	h := apitest.New(t)
	m := shopApp(t, h)
	body := map[string]any{"receiptId": "R1", "member": m, "amount": 12345}
	r := h.Do("POST", checkoutPath, body, "Idempotency-Key: pos1-R1")
	out := h.Expect(r, 200, "")
	if fmt.Sprint(out["points"]) != "246" || fmt.Sprint(out["balance"]) != "246" || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("run: %s %v", r.Body, r.Header)
	}
	again := h.Do("POST", checkoutPath, `{"amount": 12345, "member": "`+m+`", "receiptId": "R1"}`, "Idempotency-Key: pos1-R1")
	if again.Status != 200 || !bytes.Equal(again.Body, r.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s %v", again.Status, again.Body, again.Header)
	}
	body["amount"] = 1
	h.Expect(h.Do("POST", checkoutPath, body, "Idempotency-Key: pos1-R1"), 409, "action.idempotency_mismatch")
	sales := h.Expect(h.Do("GET", "/api/apps/shop/forms/sales/records", nil), 200, "")
	if items := sales["items"].([]any); len(items) != 1 || fmt.Sprint(items[0].(map[string]any)["amount"]) != "12345" {
		t.Fatalf("sales %v", sales)
	}
	runs := jsonArray(t, h.Do("GET", checkoutPath+"/runs?limit=10", nil))
	if len(runs) != 3 || runs[0]["code"] != "action.idempotency_mismatch" || runs[1]["replayed"] != true ||
		runs[2]["ok"] != true || fmt.Sprint(runs[2]["logs"]) != "[points 246]" {
		t.Fatalf("runs %v", runs)
	}
	if one := jsonArray(t, h.Do("GET", checkoutPath+"/runs?limit=1", nil)); len(one) != 1 {
		t.Fatalf("limit: %v", one)
	}
	h.Expect(h.Do("GET", checkoutPath+"/runs?limit=0", nil), 400, "request.query")
	h.Expect(h.Do("POST", "/api/apps/shop/actions/nosuch", body), 404, "")
	h.Expect(h.Do("POST", checkoutPath, "not json"), 400, "")
}

// TestActionErrorsHTTP: failures are problem+json with the reason in the
// caller's language; nothing of a failed run is written.
func TestActionErrorsHTTP(t *testing.T) {
	h := apitest.New(t)
	shopApp(t, h)
	for _, c := range []struct {
		lang, code, detail, path string
		body                     any
	}{
		{"", "script.error", "动作脚本出错（第 2 行第 17 列）：Error: 会员不存在", "script", map[string]any{"receiptId": "R1", "member": "ghost", "amount": 1}},
		{"en-US,en;q=0.9", "script.error", "the action script failed at line 2, column 17: Error: 会员不存在", "script",
			map[string]any{"receiptId": "R1", "member": "ghost", "amount": 1}},
		{"zh-CN", "action.input", "输入不符合该动作的要求", "amount", map[string]any{"receiptId": "R1", "member": "x", "amount": -1}},
		{"en", "action.input", "the input does not match the action's input schema", "receiptId", map[string]any{"member": "x", "amount": 1}},
	} {
		p := h.Expect(h.Do("POST", checkoutPath, c.body, "Accept-Language: "+c.lang), 422, c.code)
		if p["detail"] != c.detail {
			t.Errorf("%s %s: detail %q, want %q", c.lang, c.code, p["detail"], c.detail)
		}
		expectPath(t, p, c.path)
	}
	sales := h.Expect(h.Do("GET", "/api/apps/shop/forms/sales/records", nil), 200, "")
	if items := sales["items"].([]any); len(items) != 0 {
		t.Fatalf("a failed run wrote %v", items)
	}
}

// TestActionRightsHTTP: running needs the run right; an API key also the
// action in its scope; the runs list needs the design right.
func TestActionRightsHTTP(t *testing.T) {
	h := apitest.New(t)
	m := shopApp(t, h)
	publishDef(t, h, "role", "cashier", map[string]any{"title": "收银", "permissions": []any{
		map[string]any{"kind": "action", "key": "checkout", "actions": []any{"run"}},
		map[string]any{"kind": "form", "key": "*", "actions": []any{"read", "create"}},
		map[string]any{"kind": "rule", "key": "*", "actions": []any{"read"}}}})
	publishDef(t, h, "role", "viewer", map[string]any{"title": "查看", "permissions": []any{
		map[string]any{"kind": "form", "key": "*", "actions": []any{"read"}}}})
	for _, u := range []struct{ name, role string }{{"cashier1", "cashier"}, {"viewer1", "viewer"}} {
		h.Expect(h.Do("POST", "/api/users", map[string]any{"username": u.name, "password": apitest.AdminPassword,
			"roles": []any{map[string]any{"app": "shop", "role": u.role}}}), 201, "")
	}
	cashier := h.As(h.Login("cashier1", apitest.AdminPassword))
	viewer := h.As(h.Login("viewer1", apitest.AdminPassword))
	in := func(r string) map[string]any { return map[string]any{"receiptId": r, "member": m, "amount": 100} }

	viewer.Expect(viewer.Do("POST", checkoutPath, in("V1")), 403, "access.forbidden")
	cashier.Expect(cashier.Do("POST", checkoutPath, in("C1")), 200, "")
	cashier.Expect(cashier.Do("GET", checkoutPath+"/runs", nil), 403, "access.forbidden")

	key := func(actions ...any) *apitest.Harness {
		k := h.Expect(h.Do("POST", "/api/apikeys", map[string]any{"name": "pos", "apps": []any{"shop"}, "actions": actions}), 201, "")
		return h.As(jsonStr(k, "token"))
	}
	other := key("shop/refund")
	other.Expect(other.Do("POST", checkoutPath, in("K1")), 403, "access.forbidden")
	pos := key("shop/checkout")
	r := pos.Do("POST", checkoutPath, in("K2"), "Idempotency-Key: K2")
	pos.Expect(r, 200, "")
	// Keys are per caller: the admin's own K2 is a different key.
	if r2 := h.Do("POST", checkoutPath, in("K3"), "Idempotency-Key: K2"); r2.Status != 200 || r2.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("another caller's key: %d %s", r2.Status, r2.Body)
	}
	if !strings.Contains(string(h.Do("GET", "/api/openapi.json", nil).Body), `"runAction"`) {
		t.Fatal("the route is not documented")
	}
}

package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

const ordersFormulas = "/api/apps/crm/forms/orders/formulas/evaluate"

// evalOK posts a trial that must succeed and returns its result.
func evalOK(t *testing.T, h *apitest.Harness, body map[string]any) map[string]any {
	t.Helper()
	return h.Expect(h.Do("POST", ordersFormulas, body), 200, "")
}

// firstField returns the first field error of a problem.
func firstField(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	list, _ := m["errors"].([]any)
	if len(list) == 0 {
		t.Fatalf("no field errors: %v", m)
	}
	return list[0].(map[string]any)
}

func TestFormulaEvaluateTypedSample(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	// Money is given as a client writes it and computed in fen, like a save.
	m := evalOK(t, h, map[string]any{"expression": "price * qty * 2", "resultType": "money", "record": map[string]any{"price": "12.30", "qty": 2}})
	if m["value"] != json.Number("4920") || m["type"] != "money" || fmt.Sprint(m["fields"]) != "[price qty]" {
		t.Fatalf("trial: %v", m)
	}
	if in := m["inputs"].(map[string]any); in["price"] != json.Number("1230") || in["qty"] != json.Number("2") {
		t.Fatalf("inputs: %v", in)
	}
	// The form's other formulas are computed over the sample first.
	if m := evalOK(t, h, map[string]any{"expression": "amount + 1", "record": map[string]any{"price": "1.00", "qty": 3}}); m["value"] != json.Number("301") || m["type"] != "number" {
		t.Fatalf("over amount: %v", m)
	}
	// ...unless the sample gives their value.
	if m := evalOK(t, h, map[string]any{"expression": "amount + 1", "record": map[string]any{"price": "1.00", "qty": 3, "amount": 5}}); m["value"] != json.Number("6") {
		t.Fatalf("given amount: %v", m)
	}
	// The standard library and JavaScript globals are not unknown names.
	m = evalOK(t, h, map[string]any{"expression": `CONCAT(storeId, "-", ROUND(Math.max(qty, 1.4)), [1, 2].map(x => x * 2).join(""))`, "record": map[string]any{"storeId": "S1", "qty": 1}})
	if m["value"] != "S1-124" || m["type"] != "text" {
		t.Fatalf("stdlib: %v", m)
	}
	// A value of the wrong kind for the result type is reported with the value.
	m = evalOK(t, h, map[string]any{"expression": `"abc"`, "resultType": "checkbox"})
	if e := firstField(t, m); e["path"] != "resultType" || m["value"] != "abc" || e["message"] != `结果 "abc" 不能作为是/否保存` {
		t.Fatalf("mismatch: %v", m)
	}
	// No sample at all: fields are null, as on a create that leaves them out.
	if m := evalOK(t, h, map[string]any{"expression": "qty == null && price == undefined ? 'none' : qty"}); m["value"] != "none" {
		t.Fatalf("empty sample: %v", m)
	}
}

func TestFormulaEvaluateExistingRecord(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	mem := h.Expect(h.Do("POST", members, map[string]any{"name": "张三", "phone": "13812341234"}), 201, "")
	ord := h.Expect(h.Do("POST", "/api/apps/crm/forms/orders/records", map[string]any{"member": mem["_id"], "price": "2.50", "qty": 4, "storeId": "S1"}), 201, "")
	// The record as its reader sees it: the lookup resolved, stored values.
	m := evalOK(t, h, map[string]any{"expression": `memberName + ":" + amount`, "recordId": ord["_id"], "version": "published"})
	if m["value"] != "张三:1000" {
		t.Fatalf("record trial: %v", m)
	}
	// Given values override the record's, and the formulas follow them.
	if m := evalOK(t, h, map[string]any{"expression": "amount", "recordId": ord["_id"], "record": map[string]any{"qty": 10}}); m["value"] != json.Number("2500") {
		t.Fatalf("override: %v", m)
	}
	h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "1", "recordId": "nosuch"}), 404, "record.not_found")
	h.Expect(h.Do("POST", "/api/apps/crm/forms/nosuch/formulas/evaluate", map[string]any{"expression": "1"}), 404, "")

	// A designer whose read scope leaves the record out cannot use it.
	publishRole(t, h, "designer", []any{
		map[string]any{"kind": "app", "key": "*", "actions": []any{"design"}},
		map[string]any{"kind": "form", "key": "orders", "actions": []any{"read"}, "scope": map[string]any{"storeId": "S2"}},
	})
	designer := h.As(userWithRoles(t, h, "designer1", "designer"))
	designer.Expect(designer.Do("POST", ordersFormulas, map[string]any{"expression": "amount", "recordId": ord["_id"]}), 404, "record.not_found")
	if m := evalOK(t, designer, map[string]any{"expression": "amount", "record": map[string]any{"price": "1", "qty": 1}}); m["value"] != json.Number("100") {
		t.Fatalf("designer typed sample: %v", m)
	}
	// Designing without any read right on the form: the record is refused.
	publishRole(t, h, "layout", []any{map[string]any{"kind": "form", "key": "orders", "actions": []any{"design"}}})
	layout := h.As(userWithRoles(t, h, "layout1", "layout"))
	layout.Expect(layout.Do("POST", ordersFormulas, map[string]any{"expression": "amount", "recordId": ord["_id"]}), 403, "access.forbidden")
	evalOK(t, layout, map[string]any{"expression": "1 + 1"})
}

func TestFormulaEvaluateNeedsDesignRight(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	publishRole(t, h, "clerk", []any{map[string]any{"kind": "form", "key": "orders", "actions": []any{"read", "create", "update"}}})
	clerk := h.As(userWithRoles(t, h, "clerk1", "clerk"))
	clerk.Expect(clerk.Do("POST", ordersFormulas, map[string]any{"expression": "1"}), 403, "access.forbidden")
	// Refused before the body is even read.
	clerk.Expect(clerk.Do("POST", ordersFormulas, "{"), 403, "access.forbidden")
	h.As("").Expect(h.As("").Do("POST", ordersFormulas, map[string]any{"expression": "1"}), 401, "auth.unauthenticated")
}

func TestFormulaEvaluateBadRequests(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	h.Expect(h.Do("POST", ordersFormulas, `{"expression": "1"`), 400, "request.malformed")
	h.Expect(h.Do("POST", ordersFormulas, ""), 400, "request.empty")
	if e := firstField(t, h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "1", "sample": 1}), 400, "request.unknown_field")); e["path"] != "sample" {
		t.Fatalf("unknown field path: %v", e)
	}
	h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": 5}), 400, "request.type")
	h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "1", "record": []any{1}}), 400, "request.type")
	h.Expect(h.Do("POST", ordersFormulas, map[string]any{"record": map[string]any{}}), 400, "request.required")
	h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "1", "version": "latest"}), 400, "request.enum")
	h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "1", "resultType": "color"}), 422, "formula.invalid")
	// The field being edited may be one the draft does not have yet.
	if m := evalOK(t, h, map[string]any{"expression": "qty * 2", "field": "unsaved", "record": map[string]any{"qty": 2}}); m["value"] != json.Number("4") {
		t.Fatalf("unsaved field: %v", m)
	}
	h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": strings.Repeat("1+", 300<<10) + "1"}), 413, "request.too_large")
	long := h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": strings.Repeat("1+", 5000) + "1"}), 422, "formula.invalid")
	if e := firstField(t, long); e["path"] != "expression" || e["code"] != "formula.too_long" {
		t.Fatalf("too long: %v", long)
	}
	// Sample values are checked by their fields' types, all at once.
	bad := h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "qty", "record": map[string]any{"qty": "abc", "nosuch": 1, "_id": "x"}}), 422, "formula.sample")
	var paths []string
	for _, e := range bad["errors"].([]any) {
		paths = append(paths, e.(map[string]any)["path"].(string))
	}
	if strings.Join(paths, ",") != "record._id,record.nosuch,record.qty" {
		t.Fatalf("sample errors: %v", bad)
	}
}

func TestFormulaEvaluateExpressionProblems(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	syn := h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "price * (qty"}), 422, "formula.syntax")
	if e := firstField(t, syn); e["path"] != "expression" || e["code"] != "script.syntax" || !strings.Contains(e["message"].(string), "公式语法错误") {
		t.Fatalf("syntax zh-CN: %v", syn)
	}
	syn = h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "price; qty"}, "Accept-Language: en"), 422, "formula.syntax")
	if e := firstField(t, syn); !strings.Contains(e["message"].(string), "syntax error in the formula") {
		t.Fatalf("syntax en: %v", syn)
	}
	unk := h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "pricee * qty + o.total + [1].map(x => x)[0]"}, "Accept-Language: en"), 422, "formula.unknown_field")
	if e := firstField(t, unk); e["path"] != "expression" || !strings.Contains(e["message"].(string), `"o", "pricee"`) || strings.Contains(e["message"].(string), `"total"`) {
		t.Fatalf("unknown names: %v", unk)
	}
	self := h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "amount + 1", "field": "amount"}), 422, "formula.unknown_field")
	if e := firstField(t, self); e["code"] != "formula.self" {
		t.Fatalf("self reference: %v", self)
	}
	// A loop is stopped at the formula deadline and reported as this sample's failure.
	loop := evalOK(t, h, map[string]any{"expression": "(() => { while (true) {} })()"})
	if e := firstField(t, loop); e["code"] != "script.timeout" || e["path"] != "expression" || loop["value"] != nil {
		t.Fatalf("loop: %v", loop)
	}
	thrown := evalOK(t, h, map[string]any{"expression": "qty.toFixed(2)"})
	if e := firstField(t, thrown); e["code"] != "script.error" || !strings.Contains(e["message"].(string), "公式计算失败") {
		t.Fatalf("thrown: %v", thrown)
	}
}

func TestFormulaEvaluateDraftAndPublished(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	def := h.Expect(h.Do("GET", "/api/apps/crm/meta/form/orders", nil), 200, "")
	spec := def["spec"].(map[string]any)
	spec["fields"] = append(spec["fields"].([]any), map[string]any{"key": "discount", "type": "money", "label": "折扣", "default": "0.50"})
	h.Expect(h.Do("PUT", "/api/apps/crm/meta/form/orders", map[string]any{"spec": spec}, "If-Match: 1"), 200, "")
	// The draft's new field, with its default, is known to a draft trial...
	m := evalOK(t, h, map[string]any{"expression": "price * qty - discount", "resultType": "money", "record": map[string]any{"price": "3", "qty": 1}})
	if m["value"] != json.Number("250") {
		t.Fatalf("draft: %v", m)
	}
	// ...and not to the published form.
	h.Expect(h.Do("POST", ordersFormulas, map[string]any{"expression": "price - discount", "version": "published"}), 422, "formula.unknown_field")
}

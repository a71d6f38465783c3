package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/server/api/apitest"
)

// The forms of the records scenarios.
var (
	membersForm = map[string]any{
		"title": "会员", "titleField": "name",
		"fields": []any{
			map[string]any{"key": "name", "type": "text", "label": "姓名", "required": true, "maxLength": 20},
			map[string]any{"key": "phone", "type": "phone", "label": "手机号", "unique": true},
			map[string]any{"key": "storeId", "type": "text", "label": "门店"},
			map[string]any{"key": "points", "type": "number", "label": "积分"},
			map[string]any{"key": "tier", "type": "select", "label": "等级", "default": "normal", "options": []any{
				map[string]any{"value": "normal", "label": "普通"}, map[string]any{"value": "gold", "label": "金卡"}}},
			map[string]any{"key": "cardNo", "type": "autonumber", "label": "卡号", "pattern": "VIP-{YYYY}-{000000}"},
		},
	}
	ordersForm = map[string]any{
		"title": "订单",
		"fields": []any{
			map[string]any{"key": "member", "type": "relation", "label": "会员", "form": "members", "required": true},
			map[string]any{"key": "memberName", "type": "lookup", "label": "会员姓名", "relation": "member", "field": "name"},
			map[string]any{"key": "price", "type": "money", "label": "单价"},
			map[string]any{"key": "qty", "type": "number", "label": "数量"},
			map[string]any{"key": "amount", "type": "formula", "label": "金额", "expression": "price * qty", "resultType": "money"},
			map[string]any{"key": "storeId", "type": "text", "label": "门店"},
		},
	}
)

// crmApp creates app crm with the members and orders forms, published.
func crmApp(t *testing.T, h *apitest.Harness) {
	t.Helper()
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	for key, spec := range map[string]any{"members": membersForm, "orders": ordersForm} {
		h.Expect(h.Do("POST", "/api/apps/crm/meta/form/"+key, map[string]any{"spec": spec}), 201, "")
		h.Expect(h.Do("POST", "/api/apps/crm/meta/form/"+key+"/publish", nil), 200, "")
	}
}

const members = "/api/apps/crm/forms/members/records"

func TestRecordLifecycle(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	r := h.Do("POST", members, map[string]any{"name": "张三", "phone": "13812341234", "points": 5})
	m := h.Expect(r, 201, "")
	id, _ := m["_id"].(string)
	if r.Header.Get("ETag") != `"1"` || r.Header.Get("Location") != members+"/"+id || m["tier"] != "normal" ||
		!strings.HasPrefix(fmt.Sprint(m["cardNo"]), "VIP-") {
		t.Fatalf("create: %v %v", r.Header, m)
	}
	r = h.Do("GET", members+"/"+id, nil)
	if h.Expect(r, 200, "")["name"] != "张三" || r.Header.Get("ETag") != `"1"` {
		t.Fatalf("get: %s %v", r.Body, r.Header)
	}
	r = h.Do("PATCH", members+"/"+id, `{"name": "张三丰", "points": null}`, "If-Match: \"1\"", "Content-Type: application/merge-patch+json")
	if p := h.Expect(r, 200, ""); p["name"] != "张三丰" || p["points"] != nil || r.Header.Get("ETag") != `"2"` {
		t.Fatalf("patch: %s", r.Body)
	}
	h.Expect(h.Do("PATCH", members+"/"+id, map[string]any{"name": "x"}, "If-Match: 1"), 412, "record.stale")
	h.Expect(h.Do("PATCH", members+"/"+id, map[string]any{"name": "y"}), 200, "") // If-Match is optional
	h.Expect(h.Do("DELETE", members+"/"+id, nil, "If-Match: 2"), 412, "record.stale")
	h.Expect(h.Do("DELETE", members+"/"+id, nil, "If-Match: 3"), 204, "")
	h.Expect(h.Do("GET", members+"/"+id, nil), 404, "record.not_found")
	page := h.Expect(h.Do("GET", members+"?deleted=true", nil), 200, "")
	if items := page["items"].([]any); len(items) != 1 {
		t.Fatalf("deleted list: %v", page)
	}
	h.Expect(h.Do("POST", members+"/"+id+"/restore", nil), 200, "")
	revs := h.Do("GET", members+"/"+id+"/history", nil).JSON().([]any)
	if len(revs) != 5 || revs[0].(map[string]any)["op"] != "restore" || revs[4].(map[string]any)["op"] != "create" {
		t.Fatalf("history: %v", revs)
	}
	back := h.Expect(h.Do("POST", members+"/"+id+"/history/1/restore", nil), 200, "")
	if back["name"] != "张三" || num(back["points"]) != "5" || num(back["_version"]) != "6" {
		t.Fatalf("restore revision 1: %v", back)
	}
	h.Expect(h.Do("POST", members+"/"+id+"/history/x/restore", nil), 400, "request.path")

	// An order: relation, lookup and formula; the formula follows a patch.
	orders := "/api/apps/crm/forms/orders/records"
	o := h.Expect(h.Do("POST", orders, map[string]any{"member": id, "price": "12.50", "qty": 2}), 201, "")
	if num(o["amount"]) != "2500" || num(o["price"]) != "1250" || o["memberName"] != "张三" {
		t.Fatalf("order: %v", o)
	}
	o = h.Expect(h.Do("PATCH", orders+"/"+o["_id"].(string), map[string]any{"qty": 3}), 200, "")
	if num(o["amount"]) != "3750" {
		t.Fatalf("formula after patch: %v", o)
	}
	h.Expect(h.Do("GET", "/api/apps/crm/forms/nosuch/records", nil), 404, "")
	h.Expect(h.Do("GET", members+"/nosuchid", nil), 404, "record.not_found")
}

func TestRecordValidationProblems(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	h.Expect(h.Do("POST", members, map[string]any{"name": "李四", "phone": "13900000000"}), 201, "")
	p := h.Expect(h.Do("POST", members, map[string]any{"phone": "123", "points": "many", "tier": "x", "nope": 1},
		"Accept-Language: en-US,en;q=0.9"), 422, "record.validation")
	var paths []string
	for _, e := range p["errors"].([]any) {
		paths = append(paths, e.(map[string]any)["path"].(string))
	}
	if strings.Join(paths, ",") != "name,nope,phone,points,tier" || p["detail"] != "the record is invalid" {
		t.Fatalf("problem: %v", p)
	}
	p = h.Expect(h.Do("POST", members, map[string]any{"name": strings.Repeat("长", 21), "phone": "13900000000"}), 422, "record.validation")
	if len(p["errors"].([]any)) != 2 || p["detail"] != "记录校验未通过" {
		t.Fatalf("too long + unique, in Chinese: %v", p)
	}
	h.Expect(h.Do("POST", members, `[1,2]`), 400, "")
	h.Expect(h.Do("POST", members, `{"name": `), 400, "request.malformed")
	// A relation to a missing record.
	p = h.Expect(h.Do("POST", "/api/apps/crm/forms/orders/records", map[string]any{"member": "nosuchid", "price": "1.00", "qty": 1}), 422, "record.validation")
	if e := p["errors"].([]any)[0].(map[string]any); e["path"] != "member" || e["code"] != "record.relation_not_found" {
		t.Fatalf("relation: %v", p)
	}
}

func TestIdempotentCreateOverHTTP(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	body := map[string]any{"name": "王五"}
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.Do("POST", members, body, "Idempotency-Key: receipt-0001")
			if r.Status != 201 {
				t.Errorf("attempt %d: %d %s", i, r.Status, r.Body)
				return
			}
			ids[i], _ = r.Map()["_id"].(string)
		}()
	}
	wg.Wait()
	for i := range ids {
		if ids[i] == "" || ids[i] != ids[0] {
			t.Fatalf("ids %v", ids)
		}
	}
	if page := h.Do("GET", members+"?count=true", nil).Map(); num(page["total"]) != "1" {
		t.Fatalf("records: %v", page)
	}
	h.Expect(h.Do("POST", members, map[string]any{"name": "赵六"}, "Idempotency-Key: receipt-0001"), 409, "record.idempotency_mismatch")
}

func TestListOverHTTP(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	for i, name := range []string{"张三丰", "张无忌", "李四", "王五", "赵六"} {
		h.Expect(h.Do("POST", members, map[string]any{"name": name, "points": i * 10}), 201, "")
	}
	q := url.Values{"filter": {`{"points": {"$gte": 10}}`}, "sort": {"-points"}, "limit": {"2"}, "count": {"true"}}
	page := h.Expect(h.Do("GET", members+"?"+q.Encode(), nil), 200, "")
	var names []string
	for page != nil {
		for _, it := range page["items"].([]any) {
			names = append(names, it.(map[string]any)["name"].(string))
		}
		next, _ := page["next"].(string)
		if num(page["total"]) != "4" {
			t.Fatalf("total: %v", page)
		}
		if next == "" {
			break
		}
		q.Set("cursor", next)
		page = h.Expect(h.Do("GET", members+"?"+q.Encode(), nil), 200, "")
	}
	if strings.Join(names, ",") != "赵六,王五,李四,张无忌" {
		t.Fatalf("pages: %v", names)
	}
	page = h.Expect(h.Do("GET", members+"?q="+url.QueryEscape("张"), nil), 200, "")
	if len(page["items"].([]any)) != 2 || page["total"] != nil {
		t.Fatalf("search: %v", page)
	}
	h.Expect(h.Do("GET", members+"?filter="+url.QueryEscape(`{"points": {"$regex": "x"}}`), nil), 400, "query.invalid")
	h.Expect(h.Do("GET", members+"?limit=5000", nil), 400, "request.query")
	h.Expect(h.Do("GET", members+"?cursor=bogus", nil), 400, "query.cursor")
	rows := h.Do("POST", "/api/apps/crm/forms/members/aggregate", map[string]any{
		"measures": []any{map[string]any{"op": "count", "as": "n"}, map[string]any{"op": "sum", "field": "points", "as": "p"}},
	}).JSON().([]any)
	if r := rows[0].(map[string]any); num(r["n"]) != "5" || num(r["p"]) != "100" {
		t.Fatalf("aggregate: %v", rows)
	}
}

func TestBulkOverHTTP(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	a := h.Expect(h.Do("POST", members, map[string]any{"name": "a"}), 201, "")
	res := h.Expect(h.Do("POST", members+"/bulk", map[string]any{"items": []any{
		map[string]any{"op": "create", "data": map[string]any{"name": "b"}},
		map[string]any{"op": "create", "data": map[string]any{"points": "x"}},
		map[string]any{"op": "update", "id": a["_id"], "data": map[string]any{"points": 3}, "ifMatch": 1},
		map[string]any{"op": "update", "id": a["_id"], "data": map[string]any{"points": 4}, "ifMatch": 1},
		map[string]any{"op": "delete", "id": "nosuch"},
		map[string]any{"op": "frobnicate"},
	}}), 200, "")
	var got []string
	for _, it := range res["items"].([]any) {
		m := it.(map[string]any)
		code := ""
		if e, ok := m["error"].(map[string]any); ok {
			code = e["code"].(string)
		}
		got = append(got, num(m["status"])+" "+code)
	}
	want := "201 ,422 record.validation,200 ,412 record.stale,404 record.not_found,400 record.bulk_op"
	if strings.Join(got, ",") != want {
		t.Fatalf("bulk statuses %v, want %s", got, want)
	}
	items := make([]any, 1001)
	for i := range items {
		items[i] = map[string]any{"op": "create", "data": map[string]any{"name": "x"}}
	}
	h.Expect(h.Do("POST", members+"/bulk", map[string]any{"items": items}), 413, "record.bulk_too_large")
}

// TestStoreScopedClerk: a role scoped to the user's store subtree sees only
// its rows on every read path, cannot widen that with $or, sees phones
// masked, cannot filter by them, and cannot write read-only fields.
func TestStoreScopedClerk(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	ctx := context.Background()
	sys := auth.System()
	s1, err := h.Auth.CreateUnit(ctx, sys, auth.UnitInput{Kind: "store", Name: "一店", Code: "S1"})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := h.Auth.CreateUnit(ctx, sys, auth.UnitInput{Kind: "store", Name: "二店", Code: "S2"})
	if err != nil {
		t.Fatal(err)
	}
	publishRole(t, h, "clerk", []any{map[string]any{
		"kind": "form", "key": "members", "actions": []any{"read", "create", "update"},
		"scope":  map[string]any{"storeId": map[string]any{"$in": "$user.unitSubtree"}},
		"fields": map[string]any{"phone": "masked", "points": "readonly"},
	}})
	const pw = "Str0ng-Passw0rd!"
	if _, err := h.Auth.CreateUser(ctx, sys, auth.UserInput{Username: "clerk1", Password: pw,
		Memberships: []auth.Membership{{UnitID: s1.ID, Position: "store_clerk"}}, Roles: []auth.RoleRef{{App: "crm", Role: "clerk"}}}); err != nil {
		t.Fatal(err)
	}
	mine := h.Expect(h.Do("POST", members, map[string]any{"name": "一店会员", "phone": "13812341234", "storeId": s1.ID, "points": 7}), 201, "")
	other := h.Expect(h.Do("POST", members, map[string]any{"name": "二店会员", "phone": "13900001111", "storeId": s2.ID}), 201, "")
	clerk := h.As(h.Login("clerk1", pw))

	page := clerk.Expect(clerk.Do("GET", members+"?count=true", nil), 200, "")
	items := page["items"].([]any)
	if len(items) != 1 || num(page["total"]) != "1" || items[0].(map[string]any)["phone"] != "138****1234" {
		t.Fatalf("clerk list: %v", page)
	}
	trick := url.QueryEscape(`{"$or": [{"storeId": "` + s2.ID + `"}, {"name": {"$exists": true}}]}`)
	if items := clerk.Expect(clerk.Do("GET", members+"?filter="+trick, nil), 200, "")["items"].([]any); len(items) != 1 {
		t.Fatalf("$or widened the scope: %v", items)
	}
	clerk.Expect(clerk.Do("GET", members+"/"+other["_id"].(string), nil), 404, "record.not_found")
	clerk.Expect(clerk.Do("GET", members+"/"+other["_id"].(string)+"/history", nil), 404, "record.not_found")
	clerk.Expect(clerk.Do("PATCH", members+"/"+other["_id"].(string), map[string]any{"name": "x"}), 404, "record.not_found")
	got := clerk.Expect(clerk.Do("GET", members+"/"+mine["_id"].(string), nil), 200, "")
	if got["phone"] != "138****1234" {
		t.Fatalf("masked get: %v", got)
	}
	revs := clerk.Do("GET", members+"/"+mine["_id"].(string)+"/history", nil).JSON().([]any)
	if nv := revs[0].(map[string]any)["new"].(map[string]any); nv["phone"] != "138****1234" {
		t.Fatalf("masked history: %v", revs)
	}
	rows := clerk.Do("POST", "/api/apps/crm/forms/members/aggregate", map[string]any{
		"groupBy": []any{map[string]any{"field": "storeId"}}, "measures": []any{map[string]any{"op": "count", "as": "n"}}}).JSON().([]any)
	if len(rows) != 1 || num(rows[0].(map[string]any)["n"]) != "1" {
		t.Fatalf("aggregate: %v", rows)
	}
	clerk.Expect(clerk.Do("GET", members+"?filter="+url.QueryEscape(`{"phone": {"$startsWith": "139"}}`), nil), 400, "record.field_not_readable")
	clerk.Expect(clerk.Do("GET", members+"?sort=phone", nil), 400, "record.field_not_readable")
	p := clerk.Expect(clerk.Do("PATCH", members+"/"+mine["_id"].(string), map[string]any{"points": 100}), 403, "access.field_readonly")
	if e := p["errors"].([]any)[0].(map[string]any); e["path"] != "points" {
		t.Fatalf("readonly problem: %v", p)
	}
	clerk.Expect(clerk.Do("POST", members, map[string]any{"name": "越界", "storeId": s2.ID}), 403, "record.out_of_scope")
	clerk.Expect(clerk.Do("DELETE", members+"/"+mine["_id"].(string), nil), 403, "access.forbidden")
}

package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/savedview"
)

const savedViews = "/api/apps/crm/forms/members/saved-views"

func goldView(name string) map[string]any {
	return map[string]any{"name": name, "filter": map[string]any{"tier": "gold"}, "sort": "-points",
		"columns": []any{"name", "tier", "_createdAt"}, "mode": "kanban", "groupBy": "tier",
		"state": map[string]any{"builder": map[string]any{"type": "group", "items": []any{}}}}
}

func itemsOf(m map[string]any) []map[string]any {
	var out []map[string]any
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func TestSavedViewLifecycle(t *testing.T) {
	h, manager, nobody := rightsFixture(t)
	r := manager.Do("POST", savedViews, goldView("金卡会员"))
	v := manager.Expect(r, 201, "")
	id, _ := v["id"].(string)
	if id == "" || v["mine"] != true || v["mode"] != "kanban" || num(v["version"]) != "1" || r.Header.Get("ETag") != `"1"` ||
		r.Header.Get("Location") != savedViews+"/"+id {
		t.Fatalf("create: %v %v", v, r.Header)
	}
	if st := v["state"].(map[string]any)["builder"].(map[string]any); st["type"] != "group" {
		t.Fatalf("state kept: %v", v)
	}
	got := manager.Expect(manager.Do("GET", savedViews+"/"+id, nil), 200, "")
	if got["filter"].(map[string]any)["tier"] != "gold" || got["sort"] != "-points" {
		t.Fatalf("get: %v", got)
	}
	// Another user does not see it, cannot read, change or delete it: 404.
	if items := itemsOf(h.Expect(h.Do("GET", savedViews, nil), 200, "")); len(items) != 0 {
		t.Fatalf("admin sees another user's private view: %v", items)
	}
	h.Expect(h.Do("GET", savedViews+"/"+id, nil), 404, "savedview.not_found")
	h.Expect(h.Do("PUT", savedViews+"/"+id, goldView("x")), 404, "savedview.not_found")
	h.Expect(h.Do("DELETE", savedViews+"/"+id, nil), 404, "savedview.not_found")
	// Without the read right on the form: 403, as for its records.
	nobody.Expect(nobody.Do("GET", savedViews, nil), 403, "access.forbidden")
	nobody.Expect(nobody.Do("POST", savedViews, goldView("x")), 403, "access.forbidden")
	h.Expect(h.Do("GET", "/api/apps/crm/forms/nosuch/saved-views", nil), 404, "")

	// Update with If-Match; a stale one is 412; the view moves to the table.
	upd := map[string]any{"name": "金卡（表格）", "filter": map[string]any{"tier": "gold"}, "shared": true}
	u := manager.Expect(manager.Do("PUT", savedViews+"/"+id, upd, `If-Match: "1"`), 200, "")
	if num(u["version"]) != "2" || u["mode"] != "table" || u["groupBy"] != nil || u["columns"] != nil || u["shared"] != true {
		t.Fatalf("update: %v", u)
	}
	manager.Expect(manager.Do("PUT", savedViews+"/"+id, upd, `If-Match: "1"`), 412, "savedview.stale")

	// Shared: other readers see it, not theirs to change; an admin may.
	shared := itemsOf(h.Expect(h.Do("GET", savedViews, nil), 200, ""))
	if len(shared) != 1 || shared[0]["mine"] != false || shared[0]["name"] != "金卡（表格）" {
		t.Fatalf("shared list: %v", shared)
	}
	other := h.As(userWithRoles(t, h, "manager2", "store_manager"))
	other.Expect(other.Do("GET", savedViews+"/"+id, nil), 200, "")
	other.Expect(other.Do("PUT", savedViews+"/"+id, upd), 403, "savedview.not_owner")
	other.Expect(other.Do("DELETE", savedViews+"/"+id, nil), 403, "savedview.not_owner")
	h.Expect(h.Do("PUT", savedViews+"/"+id, map[string]any{"name": "管理员改名", "shared": true}), 200, "")
	// The owner's own views come first, then those others shared.
	other.Expect(other.Do("POST", savedViews, map[string]any{"name": "我的"}), 201, "")
	names := []string{}
	for _, it := range itemsOf(other.Expect(other.Do("GET", savedViews, nil), 200, "")) {
		names = append(names, fmt.Sprint(it["name"], it["mine"]))
	}
	if strings.Join(names, ",") != "我的true,管理员改名false" {
		t.Fatalf("list order: %v", names)
	}
	manager.Expect(manager.Do("DELETE", savedViews+"/"+id, nil), 204, "")
	manager.Expect(manager.Do("GET", savedViews+"/"+id, nil), 404, "savedview.not_found")
	// Views are per form: the id does not open under another form.
	o := manager.Expect(manager.Do("POST", "/api/apps/crm/forms/orders/saved-views", map[string]any{"name": "订单"}), 201, "")
	manager.Expect(manager.Do("GET", savedViews+"/"+o["id"].(string), nil), 404, "savedview.not_found")
}

// TestSavedViewBadInput: a view is checked as the records list checks a
// query, with the path of every problem, and nothing is stored.
func TestSavedViewBadInput(t *testing.T) {
	h, manager, _ := rightsFixture(t)
	for _, tc := range []struct {
		who        string
		body       any
		code, path string
	}{
		{"admin", map[string]any{"name": "x", "filter": map[string]any{"nosuch": 1}}, "query.invalid", "filter.nosuch"},
		{"admin", map[string]any{"name": "x", "filter": map[string]any{"points": map[string]any{"$regex": "x"}}}, "query.invalid", "filter.points.$regex"},
		{"manager", map[string]any{"name": "x", "filter": map[string]any{"phone": map[string]any{"$startsWith": "139"}}}, "record.field_not_readable", "filter.phone"},
		{"manager", map[string]any{"name": "x", "sort": "phone"}, "record.field_not_readable", "sort[0]"},
		{"admin", map[string]any{"name": "x", "sort": "nosuch"}, "", ""},
		{"admin", map[string]any{"name": "x", "columns": []any{"name", "nosuch"}}, "savedview.unknown_field", "columns[1]"},
		{"admin", map[string]any{"name": "x", "mode": "calendar", "dateField": "nosuch"}, "savedview.unknown_field", "dateField"},
		{"admin", map[string]any{"name": "  "}, "savedview.invalid", "name"},
		{"admin", map[string]any{"name": strings.Repeat("名", savedview.MaxName+1)}, "savedview.invalid", "name"},
		{"admin", map[string]any{"name": "x", "mode": "gantt"}, "savedview.invalid", "mode"},
		{"admin", map[string]any{"name": "x", "mode": "kanban"}, "savedview.invalid", "groupBy"},
		{"admin", map[string]any{"name": "x", "filter": []any{1}}, "savedview.invalid", "filter"},
		{"admin", map[string]any{"name": "x", "state": strings.Repeat("x", savedview.MaxState+1)}, "savedview.invalid", "state"},
		{"admin", map[string]any{"name": "x", "search": strings.Repeat("搜", savedview.MaxSearch+1)}, "savedview.invalid", "search"},
	} {
		c := h
		if tc.who == "manager" {
			c = manager
		}
		r := c.Do("POST", savedViews, tc.body, "Accept-Language: en")
		if r.Status != 422 && r.Status != 400 {
			t.Fatalf("%v: status %d %s", tc.body, r.Status, r.Body)
		}
		p := c.Expect(r, r.Status, tc.code)
		if tc.path == "" {
			continue
		}
		errsList, _ := p["errors"].([]any)
		if r.Status != 422 || len(errsList) == 0 || errsList[0].(map[string]any)["path"] != tc.path {
			t.Fatalf("%v: want 422 at %s, got %d %v", tc.body, tc.path, r.Status, p)
		}
	}
	h.Expect(h.Do("POST", savedViews, `{"name": "x", "nope": 1}`), 400, "")
	h.Expect(h.Do("POST", savedViews, `{"name": `), 400, "request.malformed")
	h.Expect(h.Do("POST", savedViews, strings.Repeat("[", 200)), 400, "")
	p := h.Expect(h.Do("POST", savedViews, map[string]any{"name": ""}), 422, "savedview.invalid")
	if p["detail"] != "视图设置有误" {
		t.Fatalf("Chinese by default: %v", p)
	}
	if items := itemsOf(h.Expect(h.Do("GET", savedViews, nil), 200, "")); len(items) != 0 {
		t.Fatalf("a refused view was stored: %v", items)
	}
}

// TestSavedViewBoundUnderConcurrency: 100 views per user and form, however
// many creates race for the last slots.
func TestSavedViewBoundUnderConcurrency(t *testing.T) {
	_, manager, _ := rightsFixture(t)
	const pre = savedview.MaxPerForm - 3
	for i := range pre {
		manager.Expect(manager.Do("POST", savedViews, map[string]any{"name": fmt.Sprint("v", i)}), 201, "")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := manager.Do("POST", savedViews, map[string]any{"name": fmt.Sprint("race", i)})
			mu.Lock()
			statuses[r.Status]++
			mu.Unlock()
			if r.Status != 201 && !strings.Contains(string(r.Body), "savedview.too_many") {
				t.Errorf("race %d: %d %s", i, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	if statuses[201] != 3 || statuses[422] != 9 {
		t.Fatalf("statuses %v, want 3 created and 9 refused", statuses)
	}
	items := itemsOf(manager.Expect(manager.Do("GET", savedViews, nil), 200, ""))
	if len(items) != savedview.MaxPerForm {
		t.Fatalf("%d views stored", len(items))
	}
	// Deleting one frees a slot; the bound is per form.
	manager.Expect(manager.Do("DELETE", savedViews+"/"+items[0]["id"].(string), nil), 204, "")
	manager.Expect(manager.Do("POST", savedViews, map[string]any{"name": "again"}), 201, "")
	manager.Expect(manager.Do("POST", savedViews, map[string]any{"name": "one more"}), 422, "savedview.too_many")
	manager.Expect(manager.Do("POST", "/api/apps/crm/forms/orders/saved-views", map[string]any{"name": "orders"}), 201, "")
}

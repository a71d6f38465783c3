package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// auditPage fetches one page of GET /api/audit.
func auditPage(t *testing.T, h *apitest.Harness, filter string, limit, cursor string) map[string]any {
	t.Helper()
	q := url.Values{}
	if filter != "" {
		q.Set("filter", filter)
	}
	if limit != "" {
		q.Set("limit", limit)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return h.Expect(h.Do("GET", "/api/audit?"+q.Encode(), nil), 200, "")
}

// TestAuditLog: sign-ins, user, key and org changes leave entries that an
// admin finds with filters and pages through; nobody else reads the log.
func TestAuditLog(t *testing.T) {
	h := apitest.New(t)
	admin := h.Expect(h.Do("GET", "/api/auth/me", nil), 200, "")
	anon := h.As("")
	anon.Expect(anon.Do("POST", "/api/auth/login", map[string]any{"username": "admin", "password": "Not-The-Pa55word"}), 401, "auth.invalid_credentials")
	org := orgFixture(t, h)
	for _, u := range []string{"audit.a", "audit.b", "audit.c"} {
		mkStaff(t, h, u, org["S1"], "store_clerk")
	}
	key := h.Expect(h.Do("POST", "/api/apikeys", map[string]any{"name": "erp", "apps": []any{"crm"}}), 201, "")
	h.Expect(h.Do("DELETE", "/api/apikeys/"+jsonStr(key, "id"), nil), 204, "")
	h.Expect(h.Do("POST", "/api/org/units/"+org["S2"]+"/move", map[string]any{"parentId": org["R2"]}), 200, "")

	all := auditPage(t, h, "", "500", "")
	seen := map[string]map[string]any{}
	for _, e := range pageItems(all) {
		if seen[jsonStr(e, "action")] == nil {
			seen[jsonStr(e, "action")] = e
		}
	}
	for _, a := range []string{"auth.login", "auth.login_failed", "user.create", "apikey.create", "apikey.revoke", "org.unit_create", "org.unit_move"} {
		if seen[a] == nil {
			t.Errorf("no %s entry", a)
		}
	}
	if d, _ := seen["auth.login_failed"]["details"].(map[string]any); jsonStr(d, "reason") != "wrong_password" || jsonStr(seen["auth.login_failed"], "actorName") != "admin" {
		t.Errorf("failed login entry: %v", seen["auth.login_failed"])
	}
	if mv := seen["org.unit_move"]; jsonStr(mv, "target") != "unit:"+org["S2"] || jsonStr(mv, "actorName") != "admin" || jsonStr(mv, "requestId") == "" {
		t.Errorf("move entry: %v", mv)
	}
	if pageItems(all)[0]["action"] != "org.unit_move" {
		t.Errorf("newest entry first, got %v", pageItems(all)[0])
	}
	raw := h.Do("GET", "/api/audit?limit=500", nil).Body
	for _, secret := range []string{staffPassword, apitest.AdminPassword, "Not-The-Pa55word", jsonStr(key, "token")} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the audit log holds a secret %q", secret)
		}
	}

	// A filter on the action prefix, paged two at a time, finds exactly the
	// user entries, newest first, each once, as one big page does.
	filter := `{"action":{"$startsWith":"user."}}`
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		pg := auditPage(t, h, filter, "2", cursor)
		for _, e := range pageItems(pg) {
			if !strings.HasPrefix(jsonStr(e, "action"), "user.") {
				t.Fatalf("filter let through %v", e)
			}
			got = append(got, jsonStr(e, "target"))
		}
		if cursor = jsonStr(pg, "next"); cursor == "" {
			break
		}
	}
	var want []string
	for _, e := range pageItems(auditPage(t, h, filter, "500", "")) {
		want = append(want, jsonStr(e, "target"))
	}
	// The bootstrap admin and the three staff, the latest first.
	if len(want) != 4 || strings.Join(got, " ") != strings.Join(want, " ") || want[3] != "user:"+jsonStr(admin, "id") {
		t.Fatalf("paged user entries %v, unpaged %v", got, want)
	}
	both := pageItems(auditPage(t, h, `{"$or":[{"action":"apikey.create"},{"action":"apikey.revoke"}],"target":"apikey:`+jsonStr(key, "id")+`"}`, "", ""))
	if len(both) != 2 || jsonStr(both[0], "action") != "apikey.revoke" {
		t.Fatalf("key entries: %v", both)
	}

	// Bad filters and parameters are 400 with a path.
	for _, tc := range []struct{ query, code, path string }{
		{"filter=" + url.QueryEscape(`{"password":"x"}`), "query.invalid", "filter.password"},
		{"filter=" + url.QueryEscape(`{"action":{"$regex":".*"}}`), "query.invalid", "filter.action.$regex"},
		{"filter=" + url.QueryEscape(`{"action":`), "query.malformed", ""},
		{"limit=501", "request.query", "limit"},
		{"cursor=" + url.QueryEscape("not a cursor"), "query.cursor", ""},
	} {
		m := h.Expect(h.Do("GET", "/api/audit?"+tc.query, nil), 400, tc.code)
		if tc.path != "" {
			expectPath(t, m, tc.path)
		}
	}

	// Only admins read the log.
	clerk := h.As(h.Login("audit.a", staffPassword))
	clerk.Expect(clerk.Do("GET", "/api/audit", nil), 403, "auth.forbidden")
	h.As("").Expect(h.As("").Do("GET", "/api/audit", nil), 401, "auth.unauthenticated")
}

package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/server/api/apitest"
)

// TestAPIKeys: the token is shown once, works as a bearer token for its
// owner, never appears again, and stops at once when revoked. Keys and
// non-admins cannot administer keys.
func TestAPIKeys(t *testing.T) {
	h := apitest.New(t)
	admin := h.Expect(h.Do("GET", "/api/auth/me", nil), 200, "")

	r := h.Do("POST", "/api/apikeys", map[string]any{"name": " POS 接口 ", "apps": []any{"crm"}, "actions": []any{"crm/checkout"},
		"expiresAt": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)})
	created := h.Expect(r, 201, "")
	token, id := jsonStr(created, "token"), jsonStr(created, "id")
	if !strings.HasPrefix(token, "tgk_"+id+"_") || jsonStr(created, "ownerId") != jsonStr(admin, "id") || jsonStr(created, "name") != "POS 接口" {
		t.Fatalf("created key %v", created)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("a response with a secret is cacheable: %q", r.Header.Get("Cache-Control"))
	}
	// The secret may itself contain '_' (base64url): everything after the id.
	secret := strings.TrimPrefix(token, "tgk_"+id+"_")

	// The key is its owner, narrowed: it reads who it is, but identity
	// administration refuses keys even when the owner is an admin.
	bot := h.As(token)
	if me := bot.Expect(bot.Do("GET", "/api/auth/me", nil), 200, ""); jsonStr(me, "id") != jsonStr(admin, "id") || jsonStr(me, "apiKey") != id {
		t.Fatalf("key signs in as %v", me)
	}
	bot.Expect(bot.Do("GET", "/api/users", nil), 403, "auth.forbidden")
	bot.Expect(bot.Do("GET", "/api/apikeys", nil), 403, "auth.forbidden")
	bot.Expect(bot.Do("POST", "/api/apikeys", map[string]any{"name": "child", "apps": []any{"crm"}}), 403, "auth.forbidden")
	bot.Expect(bot.Do("GET", "/api/audit", nil), 403, "auth.forbidden")
	bot.Expect(bot.Do("GET", "/api/users/"+jsonStr(admin, "id"), nil), 200, "")

	// Listing never shows the token or its hash.
	lr := h.Do("GET", "/api/apikeys", nil)
	keys := jsonArray(t, lr)
	if len(keys) != 1 || jsonStr(keys[0], "id") != id || jsonStr(keys[0], "lastUsedAt") == "" {
		t.Fatalf("keys %v", keys)
	}
	for _, bad := range []string{secret, "token", "secretHash", "tgk_"} {
		if strings.Contains(string(lr.Body), bad) {
			t.Fatalf("key list reveals %q: %s", bad, lr.Body)
		}
	}

	// Invalid keys come back with every problem at once.
	bad := h.Expect(h.Do("POST", "/api/apikeys", map[string]any{"name": "", "ownerId": "ghost", "actions": []any{"erp/sync", "bogus"},
		"expiresAt": "2001-01-01T00:00:00Z"}), 422, "auth.invalid_apikey")
	for _, p := range []string{"name", "ownerId", "apps", "actions[0]", "actions[1]", "expiresAt"} {
		expectPath(t, bad, p)
	}

	// Non-admins administer no keys.
	mkStaff(t, h, "chen.jie", "", "")
	clerk := h.As(h.Login("chen.jie", staffPassword))
	clerk.Expect(clerk.Do("GET", "/api/apikeys", nil), 403, "auth.forbidden")
	clerk.Expect(clerk.Do("POST", "/api/apikeys", map[string]any{"name": "mine", "apps": []any{"crm"}}), 403, "auth.forbidden")
	clerk.Expect(clerk.Do("DELETE", "/api/apikeys/"+id, nil), 403, "auth.forbidden")
	bot.Expect(bot.Do("GET", "/api/auth/me", nil), 200, "")

	// Revoking stops the key at once; revoking again is harmless.
	if r := h.Do("DELETE", "/api/apikeys/"+id, nil); r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	bot.Expect(bot.Do("GET", "/api/auth/me", nil), 401, "auth.unauthenticated")
	h.Expect(h.Do("DELETE", "/api/apikeys/"+id, nil), 204, "")
	h.Expect(h.Do("DELETE", "/api/apikeys/no-such-key", nil), 404, "auth.apikey_not_found")
	if keys := jsonArray(t, h.Do("GET", "/api/apikeys", nil)); jsonStr(keys[0], "revokedAt") == "" {
		t.Fatalf("revoked key not marked: %v", keys)
	}
}

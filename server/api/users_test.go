package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// staffPassword passes the password policy; every test user gets it.
const staffPassword = "Retail-Sh0p-Pa55!"

// jsonStr reads a string field of a decoded JSON object.
func jsonStr(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// pageItems reads the "items" array of a page.
func pageItems(m map[string]any) []map[string]any {
	raw, _ := m["items"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		o, _ := it.(map[string]any)
		out = append(out, o)
	}
	return out
}

// jsonArray decodes an array body of objects.
func jsonArray(t *testing.T, r apitest.Response) []map[string]any {
	t.Helper()
	raw, ok := r.JSON().([]any)
	if !ok {
		t.Fatalf("want a JSON array, got %d %s", r.Status, r.Body)
	}
	out := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		o, _ := it.(map[string]any)
		out = append(out, o)
	}
	return out
}

// expectPath fails unless the problem lists a field error at path.
func expectPath(t *testing.T, problem map[string]any, path string) {
	t.Helper()
	errsList, _ := problem["errors"].([]any)
	var seen []string
	for _, e := range errsList {
		p := jsonStr(e.(map[string]any), "path")
		if p == path {
			return
		}
		seen = append(seen, p)
	}
	t.Fatalf("problem has no error at %q (paths %v): %v", path, seen, problem)
}

// mkUnit creates a unit as the harness's caller and returns its id.
func mkUnit(t *testing.T, h *apitest.Harness, kind, code, parent string) string {
	t.Helper()
	m := h.Expect(h.Do("POST", "/api/org/units", map[string]any{"kind": kind, "name": code, "code": code, "parentId": parent}), 201, "")
	return jsonStr(m, "id")
}

// orgFixture builds HQ -> R1, R2 -> S1, S2 under R1 and S3, S4 under R2,
// and returns the ids by code.
func orgFixture(t *testing.T, h *apitest.Harness) map[string]string {
	t.Helper()
	ids := map[string]string{}
	ids["HQ"] = mkUnit(t, h, "hq", "HQ", "")
	ids["R1"] = mkUnit(t, h, "region", "R1", ids["HQ"])
	ids["R2"] = mkUnit(t, h, "region", "R2", ids["HQ"])
	ids["S1"] = mkUnit(t, h, "store", "S1", ids["R1"])
	ids["S2"] = mkUnit(t, h, "store", "S2", ids["R1"])
	ids["S3"] = mkUnit(t, h, "store", "S3", ids["R2"])
	ids["S4"] = mkUnit(t, h, "store", "S4", ids["R2"])
	return ids
}

// mkStaff creates a user holding position in unit and returns its id.
func mkStaff(t *testing.T, h *apitest.Harness, username, unit, position string) string {
	t.Helper()
	body := map[string]any{"username": username, "password": staffPassword}
	if unit != "" {
		body["memberships"] = []any{map[string]any{"unitId": unit, "position": position}}
	}
	m := h.Expect(h.Do("POST", "/api/users", body), 201, "")
	return jsonStr(m, "id")
}

// noSecrets fails if a user body shows anything of the password or the
// lockout counter.
func noSecrets(t *testing.T, body []byte) {
	t.Helper()
	for _, bad := range []string{"passwordHash", "argon2", "failedLogins", staffPassword} {
		if strings.Contains(string(body), bad) {
			t.Fatalf("user body reveals %q: %s", bad, body)
		}
	}
}

// TestUsersAdminAndSelf: an admin manages users placed in units with
// positions; a non-admin reads only their own record and manager chain.
func TestUsersAdminAndSelf(t *testing.T) {
	h := apitest.New(t)
	org := orgFixture(t, h)
	rm := mkStaff(t, h, "region.lead", org["R1"], "region_manager")
	sm := mkStaff(t, h, "store.lead", org["S1"], "store_manager")
	r := h.Do("POST", "/api/users", map[string]any{"username": "Clerk.One", "displayName": "店员一", "password": staffPassword,
		"memberships": []any{map[string]any{"unitId": org["S1"], "position": "store_clerk"}},
		"roles":       []any{map[string]any{"app": "crm", "role": "clerk"}}})
	created := h.Expect(r, 201, "")
	noSecrets(t, r.Body)
	clerk := jsonStr(created, "id")
	if jsonStr(created, "username") != "clerk.one" || r.Header.Get("Location") != "/api/users/"+clerk {
		t.Fatalf("created user %v, location %q", created, r.Header.Get("Location"))
	}

	// Policy and uniqueness.
	weak := h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "weak", "password": "short"}), 422, "auth.weak_password")
	expectPath(t, weak, "password")
	h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "CLERK.ONE", "password": staffPassword}), 409, "auth.user_exists")
	bad := h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "x y", "password": staffPassword,
		"memberships": []any{map[string]any{"unitId": "nope", "position": "astronaut"}}}), 422, "auth.invalid_user")
	for _, p := range []string{"username", "memberships[0].unitId", "memberships[0].position"} {
		expectPath(t, bad, p)
	}

	// The admin reads, lists, filters and pages.
	got := h.Expect(h.Do("GET", "/api/users/"+clerk, nil), 200, "")
	if jsonStr(got, "displayName") != "店员一" || len(got["memberships"].([]any)) != 1 {
		t.Fatalf("admin reads clerk: %v", got)
	}
	h.Expect(h.Do("GET", "/api/users/no-such-user", nil), 404, "auth.user_not_found")
	inS1 := url.QueryEscape(fmt.Sprintf(`{"unitIds":%q}`, org["S1"]))
	pg := h.Expect(h.Do("GET", "/api/users?filter="+inS1, nil), 200, "")
	if names := joinUsernames(pageItems(pg)); names != "clerk.one,store.lead" {
		t.Fatalf("users in S1: %s", names)
	}
	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		r := h.Do("GET", "/api/users?limit=2&sort=username&cursor="+url.QueryEscape(cursor), nil)
		noSecrets(t, r.Body)
		m := h.Expect(r, 200, "")
		for _, u := range pageItems(m) {
			all = append(all, jsonStr(u, "username"))
		}
		if cursor = jsonStr(m, "next"); cursor == "" {
			break
		}
	}
	if strings.Join(all, ",") != "admin,clerk.one,region.lead,store.lead" {
		t.Fatalf("paged users: %v", all)
	}
	h.Expect(h.Do("GET", "/api/users?sort=-username", nil), 400, "query.sort")
	expectPath(t, h.Expect(h.Do("GET", "/api/users?sort=shoeSize", nil), 400, "query.sort"), "sort[0]")
	expectPath(t, h.Expect(h.Do("GET", "/api/users?filter="+url.QueryEscape(`{"passwordHash":{"$exists":true}}`), nil), 400, "query.invalid"),
		"filter.passwordHash")
	expectPath(t, h.Expect(h.Do("GET", "/api/users?limit=many", nil), 400, "request.query"), "limit")
	h.Expect(h.Do("GET", "/api/users?cursor=garbage", nil), 400, "query.cursor")

	// The clerk: own record and chain yes, anything administrative no.
	me := h.As(h.Login("clerk.one", staffPassword))
	me.Expect(me.Do("GET", "/api/users/"+clerk, nil), 200, "")
	me.Expect(me.Do("GET", "/api/users/"+sm, nil), 403, "auth.forbidden")
	me.Expect(me.Do("GET", "/api/users/no-such-user", nil), 403, "auth.forbidden")
	me.Expect(me.Do("GET", "/api/users", nil), 403, "auth.forbidden")
	me.Expect(me.Do("POST", "/api/users", map[string]any{"username": "sneaky", "password": staffPassword}), 403, "auth.forbidden")
	me.Expect(me.Do("POST", "/api/users/"+sm+"/disable", nil), 403, "auth.forbidden")
	me.Expect(me.Do("POST", "/api/users/"+sm+"/password", map[string]any{"password": staffPassword + "x"}), 403, "auth.forbidden")
	me.Expect(me.Do("PATCH", "/api/users/"+clerk, map[string]any{"admin": true}), 403, "auth.forbidden")
	me.Expect(me.Do("PATCH", "/api/users/"+sm, map[string]any{"displayName": "hijack"}), 403, "auth.forbidden")
	if m := me.Expect(me.Do("PATCH", "/api/users/"+clerk, map[string]any{"displayName": "  小李  "}), 200, ""); jsonStr(m, "displayName") != "小李" {
		t.Fatalf("own display name: %v", m)
	}
	chain := jsonArray(t, me.Do("GET", "/api/users/"+clerk+"/managers", nil))
	if len(chain) != 2 || jsonStr(chain[0], "unitId") != org["S1"] || jsonStr(chain[1], "unitId") != org["R1"] ||
		jsonStr(chain[0], "unitName") != "S1" || joinIDs(chain[0]["userIds"]) != sm || joinIDs(chain[1]["userIds"]) != rm {
		t.Fatalf("manager chain: %v", chain)
	}
	if mgr := chain[0]["managers"].([]any)[0].(map[string]any); jsonStr(mgr, "username") != "store.lead" {
		t.Fatalf("manager named %v", mgr)
	}
	if one := jsonArray(t, me.Do("GET", "/api/users/"+clerk+"/managers?levels=1", nil)); len(one) != 1 {
		t.Fatalf("levels=1: %v", one)
	}
	me.Expect(me.Do("GET", "/api/users/"+clerk+"/managers?levels=-1", nil), 400, "request.query")
	me.Expect(me.Do("GET", "/api/users/"+sm+"/managers", nil), 403, "auth.forbidden")

	// The admin moves the clerk to S3 and grants a role; the chain follows.
	upd := h.Expect(h.Do("PATCH", "/api/users/"+clerk, map[string]any{
		"memberships": []any{map[string]any{"unitId": org["S3"], "position": "store_clerk"}},
		"roles":       []any{map[string]any{"app": "crm", "role": "lead"}}}), 200, "")
	if upd["memberships"].([]any)[0].(map[string]any)["unitId"] != org["S3"] {
		t.Fatalf("memberships after patch: %v", upd)
	}
	if chain := jsonArray(t, h.Do("GET", "/api/users/"+clerk+"/managers", nil)); len(chain) != 0 {
		t.Fatalf("nobody manages S3 or R2 yet, chain %v", chain)
	}
	expectPath(t, h.Expect(h.Do("PATCH", "/api/users/"+clerk, map[string]any{"roles": []any{map[string]any{"app": "", "role": ""}}}),
		422, "auth.invalid_user"), "roles[0]")
}

// joinUsernames lists the usernames of users, comma-separated.
func joinUsernames(us []map[string]any) string {
	var out []string
	for _, u := range us {
		out = append(out, jsonStr(u, "username"))
	}
	return strings.Join(out, ",")
}

// joinIDs joins a JSON array of ids with commas.
func joinIDs(v any) string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return strings.Join(out, ",")
}

// TestDisableAndResetEndAccess: disabling a user stops their bearer token
// and their API key at once; a password reset ends their sessions.
func TestDisableAndResetEndAccess(t *testing.T) {
	h := apitest.New(t)
	id := mkStaff(t, h, "li.wei", "", "")
	tok := h.Login("li.wei", staffPassword)
	key := h.Expect(h.Do("POST", "/api/apikeys", map[string]any{"name": "pos", "ownerId": id, "apps": []any{"crm"}}), 201, "")
	user, bot := h.As(tok), h.As(jsonStr(key, "token"))
	user.Expect(user.Do("GET", "/api/auth/me", nil), 200, "")
	bot.Expect(bot.Do("GET", "/api/auth/me", nil), 200, "")

	if m := h.Expect(h.Do("POST", "/api/users/"+id+"/disable", nil), 200, ""); m["disabled"] != true {
		t.Fatalf("disable answer %v", m)
	}
	user.Expect(user.Do("GET", "/api/auth/me", nil), 401, "auth.unauthenticated")
	bot.Expect(bot.Do("GET", "/api/auth/me", nil), 401, "auth.unauthenticated")
	login := map[string]any{"username": "li.wei", "password": staffPassword}
	h.As("").Expect(h.As("").Do("POST", "/api/auth/login", login), 401, "auth.invalid_credentials")
	h.Expect(h.Do("POST", "/api/users/no-such-user/disable", nil), 404, "auth.user_not_found")
	self := h.Expect(h.Do("GET", "/api/auth/me", nil), 200, "")
	h.Expect(h.Do("POST", "/api/users/"+jsonStr(self, "id")+"/disable", nil), 409, "auth.disable_self")

	// Enabling again does not revive the old session; the key (still
	// valid itself) works again with its owner.
	if m := h.Expect(h.Do("POST", "/api/users/"+id+"/enable", nil), 200, ""); m["disabled"] != false {
		t.Fatalf("enable answer %v", m)
	}
	user.Expect(user.Do("GET", "/api/auth/me", nil), 401, "auth.unauthenticated")
	bot.Expect(bot.Do("GET", "/api/auth/me", nil), 200, "")

	// A reset ends every session of the user and clears the old password.
	user = h.As(h.Login("li.wei", staffPassword))
	expectPath(t, h.Expect(h.Do("POST", "/api/users/"+id+"/password", map[string]any{"password": "li.wei"}), 422, "auth.weak_password"), "password")
	user.Expect(user.Do("GET", "/api/auth/me", nil), 200, "")
	const newPassword = "Fresh-Start-2026!"
	r := h.Do("POST", "/api/users/"+id+"/password", map[string]any{"password": newPassword})
	if r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	user.Expect(user.Do("GET", "/api/auth/me", nil), 401, "auth.unauthenticated")
	h.As("").Expect(h.As("").Do("POST", "/api/auth/login", login), 401, "auth.invalid_credentials")
	h.Login("li.wei", newPassword)
}

// TestLoginLockout: five wrong passwords lock the account; the locked
// answer is the same problem as for an unknown user.
func TestLoginLockout(t *testing.T) {
	h := apitest.New(t)
	id := mkStaff(t, h, "wang.fang", "", "")
	anon := h.As("")
	try := func(username, password string) map[string]any {
		t.Helper()
		return anon.Expect(anon.Do("POST", "/api/auth/login", map[string]any{"username": username, "password": password}),
			401, "auth.invalid_credentials")
	}
	for i := 0; i < 5; i++ {
		try("wang.fang", "Wrong-Guess-00"+fmt.Sprint(i))
	}
	locked := try("wang.fang", staffPassword)
	unknown := try("nobody.here", staffPassword)
	for _, k := range []string{"type", "title", "status", "detail", "code", "instance", "errors"} {
		if fmt.Sprint(locked[k]) != fmt.Sprint(unknown[k]) {
			t.Errorf("%s differs: locked %v, unknown %v", k, locked[k], unknown[k])
		}
	}
	if len(locked) != len(unknown) {
		t.Errorf("shapes differ: %v vs %v", locked, unknown)
	}
	u := h.Expect(h.Do("GET", "/api/users/"+id, nil), 200, "")
	if jsonStr(u, "lockedUntil") == "" {
		t.Fatalf("admin does not see the lock: %v", u)
	}
	if _, leak := u["failedLogins"]; leak {
		t.Fatalf("lockout counter leaked: %v", u)
	}
	// An admin's reset unlocks.
	h.Expect(h.Do("POST", "/api/users/"+id+"/password", map[string]any{"password": staffPassword + "2"}), 204, "")
	h.Login("wang.fang", staffPassword+"2")
}

// TestIdentityBadInput: malformed, unknown and mistyped bodies are 400
// problems with paths; forged or missing tokens are 401.
func TestIdentityBadInput(t *testing.T) {
	h := apitest.New(t)
	id := mkStaff(t, h, "zhao.lei", "", "")
	cases := []struct {
		name, method, path, body, code, errPath string
	}{
		{"malformed", "POST", "/api/users", `{"username": "a",`, "request.malformed", ""},
		{"not an object", "POST", "/api/users", `["a"]`, "request.type", ""},
		{"empty", "POST", "/api/users", ``, "request.empty", ""},
		{"unknown field", "POST", "/api/users", `{"username":"a","password":"b","isRoot":true}`, "request.unknown_field", "isRoot"},
		{"wrong type", "POST", "/api/users", `{"username":"a","password":"b","admin":"yes"}`, "request.type", "admin"},
		{"nested wrong type", "POST", "/api/users", `{"username":"a","password":"b","memberships":[{"unitId":7}]}`, "request.type", "memberships.unitId"},
		{"trailing data", "POST", "/api/users", `{"username":"a"} {}`, "request.malformed", ""},
		{"patch unknown", "PATCH", "/api/users/" + id, `{"password":"Sneaky-Pa55word!"}`, "request.unknown_field", "password"},
		{"patch type", "PATCH", "/api/users/" + id, `{"roles":"admin"}`, "request.type", "roles"},
		{"reset type", "POST", "/api/users/" + id + "/password", `{"password":12345678901}`, "request.type", "password"},
		{"unit unknown", "POST", "/api/org/units", `{"kind":"store","name":"x","code":"x","manager":"me"}`, "request.unknown_field", "manager"},
		{"move type", "POST", "/api/org/units/x/move", `{"parentId":5}`, "request.type", "parentId"},
		{"kind type", "PUT", "/api/org/kinds/mall", `{"name":["商场"]}`, "request.type", "name"},
		{"position type", "PUT", "/api/org/positions/floor", `{"name":"楼层","manager":"yes"}`, "request.type", "manager"},
		{"key time", "POST", "/api/apikeys", `{"name":"k","apps":["crm"],"expiresAt":"tomorrow"}`, "request.type", "expiresAt"},
		{"key unknown", "POST", "/api/apikeys", `{"name":"k","apps":["crm"],"secret":"mine"}`, "request.unknown_field", "secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := h.Expect(h.Do(tc.method, tc.path, tc.body), 400, tc.code)
			if tc.errPath != "" {
				expectPath(t, m, tc.errPath)
			}
		})
	}
	xml := h.Do("POST", "/api/users", `<user/>`, "Content-Type: application/xml")
	h.Expect(xml, 400, "request.content_type")

	for _, tok := range []string{"tgs_forged", "tgk_forged_" + strings.Repeat("A", 43), "not-a-token", ""} {
		c := h.As(tok)
		c.Expect(c.Do("GET", "/api/users/"+id, nil), 401, "auth.unauthenticated")
		c.Expect(c.Do("GET", "/api/org/units", nil), 401, "auth.unauthenticated")
	}
	// A tampered copy of a real session token is refused too.
	real := h.Login("zhao.lei", staffPassword)
	forged := h.As(real[:len(real)-2] + "xx")
	forged.Expect(forged.Do("GET", "/api/users/"+id, nil), 401, "auth.unauthenticated")
}

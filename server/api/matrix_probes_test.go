package api_test

// Write, restore, reorganisation, disable and sign-in probes of the access matrix.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/server/api/apitest"
)

// writeProbes: field rules and scopes on the write paths, with refusals
// that do not tell an out-of-scope record from a missing one.
func (f *mxFixture) writeProbes(t *testing.T) {
	sm := f.client(t, f.byName["sm.sh"])
	mine, theirs := f.members[0], f.members[10] // 上海店 and 广州店
	if mine.unit != "SH" || theirs.unit != "GZ" {
		t.Fatalf("fixture order changed: %s %s", mine.unit, theirs.unit)
	}
	// A permitted change answers with the record as the writer may read it.
	p := sm.expect("PATCH", mxMembers+"/"+mine.id, map[string]any{"points": 99}, 200, "").Map()
	if _, has := p["cost"]; has || jsonStr(p, "phone") != mxMask(mine.phone) || num(p["points"]) != "99" {
		t.Errorf("sm.sh PATCH points answers %v; want phone masked, no cost, points 99", p)
	}
	for _, k := range []string{"cost", "phone"} {
		pr := sm.expect("PATCH", mxMembers+"/"+mine.id, map[string]any{k: "13900000000"}, 403, "access.field_readonly").Map()
		expectPath(t, pr, k)
	}
	// Moving a record out of the scope, or creating one outside it.
	sm.expect("PATCH", mxMembers+"/"+mine.id, map[string]any{"storeId": f.units["GZ"]}, 403, "record.out_of_scope")
	sm.expect("POST", mxOrders, map[string]any{"member": mine.id, "storeId": f.units["GZ"], "amount": "1.00"}, 403, "record.out_of_scope")
	// Out of scope is not found, exactly like missing.
	missing := sm.expect("PATCH", mxMembers+"/d0000000000000000000", map[string]any{"points": 1}, 404, "record.not_found")
	other := sm.expect("PATCH", mxMembers+"/"+theirs.id, map[string]any{"points": 1}, 404, "record.not_found")
	if problemShape(missing) != problemShape(other) {
		t.Errorf("sm.sh PATCH out of scope %s vs missing %s", problemShape(other), problemShape(missing))
	}
	// A relation to a member outside the scope is refused like a missing id.
	relErr := func(member string) string {
		pr := sm.expect("POST", mxOrders, map[string]any{"member": member, "storeId": f.units["SH"], "amount": "1.00"}, 422, "record.validation").Map()
		var out []string
		for _, e := range pr["errors"].([]any) {
			em := e.(map[string]any)
			out = append(out, jsonStr(em, "path")+" "+jsonStr(em, "code"))
		}
		return strings.Join(out, ",")
	}
	if a, b := relErr(theirs.id), relErr("d0000000000000000000"); a != b || a != "member record.relation_not_found" {
		t.Errorf("sm.sh order with an out-of-scope member: %q; with a missing one: %q", a, b)
	}
	// Bulk items get the single call's answers.
	res := sm.expect("POST", mxMembers+"/bulk", map[string]any{"items": []any{
		map[string]any{"op": "update", "id": theirs.id, "data": map[string]any{"points": 1}},
		map[string]any{"op": "update", "id": mine.id, "data": map[string]any{"cost": "1.00"}},
		map[string]any{"op": "delete", "id": mine.id},
	}}, 200, "").Map()
	var statuses []string
	for _, it := range res["items"].([]any) {
		statuses = append(statuses, num(it.(map[string]any)["status"]))
	}
	if strings.Join(statuses, ",") != "404,403,403" {
		t.Errorf("sm.sh bulk statuses %v, want 404,403,403: %v", statuses, res)
	}
	// No delete right: the same 403 for an existing and a missing record.
	a := sm.expect("DELETE", mxMembers+"/"+mine.id, nil, 403, "access.forbidden")
	b := sm.expect("DELETE", mxMembers+"/d0000000000000000000", nil, 403, "access.forbidden")
	if problemShape(a) != problemShape(b) {
		t.Errorf("sm.sh DELETE: existing %s, missing %s", problemShape(a), problemShape(b))
	}
	sm.expect("GET", mxMembers+"?deleted=true", nil, 403, "access.forbidden")
	if got := f.admin(t).Expect(f.admin(t).Do("GET", mxMembers+"/"+mine.id, nil), 200, ""); jsonStr(got, "storeId") != f.units["SH"] {
		t.Errorf("a refused move changed the record: %v", got)
	}

	// The clerk reads and creates but does not update; points are read-only.
	cl := f.client(t, f.byName["clerk.sh"])
	cl.expect("PATCH", mxMembers+"/"+mine.id, map[string]any{"points": 100}, 403, "access.forbidden")
	pr := cl.expect("POST", mxMembers, map[string]any{"name": "新会员", "storeId": f.units["SH"], "points": 100}, 403, "access.field_readonly").Map()
	expectPath(t, pr, "points")
	o := cl.expect("POST", mxOrders, map[string]any{"member": mine.id, "storeId": f.units["SH"], "amount": "8.80"}, 201, "").Map()
	f.orders = append(f.orders, mxOrder{id: jsonStr(o, "_id"), unit: "SH", member: 0, amount: 880})
	if jsonStr(o, "memberPhone") != mxMask(mine.phone) {
		t.Errorf("clerk.sh created order answers memberPhone %v, want %s", o["memberPhone"], mxMask(mine.phone))
	}
	cl.expect("POST", mxOrders, map[string]any{"member": mine.id, "storeId": f.units["HZ"], "amount": "8.80"}, 403, "record.out_of_scope")
}

// restoreProbes: restoring an earlier revision is a write like any other:
// it may neither move a record out of the writer's rows nor change a field
// the writer may not change.
func (f *mxFixture) restoreProbes(t *testing.T) {
	h := f.admin(t)
	// A 广州店 member whose hidden cost the admin changed (revision 2),
	// then moved into 上海店 (revision 3).
	m := mxMember{unit: "GZ", name: "调店会员", phone: "13977776666", cost: 97539999, points: 1}
	m.id = jsonStr(h.Expect(h.Do("POST", mxMembers, map[string]any{"name": m.name, "phone": m.phone, "storeId": f.units["GZ"],
		"points": m.points, "cost": yuan(m.cost)}), 201, ""), "_id")
	first := m.cost
	m.cost = 97538888
	h.Expect(h.Do("PATCH", mxMembers+"/"+m.id, map[string]any{"cost": yuan(m.cost)}), 200, "")
	h.Expect(h.Do("PATCH", mxMembers+"/"+m.id, map[string]any{"storeId": f.units["SH"]}), 200, "")
	m.unit = "SH"
	f.members = append(f.members, m)
	f.extraSecrets = append(f.extraSecrets, fmt.Sprint(first), yuan(first))

	sm := f.client(t, f.byName["sm.sh"])
	sm.checkMember("get after the move", sm.expect("GET", mxMembers+"/"+m.id, nil, 200, "").Map())
	sm.expect("POST", mxMembers+"/"+m.id+"/history/2/restore", nil, 403, "record.out_of_scope")
	expectPath(t, sm.expect("POST", mxMembers+"/"+m.id+"/history/1/restore", nil, 403, "access.field_readonly").Map(), "cost")
	got := h.Expect(h.Do("GET", mxMembers+"/"+m.id, nil), 200, "")
	if jsonStr(got, "storeId") != f.units["SH"] || num(got["cost"]) != fmt.Sprint(m.cost) || num(got["_version"]) != "3" {
		t.Errorf("refused restores changed the record: %v", got)
	}
	// The history shows neither the hidden cost nor its earlier value.
	for _, rv := range jsonArray(t, sm.expect("GET", mxMembers+"/"+m.id+"/history", nil, 200, "")) {
		for _, side := range []string{"old", "new"} {
			if v, _ := rv[side].(map[string]any); v != nil && v["cost"] != nil {
				t.Errorf("LEAK: sm.sh history of %s rev %v shows %s cost %v", m.id, rv["rev"], side, v["cost"])
			}
		}
	}
	// Out of scope: not found, on restore as on every other path.
	sm.expect("POST", mxMembers+"/"+f.members[10].id+"/history/1/restore", nil, 404, "record.not_found")
}

// reorg: moving 杭州店 from 华东 to 华南 and a store manager to another
// store change what they see on the very next request.
func (f *mxFixture) reorg(t *testing.T) {
	h := f.admin(t)
	h.Expect(h.Do("POST", "/api/org/units/"+f.units["HZ"]+"/move", map[string]any{"parentId": f.units["SOUTH"]}), 200, "")
	f.parent["HZ"] = "SOUTH"
	for _, name := range []string{"rm.east", "rm.south"} {
		c := f.client(t, f.byName[name])
		c.sameIDs("list members after 杭州店 moved to 华南", itemIDs(c.listAll(mxMembers, nil)), f.wantMembers(c.u, anyUnit))
		c.sameIDs("list orders after 杭州店 moved to 华南", itemIDs(c.listAll(mxOrders, nil)), f.wantOrders(c.u, anyUnit))
	}
	u := f.byName["sm.hz"]
	h.Expect(h.Do("PATCH", "/api/users/"+u.id, map[string]any{"memberships": []any{
		map[string]any{"unitId": f.units["SZ"], "position": "store_manager"}}}), 200, "")
	u.unit = "SZ"
	c := f.client(t, u)
	c.sameIDs("list members after a transfer to 深圳店", itemIDs(c.listAll(mxMembers, nil)), f.wantMembers(u, anyUnit))
	c.expect("GET", mxMembers+"/"+f.members[5].id, nil, 404, "record.not_found") // 杭州店, no longer theirs
}

// disableStoreManager: an API key acting for a store manager is narrowed
// to the manager's rows; disabling the manager stops the session and the
// key on the very next request.
func (f *mxFixture) disableStoreManager(t *testing.T, exports *atomic.Int64) {
	h := f.admin(t)
	u := f.byName["sm.sh"]
	key := h.Expect(h.Do("POST", "/api/apikeys", map[string]any{"name": "pos-sh", "ownerId": u.id, "apps": []any{"crm"}}), 201, "")
	if jsonStr(key, "ownerId") != u.id {
		t.Fatalf("the key's owner is %v, want %s", key["ownerId"], u.id)
	}
	keyUser := *u
	keyUser.token = jsonStr(key, "token")
	kc := f.client(t, &keyUser)
	kc.sameIDs("list members with the key", itemIDs(kc.listAll(mxMembers, nil)), f.wantMembers(u, anyUnit))
	kc.exportChecks("members", f.wantMembers(u, anyUnit), exports)
	sc := f.client(t, u)
	sc.expect("GET", mxMembers, nil, 200, "")

	h.Expect(h.Do("POST", "/api/users/"+u.id+"/disable", nil), 200, "")
	sc.expect("GET", mxMembers, nil, 401, "auth.unauthenticated")
	sc.expect("GET", "/api/users/"+u.id, nil, 401, "auth.unauthenticated")
	kc.expect("GET", mxMembers, nil, 401, "auth.unauthenticated")
	kc.expect("GET", "/api/apps/crm/forms/members/export?format=csv&header=key", nil, 401, "auth.unauthenticated")
	h.Expect(h.Do("POST", "/api/auth/login", map[string]any{"username": u.name, "password": mxPassword}, "Authorization:"), 401, "auth.invalid_credentials")
	// Others carry on.
	gz := f.client(t, f.byName["sm.gz"])
	gz.expect("GET", mxMembers, nil, 200, "")
	// Enabling again does not revive the ended session.
	h.Expect(h.Do("POST", "/api/users/"+u.id+"/enable", nil), 200, "")
	sc.expect("GET", mxMembers, nil, 401, "auth.unauthenticated")
}

// TestMatrixLoginFailuresLookAlike: a wrong password, an unknown user, a
// locked and a disabled account get the very same answer.
func TestMatrixLoginFailuresLookAlike(t *testing.T) {
	h := apitest.New(t)
	ids := map[string]string{}
	for _, name := range []string{"li.lei", "han.mei", "wang.wu"} {
		ids[name] = jsonStr(h.Expect(h.Do("POST", "/api/users", map[string]any{"username": name, "password": mxPassword}), 201, ""), "id")
	}
	login := func(name, pw string) apitest.Response {
		return h.Do("POST", "/api/auth/login", map[string]any{"username": name, "password": pw}, "Authorization:")
	}
	for range 5 {
		h.Expect(login("han.mei", "Wr0ng-Passw0rd!"), 401, "auth.invalid_credentials")
	}
	h.Expect(h.Do("POST", "/api/users/"+ids["wang.wu"]+"/disable", nil), 200, "")
	cases := []struct{ name, user, pw string }{
		{"wrong password", "li.lei", "Wr0ng-Passw0rd!"},
		{"unknown user", "no.such.user", mxPassword},
		{"locked (right password)", "han.mei", mxPassword},
		{"disabled (right password)", "wang.wu", mxPassword},
	}
	var first string
	for _, tc := range cases {
		r := login(tc.user, tc.pw)
		h.Expect(r, 401, "auth.invalid_credentials")
		if first == "" {
			first = problemShape(r)
		} else if problemShape(r) != first {
			t.Errorf("%s answers %s; a wrong password answers %s", tc.name, problemShape(r), first)
		}
		if r.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s sets a cookie: %s", tc.name, r.Header.Get("Set-Cookie"))
		}
	}
	h.Login("li.lei", mxPassword) // the right password still works
}

// TestMatrixTokensRefused: forged, malformed, expired and revoked tokens
// all get 401 auth.unauthenticated.
func TestMatrixTokensRefused(t *testing.T) {
	h := apitest.New(t)
	ctx := context.Background()
	id := jsonStr(h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "zhao.liu", "password": mxPassword}), 201, ""), "id")
	session := h.Login("zhao.liu", mxPassword)
	key := h.Expect(h.Do("POST", "/api/apikeys", map[string]any{"name": "k", "ownerId": id, "apps": []any{"crm"}}), 201, "")
	keyID, keyToken := jsonStr(key, "id"), jsonStr(key, "token")
	me := "/api/users/" + id
	h.As(session).Expect(h.As(session).Do("GET", me, nil), 200, "")

	random := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	refused := map[string]string{
		"forged session":    auth.SessionPrefix + random,
		"malformed session": auth.SessionPrefix + "abc",
		"forged key secret": auth.APIKeyPrefix + keyID + "_" + random,
		"forged key id":     auth.APIKeyPrefix + "nosuchkey_" + strings.SplitN(keyToken, "_", 3)[2],
		"no prefix":         "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.",
		"admin id as token": "admin",
	}
	for name, tok := range refused {
		r := h.As(tok).Do("GET", me, nil)
		if r.Status != 401 || jsonStr(r.Map(), "code") != "auth.unauthenticated" {
			t.Errorf("%s token: %d %s, want 401 auth.unauthenticated", name, r.Status, r.Body)
		}
	}

	// Expiry has no route; age the stored session and key directly.
	past := map[string]any{"expiresAt": query.FormatTime(time.Now().Add(-time.Minute))}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(session, auth.SessionPrefix))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if _, err := h.Store.Update(ctx, auth.CollSessions, hex.EncodeToString(sum[:]), store.Patch{Set: past}, nil); err != nil {
		t.Fatalf("age session: %v", err)
	}
	h.As(session).Expect(h.As(session).Do("GET", me, nil), 401, "auth.unauthenticated")
	h.As(keyToken).Expect(h.As(keyToken).Do("GET", "/api/apps", nil), 200, "")
	if _, err := h.Store.Update(ctx, auth.CollAPIKeys, keyID, store.Patch{Set: past}, nil); err != nil {
		t.Fatalf("age key: %v", err)
	}
	h.As(keyToken).Expect(h.As(keyToken).Do("GET", "/api/apps", nil), 401, "auth.unauthenticated")

	// Revoked: a fresh key works, then stops at once.
	k2 := h.Expect(h.Do("POST", "/api/apikeys", map[string]any{"name": "k2", "ownerId": id, "apps": []any{"crm"}}), 201, "")
	tok2 := jsonStr(k2, "token")
	h.As(tok2).Expect(h.As(tok2).Do("GET", "/api/apps", nil), 200, "")
	h.Expect(h.Do("DELETE", "/api/apikeys/"+jsonStr(k2, "id"), nil), 204, "")
	h.As(tok2).Expect(h.As(tok2).Do("GET", "/api/apps", nil), 401, "auth.unauthenticated")
}

// TestRoleScopeValidatedOnSave: a role whose row scope or field rules do
// not fit the form is refused on create and on save, every mistake at
// once with its path, and nothing is stored.
func TestRoleScopeValidatedOnSave(t *testing.T) {
	h := apitest.New(t)
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	for _, fm := range mxForms {
		h.Expect(h.Do("POST", "/api/apps/crm/meta/form/"+fm.key, map[string]any{"spec": fm.spec}), 201, "")
		h.Expect(h.Do("POST", "/api/apps/crm/meta/form/"+fm.key+"/publish", nil), 200, "")
	}
	grant := func(form string, scope any, fields map[string]any) map[string]any {
		g := map[string]any{"kind": "form", "key": form, "actions": []any{"read"}}
		if scope != nil {
			g["scope"] = scope
		}
		if fields != nil {
			g["fields"] = fields
		}
		return g
	}
	role := func(perms ...any) map[string]any {
		return map[string]any{"spec": map[string]any{"title": "r", "permissions": perms}}
	}
	p0 := "spec.permissions[0]."
	cases := []struct {
		name  string
		body  map[string]any
		paths []string
	}{
		{"unknown scope field", role(grant("members", map[string]any{"nosuch": "x"}, nil)), []string{p0 + "scope.nosuch"}},
		{"unknown operator", role(grant("members", map[string]any{"storeId": map[string]any{"$regex": "x"}}, nil)), []string{p0 + "scope.storeId.$regex"}},
		{"operator of the wrong type", role(grant("orders", map[string]any{"amount": map[string]any{"$startsWith": "1"}}, nil)), []string{p0 + "scope.amount.$startsWith"}},
		{"unknown top-level operator", role(grant("members", map[string]any{"$where": "1"}, nil)), []string{p0 + "scope.$where"}},
		{"unknown variable", role(grant("members", map[string]any{"storeId": "$user.nope"}, nil)), []string{p0 + "scope.storeId"}},
		{"list variable without $in", role(grant("members", map[string]any{"storeId": "$user.unitSubtree"}, nil)), []string{p0 + "scope.storeId"}},
		{"field rule on a field the form lacks", role(grant("orders", nil, map[string]any{"phone": "masked"})), []string{p0 + "fields.phone"}},
		{"unknown form", role(grant("nosuchform", map[string]any{"storeId": "$user.unit"}, nil)), []string{p0 + "key"}},
		{"wildcard reaching a form without the field", role(grant("*", map[string]any{"tier": "gold"}, nil)), []string{p0 + "scope.tier"}},
		{"every mistake at once", role(grant("members", map[string]any{"nosuch": "x"}, nil), grant("orders", nil, map[string]any{"cost": "hidden"})),
			[]string{p0 + "scope.nosuch", "spec.permissions[1].fields.cost"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := fmt.Sprintf("/api/apps/crm/meta/role/bad%d", i)
			r := h.Do("POST", path, tc.body)
			if r.Status != 422 || jsonStr(r.Map(), "code") != "meta.invalid" {
				t.Fatalf("POST %s (%s): %d %s, want 422 meta.invalid", path, tc.name, r.Status, r.Body)
			}
			for _, want := range tc.paths {
				expectPath(t, r.Map(), want)
			}
			if g := h.Do("GET", path, nil); g.Status != 404 {
				t.Errorf("a refused role was stored: GET %s answers %d", path, g.Status)
			}
		})
	}

	// Save: a valid role, then a change that breaks its scope.
	ok := grant("members", map[string]any{"storeId": "$user.unit"}, map[string]any{"phone": "masked"})
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/store", role(ok)), 201, "")
	broken := role(ok, grant("orders", map[string]any{"storeId": map[string]any{"$gt": []any{1}}, "amount": map[string]any{"$startsWith": "1"}}, nil))
	p := h.Expect(h.Do("PUT", "/api/apps/crm/meta/role/store", broken, "If-Match: 1"), 422, "meta.invalid")
	expectPath(t, p, "spec.permissions[1].scope.storeId.$gt")
	expectPath(t, p, "spec.permissions[1].scope.amount.$startsWith")
	if v := h.Expect(h.Do("GET", "/api/apps/crm/meta/role/store", nil), 200, ""); num(v["version"]) != "1" {
		t.Errorf("a refused save changed the role: %v", v)
	}
}

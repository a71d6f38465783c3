package api_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// The access matrix fixture: app "crm" with a members and an orders form,
// an org of HQ, two regions and four stores, one user per position and
// store, five roles, and deterministic records in every store (plus one
// at a region and one without a store), all set up through the HTTP API.
// Expected results are computed from the seed, never read back from the
// server under test.

const (
	mxPassword = "Str0ng-Passw0rd!"
	mxMembers  = "/api/apps/crm/forms/members/records"
	mxOrders   = "/api/apps/crm/forms/orders/records"
)

// mxForms are the two forms. orders carries two lookups into members
// (phone: masked for most roles; cost: hidden for store roles) so that the
// relation path is probed as well as the form's own fields.
var mxForms = []struct {
	key  string
	spec map[string]any
}{
	{"members", map[string]any{"title": "会员", "titleField": "name", "fields": []any{
		map[string]any{"key": "name", "type": "text", "label": "姓名", "required": true},
		map[string]any{"key": "phone", "type": "phone", "label": "手机号", "required": true},
		map[string]any{"key": "storeId", "type": "orgunit", "label": "门店"},
		map[string]any{"key": "tier", "type": "select", "label": "等级", "options": []any{
			map[string]any{"value": "normal", "label": "普通"}, map[string]any{"value": "gold", "label": "金卡"}}},
		map[string]any{"key": "points", "type": "number", "label": "积分"},
		map[string]any{"key": "cost", "type": "money", "label": "获客成本"},
	}}},
	{"orders", map[string]any{"title": "订单", "fields": []any{
		map[string]any{"key": "member", "type": "relation", "label": "会员", "form": "members", "required": true},
		map[string]any{"key": "storeId", "type": "orgunit", "label": "门店"},
		map[string]any{"key": "amount", "type": "money", "label": "金额"},
		map[string]any{"key": "memberPhone", "type": "lookup", "label": "会员手机", "relation": "member", "field": "phone"},
		map[string]any{"key": "memberCost", "type": "lookup", "label": "会员成本", "relation": "member", "field": "cost"},
	}}},
}

// mxUnits is the org tree, parents first: code, kind, name, parent code.
var mxUnits = [][4]string{
	{"HQ", "hq", "总部", ""},
	{"EAST", "region", "华东", "HQ"},
	{"SOUTH", "region", "华南", "HQ"},
	{"SH", "store", "上海店", "EAST"},
	{"HZ", "store", "杭州店", "EAST"},
	{"GZ", "store", "广州店", "SOUTH"},
	{"SZ", "store", "深圳店", "SOUTH"},
}

var mxStores = []string{"SH", "HZ", "GZ", "SZ"}

// mxRole is what a role allows, as the test expects it to be enforced.
type mxRole struct {
	members     bool   // may read members
	scope       string // "" all rows, "subtree" the unit and below, "unit" the unit
	phoneMasked bool
	costHidden  bool
	export      bool
}

var mxRoles = map[string]mxRole{
	"hq_admin":       {members: true, export: true},
	"region_manager": {members: true, scope: "subtree", phoneMasked: true, export: true},
	"store_manager":  {members: true, scope: "unit", phoneMasked: true, costHidden: true, export: true},
	"clerk":          {members: true, scope: "unit", phoneMasked: true, costHidden: true},
	"auditor":        {},
}

// mxRoleSpecs are the role definitions as published.
func mxRoleSpecs() map[string][]any {
	form := func(key string, actions []any, scope, fields map[string]any) map[string]any {
		g := map[string]any{"kind": "form", "key": key, "actions": actions}
		if scope != nil {
			g["scope"] = scope
		}
		if fields != nil {
			g["fields"] = fields
		}
		return g
	}
	subtree := map[string]any{"storeId": map[string]any{"$in": "$user.unitSubtree"}}
	unit := map[string]any{"storeId": "$user.unit"}
	masked := map[string]any{"rule": "masked", "mask": "3*4"}
	storeRW := []any{"read", "create", "update", "export"}
	clerkRW := []any{"read", "create"}
	return map[string][]any{
		"hq_admin": {form("*", []any{"read", "export"}, nil, nil)},
		"region_manager": {
			form("members", []any{"read", "export"}, subtree, map[string]any{"phone": masked}),
			form("orders", []any{"read", "export"}, subtree, nil),
		},
		"store_manager": {
			form("members", storeRW, unit, map[string]any{"phone": masked, "cost": "hidden"}),
			form("orders", storeRW, unit, nil),
		},
		"clerk": {
			form("members", clerkRW, unit, map[string]any{"phone": masked, "cost": "hidden", "points": "readonly"}),
			form("orders", clerkRW, unit, nil),
		},
		"auditor": {form("orders", []any{"read"}, nil, nil)},
	}
}

// mxUser is one signed-in user of the matrix.
type mxUser struct {
	name, role, unit, position string
	id, token                  string
}

// mxUserList: one user of each position in the right units.
var mxUserList = []mxUser{
	{name: "hq.admin", role: "hq_admin", unit: "HQ", position: "hq_admin"},
	{name: "rm.east", role: "region_manager", unit: "EAST", position: "region_manager"},
	{name: "rm.south", role: "region_manager", unit: "SOUTH", position: "region_manager"},
	{name: "sm.sh", role: "store_manager", unit: "SH", position: "store_manager"},
	{name: "sm.hz", role: "store_manager", unit: "HZ", position: "store_manager"},
	{name: "sm.gz", role: "store_manager", unit: "GZ", position: "store_manager"},
	{name: "sm.sz", role: "store_manager", unit: "SZ", position: "store_manager"},
	{name: "clerk.sh", role: "clerk", unit: "SH", position: "store_clerk"},
	{name: "clerk.hz", role: "clerk", unit: "HZ", position: "store_clerk"},
	{name: "clerk.gz", role: "clerk", unit: "GZ", position: "store_clerk"},
	{name: "clerk.sz", role: "clerk", unit: "SZ", position: "store_clerk"},
	{name: "auditor", role: "auditor"},
	// Scoped roles held by users without a unit must see no rows at all
	// (an empty $user.unitSubtree or $user.unit must not open the scope).
	{name: "rm.nounit", role: "region_manager"},
	{name: "sm.nounit", role: "store_manager"},
}

// mxMember and mxOrder are seeded records with their expected values.
type mxMember struct {
	id, unit, name, phone string
	cost, points          int64 // cost in fen
}

type mxOrder struct {
	id, unit string
	member   int   // index into fixture.members
	amount   int64 // fen
}

// mxFixture is the whole set-up.
type mxFixture struct {
	h       *apitest.Harness
	units   map[string]string // code -> id
	codeOf  map[string]string // id -> code
	parent  map[string]string // code -> parent code
	users   []*mxUser
	byName  map[string]*mxUser
	members []mxMember
	orders  []mxOrder
	// extraSecrets must never reach anyone but admins (earlier values of
	// hidden fields).
	extraSecrets []string
}

func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// mxSetup builds the fixture through the HTTP API as the bootstrap admin.
func mxSetup(t *testing.T) *mxFixture {
	t.Helper()
	h := apitest.New(t)
	f := &mxFixture{h: h, units: map[string]string{}, codeOf: map[string]string{}, parent: map[string]string{}, byName: map[string]*mxUser{}}
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	for _, fm := range mxForms {
		h.Expect(h.Do("POST", "/api/apps/crm/meta/form/"+fm.key, map[string]any{"spec": fm.spec}), 201, "")
		h.Expect(h.Do("POST", "/api/apps/crm/meta/form/"+fm.key+"/publish", nil), 200, "")
	}
	for _, u := range mxUnits {
		body := map[string]any{"kind": u[1], "name": u[2], "code": u[0]}
		if u[3] != "" {
			body["parentId"] = f.units[u[3]]
		}
		id := jsonStr(h.Expect(h.Do("POST", "/api/org/units", body), 201, ""), "id")
		f.units[u[0]], f.codeOf[id], f.parent[u[0]] = id, u[0], u[3]
	}
	specs := mxRoleSpecs()
	for _, key := range sortedKeysOf(specs) {
		publishRole(t, h, key, specs[key])
	}
	for i := range mxUserList {
		u := mxUserList[i] // a copy: the list is shared by tests
		body := map[string]any{"username": u.name, "password": mxPassword, "roles": []any{map[string]any{"app": "crm", "role": u.role}}}
		if u.unit != "" {
			body["memberships"] = []any{map[string]any{"unitId": f.units[u.unit], "position": u.position}}
		}
		u.id = jsonStr(h.Expect(h.Do("POST", "/api/users", body), 201, ""), "id")
		u.token = h.Login(u.name, mxPassword)
		f.users = append(f.users, &u)
		f.byName[u.name] = &u
	}
	f.seed(t)
	return f
}

func sortedKeysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// seed creates five members and ten orders per store, a member and an
// order at the 华东 region itself, a member and an order without a store,
// and one 上海店 order whose member belongs to 广州店 (a lookup across
// scopes).
func (f *mxFixture) seed(t *testing.T) {
	t.Helper()
	h := f.h
	units := append(append([]string{}, mxStores...), "EAST", "")
	for si, code := range units {
		n := 5
		if si >= len(mxStores) {
			n = 1
		}
		label := "无门店"
		if code != "" {
			label = mxUnitName(code)
		}
		for j := range n {
			m := mxMember{unit: code, name: fmt.Sprintf("%s会员%d号", label, j+1),
				phone:  fmt.Sprintf("1390%d%d0%04d", si, j, 5000+si*10+j),
				cost:   97530000 + int64(si*100+j*7),
				points: int64(10*(si+1) + j)}
			body := map[string]any{"name": m.name, "phone": m.phone, "tier": []string{"gold", "normal"}[j%2],
				"points": m.points, "cost": yuan(m.cost)}
			if code != "" {
				body["storeId"] = f.units[code]
			}
			m.id = jsonStr(h.Expect(h.Do("POST", mxMembers, body), 201, ""), "_id")
			f.members = append(f.members, m)
		}
	}
	first := func(code string) int {
		for i, m := range f.members {
			if m.unit == code {
				return i
			}
		}
		t.Fatalf("no member at %q", code)
		return -1
	}
	add := func(code string, member int, fen int64) {
		body := map[string]any{"member": f.members[member].id, "amount": yuan(fen)}
		if code != "" {
			body["storeId"] = f.units[code]
		}
		id := jsonStr(h.Expect(h.Do("POST", mxOrders, body), 201, ""), "_id")
		f.orders = append(f.orders, mxOrder{id: id, unit: code, member: member, amount: fen})
	}
	for si, code := range units {
		n := 10
		if si >= len(mxStores) {
			n = 1
		}
		for k := range n {
			m := first(code)
			if n > 1 {
				m += k % 5
			}
			add(code, m, int64(((si+1)*100+k)*100+si*10+k))
		}
	}
	add("SH", first("GZ")+2, 4242)
}

func mxUnitName(code string) string {
	for _, u := range mxUnits {
		if u[0] == code {
			return u[2]
		}
	}
	return code
}

// sees reports whether u's role scope covers a record at unit code.
func (f *mxFixture) sees(u *mxUser, code string) bool {
	switch mxRoles[u.role].scope {
	case "":
		return true
	case "unit":
		return code != "" && code == u.unit
	case "subtree":
		for c := code; c != ""; c = f.parent[c] {
			if c == u.unit {
				return true
			}
		}
	}
	return false
}

// seesMember reports whether u may read member i at all.
func (f *mxFixture) seesMember(u *mxUser, i int) bool {
	return mxRoles[u.role].members && f.sees(u, f.members[i].unit)
}

func mxMask(s string) string {
	if len(s) <= 7 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}

// wantPhone is the phone u must see for member i; "" when u must not see
// the member at all.
func (f *mxFixture) wantPhone(u *mxUser, i int) string {
	if !f.seesMember(u, i) {
		return ""
	}
	if mxRoles[u.role].phoneMasked {
		return mxMask(f.members[i].phone)
	}
	return f.members[i].phone
}

// secrets are the strings that must never appear in any answer to u: the
// raw phone of a member u sees masked or not at all, the cost of a member
// whose cost is hidden from u or that u does not see, and the names of
// members outside u's rows.
func (f *mxFixture) secrets(u *mxUser) []string {
	r := mxRoles[u.role]
	var out []string
	if r.costHidden || !r.members {
		out = append(out, f.extraSecrets...)
	}
	for i, m := range f.members {
		in := f.seesMember(u, i)
		if !in || r.phoneMasked {
			out = append(out, m.phone)
		}
		if !in || r.costHidden {
			out = append(out, fmt.Sprint(m.cost), yuan(m.cost))
		}
		if !in {
			out = append(out, m.name)
		}
	}
	return out
}

// mxClient is a user's HTTP client bound to a (sub)test. Every answer is
// scanned for the user's secrets, so a leak is caught on whichever path
// it happens.
type mxClient struct {
	f       *mxFixture
	u       *mxUser
	h       *apitest.Harness
	t       *testing.T
	secrets []string
}

func (f *mxFixture) client(t *testing.T, u *mxUser) *mxClient {
	h := *f.h
	h.T, h.Token = t, u.token
	return &mxClient{f: f, u: u, h: &h, t: t, secrets: f.secrets(u)}
}

// admin is the bootstrap admin's harness bound to t (a subtest must not
// fail its parent from its own goroutine).
func (f *mxFixture) admin(t *testing.T) *apitest.Harness {
	h := *f.h
	h.T = t
	return &h
}

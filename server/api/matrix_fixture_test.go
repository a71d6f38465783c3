package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
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

func (c *mxClient) do(method, path string, body any, headers ...string) apitest.Response {
	c.t.Helper()
	r := c.h.Do(method, path, body, headers...)
	for _, s := range c.secrets {
		if bytes.Contains(r.Body, []byte(s)) {
			c.t.Errorf("LEAK: %s (%s) %s %s: the answer (%d) contains %q, which this user must not see; body: %.600s",
				c.u.name, c.u.role, method, path, r.Status, s, r.Body)
		}
	}
	return r
}

// expect is do plus a status and problem code check with a precise message.
func (c *mxClient) expect(method, path string, body any, status int, code string) apitest.Response {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.Status != status {
		c.t.Fatalf("%s (%s) %s %s: status %d, want %d; body: %.600s", c.u.name, c.u.role, method, path, r.Status, status, r.Body)
	}
	if code != "" {
		if got := jsonStr(r.Map(), "code"); got != code {
			c.t.Fatalf("%s (%s) %s %s: code %q, want %q; body: %.600s", c.u.name, c.u.role, method, path, got, code, r.Body)
		}
	}
	return r
}

// listAll pages through a list (limit 4, with count) and returns the
// items; every page must report the same total.
func (c *mxClient) listAll(base string, q url.Values) []map[string]any {
	c.t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", "4")
	q.Set("count", "true")
	var items []map[string]any
	total := ""
	for range 100 {
		path := base + "?" + q.Encode()
		m := c.expect("GET", path, nil, 200, "").Map()
		items = append(items, pageItems(m)...)
		if total == "" {
			total = num(m["total"])
		} else if num(m["total"]) != total {
			c.t.Errorf("%s GET %s: total %v, earlier pages said %s", c.u.name, path, m["total"], total)
		}
		next, _ := m["next"].(string)
		if next == "" {
			if total != fmt.Sprint(len(items)) {
				c.t.Errorf("%s GET %s: total %s but %d items over all pages", c.u.name, base, total, len(items))
			}
			return items
		}
		q.Set("cursor", next)
	}
	c.t.Fatalf("%s GET %s: more than 100 pages", c.u.name, base)
	return nil
}

// idSet renders ids as a sorted list for messages and comparison.
func idSet(ids []string) string {
	s := append([]string(nil), ids...)
	sort.Strings(s)
	return strings.Join(s, ",")
}

func itemIDs(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = jsonStr(it, "_id")
	}
	return out
}

// sameIDs fails with the missing and the extra ids (extra ones are rows
// outside the expected set: a leak when they are outside the scope).
func (c *mxClient) sameIDs(what string, got, want []string) {
	c.t.Helper()
	if idSet(got) == idSet(want) {
		return
	}
	g, w := map[string]bool{}, map[string]bool{}
	for _, id := range got {
		g[id] = true
	}
	for _, id := range want {
		w[id] = true
	}
	var missing, extra []string
	for id := range w {
		if !g[id] {
			missing = append(missing, c.f.describe(id))
		}
	}
	for id := range g {
		if !w[id] {
			extra = append(extra, c.f.describe(id))
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	c.t.Errorf("%s (%s) %s: got %d ids, want %d; missing %v; unexpected %v", c.u.name, c.u.role, what, len(got), len(want), missing, extra)
}

// describe names a record by form and unit for failure messages.
func (f *mxFixture) describe(id string) string {
	for _, m := range f.members {
		if m.id == id {
			return fmt.Sprintf("member %s@%s", id, orDash(m.unit))
		}
	}
	for _, o := range f.orders {
		if o.id == id {
			return fmt.Sprintf("order %s@%s", id, orDash(o.unit))
		}
	}
	return "unknown " + id
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// problemShape is a problem body without the parts that name the request
// (instance, requestId), for comparing two refusals.
func problemShape(r apitest.Response) string {
	m := r.Map()
	delete(m, "instance")
	delete(m, "requestId")
	b, _ := json.Marshal(m)
	return fmt.Sprintf("%d %s", r.Status, b)
}

// parseCSV reads an export: a UTF-8 BOM, then a header row of keys.
func parseCSV(t *testing.T, who string, r apitest.Response) (header []string, rows []map[string]string) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("%s export: content type %q, want text/csv", who, ct)
	}
	body, ok := bytes.CutPrefix(r.Body, []byte("\ufeff"))
	if !ok {
		t.Errorf("%s export: no UTF-8 BOM at the start: %.40q", who, r.Body)
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("%s export: not CSV with a header (%v): %.300s", who, err, body)
	}
	header = recs[0]
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, k := range header {
			if i < len(rec) {
				row[k] = rec[i]
			}
		}
		rows = append(rows, row)
	}
	return header, rows
}

// csvID is the id of an exported row.
func csvID(row map[string]string) string {
	if id, ok := row["_id"]; ok {
		return id
	}
	return row["id"]
}

// wantMembers and wantOrders are the ids u must see among the records at
// the units keep accepts.
func (f *mxFixture) wantMembers(u *mxUser, keep func(code string) bool) []string {
	var out []string
	for i, m := range f.members {
		if f.seesMember(u, i) && keep(m.unit) {
			out = append(out, m.id)
		}
	}
	return out
}

func (f *mxFixture) wantOrders(u *mxUser, keep func(code string) bool) []string {
	var out []string
	for _, o := range f.orders {
		if f.sees(u, o.unit) && keep(o.unit) {
			out = append(out, o.id)
		}
	}
	return out
}

// anyUnit keeps every record.
func anyUnit(string) bool { return true }

// mxTrick is a filter meant to widen the scope, with the rows it may
// legitimately narrow the result to.
type mxTrick struct {
	name, filter string
	keep         func(code string) bool
}

func (f *mxFixture) memberIDs() []string {
	out := make([]string, len(f.members))
	for i, m := range f.members {
		out[i] = m.id
	}
	return out
}

func (f *mxFixture) orderIDs() []string {
	out := make([]string, len(f.orders))
	for i, o := range f.orders {
		out[i] = o.id
	}
	return out
}

func (f *mxFixture) memberIndex(id string) int {
	for i, m := range f.members {
		if m.id == id {
			return i
		}
	}
	return -1
}

func (f *mxFixture) orderIndex(id string) int {
	for i, o := range f.orders {
		if o.id == id {
			return i
		}
	}
	return -1
}

// checkMember checks one member as u must see it.
func (c *mxClient) checkMember(where string, it map[string]any) {
	c.t.Helper()
	f, u, r := c.f, c.u, mxRoles[c.u.role]
	id := jsonStr(it, "_id")
	i := f.memberIndex(id)
	if i < 0 || !f.seesMember(u, i) {
		c.t.Errorf("%s (%s) %s: member %s is not one this user may read", u.name, u.role, where, id)
		return
	}
	m := f.members[i]
	if got := jsonStr(it, "phone"); got != f.wantPhone(u, i) {
		c.t.Errorf("%s (%s) %s: member %s phone %q, want %q", u.name, u.role, where, id, got, f.wantPhone(u, i))
	}
	cost, has := it["cost"]
	switch {
	case r.costHidden && has:
		c.t.Errorf("LEAK: %s (%s) %s: member %s shows hidden cost %v", u.name, u.role, where, id, cost)
	case !r.costHidden && num(cost) != fmt.Sprint(m.cost):
		c.t.Errorf("%s (%s) %s: member %s cost %v, want %d", u.name, u.role, where, id, cost, m.cost)
	}
	if jsonStr(it, "name") != m.name || num(it["points"]) != fmt.Sprint(m.points) {
		c.t.Errorf("%s (%s) %s: member %s is %v, want name %s points %d", u.name, u.role, where, id, it, m.name, m.points)
	}
}

// checkOrder checks one order, with its lookups into members: the phone
// as the user may see that member's phone, null when the member is
// outside the user's rows; the cost null unless the user may read it.
func (c *mxClient) checkOrder(where string, it map[string]any) {
	c.t.Helper()
	f, u, r := c.f, c.u, mxRoles[c.u.role]
	id := jsonStr(it, "_id")
	i := f.orderIndex(id)
	if i < 0 || !f.sees(u, f.orders[i].unit) {
		c.t.Errorf("%s (%s) %s: order %s is not one this user may read", u.name, u.role, where, id)
		return
	}
	o := f.orders[i]
	if num(it["amount"]) != fmt.Sprint(o.amount) || jsonStr(it, "member") != f.members[o.member].id {
		c.t.Errorf("%s (%s) %s: order %s is %v, want amount %d member %s", u.name, u.role, where, id, it, o.amount, f.members[o.member].id)
	}
	if got, want := it["memberPhone"], f.wantPhone(u, o.member); (want == "" && got != nil) || (want != "" && got != want) {
		c.t.Errorf("%s (%s) %s: order %s memberPhone %v, want %q (member at %s)", u.name, u.role, where, id, got, want, orDash(f.members[o.member].unit))
	}
	readable := f.seesMember(u, o.member) && !r.costHidden
	if got := it["memberCost"]; (readable && num(got) != fmt.Sprint(f.members[o.member].cost)) || (!readable && got != nil) {
		c.t.Errorf("%s (%s) %s: order %s memberCost %v (readable: %v)", u.name, u.role, where, id, got, readable)
	}
}

// sameGroups compares aggregate rows grouped by storeId (null: no store)
// with the expected count (and sum) per unit code.
func (c *mxClient) sameGroups(what string, rows []map[string]any, wantN, wantSum map[string]int64, gotSumKey *string) {
	c.t.Helper()
	got := map[string]string{}
	for _, row := range rows {
		code := ""
		if id, ok := row["storeId"].(string); ok {
			if code = c.f.codeOf[id]; code == "" {
				code = "?" + id
			}
		}
		s := num(row["n"])
		if gotSumKey != nil {
			s += "/" + num(row[*gotSumKey])
		}
		got[orDash(code)] = s
	}
	want := map[string]string{}
	for code, n := range wantN {
		s := fmt.Sprint(n)
		if gotSumKey != nil {
			s += "/" + fmt.Sprint(wantSum[code])
		}
		want[orDash(code)] = s
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		c.t.Errorf("%s (%s) %s: groups (unit: count[/sum]) %v, want %v", c.u.name, c.u.role, what, got, want)
	}
}

package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/server/api/apitest"
)

// TestAccessMatrix is issue 3 item 7: every user of every position lists,
// gets, filters (with widening tricks), aggregates, reads history and
// exports the same records, and sees exactly the rows and fields the role
// allows; then the write paths are probed, a store manager is disabled
// (session and API key stop at once), and the exports are counted in the
// audit log. Every answer to a user is scanned for values that user must
// not see (raw phones, hidden costs, names of rows outside the scope).
func TestAccessMatrix(t *testing.T) {
	f := mxSetup(t)
	var exports atomic.Int64
	t.Run("read", func(t *testing.T) {
		for _, u := range f.users {
			t.Run(u.name, func(t *testing.T) {
				t.Parallel()
				c := f.client(t, u)
				if mxRoles[u.role].members {
					c.membersMatrix(&exports)
				} else {
					c.noMembers()
				}
				c.ordersMatrix(&exports)
			})
		}
	})
	t.Run("writes", func(t *testing.T) { f.writeProbes(t) })
	t.Run("restore revision", func(t *testing.T) { f.restoreProbes(t) })
	t.Run("reorg", func(t *testing.T) { f.reorg(t) })
	t.Run("disable", func(t *testing.T) { f.disableStoreManager(t, &exports) })
	t.Run("audit", func(t *testing.T) {
		// The entry is written when a streamed export has ended, which may
		// be just after the client read the last byte: allow a moment.
		n := 0
		for range 20 {
			if n = f.countAudit(t, "record.export"); int64(n) == exports.Load() {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if int64(n) != exports.Load() || n == 0 {
			t.Errorf("audit has %d record.export entries, want %d (one per successful export)", n, exports.Load())
		}
	})
}

// countAudit counts the audit entries of an action, over all pages.
func (f *mxFixture) countAudit(t *testing.T, action string) int {
	h := f.admin(t)
	n := 0
	q := url.Values{"filter": {`{"action":"` + action + `"}`}, "limit": {"500"}}
	for {
		m := h.Expect(h.Do("GET", "/api/audit?"+q.Encode(), nil), 200, "")
		n += len(pageItems(m))
		next, _ := m["next"].(string)
		if next == "" {
			return n
		}
		q.Set("cursor", next)
	}
}

// tricks are built per user: "other" is a store outside the user's scope
// (when there is one), "own" the user's unit.
func (c *mxClient) tricks() []mxTrick {
	f, u := c.f, c.u
	other := "GZ"
	if mxRoles[u.role].scope != "" && f.sees(u, "GZ") {
		other = "SH"
	}
	own := u.unit
	if own == "" {
		own = "HQ"
	}
	var stores []string
	for _, s := range mxStores {
		stores = append(stores, `"`+f.units[s]+`"`)
	}
	isStore := func(code string) bool { return slices.Contains(mxStores, code) }
	notOwn := func(code string) bool { return code != own }
	return []mxTrick{
		{"$or other store or any id", `{"$or":[{"storeId":"` + f.units[other] + `"},{"_id":{"$exists":true}}]}`, anyUnit},
		{"$in every store", `{"storeId":{"$in":[` + strings.Join(stores, ",") + `]}}`, isStore},
		{"$not own unit", `{"$not":{"storeId":"` + f.units[own] + `"}}`, notOwn},
		{"$nin own unit", `{"storeId":{"$nin":["` + f.units[own] + `"]}}`, notOwn},
		{"$or null or not null", `{"$or":[{"storeId":null},{"storeId":{"$ne":null}}]}`, anyUnit},
		{"$not $and nothing", `{"$not":{"$and":[{"_id":{"$exists":false}},{"storeId":"` + f.units[own] + `"}]}}`, anyUnit},
		{"$or own $user var", `{"$or":[{"storeId":{"$in":"$user.unitSubtree"}},{"storeId":{"$ne":"$user.unit"}}]}`, anyUnit},
	}
}

// membersMatrix runs every read path of the members form for one user:
// list (all pages), widening filters, a forged cursor, get and history in
// and out of scope, refusals on masked and hidden fields, aggregate and
// export.
func (c *mxClient) membersMatrix(exports *atomic.Int64) {
	f, u, r := c.f, c.u, mxRoles[c.u.role]
	c.t.Helper()
	want := f.wantMembers(u, anyUnit)
	items := c.listAll(mxMembers, nil)
	c.sameIDs("list members", itemIDs(items), want)
	for _, it := range items {
		c.checkMember("list members", it)
	}
	for _, tr := range c.tricks() {
		q := url.Values{"filter": {tr.filter}}
		c.sameIDs("list members filter "+tr.name+" "+tr.filter, itemIDs(c.listAll(mxMembers, q)), f.wantMembers(u, tr.keep))
	}
	// A forged cursor only moves the start of the page.
	forged := base64.RawURLEncoding.EncodeToString([]byte(`["zzzzzzzzzzzzzzzzzzzzzzzzzz"]`))
	m := c.expect("GET", mxMembers+"?limit=1000&cursor="+forged, nil, 200, "").Map()
	c.sameIDs("list members with a forged cursor", itemIDs(pageItems(m)), want)

	c.getChecks(mxMembers, want, f.memberIDs(), c.checkMember)
	c.historyChecks(want)
	c.memberFieldRefusals(r)

	// Aggregate: count by storeId, only own-scope groups.
	rows := jsonArray(c.t, c.expect("POST", "/api/apps/crm/forms/members/aggregate", map[string]any{
		"groupBy": []any{map[string]any{"field": "storeId"}}, "measures": []any{map[string]any{"op": "count", "as": "n"}}}, 200, ""))
	wantN := map[string]int64{}
	for i, mb := range f.members {
		if f.seesMember(u, i) {
			wantN[mb.unit]++
		}
	}
	c.sameGroups("aggregate members count by storeId", rows, wantN, nil, nil)

	c.exportChecks("members", want, exports)
}

// memberFieldRefusals: filters, sorts, searches and aggregations naming a
// masked or hidden field are refused; a search for a masked value finds
// nothing.
func (c *mxClient) memberFieldRefusals(r mxRole) {
	f, u := c.f, c.u
	phone := "13900000000" // a raw phone of a member the user sees, if any
	for i, m := range f.members {
		if f.seesMember(u, i) {
			phone = m.phone
			break
		}
	}
	agg := "/api/apps/crm/forms/members/aggregate"
	type probe struct{ method, path, body string }
	phoneProbes := []probe{
		{"GET", mxMembers + "?filter=" + url.QueryEscape(`{"phone":{"$startsWith":"139"}}`), ""},
		{"GET", mxMembers + "?filter=" + url.QueryEscape(`{"$or":[{"phone":"`+phone+`"},{"_id":{"$exists":false}}]}`), ""},
		{"GET", mxMembers + "?filter=" + url.QueryEscape(`{"$not":{"phone":{"$ne":"`+phone+`"}}}`), ""},
		{"GET", mxMembers + "?sort=phone", ""},
		{"GET", mxMembers + "?q=" + phone + "&searchFields=phone", ""},
		{"POST", agg, `{"groupBy":[{"field":"phone"}],"measures":[{"op":"count"}]}`},
		{"POST", agg, `{"measures":[{"op":"countDistinct","field":"phone"}]}`},
		{"POST", agg, `{"measures":[{"op":"max","field":"phone"}]}`},
		{"POST", agg, `{"filter":{"phone":"` + phone + `"},"measures":[{"op":"count"}]}`},
	}
	costProbes := []probe{
		{"GET", mxMembers + "?filter=" + url.QueryEscape(`{"cost":{"$gt":0}}`), ""},
		{"GET", mxMembers + "?sort=-cost", ""},
		{"POST", agg, `{"measures":[{"op":"sum","field":"cost"}]}`},
		{"POST", agg, `{"groupBy":[{"field":"cost"}],"measures":[{"op":"count"}]}`},
		{"POST", agg, `{"filter":{"cost":{"$gte":0}},"measures":[{"op":"count"}]}`},
	}
	run := func(ps []probe, refused bool) {
		for _, p := range ps {
			var body any
			if p.body != "" {
				body = p.body
			}
			if refused {
				c.expect(p.method, p.path, body, 400, "record.field_not_readable")
			} else {
				c.expect(p.method, p.path, body, 200, "")
			}
		}
	}
	run(phoneProbes, r.phoneMasked)
	run(costProbes, r.costHidden)
	if r.phoneMasked {
		// The default search must not look into a masked field: finding a
		// member by the full number would make search a phone oracle.
		m := c.expect("GET", mxMembers+"?q="+phone, nil, 200, "").Map()
		if n := len(pageItems(m)); n != 0 {
			c.t.Errorf("LEAK: %s (%s) GET %s?q=%s finds %d members by a masked phone", u.name, u.role, mxMembers, phone, n)
		}
	}
}

// getChecks: an in-scope record reads as it should; one outside the scope
// is a 404 record.not_found with the very body of a missing id, on get and
// on history.
func (c *mxClient) getChecks(base string, want, every []string, check func(string, map[string]any)) {
	c.t.Helper()
	if len(want) > 0 {
		check("get "+want[0], c.expect("GET", base+"/"+want[0], nil, 200, "").Map())
	}
	missing := c.expect("GET", base+"/d0000000000000000000", nil, 404, "record.not_found")
	// One out-of-scope id per form shows the shape; the lists cover the rest.
	if i := slices.IndexFunc(every, func(id string) bool { return !slices.Contains(want, id) }); i >= 0 {
		id := every[i]
		r := c.expect("GET", base+"/"+id, nil, 404, "record.not_found")
		if problemShape(r) != problemShape(missing) {
			c.t.Errorf("%s GET %s/%s (out of scope) answers %s; a missing id answers %s", c.u.name, base, id, problemShape(r), problemShape(missing))
		}
		r = c.expect("GET", base+"/"+id+"/history", nil, 404, "record.not_found")
		if problemShape(r) != problemShape(missing) {
			c.t.Errorf("%s GET %s/%s/history (out of scope) answers %s; a missing id answers %s", c.u.name, base, id, problemShape(r), problemShape(missing))
		}
	}
}

// historyChecks: the create revision of an in-scope member shows the phone
// as the user may see it and no hidden cost.
func (c *mxClient) historyChecks(want []string) {
	c.t.Helper()
	if len(want) == 0 {
		return
	}
	f, u, r := c.f, c.u, mxRoles[c.u.role]
	i := f.memberIndex(want[0])
	revs := jsonArray(c.t, c.expect("GET", mxMembers+"/"+want[0]+"/history", nil, 200, ""))
	if len(revs) == 0 {
		c.t.Fatalf("%s: no history for %s", u.name, want[0])
	}
	first := revs[len(revs)-1]
	nv, _ := first["new"].(map[string]any)
	if jsonStr(first, "op") != "create" || jsonStr(nv, "phone") != f.wantPhone(u, i) {
		c.t.Errorf("%s (%s) history of %s: create revision %v, want phone %q", u.name, u.role, want[0], first, f.wantPhone(u, i))
	}
	if _, has := nv["cost"]; has == r.costHidden {
		c.t.Errorf("%s (%s) history of %s: cost present=%v, cost hidden=%v: %v", u.name, u.role, want[0], has, r.costHidden, nv)
	}
	if fields, _ := first["fields"].([]any); r.costHidden && slices.Contains(fields, any("cost")) {
		c.t.Errorf("%s (%s) history of %s names the hidden field cost: %v", u.name, u.role, want[0], fields)
	}
}

// ordersMatrix runs the read paths of the orders form for one user, with
// the lookups into members checked on every row, and count and sum of
// amount by storeId.
func (c *mxClient) ordersMatrix(exports *atomic.Int64) {
	f, u := c.f, c.u
	c.t.Helper()
	want := f.wantOrders(u, anyUnit)
	items := c.listAll(mxOrders, nil)
	c.sameIDs("list orders", itemIDs(items), want)
	for _, it := range items {
		c.checkOrder("list orders", it)
	}
	for _, tr := range c.tricks() {
		q := url.Values{"filter": {tr.filter}}
		c.sameIDs("list orders filter "+tr.name+" "+tr.filter, itemIDs(c.listAll(mxOrders, q)), f.wantOrders(u, tr.keep))
	}
	c.getChecks(mxOrders, want, f.orderIDs(), c.checkOrder)

	wantN, wantSum := map[string]int64{}, map[string]int64{}
	for _, o := range f.orders {
		if f.sees(u, o.unit) {
			wantN[o.unit]++
			wantSum[o.unit] += o.amount
		}
	}
	sum := "total"
	for _, tr := range append([]mxTrick{{name: "no filter", filter: "{}", keep: anyUnit}}, c.tricks()[:1]...) {
		rows := jsonArray(c.t, c.expect("POST", "/api/apps/crm/forms/orders/aggregate", `{"filter":`+tr.filter+`,
			"groupBy":[{"field":"storeId"}],"measures":[{"op":"count","as":"n"},{"op":"sum","field":"amount","as":"total"}]}`, 200, ""))
		c.sameGroups("aggregate orders by storeId, filter "+tr.name, rows, wantN, wantSum, &sum)
	}
	c.exportChecks("orders", want, exports)
}

// noMembers: a role without any right on members gets 403 everywhere,
// whether the record exists or not.
func (c *mxClient) noMembers() {
	f := c.f
	existing := c.expect("GET", mxMembers+"/"+f.members[0].id, nil, 403, "access.forbidden")
	missing := c.expect("GET", mxMembers+"/d0000000000000000000", nil, 403, "access.forbidden")
	if problemShape(existing) != problemShape(missing) {
		c.t.Errorf("%s: 403 for an existing member %s differs from a missing one %s", c.u.name, problemShape(existing), problemShape(missing))
	}
	c.expect("GET", mxMembers, nil, 403, "access.forbidden")
	c.expect("GET", mxMembers+"/"+f.members[0].id+"/history", nil, 403, "access.forbidden")
	c.expect("POST", "/api/apps/crm/forms/members/aggregate", `{"measures":[{"op":"count"}]}`, 403, "access.forbidden")
	c.expect("GET", "/api/apps/crm/forms/members/export?format=csv&header=key", nil, 403, "")
}

// exportChecks: with the export right, the CSV holds exactly the rows in
// scope (also under a widening filter), phones masked as on reads, no
// column for a hidden field even when asked for by name; without it, 403.
// The default columns (every readable field, no _id) are checked with rows
// known by their unique name (members) or amount (orders); ids are checked
// through fields=_id,....
func (c *mxClient) exportChecks(form string, want []string, exports *atomic.Int64) {
	c.t.Helper()
	f, u, r := c.f, c.u, mxRoles[c.u.role]
	base := "/api/apps/crm/forms/" + form + "/export?format=csv&header=key"
	if !r.export {
		c.expect("GET", base, nil, 403, "access.forbidden")
		c.expect("GET", base+"&fields=_id", nil, 403, "access.forbidden")
		c.expect("GET", "/api/apps/crm/forms/"+form+"/export?format=xlsx", nil, 403, "access.forbidden")
		return
	}
	wantHeader := "member,storeId,amount,memberPhone,memberCost"
	fields := "_id,member,amount,memberPhone,memberCost"
	if form == "members" {
		wantHeader, fields = "name,phone,storeId,tier,points,cost", "_id,name,phone,cost"
		if r.costHidden {
			wantHeader = "name,phone,storeId,tier,points"
		}
	}
	trick := c.tricks()[0].filter
	for _, q := range []url.Values{
		{},
		{"fields": {fields}},
		{"fields": {fields}, "filter": {trick}},
		{"filter": {trick}},
	} {
		path := base
		if len(q) > 0 {
			path += "&" + q.Encode()
		}
		resp := c.do("GET", path, nil)
		if resp.Status != 200 {
			c.t.Errorf("%s (%s) GET %s: export answers %d, want 200: %.300s", u.name, u.role, path, resp.Status, resp.Body)
			continue
		}
		exports.Add(1)
		if got := resp.Header.Get("X-Total-Count"); got != "" && got != fmt.Sprint(len(want)) {
			c.t.Errorf("%s (%s) GET %s: X-Total-Count %q, want %d", u.name, u.role, path, got, len(want))
		}
		header, rows := parseCSV(c.t, u.name+" "+form, resp)
		if q.Get("fields") == "" && strings.Join(header, ",") != wantHeader {
			c.t.Errorf("%s (%s) GET %s: header %v, want %s", u.name, u.role, path, header, wantHeader)
		}
		if slices.Contains(header, "cost") == r.costHidden && form == "members" {
			c.t.Errorf("%s (%s) GET %s: header %v; cost hidden=%v", u.name, u.role, path, header, r.costHidden)
		}
		var ids []string
		for _, row := range rows {
			ids = append(ids, c.exportedRow(form, path, row))
		}
		c.sameIDs("export "+path, ids, want)
	}
	// A filter on a field the user may not read is refused as on a list.
	if r.phoneMasked && form == "members" {
		c.expect("GET", base+"&filter="+url.QueryEscape(`{"phone":{"$startsWith":"139"}}`), nil, 400, "record.field_not_readable")
		c.expect("GET", base+"&sort=phone", nil, 400, "record.field_not_readable")
		for i, m := range f.members {
			if f.seesMember(u, i) {
				_, rows := parseCSV(c.t, u.name, c.expect("GET", base+"&fields=_id&q="+m.phone, nil, 200, ""))
				exports.Add(1)
				if len(rows) != 0 {
					c.t.Errorf("LEAK: %s (%s) export q=%s finds %d members by a masked phone", u.name, u.role, m.phone, len(rows))
				}
				break
			}
		}
	}
	if r.costHidden && form == "members" {
		c.expect("GET", base+"&sort=-cost", nil, 400, "record.field_not_readable")
		c.expect("GET", base+"&filter="+url.QueryEscape(`{"cost":{"$gt":0}}`), nil, 400, "record.field_not_readable")
	}
}

// exportedRow checks one exported row against the seed and returns the id
// of the record it shows (by _id when exported, else by the member's
// unique name or the order's unique amount).
func (c *mxClient) exportedRow(form, path string, row map[string]string) string {
	c.t.Helper()
	f, u, r := c.f, c.u, mxRoles[c.u.role]
	if form == "members" {
		i := -1
		for k, m := range f.members {
			if (row["_id"] != "" && m.id == row["_id"]) || (row["_id"] == "" && m.name == row["name"]) {
				i = k
			}
		}
		if i < 0 {
			c.t.Errorf("%s (%s) GET %s: a row of no seeded member: %v", u.name, u.role, path, row)
			return "?" + row["_id"] + row["name"]
		}
		if p, ok := row["phone"]; ok && p != f.wantPhone(u, i) {
			c.t.Errorf("%s (%s) GET %s: member %s phone %q, want %q", u.name, u.role, path, f.members[i].id, p, f.wantPhone(u, i))
		}
		if v, ok := row["cost"]; ok && (r.costHidden || v != yuan(f.members[i].cost)) {
			c.t.Errorf("%s (%s) GET %s: member %s cost %q (hidden=%v, want %s)", u.name, u.role, path, f.members[i].id, v, r.costHidden, yuan(f.members[i].cost))
		}
		return f.members[i].id
	}
	i := -1
	for k, o := range f.orders {
		if (row["_id"] != "" && o.id == row["_id"]) || (row["_id"] == "" && yuan(o.amount) == row["amount"]) {
			i = k
		}
	}
	if i < 0 {
		c.t.Errorf("%s (%s) GET %s: a row of no seeded order: %v", u.name, u.role, path, row)
		return "?" + row["_id"] + row["amount"]
	}
	o := f.orders[i]
	if row["amount"] != yuan(o.amount) || row["member"] != f.members[o.member].id {
		c.t.Errorf("%s (%s) GET %s: order %s is %v, want amount %s member %s", u.name, u.role, path, o.id, row, yuan(o.amount), f.members[o.member].id)
	}
	if p := row["memberPhone"]; p != f.wantPhone(u, o.member) {
		c.t.Errorf("%s (%s) GET %s: order %s memberPhone %q, want %q", u.name, u.role, path, o.id, p, f.wantPhone(u, o.member))
	}
	wantCost := ""
	if f.seesMember(u, o.member) && !r.costHidden {
		wantCost = yuan(f.members[o.member].cost)
	}
	if row["memberCost"] != wantCost {
		c.t.Errorf("%s (%s) GET %s: order %s memberCost %q, want %q", u.name, u.role, path, o.id, row["memberCost"], wantCost)
	}
	return o.id
}

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

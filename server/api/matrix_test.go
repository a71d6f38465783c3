package api_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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

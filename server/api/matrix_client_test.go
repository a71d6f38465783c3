package api_test

// The matrix client: requests as one user, and the comparisons it makes.

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

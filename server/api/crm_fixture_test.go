package api_test

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/tangram/tangram/server/api/apitest"
)

// The CRM scenarios run the crm-retail template over HTTP, as a POS and
// HQ would: installed through the templates API, stores and coupon
// templates written through the records API, everything else through the
// template's actions. Every scenario ends with crmEnv.reconcile.

type crmEnv struct {
	t *testing.T
	h *apitest.Harness
}

// newCRM installs crm-retail into app "crm" with two open stores, S0001
// and S0002.
func newCRM(t *testing.T) *crmEnv {
	t.Helper()
	c := &crmEnv{t: t, h: apitest.New(t)}
	c.h.Expect(c.h.Do("POST", "/api/templates/crm-retail/install", map[string]any{}), 200, "")
	for _, s := range []map[string]any{
		{"code": "S0001", "name": "南京西路店", "province": "上海市", "city": "上海", "region": "east", "status": "open"},
		{"code": "S0002", "name": "春熙路店", "province": "四川省", "city": "成都", "region": "west", "status": "open"},
	} {
		c.create("stores", s)
	}
	return c
}

// create writes a record as the admin and returns its id.
func (c *crmEnv) create(form string, rec map[string]any) string {
	c.t.Helper()
	return jsonStr(c.h.Expect(c.h.Do("POST", "/api/apps/crm/forms/"+form+"/records", rec), 201, ""), "_id")
}

// record reads a record as the admin.
func (c *crmEnv) record(form, id string) map[string]any {
	c.t.Helper()
	return c.h.Expect(c.h.Do("GET", "/api/apps/crm/forms/"+form+"/records/"+id, nil), 200, "")
}

// find lists the records of a form matching a filter, as the admin.
func (c *crmEnv) find(form string, filter map[string]any) []map[string]any {
	c.t.Helper()
	f, _ := json.Marshal(filter)
	page := c.h.Expect(c.h.Do("GET", "/api/apps/crm/forms/"+form+"/records?limit=1000&filter="+url.QueryEscape(string(f)), nil), 200, "")
	var out []map[string]any
	for _, it := range page["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// run runs an action as whoever h is signed in as.
func (c *crmEnv) run(h *apitest.Harness, action string, body any, headers ...string) apitest.Response {
	c.t.Helper()
	return h.Do("POST", "/api/apps/crm/actions/"+action, body, headers...)
}

// ok runs an action as the admin and returns its answer, failing unless 200.
func (c *crmEnv) ok(action string, body any) map[string]any {
	c.t.Helper()
	return c.h.Expect(c.run(c.h, action, body), 200, "")
}

// register registers a member at S0001 and returns its id.
func (c *crmEnv) register(phone, name string) string {
	c.t.Helper()
	out := c.ok("register-member", map[string]any{"phone": phone, "name": name, "homeStore": "S0001"})
	return jsonStr(out["member"].(map[string]any), "id")
}

// couponTemplate creates an active coupon template.
func (c *crmEnv) couponTemplate(spec map[string]any) string {
	c.t.Helper()
	spec["status"] = "active"
	return c.create("coupon-templates", spec)
}

// issue issues one coupon of a template to a member and returns its code.
func (c *crmEnv) issue(template, member string) string {
	c.t.Helper()
	out := c.ok("issue-coupons", map[string]any{"template": template, "members": []any{member}})
	return jsonStr(out["coupons"].([]any)[0].(map[string]any), "code")
}

// balances reads a member's ledger balances by kind.
func (c *crmEnv) balances(member string) map[string]int64 {
	c.t.Helper()
	r := c.h.Do("GET", "/api/apps/crm/ledger/accounts?owner="+member, nil)
	c.h.Expect(r, 200, "")
	var accts []map[string]any
	if err := json.Unmarshal(r.Body, &accts); err != nil {
		c.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, a := range accts {
		out[a["kind"].(string)] = i64(a["balance"])
	}
	return out
}

// reconcile checks the ledgers (every balance equals the sum of its
// entries, nothing negative) and that every member's points and balance
// mirror their ledger accounts.
func (c *crmEnv) reconcile() {
	c.t.Helper()
	rep := c.h.Expect(c.h.Do("POST", "/api/apps/crm/ledger/reconcile", nil), 200, "")
	if ms, _ := rep["mismatches"].([]any); len(ms) != 0 {
		c.t.Fatalf("ledger mismatches: %v", ms)
	}
	for _, m := range c.find("members", map[string]any{}) {
		id := jsonStr(m, "_id")
		b := c.balances(id)
		if i64(m["points"]) != b["points"] || i64(m["balance"]) != b["sv-principal"]+b["sv-bonus"] {
			c.t.Fatalf("member %s mirrors points %v balance %v, ledgers %v", id, m["points"], m["balance"], b)
		}
	}
}

// multiplier asks the published points-earn table what it gives now.
func (c *crmEnv) multiplier(tier, store, category string) string {
	c.t.Helper()
	out := c.h.Expect(c.h.Do("POST", "/api/apps/crm/rules/points-earn/evaluate", map[string]any{
		"inputs": map[string]any{"tier": tier, "store": store, "category": category, "day": todayCST()}}), 200, "")
	return fmt.Sprint(out["outputs"].(map[string]any)["multiplier"])
}

// i64 reads an integer from decoded JSON (json.Number, or absent as 0).
func i64(v any) int64 {
	switch x := v.(type) {
	case json.Number:
		n, _ := x.Int64()
		return n
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

// line is a receipt line.
func line(sku, category string, qty int, price string) map[string]any {
	return map[string]any{"sku": sku, "name": sku, "category": category, "quantity": qty, "price": price}
}

// todayCST is today's date in the business time zone.
func todayCST() string {
	return time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
}

// points is what paid fen earn at a tier's rate and a multiplier: one
// point per whole yuan times both, rounded down, computed exactly.
func points(paidFen int64, rate, mult string) int64 {
	r, _ := new(big.Rat).SetString(rate)
	m, _ := new(big.Rat).SetString(mult)
	v := new(big.Rat).Mul(new(big.Rat).SetFrac64(paidFen, 100), r)
	v.Mul(v, m)
	return new(big.Int).Quo(v.Num(), v.Denom()).Int64()
}

package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// TestCRMRulesEditable: tiers and points are metadata. An HQ admin (the
// hq-admin role, not a platform admin) lowers the silver threshold and
// adds a points multiplier through the meta API and publishes; the next
// checkout follows the new tables while an earlier receipt keeps the
// points it earned. A table with ambiguous rows is refused on save.
func TestCRMRulesEditable(t *testing.T) {
	c := newCRM(t)
	m := c.register("13800138010", "赵敏")
	before := c.ok("checkout", map[string]any{"receiptId": "RULE-1", "store": "S0001", "member": map[string]any{"id": m},
		"lines": []any{line("RICE", "食品", 1, "1000")}})
	wantBefore := points(100000, "1", c.multiplier("normal", "S0001", "食品"))
	if before["tier"] != "normal" || i64(before["pointsEarned"]) != wantBefore {
		t.Fatalf("before the change (want %d): %v", wantBefore, before)
	}

	c.h.Expect(c.h.Do("POST", "/api/users", map[string]any{"username": "hq", "password": apitest.AdminPassword,
		"roles": []any{map[string]any{"app": "crm", "role": "hq-admin"}}}), 201, "")
	hq := c.h.As(c.h.Login("hq", apitest.AdminPassword))
	edit := func(key string, change func(spec map[string]any)) {
		t.Helper()
		d := hq.Expect(hq.Do("GET", "/api/apps/crm/meta/rule/"+key, nil), 200, "")
		spec := d["spec"].(map[string]any)
		change(spec)
		saved := hq.Expect(hq.Do("PUT", "/api/apps/crm/meta/rule/"+key, map[string]any{"spec": spec}, "If-Match: "+fmt.Sprint(d["version"])), 200, "")
		hq.Expect(hq.Do("POST", "/api/apps/crm/meta/rule/"+key+"/publish", nil, "If-Match: "+fmt.Sprint(saved["version"])), 200, "")
	}
	// Silver from 500 yuan instead of 2000.
	edit("tier-levels", func(spec map[string]any) {
		for _, r := range spec["rows"].([]any) {
			row := r.(map[string]any)
			if row["then"].(map[string]any)["tier"] == "silver" {
				row["when"] = map[string]any{"spend12m": map[string]any{"$gte": "500"}}
			}
		}
	})
	// Groceries earn triple (above holidays, below tobacco).
	edit("points-earn", func(spec map[string]any) {
		spec["rows"] = append(spec["rows"].([]any), map[string]any{"when": map[string]any{"category": "食品"},
			"then": map[string]any{"multiplier": "3", "reason": "食品三倍积分"}, "priority": 500})
	})
	if got := c.multiplier("silver", "S0001", "食品"); got != "3" {
		t.Fatalf("published multiplier %s", got)
	}

	after := c.ok("checkout", map[string]any{"receiptId": "RULE-2", "store": "S0001", "member": map[string]any{"id": m},
		"lines": []any{line("OIL", "食品", 1, "100")}})
	// 1100 yuan in 12 months is silver now (rate 1.2), groceries x3.
	if after["tier"] != "silver" || i64(after["pointsEarned"]) != points(10000, "1.2", "3") {
		t.Fatalf("after the change (want %d): %v", points(10000, "1.2", "3"), after)
	}
	old := c.find("transactions", map[string]any{"receiptId": "RULE-1"})[0]
	if i64(old["pointsEarned"]) != wantBefore {
		t.Fatalf("the earlier receipt's points changed: %v", old)
	}
	entries := c.h.Expect(c.h.Do("GET", "/api/apps/crm/ledger/entries?ref=RULE-1&kind=points", nil), 200, "")
	if items := entries["items"].([]any); len(items) != 1 || i64(items[0].(map[string]any)["amount"]) != wantBefore {
		t.Fatalf("earlier points entry %v", entries)
	}
	if b := c.balances(m); b["points"] != wantBefore+i64(after["pointsEarned"]) {
		t.Fatalf("points %v", b)
	}

	// Two rows of one priority that both match a beverage bought at S0001
	// but say different things: refused on save, with the path.
	d := hq.Expect(hq.Do("GET", "/api/apps/crm/meta/rule/points-earn", nil), 200, "")
	spec := d["spec"].(map[string]any)
	spec["rows"] = append(spec["rows"].([]any),
		map[string]any{"when": map[string]any{"category": "饮料"}, "then": map[string]any{"multiplier": "2"}, "priority": 7},
		map[string]any{"when": map[string]any{"store": "S0001"}, "then": map[string]any{"multiplier": "3"}, "priority": 7})
	p := hq.Expect(hq.Do("PUT", "/api/apps/crm/meta/rule/points-earn", map[string]any{"spec": spec}, "If-Match: "+fmt.Sprint(d["version"])), 422, "meta.invalid")
	if errs, _ := p["errors"].([]any); len(errs) == 0 || !strings.HasPrefix(errs[0].(map[string]any)["path"].(string), "spec.rows[") {
		t.Fatalf("ambiguous rows: %v", p)
	}
	if now := hq.Expect(hq.Do("GET", "/api/apps/crm/meta/rule/points-earn", nil), 200, ""); fmt.Sprint(now["version"]) != fmt.Sprint(d["version"]) {
		t.Fatalf("a refused save wrote version %v", now["version"])
	}
	c.reconcile()
}

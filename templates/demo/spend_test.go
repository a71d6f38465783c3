package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/action"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/server/api"
	"github.com/tangram/tangram/templates/demo"
)

// TestSpendBuckets: the template's checkout and refund keep a member's
// rolling spend in month buckets (core lib/spend.js) that the demo data
// starts filled, so spend12m always equals the member's completed sales
// of the current month and the eleven before, without reading them: after
// a checkout, after its refund, for a member whose buckets hold a month
// that has left the window, and for a member recorded before the buckets
// existed (they are summed from its sales once).
func TestSpendBuckets(t *testing.T) {
	ctx := context.Background()
	d, svc := newCRM(t, 12)
	sys := auth.System().Principal
	now := time.Now()
	first := monthKey(now.AddDate(0, -11, 1-now.In(cst).Day()))

	// want is what a member's buckets must be: its completed sales of the
	// window by month, and their sum.
	want := func(member string) (map[string]int64, int64) {
		months, sum := map[string]int64{}, int64(0)
		all(t, d, "transactions", func(tx store.Doc) {
			if tx["member"] != member || tx["status"] != "completed" {
				return
			}
			at := timeOf(t, tx["paidAt"])
			if mo := monthKey(at); mo >= first {
				months[mo] += num(t, tx["paid"])
				sum += num(t, tx["paid"])
			}
		})
		return months, sum
	}
	check := func(step, member string) {
		t.Helper()
		m, err := svc.Records.Get(ctx, sys, testApp, "members", member)
		if err != nil {
			t.Fatal(err)
		}
		months, sum := want(member)
		rows, _ := m["spendMonths"].([]any)
		got := map[string]int64{}
		for _, r := range rows {
			row := r.(map[string]any)
			got[row["month"].(string)] = num(t, row["amount"])
		}
		for mo, v := range got {
			if v == 0 {
				delete(got, mo) // a month whose sales were all refunded
			}
		}
		if num(t, m["spend12m"]) != sum || fmt.Sprint(got) != fmt.Sprint(months) {
			t.Fatalf("%s: spend12m %v, buckets %v; the sales say %d, %v", step, m["spend12m"], got, sum, months)
		}
	}
	run := func(key string, in map[string]any) map[string]any {
		t.Helper()
		raw, _ := json.Marshal(in)
		res, err := svc.Actions.Run(ctx, sys, testApp, key, raw, action.Options{Lang: "en"})
		if err != nil {
			t.Fatalf("%s %s: %v", key, raw, err)
		}
		var out map[string]any
		if err := json.Unmarshal(res.Output, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	var members, stores []store.Doc
	all(t, d, "members", func(m store.Doc) { members = append(members, m) })
	all(t, d, "stores", func(s store.Doc) {
		if s["status"] != "closed" {
			stores = append(stores, s)
		}
	})
	sale := func(receipt string, m store.Doc) {
		t.Helper()
		run("checkout", map[string]any{"receiptId": receipt, "store": stores[0]["code"], "member": map[string]any{"id": m["_id"]},
			"lines": []any{map[string]any{"sku": "SKU-1", "category": "食品", "quantity": 2, "price": "123.45"}}})
	}

	for _, m := range members[:3] {
		check("demo data", m["_id"].(string))
	}
	m := members[0]
	sale("SPEND-1", m)
	check("after a checkout", m["_id"].(string))
	run("refund", map[string]any{"receiptId": "SPEND-1"})
	check("after its refund", m["_id"].(string))

	// A bucket of a month that has left the window is dropped and not
	// counted.
	m = members[1]
	old := monthKey(now.AddDate(0, -13, 1-now.In(cst).Day()))
	rows := []any{map[string]any{"month": old, "amount": "99999"}}
	for _, r := range m["spendMonths"].([]any) { // the records API takes yuan
		row := r.(map[string]any)
		rows = append(rows, map[string]any{"month": row["month"], "amount": form.FenToYuan(num(t, row["amount"]))})
	}
	if _, err := svc.Records.Patch(ctx, sys, testApp, "members", m["_id"].(string), map[string]any{"spendMonths": rows}, 0, form.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	sale("SPEND-2", m)
	check("an old month", m["_id"].(string))

	// A member without buckets (recorded before them) gets them from its
	// sales at its next checkout.
	m = members[2]
	if _, err := svc.Records.Patch(ctx, sys, testApp, "members", m["_id"].(string), map[string]any{"spendMonths": nil, "spend12m": "0"}, 0, form.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	sale("SPEND-3", m)
	check("a member without buckets", m["_id"].(string))

	// The same for a refund: the buckets are summed with the refunded
	// sale still counted, then it is taken out (two sales of this month,
	// so the month keeps a bucket).
	m = members[3]
	sale("SPEND-4", m)
	sale("SPEND-5", m)
	if _, err := svc.Records.Patch(ctx, sys, testApp, "members", m["_id"].(string), map[string]any{"spendMonths": nil}, 0, form.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	run("refund", map[string]any{"receiptId": "SPEND-4"})
	check("a refund for a member without buckets", m["_id"].(string))
}

// newCRM is newServices with members members generated, their history
// up to now (the actions' clock is the real one).
func newCRM(t *testing.T, members int) (demo.Deps, *api.Services) {
	t.Helper()
	d, svc := newServices(t)
	if _, err := demo.Generate(context.Background(), d, testApp, demo.Options{Members: members, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	return d, svc
}

// monthKey is the spend bucket of an instant.
func monthKey(t time.Time) string { return t.In(cst).Format("2006-01") }

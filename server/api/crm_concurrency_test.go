package api_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// concurrently runs n requests at once and returns their responses in
// order.
func concurrently(n int, do func(i int) apitest.Response) []apitest.Response {
	out := make([]apitest.Response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = do(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// TestCRMConcurrentCouponRedemption: 100 checkouts race to redeem one
// single-use coupon. Exactly one succeeds; the others are refused with
// 409 crm.coupon_used and leave nothing behind.
func TestCRMConcurrentCouponRedemption(t *testing.T) {
	c := newCRM(t)
	m := c.register("13800138001", "李雷")
	tpl := c.couponTemplate(map[string]any{"name": "无门槛10元", "type": "amount", "value": "10", "validDays": 7})
	code := c.issue(tpl, m)
	rs := concurrently(100, func(i int) apitest.Response {
		return c.run(c.h, "checkout", map[string]any{"receiptId": fmt.Sprintf("RC-%03d", i), "store": "S0001",
			"member": map[string]any{"id": m}, "lines": []any{line("SKU1", "食品", 1, "50")}, "couponCodes": []any{code}})
	})
	won := 0
	for _, r := range rs {
		switch r.Status {
		case 200:
			won++
			if d := r.Map()["discount"]; i64(d) != 1000 {
				t.Errorf("winner's discount %v", d)
			}
		default:
			c.h.Expect(r, 409, "crm.coupon_used")
		}
	}
	if won != 1 {
		t.Fatalf("%d checkouts redeemed the coupon", won)
	}
	if txns := c.find("transactions", map[string]any{}); len(txns) != 1 || txns[0]["couponCodes"] != code {
		t.Fatalf("transactions %v", txns)
	}
	if rec := c.record("members", m); i64(rec["orders"]) != 1 {
		t.Fatalf("member %v", rec)
	}
	c.reconcile()
}

// TestCRMConcurrentStoredValue: 100 checkouts pay 100 yuan each, at once,
// from one member's 575 yuan of stored value (a top-up of 500 with its 60
// bonus, and one of 15 without): exactly 5 succeed, principal first, the
// balance never goes below zero and what is left is exact.
func TestCRMConcurrentStoredValue(t *testing.T) {
	c := newCRM(t)
	m := c.register("13800138002", "韩梅梅")
	c.ok("topup", map[string]any{"member": map[string]any{"id": m}, "amount": "500", "receiptId": "T-500"})
	c.ok("topup", map[string]any{"member": map[string]any{"id": m}, "amount": "15", "receiptId": "T-15"})
	if b := c.balances(m); b["sv-principal"] != 51500 || b["sv-bonus"] != 6000 {
		t.Fatalf("after top-ups %v", b)
	}
	rs := concurrently(100, func(i int) apitest.Response {
		return c.run(c.h, "checkout", map[string]any{"receiptId": fmt.Sprintf("SV-%03d", i), "store": "S0002",
			"member": map[string]any{"phone": "13800138002"}, "lines": []any{line("SKU2", "日用", 1, "100")},
			"payments": map[string]any{"storedValue": "100"}})
	})
	paid := 0
	for _, r := range rs {
		if r.Status == 200 {
			paid++
			continue
		}
		p := c.h.Expect(r, 422, "crm.insufficient_stored_value")
		expectPath(t, p, "payments.storedValue")
	}
	if paid != 5 {
		t.Fatalf("%d debits succeeded, want 5", paid)
	}
	b := c.balances(m)
	if b["sv-principal"] != 1500 || b["sv-bonus"] != 6000 || b["sv-principal"]+b["sv-bonus"] != 57500-5*10000 {
		t.Fatalf("balances %v", b)
	}
	if txns := c.find("transactions", map[string]any{}); len(txns) != 5 {
		t.Fatalf("%d transactions", len(txns))
	}
	c.reconcile()
}

// TestCRMConcurrentSameReceipt: one receipt sent 50 times at once, without
// an Idempotency-Key (a POS retrying over a flaky network), has one effect:
// one transaction, one points entry, and the same answer for everyone.
func TestCRMConcurrentSameReceipt(t *testing.T) {
	c := newCRM(t)
	m := c.register("13800138003", "张伟")
	c.ok("topup", map[string]any{"member": map[string]any{"id": m}, "amount": "100", "receiptId": "T-100"})
	body := map[string]any{"receiptId": "SAME-1", "store": "S0001", "member": map[string]any{"id": m},
		"lines": []any{line("SKU3", "饮料", 3, "12.50"), line("SKU4", "食品", 1, "20")}, "payments": map[string]any{"storedValue": "57.50"}}
	rs := concurrently(50, func(int) apitest.Response { return c.run(c.h, "checkout", body) })
	first := 0
	var points int64 = -1
	for _, r := range rs {
		out := c.h.Expect(r, 200, "")
		if out["replayed"] == false {
			first++
		}
		if points >= 0 && i64(out["pointsEarned"]) != points {
			t.Fatalf("answers differ: %v", out)
		}
		points = i64(out["pointsEarned"])
	}
	if first != 1 || points <= 0 {
		t.Fatalf("%d first runs, points %d", first, points)
	}
	if txns := c.find("transactions", map[string]any{"receiptId": "SAME-1"}); len(txns) != 1 {
		t.Fatalf("%d transactions", len(txns))
	}
	b := c.balances(m)
	if b["points"] != points || b["sv-principal"]+b["sv-bonus"] != 11000-5750 {
		t.Fatalf("balances %v after %d points", b, points)
	}
	entries := c.h.Expect(c.h.Do("GET", "/api/apps/crm/ledger/entries?ref=SAME-1", nil), 200, "")
	if n := len(entries["items"].([]any)); n != 2 { // points earned, stored-value principal paid
		t.Fatalf("%d ledger entries for the receipt: %v", n, entries)
	}
	if rec := c.record("members", m); i64(rec["orders"]) != 1 {
		t.Fatalf("member %v", rec)
	}
	c.reconcile()
}

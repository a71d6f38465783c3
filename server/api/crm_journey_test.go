package api_test

import (
	"fmt"
	"strconv"
	"testing"
)

// TestCRMMemberJourney follows one member through the retail CRM over
// HTTP: registration (deduplicated by phone), a top-up with its bonus
// (充100送10), a purchase with a coupon and stored value, points earned
// by the rules, an upgrade to gold, points redeemed for a coupon, and a
// refund that reverses exactly what its checkout did.
func TestCRMMemberJourney(t *testing.T) {
	c := newCRM(t)

	// Registration: one member per phone, however the phone is written.
	first := c.ok("register-member", map[string]any{"phone": "138 0013 8000", "name": "王芳", "homeStore": "S0001", "consent": true})
	if first["created"] != true {
		t.Fatalf("register: %v", first)
	}
	m := jsonStr(first["member"].(map[string]any), "id")
	again := c.ok("register-member", map[string]any{"phone": "+86 13800138000", "name": "王芳", "unionid": "wx-union-1"})
	if again["created"] != false || jsonStr(again["member"].(map[string]any), "id") != m {
		t.Fatalf("second registration made another member: %v", again)
	}
	if rec := c.record("members", m); rec["unionid"] != "wx-union-1" || rec["tier"] != "normal" || rec["consent"] != true || rec["homeStore"] == nil {
		t.Fatalf("member %v", rec)
	}
	byUnion := c.ok("register-member", map[string]any{"phone": "13900139000", "name": "王芳", "unionid": "wx-union-1"})
	if byUnion["created"] != false || jsonStr(byUnion["member"].(map[string]any), "id") != m {
		t.Fatalf("unionid did not find the member: %v", byUnion)
	}

	// Top-up: 100 yuan of principal and the table's 10 yuan bonus.
	top := c.ok("topup", map[string]any{"member": map[string]any{"phone": "13800138000"}, "amount": "100", "receiptId": "T-1"})
	if i64(top["principal"]) != 10000 || i64(top["bonus"]) != 1000 || top["plan"] != "充100送10" {
		t.Fatalf("topup %v", top)
	}
	if again := c.ok("topup", map[string]any{"member": map[string]any{"id": m}, "amount": "100", "receiptId": "T-1"}); i64(again["balance"].(map[string]any)["principal"]) != 10000 {
		t.Fatalf("a retried top-up credited twice: %v", again)
	}

	// A coupon: 20 off from 100.
	tpl := c.couponTemplate(map[string]any{"name": "满100减20", "type": "amount", "value": "20", "minSpend": "100", "validDays": 30, "pointsCost": 500})
	code := c.issue(tpl, m)

	// The purchase: 167.80 of goods, 20 off, 110 from stored value
	// (principal first, then the bonus) and 37.80 otherwise.
	sale := c.ok("checkout", map[string]any{
		"receiptId": "R-1", "store": "S0001", "member": map[string]any{"phone": "13800138000"},
		"lines":       []any{line("A1", "食品", 2, "39.90"), line("B2", "美妆", 1, "88")},
		"couponCodes": []any{code},
		"payments":    map[string]any{"storedValue": "110.00", "other": "37.80"},
	})
	// The discount is shared by amount: 食品 bears 951 fen, 美妆 1049.
	want := points(7980-951, "1", c.multiplier("normal", "S0001", "食品")) + points(8800-1049, "1", c.multiplier("normal", "S0001", "美妆"))
	if i64(sale["amount"]) != 16780 || i64(sale["discount"]) != 2000 || i64(sale["paid"]) != 14780 ||
		i64(sale["storedValuePaid"]) != 11000 || i64(sale["otherPaid"]) != 3780 || i64(sale["pointsEarned"]) != want ||
		i64(sale["points"]) != want || sale["tier"] != "normal" || sale["replayed"] != false {
		t.Fatalf("checkout (want %d points): %v", want, sale)
	}
	if b := sale["balance"].(map[string]any); i64(b["principal"]) != 0 || i64(b["bonus"]) != 0 {
		t.Fatalf("stored value left %v", b)
	}
	if cs := sale["coupons"].([]any); len(cs) != 1 || i64(cs[0].(map[string]any)["discount"]) != 2000 {
		t.Fatalf("coupons %v", cs)
	}
	txn := c.record("transactions", jsonStr(sale, "transaction"))
	if txn["status"] != "completed" || i64(txn["paid"]) != 14780 || txn["couponCodes"] != code || len(txn["lines"].([]any)) != 2 {
		t.Fatalf("transaction %v", txn)
	}
	if cp := c.find("coupons", map[string]any{"code": code})[0]; cp["status"] != "redeemed" || cp["receiptId"] != "R-1" {
		t.Fatalf("coupon %v", cp)
	}
	rec := c.record("members", m)
	if i64(rec["spend12m"]) != 14780 || i64(rec["orders"]) != 1 || rec["lastPurchaseAt"] == nil || i64(rec["points"]) != want || i64(rec["balance"]) != 0 {
		t.Fatalf("member after checkout %v", rec)
	}
	// Its points expire at the end of next calendar year.
	pts := c.h.Expect(c.h.Do("GET", "/api/apps/crm/ledger/entries?ref=R-1&kind=points", nil), 200, "")["items"].([]any)
	year, _ := strconv.Atoi(todayCST()[:4])
	if len(pts) != 1 || pts[0].(map[string]any)["expiresAt"] != fmt.Sprintf("%d-12-31T16:00:00Z", year+1) {
		t.Fatalf("points entry %v", pts)
	}
	c.reconcile()

	// A retry of the receipt, without an Idempotency-Key, has no effect
	// and answers the first result.
	retry := c.ok("checkout", map[string]any{
		"receiptId": "R-1", "store": "S0001", "member": map[string]any{"id": m},
		"lines":       []any{line("A1", "食品", 2, "39.90"), line("B2", "美妆", 1, "88")},
		"couponCodes": []any{code},
		"payments":    map[string]any{"storedValue": "110.00", "other": "37.80"},
	})
	if retry["replayed"] != true || i64(retry["pointsEarned"]) != want || retry["transaction"] != sale["transaction"] {
		t.Fatalf("retry %v", retry)
	}

	// 8000 yuan more reach gold (8000 in 12 months): this sale already
	// earns at gold's rate of 1.5.
	bigSale := c.ok("checkout", map[string]any{"receiptId": "R-2", "store": "S0002", "member": map[string]any{"id": m},
		"lines": []any{line("TV-65", "家电", 1, "8000.00")}})
	want2 := points(800000, "1.5", c.multiplier("gold", "S0002", "家电"))
	if bigSale["tier"] != "gold" || bigSale["previousTier"] != "normal" || i64(bigSale["pointsEarned"]) != want2 ||
		i64(bigSale["otherPaid"]) != 800000 || i64(bigSale["points"]) != want+want2 {
		t.Fatalf("upgrade (want %d points): %v", want2, bigSale)
	}

	// Points for a coupon.
	red := c.ok("redeem-points", map[string]any{"member": m, "template": tpl})
	if i64(red["pointsSpent"]) != 500 || i64(red["points"]) != want+want2-500 {
		t.Fatalf("redeem %v", red)
	}
	newCode := jsonStr(red["coupon"].(map[string]any), "code")
	if cp := c.find("coupons", map[string]any{"code": newCode}); len(cp) != 1 || cp[0]["status"] != "issued" || cp[0]["member"] != m {
		t.Fatalf("redeemed coupon %v", cp)
	}

	// The refund of R-1 gives back its stored value (to principal and
	// bonus as taken), takes back its points and gives back its coupon;
	// 12-month spend drops to 8000, still gold.
	ref := c.ok("refund", map[string]any{"receiptId": "R-1", "reason": "顾客退货"})
	sv := ref["storedValueRefunded"].(map[string]any)
	if ref["status"] != "refunded" || i64(ref["pointsReversed"]) != want || i64(sv["principal"]) != 10000 || i64(sv["bonus"]) != 1000 ||
		i64(ref["points"]) != want2-500 || ref["tier"] != "gold" || ref["replayed"] != false {
		t.Fatalf("refund %v", ref)
	}
	if cp := c.find("coupons", map[string]any{"code": code})[0]; cp["status"] != "issued" || cp["receiptId"] != nil {
		t.Fatalf("coupon after refund %v", cp)
	}
	if txn := c.record("transactions", jsonStr(sale, "transaction")); txn["status"] != "refunded" || txn["refundReason"] != "顾客退货" {
		t.Fatalf("transaction after refund %v", txn)
	}
	rec = c.record("members", m)
	if i64(rec["spend12m"]) != 800000 || i64(rec["orders"]) != 1 || rec["tier"] != "gold" || i64(rec["balance"]) != 11000 {
		t.Fatalf("member after refund %v", rec)
	}
	// A second refund changes nothing.
	twice := c.ok("refund", map[string]any{"receiptId": "R-1"})
	if twice["replayed"] != true || i64(twice["points"]) != want2-500 || i64(twice["balance"].(map[string]any)["bonus"]) != 1000 {
		t.Fatalf("second refund %v", twice)
	}
	if b := c.balances(m); b["points"] != want2-500 || b["sv-principal"] != 10000 || b["sv-bonus"] != 1000 {
		t.Fatalf("ledgers %v", b)
	}
	c.reconcile()
}

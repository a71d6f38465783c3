package api_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
)

// TestCRMBadInput: every refusal of the CRM actions is problem+json with
// a stable code, the path of the offending input and the reason in the
// caller's language (zh-CN by default, en on request), and writes
// nothing: no transaction, no ledger entry, no coupon or member change.
func TestCRMBadInput(t *testing.T) {
	c := newCRM(t)
	m := c.register("13800138020", "周杰")
	other := c.register("13800138021", "蔡依林")
	c.ok("topup", map[string]any{"member": map[string]any{"id": m}, "amount": "50", "receiptId": "T-50"})
	any10 := c.couponTemplate(map[string]any{"name": "无门槛10元", "type": "amount", "value": "10", "validDays": 30})
	min200 := c.couponTemplate(map[string]any{"name": "满200减30", "type": "amount", "value": "30", "minSpend": "200", "validDays": 30})
	beauty := c.couponTemplate(map[string]any{"name": "美妆9折", "type": "percent", "percent": 90, "categories": "美妆", "validDays": 30})
	s2 := c.find("stores", map[string]any{"code": "S0002"})[0]
	onlyS2 := c.couponTemplate(map[string]any{"name": "春熙路专享", "type": "amount", "value": "5", "stores": []any{jsonStr(s2, "_id")}, "validDays": 30})
	used := c.issue(any10, m)
	c.ok("checkout", map[string]any{"receiptId": "OK-1", "store": "S0001", "member": map[string]any{"id": m},
		"lines": []any{line("A", "食品", 1, "20")}, "couponCodes": []any{used}})
	fresh, fresh2 := c.issue(any10, m), c.issue(any10, m)
	others := c.issue(any10, other)
	needs200, beautyOnly, s2Only := c.issue(min200, m), c.issue(beauty, m), c.issue(onlyS2, m)
	expired := "EXPIRED-1"
	c.create("coupons", map[string]any{"code": expired, "template": any10, "member": m, "status": "issued",
		"issuedAt": "2020-01-01T00:00:00Z", "expiresAt": "2020-02-01T00:00:00Z"})

	sale := func(mod func(b map[string]any)) map[string]any {
		b := map[string]any{"receiptId": "BAD-1", "store": "S0001", "member": map[string]any{"id": m},
			"lines": []any{line("A", "食品", 2, "10.50"), line("B", "饮料", 1, "3")}}
		if mod != nil {
			mod(b)
		}
		return b
	}
	setLine := func(k string, v any) func(map[string]any) {
		return func(b map[string]any) { b["lines"].([]any)[0].(map[string]any)[k] = v }
	}
	coupons := func(codes ...any) func(map[string]any) { return func(b map[string]any) { b["couponCodes"] = codes } }
	cases := []struct {
		name, action string
		body         any
		status       int
		code, path   string
	}{
		{"unknown member", "checkout", sale(func(b map[string]any) { b["member"] = map[string]any{"phone": "13999999999"} }), 422, "crm.unknown_member", "member.phone"},
		{"two member ids", "checkout", sale(func(b map[string]any) { b["member"] = map[string]any{"id": m, "phone": "13800138020"} }), 422, "crm.member_ref", "member"},
		{"unknown store", "checkout", sale(func(b map[string]any) { b["store"] = "S9999" }), 422, "crm.unknown_store", "store"},
		{"used coupon", "checkout", sale(coupons(used)), 409, "crm.coupon_used", "couponCodes[0]"},
		{"expired coupon", "checkout", sale(coupons(expired)), 409, "crm.coupon_expired", "couponCodes[0]"},
		{"unknown coupon", "checkout", sale(coupons("NOPE")), 422, "crm.unknown_coupon", "couponCodes[0]"},
		{"someone else's coupon", "checkout", sale(coupons(others)), 422, "crm.coupon_not_yours", "couponCodes[0]"},
		{"minimum spend", "checkout", sale(coupons(needs200)), 422, "crm.coupon_min_spend", "couponCodes[0]"},
		{"category", "checkout", sale(coupons(beautyOnly)), 422, "crm.coupon_category", "couponCodes[0]"},
		{"store", "checkout", sale(coupons(s2Only)), 422, "crm.coupon_store", "couponCodes[0]"},
		{"stacking", "checkout", sale(coupons(fresh, fresh2)), 422, "crm.coupon_not_stackable", "couponCodes"},
		{"same coupon twice", "checkout", sale(coupons(fresh, fresh)), 422, "action.input", "couponCodes"},
		{"insufficient stored value", "checkout", sale(func(b map[string]any) {
			b["lines"] = []any{line("TV", "家电", 1, "60")}
			b["payments"] = map[string]any{"storedValue": "60"}
		}), 422, "crm.insufficient_stored_value", "payments.storedValue"},
		{"payments do not add up", "checkout", sale(func(b map[string]any) { b["payments"] = map[string]any{"storedValue": "10", "other": "10"} }), 422, "crm.payment_mismatch", "payments"},
		{"stored value above what is due", "checkout", sale(func(b map[string]any) { b["payments"] = map[string]any{"storedValue": "40"} }), 422, "crm.payment_mismatch", "payments"},
		{"negative quantity", "checkout", sale(setLine("quantity", -1)), 422, "action.input", "lines[0].quantity"},
		{"zero quantity", "checkout", sale(setLine("quantity", 0)), 422, "action.input", "lines[0].quantity"},
		{"fractional quantity", "checkout", sale(setLine("quantity", 1.5)), 422, "action.input", "lines[0].quantity"},
		{"huge quantity", "checkout", sale(setLine("quantity", 10001)), 422, "action.input", "lines[0].quantity"},
		{"negative price", "checkout", sale(setLine("price", "-10.50")), 422, "action.input", "lines[0].price"},
		{"float price", "checkout", sale(setLine("price", 0.1)), 422, "action.input", "lines[0].price"},
		{"price below the fen", "checkout", sale(setLine("price", "0.125")), 422, "action.input", "lines[0].price"},
		{"price with an exponent", "checkout", sale(setLine("price", "1e2")), 422, "action.input", "lines[0].price"},
		{"duplicate lines", "checkout", sale(func(b map[string]any) { b["lines"] = append(b["lines"].([]any), line("A", "食品", 1, "10.50")) }), 422, "crm.duplicate_line", "lines[2].sku"},
		{"no lines", "checkout", sale(func(b map[string]any) { b["lines"] = []any{} }), 422, "action.input", "lines"},
		{"unknown field", "checkout", sale(func(b map[string]any) { b["discount"] = "5" }), 422, "action.input", "discount"},
		{"receipt of another sale", "checkout", sale(func(b map[string]any) { b["receiptId"] = "OK-1" }), 409, "crm.receipt_conflict", "receiptId"},
		{"unknown receipt", "refund", map[string]any{"receiptId": "NOPE"}, 422, "crm.unknown_receipt", "receiptId"},
		{"top-up of nothing", "topup", map[string]any{"member": map[string]any{"id": m}, "amount": "0", "receiptId": "T-0"}, 422, "action.input", "amount"},
		{"top-up below the fen", "topup", map[string]any{"member": map[string]any{"id": m}, "amount": "100.001", "receiptId": "T-x"}, 422, "action.input", "amount"},
		{"top-up reusing a receipt", "topup", map[string]any{"member": map[string]any{"id": m}, "amount": "60", "receiptId": "T-50"}, 409, "crm.receipt_conflict", "receiptId"},
		{"not enough points", "redeem-points", map[string]any{"member": m, "template": c.couponTemplate(map[string]any{
			"name": "积分兑10元", "type": "amount", "value": "10", "pointsCost": 100000, "validDays": 30})}, 422, "crm.insufficient_points", "member"},
		{"not redeemable", "redeem-points", map[string]any{"member": m, "template": any10}, 422, "crm.not_redeemable", "template"},
		{"adjust by zero", "adjust-points", map[string]any{"member": m, "points": 0, "reason": "测试"}, 422, "crm.zero_points", "points"},
		{"take more points than there are", "adjust-points", map[string]any{"member": m, "points": -1000000, "reason": "测试"}, 422, "crm.insufficient_points", "points"},
		{"bad phone", "register-member", map[string]any{"phone": "12345678901", "name": "某人"}, 422, "crm.bad_phone", "phone"},
		{"issue to nobody", "issue-coupons", map[string]any{"template": any10}, 422, "crm.issue_target", "members"},
	}

	snapshot := func() string {
		var b strings.Builder
		for _, f := range []string{"transactions", "coupons", "members"} {
			for _, r := range c.find(f, map[string]any{}) {
				fmt.Fprintf(&b, "%s/%s@%v;", f, r["_id"], r["_version"])
			}
		}
		entries := c.h.Expect(c.h.Do("GET", "/api/apps/crm/ledger/entries?limit=500", nil), 200, "")
		fmt.Fprintf(&b, "entries=%d", len(entries["items"].([]any)))
		return b.String()
	}
	before := snapshot()
	for _, tc := range cases {
		zh := c.h.Expect(c.run(c.h, tc.action, tc.body), tc.status, tc.code)
		en := c.h.Expect(c.run(c.h, tc.action, tc.body, "Accept-Language: en-US,en;q=0.9"), tc.status, tc.code)
		expectPath(t, zh, tc.path)
		zd, ed := fmt.Sprint(zh["detail"]), fmt.Sprint(en["detail"])
		if !hasHan(zd) || zd == ed || ed == "" || ed[0] > unicode.MaxASCII {
			t.Errorf("%s: reasons zh %q, en %q", tc.name, zd, ed)
		}
	}
	for _, body := range []string{`{"receiptId": "X"`, `[1, 2]`, `{"receiptId": "X", "lines": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`} {
		if r := c.run(c.h, "checkout", body); r.Status != 400 && r.Status != 422 {
			t.Errorf("%.40s: status %d %s", body, r.Status, r.Body)
		}
	}
	if after := snapshot(); after != before {
		t.Fatalf("refused requests wrote:\nbefore %s\nafter  %s", before, after)
	}

	// The rounding trap: 0.10 + 0.20 paid with 0.30 of stored value is
	// exact, not 0.30000000000000004.
	exact := c.ok("checkout", map[string]any{"receiptId": "EXACT-1", "store": "S0001", "member": map[string]any{"id": m},
		"lines": []any{line("P1", "食品", 1, "0.10"), line("P2", "饮料", 1, "0.20")}, "payments": map[string]any{"storedValue": "0.30"}})
	if i64(exact["amount"]) != 30 || i64(exact["storedValuePaid"]) != 30 || i64(exact["otherPaid"]) != 0 {
		t.Fatalf("0.1 + 0.2: %v", exact)
	}

	// Points already spent: the refund of the sale that earned them is
	// refused and changes nothing.
	earned := c.ok("checkout", map[string]any{"receiptId": "SPEND-1", "store": "S0001", "member": map[string]any{"id": other},
		"lines": []any{line("W", "家电", 1, "300")}})
	c.ok("redeem-points", map[string]any{"member": other, "template": c.couponTemplate(map[string]any{
		"name": "积分兑5元", "type": "amount", "value": "5", "pointsCost": i64(earned["pointsEarned"]), "validDays": 30})})
	before = snapshot()
	zh := c.h.Expect(c.run(c.h, "refund", map[string]any{"receiptId": "SPEND-1"}), 409, "crm.points_spent")
	if !hasHan(fmt.Sprint(zh["detail"])) {
		t.Errorf("reason %v", zh["detail"])
	}
	if after := snapshot(); after != before {
		t.Fatalf("a refused refund wrote:\nbefore %s\nafter  %s", before, after)
	}
	c.reconcile()
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

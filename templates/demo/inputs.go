package demo

import (
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
)

// The records' inputs, as a client would send them: money as yuan text,
// datetimes in RFC 3339, dates as "2006-01-02", relations as record ids.

// yuan renders fen as yuan text ("12.30").
func yuan(fen int64) string { return form.FenToYuan(fen) }

func (w *writer) memberInput(m *memberPlan) map[string]any {
	in := map[string]any{"name": m.Name, "phone": m.Phone, "cardNo": m.CardNo, "gender": m.Gender,
		"homeStore": w.storeIDs[m.HomeStore], "tier": m.Tier, "consent": m.Consent, "source": m.Source,
		"registeredAt": query.FormatTime(m.RegisteredAt), "spend12m": yuan(m.Spend12m), "orders": m.Orders,
		"points": m.Points(), "balance": yuan(m.Balance())}
	if w.has["members.homeUnit"] != "" {
		in["homeUnit"] = w.units[m.HomeStore]
	}
	if w.has["members.spendMonths"] != "" {
		months := make([]any, len(m.SpendMonths))
		for i, b := range m.SpendMonths {
			months[i] = map[string]any{"month": b.Month, "amount": yuan(b.Amount)}
		}
		in["spendMonths"] = months
	}
	if m.Unionid != "" {
		in["unionid"] = m.Unionid
	}
	if !m.Birthday.IsZero() {
		in["birthday"] = m.Birthday.Format("2006-01-02")
	}
	if m.Consent {
		in["consentAt"] = query.FormatTime(m.RegisteredAt)
	}
	if m.Referrer >= 0 {
		in["referrer"] = w.ring[m.Referrer%referrerWindow]
	}
	if len(m.Tags) > 0 {
		in["tags"] = m.Tags
	}
	if !m.LastPurchase.IsZero() {
		in["lastPurchaseAt"] = query.FormatTime(m.LastPurchase)
	}
	return in
}

func (w *writer) txInput(member string, t *txPlan) map[string]any {
	lines := make([]any, len(t.Lines))
	for i, l := range t.Lines {
		lines[i] = map[string]any{"sku": l.Product.SKU, "name": l.Product.Name, "category": l.Product.Category,
			"quantity": l.Quantity, "price": yuan(l.Product.Price), "amount": yuan(l.Amount)}
	}
	status, channel := "completed", "pos"
	if t.Refunded {
		status = "refunded"
	}
	if t.Online {
		channel = "online"
	}
	in := map[string]any{"receiptId": t.Receipt, "store": w.storeIDs[t.Store], "member": member,
		"paidAt": query.FormatTime(t.At), "amount": yuan(t.Amount), "discount": yuan(t.Discount), "paid": yuan(t.Paid),
		"storedValuePaid": yuan(t.StoredValue), "otherPaid": yuan(t.Other), "pointsEarned": t.Points,
		"status": status, "channel": channel, "lines": lines}
	if w.has["transactions.storeUnit"] != "" {
		in["storeUnit"] = w.units[t.Store]
	}
	if t.Refunded && w.has["transactions.refundedAt"] != "" {
		in["refundedAt"] = query.FormatTime(t.RefundedAt)
	}
	if t.Refunded && w.has["transactions.refundReason"] != "" {
		in["refundReason"] = "顾客退货"
	}
	if len(t.Coupons) > 0 {
		in["couponCodes"] = w.list(formTxs, "couponCodes", t.Coupons)
	}
	return in
}

func (w *writer) couponInput(member string, c *couponPlan) map[string]any {
	in := map[string]any{"code": c.Code, "template": w.tplIDs[c.Template], "member": member, "status": c.Status,
		"issuedAt": query.FormatTime(c.IssuedAt), "expiresAt": query.FormatTime(c.ExpiresAt)}
	if c.Status == "redeemed" {
		in["redeemedAt"] = query.FormatTime(c.Redeemed)
		in["receiptId"] = c.Receipt
		in["store"] = w.storeIDs[c.Store]
	}
	return in
}

package demo

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// replay walks a member's sales in time order and settles each the way
// the checkout does: coupons the member holds and means to use are
// redeemed when the basket qualifies (one coupon, or several stackable
// ones), stored value is topped up and spent (principal
// first, bonus last), points are earned at the tier the rolling 12-month
// spend gives at that moment, and points buy exchange coupons. What is
// left at the end — balances, spend, tier — becomes the member's
// mirrors and opening ledger entries.
func (g *generator) replay(r *rand.Rand, m *memberPlan, txs []txPlan) error {
	storedValue := r.IntN(100) < 12
	firstTopup := r.IntN(max(1, len(txs)/3+1))
	yearAgo := func(t time.Time) time.Time { return t.AddDate(-1, 0, 0) }
	var window []int // indexes of completed sales in the rolling year, oldest first
	var rolling int64
	ex := tplIndex("exchange")
	cost := couponTemplates[ex].PointsCost
	next := 0 // m.Coupons[:next] were issued before the sale being settled
	for k := range txs {
		t := &txs[k]
		for next < len(m.Coupons) && m.Coupons[next].IssuedAt.Before(t.At) {
			next++
		}
		day := g.cal.dayOf(t.At)
		t.Receipt = g.receipt(t.Store, day)
		if !t.Refunded {
			g.redeem(m.Coupons[:next], t)
		}
		t.Paid = t.Amount - t.Discount
		if storedValue && !t.Refunded {
			sv := m.PrincipalIn - m.PrincipalOut + m.BonusIn - m.BonusOut
			if k == firstTopup || (k > firstTopup && sv < 50_00 && r.IntN(100) < 40) {
				amt := topupPlans.pick(r)
				bonus, err := g.pol.bonus(amt)
				if err != nil {
					return err
				}
				m.PrincipalIn += amt
				m.BonusIn += bonus
				m.Topups++
				sv += amt + bonus
			}
			if sv > 0 && r.IntN(100) < 80 {
				t.StoredValue = min(sv, t.Paid)
				fromPrincipal := min(t.StoredValue, m.PrincipalIn-m.PrincipalOut)
				m.PrincipalOut += fromPrincipal
				m.BonusOut += t.StoredValue - fromPrincipal
			}
		}
		t.Other = t.Paid - t.StoredValue
		// The tier of the moment: spend of the year before, with this sale.
		for len(window) > 0 && !txs[window[0]].At.After(yearAgo(t.At)) {
			rolling -= txs[window[0]].Paid
			window = window[1:]
		}
		tier, rate, err := g.pol.tier(rolling + t.Paid)
		if err != nil {
			return err
		}
		f := g.cal.flags[min(g.cal.days-1, max(0, day))]
		if t.Points, err = g.pol.earned(tier, rate, g.stores[t.Store].Code, t.Lines, t.Amount, t.Discount, t.At, f); err != nil {
			return err
		}
		if t.Refunded {
			continue // the refund reversed its points, coupons and payment
		}
		m.Earned += t.Points
		window = append(window, k)
		rolling += t.Paid
		m.Orders++
		m.LastPurchase = t.At
		// Points buy an exchange coupon now and then.
		if m.Points() >= 3*cost && len(m.Coupons) < maxCoupons && r.IntN(100) < couponTemplates[ex].Share {
			m.Spent += cost
			at := t.At.Add(time.Minute)
			// Keep m.Coupons in issue order: insert after those issued by now.
			c := couponPlan{Code: couponCode(g.seed, m.Index, len(m.Coupons)), Template: ex, IssuedAt: at, ExpiresAt: at.AddDate(0, 0, couponTemplates[ex].ValidDays),
				intend: r.IntN(100) < couponTemplates[ex].UseRate}
			m.Coupons = append(m.Coupons, couponPlan{})
			copy(m.Coupons[next+1:], m.Coupons[next:])
			m.Coupons[next] = c
			next++
		}
	}
	// The member's spend buckets as the checkout keeps them (core
	// lib/spend.js): completed sales by calendar month, the current month
	// and the eleven before it; spend12m is their sum.
	first := spendMonth(g.now.In(cst).AddDate(0, -11, 1-g.now.In(cst).Day()))
	for _, t := range txs {
		if mo := spendMonth(t.At); !t.Refunded && mo >= first {
			i := slices.IndexFunc(m.SpendMonths, func(b monthSpend) bool { return b.Month == mo })
			if i < 0 {
				i = len(m.SpendMonths)
				m.SpendMonths = append(m.SpendMonths, monthSpend{Month: mo})
			}
			m.SpendMonths[i].Amount += t.Paid
			m.Spend12m += t.Paid
		}
	}
	slices.SortFunc(m.SpendMonths, func(a, b monthSpend) int { return strings.Compare(a.Month, b.Month) })
	tier, _, err := g.pol.tier(m.Spend12m)
	if err != nil {
		return err
	}
	m.Tier = tier
	for i := range m.Coupons {
		c := &m.Coupons[i]
		switch {
		case c.Status == "redeemed":
		case r.IntN(100) == 0:
			c.Status = "void"
		case !c.ExpiresAt.After(g.now):
			c.Status = "expired"
		default:
			c.Status = "issued"
		}
	}
	m.Txs = txs
	return nil
}

// redeem applies the coupons of the wallet the member means to use,
// valid at the sale and qualifying for its basket: one coupon, or
// several stackable ones (the checkout refuses a non-stackable coupon
// with any other).
func (g *generator) redeem(wallet []couponPlan, t *txPlan) {
	for i := range wallet {
		c := &wallet[i]
		tpl := &couponTemplates[c.Template]
		if !c.intend || c.Status != "" || !t.At.Before(c.ExpiresAt) || (len(t.Coupons) > 0 && !tpl.Stackable) {
			continue
		}
		off := tpl.discount(t.Lines, t.Amount)
		if off == 0 || t.Discount+off >= t.Amount {
			continue
		}
		t.Discount += off
		c.Status, c.Redeemed, c.Receipt, c.Store = "redeemed", t.At, t.Receipt, t.Store
		t.Coupons = append(t.Coupons, c.Code)
		if !tpl.Stackable {
			return
		}
	}
}

// topupPlans are the amounts members top up (fen).
var topupPlans = newWeighted([]int64{100_00, 200_00, 500_00, 1000_00}, []int{40, 20, 30, 10})

// receipt numbers a sale: store code, date, and the store's count of
// the day ("S00122506180007").
func (g *generator) receipt(store, day int) string {
	day = min(g.cal.days-1, max(0, day))
	i := store*g.cal.days + day
	g.receipts[i]++
	return g.stores[store].Code + g.cal.day(day).Format("060102") + pad(uint64(g.receipts[i]), 4)
}

// monthSpend is one spend bucket of a member: net paid (fen) of the
// completed sales of a calendar month.
type monthSpend struct {
	Month  string // "2026-06", China time
	Amount int64
}

// spendMonth is the bucket of an instant.
func spendMonth(t time.Time) string { return t.In(cst).Format("2006-01") }

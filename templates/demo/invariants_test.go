package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/rules"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/templates/demo"
)

// TestInvariants generates three batches of members and checks what the
// data promises: valid unique phones, sums that add up to the fen, every
// relation pointing at a record, coupons redeemed on the sale that lists
// them, ledgers that reconcile and mirror the members, tiers that follow
// spend, and the calendar's weekly and seasonal shape.
func TestInvariants(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 1,200 members")
	}
	ctx := context.Background()
	d := newDeps(t)
	const n = 1200
	res, err := demo.Generate(ctx, d, testApp, demo.Options{Members: n, Seed: 2026, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	stores := map[string]bool{}
	all(t, d, "stores", func(s store.Doc) { stores[s[form.SysID].(string)] = true })

	type memberSums struct {
		points, spend12m, orders int64
		months                   map[string]int64 // spend by month in the window
		last                     time.Time
	}
	members := map[string]store.Doc{}
	surnames := map[string]int{}
	phones, cards, unionids := map[string]bool{}, map[string]bool{}, map[string]bool{}
	all(t, d, "members", func(m store.Doc) {
		id := m[form.SysID].(string)
		members[id] = m
		p := m["phone"].(string)
		if norm, kind := form.NormalizePhone(p); kind != "mobile" || norm != p || phones[p] {
			t.Fatalf("phone %q invalid or repeated", p)
		}
		phones[p] = true
		if c := m["cardNo"].(string); len(c) != 12 || cards[c] {
			t.Fatalf("card %q", c)
		} else {
			cards[c] = true
		}
		if u, ok := m["unionid"].(string); ok {
			if len(u) != 28 || unionids[u] {
				t.Fatalf("unionid %q", u)
			}
			unionids[u] = true
		}
		if name := []rune(m["name"].(string)); len(name) < 2 || len(name) > 4 || !allHan(name) {
			t.Fatalf("name %q", string(name))
		}
		surnames[string(name(m)[:1])]++
		if !stores[m["homeStore"].(string)] {
			t.Fatalf("member %s: home store missing", id)
		}
	})
	for _, m := range members {
		if ref, ok := m["referrer"].(string); ok && members[ref] == nil {
			t.Fatalf("referrer %s missing", ref)
		}
	}
	if len(members) != n {
		t.Fatalf("%d members", len(members))
	}
	// Surnames follow their frequency: 王, 李 and 张 are the commonest.
	if surnames["王"] < n/25 || surnames["李"] < n/25 || surnames["张"] < n/25 || len(surnames) < 40 {
		t.Fatalf("surnames %v", surnames)
	}

	sums := map[string]*memberSums{}
	receipts := map[string]store.Doc{}
	codesOnSales := map[string]string{} // coupon code -> receipt
	var byWeekday [7]int
	var nov, all11 int
	// The spend window: the current calendar month and the eleven before.
	firstMonth := fixedNow.In(cst).AddDate(0, -11, 1-fixedNow.In(cst).Day()).Format("2006-01")
	all(t, d, "transactions", func(tx store.Doc) {
		r := tx["receiptId"].(string)
		if receipts[r] != nil {
			t.Fatalf("receipt %s repeated", r)
		}
		receipts[r] = tx
		mid := tx["member"].(string)
		if members[mid] == nil || !stores[tx["store"].(string)] {
			t.Fatalf("sale %s: member or store missing", r)
		}
		var sum int64
		for _, l := range tx["lines"].([]any) {
			l := l.(map[string]any)
			if q := num(t, l["quantity"]); q < 1 || num(t, l["price"])*q != num(t, l["amount"]) {
				t.Fatalf("sale %s: line %v", r, l)
			}
			sum += num(t, l["amount"])
		}
		amount, discount, paid := num(t, tx["amount"]), num(t, tx["discount"]), num(t, tx["paid"])
		if amount != sum || paid != amount-discount || paid <= 0 || discount < 0 ||
			num(t, tx["storedValuePaid"])+num(t, tx["otherPaid"]) != paid {
			t.Fatalf("sale %s: amounts %v", r, tx)
		}
		codes, _ := tx["couponCodes"].(string)
		if (codes != "") != (discount > 0) {
			t.Fatalf("sale %s: discount %d with coupons %q", r, discount, codes)
		}
		for _, c := range strings.Split(codes, ",") {
			if c != "" {
				codesOnSales[c] = r
			}
		}
		at := timeOf(t, tx["paidAt"])
		if at.After(fixedNow) || at.Before(fixedNow.AddDate(0, -24, -1)) || at.Before(timeOf(t, members[mid]["registeredAt"])) {
			t.Fatalf("sale %s at %v", r, at)
		}
		s := sums[mid]
		if s == nil {
			s = &memberSums{}
			sums[mid] = s
		}
		local := at.In(cst)
		byWeekday[local.Weekday()]++
		if local.Month() == 11 && local.Day() <= 11 {
			nov++
		}
		all11++
		if tx["status"] == "completed" {
			s.points += num(t, tx["pointsEarned"])
			s.orders++
			if mo := at.In(cst).Format("2006-01"); mo >= firstMonth {
				s.spend12m += paid
				if s.months == nil {
					s.months = map[string]int64{}
				}
				s.months[mo] += paid
			}
			if at.After(s.last) {
				s.last = at
			}
		}
	})
	if avg := float64(len(receipts)) / n; avg < 7 || avg > 13 {
		t.Fatalf("%.1f sales per member, want about 10", avg)
	}
	// Weekends are busier than weekdays; the Double 11 run (11 of 730
	// days, twice a year) is busier than the average day.
	weekend := float64(byWeekday[0]+byWeekday[6]) / 2
	weekday := float64(byWeekday[1]+byWeekday[2]+byWeekday[3]+byWeekday[4]) / 4
	if weekend < 1.3*weekday {
		t.Fatalf("weekend %.0f vs weekday %.0f sales per day of week", weekend, weekday)
	}
	if perDay, avgDay := float64(nov)/22, float64(all11)/730; perDay < 1.4*avgDay {
		t.Fatalf("Double 11 %.1f sales a day vs %.1f on average", perDay, avgDay)
	}

	redeemed := 0
	statuses := map[string]int{}
	all(t, d, "coupons", func(c store.Doc) {
		code, st := c["code"].(string), c["status"].(string)
		statuses[st]++
		if members[c["member"].(string)] == nil {
			t.Fatalf("coupon %s: member missing", code)
		}
		if st != "redeemed" {
			if codesOnSales[code] != "" {
				t.Fatalf("coupon %s is %s but on sale %s", code, st, codesOnSales[code])
			}
			return
		}
		redeemed++
		r := c["receiptId"].(string)
		tx := receipts[r]
		if tx == nil || codesOnSales[code] != r || tx["member"] != c["member"] || tx["store"] != c["store"] || tx["paidAt"] != c["redeemedAt"] {
			t.Fatalf("coupon %s redeemed on %s, which does not list it", code, r)
		}
		if at := timeOf(t, c["redeemedAt"]); at.Before(timeOf(t, c["issuedAt"])) || !at.Before(timeOf(t, c["expiresAt"])) {
			t.Fatalf("coupon %s redeemed outside its validity", code)
		}
	})
	if redeemed != len(codesOnSales) || statuses["issued"] == 0 || statuses["expired"] == 0 || redeemed == 0 {
		t.Fatalf("coupons %v, %d codes on sales", statuses, len(codesOnSales))
	}

	// Ledgers reconcile, and members mirror them.
	rep, err := d.Ledger.Reconcile(ctx, testApp)
	if err != nil || len(rep.Mismatches) != 0 {
		t.Fatalf("reconcile: %v %+v", err, rep.Mismatches)
	}
	tiers := rules.New(d.Meta)
	tiered := map[string]int{}
	svMembers := 0
	for id, m := range members {
		s := sums[id]
		if s == nil {
			s = &memberSums{}
		}
		accts, err := d.Ledger.Accounts(ctx, testApp, id)
		if err != nil {
			t.Fatal(err)
		}
		bal := map[string]int64{}
		for _, a := range accts {
			bal[a.Kind] = a.Balance
		}
		if bal[demo.KindPoints] != num(t, m["points"]) || bal[demo.KindSVPrincipal]+bal[demo.KindSVBonus] != num(t, m["balance"]) {
			t.Fatalf("member %s mirrors %v/%v, ledger %v", id, m["points"], m["balance"], bal)
		}
		if bal[demo.KindSVPrincipal]+bal[demo.KindSVBonus] > 0 {
			svMembers++
		}
		// The opening points entry is the welcome gift plus the points of
		// the member's completed sales.
		page, err := d.Ledger.Entries(ctx, testApp, ledger.EntryFilter{Owner: id, Kind: demo.KindPoints, Type: "opening"}, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		var opening int64 = -1
		for _, e := range page.Items {
			if e.Kind == demo.KindPoints && e.Type == "opening" {
				opening = e.Amount
			}
		}
		if opening != demo.WelcomePoints+s.points {
			t.Fatalf("member %s: opening points %d, sales earned %d", id, opening, s.points)
		}
		if num(t, m["spend12m"]) != s.spend12m || num(t, m["orders"]) != s.orders {
			t.Fatalf("member %s: spend %v orders %v, sales say %d %d", id, m["spend12m"], m["orders"], s.spend12m, s.orders)
		}
		// The buckets the checkout keeps on, by month, and nothing else.
		rows, _ := m["spendMonths"].([]any)
		if len(rows) != len(s.months) {
			t.Fatalf("member %s: spend months %v, sales say %v", id, rows, s.months)
		}
		for _, r := range rows {
			row := r.(map[string]any)
			if mo, _ := row["month"].(string); num(t, row["amount"]) != s.months[mo] {
				t.Fatalf("member %s: spend months %v, sales say %v", id, rows, s.months)
			}
		}
		lv, err := tiers.Evaluate(ctx, testApp, "tier-levels", map[string]any{"spend12m": decimal.New(s.spend12m, -2)}, time.Time{})
		if err != nil || m["tier"] != lv.Outputs["tier"] {
			t.Fatalf("member %s: tier %v for spend %d, the table says %v (%v)", id, m["tier"], s.spend12m, lv.Outputs["tier"], err)
		}
		tiered[m["tier"].(string)]++
		if s.orders > 0 && timeOf(t, m["lastPurchaseAt"]) != s.last {
			t.Fatalf("member %s: last purchase %v, sales %v", id, m["lastPurchaseAt"], s.last)
		}
	}
	if tiered["normal"] == 0 || tiered["silver"] == 0 || tiered["gold"] == 0 || svMembers == 0 {
		t.Fatalf("tiers %v, %d with stored value", tiered, svMembers)
	}
}

func name(m store.Doc) []rune { return []rune(m["name"].(string)) }

func allHan(rs []rune) bool {
	for _, r := range rs {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

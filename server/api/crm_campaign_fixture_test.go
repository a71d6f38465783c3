package api_test

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/big"
	"math/rand/v2"
	"net/url"
	"testing"
	"time"
)

// The generated members, campaigns and sales of the campaign tests
// (crm_campaign_test.go), and the helpers that drive the template's
// launch-campaign and evaluate-campaign actions over HTTP.

// campaignData is the generated world of one campaign test.
type campaignData struct {
	c        *crmEnv
	tpl      string           // the campaign's coupon template (10 yuan off)
	members  []string         // every member id
	audience map[string]bool  // members the campaign's audience selects
	paid     map[string]int64 // member -> net paid fen of completed sales in the window
	buyers   map[string]bool  // members with a completed sale in the window
	start    time.Time        // campaign period
	end      time.Time
}

// creates wraps records as bulk create operations.
func creates(recs []map[string]any) []map[string]any {
	out := make([]map[string]any, len(recs))
	for i, r := range recs {
		out[i] = map[string]any{"op": "create", "data": r}
	}
	return out
}

// bulk runs bulk operations, 1000 per call, and returns the records' ids.
func (c *crmEnv) bulk(form string, items []map[string]any) []string {
	c.t.Helper()
	var ids []string
	for len(items) > 0 {
		n := min(len(items), 1000)
		res := c.h.Expect(c.h.Do("POST", "/api/apps/crm/forms/"+form+"/records/bulk", map[string]any{"items": items[:n]}), 200, "")
		for _, it := range res["items"].([]any) {
			m := it.(map[string]any)
			if s := i64(m["status"]); s != 200 && s != 201 {
				c.t.Fatalf("bulk %s: %v", form, m)
			}
			ids = append(ids, jsonStr(m, "id"))
		}
		items = items[n:]
	}
	return ids
}

// all lists every record of a form matching filter, page by page.
func (c *crmEnv) all(form string, filter map[string]any) []map[string]any {
	c.t.Helper()
	f, _ := json.Marshal(filter)
	var out []map[string]any
	cursor := ""
	for {
		page := c.h.Expect(c.h.Do("GET", "/api/apps/crm/forms/"+form+"/records?limit=1000&sort=_id&filter="+
			url.QueryEscape(string(f))+"&cursor="+url.QueryEscape(cursor), nil), 200, "")
		for _, it := range page["items"].([]any) {
			out = append(out, it.(map[string]any))
		}
		if cursor, _ = page["next"].(string); cursor == "" {
			return out
		}
	}
}

// yuanText renders fen as the decimal yuan text the records API takes.
func yuanText(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// newCampaignData registers n members (every tenth a diamond member, left
// out of the audience by tier; every thirteenth without marketing consent,
// left out too) and a 10-yuan coupon template.
func newCampaignData(t *testing.T, n int) *campaignData {
	c := newCRM(t)
	d := &campaignData{c: c, audience: map[string]bool{}, paid: map[string]int64{}, buyers: map[string]bool{}}
	d.tpl = c.couponTemplate(map[string]any{"name": "活动券 满50减10", "type": "amount", "value": "10", "minSpend": "50", "validDays": 30})
	items := make([]map[string]any, n)
	tiers := []string{"normal", "silver", "gold", "normal", "normal", "silver", "normal", "gold", "normal", "diamond"}
	for i := range items {
		items[i] = map[string]any{"name": fmt.Sprintf("会员%d", i), "phone": fmt.Sprintf("139%08d", i), "tier": tiers[i%10], "consent": i%13 != 0}
	}
	d.members = c.bulk("members", creates(items))
	for i, id := range d.members {
		if i%10 != 9 && i%13 != 0 {
			d.audience[id] = true
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	d.start, d.end = now.Add(-10*24*time.Hour), now.Add(10*24*time.Hour)
	return d
}

// campaign creates a campaign over the generated audience.
func (d *campaignData) campaign(name string, controlShare int) string {
	return d.c.create("campaigns", map[string]any{"name": name, "type": "full-reduction", "couponTemplate": d.tpl,
		"startAt": d.start.Format(time.RFC3339), "endAt": d.end.Format(time.RFC3339), "controlShare": controlShare,
		"audienceTiers": []any{"normal", "silver", "gold"}, "consentOnly": true})
}

// sales writes the generated transactions: about two members in three buy,
// one to three completed sales in the window each, plus a refunded sale in
// the window and sales before and after it (none of which count), and
// sales of members outside the audience. It records what counts.
func (d *campaignData) sales(rng *rand.Rand) {
	var items []map[string]any
	in := func(k int) time.Time { return d.start.Add(time.Duration(1+k) * time.Hour) }
	add := func(m string, at time.Time, fen int64, status string) {
		items = append(items, map[string]any{"receiptId": fmt.Sprintf("R%05d", len(items)), "member": m,
			"paidAt": at.Format(time.RFC3339), "amount": yuanText(fen), "paid": yuanText(fen), "status": status})
	}
	for i, m := range d.members {
		if rng.IntN(3) == 0 {
			continue // never buys
		}
		for k := range 1 + rng.IntN(3) {
			fen := int64(100 + rng.IntN(50000))
			add(m, in(rng.IntN(400)+k), fen, "completed")
			if d.audience[m] {
				d.paid[m] += fen
				d.buyers[m] = true
			}
		}
		switch i % 4 {
		case 0:
			add(m, in(rng.IntN(400)), 9999, "refunded")
		case 1:
			add(m, d.start.Add(-time.Hour), 8888, "completed")
		case 2:
			add(m, d.end.Add(time.Second), 7777, "completed")
		}
	}
	d.c.bulk("transactions", creates(items))
}

// groupOf is the group the template's hash gives a member: FNV-1a 32 of
// "campaign:member" modulo 10000 below share x 100 is control.
func groupOf(campaign, member string, share int) string {
	h := fnv.New32a()
	h.Write([]byte(campaign + ":" + member))
	if int(h.Sum32()%10000) < share*100 {
		return "control"
	}
	return "target"
}

// launch runs launch-campaign in batches of limit until done and returns
// the number of calls.
func (d *campaignData) launch(campaign string, limit int) int {
	for calls := 1; ; calls++ {
		out := d.c.h.Expect(d.c.run(d.c.h, "launch-campaign", map[string]any{"campaign": campaign, "limit": limit},
			fmt.Sprintf("Idempotency-Key: launch-%s-%d", campaign, calls)), 200, "")
		if out["done"] == true {
			return calls
		}
		if calls > 100 {
			d.c.t.Fatalf("launch never done: %v", out)
		}
	}
}

// evaluate runs evaluate-campaign by hand until the pass is done.
func (d *campaignData) evaluate(campaign string, limit int) map[string]any {
	for calls := 1; calls < 100; calls++ {
		out := d.c.ok("evaluate-campaign", map[string]any{"campaign": campaign, "limit": limit})
		r := out["campaigns"].([]any)[0].(map[string]any)
		if r["done"] == true {
			return d.c.record("campaigns", campaign)
		}
		if r["roiStatus"] != "running" {
			d.c.t.Fatalf("unfinished pass says %v", r)
		}
	}
	d.c.t.Fatal("evaluation never done")
	return nil
}

// divRound is n / den rounded half away from zero.
func divRound(r *big.Rat) *big.Int {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q
}

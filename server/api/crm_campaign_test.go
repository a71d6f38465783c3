package api_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// Campaign A/B and ROI through the template's launch-campaign and
// evaluate-campaign actions: a campaign over generated members with a 20%
// control group is launched in batches (deterministic, idempotent per
// key), coupons reach the target group only, and the evaluation's
// incremental sales, cost and ROI equal what this test computes from the
// same generated transactions.
func TestCampaignABAndROI(t *testing.T) {
	d := newCampaignData(t, 2600)
	c := d.c
	rng := rand.New(rand.NewPCG(7, 11))
	camp := d.campaign("双十一会员专享", 20)

	// The first batch, retried with its key: one effect.
	first := c.run(c.h, "launch-campaign", map[string]any{"campaign": camp, "limit": 700}, "Idempotency-Key: first")
	body := c.h.Expect(first, 200, "")
	again := c.run(c.h, "launch-campaign", map[string]any{"campaign": camp, "limit": 700}, "Idempotency-Key: first")
	if again.Status != 200 || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %d %s (first %s)", again.Status, again.Body, first.Body)
	}
	if body["done"] != false || i64(body["assigned"]) != 700 || len(c.all("campaign-members", map[string]any{"campaign": camp})) != 700 {
		t.Fatalf("first batch %v", body)
	}
	if calls := d.launch(camp, 700); calls != 3 {
		t.Errorf("launched in %d more calls, want 3", calls)
	}

	// Everyone of the audience once, in the group the hash gives; no one else.
	rows := c.all("campaign-members", map[string]any{"campaign": camp})
	group := map[string]string{}
	for _, r := range rows {
		m := jsonStr(r, "member")
		if !d.audience[m] || group[m] != "" {
			t.Fatalf("assignment of %s (in audience %v, twice %v)", m, d.audience[m], group[m])
		}
		if want := groupOf(camp, m, 20); r["group"] != want {
			t.Fatalf("member %s in %v, hash says %s", m, r["group"], want)
		}
		group[m] = r["group"].(string)
	}
	var tn, cn int64
	for _, g := range group {
		if g == "target" {
			tn++
		} else {
			cn++
		}
	}
	if len(group) != len(d.audience) {
		t.Fatalf("assigned %d of an audience of %d", len(group), len(d.audience))
	}
	if share := float64(cn) / float64(len(group)); share < 0.17 || share > 0.23 {
		t.Errorf("control share %.3f, want 0.20 ± 0.03", share)
	}
	cp := c.record("campaigns", camp)
	if i64(cp["targetSize"]) != tn || i64(cp["controlSize"]) != cn || cp["launchedAt"] == nil || cp["status"] != "running" || cp["launchCursor"] != nil {
		t.Fatalf("campaign after launch %v (target %d control %d)", cp, tn, cn)
	}

	// Coupons: one per target member, none to the control group.
	coupons := c.all("coupons", map[string]any{"template": d.tpl})
	if int64(len(coupons)) != tn {
		t.Fatalf("%d coupons for %d target members", len(coupons), tn)
	}
	for _, k := range coupons {
		if group[jsonStr(k, "member")] != "target" {
			t.Fatalf("coupon %v went to a %q member", k["code"], group[jsonStr(k, "member")])
		}
	}

	// A launched campaign is not launched again; nothing is written.
	before := len(c.all("coupons", map[string]any{}))
	for _, lang := range []string{"zh-CN", "en"} {
		p := c.h.Expect(c.run(c.h, "launch-campaign", map[string]any{"campaign": camp}, "Accept-Language: "+lang), 409, "crm.campaign_launched")
		if detail := fmt.Sprint(p["detail"]); hasHan(detail) != (lang == "zh-CN") && !strings.HasPrefix(detail, "campaign ") {
			t.Errorf("%s reason %q", lang, detail)
		}
	}
	if len(c.all("coupons", map[string]any{})) != before || len(c.all("campaign-members", map[string]any{})) != len(rows) {
		t.Fatal("a refused launch wrote")
	}

	// Sales, and redemptions: a third of the target coupons redeemed in
	// the window, some after it (not counted).
	d.sales(rng)
	var redeem []map[string]any
	var cost int64
	for i, k := range coupons {
		switch i % 6 {
		case 0, 1:
			redeem = append(redeem, map[string]any{"op": "update", "id": jsonStr(k, "_id"), "data": map[string]any{"status": "redeemed",
				"redeemedAt": d.start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)}})
			cost += 1000
		case 2:
			redeem = append(redeem, map[string]any{"op": "update", "id": jsonStr(k, "_id"), "data": map[string]any{"status": "redeemed",
				"redeemedAt": d.end.Add(time.Hour).Format(time.RFC3339)}})
		}
	}
	c.bulk("coupons", redeem)

	// Expected figures, computed here from the same generated data.
	var ts, cs, tb, cb int64
	for m, g := range group {
		if g == "target" {
			ts += d.paid[m]
			if d.buyers[m] {
				tb++
			}
		} else {
			cs += d.paid[m]
			if d.buyers[m] {
				cb++
			}
		}
	}
	if tb == tn || cb == cn || tb == 0 || cb == 0 {
		t.Fatalf("each group needs buyers and non-buyers: %d/%d, %d/%d", tb, tn, cb, cn)
	}
	// (ts/tn - cs/cn) * tn, exactly; ROI = (incremental - cost) / cost.
	inc := new(big.Rat).Sub(new(big.Rat).SetInt64(ts), new(big.Rat).SetFrac64(cs*tn, cn))
	roi := new(big.Rat).Quo(new(big.Rat).Sub(inc, new(big.Rat).SetInt64(cost)), new(big.Rat).SetInt64(cost))
	roiHundredths := divRound(roi.Mul(roi, big.NewRat(10000, 1)))

	got := d.evaluate(camp, 500)
	gotROI, ok := new(big.Rat).SetString(fmt.Sprint(got["roi"]))
	if !ok || got["roiStatus"] != "ok" || i64(got["targetSales"]) != ts || i64(got["controlSales"]) != cs ||
		i64(got["targetBuyers"]) != tb || i64(got["controlBuyers"]) != cb || i64(got["couponCost"]) != cost ||
		i64(got["incrementalSales"]) != divRound(inc).Int64() ||
		gotROI.Cmp(new(big.Rat).SetFrac(roiHundredths, big.NewInt(100))) != 0 || got["evaluatedAt"] == nil || got["evalState"] != nil {
		t.Fatalf("evaluation %v\nwant sales %d/%d buyers %d/%d cost %d incremental %s roi %s%%",
			got, ts, cs, tb, cb, cost, inc.FloatString(2), new(big.Rat).SetFrac(roiHundredths, big.NewInt(100)).FloatString(2))
	}

	// The campaign ROI report (and its dashboard) shows the figures.
	res := c.h.Expect(c.h.Do("POST", "/api/apps/crm/reports/campaign-roi/run", map[string]any{}), 200, "")
	if rs := res["rows"].([]any); len(rs) != 1 || fmt.Sprint(rs[0].(map[string]any)["incrementalSales"]) != fmt.Sprint(got["incrementalSales"]) ||
		fmt.Sprint(rs[0].(map[string]any)["roi"]) != fmt.Sprint(got["roi"]) || fmt.Sprint(rs[0].(map[string]any)["controlSize"]) != fmt.Sprint(cn) {
		t.Errorf("campaign-roi report %v, campaign %v", res["rows"], got)
	}
	dash := c.h.Expect(c.h.Do("GET", "/api/apps/crm/dashboards/campaign-analysis/data", nil), 200, "")
	if w := fmt.Sprint(dash); strings.Contains(w, "error") || !strings.Contains(w, fmt.Sprint(got["incrementalSales"])) {
		t.Errorf("campaign-analysis dashboard %v", dash)
	}

	// The daily automation's step, test-run (rolled back): a campaign
	// evaluated today is skipped.
	tr := c.h.Expect(c.h.Do("POST", "/api/apps/crm/automations/campaign-roi-daily/test", map[string]any{}), 200, "")
	if tr["failed"] != nil || !strings.Contains(fmt.Sprint(tr["steps"]), "campaigns:[]") {
		t.Fatalf("automation test run %v", tr)
	}
	if i64(c.record("campaigns", camp)["_version"]) != i64(got["_version"]) {
		t.Error("the automation's test run wrote")
	}
}

// Without a control group every audience member is targeted and the
// evaluation says there is no control group instead of giving a number;
// the daily run evaluates launched campaigns not evaluated today.
func TestCampaignWithoutControlGroup(t *testing.T) {
	d := newCampaignData(t, 300)
	c := d.c
	camp := d.campaign("全员满减", 0)
	d.launch(camp, 5000)
	cp := c.record("campaigns", camp)
	if i64(cp["controlSize"]) != 0 || i64(cp["targetSize"]) != int64(len(d.audience)) {
		t.Fatalf("sizes %v/%v for an audience of %d", cp["targetSize"], cp["controlSize"], len(d.audience))
	}
	d.sales(rand.New(rand.NewPCG(1, 2)))
	out := c.ok("evaluate-campaign", map[string]any{})
	list := out["campaigns"].([]any)
	if len(list) != 1 || i64(out["processed"]) != int64(len(d.audience)) {
		t.Fatalf("daily run %v", out)
	}
	got := c.record("campaigns", camp)
	var ts int64
	for m := range d.audience {
		ts += d.paid[m]
	}
	if got["roiStatus"] != "no-control" || got["roi"] != nil || got["incrementalSales"] != nil || i64(got["targetSales"]) != ts {
		t.Fatalf("no control group: %v", got)
	}
	// Evaluated today: the next daily run skips it.
	if again := c.ok("evaluate-campaign", map[string]any{}); len(again["campaigns"].([]any)) != 0 {
		t.Fatalf("second daily run %v", again)
	}
}

// Bad input: problem+json with a coded reason in zh-CN and en, nothing
// written.
func TestCampaignBadInput(t *testing.T) {
	d := newCampaignData(t, 20)
	c := d.c
	draft := d.campaign("未投放", 20)
	ended := d.campaign("已结束", 20)
	backwards := c.create("campaigns", map[string]any{"name": "倒置", "type": "discount", "startAt": "2026-02-01T00:00:00Z", "endAt": "2026-01-01T00:00:00Z"})
	c.h.Expect(c.h.Do("PATCH", "/api/apps/crm/forms/campaigns/records/"+ended, map[string]any{"status": "ended"}), 200, "")
	tooBig := c.h.Do("POST", "/api/apps/crm/forms/campaigns/records", map[string]any{"name": "x", "type": "discount",
		"startAt": "2026-01-01T00:00:00Z", "endAt": "2026-02-01T00:00:00Z", "controlShare": 95})
	c.h.Expect(tooBig, 422, "record.validation")
	c.h.Expect(c.h.Do("PATCH", "/api/apps/crm/forms/campaigns/records/"+draft, map[string]any{"controlShare": -1}), 422, "record.validation")
	cases := []struct {
		name, action string
		body         any
		status       int
		code, path   string
	}{
		{"unknown campaign", "launch-campaign", map[string]any{"campaign": "nope"}, 404, "crm.campaign_not_found", "campaign"},
		{"no campaign", "launch-campaign", map[string]any{}, 422, "action.input", "campaign"},
		{"ended campaign", "launch-campaign", map[string]any{"campaign": ended}, 409, "crm.campaign_ended", "campaign"},
		{"ends before it starts", "launch-campaign", map[string]any{"campaign": backwards}, 422, "crm.campaign_period", "endAt"},
		{"malformed campaign id", "launch-campaign", map[string]any{"campaign": 42}, 422, "action.input", "campaign"},
		{"batch too large", "launch-campaign", map[string]any{"campaign": draft, "limit": 5001}, 422, "action.input", "limit"},
		{"unknown field", "launch-campaign", map[string]any{"campaign": draft, "controlShare": 10}, 422, "action.input", "controlShare"},
		{"evaluate unknown", "evaluate-campaign", map[string]any{"campaign": "nope"}, 404, "crm.campaign_not_found", "campaign"},
		{"evaluate before launch", "evaluate-campaign", map[string]any{"campaign": draft}, 409, "crm.campaign_not_launched", "campaign"},
		{"evaluate batch of zero", "evaluate-campaign", map[string]any{"limit": 0}, 422, "action.input", "limit"},
	}
	snapshot := func() string {
		return fmt.Sprint(len(c.all("campaign-members", map[string]any{})), len(c.all("coupons", map[string]any{})),
			c.record("campaigns", draft)["_version"])
	}
	before := snapshot()
	for _, tc := range cases {
		zh := c.h.Expect(c.run(c.h, tc.action, tc.body), tc.status, tc.code)
		en := c.h.Expect(c.run(c.h, tc.action, tc.body, "Accept-Language: en"), tc.status, tc.code)
		expectPath(t, zh, tc.path)
		if zd, ed := fmt.Sprint(zh["detail"]), fmt.Sprint(en["detail"]); !hasHan(zd) || ed == "" || ed[0] > unicode.MaxASCII {
			t.Errorf("%s: reasons zh %q, en %q", tc.name, zd, ed)
		}
	}
	for _, body := range []string{`{"campaign": `, `[1]`, `{"campaign": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`} {
		if r := c.run(c.h, "launch-campaign", body); r.Status != 400 && r.Status != 422 {
			t.Errorf("%.30s: status %d %s", body, r.Status, r.Body)
		}
	}
	if after := snapshot(); after != before {
		t.Fatalf("refused requests wrote: %s -> %s", before, after)
	}

	// The form's 0-90 bound is editable; the launch keeps its own.
	def := c.h.Expect(c.h.Do("GET", "/api/apps/crm/meta/form/campaigns", nil), 200, "")
	spec := def["spec"].(map[string]any)
	for _, f := range spec["fields"].([]any) {
		if f := f.(map[string]any); f["key"] == "controlShare" {
			f["max"] = 99
		}
	}
	c.h.Expect(c.h.Do("PUT", "/api/apps/crm/meta/form/campaigns", map[string]any{"spec": spec}, fmt.Sprintf("If-Match: %v", def["version"])), 200, "")
	c.h.Expect(c.h.Do("POST", "/api/apps/crm/meta/form/campaigns/publish", nil), 200, "")
	c.h.Expect(c.h.Do("PATCH", "/api/apps/crm/forms/campaigns/records/"+draft, map[string]any{"controlShare": 95}), 200, "")
	before = snapshot()
	p := c.h.Expect(c.run(c.h, "launch-campaign", map[string]any{"campaign": draft}, "Accept-Language: en"), 422, "crm.control_share")
	expectPath(t, p, "controlShare")
	if after := snapshot(); after != before {
		t.Fatalf("a refused launch wrote: %s -> %s", before, after)
	}
}

// A percent coupon has no face value: its cost is the discount of the
// receipt that redeemed it, through the real checkout; a refund gives the
// coupon back and takes the sale out, so both leave the figures.
func TestCampaignPercentCouponCost(t *testing.T) {
	d := newCampaignData(t, 40)
	c := d.c
	d.tpl = c.couponTemplate(map[string]any{"name": "活动9折券", "type": "percent", "percent": 90, "validDays": 30})
	camp := d.campaign("九折日", 50)
	d.launch(camp, 1000)
	var target string
	for _, r := range c.all("campaign-members", map[string]any{"campaign": camp, "group": "target"}) {
		target = jsonStr(r, "member")
		break
	}
	code := jsonStr(c.all("coupons", map[string]any{"member": target, "template": d.tpl})[0], "code")
	sale := c.ok("checkout", map[string]any{"receiptId": "PCT-1", "store": "S0001", "member": map[string]any{"id": target},
		"lines": []any{line("A", "食品", 3, "33.33")}, "couponCodes": []any{code}})
	// A control member spends more than the whole target group: the
	// incremental sales and the ROI are negative, exactly.
	control := c.all("campaign-members", map[string]any{"campaign": camp, "group": "control"})
	c.create("transactions", map[string]any{"receiptId": "CTL-1", "member": jsonStr(control[0], "member"), "status": "completed",
		"paidAt": d.start.Add(time.Hour).Format(time.RFC3339), "amount": "1000", "paid": "1000"})
	got := d.evaluate(camp, 1000)
	tn, cn := i64(got["targetSize"]), i64(got["controlSize"])
	inc := new(big.Rat).Sub(new(big.Rat).SetInt64(i64(sale["paid"])), big.NewRat(100000*tn, cn))
	cost := new(big.Rat).SetInt64(i64(sale["discount"]))
	roi := new(big.Rat).Mul(new(big.Rat).Quo(new(big.Rat).Sub(inc, cost), cost), big.NewRat(10000, 1))
	gotROI, _ := new(big.Rat).SetString(fmt.Sprint(got["roi"]))
	if i64(sale["discount"]) == 0 || i64(got["couponCost"]) != i64(sale["discount"]) || i64(got["targetSales"]) != i64(sale["paid"]) ||
		i64(got["incrementalSales"]) != divRound(inc).Int64() || inc.Sign() >= 0 || gotROI == nil ||
		gotROI.Cmp(new(big.Rat).SetFrac(divRound(roi), big.NewInt(100))) != 0 {
		t.Fatalf("after the sale: campaign %v, sale %v; want incremental %s", got, sale, inc.FloatString(2))
	}
	c.ok("refund", map[string]any{"receiptId": "PCT-1"})
	got = d.evaluate(camp, 1000)
	if i64(got["couponCost"]) != 0 || i64(got["targetSales"]) != 0 || got["roiStatus"] != "no-cost" || got["roi"] != nil {
		t.Fatalf("after the refund: %v", got)
	}
}

// Launches of one campaign racing each other: the batches serialize on
// the campaign (its version and the unique campaign:member pair), so the
// audience is assigned exactly once and one launch finishes it.
func TestCampaignConcurrentLaunch(t *testing.T) {
	d := newCampaignData(t, 120)
	c := d.c
	camp := d.campaign("并发投放", 20)
	statuses := make(chan int, 4)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.h.Do("POST", "/api/apps/crm/actions/launch-campaign", map[string]any{"campaign": camp},
				fmt.Sprintf("Idempotency-Key: race-%d", i))
			statuses <- r.Status
		}()
	}
	wg.Wait()
	close(statuses)
	ok := 0
	for s := range statuses {
		switch s {
		case 200:
			ok++
		case 409, 412:
		default:
			t.Errorf("racing launch answered %d", s)
		}
	}
	rows := c.all("campaign-members", map[string]any{"campaign": camp})
	cp := c.record("campaigns", camp)
	if ok != 1 || len(rows) != len(d.audience) || i64(cp["targetSize"])+i64(cp["controlSize"]) != int64(len(d.audience)) || cp["launchedAt"] == nil {
		t.Fatalf("%d launches succeeded; %d assignments, sizes %v+%v, audience %d", ok, len(rows), cp["targetSize"], cp["controlSize"], len(d.audience))
	}
}

// The buttons on a campaign record launch and evaluate it through the
// template's manual automations; pressing Launch on a launched campaign
// fails that run (a dead letter with the action's code) and changes nothing.
func TestCampaignButtons(t *testing.T) {
	t.Setenv("TANGRAM_AUTOMATION_RUNNER", "off")
	d := newCampaignData(t, 60)
	c := d.c
	svc := c.h.Server.Automation()
	drain := func() {
		if _, err := svc.Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	camp := d.campaign("按钮投放", 20)
	press := func(button string) {
		c.h.Expect(c.h.Do("POST", "/api/apps/crm/automations/"+button+"/trigger", map[string]any{"records": []any{camp}}), 202, "")
		drain()
	}
	press("campaign-launch-button")
	cp := c.record("campaigns", camp)
	if cp["launchedAt"] == nil || i64(cp["targetSize"])+i64(cp["controlSize"]) != int64(len(d.audience)) {
		t.Fatalf("after Launch: %v", cp)
	}
	press("campaign-evaluate-button")
	if ev := c.record("campaigns", camp); ev["evaluatedAt"] == nil || ev["roiStatus"] != "no-cost" || i64(ev["targetSales"]) != 0 {
		t.Fatalf("after Evaluate: %v", ev)
	}
	version := i64(c.record("campaigns", camp)["_version"])
	press("campaign-launch-button")
	dead := c.h.Expect(c.h.Do("GET", "/api/apps/crm/dead-letters", nil), 200, "")["runs"].([]any)
	if len(dead) != 1 || dead[0].(map[string]any)["error"].(map[string]any)["code"] != "crm.campaign_launched" {
		t.Fatalf("dead letters %v", dead)
	}
	if i64(c.record("campaigns", camp)["_version"]) != version {
		t.Fatal("a refused launch wrote")
	}
}

// The audience conditions AND together: tiers, any of the tags, home
// stores and consent; a campaign before its start is scheduled and the
// daily run leaves it alone, one past its end is evaluated once more and
// ended.
func TestCampaignAudienceAndLifecycle(t *testing.T) {
	d := newCampaignData(t, 0)
	c := d.c
	s1 := jsonStr(c.find("stores", map[string]any{"code": "S0001"})[0], "_id")
	s2 := jsonStr(c.find("stores", map[string]any{"code": "S0002"})[0], "_id")
	type m struct {
		tier, store string
		tags        []any
		consent, in bool
	}
	people := []m{
		{"gold", s1, []any{"vip"}, true, true},
		{"gold", s1, []any{"parent", "office"}, true, true},
		{"silver", s1, []any{"vip"}, true, false},   // tier
		{"gold", s2, []any{"vip"}, true, false},     // home store
		{"gold", s1, []any{"dormant"}, true, false}, // tags
		{"gold", s1, nil, true, false},              // no tags
		{"gold", s1, []any{"vip"}, false, false},    // consent
	}
	var items []map[string]any
	for i, p := range people {
		items = append(items, map[string]any{"name": fmt.Sprintf("甲%d", i), "phone": fmt.Sprintf("137%08d", i), "tier": p.tier,
			"homeStore": p.store, "tags": p.tags, "consent": p.consent})
	}
	ids := c.bulk("members", creates(items))
	future := time.Now().UTC().Add(48 * time.Hour)
	camp := c.create("campaigns", map[string]any{"name": "金卡亲子周", "type": "gift", "couponTemplate": d.tpl, "controlShare": 0,
		"startAt": future.Format(time.RFC3339), "endAt": future.Add(72 * time.Hour).Format(time.RFC3339),
		"audienceTiers": []any{"gold", "diamond"}, "audienceTags": " vip, parent ,", "audienceStores": []any{s1}, "consentOnly": true})
	d.launch(camp, 1000)
	got := map[string]bool{}
	for _, r := range c.all("campaign-members", map[string]any{"campaign": camp}) {
		got[jsonStr(r, "member")] = true
	}
	for i, p := range people {
		if got[ids[i]] != p.in {
			t.Errorf("member %d (%+v) in the audience: %v", i, p, got[ids[i]])
		}
	}
	if cp := c.record("campaigns", camp); cp["status"] != "scheduled" {
		t.Fatalf("a launch before the start: %v", cp["status"])
	}
	if out := c.ok("evaluate-campaign", map[string]any{}); len(out["campaigns"].([]any)) != 0 {
		t.Fatalf("the daily run evaluated a campaign not started: %v", out)
	}
	// Over: the daily run evaluates it a last time and ends it.
	past := time.Now().UTC().Add(-72 * time.Hour)
	c.h.Expect(c.h.Do("PATCH", "/api/apps/crm/forms/campaigns/records/"+camp, map[string]any{"startAt": past.Format(time.RFC3339),
		"endAt": past.Add(24 * time.Hour).Format(time.RFC3339)}), 200, "")
	out := c.ok("evaluate-campaign", map[string]any{})
	if cp := c.record("campaigns", camp); len(out["campaigns"].([]any)) != 1 || cp["status"] != "ended" || cp["roiStatus"] != "no-control" {
		t.Fatalf("the daily run after the end: %v; campaign %v", out, cp)
	}
	if again := c.ok("evaluate-campaign", map[string]any{}); len(again["campaigns"].([]any)) != 0 {
		t.Fatalf("an ended campaign evaluated again by the daily run: %v", again)
	}
}

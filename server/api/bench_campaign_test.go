package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkCampaign launches a campaign with a 20% control group over an
// audience of generated members (TANGRAM_CAMPAIGN_MEMBERS, default
// 20,000, imported as CSV with two sales each in the period, a third of
// the target coupons redeemed) through launch-campaign in calls of 1,000
// members, then evaluates it through evaluate-campaign in calls of 5,000,
// on the whole service graph (api.Wire) over SQLite. Each call is one
// write transaction, so call-max-ms is the longest the store's writer was
// held. Run with
//
//	go test ./server/api -run '^$' -bench Campaign -benchtime 1x
func BenchmarkCampaign(b *testing.B) {
	b.StopTimer()
	n := 20_000
	if v := os.Getenv("TANGRAM_CAMPAIGN_MEMBERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("TANGRAM_CAMPAIGN_MEMBERS=%q", v)
		}
	}
	s := newWiredBenchServer(b)
	s.call("POST", "/api/templates/crm-retail/install", map[string]any{}, 200, nil)
	var tpl struct {
		ID string `json:"_id"`
	}
	s.call("POST", "/api/apps/crm/forms/coupon-templates/records", map[string]any{"name": "活动券", "type": "amount", "value": "10",
		"validDays": 30, "status": "active"}, 201, &tpl)
	var csv bytes.Buffer
	csv.WriteString("name,phone,tier,consent\n")
	for i := range n {
		fmt.Fprintf(&csv, "会员%d,139%08d,normal,true\n", i, i)
	}
	s.importCSV("members", csv.Bytes())
	start := time.Now().UTC().Add(-24 * time.Hour)
	var ids []string
	for cursor := ""; ; {
		var page struct {
			Items []struct {
				ID string `json:"_id"`
			} `json:"items"`
			Next string `json:"next"`
		}
		s.call("GET", "/api/apps/crm/forms/members/records?limit=1000&sort=_id&cursor="+url.QueryEscape(cursor), nil, 200, &page)
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	csv.Reset()
	csv.WriteString("receiptId,member,paidAt,amount,paid,status\n")
	for i, id := range ids {
		for k := range 2 {
			fmt.Fprintf(&csv, "B%07d-%d,%s,%s,%d.00,%d.00,completed\n", i, k, id, start.Add(time.Duration(i%1000)*time.Minute).Format(time.RFC3339), 20+i%300, 20+i%300)
		}
	}
	s.importCSV("transactions", csv.Bytes())

	var launch, eval, launchMax, evalMax time.Duration
	for i := range b.N {
		var camp struct {
			ID string `json:"_id"`
		}
		s.call("POST", "/api/apps/crm/forms/campaigns/records", map[string]any{"name": fmt.Sprintf("活动%d", i), "type": "discount",
			"couponTemplate": tpl.ID, "startAt": start.Format(time.RFC3339), "endAt": start.Add(48 * time.Hour).Format(time.RFC3339),
			"controlShare": 20}, 201, &camp)
		var out struct {
			Done      bool `json:"done"`
			Campaigns []struct {
				Done bool `json:"done"`
			} `json:"campaigns"`
		}
		b.StartTimer()
		for out.Done = false; !out.Done; {
			t0 := time.Now()
			s.call("POST", "/api/apps/crm/actions/launch-campaign", map[string]any{"campaign": camp.ID, "limit": 1000}, 200, &out)
			d := time.Since(t0)
			launch, launchMax = launch+d, max(launchMax, d)
		}
		b.StopTimer()
		s.redeemSome(tpl.ID, 1000)
		b.StartTimer()
		for done := false; !done; {
			t0 := time.Now()
			s.call("POST", "/api/apps/crm/actions/evaluate-campaign", map[string]any{"campaign": camp.ID, "limit": 5000}, 200, &out)
			d := time.Since(t0)
			eval, evalMax = eval+d, max(evalMax, d)
			done = out.Campaigns[0].Done
		}
		b.StopTimer()
	}
	b.ReportMetric(launch.Seconds()/float64(b.N), "launch-s")
	b.ReportMetric(float64(launchMax.Milliseconds()), "launch-call-max-ms")
	b.ReportMetric(eval.Seconds()/float64(b.N), "eval-s")
	b.ReportMetric(float64(evalMax.Milliseconds()), "eval-call-max-ms")
	b.ReportMetric(float64(n), "members")
}

// importCSV imports rows into a form, failing unless every row is created.
func (s *benchServer) importCSV(form string, body []byte) {
	req, _ := http.NewRequest("POST", s.url+"/api/apps/crm/forms/"+form+"/import", bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := (&http.Client{}).Do(req) // no time limit: a big import takes a while
	if err != nil {
		s.b.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Created, Failed int
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &res); err != nil || resp.StatusCode != 200 || res.Failed != 0 || res.Created == 0 {
		s.b.Fatalf("import %s: %d %.500s", form, resp.StatusCode, raw)
	}
}

// redeemSome marks up to n issued coupons of a template redeemed now.
func (s *benchServer) redeemSome(template string, n int) {
	var page struct {
		Items []struct {
			ID string `json:"_id"`
		} `json:"items"`
	}
	f := url.QueryEscape(fmt.Sprintf(`{"template": %q, "status": "issued"}`, template))
	s.call("GET", fmt.Sprintf("/api/apps/crm/forms/coupons/records?limit=%d&filter=%s", n, f), nil, 200, &page)
	var ops []map[string]any
	for _, it := range page.Items {
		ops = append(ops, map[string]any{"op": "update", "id": it.ID, "data": map[string]any{"status": "redeemed",
			"redeemedAt": time.Now().UTC().Format(time.RFC3339)}})
	}
	s.call("POST", "/api/apps/crm/forms/coupons/records/bulk", map[string]any{"items": ops}, 200, nil)
}

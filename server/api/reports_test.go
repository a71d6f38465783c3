package api_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// reportsCRM is the crm-retail app with a few members and sales written
// through the records API.
func reportsCRM(t *testing.T) (*crmEnv, map[string]int64) {
	c := newCRM(t)
	stores := map[string]string{}
	for _, s := range c.find("stores", nil) {
		stores[jsonStr(s, "code")] = jsonStr(s, "_id")
	}
	var members []string
	for i := range 3 {
		members = append(members, c.create("members", map[string]any{"name": fmt.Sprintf("会员%d", i), "phone": fmt.Sprintf("1380013800%d", i),
			"homeStore": stores["S0001"], "registeredAt": "2026-01-0" + fmt.Sprint(i+1) + "T10:00:00+08:00"}))
	}
	sales := map[string]int64{}
	for i := range 12 {
		code := []string{"S0001", "S0002"}[i%2]
		status := []string{"completed", "completed", "refunded"}[i%3]
		paid := int64(1000 * (i + 1))
		c.create("transactions", map[string]any{"receiptId": fmt.Sprintf("HTTP-%d", i), "store": stores[code], "member": members[i%3],
			"paidAt": fmt.Sprintf("2026-02-%02dT1%d:00:00+08:00", i+1, i%10), "amount": fmt.Sprintf("%d.00", paid/100),
			"paid": fmt.Sprintf("%d.00", paid/100), "status": status, "channel": "pos"})
		if status == "completed" {
			sales[code] += paid
		}
	}
	return c, sales
}

const feb = `{"from": "2026-02-01", "to": "2026-02-28"}`

func runReport(h *apitest.Harness, key string, body any) apitest.Response {
	return h.Do("POST", "/api/apps/crm/reports/"+key+"/run", body)
}

func TestReportsHTTP(t *testing.T) {
	c, sales := reportsCRM(t)
	h := c.h
	params := map[string]any{"parameters": map[string]any{"period": json.RawMessage(feb)}}
	res := h.Expect(runReport(h, "store-ranking", params), 200, "")
	rows := res["rows"].([]any)
	if len(rows) != 2 {
		t.Fatalf("ranking rows %v", rows)
	}
	got := map[string]string{}
	labels := res["columns"].([]any)[0].(map[string]any)["labels"].(map[string]any)
	for _, r := range rows {
		row := r.(map[string]any)
		got[fmt.Sprint(labels[jsonStr(row, "store")])] = fmt.Sprint(row["sales"])
	}
	if got["南京西路店"] != fmt.Sprint(sales["S0001"]) || got["春熙路店"] != fmt.Sprint(sales["S0002"]) {
		t.Errorf("sales by store %v, want %v", got, sales)
	}
	if res["source"] != "raw" || res["chart"].(map[string]any)["type"] != "chart.bar" {
		t.Errorf("result %v", res)
	}
	// The second run is cached; a new sale (written through the records
	// API) is seen at once.
	if again := h.Expect(runReport(h, "store-ranking", params), 200, ""); again["cached"] != true {
		t.Errorf("not cached")
	}
	c.create("transactions", map[string]any{"receiptId": "HTTP-new", "store": jsonStr(rows[0].(map[string]any), "store"),
		"paidAt": "2026-02-20T12:00:00+08:00", "paid": "1.00", "status": "completed"})
	if fresh := h.Expect(runReport(h, "store-ranking", params), 200, ""); fresh["cached"] == true {
		t.Errorf("a cached result survived a write")
	}

	// Drill: the filter opens exactly the cell's records in the list.
	cell := map[string]any{"store": jsonStr(rows[0].(map[string]any), "store")}
	dr := h.Expect(runReport(h, "store-ranking", map[string]any{"parameters": params["parameters"], "drill": map[string]any{"cell": cell}}), 200, "")
	f, _ := json.Marshal(dr["filter"])
	page := h.Expect(h.Do("GET", "/api/apps/crm/forms/transactions/records?count=true&filter="+url.QueryEscape(string(f)), nil), 200, "")
	if fmt.Sprint(page["total"]) != fmt.Sprint(dr["count"]) || fmt.Sprint(dr["count"]) == "0" {
		t.Errorf("drill count %v, list total %v (filter %s)", dr["count"], page["total"], f)
	}

	// Bad input: every one a problem+json with a code, nothing run.
	h.Expect(h.Do("POST", "/api/apps/crm/reports/store-ranking/run", `{"parameters": `), 400, "")
	h.Expect(runReport(h, "store-ranking", map[string]any{"params": 1}), 400, "")
	h.Expect(runReport(h, "store-ranking", map[string]any{"parameters": map[string]any{"nope": 1}}), 400, "report.param")
	h.Expect(runReport(h, "store-ranking", map[string]any{"parameters": map[string]any{"period": 12}}), 400, "report.param")
	h.Expect(runReport(h, "store-ranking", map[string]any{"parameters": map[string]any{"region": map[string]any{"$ne": "x"}}}), 400, "report.param")
	h.Expect(runReport(h, "ghost", nil), 404, "")
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	h.Expect(h.Do("POST", "/api/apps/crm/reports/store-ranking/run", `{"parameters": `+deep+`}`), 400, "")
	h.Expect(runReport(h, "store-ranking", map[string]any{"drill": map[string]any{"cell": map[string]any{"nope": 1}}}), 400, "report.drill")

	// Export: the result as a file, labels and yuan.
	r := h.Do("GET", "/api/apps/crm/reports/store-ranking/export?format=csv&parameters="+url.QueryEscape(`{"period": `+feb+`}`), nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(string(r.Body), "南京西路店") {
		t.Fatalf("export: %d %v %s", r.Status, r.Header, r.Body)
	}
	h.Expect(h.Do("GET", "/api/apps/crm/reports/store-ranking/export?format=pdf", nil), 400, "request.query")
	h.Expect(h.Do("GET", "/api/apps/crm/reports/store-ranking/export?parameters=%7Bbad", nil), 400, "request.query")

	// The wired server hooks record writes, so a rollup builds and is ready.
	if rb := h.Do("POST", "/api/apps/crm/reports/sales-by-store-month/rollup", nil); rb.Status != 200 || !strings.Contains(string(rb.Body), `"ready"`) {
		t.Errorf("rollup build: %d %s", rb.Status, rb.Body)
	}
	charts := h.Do("GET", "/api/report-charts", nil)
	if charts.Status != 200 || !strings.Contains(string(charts.Body), "chart.heatmap") {
		t.Errorf("charts %d %s", charts.Status, charts.Body)
	}
	// Without a session: 401.
	anon := h.As("")
	anon.Expect(runReport(anon, "store-ranking", nil), 401, "")
}

func TestDashboardsHTTP(t *testing.T) {
	c, _ := reportsCRM(t)
	h := c.h
	base := "/api/apps/crm/dashboards/hq-cockpit"
	d := h.Expect(h.Do("GET", base, nil), 200, "")
	if len(d["spec"].(map[string]any)["widgets"].([]any)) < 5 {
		t.Fatalf("dashboard %v", d)
	}
	filters := url.QueryEscape(`{"period": ` + feb + `, "region": "east"}`)
	data := h.Expect(h.Do("GET", base+"/data?filters="+filters, nil), 200, "")
	for _, w := range data["widgets"].([]any) {
		wm := w.(map[string]any)
		if wm["error"] != nil {
			t.Errorf("widget %v: %v", wm["id"], wm["error"])
		}
	}
	one := h.Expect(h.Do("GET", base+"/data?widget=ranking&filters="+filters, nil), 200, "")
	if ws := one["widgets"].([]any); len(ws) != 1 {
		t.Fatalf("one widget: %v", ws)
	}
	h.Expect(h.Do("GET", base+"/data?widget=nope", nil), 404, "dashboard.widget")
	h.Expect(h.Do("GET", base+"/data?filters="+url.QueryEscape(`{"color": "red"}`), nil), 400, "report.param")
	h.Expect(h.Do("GET", base+"/data?filters="+url.QueryEscape(`["x"]`), nil), 400, "request.query")
	h.Expect(h.Do("GET", "/api/apps/crm/dashboards/ghost/data", nil), 404, "")

	r := h.Do("GET", base+"/widgets/ranking/export?format=xlsx&filters="+filters, nil)
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") || len(r.Body) < 100 {
		t.Fatalf("widget export %d %v", r.Status, r.Header)
	}
	r = h.Do("GET", base+"/export?format=csv&filters="+filters, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("dashboard export %d %v %s", r.Status, r.Header, r.Body)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil || len(zr.File) != len(data["widgets"].([]any)) {
		t.Fatalf("zip: %v %v", zr, err)
	}

	// Visibility: a role that may read dashboards but is not listed.
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/analyst", map[string]any{"spec": map[string]any{"title": "分析", "permissions": []any{
		map[string]any{"kind": "dashboard", "key": "*", "actions": []any{"read"}},
		map[string]any{"kind": "report", "key": "*", "actions": []any{"read"}},
		map[string]any{"kind": "form", "key": "*", "actions": []any{"read"}}}}}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/analyst/publish", nil), 200, "")
	h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "ana", "password": apitest.AdminPassword,
		"roles": []any{map[string]any{"app": "crm", "role": "analyst"}}}), 201, "")
	ana := h.As(h.Login("ana", apitest.AdminPassword))
	ana.Expect(ana.Do("GET", base+"/data", nil), 403, "dashboard.hidden")
	ana.Expect(ana.Do("GET", base, nil), 403, "dashboard.hidden")
	// The analyst runs reports (read right on reports and forms).
	ana.Expect(runReport(ana, "sales-kpi", map[string]any{"parameters": map[string]any{"period": json.RawMessage(feb)}}), 200, "")
}

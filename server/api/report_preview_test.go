package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// TestReportDraftRuns: a draft (and an older version) runs through the
// report engine for designers only, and its result never answers a
// published run; an unsaved spec previews the same way, checked as saving
// it would check it, under the caller's row scope.
func TestReportDraftRuns(t *testing.T) {
	c, sales := reportsCRM(t)
	h := c.h
	params := map[string]any{"period": json.RawMessage(feb)}
	published := func(hh *apitest.Harness) map[string]any {
		return hh.Expect(runReport(hh, "store-ranking", map[string]any{"parameters": params}), 200, "")
	}
	pub := published(h)
	if n := len(pub["rows"].([]any)); n != 2 {
		t.Fatalf("published rows %d", n)
	}
	pubVersion := fmt.Sprint(pub["version"])

	// A draft that keeps only the top store (top N, no others row).
	def := h.Expect(h.Do("GET", "/api/apps/crm/meta/report/store-ranking", nil), 200, "")
	var spec map[string]any
	raw, _ := json.Marshal(def["spec"])
	_ = json.Unmarshal(raw, &spec)
	spec["limit"], spec["others"] = 1, false
	saved := h.Expect(h.Do("PUT", "/api/apps/crm/meta/report/store-ranking", map[string]any{"spec": spec}, "If-Match: "+fmt.Sprint(def["version"])), 200, "")

	draft := h.Expect(runReport(h, "store-ranking", map[string]any{"parameters": params, "version": "draft"}), 200, "")
	rows := draft["rows"].([]any)
	if len(rows) != 1 || draft["others"] != nil || fmt.Sprint(draft["version"]) != fmt.Sprint(saved["version"]) || draft["cached"] != false {
		t.Fatalf("draft result %v", draft)
	}
	top := max(sales["S0001"], sales["S0002"])
	if got := fmt.Sprint(rows[0].(map[string]any)["sales"]); got != fmt.Sprint(top) {
		t.Errorf("draft top sales %s, want %d", got, top)
	}
	// The published run after the draft: still the published definition
	// (from the cache, which the draft neither read nor filled).
	again := published(h)
	if len(again["rows"].([]any)) != 2 || again["cached"] != true || fmt.Sprint(again["version"]) != pubVersion {
		t.Errorf("published after draft %v", again)
	}
	// A version by number, in the query.
	old := h.Expect(h.Do("POST", "/api/apps/crm/reports/store-ranking/run?version="+pubVersion, map[string]any{"parameters": params}), 200, "")
	if len(old["rows"].([]any)) != 2 || fmt.Sprint(old["version"]) != pubVersion {
		t.Errorf("version %s: %v", pubVersion, old)
	}
	h.Expect(runReport(h, "store-ranking", map[string]any{"version": "latest"}), 400, "report.version")
	h.Expect(runReport(h, "store-ranking", map[string]any{"version": true}), 400, "request.query")
	h.Expect(runReport(h, "store-ranking", map[string]any{"version": 99}), 404, "")

	// An unsaved spec: a join dimension and a formula measure, run as the
	// engine runs them.
	preview := func(hh *apitest.Harness, body any) apitest.Response {
		return hh.Do("POST", "/api/apps/crm/reports/preview", body)
	}
	regional := map[string]any{"title": "按大区", "dataset": map[string]any{"form": "transactions", "joins": []any{map[string]any{"relation": "store", "as": "s"}}},
		"parameters": []any{map[string]any{"key": "period", "type": "dateRange", "field": "paidAt"}},
		"dimensions": []any{map[string]any{"field": "s.region"}},
		"measures": []any{map[string]any{"op": "sum", "field": "paid", "filter": map[string]any{"status": "completed"}, "as": "sales"},
			map[string]any{"op": "count", "filter": map[string]any{"status": "completed"}, "as": "orders"},
			map[string]any{"op": "formula", "formula": "sales / orders", "as": "aov"}},
		"sort": "-sales", "chart": map[string]any{"type": "chart.bar"}}
	pv := h.Expect(preview(h, map[string]any{"key": "by-region", "spec": regional, "parameters": params}), 200, "")
	var total int64
	for _, r := range pv["rows"].([]any) {
		total += i64(r.(map[string]any)["sales"])
		if r.(map[string]any)["aov"] == nil {
			t.Errorf("no formula value in %v", r)
		}
	}
	if total != sales["S0001"]+sales["S0002"] || fmt.Sprint(pv["version"]) != "0" || pv["chart"].(map[string]any)["type"] != "chart.bar" {
		t.Errorf("preview %v (total %d)", pv, total)
	}
	if r := h.Do("GET", "/api/apps/crm/meta/report/by-region", nil); r.Status != 404 {
		t.Errorf("a preview saved the report: %d", r.Status)
	}

	// Bad previews: the save checks' paths, malformed and unknown bodies.
	bad := map[string]any{"title": "x", "dataset": map[string]any{"form": "transactions"}, "dimensions": []any{map[string]any{"field": "nope"}},
		"measures": []any{map[string]any{"op": "count"}}}
	p := h.Do("POST", "/api/apps/crm/reports/preview", map[string]any{"key": "x", "spec": bad})
	if p.Status != 422 || !strings.Contains(string(p.Body), "spec.dimensions[0].field") {
		t.Errorf("unknown field: %d %s", p.Status, p.Body)
	}
	noMeasures := map[string]any{"title": "x", "dataset": map[string]any{"form": "transactions"}}
	h.Expect(preview(h, map[string]any{"key": "x", "spec": noMeasures}), 422, "meta.invalid")
	h.Expect(preview(h, map[string]any{"key": "x"}), 400, "report.preview_spec")
	h.Expect(preview(h, map[string]any{"spec": regional}), 400, "request.required")
	h.Expect(preview(h, map[string]any{"key": "x", "spec": regional, "extra": 1}), 400, "request.unknown_field")
	h.Expect(preview(h, `{"key": "x", "spec": {`), 400, "request.malformed")
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	h.Expect(preview(h, `{"key": "x", "spec": `+deep+`}`), 400, "")

	// Readers who do not design: no drafts, no previews.
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/reader", map[string]any{"spec": map[string]any{"title": "读者", "permissions": []any{
		map[string]any{"kind": "report", "key": "*", "actions": []any{"read"}},
		map[string]any{"kind": "form", "key": "*", "actions": []any{"read"}}}}}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/reader/publish", nil), 200, "")
	h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "rita", "password": apitest.AdminPassword,
		"roles": []any{map[string]any{"app": "crm", "role": "reader"}}}), 201, "")
	rita := h.As(h.Login("rita", apitest.AdminPassword))
	published(rita)
	rita.Expect(runReport(rita, "store-ranking", map[string]any{"parameters": params, "version": "draft"}), 403, "")
	rita.Expect(runReport(rita, "store-ranking", map[string]any{"parameters": params, "version": saved["version"]}), 403, "")
	rita.Expect(rita.Do("POST", "/api/apps/crm/reports/store-ranking/run?version="+pubVersion, map[string]any{"parameters": params}), 200, "")
	rita.Expect(preview(rita, map[string]any{"key": "by-region", "spec": regional, "parameters": params}), 403, "")

	// A designer whose transactions are scoped to one store previews that
	// store's figures only.
	s1 := c.find("stores", map[string]any{"code": "S0001"})[0]
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/store-designer", map[string]any{"spec": map[string]any{"title": "门店设计", "permissions": []any{
		map[string]any{"kind": "report", "key": "*", "actions": []any{"read", "design"}},
		map[string]any{"kind": "form", "key": "transactions", "actions": []any{"read"}, "scope": map[string]any{"store": jsonStr(s1, "_id")}},
		map[string]any{"kind": "form", "key": "*", "actions": []any{"read"}}}}}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/store-designer/publish", nil), 200, "")
	h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "dora", "password": apitest.AdminPassword,
		"roles": []any{map[string]any{"app": "crm", "role": "store-designer"}}}), 201, "")
	dora := h.As(h.Login("dora", apitest.AdminPassword))
	scoped := dora.Expect(preview(dora, map[string]any{"key": "by-region", "spec": regional, "parameters": params}), 200, "")
	var mine int64
	for _, r := range scoped["rows"].([]any) {
		mine += i64(r.(map[string]any)["sales"])
	}
	if mine != sales["S0001"] {
		t.Errorf("scoped preview sales %d, want %d", mine, sales["S0001"])
	}
	d2 := dora.Expect(runReport(dora, "store-ranking", map[string]any{"parameters": params, "version": "draft"}), 200, "")
	if rs := d2["rows"].([]any); len(rs) != 1 || i64(rs[0].(map[string]any)["sales"]) != sales["S0001"] {
		t.Errorf("scoped draft %v", d2["rows"])
	}
}

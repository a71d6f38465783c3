package report

import (
	"encoding/json"
	"testing"
	"time"
)

// BenchmarkBasketPairs runs the template's basket-pairs report (and the
// churn-risk list) on SQLite over generated CRM data with about 2.3 lines
// of up to 7 categories a transaction, cache bypassed:
//
//	TANGRAM_PAIRS_BENCH_SALES    transactions (default 200000)
//	TANGRAM_PAIRS_BENCH_MEMBERS  members (default 20000)
//
//	go test ./engine/report -run '^$' -bench BasketPairs -benchtime 3x
func BenchmarkBasketPairs(b *testing.B) {
	sales := envInt("TANGRAM_PAIRS_BENCH_SALES", 200000)
	members := envInt("TANGRAM_PAIRS_BENCH_MEMBERS", 20000)
	e := newCRMEnv(b)
	start := time.Now()
	e.loadCRM(500, members, sales)
	b.Logf("generated %d transactions, %d members in %v", sales, members, time.Since(start).Round(time.Millisecond))
	all := map[string]json.RawMessage{"period": json.RawMessage(`{"from": "2025-01-01", "to": "2026-03-31"}`)}
	month := map[string]json.RawMessage{"period": json.RawMessage(`{"from": "2026-02-01", "to": "2026-02-28"}`)}
	mgr := user("mgr", []string{"u-east"}, "store-manager")
	for _, c := range []struct {
		name, report string
		params       map[string]json.RawMessage
		manager      bool
	}{
		{"hq/15-months", "basket-pairs", all, false},
		{"hq/one-month", "basket-pairs", month, false},
		{"store-manager/15-months", "basket-pairs", all, true},
		{"churn-risk/hq", "churn-risk", nil, false},
		{"churn-risk/store-manager", "churn-risk", nil, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := e.admin
			if c.manager {
				p = mgr
			}
			rows := 0
			for b.Loop() {
				r, err := e.svc.Run(e.ctx, p, "crm", c.report, RunRequest{Parameters: c.params, NoCache: true})
				if err != nil {
					b.Fatal(err)
				}
				rows = len(r.Rows)
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

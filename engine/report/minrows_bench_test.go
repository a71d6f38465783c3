package report

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/tangram/tangram/engine/meta"
)

// The cost of the repeat-buyer measure (a second, two-level group-by of
// the same rows) next to the distinct buyers alone, per month over 15
// months of generated sales, from the records (no cache):
//
//	go test -run '^$' -bench 'Repurchase' -benchtime 5x ./engine/report/
func BenchmarkRepurchaseBuyersOnly(b *testing.B) { repurchaseBench(b, false) }

// BenchmarkRepurchaseStandard adds the repeat buyers and the rate.
func BenchmarkRepurchaseStandard(b *testing.B) { repurchaseBench(b, true) }

func repurchaseBench(b *testing.B, repeat bool) {
	e := newEnv(b)
	e.load(20, 20000, 100000)
	measures := `{"op": "countDistinct", "field": "member", "filter": {"status": "completed"}, "as": "buyers"}`
	if repeat {
		measures += `, {"op": "countDistinct", "field": "member", "filter": {"status": "completed"}, "minRows": 2, "as": "repeatBuyers"},
		 {"op": "formula", "formula": "repeatBuyers / buyers", "as": "rate"}`
	}
	e.publish(meta.KindReport, "rep", fmt.Sprintf(`{"title": "r", "dataset": {"form": "transactions"},
	 "parameters": [{"key": "period", "type": "dateRange", "field": "paidAt"}],
	 "dimensions": [{"field": "paidAt", "bucket": "month", "as": "month"}], "measures": [%s]}`, measures))
	params := map[string]json.RawMessage{"period": json.RawMessage(`{"from": "2025-01-01", "to": "2026-03-31"}`)}
	b.ResetTimer()
	for b.Loop() {
		r, err := e.svc.Run(e.ctx, e.admin, "crm", "rep", RunRequest{Parameters: params, NoCache: true})
		if err != nil || len(r.Rows) != 15 {
			b.Fatalf("%v %d rows", err, len(r.Rows))
		}
	}
}

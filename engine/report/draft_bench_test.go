package report

import (
	"testing"

	"github.com/tangram/tangram/engine/meta"
)

// The designer's preview of sales by store × month: the spec checked as a
// save would check it, compiled, and run over every transaction (never a
// rollup, never the cache). Compare with BenchmarkStoreMonthRaw, the
// published run of the same report.
func BenchmarkPreviewStoreMonth(b *testing.B) {
	bd := benchEnv(b)
	def, err := bd.e.meta.Get(bd.e.ctx, "crm", meta.KindReport, "sales-by-store-month")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var r *Result
	for b.Loop() {
		if r, err = bd.built.Preview(bd.e.ctx, bd.e.admin, "crm", "sales-by-store-month", def.Spec, RunRequest{Parameters: wholeRange}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if r.Source != "raw" || r.Cached {
		b.Fatalf("preview source %s cached %v", r.Source, r.Cached)
	}
	b.ReportMetric(float64(len(r.Rows)), "rows")
	b.ReportMetric(float64(bd.sales), "sales")
}

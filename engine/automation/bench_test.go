package automation_test

import (
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/meta"
)

// BenchmarkEventsEndToEnd: events written to the outbox, dispatched,
// claimed and run (a ledger entry and a message each) by one runner, on
// the embedded store. b.N events per round; the figure is events/s.
func BenchmarkEventsEndToEnd(b *testing.B) {
	e := newEnv(b)
	e.define(meta.KindAutomation, "gift", pointsAndMessage)
	e.svc = e.newService(automation.Options{Workers: 32, Batch: 500, Retention: -1, LeaseTTL: time.Minute})
	e.writeEvents(b.N)
	b.ResetTimer()
	start := time.Now()
	res := e.drain()
	b.StopTimer()
	if res.Executed != b.N {
		b.Fatalf("executed %d runs for %d events", res.Executed, b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

package workflow_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/workflow"
)

const toggleFlow = `{"title": "开关", "form": "upgrades", "initial": "closed",
  "states": [{"key": "closed"}, {"key": "open"}, {"key": "done", "type": "final"}],
  "transitions": [
    {"trigger": "open", "from": "closed", "to": "open", "guard": {"filter": {"points": {"$gte": 0}}}},
    {"trigger": "close", "from": "open", "to": "closed"},
    {"trigger": "finish", "from": ["open", "closed"], "to": "done"}
  ]}`

// records creates n upgrade requests as the clerk.
func (e *env) records(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.create(e.clerk, map[string]any{"member": fmt.Sprintf("会员%d", i), "store": e.shop, "points": i})
	}
	return ids
}

// BenchmarkTransition fires one guarded transition per iteration, each on
// its own record: the record's state and revision, the timeline entry, the
// outbox event and the audit entry in one transaction.
func BenchmarkTransition(b *testing.B) {
	e := newEnv(b)
	e.define(meta.KindFlow, "toggle", toggleFlow)
	ids := e.records(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.wf.Fire(e.ctx, e.clerk, "crm", "upgrades", ids[i], "open", workflow.Input{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
}

// BenchmarkTransitionParallel is BenchmarkTransition from 32 concurrent
// clients: the store's writer commits their transactions in groups.
func BenchmarkTransitionParallel(b *testing.B) {
	e := newEnv(b)
	e.define(meta.KindFlow, "toggle", toggleFlow)
	ids := e.records(b.N)
	var next atomic.Int64
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[next.Add(1)-1]
			if _, err := e.wf.Fire(e.ctx, e.clerk, "crm", "upgrades", id, "open", workflow.Input{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
}

// BenchmarkApproval submits a record into a two-step sequential approval
// and decides both tasks: three transactions and two task lookups per
// iteration.
func BenchmarkApproval(b *testing.B) {
	e := newEnv(b)
	e.define(meta.KindFlow, "upgrade", upgradeFlow)
	ids := e.records(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.fire(e.clerk, ids[i], "submit"); err != nil {
			b.Fatal(err)
		}
		for _, who := range []*struct{ step int }{{1}, {2}} {
			p := e.storeMgr
			if who.step == 2 {
				p = e.regionMgr
			}
			page, err := e.wf.Inbox(e.ctx, p, workflow.InboxQuery{Limit: 1})
			if err != nil || len(page.Tasks) != 1 {
				b.Fatalf("inbox: %v %v", page, err)
			}
			if _, err := e.decide(p, page.Tasks[0].ID, workflow.DecisionApprove); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "approvals/s")
}

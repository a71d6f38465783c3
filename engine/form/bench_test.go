package form

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkCreateParallel measures record creates through the service on
// the embedded store: validation, default, auto-number, a relation check,
// a formula, a lookup on the response, two rollups on one of 200 members,
// history and audit, each in its own durable transaction. Run with
// go test ./engine/form -run '^$' -bench CreateParallel -cpu 32.
func BenchmarkCreateParallel(b *testing.B) {
	e := newEnv(b).crm()
	var ids []any
	for i := range 200 {
		ids = append(ids, e.create(e.admin, "members", map[string]any{"name": fmt.Sprint("会员", i)})[SysID])
	}
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			in := map[string]any{"member": ids[i%int64(len(ids))], "price": "12.50", "qty": i%5 + 1, "storeId": fmt.Sprint("s", i%10)}
			if _, err := e.rec.Create(e.ctx, e.admin, "crm", "orders", in, WriteOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}

// BenchmarkCreateMembersParallel is the plain case: a member with a
// unique phone and an auto-number, no relations.
func BenchmarkCreateMembersParallel(b *testing.B) {
	e := newEnv(b).crm()
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			in := map[string]any{"name": fmt.Sprint("会员", i), "phone": fmt.Sprintf("139%08d", i)}
			if _, err := e.rec.Create(e.ctx, e.admin, "crm", "members", in, WriteOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}

// BenchmarkCreateMany measures batch creates of members (the data
// generator's and importer's path): 1,000 inputs per call, each with a
// unique phone, an auto-number and a default, in one transaction with
// multi-row inserts. Run with
// go test ./engine/form -run '^$' -bench CreateMany -benchtime 50x.
func BenchmarkCreateMany(b *testing.B) {
	e := newEnv(b).crm()
	const batch = 1000
	n := 0
	b.ResetTimer()
	for range b.N {
		in := make([]map[string]any, batch)
		for i := range in {
			n++
			in[i] = map[string]any{"name": fmt.Sprint("会员", n), "phone": fmt.Sprintf("139%08d", n), "points": n % 5000, "storeId": fmt.Sprint("s", n%10)}
		}
		if _, err := e.rec.CreateMany(e.ctx, e.admin, "crm", "members", in, WriteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "records/s")
}

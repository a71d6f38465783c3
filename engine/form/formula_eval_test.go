package form

import (
	"fmt"
	"sync"
	"testing"
)

// A member's rollups (kept by its orders' writes) and lookups read in a
// trial on the stored record, as the record's reader sees them.
func TestTryFormulaOnStoredRollups(t *testing.T) {
	e := newEnv(t).crm()
	m := e.create(e.admin, "members", map[string]any{"name": "李四"})
	for _, q := range []int{1, 3} {
		e.create(e.admin, "orders", map[string]any{"member": m[SysID], "price": "2.00", "qty": q})
	}
	res, err := e.rec.TryFormula(e.ctx, e.admin, "crm", "members", FormulaTrial{Expression: "name + ':' + spent + '/' + orderCount", RecordID: m[SysID].(string)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Value != "李四:800/2" || res.Type != "text" || len(res.Errors) != 0 {
		t.Fatalf("trial: %+v", res)
	}
	// A non-designer is refused even with read rights.
	e.publish("role", "clerk", `{"title": "clerk", "permissions": [{"kind": "form", "key": "members", "actions": ["read"]}]}`)
	if _, err := e.rec.TryFormula(e.ctx, user("u1", nil, "clerk"), "crm", "members", FormulaTrial{Expression: "1"}); err == nil {
		t.Fatal("a clerk tried a formula")
	}
}

// Trials run at once on the shared script engine each see their own sample.
func TestTryFormulaConcurrent(t *testing.T) {
	e := newEnv(t).crm()
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.rec.TryFormula(e.ctx, e.admin, "crm", "orders", FormulaTrial{Expression: "amount + qty", Draft: i%2 == 0,
				Record: map[string]any{"price": "1.00", "qty": i + 1}})
			if err != nil {
				errc <- err
				return
			}
			if want := int64(100*(i+1) + i + 1); res.Value != want || res.Type != "number" {
				errc <- fmt.Errorf("trial %d: %v, want %v", i, res.Value, want)
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
}

// BenchmarkTryFormula is one designer's trial on a typed sample: the
// published form from the cache, the expression compiled (cached) and its
// names checked in the sandbox, the sample normalized, the form's formula
// and the tried one evaluated. go test ./engine/form -run '^$' -bench TryFormula
func BenchmarkTryFormula(b *testing.B) {
	e := newEnv(b).crm()
	trial := FormulaTrial{Expression: "ROUND(amount * 1.05) + qty", ResultType: "money", Record: map[string]any{"price": "12.30", "qty": 2}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.rec.TryFormula(e.ctx, e.admin, "crm", "orders", trial); err != nil {
			b.Fatal(err)
		}
	}
}

package form

import (
	"fmt"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/meta"
)

// TestListPagingStableUnderInserts pages through members by a sort with
// ties while other goroutines keep inserting: every record that existed
// before paging started is seen exactly once.
func TestListPagingStableUnderInserts(t *testing.T) {
	e := newEnv(t).crm()
	before := map[string]bool{}
	for i := range 120 {
		m := e.create(e.admin, "members", map[string]any{"name": fmt.Sprintf("m%03d", i), "points": i % 7})
		before[m[SysID].(string)] = true
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.rec.Create(e.ctx, e.admin, "crm", "members", map[string]any{"name": fmt.Sprintf("new%d-%d", w, i), "points": i % 7}, WriteOptions{}); err != nil {
					t.Errorf("insert: %v", err)
					return
				}
			}
		}()
	}
	for _, sort := range []string{"points", "-points,name", ""} {
		seen := map[string]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			page, err := e.rec.List(e.ctx, e.admin, "crm", "members", ListQuery{Sort: sort, Limit: 25, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				id := it[SysID].(string)
				if seen[id] {
					t.Fatalf("sort %q: %s seen twice", sort, id)
				}
				seen[id] = true
			}
			if page.Next == "" || pages > 100 {
				break
			}
			cursor = page.Next
		}
		for id := range before {
			if !seen[id] {
				t.Fatalf("sort %q: %s never seen", sort, id)
			}
		}
	}
	close(stop)
	wg.Wait()
}

func TestListFilterSearchCountView(t *testing.T) {
	e := newEnv(t).crm()
	for _, in := range []map[string]any{
		{"name": "张三丰", "tier": "gold", "note": "vip", "points": 10},
		{"name": "张无忌", "points": 20},
		{"name": "李四", "tier": "gold", "note": "x", "points": 30},
	} {
		e.create(e.admin, "members", in)
	}
	list := func(q ListQuery) Page {
		t.Helper()
		p, err := e.rec.List(e.ctx, e.admin, "crm", "members", q)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	names := func(p Page) string {
		s := ""
		for _, it := range p.Items {
			s += str(it["name"]) + ","
		}
		return s
	}
	if p := list(ListQuery{Search: "张", Sort: "points"}); names(p) != "张三丰,张无忌," || p.Total != nil {
		t.Fatalf("search 张: %s total %v", names(p), p.Total)
	}
	if p := list(ListQuery{Search: "三丰"}); names(p) != "张三丰," {
		t.Fatalf("search 三丰: %s", names(p))
	}
	p := list(ListQuery{Filter: []byte(`{"tier": "gold", "points": {"$gte": 20}}`), Count: true})
	if names(p) != "李四," || p.Total == nil || *p.Total != 1 {
		t.Fatalf("filter: %s total %v", names(p), p.Total)
	}
	if p := list(ListQuery{Limit: 2, Count: true, Sort: "-points"}); names(p) != "李四,张无忌," || *p.Total != 3 || p.Next == "" {
		t.Fatalf("count with paging: %s %v %q", names(p), *p.Total, p.Next)
	}
	_, err := e.rec.List(e.ctx, e.admin, "crm", "members", ListQuery{Filter: []byte(`{"nosuch": 1}`)})
	wantCode(t, err, "query.invalid")
	wantPaths(t, err, "filter.nosuch")
	_, err = e.rec.List(e.ctx, e.admin, "crm", "members", ListQuery{Limit: 1001})
	wantCode(t, err, "record.limit")

	e.publish(meta.KindView, "gold", `{"title": "金卡", "form": "members", "filter": {"tier": "gold"}, "sort": "-points", "columns": [{"field": "name"}]}`)
	p = list(ListQuery{View: "gold"})
	if names(p) != "李四,张三丰," || p.Items[0]["points"] != nil || p.Items[0][SysID] == nil {
		t.Fatalf("view: %v", p.Items)
	}
	if p := list(ListQuery{View: "gold", Filter: []byte(`{"points": {"$lt": 20}}`)}); names(p) != "张三丰," {
		t.Fatalf("view AND filter: %s", names(p))
	}
	e.publish(meta.KindView, "orderview", `{"title": "o", "form": "orders"}`)
	_, err = e.rec.List(e.ctx, e.admin, "crm", "members", ListQuery{View: "orderview"})
	wantCode(t, err, "record.view_form")
}

func TestAggregate(t *testing.T) {
	e := newEnv(t).crm()
	skipWithoutAggregation(t, e)
	for i, s := range []string{"s1", "s1", "s2"} {
		e.create(e.admin, "members", map[string]any{"name": fmt.Sprint("m", i), "storeId": s, "points": (i + 1) * 10})
	}
	rows, err := e.rec.Aggregate(e.ctx, e.admin, "crm", "members",
		[]byte(`{"groupBy": [{"field": "storeId"}], "measures": [{"op": "count", "as": "n"}, {"op": "sum", "field": "points", "as": "p"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0]["storeId"] != "s1" || str(rows[0]["n"]) != "2" || str(rows[0]["p"]) != "30" || str(rows[1]["p"]) != "30" {
		t.Fatalf("rows %v", rows)
	}
}

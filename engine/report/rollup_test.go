package report

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

const rolledSales = `{"title": "Sales by region and month", "dataset": {"form": "transactions", "joins": [{"relation": "store", "as": "store"}]},
 "parameters": [{"key": "period", "type": "dateRange", "field": "paidAt"}, {"key": "channel", "type": "value", "field": "channel"}],
 "dimensions": [{"field": "store.region", "as": "region"}, {"field": "paidAt", "bucket": "month", "as": "month"}],
 "measures": [{"op": "count", "as": "orders"}, {"op": "sum", "field": "paid", "as": "sales"}, {"op": "avg", "field": "paid", "as": "avgPaid"},
   {"op": "min", "field": "paid", "as": "minPaid"}, {"op": "max", "field": "amount", "as": "maxAmount"}, {"op": "sum", "field": "weight", "as": "weight"},
   {"op": "countDistinct", "field": "store", "as": "stores"}, {"op": "count", "filter": {"status": "refunded"}, "as": "refunds"},
   {"op": "formula", "formula": "sales / orders", "as": "aov"}],
 "rollup": {"dateField": "paidAt", "grain": ["store", "storeUnit", "status", "channel"]}, "totals": true}`

// writer applies random writes to transactions through the hook, the way
// the records write path will: each write and its hook in one transaction.
type writer struct {
	e    *env
	hook WriteHook
	rng  *rand.Rand
	mu   sync.Mutex
	n    int
}

func (w *writer) write(t testing.TB) {
	w.mu.Lock()
	w.n++
	n, rng := w.n, w.rng
	op := rng.IntN(10)
	storeID := w.e.data.stores[rng.IntN(len(w.e.data.stores))]
	paid := int64(rng.IntN(50000) + 1)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, query.DefaultLocation).Add(time.Duration(rng.IntN(445*24*60)) * time.Minute)
	pick := rng.IntN(1 << 30)
	w.mu.Unlock()
	coll := form.RecordsCollection("crm", "transactions")
	stamp := query.FormatTime(time.Now())
	err := w.e.st.Tx(w.e.ctx, func(tx store.Ops) error {
		if op < 3 { // insert
			doc := store.Doc{"_id": fmt.Sprintf("w%06d", n), "_version": int64(1), "_deleted": false, "_createdAt": stamp, "_updatedAt": stamp,
				"store": storeID["_id"], "storeUnit": storeID["orgUnit"], "paidAt": query.FormatTime(at), "paid": paid, "amount": paid + 10,
				"weight": json.Number(fmt.Sprintf("%d.5", n%7)), "status": []string{"completed", "refunded"}[n%2], "channel": []string{"pos", "online"}[n%3%2]}
			if _, err := tx.Insert(w.e.ctx, coll, doc); err != nil {
				return err
			}
			return w.hook(w.e.ctx, tx, "crm", "transactions", nil, doc)
		}
		docs, err := tx.Find(w.e.ctx, coll, store.Query{Skip: pick % 500, Limit: 1})
		if err != nil || len(docs) == 0 {
			return err
		}
		before := docs[0]
		set := map[string]any{"_updatedAt": stamp, "_version": intOf(before["_version"]) + 1}
		switch op {
		case 3, 4: // change amounts
			set["paid"], set["amount"] = paid, paid*2
		case 5: // move to another store and day
			set["store"], set["storeUnit"], set["paidAt"] = storeID["_id"], storeID["orgUnit"], query.FormatTime(at)
		case 6: // refund
			set["status"] = "refunded"
		case 7, 8: // delete (soft) or restore
			set["_deleted"] = before["_deleted"] != true
		default: // lose the time
			set["paidAt"] = nil
		}
		after, err := tx.Update(w.e.ctx, coll, before["_id"].(string), store.Patch{Set: set}, nil)
		if err != nil {
			return err
		}
		return w.hook(w.e.ctx, tx, "crm", "transactions", before, after)
	})
	if err != nil {
		t.Errorf("write %d: %v", n, err)
	}
}

// rawService is a second service on the same store that is not hooked,
// so it always reads the records: the reference for rollup runs.
func (e *env) rawService() *Service {
	return New(Deps{Store: e.st, Meta: e.meta, Guard: e.svc.guard, Records: e.rec, Now: e.svc.now})
}

func TestRollupEqualsRawAfterRandomWrites(t *testing.T) {
	e := newEnv(t)
	e.load(7, 40, 2000)
	e.publish(meta.KindReport, "rolled", rolledSales)
	e.publish(meta.KindReport, "rolled-int", rolledIntSales)
	w := &writer{e: e, hook: e.svc.Hook(), rng: rand.New(rand.NewPCG(3, 5))}
	// Writes while the rollup is being built: the build's month slices
	// and the hooks run in separate transactions, in any order.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 100 {
			w.write(t)
		}
	}()
	for _, k := range []string{"rolled", "rolled-int"} {
		st, err := e.svc.BuildRollup(e.ctx, e.admin, "crm", k)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != rollupReady || st.Cells == 0 {
			t.Fatalf("build: %+v", st)
		}
	}
	wg.Wait()
	for range 300 {
		w.write(t)
	}
	raw := e.rawService()
	for _, key := range []string{"rolled", "rolled-int"} {
		rolledEqualsRaw(t, e, raw, key)
	}
	// A region manager's scope is on storeUnit, a grain field: the rollup
	// still answers, with the same numbers as the records.
	e.publish(meta.KindRole, "region-manager", regionManagerRole)
	mgr := user("m", []string{"u-south"}, "region-manager")
	got, want := e.run(mgr, "rolled", nil), must(raw.Run(e.ctx, mgr, "crm", "rolled", RunRequest{Lang: "en"}))
	if got.Source != "rollup" || !reflect.DeepEqual(got.Rows, want.Rows) {
		t.Fatalf("scoped: source %s\n%v\n%v", got.Source, got.Rows, want.Rows)
	}
}

// rolledIntSales keeps counts and integer sums only: its cells move by
// increments without being read, and a change within a cell by the
// difference.
const rolledIntSales = `{"title": "Orders by region", "dataset": {"form": "transactions", "joins": [{"relation": "store", "as": "store"}]},
 "parameters": [{"key": "period", "type": "dateRange", "field": "paidAt"}, {"key": "channel", "type": "value", "field": "channel"}],
 "dimensions": [{"field": "store.region", "as": "region"}, {"field": "paidAt", "bucket": "month", "as": "month"}],
 "measures": [{"op": "count", "as": "orders"}, {"op": "sum", "field": "paid", "as": "sales"}, {"op": "avg", "field": "amount", "as": "avgAmount"}],
 "rollup": {"dateField": "paidAt", "grain": ["store", "storeUnit", "status", "channel"]}, "totals": true}`

// rolledEqualsRaw fails unless the report answers from its rollup what
// the unhooked service answers from the records, for several parameters.
func rolledEqualsRaw(t *testing.T, e *env, raw *Service, key string) {
	t.Helper()
	for _, params := range []map[string]any{
		nil,
		{"period": map[string]string{"from": "2025-03-01", "to": "2025-08-31"}},
		{"period": "lastMonth", "channel": "pos"},
		{"channel": []string{"online"}},
		{"period": map[string]string{"from": "2025-03-05", "to": "2025-08-20"}}, // not whole months: the day level
		// Ends inside the data's last month (sales run to about 21 March
		// 2026): the sales after the 10th keep the month level out.
		{"period": map[string]string{"from": "2025-03-01", "to": "2026-03-10"}},
		// Ends inside a month with nothing dated after the end in it (the
		// usual "this year, up to today"): that month's cell answers whole.
		{"period": map[string]string{"from": "2025-03-01", "to": "2026-03-25"}},
	} {
		got := e.run(e.admin, key, params)
		if got.Source != "rollup" {
			t.Fatalf("%s %v: source %s, want rollup", key, params, got.Source)
		}
		pj := map[string]json.RawMessage{}
		for k, v := range params {
			pj[k], _ = json.Marshal(v)
		}
		want, err := raw.Run(e.ctx, e.admin, "crm", key, RunRequest{Parameters: pj, Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if want.Source != "raw" {
			t.Fatalf("reference source %s", want.Source)
		}
		if !reflect.DeepEqual(got.Rows, want.Rows) || !reflect.DeepEqual(got.Totals, want.Totals) {
			t.Fatalf("%s %v: rollup and records differ\nrollup %v\nraw    %v\ntotals %v / %v", key, params, got.Rows, want.Rows, got.Totals, want.Totals)
		}
		if len(got.Rows) == 0 {
			t.Fatalf("%s %v: no rows", key, params)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A run the rollup cannot answer reads the records: a scope on a field the
// rollup lacks, an hour of day on a rollup of days (one with a maximum,
// whose cells stay days: rollup_hour_test.go has the hour rollups).
func TestRollupFallsBackToRecords(t *testing.T) {
	e := newEnv(t)
	e.load(4, 20, 300)
	e.publish(meta.KindReport, "rolled", rolledSales)
	e.publish(meta.KindReport, "hours", `{"title": "h", "dataset": {"form": "transactions"}, "dimensions": [{"field": "paidAt", "bucket": "hourOfDay"}],
		"measures": [{"op": "count"}, {"op": "max", "field": "paid"}], "rollup": {"dateField": "paidAt", "grain": ["store"]}}`)
	e.svc.Hook()
	for _, k := range []string{"rolled", "hours"} {
		if _, err := e.svc.BuildRollup(e.ctx, e.admin, "crm", k); err != nil {
			t.Fatal(err)
		}
	}
	if r := e.run(e.admin, "hours", nil); r.Source != "raw" {
		t.Errorf("hour of day: source %s", r.Source)
	}
	e.publish(meta.KindRole, "by-receipt", `{"title": "r", "permissions": [{"kind": "form", "key": "transactions", "actions": ["read"], "scope": {"receiptId": {"$startsWith": "R00"}}},
		{"kind": "form", "key": "stores", "actions": ["read"]}, {"kind": "report", "key": "*", "actions": ["read"]}]}`)
	if r := e.run(user("u", nil, "by-receipt"), "rolled", nil); r.Source != "raw" {
		t.Errorf("scope on a field outside the grain: source %s", r.Source)
	}
	if r := e.run(e.admin, "rolled", nil); r.Source != "rollup" {
		t.Errorf("HQ: source %s", r.Source)
	}
	// Not hooked: no rollups, and no build.
	raw := e.rawService()
	if _, err := raw.BuildRollup(e.ctx, e.admin, "crm", "rolled"); err == nil {
		t.Error("a rollup was built by a service whose writes do not maintain it")
	}
}

func TestCacheInvalidatedByWrites(t *testing.T) {
	e := newEnv(t)
	e.load(3, 10, 200)
	e.publish(meta.KindReport, "trend", salesTrend)
	params := map[string]any{"period": map[string]string{"from": "2025-01-01", "to": "2026-12-31"}}
	first := e.run(e.admin, "trend", params)
	second := e.run(e.admin, "trend", params)
	if first.Cached || !second.Cached {
		t.Fatalf("cached: %v then %v", first.Cached, second.Cached)
	}
	orders := func(r *Result) (n int64) {
		for _, row := range r.Rows {
			n += intOf(row["orders"])
		}
		return n
	}
	coll := form.RecordsCollection("crm", "transactions")
	// A write through the records service's path stamps _updatedAt.
	newSale := func(id, stamp string) store.Doc {
		return store.Doc{"_id": id, "_version": int64(1), "_deleted": false, "_createdAt": stamp, "_updatedAt": stamp,
			"paidAt": "2025-05-05T05:05:05.000Z", "paid": int64(100), "status": "completed"}
	}
	if _, err := e.st.Insert(e.ctx, coll, newSale("x1", query.FormatTime(time.Now()))); err != nil {
		t.Fatal(err)
	}
	third := e.run(e.admin, "trend", params)
	if third.Cached || orders(third) != orders(first)+1 {
		t.Fatalf("after an insert: cached %v, orders %d (was %d)", third.Cached, orders(third), orders(first))
	}
	// Another write within the same millisecond as the newest one.
	if _, err := e.st.Insert(e.ctx, coll, newSale("x0", third.stamp(e))); err != nil {
		t.Fatal(err)
	}
	if r := e.run(e.admin, "trend", params); r.Cached || orders(r) != orders(third)+1 {
		t.Fatalf("after a write in the same millisecond: cached %v", r.Cached)
	}
	// A write that sets no stamp (a rollup field recomputed) is seen
	// through the hook's counter.
	hook := e.svc.Hook()
	err := e.st.Tx(e.ctx, func(tx store.Ops) error {
		before, err := tx.Get(e.ctx, coll, "x1")
		if err != nil {
			return err
		}
		after, err := tx.Update(e.ctx, coll, "x1", store.Patch{Set: map[string]any{"paid": int64(5000)}}, nil)
		if err != nil {
			return err
		}
		return hook(e.ctx, tx, "crm", "transactions", before, after)
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.run(e.admin, "trend", params); r.Cached {
		t.Fatal("a hooked write without a stamp did not invalidate the cache")
	}
	if hits := e.svc.Stats.CacheHits.Load(); hits != 1 {
		t.Errorf("cache hits %d, want 1", hits)
	}
}

// stamp is the newest _updatedAt of the transactions.
func (r *Result) stamp(e *env) string {
	docs, err := e.st.Find(e.ctx, form.RecordsCollection("crm", "transactions"), store.Query{Sort: []query.SortKey{{Field: fUpdatedAt, Desc: true}}, Limit: 1})
	if err != nil || len(docs) == 0 {
		e.t.Fatal(err)
	}
	return docs[0]["_updatedAt"].(string)
}

// Two reports of one rollup shape share a collection; BuildRollups leaves
// a ready rollup alone, except one in a collection of its own (built
// before shapes shared one), which it rebuilds into its shape's.
func TestRollupShapesShareCollection(t *testing.T) {
	e := newEnv(t)
	e.load(3, 10, 200)
	e.publish(meta.KindReport, "a", rolledIntSales)
	e.publish(meta.KindReport, "b", strings.Replace(rolledIntSales, `"totals": true`, `"totals": false`, 1))
	e.svc.Hook()
	sa := must(e.svc.BuildRollup(e.ctx, e.admin, "crm", "a"))
	sb := must(e.svc.BuildRollup(e.ctx, e.admin, "crm", "b"))
	if sa.Coll != sb.Coll {
		t.Fatalf("collections %s and %s for one shape", sa.Coll, sb.Coll)
	}
	// "a" as a rollup built before: its own collection, a copy of the cells.
	defs := must(readRegistry(e.ctx, e.st, "crm", "transactions"))
	old := *defs[slices.IndexFunc(defs, func(d *rollupDef) bool { return d.Report == "a" })]
	old.Coll = "report_rollup_old_a"
	for _, level := range rollupLevels {
		cells := must(e.st.Find(e.ctx, sa.Coll+strings.TrimPrefix(old.coll(level), old.Coll), store.Query{Limit: store.MaxLimit}))
		if _, err := e.st.InsertMany(e.ctx, old.coll(level), cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.Tx(e.ctx, func(tx store.Ops) error { return writeRegistry(e.ctx, tx, "crm", "transactions", &old) }); err != nil {
		t.Fatal(err)
	}
	if r := e.run(e.admin, "a", nil); r.Source != "rollup" {
		t.Fatalf("old collection: source %s", r.Source)
	}
	got := map[string]string{}
	for _, st := range must(e.svc.BuildRollups(e.ctx, e.admin, "crm")) {
		got[st.Report] = st.Coll
	}
	if got["a"] != sa.Coll || got["b"] != sa.Coll {
		t.Fatalf("after BuildRollups: %v, want both in %s", got, sa.Coll)
	}
	for _, d := range must(readRegistry(e.ctx, e.st, "crm", "transactions")) {
		if d.Coll != sa.Coll || d.State != rollupReady {
			t.Fatalf("registry entry %+v", d)
		}
	}
	raw := e.rawService()
	for _, key := range []string{"a", "b"} {
		rolledEqualsRaw(t, e, raw, key)
	}
}

package action

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/report"
	"github.com/tangram/tangram/engine/store"
)

// Report rollups kept by the records write hook while actions speculate:
// the hook's work is deferred to the replay (form.Deferrer), so runs that
// write into the same rollup cells no longer conflict, and the cells stay
// exactly what a rebuild from the records gives.

const ticketsSpec = `{"title": "小票", "fields": [
  {"key": "store", "type": "text", "label": "门店"},
  {"key": "soldAt", "type": "datetime", "label": "时间"},
  {"key": "amount", "type": "money", "label": "金额"},
  {"key": "weight", "type": "number", "precision": 3, "label": "重量"},
  {"key": "status", "type": "select", "label": "状态", "options": [
    {"value": "completed", "label": "完成"}, {"value": "refunded", "label": "已退"}]}]}`

// Three rollups: one of counts and integer sums (kept by increments
// alone), another report of the same shape (sharing its cells, which the
// hook must then move once, not twice), and one with a decimal sum and
// extremes (read and set).
const (
	ticketsSimple = `{"title": "按店", "dataset": {"form": "tickets"},
  "dimensions": [{"field": "store", "as": "store"}, {"field": "soldAt", "bucket": "month", "as": "month"}],
  "measures": [{"op": "count", "as": "n"}, {"op": "sum", "field": "amount", "as": "sales"}],
  "rollup": {"dateField": "soldAt", "grain": ["store", "status"]}}`
	ticketsSame = `{"title": "按状态", "dataset": {"form": "tickets"},
  "dimensions": [{"field": "status", "as": "status"}],
  "measures": [{"op": "sum", "field": "amount", "as": "sales"}, {"op": "count", "as": "n"}],
  "rollup": {"dateField": "soldAt", "grain": ["status", "store"]}}`
	ticketsFull = `{"title": "全量", "dataset": {"form": "tickets"},
  "dimensions": [{"field": "store", "as": "store"}, {"field": "soldAt", "bucket": "day", "as": "day"}],
  "measures": [{"op": "count", "as": "n"}, {"op": "sum", "field": "amount", "as": "sales"}, {"op": "sum", "field": "weight", "as": "w"},
    {"op": "min", "field": "amount", "as": "lo"}, {"op": "max", "field": "amount", "as": "hi"}],
  "rollup": {"dateField": "soldAt", "grain": ["store"]}}`
)

// rollupReports are the reports with rollups over tickets.
var rollupReports = []string{"tickets-simple", "tickets-same", "tickets-full"}

// rollupEnv is env with tickets, the two reports, their rollups built and
// the report service's write hook attached to the records.
func rollupEnv(t *testing.T) (*env, *report.Service) {
	e := newEnv(t)
	if e.st.Backend() != "sqlite" {
		// Building a rollup aggregates the records, which lungo does not
		// do (store.ErrUnsupported); runs there do not speculate anyway.
		t.Skip("rollups need the store's aggregation")
	}
	e.publish(meta.KindForm, "tickets", ticketsSpec)
	e.publish(meta.KindReport, "tickets-simple", ticketsSimple)
	e.publish(meta.KindReport, "tickets-same", ticketsSame)
	e.publish(meta.KindReport, "tickets-full", ticketsFull)
	rep := report.New(report.Deps{Store: e.st, Meta: e.meta, Guard: e.svc.guard, Records: e.rec})
	e.rec.SetWriteHook(rep.Hook())
	colls := map[string]string{}
	for _, k := range rollupReports {
		st, err := rep.BuildRollup(e.ctx, e.admin, "shop", k)
		if err != nil {
			t.Fatal(err)
		}
		colls[k] = st.Coll
	}
	if colls["tickets-simple"] != colls["tickets-same"] || colls["tickets-simple"] == colls["tickets-full"] {
		t.Fatalf("rollup collections %v: want one per shape", colls)
	}
	for key, src := range map[string]string{
		"sell":   `return records.create('tickets', {store: input.store, soldAt: input.at, amount: input.amount, weight: input.weight, status: 'completed'})._id;`,
		"adjust": `const t = records.get('tickets', input.id); return records.update('tickets', t._id, {amount: input.amount, weight: input.weight})._id;`,
		"refund": `return records.update('tickets', input.id, {status: 'refunded'})._id;`,
		"move":   `return records.update('tickets', input.id, {store: input.store, soldAt: input.at})._id;`,
	} {
		e.publish(meta.KindAction, key, `{"title": "x", "input": {}, "script": `+jsonString(src)+`}`)
	}
	return e, rep
}

// cells reads every rollup cell of tickets, numbers as exact text.
func cells(e *env) map[string]string {
	e.t.Helper()
	reg, err := e.st.Get(e.ctx, "report_rollups", "shop:tickets")
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range reg["rollups"].([]any) {
		coll := r.(map[string]any)["coll"].(string)
		for _, c := range []string{coll, coll + "_m"} {
			docs, err := e.st.Find(e.ctx, c, store.Query{Limit: store.MaxLimit})
			if err != nil {
				e.t.Fatal(err)
			}
			for _, d := range docs {
				norm := map[string]any{}
				for k, v := range d {
					if r, ok := new(big.Rat).SetString(fmt.Sprint(v)); ok && k != "_id" && k != "store" {
						v = r.RatString()
					}
					norm[k] = v
				}
				b, _ := json.Marshal(norm)
				out[c+"/"+d["_id"].(string)] = string(b)
			}
		}
	}
	return out
}

// sameAsRebuilt fails unless the cells equal the ones a rebuild of both
// rollups from the records gives.
func sameAsRebuilt(e *env, rep *report.Service) {
	e.t.Helper()
	kept := cells(e)
	for _, k := range rollupReports {
		if _, err := rep.BuildRollup(e.ctx, e.admin, "shop", k); err != nil {
			e.t.Fatal(err)
		}
	}
	rebuilt := cells(e)
	if len(kept) == 0 {
		e.t.Fatal("no rollup cells")
	}
	for _, id := range slices.Sorted(maps.Keys(rebuilt)) {
		if kept[id] != rebuilt[id] {
			e.t.Errorf("cell %s: kept %s, rebuilt %s", id, kept[id], rebuilt[id])
		}
	}
	for id := range kept {
		if _, ok := rebuilt[id]; !ok {
			e.t.Errorf("cell %s kept but not rebuilt: %s", id, kept[id])
		}
	}
}

// TestSpecRollupsNoConflict: concurrent sales into the same store and
// day all commit their speculations (before the deferral every one read
// and rewrote the same cells and counters, and nearly all diverged), and
// the rollups equal the records.
func TestSpecRollupsNoConflict(t *testing.T) {
	e, rep := rollupEnv(t)
	e.svc.SetSpeculation(SpeculateAlways)
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = e.run(e.admin, "sell", fmt.Sprintf(`{"store": "s1", "at": "2026-03-0%dT10:00:00Z", "amount": %d, "weight": "%d.25"}`, 1+i%2, 100+i, i), Options{})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if e.st.Backend() == "sqlite" {
		if st := e.stats(); st["stale"] != 0 || st["diverged"] != 0 || st["committed"] != n {
			t.Fatalf("speculations %v: want all %d committed", st, n)
		}
	}
	sameAsRebuilt(e, rep)
}

// TestSpecRollupsConcurrentChanges: speculating sales, amount changes in
// and out of a cell's extremes, refunds and moves to other stores and
// days, run at once with deletes and restores through the records
// service (the hook inline), keep both rollups equal to the records.
func TestSpecRollupsConcurrentChanges(t *testing.T) {
	e, rep := rollupEnv(t)
	e.svc.SetSpeculation(SpeculateAlways)
	var ids []string
	for i := range 24 {
		res, err := e.run(e.admin, "sell", fmt.Sprintf(`{"store": "s%d", "at": "2026-03-%02dT%02d:30:00Z", "amount": %d, "weight": "0.%d"}`, i%3, 1+i%4, 8+i%12, 500+i*7, i), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var id string
		_ = json.Unmarshal(res.Output, &id)
		ids = append(ids, id)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []error
	note := func(err error) {
		if err != nil {
			mu.Lock()
			failed = append(failed, err)
			mu.Unlock()
		}
	}
	for w := range 6 {
		wg.Go(func() {
			for j := range 12 {
				id := ids[(w*5+j*7)%len(ids)]
				var err error
				switch (w + j) % 6 {
				case 0:
					_, err = e.run(e.admin, "sell", fmt.Sprintf(`{"store": "s%d", "at": "2026-03-31T17:%02d:00Z", "amount": %d, "weight": "1.5"}`, j%3, j, 10+w), Options{})
				case 1:
					_, err = e.run(e.admin, "adjust", fmt.Sprintf(`{"id": %q, "amount": %d, "weight": "%d.125"}`, id, 1+w*j, j), Options{})
				case 2:
					_, err = e.run(e.admin, "refund", fmt.Sprintf(`{"id": %q}`, id), Options{})
				case 3:
					_, err = e.run(e.admin, "move", fmt.Sprintf(`{"id": %q, "store": "s%d", "at": "2026-04-01T0%d:00:00Z"}`, id, w%4, j%10), Options{})
				case 4:
					err = e.rec.Delete(e.ctx, e.admin, "shop", "tickets", id, 0, formOpts())
				default:
					_, err = e.rec.Restore(e.ctx, e.admin, "shop", "tickets", id, formOpts())
				}
				if err != nil && !expectedRace(err) {
					note(err)
				}
			}
		})
	}
	wg.Wait()
	for _, err := range failed {
		t.Error(err)
	}
	sameAsRebuilt(e, rep)
}

// formOpts are the options of the test's direct record writes.
func formOpts() form.WriteOptions { return form.WriteOptions{Lang: "en"} }

// expectedRace is a failure the concurrent writers cause each other: the
// ticket was deleted (or restored) meanwhile, or changed under a write.
func expectedRace(err error) bool {
	for _, code := range []string{"record.not_found", "record.stale"} {
		if errs.HasCode(err, code) {
			return true
		}
	}
	return false
}

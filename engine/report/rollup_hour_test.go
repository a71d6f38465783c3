package report

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// hourSales is the heat map's shape: hour of day × weekday, which an hour
// rollup answers (rollupDef.Hours). zone is the report's time zone.
func hourSales(zone string) string {
	return `{"title": "Heat map", "timeZone": "` + zone + `", "dataset": {"form": "transactions", "joins": [{"relation": "store", "as": "store"}]},
 "parameters": [{"key": "period", "type": "dateRange", "field": "paidAt"}, {"key": "channel", "type": "value", "field": "channel"}],
 "dimensions": [{"field": "paidAt", "bucket": "hourOfDay", "as": "hour"}, {"field": "paidAt", "bucket": "dayOfWeek", "as": "weekday"}],
 "measures": [{"op": "count", "as": "orders"}, {"op": "sum", "field": "paid", "as": "sales"}, {"op": "avg", "field": "amount", "as": "avgAmount"},
   {"op": "count", "filter": {"status": "refunded"}, "as": "refunds"}, {"op": "countDistinct", "field": "store", "as": "stores"},
   {"op": "sum", "field": "weight", "as": "weight"}],
 "rollup": {"dateField": "paidAt", "grain": ["store", "status", "channel"]}, "totals": true}`
}

// Hour rollups equal the records after a build raced by writes and 300
// more random writes (inserts, moves to another hour and store, refunds,
// deletes and restores, lost times), in Shanghai, in a zone with daylight
// saving time (New York: a repeated and a missing hour a year) and in one
// half an hour off the hour (Kolkata). (On SQLite: lungo's in-memory
// engine refuses a rollup build with store.unsupported, day rollups
// alike.)
func TestHourRollupEqualsRawAfterRandomWrites(t *testing.T) {
	e := newEnv(t)
	e.load(7, 40, 2000)
	zones := map[string]string{"heat": "Asia/Shanghai", "heat-ny": "America/New_York", "heat-in": "Asia/Kolkata"}
	for k, z := range zones {
		e.publish(meta.KindReport, k, hourSales(z))
	}
	w := &writer{e: e, hook: e.svc.Hook(), rng: rand.New(rand.NewPCG(9, 4))}
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 100 {
			w.write(t)
		}
	})
	for k := range zones {
		st, err := e.svc.BuildRollup(e.ctx, e.admin, "crm", k)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != rollupReady || st.Cells == 0 {
			t.Fatalf("%s build: %+v", k, st)
		}
	}
	wg.Wait()
	for range 300 {
		w.write(t)
	}
	defs, err := readRegistry(e.ctx, e.st, "crm", "transactions")
	if err != nil {
		t.Fatal(err)
	}
	hours := 0
	for _, d := range defs {
		if strings.HasPrefix(d.Report, "heat") {
			if !d.Hours || !strings.HasPrefix(d.Zone, strings.Split(zones[d.Report], "/")[0]) {
				t.Errorf("%s: hours %v, zone %s", d.Report, d.Hours, d.Zone)
			}
			hours++
		}
	}
	if hours != 3 {
		t.Fatalf("%d hour rollups in the registry", hours)
	}
	raw := e.rawService()
	for k := range zones {
		rolledEqualsRaw(t, e, raw, k)
	}
}

// A bound that is not on an hour's start, or a bucket the hours cannot
// give (the time itself), reads the records; a day rollup's hash and
// collection are unchanged by the hour option (no rebuild of rollups
// built before it).
func TestHourRollupLimits(t *testing.T) {
	e := newEnv(t)
	e.load(3, 10, 200)
	e.publish(meta.KindReport, "heat", hourSales("Asia/Shanghai"))
	e.svc.Hook()
	if _, err := e.svc.BuildRollup(e.ctx, e.admin, "crm", "heat"); err != nil {
		t.Fatal(err)
	}
	if r := e.run(e.admin, "heat", map[string]any{"period": "lastMonth"}); r.Source != "rollup" {
		t.Errorf("whole days: source %s", r.Source)
	}
	c, err := e.svc.compile(e.ctx, "crm", "heat", "en")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := e.svc.prepare(e.ctx, e.admin, c, nil, "en")
	if err != nil {
		t.Fatal(err)
	}
	def := c.rollupDefOf()
	rw := &rewriter{c: c, def: def, loc: def.loc(), level: levelHour, grain: map[string]bool{"store": true, "status": true, "channel": true}}
	spec := ex.spec(ex.base, c.dims, nil, MaxRows+1)
	if _, ok := rw.aggregate(spec); !ok {
		t.Fatal("the report's own aggregation does not fit its hours")
	}
	half := *spec
	half.Filter = mustFilter(t, c, `{"paidAt": {"$gte": "2026-02-01T10:30:00.000+08:00"}}`)
	if _, ok := rw.aggregate(&half); ok {
		t.Error("a bound at half past fits the hours")
	}
	lte := *spec
	lte.Filter = mustFilter(t, c, `{"paidAt": {"$lte": "2026-02-01T10:00:00.000+08:00"}}`)
	if _, ok := rw.aggregate(&lte); ok {
		t.Error("an up-to-and-including bound fits the hours")
	}
	plain := *spec
	plain.Group = append(plain.Group[:0:0], plain.Group[0])
	plain.Group[0].Bucket = ""
	if _, ok := rw.aggregate(&plain); ok {
		t.Error("the time itself fits the hours")
	}
	// The day rollup of the same shape keeps its hash without the option.
	day := *c.Spec
	day.Dimensions = day.Dimensions[1:]
	dc, err := Compile(e.ctx, "crm", "heat", 1, &day, e.svc.publishedForms("crm"), "en")
	if err != nil {
		t.Fatal(err)
	}
	if dd := dc.rollupDefOf(); dd.Hours || dd.Coll == def.Coll || dd.Hash == def.Hash {
		t.Errorf("day rollup: %+v", dd)
	}
}

// mustFilter parses a filter on the report's dataset.
func mustFilter(t *testing.T, c *Compiled, raw string) *query.Node {
	t.Helper()
	p := &problems{lang: "en"}
	n := c.parseFilter(json.RawMessage(raw), "filter", p)
	if err := p.err(errs.Invalid, "report.invalid"); err != nil || n == nil {
		t.Fatalf("filter %s: %v", raw, err)
	}
	return n
}

package report

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"testing"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

const salesTrend = `{"title": "Sales trend", "dataset": {"form": "transactions", "filter": {"status": "completed"}},
 "parameters": [{"key": "period", "type": "dateRange", "field": "paidAt", "default": "thisMonth"}],
 "dimensions": [{"field": "paidAt", "bucket": "month", "as": "month"}],
 "measures": [{"op": "count", "as": "orders"}, {"op": "sum", "field": "paid", "as": "sales"}, {"op": "formula", "formula": "sales / orders", "as": "aov"}],
 "compare": ["previousPeriod", "lastYear"], "chart": {"type": "chart.line"}}`

// sumsBy is the model's orders and sales of completed sales per month in
// a period.
func sumsBy(d *dataset, from, to string) map[string][2]int64 {
	out := map[string][2]int64{}
	for _, s := range d.sales {
		if s["status"] != "completed" || !inPeriod(s, from, to) {
			continue
		}
		k := fmt.Sprint(bucket(s, query.BucketMonth))
		v := out[k]
		out[k] = [2]int64{v[0] + 1, v[1] + intOf(s["paid"])}
	}
	return out
}

func TestPeriodComparison(t *testing.T) {
	e := newEnv(t)
	d := e.load(5, 40, 3000)
	e.publish(meta.KindReport, "trend", salesTrend)
	r := e.run(e.admin, "trend", map[string]any{"period": map[string]string{"from": "2026-01-01", "to": "2026-03-31"}})
	if r.Periods[comparePrevious] != (Period{From: "2025-10-01", To: "2025-12-31"}) || r.Periods[compareLastYear] != (Period{From: "2025-01-01", To: "2025-03-31"}) {
		t.Fatalf("periods %v", r.Periods)
	}
	cur, prev, last := sumsBy(d, "2026-01-01", "2026-03-31"), sumsBy(d, "2025-10-01", "2025-12-31"), sumsBy(d, "2025-01-01", "2025-03-31")
	if len(r.Rows) != 3 {
		t.Fatalf("rows %v", r.Rows)
	}
	for _, row := range r.Rows {
		m := row["month"].(string)
		var y, mo int
		fmt.Sscanf(m, "%d-%d", &y, &mo)
		p := fmt.Sprintf("%04d-%02d", y-map[bool]int{true: 1}[mo <= 3 && mo-3 <= 0], (mo+8)%12+1)
		l := fmt.Sprintf("%04d-%02d", y-1, mo)
		if intOf(row["orders"]) != cur[m][0] || intOf(row["sales"]) != cur[m][1] {
			t.Errorf("%s: %v, want %v", m, row, cur[m])
		}
		if intOf(row[compareKey("sales", comparePrevious)]) != prev[p][1] || intOf(row[compareKey("orders", compareLastYear)]) != last[l][0] {
			t.Errorf("%s: previous (%s) %v / last year (%s) %v; want %d / %d", m, p, row[compareKey("sales", comparePrevious)], l,
				row[compareKey("orders", compareLastYear)], prev[p][1], last[l][0])
		}
		want := roundText(new(big.Rat).Sub(big.NewRat(cur[m][1], last[l][1]), big.NewRat(1, 1)), 4)
		if fmt.Sprint(row[changeKey("sales", compareLastYear)]) != want {
			t.Errorf("%s: year-on-year change %v, want %s", m, row[changeKey("sales", compareLastYear)], want)
		}
	}
	// The default period is this month (the clock says 2026-03-20): month
	// to date against February 1-20.
	r = e.run(e.admin, "trend", nil)
	if r.Periods["current"] != (Period{From: "2026-03-01", To: "2026-03-20"}) || r.Periods[comparePrevious] != (Period{From: "2026-02-01", To: "2026-02-20"}) {
		t.Errorf("default periods %v", r.Periods)
	}
	feb := sumsBy(d, "2026-02-01", "2026-02-20")["2026-02"]
	if len(r.Rows) != 1 || intOf(r.Rows[0][compareKey("orders", comparePrevious)]) != feb[0] {
		t.Errorf("month to date vs February 1-20: %v, want %v", r.Rows, feb)
	}
	var roles []string
	for _, c := range r.Columns {
		roles = append(roles, c.Key+":"+c.Role)
	}
	if len(r.Columns) != 1+3+3*2*2 {
		t.Errorf("columns %v", roles)
	}
}

const storeRanking = `{"title": "Store ranking", "dataset": {"form": "transactions", "filter": {"status": "completed"}},
 "dimensions": [{"field": "store"}],
 "measures": [{"op": "sum", "field": "paid", "as": "sales"}, {"op": "count", "as": "orders"}, {"op": "countDistinct", "field": "member", "as": "buyers"}],
 "sort": "-sales", "limit": 3, "others": true, "totals": true, "chart": {"type": "chart.bar", "config": {"horizontal": true}}}`

func TestTopNAndOthers(t *testing.T) {
	e := newEnv(t)
	d := e.load(8, 60, 1200)
	e.publish(meta.KindReport, "ranking", storeRanking)
	r := e.run(e.admin, "ranking", nil)
	type agg struct {
		sales, orders int64
		buyers        map[any]bool
	}
	by := map[any]*agg{}
	for _, s := range d.sales {
		if s["status"] != "completed" {
			continue
		}
		a := by[s["store"]]
		if a == nil {
			a = &agg{buyers: map[any]bool{}}
			by[s["store"]] = a
		}
		a.sales += intOf(s["paid"])
		a.orders++
		if s["member"] != nil {
			a.buyers[s["member"]] = true
		}
	}
	var ids []any
	for id := range by {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return by[ids[i]].sales > by[ids[j]].sales })
	if len(r.Rows) != 3 {
		t.Fatalf("rows %v", r.Rows)
	}
	rest := &agg{buyers: map[any]bool{}}
	all := &agg{buyers: map[any]bool{}}
	for i, id := range ids {
		a := by[id]
		if i < 3 && (r.Rows[i]["store"] != id || intOf(r.Rows[i]["sales"]) != a.sales || intOf(r.Rows[i]["buyers"]) != int64(len(a.buyers))) {
			t.Errorf("rank %d: %v, want %v %d", i+1, r.Rows[i], id, a.sales)
		}
		for _, into := range []*agg{rest, all} {
			if into == rest && i < 3 {
				continue
			}
			into.sales += a.sales
			into.orders += a.orders
			for m := range a.buyers {
				into.buyers[m] = true
			}
		}
	}
	if intOf(r.Others["sales"]) != rest.sales || intOf(r.Others["orders"]) != rest.orders || intOf(r.Others["buyers"]) != int64(len(rest.buyers)) {
		t.Errorf("others %v, want sales %d orders %d buyers %d (distinct, not summed)", r.Others, rest.sales, rest.orders, len(rest.buyers))
	}
	if intOf(r.Totals["sales"]) != all.sales || intOf(r.Totals["buyers"]) != int64(len(all.buyers)) {
		t.Errorf("totals %v, want %d / %d", r.Totals, all.sales, len(all.buyers))
	}
	// Store ids read as the stores' names.
	if l := r.Columns[0].Labels[fmt.Sprint(ids[0])]; l != fmt.Sprint(d.store(ids[0])["name"]) {
		t.Errorf("store label %q", l)
	}
	// The bar chart has the three stores and the others bar.
	cat := r.Chart.Option["yAxis"].(map[string]any)["data"].([]string)
	if len(cat) != 4 || cat[3] != "Others" {
		t.Errorf("chart categories %v", cat)
	}
}

// drillCount runs a drill and checks its filter: the JSON parses with the
// form's own fields (what the records list accepts) and selects exactly
// the records the drill counted.
func drillCount(t *testing.T, e *env, key string, req DrillRequest) int64 {
	t.Helper()
	dr, err := e.svc.Drill(e.ctx, e.admin, "crm", key, req, "en")
	if err != nil {
		t.Fatalf("drill %v: %v", req, err)
	}
	f, err := e.rec.Form(e.ctx, "crm", dr.Form)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(dr.Filter)
	n, err := query.ParseFilter(raw, f.QFields, query.Options{})
	if err != nil {
		t.Fatalf("drill filter %s does not parse: %v", raw, err)
	}
	got, err := e.st.Count(e.ctx, form.RecordsCollection("crm", dr.Form), query.And(n, alive))
	if err != nil {
		t.Fatal(err)
	}
	if got != dr.Count {
		t.Errorf("filter %s selects %d records, the drill says %d", raw, got, dr.Count)
	}
	return got
}

func TestDrillSelectsTheCellsRecords(t *testing.T) {
	e := newEnv(t)
	e.load(8, 150, 1500)
	e.publish(meta.KindReport, "sales", salesByRegionTier)
	e.publish(meta.KindReport, "ranking", storeRanking)
	e.publish(meta.KindReport, "trend", salesTrend)
	period := json.RawMessage(`{"from": "2025-06-01", "to": "2025-12-31"}`)
	r := e.run(e.admin, "sales", map[string]any{"period": map[string]string{"from": "2025-06-01", "to": "2025-12-31"}})
	checked := 0
	for _, row := range r.Rows {
		cell := map[string]json.RawMessage{}
		for _, k := range []string{"region", "tier"} {
			cell[k], _ = json.Marshal(row[k])
		}
		req := DrillRequest{Parameters: map[string]json.RawMessage{"period": period}, Cell: cell}
		if n := drillCount(t, e, "sales", req); n != intOf(row["orders"]) {
			t.Errorf("cell %v: drill selects %d, the cell counts %v", cell, n, row["orders"])
		}
		req.Measure = "refunds"
		if n := drillCount(t, e, "sales", req); n != intOf(row["refunds"]) {
			t.Errorf("cell %v refunds: drill selects %d, the cell counts %v", cell, n, row["refunds"])
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d cells", checked)
	}
	rk := e.run(e.admin, "ranking", nil)
	if n := drillCount(t, e, "ranking", DrillRequest{Others: true}); n != intOf(rk.Others["orders"]) {
		t.Errorf("others: %d, want %v", n, rk.Others["orders"])
	}
	tr := e.run(e.admin, "trend", map[string]any{"period": map[string]string{"from": "2025-01-01", "to": "2025-12-31"}})
	for _, row := range tr.Rows {
		cell := map[string]json.RawMessage{"month": json.RawMessage(fmt.Sprintf("%q", row["month"]))}
		req := DrillRequest{Parameters: map[string]json.RawMessage{"period": json.RawMessage(`{"from": "2025-01-01", "to": "2025-12-31"}`)}, Cell: cell}
		if n := drillCount(t, e, "trend", req); n != intOf(row["orders"]) {
			t.Errorf("month %v: %d, want %v", row["month"], n, row["orders"])
		}
	}
}

// docsOf lists a form's live records from the store (for tests that write).
func (e *env) docsOf(formKey string) []store.Doc {
	docs, err := e.st.Find(e.ctx, form.RecordsCollection("crm", formKey), store.Query{Filter: alive, Limit: store.MaxLimit})
	if err != nil {
		e.t.Fatal(err)
	}
	return docs
}

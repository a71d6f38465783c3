package report

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The standard repurchase rate: members with 2 or more completed orders in
// the period over members with at least 1, as the CRM template defines it.
const repurchaseSpec = `{"title": "Repurchase", "dataset": {"form": "transactions", "joins": [{"relation": "store", "as": "store"}]},
 "parameters": [{"key": "period", "type": "dateRange", "field": "paidAt"}, {"key": "region", "type": "value", "field": "store.region"}],
 %s
 "measures": [
  {"op": "countDistinct", "field": "member", "filter": {"status": "completed"}, "as": "buyers"},
  {"op": "countDistinct", "field": "member", "filter": {"status": "completed"}, "minRows": 2, "as": "repeatBuyers"},
  {"op": "formula", "formula": "repeatBuyers / buyers", "as": "rate", "format": "percent"}]%s}`

// loadRepurchase stores a hand-made month of sales around February 2026
// (times at noon in Shanghai): m1 buys twice in January and twice in
// March; m2 once in January and once in February (a repeat in neither
// month); m3 once in February plus a refunded order; m4 three times in
// February, once in the east and twice in the west; m5 on 27 February and
// 2 March; one February sale has no member.
func loadRepurchase(e *env) {
	sys := func(d store.Doc) store.Doc {
		d["_version"], d["_deleted"] = int64(1), false
		d["_createdAt"], d["_updatedAt"] = "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"
		return d
	}
	e.insertAll("stores", []store.Doc{
		sys(store.Doc{"_id": "st1", "name": "东店", "region": "east", "orgUnit": "u-east"}),
		sys(store.Doc{"_id": "st2", "name": "西店", "region": "west", "orgUnit": "u-west"}),
	})
	var members []store.Doc
	for i := 1; i <= 5; i++ {
		members = append(members, sys(store.Doc{"_id": fmt.Sprintf("m%d", i), "name": fmt.Sprintf("会员%d", i), "orders": int64(9)}))
	}
	e.insertAll("members", members)
	unit := map[string]string{"st1": "u-east", "st2": "u-west"}
	var sales []store.Doc
	for i, s := range []struct{ member, store, day, status string }{
		{"m1", "st1", "2026-01-05", "completed"}, {"m1", "st1", "2026-01-20", "completed"},
		{"m2", "st2", "2026-01-28", "completed"}, {"m2", "st2", "2026-02-03", "completed"},
		{"m3", "st2", "2026-02-10", "completed"}, {"m3", "st2", "2026-02-11", "refunded"},
		{"m4", "st1", "2026-02-12", "completed"}, {"m4", "st2", "2026-02-13", "completed"}, {"m4", "st2", "2026-02-14", "completed"},
		{"", "st1", "2026-02-15", "completed"},
		{"m5", "st1", "2026-02-27", "completed"}, {"m5", "st1", "2026-03-02", "completed"},
		{"m1", "st2", "2026-03-05", "completed"}, {"m1", "st2", "2026-03-06", "completed"},
	} {
		d := sys(store.Doc{"_id": fmt.Sprintf("t%02d", i), "receiptId": fmt.Sprintf("R%02d", i), "store": s.store, "storeUnit": unit[s.store],
			"paidAt": s.day + "T04:00:00.000Z", "day": s.day, "paid": int64(1000), "status": s.status})
		if s.member != "" {
			d["member"] = s.member
		}
		sales = append(sales, d)
	}
	e.insertAll("transactions", sales)
}

// row renders the measures of a result row as "buyers/repeat/rate".
func repRow(r map[string]any, suffix string) string {
	if r == nil {
		return "<none>"
	}
	return fmt.Sprintf("%v/%v/%v", r["buyers"+suffix], r["repeatBuyers"+suffix], r["rate"+suffix])
}

func TestRepurchaseRateStandard(t *testing.T) {
	e := newEnv(t)
	loadRepurchase(e)
	feb := map[string]any{"period": map[string]string{"from": "2026-02-01", "to": "2026-02-28"}}
	q1 := map[string]any{"period": map[string]string{"from": "2026-01-01", "to": "2026-03-31"}}

	// KPI with the previous period (4 to 31 January: m1 twice, m2 once).
	e.publish(meta.KindReport, "kpi", fmt.Sprintf(repurchaseSpec, "", `, "compare": ["previousPeriod"]`))
	r := e.run(e.admin, "kpi", feb)
	if len(r.Rows) != 1 {
		t.Fatalf("rows %v", r.Rows)
	}
	if got := repRow(r.Rows[0], ""); got != "4/1/0.2500" {
		t.Errorf("February: %s, want 4/1/0.2500 (m2, m3, m4, m5 bought; only m4 twice)", got)
	}
	if got := repRow(r.Rows[0], "__"+comparePrevious); got != "2/1/0.5000" {
		t.Errorf("previous period: %s, want 2/1/0.5000", got)
	}
	// Over the quarter m2 and m5 (orders in two months) repeat.
	if got := repRow(e.run(e.admin, "kpi", q1).Rows[0], ""); got != "5/4/0.8000" {
		t.Errorf("quarter: %s, want 5/4/0.8000", got)
	}
	// A parameter filter: the east in February (m4 once, m5 once).
	feb["region"] = "east"
	if got := repRow(e.run(e.admin, "kpi", feb).Rows[0], ""); got != "2/0/0" {
		t.Errorf("east in February: %s, want 2/0/0", got)
	}
	delete(feb, "region")

	// By month: a member whose orders fall in two months repeats in neither.
	e.publish(meta.KindReport, "trend", fmt.Sprintf(repurchaseSpec, `"dimensions": [{"field": "paidAt", "bucket": "month", "as": "month"}],`, ""))
	var got []string
	for _, row := range e.run(e.admin, "trend", q1).Rows {
		got = append(got, fmt.Sprint(row["month"], " ", repRow(row, "")))
	}
	if want := "2026-01 2/1/0.5000,2026-02 4/1/0.2500,2026-03 2/1/0.5000"; strings.Join(got, ",") != want {
		t.Errorf("by month: %v, want %s", got, want)
	}

	// Top 1 region by repeat buyers and the others, each counted exactly
	// in the store (west: m2, m3, m4 twice; east: m4 once, m5 once).
	e.publish(meta.KindReport, "top", fmt.Sprintf(repurchaseSpec, `"dimensions": [{"field": "store.region", "as": "region"}],`,
		`, "sort": "-repeatBuyers", "limit": 1, "others": true, "totals": true`))
	r = e.run(e.admin, "top", feb)
	if len(r.Rows) != 1 || r.Rows[0]["region"] != "west" || repRow(r.Rows[0], "") != "3/1/0.3333" {
		t.Errorf("top region: %v", r.Rows)
	}
	if got := repRow(r.Others, ""); got != "2/0/0" {
		t.Errorf("others: %s, want 2/0/0", got)
	}
	if got := repRow(r.Totals, ""); got != "4/1/0.2500" {
		t.Errorf("totals: %s, want 4/1/0.2500", got)
	}

	// A region manager's row scope: only the east's sales count.
	e.publish(meta.KindRole, "region-manager", regionManagerRole)
	mgr := user("east-mgr", []string{"u-east"}, "region-manager")
	if got := repRow(e.run(mgr, "kpi", q1).Rows[0], ""); got != "3/2/0.6667" {
		t.Errorf("east manager, quarter: %s, want 3/2/0.6667 (m1 and m5 twice in the east, m4 once)", got)
	}
}

// minRows is checked with a path: at least 1, countDistinct only, not
// with a rollup. Compiling needs no aggregation, so this runs on both
// adapters.
func TestMinRowsRefused(t *testing.T) {
	for _, uri := range []string{"", "lungo://memory"} {
		e := newEnv(t)
		if uri != "" {
			e = newEnvURI(t, uri)
		}
		for _, tc := range []struct {
			name, measure, extra string
			want                 []string
		}{
			{"zero", `{"op": "countDistinct", "field": "member", "minRows": 0}`, "", []string{"spec.measures[0].minRows meta.range"}},
			{"on a sum", `{"op": "sum", "field": "paid", "minRows": 2}`, "", []string{"spec.measures[0].op meta.enum"}},
			{"not an integer", `{"op": "countDistinct", "field": "member", "minRows": 1.5}`, "", []string{"spec.measures[0].minRows meta.type"}},
			{"with a rollup", `{"op": "countDistinct", "field": "member", "minRows": 2}`, `, "rollup": {"dateField": "paidAt"}`,
				[]string{"spec.measures[0].minRows report.min_rows_rollup"}},
		} {
			spec := `{"title": "x", "dataset": {"form": "transactions"}, "measures": [` + tc.measure + `]` + tc.extra + `}`
			err := e.tryPublish(meta.KindReport, "bad", spec)
			if errs.ClassOf(err) != errs.Unprocessable {
				t.Fatalf("%s %s: got %v, want 422", uri, tc.name, err)
			}
			got := strings.Join(fieldPaths(err), "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s %s: problems\n%s\nwant %s", uri, tc.name, got, w)
				}
			}
		}
		// The compiler refuses what the meta-schema would (a draft run).
		for _, m := range []string{`{"op": "sum", "field": "paid", "minRows": 2}`, `{"op": "countDistinct", "field": "member", "minRows": -3}`} {
			spec, err := DecodeSpec([]byte(`{"title": "x", "dataset": {"form": "transactions"}, "measures": [` + m + `]}`))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Compile(e.ctx, "crm", "x", 1, spec, e.svc.publishedForms("crm"), "zh-CN")
			if got := strings.Join(fieldPaths(err), ","); got != "measures[0].minRows report.min_rows" {
				t.Errorf("%s %s: %s", uri, m, got)
			}
		}
	}
}

// The CRM template's repurchase reports on demo data equal the standard
// definition computed here from the stored sales: per month (the trend)
// and for one month (the KPI), members with 2 or more completed sales
// over members with at least one.
func TestTemplateRepurchaseStandard(t *testing.T) {
	e := newCRMEnv(t)
	e.loadCRM(6, 150, 2500)
	sales, err := e.st.Find(e.ctx, form.RecordsCollection("crm", "transactions"), store.Query{Limit: store.MaxLimit})
	if err != nil || len(sales) != 2500 {
		t.Fatalf("sales: %d %v", len(sales), err)
	}
	counts := map[string]map[any]int{} // month -> member -> completed sales
	for _, s := range sales {
		if s["status"] != "completed" || !inPeriod(s, "2025-01-01", "2026-03-31") {
			continue
		}
		k := fmt.Sprint(bucket(s, query.BucketMonth))
		if counts[k] == nil {
			counts[k] = map[any]int{}
		}
		counts[k][s["member"]]++
	}
	want := func(k string) string {
		var buyers, repeat int64
		for _, n := range counts[k] {
			buyers++
			if n >= 2 {
				repeat++
			}
		}
		return fmt.Sprintf("%d/%d/%s", buyers, repeat, new(big.Rat).SetFrac64(repeat, buyers).FloatString(4))
	}
	wide := map[string]any{"period": map[string]string{"from": "2025-01-01", "to": "2026-03-31"}}
	r := e.run(e.admin, "repurchase-rate", wide)
	if len(r.Rows) != 15 {
		t.Fatalf("%d months", len(r.Rows))
	}
	repeats := 0
	tpl := func(row map[string]any) string { // the template names the rate repurchaseRate
		return fmt.Sprintf("%v/%v/%v", row["buyers"], row["repeatBuyers"], row["repurchaseRate"])
	}
	for _, row := range r.Rows {
		if got, w := tpl(row), want(row["month"].(string)); got != w {
			t.Errorf("%v: %s, want %s", row["month"], got, w)
		}
		repeats += int(intOf(row["repeatBuyers"]))
	}
	if repeats == 0 {
		t.Error("no month has a repeat buyer: the data does not test the measure")
	}
	feb := map[string]any{"period": map[string]string{"from": "2026-02-01", "to": "2026-02-28"}}
	if got, w := tpl(e.run(e.admin, "repurchase-kpi", feb).Rows[0]), want("2026-02"); got != w {
		t.Errorf("KPI, February 2026: %s, want %s", got, w)
	}
}

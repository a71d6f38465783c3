package report

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

const salesByRegionTier = `{"title": "Sales by region and tier",
 "dataset": {"form": "transactions", "joins": [{"relation": "store", "as": "store"}, {"relation": "member", "as": "member"},
   {"relation": "member.homeStore", "as": "home"}]},
 "parameters": [{"key": "period", "type": "dateRange", "field": "paidAt"}, {"key": "region", "type": "value", "field": "store.region"}],
 "dimensions": [{"field": "store.region", "as": "region"}, {"field": "member.tier", "as": "tier"}],
 "measures": [{"op": "count", "as": "orders"}, {"op": "sum", "field": "paid", "as": "sales"}, {"op": "avg", "field": "paid", "as": "avgPaid"},
   {"op": "min", "field": "paid", "as": "minPaid"}, {"op": "max", "field": "paid", "as": "maxPaid"},
   {"op": "countDistinct", "field": "member", "as": "buyers"}, {"op": "formula", "formula": "sales / orders", "as": "aov"},
   {"op": "count", "filter": {"status": "refunded"}, "as": "refunds"}, {"op": "sum", "field": "weight", "as": "weight"},
   {"op": "formula", "formula": "refunds / orders", "as": "refundRate", "format": "percent"},
   {"op": "countDistinct", "field": "home.region", "as": "homeRegions"}, {"op": "max", "field": "member.points", "as": "maxPoints"}]}`

// groupModel aggregates the sales matching keep by key, as the report
// should.
type groupModel struct {
	orders, refunds                   int64
	sales, minPaid, maxPaid, maxPoint *big.Rat
	weight                            *big.Rat
	buyers, homeRegions               map[any]bool
}

func modelBy(d *dataset, keep func(s store.Doc) bool, key func(s store.Doc) string) map[string]*groupModel {
	out := map[string]*groupModel{}
	for _, s := range d.sales {
		if !keep(s) {
			continue
		}
		k := key(s)
		g := out[k]
		if g == nil {
			g = &groupModel{sales: new(big.Rat), weight: new(big.Rat), buyers: map[any]bool{}, homeRegions: map[any]bool{}}
			out[k] = g
		}
		g.orders++
		if s["status"] == "refunded" {
			g.refunds++
		}
		paid := big.NewRat(intOf(s["paid"]), 1)
		g.sales.Add(g.sales, paid)
		if g.minPaid == nil || paid.Cmp(g.minPaid) < 0 {
			g.minPaid = paid
		}
		if g.maxPaid == nil || paid.Cmp(g.maxPaid) > 0 {
			g.maxPaid = paid
		}
		w, _ := new(big.Rat).SetString(string(s["weight"].(json.Number)))
		g.weight.Add(g.weight, w)
		if m := d.member(s["member"]); m != nil {
			g.buyers[m["_id"]] = true
			if h := d.store(m["homeStore"]); h != nil && h["region"] != nil {
				g.homeRegions[h["region"]] = true
			}
			p := big.NewRat(intOf(m["points"]), 1)
			if g.maxPoint == nil || p.Cmp(g.maxPoint) > 0 {
				g.maxPoint = p
			}
		}
	}
	return out
}

// field returns a joined field of a sale (nil when missing).
func (d *dataset) storeOf(s store.Doc, f string) any {
	if st := d.store(s["store"]); st != nil {
		return st[f]
	}
	return nil
}

func (d *dataset) memberOf(s store.Doc, f string) any {
	if m := d.member(s["member"]); m != nil {
		return m[f]
	}
	return nil
}

func num(t *testing.T, v any) *big.Rat {
	t.Helper()
	r := ratOf(v)
	if r == nil && v != nil {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	return r
}

func sameRat(t *testing.T, what string, want *big.Rat, got any) {
	t.Helper()
	g := num(t, got)
	switch {
	case want == nil && g == nil:
	case want == nil || g == nil || want.Cmp(g) != 0:
		t.Errorf("%s: got %v, want %v", what, got, ratString(want))
	}
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "null"
	}
	return exactText(r)
}

// Every measure kind over two joined dimensions, checked against the model.
func TestMeasuresOverJoinsMatchModel(t *testing.T) {
	e := newEnv(t)
	d := e.load(9, 150, 2500)
	e.publish(meta.KindReport, "sales", salesByRegionTier)
	for _, tc := range []struct {
		name   string
		params map[string]any
		keep   func(s store.Doc) bool
	}{
		{"all time", nil, func(store.Doc) bool { return true }},
		{"one quarter", map[string]any{"period": map[string]string{"from": "2025-10-01", "to": "2025-12-31"}},
			func(s store.Doc) bool { return inPeriod(s, "2025-10-01", "2025-12-31") }},
		{"one region, one month", map[string]any{"period": map[string]string{"from": "2026-02-01", "to": "2026-02-28"}, "region": "east"},
			func(s store.Doc) bool {
				return inPeriod(s, "2026-02-01", "2026-02-28") && d.storeOf(s, "region") == "east"
			}},
		{"two regions", map[string]any{"region": []string{"north", "south"}},
			func(s store.Doc) bool { r := d.storeOf(s, "region"); return r == "north" || r == "south" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.run(e.admin, "sales", tc.params)
			model := modelBy(d, tc.keep, func(s store.Doc) string {
				return fmt.Sprint(d.storeOf(s, "region")) + "|" + fmt.Sprint(d.memberOf(s, "tier")) + "|"
			})
			rows := rowsBy(r.Rows, "region", "tier")
			if len(rows) != len(model) {
				t.Fatalf("%d groups, want %d: %v", len(rows), len(model), r.Rows)
			}
			for k, g := range model {
				row, ok := rows[k]
				if !ok {
					t.Fatalf("group %s missing", k)
				}
				n := big.NewRat(g.orders, 1)
				sameRat(t, k+" orders", n, row["orders"])
				sameRat(t, k+" sales", g.sales, row["sales"])
				sameRat(t, k+" min", g.minPaid, row["minPaid"])
				sameRat(t, k+" max", g.maxPaid, row["maxPaid"])
				sameRat(t, k+" refunds", big.NewRat(g.refunds, 1), row["refunds"])
				sameRat(t, k+" weight", g.weight, row["weight"])
				sameRat(t, k+" buyers", big.NewRat(int64(len(g.buyers)), 1), row["buyers"])
				sameRat(t, k+" home regions", big.NewRat(int64(len(g.homeRegions)), 1), row["homeRegions"])
				sameRat(t, k+" max points", g.maxPoint, row["maxPoints"])
				avg := new(big.Rat).Quo(g.sales, n)
				if want := roundText(avg, 2); fmt.Sprint(row["avgPaid"]) != want && !avg.IsInt() {
					t.Errorf("%s avg: got %v, want %s", k, row["avgPaid"], want)
				}
				if want := roundText(avg, 2); fmt.Sprint(row["aov"]) != want && !avg.IsInt() {
					t.Errorf("%s aov: got %v, want %s", k, row["aov"], want)
				}
				rate := roundText(new(big.Rat).Quo(big.NewRat(g.refunds, 1), n), 4)
				if g.refunds == 0 {
					rate = "0"
				}
				if fmt.Sprint(row["refundRate"]) != rate {
					t.Errorf("%s refund rate: got %v, want %s", k, row["refundRate"], rate)
				}
			}
			if r.Parameters["period"] == nil && tc.params["period"] != nil {
				t.Errorf("parameters not echoed: %v", r.Parameters)
			}
		})
	}
}

// Every date bucket and the cyclic ones, against query.BucketKey of each
// sale's time in Shanghai.
func TestBucketsMatchModel(t *testing.T) {
	e := newEnv(t)
	d := e.load(4, 20, 1500)
	for _, b := range query.Buckets {
		t.Run(string(b), func(t *testing.T) {
			key := "by-" + strings.ToLower(string(b))
			e.publish(meta.KindReport, key, fmt.Sprintf(`{"title": "b", "dataset": {"form": "transactions"},
				"dimensions": [{"field": "paidAt", "bucket": %q, "as": "k"}], "measures": [{"op": "count", "as": "n"}, {"op": "sum", "field": "paid", "as": "s"}]}`, b))
			r := e.run(e.admin, key, nil)
			want := map[string]int64{}
			sums := map[string]int64{}
			for _, s := range d.sales {
				k := fmt.Sprint(bucket(s, b))
				want[k]++
				sums[k] += intOf(s["paid"])
			}
			got := rowsBy(r.Rows, "k")
			if len(got) != len(want) {
				t.Fatalf("%d buckets, want %d", len(got), len(want))
			}
			for k, n := range want {
				row := got[k+"|"]
				if row == nil || intOf(row["n"]) != n || intOf(row["s"]) != sums[k] {
					t.Errorf("bucket %s: got %v, want n=%d s=%d", k, row, n, sums[k])
				}
			}
		})
	}
	// Date fields bucket their own day, whatever the zone.
	e.publish(meta.KindReport, "by-day-week", `{"title": "w", "dataset": {"form": "transactions"},
		"dimensions": [{"field": "day", "bucket": "week", "as": "w"}, {"field": "day", "bucket": "dayOfWeek", "as": "dw"}], "measures": [{"op": "count", "as": "n"}]}`)
	r := e.run(e.admin, "by-day-week", nil)
	total := int64(0)
	for _, row := range r.Rows {
		total += intOf(row["n"])
	}
	if total != int64(len(d.sales)) {
		t.Errorf("week × weekday rows sum to %d, want %d", total, len(d.sales))
	}
}

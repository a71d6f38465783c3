package report

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// crmCategories are the categories of generated lines (with an English
// one, to mix scripts in the byte order of pairs).
var crmCategories = []string{"乳品", "烘焙", "饮料", "零食", "生鲜", "日化", "Wine"}

// crmSegments are the RFM segments given to generated buyers in turn.
var crmSegments = []string{"champions", "keep", "win-back", "sleeping", "new"}

// crmLines are sale i's lines: 0 to 5 of them, categories repeating
// within a basket now and then, a line without a category now and then.
func crmLines(i int) []any {
	rng := rand.New(rand.NewPCG(uint64(i), 99))
	var out []any
	for k := range rng.IntN(6) {
		line := map[string]any{"sku": fmt.Sprintf("SKU%03d", rng.IntN(300)), "quantity": int64(1 + rng.IntN(3))}
		if rng.IntN(12) > 0 {
			// Skewed: low indexes are common, so pairs have distinct counts.
			line["category"] = crmCategories[min(rng.IntN(len(crmCategories)), rng.IntN(len(crmCategories)))]
		}
		if k > 0 && rng.IntN(5) == 0 {
			line["category"] = out[0].(map[string]any)["category"] // a repeat
		}
		out = append(out, line)
	}
	return out
}

// transactionsWithLines is the test transactions form with the lines
// sub-table of the CRM's.
var transactionsWithLines = strings.TrimSuffix(transactionsForm, "]}") + `,
 {"key": "lines", "type": "subtable", "label": {"zh-CN": "商品明细", "en": "Lines"}, "fields": [
   {"key": "sku", "type": "text", "label": "SKU"}, {"key": "category", "type": "text", "label": "Category"},
   {"key": "quantity", "type": "number", "label": "Quantity"}, {"key": "tags", "type": "multiselect", "label": "Tags",
    "options": [{"value": "a", "label": "A"}]}]}]}`

const pairsReport = `{"title": {"zh-CN": "品类组合", "en": "Category pairs"},
 "dataset": {"form": "transactions", "filter": {"status": "completed"}, "joins": [{"relation": "store", "as": "store"}]},
 "parameters": [{"key": "period", "type": "dateRange", "field": "paidAt", "default": {"from": "2025-01-01", "to": "2026-03-31"}},
   {"key": "region", "type": "value", "field": "store.region"}, {"key": "store", "type": "value", "field": "store"}],
 "dimensions": [{"pairs": {"subtable": "lines", "field": "category", "with": "b"}, "as": "a"}],
 "measures": [{"op": "baskets"}, {"op": "support"}, {"op": "confidence"}, {"op": "confidenceBA"}, {"op": "lift", "decimals": 3},
   {"op": "formula", "formula": "confidence / support", "as": "ratio", "decimals": 6}],
 "chart": {"type": "chart.table"} %s}`

// pairModel counts, in Go, the pairs of the sales keep selects.
type pairModel struct {
	baskets int64
	items   map[string]int64
	pairs   map[[2]string]int64
}

func countPairs(sales []store.Doc, keep func(store.Doc) bool) *pairModel {
	m := &pairModel{items: map[string]int64{}, pairs: map[[2]string]int64{}}
	for _, s := range sales {
		if !keep(s) {
			continue
		}
		m.baskets++
		set := map[string]bool{}
		lines, _ := s["lines"].([]any)
		for _, l := range lines {
			if c, ok := l.(map[string]any)["category"].(string); ok {
				set[c] = true
			}
		}
		for a := range set {
			m.items[a]++
			for b := range set {
				if a < b {
					m.pairs[[2]string{a, b}]++
				}
			}
		}
	}
	return m
}

// rows are the model's rows as the report gives them, top limit by
// baskets then by value.
func (m *pairModel) rows(limit int) []map[string]any {
	type kv struct {
		k [2]string
		n int64
	}
	var all []kv
	for k, n := range m.pairs {
		all = append(all, kv{k, n})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].k[0] < all[j].k[0] || (all[i].k[0] == all[j].k[0] && all[i].k[1] < all[j].k[1])
	})
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	dec := func(num, den int64, places int) any {
		r := big.NewRat(num, den)
		if r.IsInt() {
			return json.Number(r.Num().String())
		}
		return json.Number(r.FloatString(places))
	}
	out := []map[string]any{}
	for _, x := range all {
		na, nb := m.items[x.k[0]], m.items[x.k[1]]
		// confidence / support = total / na, exactly.
		out = append(out, map[string]any{"a": x.k[0], "b": x.k[1], "baskets": json.Number(fmt.Sprint(x.n)),
			"support": dec(x.n, m.baskets, 4), "confidence": dec(x.n, na, 4), "confidenceBA": dec(x.n, nb, 4),
			"lift": dec(x.n*m.baskets, na*nb, 3), "ratio": ratioOfRounded(dec(x.n, na, 4), dec(x.n, m.baskets, 4))})
	}
	return out
}

// lift is a pair's lift rounded to places, from the counts.
func (m *pairModel) lift(a, b any, places int) any {
	x, y := a.(string), b.(string)
	return json.Number(big.NewRat(m.pairs[[2]string{x, y}]*m.baskets, m.items[x]*m.items[y]).FloatString(places))
}

// ratioOfRounded is a formula over two rounded measures, as formulas
// read them (the row's values), to 6 places.
func ratioOfRounded(a, b any) any {
	ra, rb := ratOf(a), ratOf(b)
	return numberOf(new(big.Rat).Quo(ra, rb), 6)
}

// loadBaskets writes stores, members and n sales with lines.
func (e *env) loadBaskets(n int) []store.Doc {
	e.t.Helper()
	d := e.load(8, 40, 0)
	e.publish(meta.KindForm, "transactions", transactionsWithLines)
	rng := rand.New(rand.NewPCG(3, 5))
	var sales []store.Doc
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, query.DefaultLocation)
	for i := range n {
		s := d.stores[rng.IntN(len(d.stores))]
		at := start.Add(time.Duration(rng.IntN(440*24*60)) * time.Minute)
		doc := store.Doc{"_id": fmt.Sprintf("t%05d", i), "_version": int64(1), "_deleted": false,
			"_createdAt": "2026-03-01T00:00:00.000Z", "_updatedAt": "2026-03-01T00:00:00.000Z",
			"receiptId": fmt.Sprintf("R%05d", i), "store": s["_id"], "storeUnit": s["orgUnit"], "paidAt": query.FormatTime(at),
			"paid": int64(100 + rng.IntN(9000)), "status": []string{"completed", "completed", "completed", "refunded"}[rng.IntN(4)]}
		if lines := crmLines(i); lines != nil {
			doc["lines"] = lines
		}
		if i%50 == 0 {
			doc["lines"] = []any{map[string]any{"sku": "X", "category": "乳品"}, map[string]any{"sku": "Y", "category": "乳品"}} // one category twice
		}
		sales = append(sales, doc)
	}
	e.insertAll("transactions", sales)
	return sales
}

// The pairs report's counts, support, confidence and lift equal a count
// in Go over the same sales: refunded sales filtered out, a category on
// several lines counted once, baskets of one category or none counted in
// the support's denominator; a limit keeps the top pairs.
func TestPairsReportMatchesModel(t *testing.T) {
	e := newEnv(t)
	sales := e.loadBaskets(1500)
	e.publish(meta.KindReport, "pairs", fmt.Sprintf(pairsReport, ""))
	e.publish(meta.KindReport, "pairs5", fmt.Sprintf(pairsReport, `, "limit": 5, "sort": "-lift"`))
	completed := func(s store.Doc) bool { return s["status"] == "completed" }
	model := countPairs(sales, completed)
	if len(model.pairs) < 15 || model.baskets < 1000 {
		t.Fatalf("the data should hold many pairs: %d pairs over %d baskets", len(model.pairs), model.baskets)
	}
	r := e.run(e.admin, "pairs", nil)
	if want := model.rows(0); !reflect.DeepEqual(r.Rows, want) {
		t.Fatalf("rows:\n%v\nwant\n%v", r.Rows, want)
	}
	if r.Truncated || len(r.Columns) != 8 || r.Columns[0].Key != "a" || r.Columns[1].Key != "b" || r.Columns[3].Format != FormatPercent {
		t.Errorf("columns %+v truncated %v", r.Columns, r.Truncated)
	}
	// Top 5 by baskets, then ordered by lift.
	top := model.rows(5)
	sort.SliceStable(top, func(i, j int) bool { return compareAny(top[i]["lift"], top[j]["lift"]) > 0 })
	if r := e.run(e.admin, "pairs5", nil); !reflect.DeepEqual(r.Rows, top) {
		t.Errorf("top 5 by lift:\n%v\nwant\n%v", r.Rows, top)
	}
	// Parameters: a period and a store.
	sid := e.data.stores[2]["_id"]
	keep := func(s store.Doc) bool {
		return completed(s) && s["store"] == sid && inPeriod(s, "2025-06-01", "2025-12-31")
	}
	got := e.run(e.admin, "pairs", map[string]any{"store": sid, "period": map[string]string{"from": "2025-06-01", "to": "2025-12-31"}})
	if want := countPairs(sales, keep).rows(0); !reflect.DeepEqual(got.Rows, want) {
		t.Errorf("one store, half a year:\n%v\nwant\n%v", got.Rows, want)
	}
	// Without the status filter the refunded baskets count too.
	e.publish(meta.KindReport, "pairs-all", strings.Replace(fmt.Sprintf(pairsReport, ""), `"filter": {"status": "completed"}, `, "", 1))
	all := countPairs(sales, func(store.Doc) bool { return true })
	if all.baskets == model.baskets {
		t.Fatal("the data should have refunded sales")
	}
	if got := e.run(e.admin, "pairs-all", nil); !reflect.DeepEqual(got.Rows, all.rows(0)) {
		t.Errorf("all statuses differ from the model")
	}
}

const storeManagerBaskets = `{"title": "Store manager", "permissions": [
 {"kind": "form", "key": "transactions", "actions": ["read"], "scope": {"storeUnit": {"$in": "$user.unitSubtree"}}},
 {"kind": "form", "key": "stores", "actions": ["read"], "scope": {"orgUnit": {"$in": "$user.unitSubtree"}}},
 {"kind": "report", "key": "*", "actions": ["read"]}]}`

// A manager's pairs are HQ's filtered to the manager's stores; a role
// that hides the lines gets a 403 naming the sub-table; a pair cannot be
// drilled into.
func TestPairsRowScopeFieldRulesDrill(t *testing.T) {
	e := newEnv(t)
	sales := e.loadBaskets(900)
	e.publish(meta.KindReport, "pairs", fmt.Sprintf(pairsReport, ""))
	e.publish(meta.KindRole, "store-manager", storeManagerBaskets)
	mgr := user("mgr", []string{"u-south"}, "store-manager")
	mine := e.run(mgr, "pairs", nil)
	hq := e.run(e.admin, "pairs", map[string]any{"region": "south"})
	if len(mine.Rows) == 0 || !reflect.DeepEqual(mine.Rows, hq.Rows) {
		t.Fatalf("manager:\n%v\nHQ south:\n%v", mine.Rows, hq.Rows)
	}
	want := countPairs(sales, func(s store.Doc) bool {
		return s["status"] == "completed" && e.data.store(s["store"])["orgUnit"] == "u-south"
	}).rows(0)
	if !reflect.DeepEqual(mine.Rows, want) {
		t.Errorf("manager's rows differ from the model of the south's sales")
	}

	e.publish(meta.KindRole, "no-lines", strings.Replace(storeManagerBaskets, `"actions": ["read"], "scope": {"storeUnit"`,
		`"actions": ["read"], "fields": {"lines": "hidden"}, "scope": {"storeUnit"`, 1))
	_, err := e.tryRun(user("x", []string{"u-south"}, "no-lines"), "pairs", nil)
	if ee, ok := errs.As(err); !ok || ee.Class != errs.Forbidden || fmt.Sprint(fieldPaths(err)) != "[dimensions[0].pairs.subtable report.field_hidden]" {
		t.Errorf("hidden lines: %v %v", err, fieldPaths(err))
	}

	cell := map[string]json.RawMessage{"a": json.RawMessage(`"乳品"`), "b": json.RawMessage(`"烘焙"`)}
	_, err = e.svc.Drill(e.ctx, e.admin, "crm", "pairs", DrillRequest{Cell: cell}, "zh-CN")
	if ee, ok := errs.As(err); !ok || ee.Code != "report.pairs_drill" || ee.Class != errs.Invalid || !strings.Contains(ee.Msg, "子表") {
		t.Errorf("drill: %v", err)
	}
}

// Bad pairs definitions are refused on save with the path of each
// problem.
func TestPairsRefusesBadDefinitions(t *testing.T) {
	e := newEnv(t)
	e.publish(meta.KindForm, "transactions", transactionsWithLines)
	head := `{"title": "x", "dataset": {"form": "transactions"}, `
	for _, tc := range []struct {
		name, spec string
		want       []string
	}{
		{"not a sub-table", `"dimensions": [{"pairs": {"subtable": "store", "field": "category"}}], "measures": [{"op": "baskets"}]}`,
			[]string{"spec.dimensions[0].pairs.subtable report.pairs_subtable"}},
		{"unknown sub-table", `"dimensions": [{"pairs": {"subtable": "ghost", "field": "category"}}], "measures": [{"op": "baskets"}]}`,
			[]string{"spec.dimensions[0].pairs.subtable report.pairs_subtable"}},
		{"column not in the sub-table", `"dimensions": [{"pairs": {"subtable": "lines", "field": "colour"}}], "measures": [{"op": "baskets"}]}`,
			[]string{"spec.dimensions[0].pairs.field report.pairs_field"}},
		{"a number column", `"dimensions": [{"pairs": {"subtable": "lines", "field": "quantity"}}], "measures": [{"op": "baskets"}]}`,
			[]string{"spec.dimensions[0].pairs.field report.pairs_field"}},
		{"a list column", `"dimensions": [{"pairs": {"subtable": "lines", "field": "tags"}}], "measures": [{"op": "baskets"}]}`,
			[]string{"spec.dimensions[0].pairs.field report.pairs_field"}},
		{"pair measure without pairs", `"dimensions": [{"field": "status"}], "measures": [{"op": "lift"}]}`,
			[]string{"spec.measures[0].op report.pair_measure"}},
		{"plain measure and options with pairs", `"dimensions": [{"pairs": {"subtable": "lines", "field": "category"}}, {"field": "status"}],
			"measures": [{"op": "baskets"}, {"op": "count"}], "limit": 5, "others": true, "totals": true}`,
			[]string{"spec.dimensions report.pairs_option", "spec.measures[1].op report.pairs_measure", "spec.others report.pairs_option", "spec.totals report.pairs_option"}},
		{"field and pairs", `"dimensions": [{"field": "status", "pairs": {"subtable": "lines", "field": "category"}}], "measures": [{"op": "baskets"}]}`,
			[]string{"spec.dimensions[0] report.pairs"}},
		{"two pairs and a clashing name", `"dimensions": [{"pairs": {"subtable": "lines", "field": "category", "with": "baskets"}},
			{"pairs": {"subtable": "lines", "field": "sku"}}], "measures": [{"op": "baskets"}]}`,
			[]string{"spec.dimensions[1].pairs report.pairs", "spec.measures[0].as report.name"}},
		{"a field on a pair measure", `"dimensions": [{"pairs": {"subtable": "lines", "field": "category"}}], "measures": [{"op": "support", "field": "paid"}]}`,
			[]string{"spec.measures[0] report.invalid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.tryPublish(meta.KindReport, "bad", head+tc.spec)
			if got := fieldPaths(err); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	// The meta-schema: a pairs dimension needs its sub-table and column.
	err := e.tryPublish(meta.KindReport, "bad", head+`"dimensions": [{"pairs": {"subtable": "lines"}}], "measures": [{"op": "baskets"}]}`)
	if ee, ok := errs.As(err); !ok || ee.Class != errs.Invalid && ee.Class != errs.Unprocessable {
		t.Errorf("schema: %v", err)
	}
}

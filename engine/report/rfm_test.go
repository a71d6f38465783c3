package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

const rfmScores = `{"title": "RFM", "dataset": {"form": "members", "filter": {"orders": {"$gte": 1}}},
 "dimensions": [{"field": "lastPurchaseAt", "quantiles": 5, "as": "R"}, {"field": "orders", "quantiles": 5, "as": "F"}, {"field": "spend12m", "quantiles": 5, "as": "M"}],
 "measures": [{"op": "count", "as": "members"}, {"op": "sum", "field": "spend12m", "as": "spend"}, {"op": "formula", "formula": "spend / members", "as": "avgSpend"}]}`

const rfmSegments = `{"title": "RFM segments", "dataset": {"form": "members", "filter": {"orders": {"$gte": 1}}},
 "dimensions": [{"field": "lastPurchaseAt", "quantiles": 5, "as": "R"}, {"field": "orders", "quantiles": 5, "as": "F"}, {"field": "spend12m", "quantiles": 5, "as": "M"}],
 "measures": [{"op": "count", "as": "members"}, {"op": "sum", "field": "spend12m", "as": "spend"}],
 "segments": {"as": "segment", "rules": [
   {"key": "champions", "label": {"zh-CN": "重要价值客户", "en": "Champions"}, "when": {"R": [4, 5], "F": [4, 5], "M": [4, 5]}},
   {"key": "at-risk", "label": {"zh-CN": "重要挽留客户", "en": "At risk"}, "when": {"R": [1, 2], "M": [4, 5]}},
   {"key": "sleeping", "label": {"zh-CN": "沉睡客户", "en": "Sleeping"}, "when": {"R": [1, 2]}}],
  "else": {"key": "others", "label": {"zh-CN": "一般客户", "en": "Others"}}},
 "sort": "-members", "chart": {"type": "chart.bar"}}`

// quintile scores a value: one more than the thresholds at or below it,
// the thresholds being the values at ranks ceil(k*N/5).
func quintiles(vals []any, k query.Kind) func(v any) int {
	sorted := append([]any{}, vals...)
	sort.Slice(sorted, func(i, j int) bool { return compareAny(sorted[i], sorted[j]) < 0 })
	var ts []any
	for i := 1; i < 5; i++ {
		ts = append(ts, sorted[(i*len(sorted)+4)/5-1])
	}
	return func(v any) int {
		s := 1
		for _, t := range ts {
			if compareAny(t, v) <= 0 {
				s++
			}
		}
		return s
	}
}

func TestRFMQuintilesAndSegments(t *testing.T) {
	e := newEnv(t)
	d := e.load(4, 400, 10)
	e.publish(meta.KindReport, "rfm", rfmScores)
	e.publish(meta.KindReport, "rfm-segments", rfmSegments)
	var buyers []store.Doc
	var rs, fs, ms []any
	for _, m := range d.members {
		if intOf(m["orders"]) >= 1 {
			buyers = append(buyers, m)
			rs, fs, ms = append(rs, m["lastPurchaseAt"]), append(fs, m["orders"]), append(ms, m["spend12m"])
		}
	}
	r, f, mon := quintiles(rs, query.KindTime), quintiles(fs, query.KindInt), quintiles(ms, query.KindInt)
	want := map[string]int64{}
	seg := map[string]int64{}
	for _, b := range buyers {
		rr, ff, mm := r(b["lastPurchaseAt"]), f(b["orders"]), mon(b["spend12m"])
		want[fmt.Sprintf("%d|%d|%d|", rr, ff, mm)]++
		switch {
		case rr >= 4 && ff >= 4 && mm >= 4:
			seg["champions"]++
		case rr <= 2 && mm >= 4:
			seg["at-risk"]++
		case rr <= 2:
			seg["sleeping"]++
		default:
			seg["others"]++
		}
	}
	res := e.run(e.admin, "rfm", nil)
	got := map[string]int64{}
	for _, row := range res.Rows {
		got[fmt.Sprintf("%v|%v|%v|", row["R"], row["F"], row["M"])] = intOf(row["members"])
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("RFM cells\n got %v\nwant %v", got, want)
	}
	sres := e.run(e.admin, "rfm-segments", nil)
	gotSeg := map[string]int64{}
	for _, row := range sres.Rows {
		gotSeg[fmt.Sprint(row["segment"])] = intOf(row["members"])
	}
	if fmt.Sprint(gotSeg) != fmt.Sprint(seg) {
		t.Fatalf("segments: got %v, want %v", gotSeg, seg)
	}
	if sres.Rows[0]["members"] == nil || intOf(sres.Rows[0]["members"]) < intOf(sres.Rows[len(sres.Rows)-1]["members"]) {
		t.Errorf("segments not sorted by members: %v", sres.Rows)
	}
	if l := sres.Columns[0].Labels["champions"]; l != "Champions" {
		t.Errorf("segment label %q", l)
	}
	// Drill into each segment and into RFM cells.
	for key, n := range seg {
		cell := map[string]json.RawMessage{"segment": json.RawMessage(fmt.Sprintf("%q", key))}
		if got := drillCount(t, e, "rfm-segments", DrillRequest{Cell: cell}); got != n {
			t.Errorf("segment %s: drill selects %d, want %d", key, got, n)
		}
	}
	for i, row := range res.Rows {
		if i%7 != 0 {
			continue
		}
		cell := map[string]json.RawMessage{}
		for _, k := range []string{"R", "F", "M"} {
			cell[k], _ = json.Marshal(row[k])
		}
		if got := drillCount(t, e, "rfm", DrillRequest{Cell: cell}); got != intOf(row["members"]) {
			t.Errorf("cell %v: drill selects %d, want %v", row, got, row["members"])
		}
	}
}

const memberGrowth = `{"title": "Member growth", "dataset": {"form": "members"},
 "parameters": [{"key": "period", "type": "dateRange", "field": "registeredAt"}],
 "dimensions": [{"field": "registeredAt", "bucket": "month", "as": "month"}],
 "measures": [{"op": "count", "as": "newMembers"}, {"op": "count", "as": "members", "cumulative": true}],
 "chart": {"type": "chart.line"}}`

func TestCumulativeMemberGrowth(t *testing.T) {
	e := newEnv(t)
	d := e.load(3, 300, 5)
	e.publish(meta.KindReport, "growth", memberGrowth)
	res := e.run(e.admin, "growth", map[string]any{"period": map[string]string{"from": "2025-01-01", "to": "2025-06-30"}})
	if len(res.Rows) != 6 {
		t.Fatalf("rows %v", res.Rows)
	}
	for _, row := range res.Rows {
		month := row["month"].(string)
		var before, in int64
		for _, m := range d.members {
			k := fmt.Sprint(query.BucketKey(mustTime(m["registeredAt"]), query.BucketMonth, query.DefaultLocation))
			if k <= month {
				before++
			}
			if k == month {
				in++
			}
		}
		if intOf(row["newMembers"]) != in || intOf(row["members"]) != before {
			t.Errorf("%s: %v, want new %d, total %d", month, row, in, before)
		}
	}
}

package rules

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchTable is a 50-row table over 4 inputs (tier, store, amount, day)
// whose rows pass three cells and fail on the amount, except the last: a
// first-hit evaluation tries every row and 151 cells, its worst case.
func benchTable(b *testing.B, policy string) *Table {
	b.Helper()
	var rows []string
	for i := range 50 {
		rows = append(rows, fmt.Sprintf(`{"when":{"tier":{"$in":["金卡","钻石"]},"store":{"$nin":["S900","S901"]},
			"amount":{"$gte":%d,"$lt":%d},"day":{"$gte":"2026-01-01","$lte":"2026-12-31"}},"then":{"multiplier":"1.%02d"}}`, i*100, i*100+100, i))
	}
	return mustCompile(b, `{"title":"B","hitPolicy":"`+policy+`","inputs":[
		{"key":"tier","type":"string","options":["普通","银卡","金卡","钻石"],"required":true},
		{"key":"store","type":"string"},{"key":"amount","type":"decimal"},{"key":"day","type":"date"}],
		"outputs":[{"key":"multiplier","type":"decimal","default":"1"}],"rows":[`+strings.Join(rows, ",")+`]}`)
}

var benchInputs = map[string]any{"tier": "金卡", "store": "S001", "amount": json.Number("4950.50"), "day": "2026-10-03"}

// BenchmarkEvaluate50Rows: the compiled-table evaluation that actions and
// checkout call, inputs as the HTTP API decodes them.
func BenchmarkEvaluate50Rows(b *testing.B) {
	tbl := benchTable(b, "first")
	at := time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		res, err := tbl.Evaluate(benchInputs, at, Options{})
		if err != nil || len(res.Rows) != 1 || res.Rows[0] != 49 {
			b.Fatalf("%v %v", res.Rows, err)
		}
	}
}

// BenchmarkEvaluate50RowsTrace: the same with the explanation of every row
// (previews).
func BenchmarkEvaluate50RowsTrace(b *testing.B) {
	tbl := benchTable(b, "first")
	at := time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tbl.Evaluate(benchInputs, at, Options{Trace: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompile50Rows: what compiling a revision costs, once.
func BenchmarkCompile50Rows(b *testing.B) {
	var rows []string
	for i := range 50 {
		rows = append(rows, fmt.Sprintf(`{"when":{"tier":"金卡","amount":{"$gte":%d,"$lt":%d}},"then":{"multiplier":"1.%02d"}}`, i*100, i*100+100, i))
	}
	spec := json.RawMessage(`{"title":"B","hitPolicy":"first","inputs":[{"key":"tier","type":"string"},{"key":"amount","type":"decimal"}],
		"outputs":[{"key":"multiplier","type":"decimal","default":"1"}],"rows":[` + strings.Join(rows, ",") + `]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, p := compile(spec); p.broken || len(p.list) > 0 {
			b.Fatal(p.list)
		}
	}
}

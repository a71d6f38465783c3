package rules

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func warnings(t *testing.T, spec string) []string {
	t.Helper()
	r := Analyze(json.RawMessage(spec))
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %v", r.Errors)
	}
	var out []string
	for _, w := range r.Warnings {
		out = append(out, w.Path+" "+w.Code+": "+w.Message)
	}
	return out
}

// TestGapWarnings: uncovered stretches between rows' ranges are warnings.
func TestGapWarnings(t *testing.T) {
	tiers := `{"title":"会员等级","hitPolicy":"first","inputs":[{"key":"points","type":"int","required":true}],
		"outputs":[{"key":"tier","type":"string","options":["普通","银卡","金卡","钻石"]}],"rows":[
		{"when":{"points":{"$gte":0,"$lt":1000}},"then":{"tier":"普通"}},
		{"when":{"points":{"$gte":2000,"$lt":5000}},"then":{"tier":"银卡"}},
		{"when":{"points":{"$gte":5000,"$lte":19999}},"then":{"tier":"金卡"}},
		{"when":{"points":{"$gt":20000}},"then":{"tier":"钻石"}}]}`
	sameLines(t, "tier thresholds", warnings(t, tiers), []string{
		"spec.rows[1].when.points rule.gap: no row covers points from 1000 to 1999; such inputs match no row (matched=false)",
		"spec.rows[3].when.points rule.gap: no row covers points = 20000; such inputs match no row (matched=false)",
	})

	amounts := `{"title":"T","hitPolicy":"priority","inputs":[{"key":"amount","type":"decimal"},{"key":"day","type":"date"}],
		"outputs":[{"key":"m","type":"decimal","default":"1"}],"rows":[
		{"when":{"amount":{"$gte":0,"$lt":100}},"then":{"m":"1.1"}},
		{"when":{"amount":{"$gt":200}},"then":{"m":"1.5"}},
		{"when":{"amount":{"$gte":150,"$lte":200}},"then":{"m":"1.3"}}]}`
	sameLines(t, "decimals", warnings(t, amounts), []string{
		"spec.rows[2].when.amount rule.gap: no row covers amount in [100, 150); such inputs match no row and get the defaults",
	})

	dates := `{"title":"T","hitPolicy":"sum","inputs":[{"key":"day","type":"date"}],
		"outputs":[{"key":"bonus","type":"int"}],"rows":[
		{"when":{"day":{"$gte":"2026-10-01","$lte":"2026-10-07"}},"then":{"bonus":100},"priority":3},
		{"when":{"day":{"$gte":"2026-10-10","$lte":"2026-10-31"}},"then":{"bonus":50}}]}`
	sameLines(t, "dates", warnings(t, dates), []string{
		"spec.rows[1].when.day rule.gap: no row covers day from 2026-10-08 to 2026-10-09; such inputs match none of these rows",
		"spec.rows[0].priority rule.priority_ignored: is ignored: the hit policy is sum, not priority",
	})

	perChannel := `{"title":"T","hitPolicy":"first","inputs":[{"key":"channel","type":"string"},{"key":"points","type":"int"}],
		"outputs":[{"key":"tier","type":"string","default":"普通"}],"rows":[
		{"when":{"channel":"线上","points":{"$lt":1000}},"then":{"tier":"银卡"}},
		{"when":{"channel":"线上","points":{"$gte":1000}},"then":{"tier":"金卡"}},
		{"when":{"channel":"门店","points":{"$lt":500}},"then":{"tier":"银卡"}},
		{"when":{"channel":"门店","points":{"$gte":1000}},"then":{"tier":"金卡"}}]}`
	sameLines(t, "per channel", warnings(t, perChannel), []string{
		"spec.rows[3].when.points rule.gap: no row covers points from 500 to 999; such inputs match no row and get the defaults",
	})

	twoRangeColumns := `{"title":"T","hitPolicy":"collect","inputs":[{"key":"a","type":"int"},{"key":"b","type":"int"}],
		"outputs":[{"key":"x","type":"int"}],"rows":[
		{"when":{"a":{"$lt":10}},"then":{"x":1}},{"when":{"b":{"$gt":20}},"then":{"x":2}},{"when":{"a":{"$gt":30}},"then":{"x":3}}]}`
	sameLines(t, "two range columns", warnings(t, twoRangeColumns), nil)

	instants := `{"title":"T","hitPolicy":"first","inputs":[{"key":"paidAt","type":"datetime"}],
		"outputs":[{"key":"x","type":"int","default":0}],"rows":[
		{"when":{"paidAt":{"$lt":"2026-10-01T00:00:00+08:00"}},"then":{"x":1}},
		{"when":{"paidAt":{"$gte":"2026-10-02T00:00:00+08:00"}},"then":{"x":2}}]}`
	sameLines(t, "instants", warnings(t, instants), []string{
		"spec.rows[1].when.paidAt rule.gap: no row covers paidAt from 2026-10-01T00:00:00+08:00 (inclusive) to 2026-10-02T00:00:00+08:00 (exclusive); such inputs match no row and get the defaults",
	})
}

// TestAnalyzeReport: the report carries what a save would refuse, plus the
// warnings, with the save's paths.
func TestAnalyzeReport(t *testing.T) {
	r := Analyze(json.RawMessage(`{"title":"T","hitPolicy":"first","inputs":[{"key":"points","type":"int","required":true}],
		"outputs":[{"key":"x","type":"int","default":0}],"rows":[
		{"when":{"points":{"$lt":100}},"then":{"x":1}},{"when":{"points":50},"then":{"x":2}},
		{"when":{"points":{"$gte":200}},"then":{"x":3}}]}`))
	if got := jsonOf(t, r); got != `{"errors":[{"path":"spec.rows[1]","code":"rule.unreachable","message":"is never used: rows[0] matches every input it matches and comes first; remove it or move it up"}],`+
		`"warnings":[{"path":"spec.rows[2].when.points","code":"rule.gap","message":"no row covers points from 100 to 199; such inputs match no row and get the defaults"}]}` {
		t.Fatalf("report %s", got)
	}
	r = Analyze(json.RawMessage(`{"title":"T","hitPolicy":"first","inputs":[],"outputs":[{"key":"x","type":"int"}],"rows":[{"when":{"y":1},"then":{"x":"a"}}]}`))
	if got := jsonOf(t, r); got != `{"errors":[{"path":"spec.inputs","code":"meta.items","message":"needs at least 1 items"},`+
		`{"path":"spec.rows[0].then.x","code":"rule.value","message":"expected an integer for int output \"x\""},`+
		`{"path":"spec.rows[0].when.y","code":"meta.unknown_column","message":"no input column has the key \"y\""}],"warnings":[]}` {
		t.Fatalf("report %s", got)
	}
}

// TestAnalysisIsBounded: a table built to make the reachability proof
// explode (every row cuts every earlier one) ends with a warning, not a
// slow save.
func TestAnalysisIsBounded(t *testing.T) {
	var rows []string
	for i := range 400 {
		rows = append(rows, fmt.Sprintf(`{"when":{"amount":{"$gte":"%d"},"day":{"$lte":"2026-%02d-01"}},"then":{"m":"1"}}`, 400-i, i%12+1))
	}
	spec := `{"title":"B","hitPolicy":"first","inputs":[{"key":"amount","type":"decimal"},{"key":"day","type":"date"}],
		"outputs":[{"key":"m","type":"decimal","default":"1"}],"rows":[` + strings.Join(rows, ",") + `]}`
	got := warnings(t, spec)
	if len(got) != 1 || !strings.HasPrefix(got[0], "spec.rows rule.analysis_incomplete: the table is too large to analyze completely: rows[") {
		t.Fatalf("warnings %v", got)
	}
}

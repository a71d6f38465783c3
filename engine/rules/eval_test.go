package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// policyTable builds a table over tier, amount and a basket with the given
// hit policy, outputs and rows.
func policyTable(t *testing.T, policy, outputs, rows string) *Table {
	t.Helper()
	return mustCompile(t, `{"title":"积分规则","hitPolicy":"`+policy+`",
		"inputs":[{"key":"tier","type":"string","options":["普通","银卡","金卡","钻石"],"required":true},
			{"key":"amount","type":"decimal"},{"key":"basket","type":"list"}],
		"outputs":`+outputs+`,"rows":`+rows+`}`)
}

func TestHitPolicies(t *testing.T) {
	first := policyTable(t, "first", `[{"key":"multiplier","type":"decimal"}]`, `[
		{"when":{"tier":"金卡"},"then":{"multiplier":"2"}},
		{"when":{"amount":{"$gte":100}},"then":{"multiplier":"1.5"}},
		{"when":{"tier":{"$ne":"普通"}},"then":{"multiplier":"1.2"}}]`)
	priority := policyTable(t, "priority", `[{"key":"multiplier","type":"decimal","default":"1"}]`, `[
		{"when":{"tier":"金卡"},"then":{"multiplier":"2"},"priority":10},
		{"when":{"amount":{"$gte":100}},"then":{"multiplier":"1.5"},"priority":20},
		{"when":{"tier":{"$in":["银卡","钻石"]}},"then":{"multiplier":"1.2"}}]`)
	collect := policyTable(t, "collect", `[{"key":"tag","type":"string"},{"key":"weight","type":"int","default":1}]`, `[
		{"when":{"tier":"金卡"},"then":{"tag":"vip","weight":3}},
		{"when":{"amount":{"$gte":100}},"then":{"tag":"big"}},
		{"when":{"basket":"酒水"},"then":{"tag":"wine"}}]`)
	sum := policyTable(t, "sum", `[{"key":"bonus","type":"int"},{"key":"rate","type":"decimal","default":"0"}]`, `[
		{"when":{"tier":"金卡"},"then":{"bonus":100,"rate":"0.1"}},
		{"when":{"amount":{"$gte":100}},"then":{"bonus":50}},
		{"when":{"basket":"酒水"},"then":{"bonus":-20,"rate":"0.2"}}]`)

	cases := []struct {
		name   string
		tbl    *Table
		inputs string
		want   string // JSON of matched, rows, outputs or list
	}{
		{"first/first row wins", first, `{"tier":"金卡","amount":500}`, `true [0] {"multiplier":"2"}`},
		{"first/second", first, `{"tier":"银卡","amount":"100.00"}`, `true [1] {"multiplier":"1.5"}`},
		{"first/third", first, `{"tier":"钻石","amount":10}`, `true [2] {"multiplier":"1.2"}`},
		{"first/no match no default", first, `{"tier":"普通","amount":10}`, `false [] {}`},
		{"priority/highest wins over order", priority, `{"tier":"金卡","amount":500}`, `true [1] {"multiplier":"1.5"}`},
		{"priority/lower when higher fails", priority, `{"tier":"金卡","amount":5}`, `true [0] {"multiplier":"2"}`},
		{"priority/priority 0", priority, `{"tier":"银卡"}`, `true [2] {"multiplier":"1.2"}`},
		{"priority/default", priority, `{"tier":"普通"}`, `false [] {"multiplier":"1"}`},
		{"collect/all in order", collect, `{"tier":"金卡","amount":100,"basket":["酒水"]}`, `true [0,1,2] [{"tag":"vip","weight":3},{"tag":"big","weight":1},{"tag":"wine","weight":1}]`},
		{"collect/one", collect, `{"tier":"普通","basket":["酒水","日用"]}`, `true [2] [{"tag":"wine","weight":1}]`},
		{"collect/none", collect, `{"tier":"普通"}`, `false [] []`},
		{"sum/all", sum, `{"tier":"金卡","amount":100,"basket":["酒水"]}`, `true [0,1,2] {"bonus":130,"rate":"0.3"}`},
		{"sum/blank adds nothing", sum, `{"tier":"银卡","amount":100}`, `true [1] {"bonus":50,"rate":"0"}`},
		{"sum/none: default or 0", sum, `{"tier":"普通"}`, `false [] {"bonus":0,"rate":"0"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.tbl.Evaluate(decodeInputs(t, tc.inputs), time.Time{}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			answer := res.Outputs
			var got string
			if tc.tbl.HitPolicy() == Collect {
				got = jsonOf(t, res.Matched) + " " + jsonOf(t, res.Rows) + " " + jsonOf(t, res.List)
				if res.Rows == nil && jsonOf(t, res.List) == "null" {
					got = jsonOf(t, res.Matched) + " [] " + jsonOf(t, res.List)
				}
			} else {
				got = jsonOf(t, res.Matched) + " " + jsonOf(t, res.Rows) + " " + jsonOf(t, answer)
			}
			got = strings.Replace(got, " null ", " [] ", 1)
			if got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
			// The trace picks the same rows.
			traced, err := tc.tbl.Evaluate(decodeInputs(t, tc.inputs), time.Time{}, Options{Trace: true})
			if err != nil {
				t.Fatal(err)
			}
			if jsonOf(t, traced.Rows) != jsonOf(t, res.Rows) || len(traced.Trace) != 3 {
				t.Fatalf("traced rows %v, trace %v", traced.Rows, traced.Trace)
			}
			for _, tr := range traced.Trace {
				if tr.Used && !tr.Matched {
					t.Errorf("row %d used but not matched", tr.Row)
				}
			}
		})
	}
}

// TestExactSum: sums are exact decimals, never floats, including beyond the
// 64-bit range.
func TestExactSum(t *testing.T) {
	tbl := mustCompile(t, `{"title":"S","hitPolicy":"sum","inputs":[{"key":"x","type":"int"}],
		"outputs":[{"key":"d","type":"decimal"}],"rows":[
		{"when":{"x":{"$gte":1}},"then":{"d":0.1}},
		{"when":{"x":{"$gte":2}},"then":{"d":"0.2"}},
		{"when":{"x":{"$gte":3}},"then":{"d":"99999999999999999999.7"}},
		{"when":{"x":{"$gte":4}},"then":{"d":"0.000000000000000001"}}]}`)
	want := map[int64]string{1: "0.1", 2: "0.3", 3: "100000000000000000000", 4: "100000000000000000000.000000000000000001"}
	for x, w := range want {
		res, err := tbl.Evaluate(map[string]any{"x": x}, time.Time{}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		d := res.Outputs["d"].(decimal.Decimal)
		if !d.Equal(decimal.RequireFromString(w)) || d.String() != w {
			t.Errorf("x=%d: sum %s, want exactly %s", x, d, w)
		}
	}
}

func TestIntSumOverflow(t *testing.T) {
	tbl := mustCompile(t, `{"title":"S","hitPolicy":"sum","inputs":[{"key":"x","type":"int"}],
		"outputs":[{"key":"n","type":"int"}],"rows":[
		{"when":{"x":1},"then":{"n":9223372036854775807}},{"when":{},"then":{"n":1}}]}`)
	if _, err := tbl.Evaluate(map[string]any{"x": 1}, time.Time{}, Options{}); err == nil || !strings.Contains(err.Error(), "rule.overflow") {
		t.Fatalf("err %v, want rule.overflow", err)
	}
	res, err := tbl.Evaluate(map[string]any{"x": 2}, time.Time{}, Options{})
	if err != nil || res.Outputs["n"] != int64(1) {
		t.Fatalf("%v %v", res.Outputs, err)
	}
}

// TestEffectiveDates: a row applies from validFrom (inclusive) to validTo
// (exclusive), at the instant of the evaluation.
func TestEffectiveDates(t *testing.T) {
	tbl := mustCompile(t, `{"title":"国庆双倍积分","hitPolicy":"first","inputs":[{"key":"tier","type":"string"}],
		"outputs":[{"key":"multiplier","type":"decimal","default":"1"}],"rows":[
		{"when":{},"then":{"multiplier":"2"},"validFrom":"2026-10-01T00:00:00+08:00","validTo":"2026-10-08T00:00:00+08:00","note":"国庆"},
		{"when":{"tier":"金卡"},"then":{"multiplier":"1.5"},"validFrom":"2026-01-01T00:00:00+08:00"},
		{"when":{"tier":"银卡"},"then":{"multiplier":"1.2"},"validTo":"2026-06-01T00:00:00+08:00"}]}`)
	cases := []struct {
		at, tier, want string
		rows           string
		trace          string
	}{
		{"2026-09-30T15:59:59Z", "金卡", "1.5", "[1]", "0:notYetValid 1:used 2:expired"},
		{"2026-09-30T16:00:00Z", "金卡", "2", "[0]", "0:used 1:matched 2:expired"},
		{"2026-10-07T23:59:59+08:00", "普通", "2", "[0]", "0:used 1:tier 2:expired"},
		{"2026-10-08T00:00:00+08:00", "金卡", "1.5", "[1]", "0:expired 1:used 2:expired"},
		{"2025-12-31T23:59:59+08:00", "金卡", "1", "[]", "0:notYetValid 1:notYetValid 2:tier"},
		{"2026-05-31T23:59:59+08:00", "银卡", "1.2", "[2]", "0:notYetValid 1:tier 2:used"},
		{"2026-06-01T00:00:00+08:00", "银卡", "1", "[]", "0:notYetValid 1:tier 2:expired"},
	}
	for _, tc := range cases {
		res, err := tbl.Evaluate(map[string]any{"tier": tc.tier}, at(t, tc.at), Options{Trace: true})
		if err != nil {
			t.Fatal(err)
		}
		got := res.Outputs["multiplier"].(decimal.Decimal).String()
		rows := jsonOf(t, res.Rows)
		if rows == "null" {
			rows = "[]"
		}
		var tr []string
		for _, r := range res.Trace {
			s := ""
			switch {
			case r.Used:
				s = "used"
			case r.Matched:
				s = "matched"
			case r.Inactive != "":
				s = r.Inactive
			default:
				s = r.FailedColumn
			}
			tr = append(tr, jsonOf(t, r.Row)+":"+s)
		}
		if got != tc.want || rows != tc.rows || strings.Join(tr, " ") != tc.trace {
			t.Errorf("at %s tier %s: %s %s trace %s; want %s %s trace %s", tc.at, tc.tier, got, rows, strings.Join(tr, " "), tc.want, tc.rows, tc.trace)
		}
	}
}

// TestResultJSON: the wire shape the API sends.
func TestResultJSON(t *testing.T) {
	tbl := policyTable(t, "first", `[{"key":"multiplier","type":"decimal","default":"1"},{"key":"day","type":"date","default":"2026-01-01"},{"key":"tags","type":"list","default":[]}]`,
		`[{"when":{"tier":"金卡"},"then":{"multiplier":"1.50","tags":["vip"]}}]`)
	res, err := tbl.Evaluate(map[string]any{"tier": "金卡"}, at(t, "2026-10-01T08:00:00+08:00"), Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"matched":true,"hitPolicy":"first","at":"2026-10-01T00:00:00.000Z","rows":[0],"trace":[{"row":0,"matched":true,"used":true}],"outputs":{"day":"2026-01-01","multiplier":"1.5","tags":["vip"]}}`
	if got := jsonOf(t, res); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	// A caller may change the list it got without changing the table.
	res.Outputs["tags"].([]string)[0] = "changed"
	again, _ := tbl.Evaluate(map[string]any{"tier": "金卡"}, time.Time{}, Options{})
	if again.Outputs["tags"].([]string)[0] != "vip" {
		t.Fatal("outputs share memory with the table")
	}
	none, _ := policyTable(t, "collect", `[{"key":"t","type":"string"}]`, `[{"when":{"tier":"金卡"},"then":{"t":"x"}}]`).
		Evaluate(map[string]any{"tier": "普通"}, at(t, "2026-10-01T00:00:00Z"), Options{})
	if got := jsonOf(t, none); got != `{"matched":false,"hitPolicy":"collect","at":"2026-10-01T00:00:00.000Z","rows":[],"list":[]}` {
		t.Fatalf("empty collect: %s", got)
	}
}

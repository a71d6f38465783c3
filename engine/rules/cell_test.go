package rules

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestCells runs every cell kind on every column type: a one-row table
// whose row sets ok=true when its cell accepts the input.
func TestCells(t *testing.T) {
	type probe struct {
		in   any // nil: the input is left out
		want bool
	}
	cases := []struct {
		name, typ, extra, cell string
		probes                 []probe
	}{
		{"string/equals 中文", "string", "", `"金卡"`, []probe{{"金卡", true}, {"银卡", false}, {nil, false}}},
		{"string/$eq", "string", "", `{"$eq":"S001"}`, []probe{{"S001", true}, {"s001", false}}},
		{"string/$ne", "string", "", `{"$ne":"金卡"}`, []probe{{"银卡", true}, {"金卡", false}, {nil, true}}},
		{"string/$in", "string", "", `{"$in":["金卡","钻石"]}`, []probe{{"钻石", true}, {"普通", false}, {nil, false}}},
		{"string/$nin", "string", "", `{"$nin":["普通"]}`, []probe{{"金卡", true}, {"普通", false}, {nil, true}}},
		{"string/$eq and $in", "string", "", `{"$eq":"金卡","$in":["金卡","银卡"]}`, []probe{{"金卡", true}, {"银卡", false}}},
		{"string/long $in", "string", "", `{"$in":["S01","S02","S03","S04","S05","S06","S07","S08","S09","S10"]}`, []probe{{"S07", true}, {"S11", false}}},
		{"string/long $nin", "string", "", `{"$nin":["S01","S02","S03","S04","S05","S06","S07","S08","S09","S10"]}`, []probe{{"S07", false}, {"S11", true}}},
		{"string/options", "string", `,"options":["普通","银卡","金卡","钻石"]`, `{"$in":["金卡","钻石"]}`, []probe{{"金卡", true}, {"银卡", false}}},

		{"int/equals", "int", "", `3`, []probe{{3, true}, {4, false}, {3.0, true}, {nil, false}}},
		{"int/$gte $lt", "int", "", `{"$gte":1000,"$lt":2000}`, []probe{{999, false}, {1000, true}, {1999, true}, {2000, false}, {nil, false}}},
		{"int/$gt $lte", "int", "", `{"$gt":5,"$lte":10}`, []probe{{5, false}, {6, true}, {10, true}, {11, false}}},
		{"int/$in", "int", "", `{"$in":[1,2,3]}`, []probe{{2, true}, {4, false}}},
		{"int/$nin", "int", "", `{"$nin":[1]}`, []probe{{1, false}, {-1, true}, {nil, true}}},
		{"int/$ne", "int", "", `{"$ne":0}`, []probe{{0, false}, {7, true}}},
		{"int/beyond int64", "int", "", `{"$gt":9223372036854775807}`, []probe{{int64(9223372036854775807), false}}},
		{"int/below int64", "int", "", `{"$lt":-9223372036854775808}`, []probe{{int64(-9223372036854775808), false}}},
		{"int/long $in", "int", "", `{"$in":[1,2,3,4,5,6,7,8,9,10]}`, []probe{{10, true}, {11, false}}},

		{"decimal/range", "decimal", "", `{"$gte":"99.99","$lt":100}`, []probe{{json.Number("99.99"), true}, {json.Number("100"), false}, {"99.99", true}, {"99.989", false}, {"99.995", true}, {"100", false}, {"100.00", false}}},
		{"decimal/equals any scale", "decimal", "", `"1.50"`, []probe{{"1.5", true}, {"1.500", true}, {1.5, true}, {"1.51", false}}},
		{"decimal/finer input", "decimal", "", `{"$lt":"100.5"}`, []probe{{"100.4999999999", true}, {"100.5000000001", false}}},
		{"decimal/$in $nin", "decimal", "", `{"$in":["0.1","0.2","0.3"],"$nin":[0.2]}`, []probe{{"0.10", true}, {0.2, false}, {"0.3", true}}},
		{"decimal/$ne", "decimal", "", `{"$ne":"0"}`, []probe{{"0.00", false}, {"0.01", true}, {nil, true}}},
		{"decimal/huge", "decimal", "", `{"$gt":"123456789012345678901234567890"}`, []probe{{"123456789012345678901234567890.1", true}, {"1", false}}},
		{"decimal/Go values", "decimal", "", `{"$gte":"0.3"}`, []probe{{0.1 + 0.2, true}, {decimal.RequireFromString("0.29"), false}, {int64(1), true}}},

		{"date/range inclusive", "date", "", `{"$gte":"2026-10-01","$lte":"2026-10-07"}`, []probe{{"2026-09-30", false}, {"2026-10-01", true}, {"2026-10-07", true}, {"2026-10-08", false}}},
		{"date/equals", "date", "", `"2026-02-14"`, []probe{{"2026-02-14", true}, {"2026-02-15", false}}},
		{"date/$nin holidays", "date", "", `{"$nin":["2026-01-01","2026-05-01"]}`, []probe{{"2026-05-01", false}, {"2026-05-02", true}}},
		{"date/$gt $lt", "date", "", `{"$gt":"2026-01-01","$lt":"2026-01-03"}`, []probe{{"2026-01-01", false}, {"2026-01-02", true}, {"2026-01-03", false}}},
		{"date/instant input in Shanghai", "date", "", `"2026-10-01"`, []probe{{time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC), true}, {time.Date(2026, 9, 30, 15, 59, 0, 0, time.UTC), false}}},

		{"datetime/range", "datetime", "", `{"$gte":"2026-10-01T00:00:00+08:00","$lt":"2026-10-08T00:00:00+08:00"}`, []probe{
			{"2026-09-30T16:00:00Z", true}, {"2026-09-30T15:59:59.999Z", false}, {"2026-10-07T23:59:59+08:00", true}, {"2026-10-08T00:00:00+08:00", false},
			{time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC), true}}},
		{"datetime/bare date is midnight in the zone", "datetime", "", `{"$gte":"2026-10-01"}`, []probe{{"2026-09-30T16:00:00Z", true}, {"2026-09-30T15:59:59Z", false}}},
		{"datetime/$gt $lte", "datetime", "", `{"$gt":"2026-01-01T00:00:00Z","$lte":"2026-01-02T00:00:00Z"}`, []probe{{"2026-01-01T00:00:00Z", false}, {"2026-01-01T00:00:00.000000001Z", true}, {"2026-01-02T00:00:00Z", true}}},
		{"datetime/equals", "datetime", "", `"2026-01-01T08:00:00+08:00"`, []probe{{"2026-01-01T00:00:00Z", true}, {"2026-01-01T00:00:01Z", false}}},

		{"bool/true", "bool", "", `true`, []probe{{true, true}, {false, false}, {nil, false}}},
		{"bool/$ne", "bool", "", `{"$ne":true}`, []probe{{false, true}, {true, false}, {nil, true}}},
		{"bool/$in", "bool", "", `{"$in":[false]}`, []probe{{false, true}, {true, false}}},

		{"list/bare value contains", "list", "", `"生鲜"`, []probe{{[]any{"生鲜", "酒水"}, true}, {[]any{"酒水"}, false}, {[]any{}, false}, {nil, false}}},
		{"list/$contains", "list", "", `{"$contains":"生鲜"}`, []probe{{[]string{"日用", "生鲜"}, true}, {[]string{"日用"}, false}}},
		{"list/$contains all", "list", "", `{"$contains":["生鲜","酒水"]}`, []probe{{[]any{"酒水", "生鲜"}, true}, {[]any{"生鲜"}, false}}},
		{"list/$eq", "list", "", `{"$eq":"生鲜"}`, []probe{{[]any{"生鲜"}, true}, {[]any{"酒水"}, false}}},
		{"list/$in any of", "list", "", `{"$in":["生鲜","酒水"]}`, []probe{{[]any{"日用", "酒水"}, true}, {[]any{"日用"}, false}, {nil, false}}},
		{"list/$nin none of", "list", "", `{"$nin":["烟草","彩票"]}`, []probe{{[]any{"日用"}, true}, {[]any{"日用", "烟草"}, false}, {nil, true}}},
		{"list/$ne", "list", "", `{"$ne":"烟草"}`, []probe{{[]any{"日用"}, true}, {[]any{"烟草"}, false}}},
		{"list/contains but not", "list", "", `{"$contains":"生鲜","$nin":["烟草"]}`, []probe{{[]any{"生鲜"}, true}, {[]any{"生鲜", "烟草"}, false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := fmt.Sprintf(`{"title":"T","hitPolicy":"first","inputs":[{"key":"x","type":%q%s}],
				"outputs":[{"key":"ok","type":"bool","default":false}],"rows":[{"when":{"x":%s},"then":{"ok":true}}]}`, tc.typ, tc.extra, tc.cell)
			tbl := mustCompile(t, spec)
			for _, p := range tc.probes {
				in := map[string]any{}
				if p.in != nil {
					in["x"] = p.in
				}
				res, err := tbl.Evaluate(in, time.Time{}, Options{})
				if err != nil {
					t.Fatalf("input %#v: %v", p.in, err)
				}
				if res.Matched != p.want || res.Outputs["ok"] != p.want {
					t.Errorf("input %#v: matched %v outputs %v, want %v", p.in, res.Matched, res.Outputs, p.want)
				}
			}
		})
	}
}

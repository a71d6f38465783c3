package rules

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// validate saves nothing: it runs the checks a save runs.
func validate(spec string) error {
	return meta.Validate(meta.Definition{Kind: meta.KindRule, App: "crm", Key: "points", Spec: json.RawMessage(spec)})
}

// table builds a spec over the usual columns with a policy and rows.
func table(policy, rows string) string {
	return `{"title":"T","hitPolicy":"` + policy + `","inputs":[
		{"key":"tier","type":"string","options":["普通","银卡","金卡","钻石"],"required":true},
		{"key":"amount","type":"decimal"},{"key":"points","type":"int","required":true},
		{"key":"day","type":"date","required":true},{"key":"first","type":"bool","required":true},
		{"key":"basket","type":"list"},{"key":"store","type":"string"}],
		"outputs":[{"key":"multiplier","type":"decimal","default":"1"}],"rows":` + rows + `}`
}

// TestCheckTypes: cells and outputs must fit their columns; paths point at
// the operand.
func TestCheckTypes(t *testing.T) {
	spec := `{"title":"T","hitPolicy":"first","timeZone":"Mars/Olympus","inputs":[
		{"key":"tier","type":"string","options":["普通","金卡"]},{"key":"amount","type":"decimal"},
		{"key":"day","type":"date"},{"key":"basket","type":"list","options":["生鲜","酒水"]},{"key":"n","type":"int","options":["1"]}],
		"outputs":[{"key":"multiplier","type":"decimal"},{"key":"label","type":"string","default":5}],
		"rows":[
		{"when":{"ghost":1,"amount":"abc"},"then":{"multiplier":"x","label":"a"}},
		{"when":{"tier":"黑卡","day":{"$gte":"2026-13-01"},"basket":{"$gt":"a"}},"then":{"multiplier":1}},
		{"when":{"tier":{"$contains":"金"},"basket":{"$in":["生鲜","烟草"]},"n":"1"},"then":{}},
		{"when":{"amount":{"$gt":1,"$gte":2},"n":1.5},"then":{"multiplier":"1"}}]}`
	sameLines(t, "fields", fields(t, validate(spec)), []string{
		"spec.inputs[4].options rule.options",
		"spec.outputs[1].default rule.value",
		"spec.rows[0].then.multiplier rule.value",
		"spec.rows[0].when.amount rule.value",
		"spec.rows[0].when.ghost meta.unknown_column",
		"spec.rows[1].when.basket.$gt rule.operator",
		"spec.rows[1].when.day.$gte rule.value",
		"spec.rows[1].when.tier rule.option",
		"spec.rows[2].then.multiplier rule.blank_output",
		"spec.rows[2].when.basket.$in[1] rule.option",
		"spec.rows[2].when.n rule.value",
		"spec.rows[2].when.tier.$contains rule.operator",
		"spec.rows[3].when.amount.$gte rule.operator",
		"spec.rows[3].when.n rule.value",
		"spec.timeZone rule.time_zone",
	})
	// Shapes are the meta-schema's to report, once.
	sameLines(t, "shapes", fields(t, validate(table("first", `[{"when":{"tier":null,"amount":[1],"store":{"$regex":"x"},"points":{}},"then":{"multiplier":{"a":1}}}]`))), []string{
		"spec.rows[0].then.multiplier meta.type",
		"spec.rows[0].when.amount meta.type",
		"spec.rows[0].when.points meta.items",
		"spec.rows[0].when.store.$regex meta.property_name",
		"spec.rows[0].when.tier meta.type",
	})
}

// TestCheckReachability: rows that can never be used are refused under first
// and priority, whether one earlier row or several together hide them.
func TestCheckReachability(t *testing.T) {
	cases := []struct {
		name, policy, rows string
		want               []string
	}{
		{"one earlier row", "first", `[
			{"when":{"tier":{"$in":["金卡","钻石"]}},"then":{"multiplier":"2"}},
			{"when":{"tier":"金卡","amount":{"$gte":100}},"then":{"multiplier":"3"}}]`, []string{"spec.rows[1] rule.unreachable"}},
		{"options cover the column", "first", `[
			{"when":{"tier":{"$in":["普通","银卡"]}},"then":{"multiplier":"1"}},
			{"when":{"tier":{"$nin":["普通","银卡"]}},"then":{"multiplier":"2"}},
			{"when":{"store":"S001"},"then":{"multiplier":"3"}}]`, []string{"spec.rows[2] rule.unreachable"}},
		{"integers meet", "first", `[
			{"when":{"points":{"$lte":999}},"then":{"multiplier":"1"}},
			{"when":{"points":{"$gte":1000}},"then":{"multiplier":"2"}},
			{"when":{},"then":{"multiplier":"3"}}]`, []string{"spec.rows[2] rule.unreachable"}},
		{"decimals leave (999, 1000)", "first", `[
			{"when":{"amount":{"$lte":999}},"then":{"multiplier":"1"}},
			{"when":{"amount":{"$gte":1000}},"then":{"multiplier":"2"}},
			{"when":{"amount":{"$gt":999,"$lt":1000}},"then":{"multiplier":"3"}}]`, nil},
		{"a missing input is not covered by ranges", "first", `[
			{"when":{"amount":{"$lt":100}},"then":{"multiplier":"1"}},
			{"when":{"amount":{"$gte":100}},"then":{"multiplier":"2"}},
			{"when":{},"then":{"multiplier":"3"}}]`, nil},
		{"but it is by $ne", "first", `[
			{"when":{"store":"S001"},"then":{"multiplier":"1"}},
			{"when":{"store":{"$ne":"S001"}},"then":{"multiplier":"2"}},
			{"when":{"amount":5},"then":{"multiplier":"3"}}]`, []string{"spec.rows[2] rule.unreachable"}},
		{"dates", "first", `[
			{"when":{"day":{"$lt":"2026-10-01"}},"then":{"multiplier":"1"}},
			{"when":{"day":{"$gte":"2026-10-01"}},"then":{"multiplier":"2"}},
			{"when":{"day":"2026-10-01"},"then":{"multiplier":"3"}}]`, []string{"spec.rows[2] rule.unreachable"}},
		{"booleans", "first", `[
			{"when":{"first":true},"then":{"multiplier":"1"}},
			{"when":{"first":{"$ne":true}},"then":{"multiplier":"2"}},
			{"when":{"tier":"金卡"},"then":{"multiplier":"3"}}]`, []string{"spec.rows[2] rule.unreachable"}},
		{"lists", "first", `[
			{"when":{"basket":{"$contains":"酒水"}},"then":{"multiplier":"1"}},
			{"when":{"basket":{"$nin":["酒水"]}},"then":{"multiplier":"2"}},
			{"when":{"basket":{"$in":["生鲜","日用"]}},"then":{"multiplier":"3"}},
			{"when":{"basket":{"$contains":["生鲜","酒水"]}},"then":{"multiplier":"4"}}]`, []string{"spec.rows[2] rule.unreachable", "spec.rows[3] rule.unreachable"}},
		{"effective dates", "first", `[
			{"when":{},"then":{"multiplier":"1"},"validTo":"2026-10-01T00:00:00+08:00"},
			{"when":{},"then":{"multiplier":"2"},"validFrom":"2026-10-01T00:00:00+08:00"},
			{"when":{"tier":"金卡"},"then":{"multiplier":"3"}}]`, []string{"spec.rows[2] rule.unreachable"}},
		{"effective dates leave room", "first", `[
			{"when":{},"then":{"multiplier":"1"},"validTo":"2026-10-01T00:00:00+08:00"},
			{"when":{"tier":"金卡"},"then":{"multiplier":"3"}}]`, nil},
		{"priority beats order", "priority", `[
			{"when":{"tier":"金卡"},"then":{"multiplier":"3"},"priority":5},
			{"when":{},"then":{"multiplier":"2"},"priority":10}]`, []string{"spec.rows[0] rule.unreachable"}},
		{"collect keeps every row", "collect", `[
			{"when":{},"then":{"multiplier":"1"}},
			{"when":{"tier":"金卡"},"then":{"multiplier":"2"}}]`, nil},
		{"contradictions", "sum", `[
			{"when":{"amount":{"$gte":10,"$lt":5}},"then":{"multiplier":"1"}},
			{"when":{"tier":{"$in":["金卡"],"$ne":"金卡"}},"then":{"multiplier":"1"}},
			{"when":{"basket":{"$contains":"酒水","$nin":["酒水"]}},"then":{"multiplier":"1"}},
			{"when":{},"then":{"multiplier":"1"},"validFrom":"2026-10-01T00:00:00Z","validTo":"2026-10-01T00:00:00Z"}]`, []string{
			"spec.rows[0].when.amount rule.never", "spec.rows[1].when.tier rule.never", "spec.rows[2].when.basket rule.never", "spec.rows[3].validTo rule.never"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := validate(table(tc.policy, tc.rows))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			sameLines(t, "fields", fields(t, err), tc.want)
		})
	}
	e, _ := errs.As(validate(table("first", `[{"when":{"tier":{"$in":["普通","银卡"]}},"then":{"multiplier":"1"}},
		{"when":{"tier":{"$nin":["普通","银卡"]}},"then":{"multiplier":"2"}},{"when":{"store":"S001"},"then":{"multiplier":"3"}}]`)))
	if want := "is never used: rows[0], rows[1] match every input it matches and come first; remove it or move it up"; e.Fields[0].Message != want {
		t.Errorf("message %q\nwant    %q", e.Fields[0].Message, want)
	}
}

// TestCheckOverlaps: under priority, two rows of the same priority that can
// match one input must agree on the outputs.
func TestCheckOverlaps(t *testing.T) {
	err := validate(table("priority", `[
		{"when":{"tier":"金卡"},"then":{"multiplier":"2"},"priority":10},
		{"when":{"amount":{"$gte":100}},"then":{"multiplier":"1.5"},"priority":10},
		{"when":{"tier":"银卡","store":"S001"},"then":{"multiplier":"1.2"},"priority":10},
		{"when":{"tier":"银卡","store":"S002"},"then":{"multiplier":"1.3"},"priority":10},
		{"when":{"amount":{"$gte":500}},"then":{"multiplier":"3"},"priority":20}]`))
	sameLines(t, "fields", fields(t, err), []string{"spec.rows[1] rule.overlap", "spec.rows[2] rule.overlap", "spec.rows[3] rule.overlap"})
	e, _ := errs.As(err)
	for _, want := range []string{
		`can match the same inputs as rows[0] (for example tier="金卡", amount=100) with the same priority 10 but other outputs`,
		`as rows[1] (for example tier="银卡", amount=100, store="S001")`,
	} {
		if !strings.Contains(e.Error(), want) {
			t.Errorf("no %q in %v", want, err)
		}
	}
	// Overlapping rows that agree ("2" and "2.0" are one decimal) are fine.
	if err := validate(table("priority", `[
		{"when":{"tier":"金卡"},"then":{"multiplier":"2"},"priority":10},
		{"when":{"basket":"酒水"},"then":{"multiplier":"2.0"},"priority":10}]`)); err != nil {
		t.Fatal(err)
	}
}

// TestCheckManyListElements: past maxListBits strings a list column is
// analyzed symbolically: exact for overlaps and for one row inside
// another, and silent where it cannot decide, never wrong.
func TestCheckManyListElements(t *testing.T) {
	many := `["a","b","c","d","e","f","g","h","i","j","k","l","m","n"]`
	spec := func(policy, rows string) string {
		return `{"title":"T","hitPolicy":"` + policy + `","inputs":[{"key":"basket","type":"list"}],
			"outputs":[{"key":"m","type":"int","default":0}],"rows":[{"when":{"basket":{"$in":` + many + `}},"then":{"m":9},"priority":1},` + rows + `]}`
	}
	sameLines(t, "inside", fields(t, validate(spec("first", `{"when":{"basket":{"$contains":["a","z"]}},"then":{"m":1}}`))),
		[]string{"spec.rows[1] rule.unreachable"})
	if err := validate(spec("first", `{"when":{"basket":{"$nin":`+many+`}},"then":{"m":1}},{"when":{},"then":{"m":2}}`)); err != nil {
		t.Fatalf("undecidable union reported: %v", err)
	}
	sameLines(t, "overlap", fields(t, validate(spec("priority", `{"when":{"basket":"z"},"then":{"m":1},"priority":1}`))),
		[]string{"spec.rows[1] rule.overlap"})
	if err := validate(spec("priority", `{"when":{"basket":{"$nin":`+many+`}},"then":{"m":1},"priority":1}`)); err != nil {
		t.Fatalf("disjoint rows reported: %v", err)
	}
}

// TestMetaExample: the meta-schema's documented example passes this
// package's checks too, and evaluates.
func TestMetaExample(t *testing.T) {
	spec, err := os.ReadFile("../meta/testdata/valid/rule.json")
	if err != nil {
		t.Fatal(err)
	}
	tbl := mustCompile(t, string(spec))
	res, err := tbl.Evaluate(map[string]any{"tier": "金卡", "day": "2026-10-02", "categories": []any{"生鲜"}}, time.Time{}, Options{})
	if err != nil || res.Outputs["reason"] != "国庆双倍积分" {
		t.Fatalf("%v %v", res.Outputs, err)
	}
	if r := Analyze(spec); len(r.Errors)+len(r.Warnings) != 0 {
		t.Fatalf("report %+v", r)
	}
}

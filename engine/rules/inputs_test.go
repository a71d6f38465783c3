package rules

import (
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
)

// TestBadInputs: inputs are checked against the column types, every
// problem at once, each at "inputs.<key>".
func TestBadInputs(t *testing.T) {
	tbl := mustCompile(t, `{"title":"T","hitPolicy":"first","inputs":[
		{"key":"tier","type":"string","options":["普通","金卡"],"required":true},
		{"key":"amount","type":"decimal"},{"key":"points","type":"int"},{"key":"day","type":"date"},
		{"key":"paidAt","type":"datetime"},{"key":"first","type":"bool"},{"key":"basket","type":"list","options":["生鲜","酒水"]}],
		"outputs":[{"key":"ok","type":"bool","default":false}],"rows":[{"when":{},"then":{"ok":true}}]}`)
	cases := []struct {
		name, inputs string
		want         []string
	}{
		{"types", `{"tier":1,"amount":"12,50","points":1.5,"day":"2026/10/01","paidAt":"yesterday","first":"yes","basket":"生鲜"}`, []string{
			"inputs.amount rule.input", "inputs.basket rule.input", "inputs.day rule.input", "inputs.first rule.input",
			"inputs.paidAt rule.input", "inputs.points rule.input", "inputs.tier rule.input"}},
		{"required and unknown", `{"amount":"1","ghost":1,"a.b":2}`, []string{
			"inputs.ghost rule.unknown_input", "inputs.tier rule.required", `inputs["a.b"] rule.unknown_input`}},
		{"null is missing", `{"tier":null}`, []string{"inputs.tier rule.required"}},
		{"options", `{"tier":"钻石","basket":["生鲜","烟草"]}`, []string{"inputs.basket rule.input", "inputs.tier rule.input"}},
		{"numbers", `{"tier":"普通","amount":1e3,"points":"3","day":20261001}`, []string{"inputs.amount rule.input", "inputs.day rule.input", "inputs.points rule.input"}},
		{"list elements", `{"tier":"普通","basket":["生鲜",1]}`, []string{"inputs.basket rule.input"}},
		{"years", `{"tier":"普通","paidAt":"3000-01-01T00:00:00Z"}`, []string{"inputs.paidAt rule.input"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tbl.Evaluate(decodeInputs(t, tc.inputs), time.Time{}, Options{})
			if e, ok := errs.As(err); !ok || e.Code != "rule.invalid_input" || e.Class != errs.Unprocessable {
				t.Fatalf("err %v, want 422 rule.invalid_input", err)
			}
			sameLines(t, "fields", fields(t, err), tc.want)
		})
	}
	_, err := tbl.Evaluate(decodeInputs(t, `{"tier":"普通","amount":true}`), time.Time{}, Options{})
	if e, _ := errs.As(err); e.Fields[0].Message != `expected a decimal (a number, or a string such as "12.50")` {
		t.Errorf("message %q", e.Fields[0].Message)
	}
	// An instant given as text is the day it falls on in the table's
	// zone: 16:30 UTC on 30 September is 1 October in Shanghai.
	days := mustCompile(t, `{"title":"T","hitPolicy":"first","inputs":[{"key":"day","type":"date"}],
		"outputs":[{"key":"holiday","type":"bool","default":false}],"rows":[{"when":{"day":"2026-10-01"},"then":{"holiday":true}}]}`)
	for in, want := range map[string]bool{"2026-09-30T16:30:00.000Z": true, "2026-09-30T15:59:59Z": false, "2026-10-01T08:00:00+08:00": true} {
		res, err := days.Evaluate(map[string]any{"day": in}, time.Time{}, Options{})
		if err != nil || res.Outputs["holiday"] != want {
			t.Errorf("day %s: %v %v, want %v", in, res.Outputs, err, want)
		}
	}
	if _, err := days.Evaluate(map[string]any{"day": "2026-10-01T25:00:00Z"}, time.Time{}, Options{}); !errs.HasCode(err, "rule.invalid_input") {
		t.Errorf("bad instant: %v", err)
	}
	// Go callers: script numbers arrive as float64, instants as time.Time.
	_, err = tbl.Evaluate(map[string]any{"tier": "金卡", "amount": 12.5, "points": float64(3), "day": time.Now(),
		"paidAt": time.Now(), "first": true, "basket": []string{"生鲜"}}, time.Time{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
}

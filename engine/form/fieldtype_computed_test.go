package form

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
)

func TestLookup(t *testing.T) {
	const base = `{"relation": "member", "field": "name"}`
	ftNormalize(t, "lookup", true, []ntCase{
		{name: "string", settings: base, in: "张三", want: "张三"},
		{name: "date kind", settings: `{"relation": "member", "field": "birthday", "kind": "date"}`, in: "1990-03-07", want: "1990-03-07"},
		{name: "date kind refuses", settings: `{"relation": "member", "field": "birthday", "kind": "date"}`, in: "1990-02-30", errs: []string{"f field.date"}},
		{name: "int kind", settings: `{"relation": "member", "field": "points", "kind": "int"}`, in: ftJSON(`12`), want: int64(12)},
	})
	ftParse(t, "lookup", []psCase{{settings: base, cell: "张三", want: nil}})
	ftCheck(t, "lookup", []ckCase{
		{"fine", base, nil},
		{"missing", ``, []string{"relation field.config", "field field.config"}},
		{"kind", `{"relation": "member", "field": "name", "kind": "money"}`, []string{"kind field.config"}},
	})
}

func TestRollup(t *testing.T) {
	const sum = `{"form": "orders", "via": "member", "op": "sum", "field": "amount", "kind": "int"}`
	ftNormalize(t, "rollup", true, []ntCase{
		{name: "count", settings: `{"form": "orders", "via": "member", "op": "count"}`, in: ftJSON(`3`), want: int64(3)},
		{name: "sum of fen", settings: sum, in: ftJSON(`123450`), want: int64(123450)},
		{name: "avg decimal", settings: `{"form": "orders", "via": "member", "op": "avg", "field": "amount"}`, in: ftJSON(`12.5`), want: json.Number("12.5")},
		{name: "int refuses fraction", settings: sum, in: ftJSON(`1.5`), errs: []string{"f field.precision"}},
		{name: "max of dates", settings: `{"form": "orders", "via": "member", "op": "max", "field": "day", "kind": "date"}`, in: "2026-11-23", want: "2026-11-23"},
	})
	ftParse(t, "rollup", []psCase{{settings: sum, cell: "12", want: nil}})
	ftCheck(t, "rollup", []ckCase{
		{"fine", sum, nil},
		{"count", `{"form": "orders", "via": "member", "op": "count"}`, nil},
		{"missing", ``, []string{"form field.config", "via field.config", "op field.config"}},
		{"sum needs field", `{"form": "orders", "via": "member", "op": "sum"}`, []string{"field field.config"}},
		{"count is int", `{"form": "orders", "via": "member", "op": "count", "kind": "decimal"}`, []string{"kind field.config.kind"}},
		{"sum is a number", `{"form": "orders", "via": "member", "op": "sum", "field": "a", "kind": "date"}`, []string{"kind field.config.kind"}},
		{"avg is decimal", `{"form": "orders", "via": "member", "op": "avg", "field": "a", "kind": "int"}`, []string{"kind field.config.kind"}},
		{"op", `{"form": "orders", "via": "member", "op": "median", "field": "a"}`, []string{"op field.config"}},
	})
}

func TestFormula(t *testing.T) {
	ftNormalize(t, "formula", true, []ntCase{
		{name: "text", settings: `{"expression": "name + '!'"}`, in: "张三!", want: "张三!"},
		{name: "money is fen", settings: `{"expression": "price * qty", "resultType": "money"}`, in: ftJSON(`1230`), want: int64(1230)},
		{name: "number", settings: `{"expression": "a / 3", "resultType": "number"}`, in: ftJSON(`0.5`), want: json.Number("0.5")},
		{name: "checkbox", settings: `{"expression": "a > 1", "resultType": "checkbox"}`, in: true, want: true},
		{name: "datetime", settings: `{"expression": "a", "resultType": "datetime"}`, in: "2026-11-23T14:30:00+08:00", want: "2026-11-23T06:30:00.000Z"},
		{name: "wrong kind", settings: `{"expression": "a", "resultType": "checkbox"}`, in: "yes", errs: []string{"f field.type"}},
	})
	ftParse(t, "formula", []psCase{{settings: `{"expression": "1"}`, cell: "1", want: nil}})
	ftCheck(t, "formula", []ckCase{
		{"fine", `{"expression": "price * qty", "resultType": "money"}`, nil},
		{"missing", ``, []string{"expression field.config"}},
		{"empty", `{"expression": ""}`, []string{"expression field.config"}},
		{"blank", `{"expression": "  "}`, []string{"expression field.config"}},
		{"result type", `{"expression": "1", "resultType": "image"}`, []string{"resultType field.config"}},
	})
}

func TestAutonumber(t *testing.T) {
	ftNormalize(t, "autonumber", true, []ntCase{
		{name: "text", in: "VIP-2026-000123", want: "VIP-2026-000123"},
		{name: "number", in: ftJSON(`123`), errs: []string{"f field.type"}},
	})
	ftParse(t, "autonumber", []psCase{{cell: "VIP-1", want: nil}})
	ftCheck(t, "autonumber", []ckCase{
		{"fine", `{"pattern": "VIP-{YYYY}-{000000}"}`, nil},
		{"default", ``, nil},
		{"no counter", `{"pattern": "VIP-{YYYY}"}`, []string{"pattern field.config.autonum"}},
		{"two counters", `{"pattern": "{000}-{000}"}`, []string{"pattern field.config.autonum"}},
		{"unknown placeholder", `{"pattern": "{HH}-{0000}"}`, []string{"pattern field.config.autonum"}},
		{"stray brace", `{"pattern": "A{0000}}"}`, []string{"pattern field.config.autonum"}},
		{"control char", `{"pattern": "A\t{0000}"}`, []string{"pattern field.config.autonum"}},
		{"too short", `{"pattern": "{}"}`, []string{"pattern field.config", "pattern field.config.autonum"}},
	})

	at := time.Date(2026, 11, 3, 0, 30, 0, 0, query.DefaultLocation)
	for _, tc := range []struct {
		pattern      string
		n            int64
		want, period string
	}{
		{"VIP-{YYYY}-{000000}", 123, "VIP-2026-000123", "2026"},
		{"{YY}{MM}{DD}{0000}", 7, "2611030007", "2026-11-03"},
		{"SO{YYYY}{MM}-{000}", 1234, "SO202611-1234", "2026-11"},
		{"M{00000}", 42, "M00042", ""},
		{"会员{0}", 9, "会员9", ""},
	} {
		if got := FormatAutoNumber(tc.pattern, at, tc.n); got != tc.want {
			t.Errorf("FormatAutoNumber(%q, %d) = %q; want %q", tc.pattern, tc.n, got, tc.want)
		}
		if got := AutoNumberPeriod(tc.pattern, at); got != tc.period {
			t.Errorf("AutoNumberPeriod(%q) = %q; want %q", tc.pattern, got, tc.period)
		}
	}
	// The same instant in UTC is still the 2nd: callers pass business time.
	if got := AutoNumberPeriod("{YYYY}{MM}{DD}{0}", at.UTC()); got != "2026-11-02" {
		t.Errorf("period in UTC = %q", got)
	}
	if got := AutoNumberPattern(ftField(t, "autonumber", "")); got != "{000000}" {
		t.Errorf("default pattern %q", got)
	}
	if got := AutoNumberPattern(ftField(t, "autonumber", `{"pattern": "C{0000}"}`)); got != "C{0000}" {
		t.Errorf("pattern %q", got)
	}
}

package form

import (
	"encoding/json"
	"testing"
)

func TestNumber(t *testing.T) {
	const dec = `{"precision": 2, "min": -10, "max": 99.5}`
	ftNormalize(t, "number", true, []ntCase{
		{name: "json integer", in: ftJSON(`42`), want: int64(42)},
		{name: "integer text", in: " 42 ", want: int64(42)},
		{name: "go int", in: 7, want: int64(7)},
		{name: "trailing zero fraction is whole", in: ftJSON(`42.00`), want: int64(42)},
		{name: "exponent", in: ftJSON(`1.2e3`), want: int64(1200)},
		{name: "negative zero", in: "-0", want: int64(0)},
		{name: "fraction refused for integers", in: ftJSON(`4.5`), errs: []string{"f field.precision"}},
		{name: "beyond 2^53", in: "9007199254740993", errs: []string{"f field.range"}},
		{name: "float64 exact", in: 12.0, want: int64(12)},
		{name: "float64 beyond 2^53", in: 1e17, errs: []string{"f field.precision"}},
		{name: "blank", in: "", want: nil},
		{name: "not a number", in: "12a", errs: []string{"f field.type"}},
		{name: "hex refused", in: "0x10", errs: []string{"f field.type"}},
		{name: "bool", in: true, errs: []string{"f field.type"}},
		{name: "huge exponent", in: ftJSON(`1e999`), errs: []string{"f field.range"}},
		{name: "decimal", settings: dec, in: ftJSON(`12.30`), want: json.Number("12.3")},
		{name: "decimal from float", settings: dec, in: 12.34, want: json.Number("12.34")},
		{name: "float noise refused", settings: dec, in: floatNoise, errs: []string{"f field.precision"}},
		{name: "too many decimals", settings: dec, in: "1.234", errs: []string{"f field.precision"}},
		{name: "decimal stays decimal kind", settings: dec, in: 5, want: json.Number("5")},
		{name: "below min", settings: dec, in: "-10.01", errs: []string{"f field.min"}},
		{name: "min inclusive", settings: dec, in: "-10", want: json.Number("-10")},
		{name: "above max", settings: dec, in: ftJSON(`99.51`), errs: []string{"f field.max"}},
		{name: "leading zeros", settings: dec, in: "007.50", want: json.Number("7.5")},
		{name: "point only fraction", settings: dec, in: ".5", want: json.Number("0.5")},
	})
	ftParse(t, "number", []psCase{
		{cell: "", want: nil},
		{cell: "1,234", want: "1234"},
		{cell: "1.2E+3", want: "1200"},
		{cell: " 12.50 ", want: "12.5"},
		{cell: "abc", want: "abc"},
	})
	ftCheck(t, "number", []ckCase{
		{"fine", dec, nil},
		{"min over max", `{"min": 5, "max": 1}`, []string{"min field.config.range"}},
		{"precision", `{"precision": 19}`, []string{"precision field.config"}},
		{"min type", `{"min": "1"}`, []string{"min field.config"}},
	})
}

func TestMoney(t *testing.T) {
	ftNormalize(t, "money", false, []ntCase{
		{name: "text yuan", in: "12.30", want: int64(1230)},
		{name: "json number", in: ftJSON(`12.3`), want: int64(1230)},
		{name: "float", in: 12.3, want: int64(1230)},
		{name: "float 0.1+0.2 refused", in: floatNoise, errs: []string{"f field.precision"}},
		{name: "whole", in: 100, want: int64(10000)},
		{name: "negative", in: "-0.05", want: int64(-5)},
		{name: "three decimals refused", in: "1.005", errs: []string{"f field.precision"}},
		{name: "trailing zeros fine", in: "1.500", want: int64(150)},
		{name: "whole yuan only", settings: `{"precision": 0}`, in: "1.5", errs: []string{"f field.precision"}},
		{name: "min in yuan", settings: `{"min": 0, "max": 5000}`, in: "-0.01", errs: []string{"f field.min"}},
		{name: "max in yuan", settings: `{"min": 0, "max": 5000}`, in: "5000.01", errs: []string{"f field.max"}},
		{name: "max inclusive", settings: `{"min": 0, "max": 5000}`, in: "5000", want: int64(500000)},
		{name: "overflow", in: "99999999999999999", errs: []string{"f field.range"}},
		{name: "symbols are Parse's job", in: "¥12", errs: []string{"f field.type"}},
		{name: "blank", in: " ", want: nil},
	})
	ftParse(t, "money", []psCase{
		{cell: "¥1,234.50", want: "1234.5"},
		{cell: "￥ 88", want: "88"},
		{cell: "1234.5元", want: "1234.5"},
		{cell: "RMB 9.99", want: "9.99"},
		{cell: "(12.00)", want: "-12"},
		{cell: "-¥3", want: "-3"},
		{cell: "", want: nil},
		{cell: "免费", want: "免费"},
	})
	ftCheck(t, "money", []ckCase{
		{"fine", `{"min": 0, "max": 100.5, "currency": "CNY", "precision": 2}`, nil},
		{"currency", `{"currency": "rmb"}`, []string{"currency field.config"}},
		{"precision", `{"precision": 3}`, []string{"precision field.config"}},
		{"range", `{"min": 10, "max": 1}`, []string{"min field.config.range"}},
	})
	for fen, want := range map[int64]string{0: "0.00", 5: "0.05", -5: "-0.05", 1230: "12.30", -123456: "-1234.56"} {
		if got := FenToYuan(fen); got != want {
			t.Errorf("FenToYuan(%d) = %q; want %q", fen, got, want)
		}
	}
}

func TestPercent(t *testing.T) {
	ftNormalize(t, "percent", true, []ntCase{
		{name: "text", in: "12.5", want: json.Number("12.5")},
		{name: "with sign", in: "12.5%", want: json.Number("12.5")},
		{name: "number", in: ftJSON(`8`), want: json.Number("8")},
		{name: "four decimals", in: "0.1234", want: json.Number("0.1234")},
		{name: "five refused", in: "0.12345", errs: []string{"f field.precision"}},
		{name: "precision setting", settings: `{"precision": 1}`, in: "12.25", errs: []string{"f field.precision"}},
		{name: "bounds", settings: `{"min": 0, "max": 100}`, in: "100.1", errs: []string{"f field.max"}},
		{name: "not a number", in: "half", errs: []string{"f field.type"}},
	})
	ftParse(t, "percent", []psCase{{cell: "12.5%", want: "12.5"}, {cell: "", want: nil}})
	ftCheck(t, "percent", []ckCase{
		{"fine", `{"min": 0, "max": 100}`, nil},
		{"precision", `{"precision": 5}`, []string{"precision field.config"}},
	})
}

func TestDecimalHelpers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		exp  bool
		want string
		key  string
	}{
		{"0", false, "0", ""},
		{"-0.000", false, "0", ""},
		{"+12.340", false, "12.34", ""},
		{"1e-3", true, "0.001", ""},
		{"-1.5E2", true, "-150", ""},
		{"1e3", false, "", "field.type.number"},
		{"1e40", true, "", "field.range"},
		{"1.", false, "1", ""},
		{"", false, "", "field.type.number"},
		{"1/2", false, "", "field.type.number"},
	} {
		d, key := parseDecimal(tc.in, tc.exp)
		if key != tc.key || key == "" && d.String() != tc.want {
			t.Errorf("parseDecimal(%q) = %q %q; want %q %q", tc.in, d.String(), key, tc.want, tc.key)
		}
	}
	dec := func(s string) decimal { d, _ := parseDecimal(s, false); return d }
	for _, tc := range []struct {
		a, b string
		want int
	}{{"1", "2", -1}, {"-1", "-2", 1}, {"10", "9.99", 1}, {"0.5", "0.50", 0}, {"-0.1", "0", -1}, {"1.05", "1.5", -1}} {
		if got := dec(tc.a).cmp(dec(tc.b)); got != tc.want {
			t.Errorf("cmp(%s, %s) = %d", tc.a, tc.b, got)
		}
	}
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{{"1.25", 1, "1.3"}, {"-1.25", 1, "-1.3"}, {"9.99", 1, "10"}, {"0.04", 1, "0"}, {"-0.04", 1, "0"}, {"1.2", 3, "1.2"}} {
		if got := dec(tc.in).round(tc.n).String(); got != tc.want {
			t.Errorf("round(%s, %d) = %s; want %s", tc.in, tc.n, got, tc.want)
		}
	}
}

// floatNoise is 0.30000000000000004: the sum happens at run time (a
// constant expression would be exact).
var floatNoise = func() float64 { x := 0.1; return x + 0.2 }()

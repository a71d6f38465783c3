package form

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	ftNormalize(t, "text", true, []ntCase{
		{name: "trims", in: "  张三 ", want: "张三"},
		{name: "blank is no value", in: "   ", want: nil},
		{name: "default max 200 characters", in: strings.Repeat("好", 200), want: strings.Repeat("好", 200)},
		{name: "over default max", in: strings.Repeat("好", 201), errs: []string{"f field.max_length"}},
		{name: "max counts characters", settings: `{"maxLength": 2}`, in: "张三丰", errs: []string{"f field.max_length"}},
		{name: "min", settings: `{"minLength": 2}`, in: "张", errs: []string{"f field.min_length"}},
		{name: "pattern", settings: `{"pattern": "^[A-Z0-9]+$"}`, in: "VIP001", want: "VIP001"},
		{name: "pattern refused", settings: `{"pattern": "^[A-Z0-9]+$"}`, in: "vip-1", errs: []string{"f field.pattern"}},
		{name: "every error at once", settings: `{"minLength": 5, "pattern": "^\\d+$"}`, in: "ab", errs: []string{"f field.min_length", "f field.pattern"}},
		{name: "number", in: ftJSON(`12`), errs: []string{"f field.type"}},
		{name: "bool", in: true, errs: []string{"f field.type"}},
		{name: "invalid UTF-8", in: "a\xffb", errs: []string{"f field.type"}},
	})
	ftParse(t, "text", []psCase{
		{cell: "", want: nil},
		{cell: "  李四 ", want: "李四"},
	})
	ftCheck(t, "text", []ckCase{
		{"fine", `{"maxLength": 20, "minLength": 1, "pattern": "^a"}`, nil},
		{"bad pattern", `{"pattern": "(a"}`, []string{"pattern field.config.pattern"}},
		{"not RE2", `{"pattern": "(?=a)"}`, []string{"pattern field.config.pattern"}},
		{"min over max", `{"maxLength": 5, "minLength": 6}`, []string{"minLength field.config.range"}},
		{"min over default max", `{"minLength": 300}`, []string{"minLength field.config.range"}},
		{"max too large", `{"maxLength": 20000}`, []string{"maxLength field.config"}},
	})
}

func TestTextarea(t *testing.T) {
	ftNormalize(t, "textarea", true, []ntCase{
		{name: "keeps lines, normalizes breaks", in: " 第一行\r\n第二行\r第三行\n", want: "第一行\n第二行\n第三行"},
		{name: "default max 10000", in: strings.Repeat("a", 10000), want: strings.Repeat("a", 10000)},
		{name: "over default max", in: strings.Repeat("a", 10001), errs: []string{"f field.max_length"}},
		{name: "pattern does not apply", settings: `{"pattern": "^x$"}`, in: "y", want: "y"},
		{name: "object", in: ftJSON(`{}`), errs: []string{"f field.type"}},
	})
	ftParse(t, "textarea", []psCase{{cell: "a\nb", want: "a\nb"}, {cell: " ", want: nil}})
	ftCheck(t, "textarea", []ckCase{
		{"fine", `{"maxLength": 50000, "rows": 6}`, nil},
		{"rows", `{"rows": 0}`, []string{"rows field.config"}},
	})
}

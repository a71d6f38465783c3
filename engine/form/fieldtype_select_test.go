package form

import "testing"

const tierOptions = `{"options": [
  {"value": "normal", "label": {"zh-CN": "普通", "en": "Normal"}},
  {"value": "silver", "label": {"zh-CN": "银卡", "en": "Silver Card"}},
  {"value": "gold", "label": "金卡"}]}`

func TestSelect(t *testing.T) {
	ftNormalize(t, "select", true, []ntCase{
		{name: "value", settings: tierOptions, in: "gold", want: "gold"},
		{name: "trimmed", settings: tierOptions, in: " silver ", want: "silver"},
		{name: "label is not a value", settings: tierOptions, in: "金卡", errs: []string{"f field.option"}},
		{name: "case matters", settings: tierOptions, in: "Gold", errs: []string{"f field.option"}},
		{name: "array", settings: tierOptions, in: ftJSON(`["gold"]`), errs: []string{"f field.type"}},
		{name: "blank", settings: tierOptions, in: "", want: nil},
	})
	ftParse(t, "select", []psCase{
		{settings: tierOptions, cell: "gold", want: "gold"},
		{settings: tierOptions, cell: "银卡", want: "silver"},
		{settings: tierOptions, cell: "Normal", want: "normal"},
		{settings: tierOptions, cell: "silver  card", want: "silver"},
		{settings: tierOptions, cell: "GOLD", want: "gold"},
		{settings: tierOptions, cell: "金卡", want: "gold"},
		{settings: tierOptions, cell: "钻石", want: "钻石"},
		{settings: tierOptions, cell: "", want: nil},
	})
	ftCheck(t, "select", []ckCase{
		{"fine", tierOptions, nil},
		{"no options", `{}`, []string{"options field.config.options"}},
		{"empty options", `{"options": []}`, []string{"options field.config.options"}},
		{"duplicate values", `{"options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": "a", "label": "C"}]}`,
			[]string{"options[2].value field.config.dupvalue"}},
		{"empty value", `{"options": [{"value": "", "label": "A"}]}`, []string{"options[0].value field.config"}},
		{"display", `{"options": [{"value": "a", "label": "A"}], "display": "grid"}`, []string{"display field.config"}},
	})
}

func TestMultiselect(t *testing.T) {
	const bounded = `{"minItems": 2, "maxItems": 2, "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": "c", "label": "C"}]}`
	ftNormalize(t, "multiselect", true, []ntCase{
		{name: "options order", settings: tierOptions, in: ftJSON(`["gold", "normal"]`), want: []any{"normal", "gold"}},
		{name: "go strings", settings: tierOptions, in: []string{"silver"}, want: []any{"silver"}},
		{name: "empty is no value", settings: tierOptions, in: ftJSON(`[]`), want: nil},
		{name: "every bad element", settings: tierOptions, in: ftJSON(`["gold", "x", 3, "gold", ""]`),
			errs: []string{"f[1] field.option", "f[2] field.type", "f[3] field.duplicate", "f[4] field.option"}},
		{name: "not a list", settings: tierOptions, in: "gold", errs: []string{"f field.type"}},
		{name: "too few", settings: bounded, in: ftJSON(`["a"]`), errs: []string{"f field.min_items"}},
		{name: "too many", settings: bounded, in: ftJSON(`["a", "b", "c"]`), errs: []string{"f field.max_items"}},
		{name: "count and elements", settings: bounded, in: ftJSON(`["a", "b", "z"]`), errs: []string{"f field.max_items", "f[2] field.option"}},
		{name: "just right", settings: bounded, in: ftJSON(`["c", "a"]`), want: []any{"a", "c"}},
	})
	ftParse(t, "multiselect", []psCase{
		{settings: tierOptions, cell: "普通, 金卡", want: []any{"normal", "gold"}},
		{settings: tierOptions, cell: "普通，银卡；gold、x", want: []any{"normal", "silver", "gold", "x"}},
		{settings: tierOptions, cell: "Silver Card;normal", want: []any{"silver", "normal"}},
		{settings: tierOptions, cell: "", want: nil},
	})
	ftCheck(t, "multiselect", []ckCase{
		{"fine", bounded, nil},
		{"min over max", `{"minItems": 3, "maxItems": 2, "options": [{"value": "a", "label": "A"}]}`, []string{"minItems field.config.range"}},
		{"no options", `{"maxItems": 0}`, []string{"options field.config.options", "maxItems field.config"}},
	})
}

func TestCheckbox(t *testing.T) {
	ftNormalize(t, "checkbox", true, []ntCase{
		{name: "true", in: true, want: true},
		{name: "false", in: false, want: false},
		{name: "text refused", in: "true", errs: []string{"f field.type"}},
		{name: "number refused", in: ftJSON(`1`), errs: []string{"f field.type"}},
	})
	ftParse(t, "checkbox", []psCase{
		{cell: "是", want: true}, {cell: "否", want: false},
		{cell: "TRUE", want: true}, {cell: "false", want: false},
		{cell: "1", want: true}, {cell: "0", want: false},
		{cell: "Y", want: true}, {cell: "n", want: false},
		{cell: "√", want: true}, {cell: "×", want: false},
		{cell: "", want: nil},
		{cell: "也许", want: nil, errs: []string{"f field.type"}},
	})
	ftCheck(t, "checkbox", []ckCase{
		{"fine", `{"display": "switch"}`, nil},
		{"bad display", `{"display": "toggle"}`, []string{"display field.config"}},
	})
}

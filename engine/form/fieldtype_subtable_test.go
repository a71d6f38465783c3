package form

import (
	"encoding/json"
	"strings"
	"testing"
)

const orderLines = `{"maxRows": 3, "fields": [
  {"key": "sku", "type": "text", "label": "SKU", "required": true, "maxLength": 10},
  {"key": "qty", "type": "number", "label": "Qty", "min": 1},
  {"key": "price", "type": "money", "label": "Price"},
  {"key": "tags", "type": "multiselect", "label": "Tags", "options": [{"value": "gift", "label": "赠品"}]}]}`

func TestSubtable(t *testing.T) {
	ftNormalize(t, "subtable", false, []ntCase{
		{name: "rows", settings: orderLines, in: ftJSON(`[{"sku": " A1 ", "qty": 2, "price": "12.30"}, {"sku": "B2", "tags": ["gift"], "qty": null}]`),
			want: []any{
				map[string]any{"sku": "A1", "qty": int64(2), "price": int64(1230)},
				map[string]any{"sku": "B2", "tags": []any{"gift"}},
			}},
		{name: "empty is no value", settings: orderLines, in: ftJSON(`[]`), want: nil},
		{name: "every cell error with its path", settings: strings.Replace(orderLines, `"maxRows": 3`, `"maxRows": 4`, 1),
			in: ftJSON(`[{"sku": "A1", "qty": 0}, {"qty": 1.5, "price": "1.001", "x": 1}, "row", {"sku": "", "tags": ["nope"]}]`),
			errs: []string{
				"f[0].qty field.min",
				"f[1].sku field.required", "f[1].qty field.precision", "f[1].price field.precision", "f[1].x field.unknown",
				"f[2] field.type",
				"f[3].sku field.required", "f[3].tags[0] field.option",
			}},
		{name: "too many rows", settings: orderLines, in: ftJSON(`[{"sku": "a"}, {"sku": "b"}, {"sku": "c"}, {"sku": "d"}]`), errs: []string{"f field.max_items"}},
		{name: "too few rows", settings: `{"minRows": 2, "fields": [{"key": "a", "type": "text", "label": "A"}]}`, in: ftJSON(`[{"a": "x"}]`), errs: []string{"f field.min_items"}},
		{name: "not a list", settings: orderLines, in: ftJSON(`{"sku": "a"}`), errs: []string{"f field.type"}},
	})
	// Stored rows normalize to themselves (money cells are fen already, so
	// a second pass would multiply them: check a row without money).
	ft := ftType(t, "subtable")
	f := ftField(t, "subtable", orderLines)
	rows, fe := ft.Normalize(Ctx{Lang: "en", Path: "items"}, f, ftJSON(`[{"sku": "A1", "qty": 2}]`))
	again, fe2 := ft.Normalize(Ctx{Lang: "en", Path: "items"}, f, rows)
	if fe != nil || fe2 != nil || !jsonEqual(rows, again) {
		t.Fatalf("rows %v %v, again %v %v", rows, fe, again, fe2)
	}
	_, fe = ft.Normalize(Ctx{Lang: "en", Path: "items"}, f, ftJSON(`[{}, {"sku": "x", "qty": -1}]`))
	ftSameErrs(t, fe, []string{"items[0].sku field.required", "items[1].qty field.min"})

	ftParse(t, "subtable", []psCase{
		{settings: orderLines, cell: `[{"sku": "A1", "qty": 2}]`, want: []any{map[string]any{"sku": "A1", "qty": json.Number("2")}}},
		{settings: orderLines, cell: "A1 x2", want: nil, errs: []string{"f field.type"}},
		{settings: orderLines, cell: "", want: nil},
	})
	ftCheck(t, "subtable", []ckCase{
		{"fine", orderLines, nil},
		{"no columns", `{}`, []string{"fields field.config"}},
		{"empty columns", `{"fields": []}`, []string{"fields field.config"}},
		{"bad columns", `{"minRows": 5, "maxRows": 2, "fields": [
			{"key": "a", "type": "text", "label": "A", "pattern": "("},
			{"key": "a", "type": "subtable", "label": "B", "fields": [{"key": "x", "type": "text", "label": "X"}]},
			{"key": "c", "type": "formula", "label": "C", "expression": "1"},
			{"key": "d", "type": "nosuch", "label": "D"},
			{"key": "e", "type": "select", "label": "E"}]}`,
			[]string{
				"minRows field.config.range",
				"fields[0].pattern field.config.pattern",
				"fields[1].key field.config.dupkey", "fields[1].type field.config.column",
				"fields[2].type field.config.column",
				"fields[3].type field.config.type",
				"fields[4].options field.config.options",
			}},
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

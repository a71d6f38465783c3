package form

import "testing"

func TestUser(t *testing.T) {
	ftNormalize(t, "user", true, []ntCase{
		{name: "id", in: "01jc5y7w8k9m2n3p4q5r", want: "01jc5y7w8k9m2n3p4q5r"},
		{name: "readable id", in: " clerk_001 ", want: "clerk_001"},
		{name: "bad id", in: "a b", errs: []string{"f field.ref"}},
		{name: "list for a single", in: ftJSON(`["u1"]`), errs: []string{"f field.type"}},
		{name: "blank", in: "", want: nil},
		{name: "multiple", settings: `{"multiple": true}`, in: ftJSON(`["u1", "u2"]`), want: []any{"u1", "u2"}},
		{name: "multiple empty", settings: `{"multiple": true}`, in: ftJSON(`[]`), want: nil},
		{name: "multiple errors", settings: `{"multiple": true, "maxItems": 2}`, in: ftJSON(`["u1", "u1", "", 5]`),
			errs: []string{"f field.max_items", "f[1] field.duplicate", "f[2] field.ref", "f[3] field.type"}},
		{name: "multiple needs a list", settings: `{"multiple": true}`, in: "u1", errs: []string{"f field.type"}},
	})
	ftParse(t, "user", []psCase{
		{cell: "u1", want: "u1"},
		{settings: `{"multiple": true}`, cell: "u1, u2；u3", want: []any{"u1", "u2", "u3"}},
		{cell: "", want: nil},
	})
	ftCheck(t, "user", []ckCase{
		{"fine", `{"multiple": true, "maxItems": 5, "defaultToCurrent": true}`, nil},
		{"multiple type", `{"multiple": "yes"}`, []string{"multiple field.config"}},
	})
}

func TestOrgunit(t *testing.T) {
	ftNormalize(t, "orgunit", true, []ntCase{
		{name: "id", in: "store-sh-001", want: "store-sh-001"},
		{name: "bad", in: "门店", errs: []string{"f field.ref"}},
		{name: "multiple", settings: `{"multiple": true}`, in: []string{"hq", "east"}, want: []any{"hq", "east"}},
	})
	ftParse(t, "orgunit", []psCase{{cell: " hq ", want: "hq"}})
	ftCheck(t, "orgunit", []ckCase{{"fine", `{"defaultToCurrent": true}`, nil}, {"max", `{"maxItems": 0}`, []string{"maxItems field.config"}}})
}

func TestRelation(t *testing.T) {
	const one, many = `{"form": "members"}`, `{"form": "tags", "multiple": true}`
	ftNormalize(t, "relation", true, []ntCase{
		{name: "id", settings: one, in: "01jc5y7w8k9m2n3p4q5r", want: "01jc5y7w8k9m2n3p4q5r"},
		{name: "object refused", settings: one, in: ftJSON(`{"_id": "x"}`), errs: []string{"f field.type"}},
		{name: "bad id", settings: one, in: "../x", errs: []string{"f field.ref"}},
		{name: "many", settings: many, in: ftJSON(`["t1", "t2"]`), want: []any{"t1", "t2"}},
		{name: "duplicate", settings: many, in: ftJSON(`["t1", "t1"]`), errs: []string{"f[1] field.duplicate"}},
	})
	ftParse(t, "relation", []psCase{
		{settings: one, cell: "m1", want: "m1"},
		{settings: many, cell: "t1、t2", want: []any{"t1", "t2"}},
	})
	ftCheck(t, "relation", []ckCase{
		{"fine", many, nil},
		{"no form", `{"multiple": true}`, []string{"form field.config"}},
		{"form key shape", `{"form": "Members!"}`, []string{"form field.config"}},
	})
}

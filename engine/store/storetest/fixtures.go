package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// filterFields are the fields of the filter and sort fixtures: one of each
// kind, two list fields, and nested paths.
var filterFields = query.NewFields(
	query.Field{Path: "name", Kind: query.KindString},
	query.Field{Path: "n", Kind: query.KindInt},
	query.Field{Path: "price", Kind: query.KindDecimal},
	query.Field{Path: "vip", Kind: query.KindBool},
	query.Field{Path: "birthday", Kind: query.KindDate},
	query.Field{Path: "paidAt", Kind: query.KindTime},
	query.Field{Path: "tags", Kind: query.KindString, Array: true},
	query.Field{Path: "scores", Kind: query.KindInt, Array: true},
	query.Field{Path: "a.b.c", Kind: query.KindString},
	query.Field{Path: "a.b.n", Kind: query.KindInt},
)

type num = json.Number

// filterDocs are twelve documents chosen for the edge cases: values that
// differ only in case, Chinese and emoji text (byte order differs from
// UTF-16 and from pinyin order), LIKE and regex metacharacters, int64 values
// that float64 cannot tell apart, decimals that order differently as text
// and that are equal with different text ("10.5" and "10.50"), every null
// shape (JSON null, missing field, missing parent, parent that is not an
// object), and empty lists. A field absent from a document's literal is
// missing in that document.
func filterDocs() []store.Doc {
	return []store.Doc{
		{"_id": "f01", "name": "Alice", "n": 1, "price": num("9.5"), "vip": true, "birthday": "1990-01-01",
			"paidAt": "2026-01-01T00:00:00.000Z", "tags": []any{"会员", "金卡"}, "scores": []any{1, 2, 3},
			"a": store.Doc{"b": store.Doc{"c": "深圳", "n": 5}}},
		{"_id": "f02", "name": "alice", "n": 5, "price": num("10.25"), "vip": false, "birthday": "2000-02-29",
			"paidAt": "2025-12-31T16:00:00.000Z", "tags": []any{"vip"}, "scores": []any{10},
			"a": store.Doc{"b": store.Doc{"c": "北京"}}},
		{"_id": "f03", "name": "Bob", "n": 10, "price": num("10.50"), "vip": nil, "birthday": "2000-03-01",
			"paidAt": "2026-03-08T07:30:00.000Z", "tags": []any{}, "scores": []any{},
			"a": store.Doc{"b": store.Doc{"c": nil}}},
		{"_id": "f04", "name": "会员张三", "n": -3, "price": num("0.1"), "birthday": nil,
			"paidAt": "2025-12-31T15:59:59.999Z", "tags": nil,
			"a": store.Doc{"b": store.Doc{}}},
		{"_id": "f05", "name": "金卡会员", "n": num("9007199254740993"), "price": num("-3.14159265358979"), "vip": true,
			"birthday": "1989-12-31", "paidAt": nil, "tags": []any{"a", "b", "会员"}, "scores": []any{5, -1},
			"a": "str"},
		{"_id": "f06", "name": "😀smile", "n": num("9007199254740992"), "price": num("100"), "vip": false,
			"paidAt": "2026-01-31T16:30:00.000Z", "tags": []any{"会员卡"}, "scores": []any{3}},
		{"_id": "f07", "name": "", "n": 0, "price": num("10.5"), "vip": true, "birthday": "2026-11-23",
			"paidAt": "2026-11-23T00:00:00.000Z", "tags": []any{"金卡", "vip"}, "scores": []any{2, 2},
			"a": store.Doc{"b": store.Doc{"c": "", "n": 0}}},
		{"_id": "f08", "name": nil, "n": nil, "price": nil, "vip": nil, "birthday": "1990-01-01",
			"paidAt": "2026-01-01T00:00:00.001Z", "scores": nil,
			"a": store.Doc{"b": store.Doc{"c": "深圳湾", "n": -5}}},
		{"_id": "f09"},
		{"_id": "f10", "name": "阿", "n": 100, "price": num("9.49"), "vip": false, "birthday": "2026-01-01",
			"paidAt": "2026-06-30T16:00:00.000Z", "tags": []any{"～"}, "scores": []any{100},
			"a": store.Doc{"b": store.Doc{"c": "a.b.c"}}},
		{"_id": "f11", "name": "～tilde_x", "n": 2, "price": num("-0.5"), "birthday": "1999-12-31",
			"paidAt": "2026-11-01T05:30:00.000Z", "tags": []any{"会"}, "scores": []any{0},
			"a": store.Doc{"b": store.Doc{"c": "深", "n": 12}}},
		{"_id": "f12", "name": "Zed 50%", "n": 42, "price": num("0.10"), "vip": true, "birthday": "2000-02-29",
			"paidAt": "2027-01-03T16:00:00.000Z", "tags": []any{"vip", "vip"}, "scores": []any{42},
			"a": store.Doc{"b": store.Doc{"c": "深圳", "n": 5}}},
	}
}

// ids splits "f01 f02" into a list; "" is the empty set.
func ids(s string) []string { return strings.Fields(s) }

// except lists the fixture ids not in s.
func except(s string) []string {
	skip := map[string]bool{}
	for _, id := range ids(s) {
		skip[id] = true
	}
	var out []string
	for _, d := range filterDocs() {
		if id := d["_id"].(string); !skip[id] {
			out = append(out, id)
		}
	}
	return out
}

// load inserts canonical copies of docs into a new collection and returns
// its name and the canonical documents (the reference data).
func load(t *testing.T, st store.Store, base string, docs []store.Doc) (string, []store.Doc) {
	t.Helper()
	c := coll(base)
	ref := make([]store.Doc, len(docs))
	for i, d := range docs {
		ref[i] = canonDoc(d)
		if _, err := st.Insert(t.Context(), c, d); err != nil {
			t.Fatalf("load %s: insert %v: %v", base, d["_id"], err)
		}
	}
	return c, ref
}

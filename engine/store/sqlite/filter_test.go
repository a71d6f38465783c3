package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var (
	fName  = query.Field{Path: "name", Kind: query.KindString}
	fN     = query.Field{Path: "n", Kind: query.KindInt}
	fPrice = query.Field{Path: "price", Kind: query.KindDecimal}
	fVip   = query.Field{Path: "vip", Kind: query.KindBool}
	fTags  = query.Field{Path: "tags", Kind: query.KindString, Array: true}
	fDeep  = query.Field{Path: "a.b.c", Kind: query.KindString}
)

// TestCompileFilter pins the SQL of each node shape: values only ever as
// parameters, NOT wrapped in IFNULL, nulls spelled with IS.
func TestCompileFilter(t *testing.T) {
	x := "json_extract(doc,'$.name')"
	cases := []struct {
		name string
		n    *query.Node
		sql  string
		args []any
	}{
		{"nil", nil, "1", nil},
		{"empty and", query.True(), "1", nil},
		{"empty or", query.False(), "0", nil},
		{"eq", query.Eq(fName, query.Str("a'); DROP TABLE x; --")), x + " = ?", []any{"a'); DROP TABLE x; --"}},
		{"eq null", query.Eq(fName, query.Null(query.KindString)), x + " IS NULL", nil},
		{"ne", query.Cmp(fName, query.OpNe, query.Str("a")), "(" + x + " IS NULL OR " + x + " <> ?)", []any{"a"}},
		{"ne null", query.Cmp(fName, query.OpNe, query.Null(query.KindString)), x + " IS NOT NULL", nil},
		{"gt", query.Cmp(fN, query.OpGt, query.Int(5)), "(json_extract(doc,'$.n') > ? AND json_extract(doc,'$.n') < '')", []any{int64(5)}},
		{"lt text", query.Cmp(fName, query.OpLt, query.Str("b")), "(" + x + " < ? AND " + x + " >= '')", []any{"b"}},
		{"bool", query.Eq(fVip, query.Bool(true)), "json_extract(doc,'$.vip') = ?", []any{int64(1)}},
		{"decimal eq", query.Eq(fPrice, query.Dec("10.50")),
			"(json_extract(doc,'$.price') BETWEEN ? AND ? AND tangram_deccmp((doc -> '$.price'), ?) = 0)",
			[]any{10.499999999999996, 10.500000000000004, "10.50"}},
		{"decimal gt", query.Cmp(fPrice, query.OpGt, query.Dec("100")),
			"(json_extract(doc,'$.price') >= ? AND json_extract(doc,'$.price') < '' AND (json_extract(doc,'$.price') > ? OR tangram_deccmp((doc -> '$.price'), ?) > 0))",
			[]any{99.99999999999997, 100.00000000000003, "100"}},
		{"decimal lte", query.Cmp(fPrice, query.OpLte, query.Dec("0.3")),
			"(json_extract(doc,'$.price') <= ? AND (json_extract(doc,'$.price') < ? OR tangram_deccmp((doc -> '$.price'), ?) <= 0))",
			[]any{0.3000000000000001, 0.2999999999999999, "0.3"}},
		{"nested", query.Eq(fDeep, query.Str("深")), "json_extract(doc,'$.a.b.c') = ?", []any{"深"}},
		{"id", query.Eq(query.IDField, query.Str("x")), "id = ?", []any{"x"}},
		{"contains", query.Cmp(fName, query.OpContains, query.Str("会员")), "(instr(" + x + ", ?) > 0 AND " + x + " >= '')", []any{"会员"}},
		{"startsWith", query.Cmp(fName, query.OpStartsWith, query.Str("a%")), "(" + x + " >= ? AND " + x + " < ?)", []any{"a%", "a&"}},
		{"startsWith empty", query.Cmp(fName, query.OpStartsWith, query.Str("")), "(" + x + " >= ? AND typeof(" + x + ") = 'text')", []any{""}},
		{"in with null", &query.Node{Op: query.OpIn, Field: fName, Values: []query.Value{query.Str("a"), query.Null(query.KindString)}},
			"(" + x + " IN (?) OR " + x + " IS NULL)", []any{"a"}},
		{"nin", &query.Node{Op: query.OpNin, Field: fName, Values: []query.Value{query.Str("a"), query.Str("b")}},
			"(" + x + " IS NULL OR NOT IFNULL(" + x + " IN (?, ?),0))", []any{"a", "b"}},
		{"nin with null", &query.Node{Op: query.OpNin, Field: fName, Values: []query.Value{query.Str("a"), query.Null(query.KindString)}},
			"(" + x + " IS NOT NULL AND NOT IFNULL(" + x + " IN (?),0))", []any{"a"}},
		{"empty in", &query.Node{Op: query.OpIn, Field: fName}, "0", nil},
		{"empty nin", &query.Node{Op: query.OpNin, Field: fName}, "1", nil},
		{"exists", &query.Node{Op: query.OpExists, Field: fName, Value: query.Bool(true)}, x + " IS NOT NULL", nil},
		{"not exists", &query.Node{Op: query.OpExists, Field: fName, Value: query.Bool(false)}, x + " IS NULL", nil},
		{"not", query.Not(query.Eq(fN, query.Int(5))), "NOT IFNULL(json_extract(doc,'$.n') = ?,0)", []any{int64(5)}},
		{"and or", query.And(query.Eq(fN, query.Int(1)), query.Or(query.Eq(fN, query.Int(2)), query.Eq(fN, query.Int(3)))),
			"(json_extract(doc,'$.n') = ? AND (json_extract(doc,'$.n') = ? OR json_extract(doc,'$.n') = ?))", []any{int64(1), int64(2), int64(3)}},
		{"array eq", query.Eq(fTags, query.Str("vip")),
			"EXISTS(SELECT 1 FROM json_each(doc,'$.tags') WHERE value = ?)", []any{"vip"}},
		{"array ne", query.Cmp(fTags, query.OpNe, query.Str("vip")),
			"NOT EXISTS(SELECT 1 FROM json_each(doc,'$.tags') WHERE value = ?)", []any{"vip"}},
		{"array eq null", query.Eq(fTags, query.Null(query.KindString)),
			"(json_extract(doc,'$.tags') IS NULL OR EXISTS(SELECT 1 FROM json_each(doc,'$.tags') WHERE value IS NULL))", nil},
		{"array contains", query.Cmp(fTags, query.OpContains, query.Str("金卡")),
			"EXISTS(SELECT 1 FROM json_each(doc,'$.tags') WHERE value = ?)", []any{"金卡"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b sqlBuf
			if err := compileFilter(&b, c.n); err != nil {
				t.Fatal(err)
			}
			if got := b.b.String(); got != c.sql {
				t.Errorf("sql\n got %s\nwant %s", got, c.sql)
			}
			if !reflect.DeepEqual(b.args, c.args) {
				t.Errorf("args got %#v want %#v", b.args, c.args)
			}
		})
	}
}

// TestCompileRefuses: paths and operators that could reach the SQL text
// are refused with ErrInvalid.
func TestCompileRefuses(t *testing.T) {
	for _, n := range []*query.Node{
		query.Eq(query.Field{Path: "a') OR 1=1 --", Kind: query.KindString}, query.Str("x")),
		query.Eq(query.Field{Path: "a'b", Kind: query.KindString, Array: true}, query.Str("x")),
		{Op: "regex", Field: fName, Value: query.Str(".*")},
		{Op: query.OpNot},
		query.Eq(fName, query.Value{Kind: "float"}),
		query.Eq(fPrice, query.Value{Kind: query.KindDecimal, Str: "1e9999x"}),
	} {
		var b sqlBuf
		if err := compileFilter(&b, n); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%+v: want ErrInvalid, got %v (sql %s)", n, err, b.b.String())
		}
	}
	deep := query.Eq(fN, query.Int(1))
	for i := 0; i < 100; i++ {
		deep = query.Not(deep)
	}
	var b sqlBuf
	if err := compileFilter(&b, deep); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("deep filter: %v", err)
	}
}

func TestPrefixSuccessor(t *testing.T) {
	for in, want := range map[string]string{"a": "b", "az": "a{", "a\xff": "b", "会": "\xe4\xbc\x9b", "": ""} {
		got, ok := prefixSuccessor(in)
		if got != want || ok != (want != "") {
			t.Errorf("prefixSuccessor(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestIndexUse checks with EXPLAIN QUERY PLAN that filters and sorts use
// the expression indexes EnsureIndexes creates: the compiled expressions
// must be textually the same as the indexed ones.
func TestIndexUse(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	err := s.EnsureIndexes(ctx, "members", []store.Index{
		{Name: "phone_u", Fields: []string{"phone"}, Unique: true},
		{Name: "city_level", Fields: []string{"address.city", "-level"}},
		{Name: "joined", Fields: []string{"joinedAt"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Selective values, as real phone numbers and cities are; the planner
	// (with or without ANALYZE statistics) then prefers the index over
	// scanning in id order.
	for i := 0; i < 500; i++ {
		if _, err := s.Insert(ctx, "members", store.Doc{"phone": fmt.Sprintf("1%010d", i*7919),
			"address": store.Doc{"city": fmt.Sprintf("c%d", i%100)}, "level": i % 5,
			"joinedAt": fmt.Sprintf("2026-01-01T00:00:%02d.%03dZ", i%60, i)}); err != nil {
			t.Fatal(err)
		}
	}
	fPhone := query.Field{Path: "phone", Kind: query.KindString}
	fCity := query.Field{Path: "address.city", Kind: query.KindString}
	fJoined := query.Field{Path: "joinedAt", Kind: query.KindTime}
	cases := []struct {
		name  string
		q     store.Query
		index string
	}{
		{"eq", store.Query{Filter: query.Eq(fPhone, query.Str("138ab"))}, "ix_members.phone_u"},
		{"in", store.Query{Filter: &query.Node{Op: query.OpIn, Field: fPhone, Values: []query.Value{query.Str("1"), query.Str("2")}}}, "ix_members.phone_u"},
		{"startsWith", store.Query{Filter: query.Cmp(fPhone, query.OpStartsWith, query.Str("100000"))}, "ix_members.phone_u"},
		{"nested eq", store.Query{Filter: query.Eq(fCity, query.Str("c"))}, "ix_members.city_level"},
		{"range and sort", store.Query{Filter: query.Cmp(fJoined, query.OpGte, query.TimeV("2026-01-01T00:00:00.000Z")),
			Sort: []query.SortKey{{Field: fJoined}}, Limit: 10}, "ix_members.joined"},
		{"sort only", store.Query{Sort: []query.SortKey{{Field: fJoined}}, Limit: 10}, "ix_members.joined"},
	}
	check := func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				plan := explainFind(t, s, "members", c.q)
				if !strings.Contains(plan, "INDEX "+c.index) && !strings.Contains(plan, `INDEX "`+c.index) {
					t.Errorf("plan does not use %s:\n%s", c.index, plan)
				}
				if _, err := s.Find(ctx, "members", c.q); err != nil {
					t.Error(err)
				}
			})
		}
	}
	t.Run("NoStats", check)
	if _, err := s.wconn.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	t.Run("Analyzed", check)
}

// explainFind returns the query plan of the statement Find would run.
func explainFind(t *testing.T, s *Store, coll string, q store.Query) string {
	t.Helper()
	table, _ := quotedTable(coll)
	var b sqlBuf
	b.w("EXPLAIN QUERY PLAN SELECT id, ", docOut, " FROM ", table, " WHERE ")
	if err := compileFilter(&b, q.Filter); err != nil {
		t.Fatal(err)
	}
	if err := orderBy(&b, q.Sort); err != nil {
		t.Fatal(err)
	}
	b.w(" LIMIT 10")
	rows, err := s.rdb.QueryContext(context.Background(), b.b.String(), b.args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	return strings.Join(out, "\n")
}

// TestDecimalArrays: exact decimal comparison also holds for list
// elements, read back by their full path.
func TestDecimalArrays(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	for id, vals := range map[string][]any{
		"a": {json.Number("0.3"), json.Number("10.50")},
		"b": {json.Number("0.30000000000000001")},
		"c": {},
	} {
		if _, err := s.Insert(ctx, "d", store.Doc{"_id": id, "vals": vals, "g": "x", "amt": vals}); err != nil {
			t.Fatal(err)
		}
	}
	fVals := query.Field{Path: "vals", Kind: query.KindDecimal, Array: true}
	for _, c := range []struct {
		n    *query.Node
		want string
	}{
		{query.Eq(fVals, query.Dec("0.3")), "a"},
		{query.Eq(fVals, query.Dec("0.300000000000000010")), "b"},
		{query.Cmp(fVals, query.OpGt, query.Dec("0.3")), "a b"},
		{query.Cmp(fVals, query.OpNe, query.Dec("10.5")), "b c"},
		{&query.Node{Op: query.OpIn, Field: fVals, Values: []query.Value{query.Dec("10.5"), query.Dec("0.30000000000000001")}}, "a b"},
	} {
		docs, err := s.Find(ctx, "d", store.Query{Filter: c.n})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(idsOfDocs(docs), " "); got != c.want {
			t.Errorf("%v %v: got %q want %q", c.n.Op, c.n.Value, got, c.want)
		}
	}
}

func idsOfDocs(docs []store.Doc) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d["_id"].(string))
	}
	return out
}

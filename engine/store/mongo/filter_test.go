package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var (
	fName   = query.Field{Path: "name", Kind: query.KindString}
	fAge    = query.Field{Path: "age", Kind: query.KindInt}
	fScore  = query.Field{Path: "score", Kind: query.KindDecimal}
	fTags   = query.Field{Path: "tags", Kind: query.KindString, Array: true}
	fCity   = query.Field{Path: "city.name", Kind: query.KindString}
	fActive = query.Field{Path: "active", Kind: query.KindBool}
	fWhen   = query.Field{Path: "when", Kind: query.KindTime}
)

func TestCompileFilterGolden(t *testing.T) {
	cases := []struct {
		name string
		n    *query.Node
		want string
	}{
		{"nil", nil, `{}`},
		{"eq", query.Eq(fName, query.Str("Ann")), `{"name":{"$eq":"Ann"}}`},
		{"eq null", query.Eq(fName, query.Null(query.KindString)), `{"name":{"$eq":null}}`},
		{"ne", query.Cmp(fAge, query.OpNe, query.Int(3)), `{"age":{"$ne":3}}`},
		{"gt int", query.Cmp(fAge, query.OpGt, query.Int(3)), `{"age":{"$gt":3}}`},
		{"lte decimal", query.Cmp(fScore, query.OpLte, query.Dec("10.50")), `{"score":{"$lte":{"$numberDecimal":"10.50"}}}`},
		{"integral decimal", query.Cmp(fScore, query.OpGte, query.Dec("10")), `{"score":{"$gte":10}}`},
		{"gt null", query.Cmp(fAge, query.OpGt, query.Null(query.KindInt)), `{"_id":{"$in":[]}}`},
		{"time", query.Cmp(fWhen, query.OpLt, query.TimeV("2026-01-01T00:00:00.000Z")), `{"when":{"$lt":"2026-01-01T00:00:00.000Z"}}`},
		{"bool", query.Eq(fActive, query.Bool(true)), `{"active":{"$eq":true}}`},
		{"in", &query.Node{Op: query.OpIn, Field: fName, Values: []query.Value{query.Str("a"), query.Null(query.KindString)}}, `{"name":{"$in":["a",null]}}`},
		{"nin empty", &query.Node{Op: query.OpNin, Field: fName}, `{"name":{"$nin":[]}}`},
		{"exists", query.Cmp(fName, query.OpExists, query.Bool(true)), `{"name":{"$ne":null}}`},
		{"not exists", query.Cmp(fName, query.OpExists, query.Bool(false)), `{"name":{"$eq":null}}`},
		{"contains text", query.Cmp(fName, query.OpContains, query.Str("a.b*")),
			`{"$jsonSchema":{"required":["name"],"properties":{"name":{"bsonType":"string","pattern":"a\\.b\\*"}}}}`},
		{"contains nested", query.Cmp(fCity, query.OpContains, query.Str("x")),
			`{"$jsonSchema":{"required":["city"],"properties":{"city":{"bsonType":"object","required":["name"],"properties":{"name":{"bsonType":"string","pattern":"x"}}}}}}`},
		{"contains array", query.Cmp(fTags, query.OpContains, query.Str("vip")), `{"tags":{"$eq":"vip"}}`},
		{"startsWith", query.Cmp(fName, query.OpStartsWith, query.Str("ab")), `{"name":{"$gte":"ab","$lt":"ac"}}`},
		{"startsWith empty", query.Cmp(fName, query.OpStartsWith, query.Str("")), `{"name":{"$type":"string"}}`},
		{"and", query.And(query.Eq(fName, query.Str("a")), query.Eq(fAge, query.Int(1))), `{"$and":[{"name":{"$eq":"a"}},{"age":{"$eq":1}}]}`},
		{"empty and", query.True(), `{}`},
		{"empty or", query.False(), `{"_id":{"$in":[]}}`},
		{"or of one", &query.Node{Op: query.OpOr, Children: []*query.Node{query.Eq(fAge, query.Int(1))}}, `{"age":{"$eq":1}}`},
		{"not", query.Not(query.Eq(fName, query.Str("a"))), `{"$nor":[{"name":{"$eq":"a"}}]}`},
		{"not empty and", query.Not(query.True()), `{"$nor":[{}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := compileFilter(c.n)
			if err != nil {
				t.Fatal(err)
			}
			if s := extJSON(t, got); s != c.want {
				t.Errorf("\n got %s\nwant %s", s, c.want)
			}
		})
	}
}

func TestCompileFilterRefuses(t *testing.T) {
	bad := map[string]*query.Node{
		"bad path":      query.Eq(query.Field{Path: "a..b", Kind: query.KindString}, query.Str("x")),
		"dollar path":   query.Eq(query.Field{Path: "$where", Kind: query.KindString}, query.Str("x")),
		"unknown op":    {Op: "regex", Field: fName, Value: query.Str("x")},
		"not two":       {Op: query.OpNot, Children: []*query.Node{query.True(), query.True()}},
		"bad decimal":   query.Eq(fScore, query.Dec("1.2.3")),
		"contains int":  query.Cmp(fAge, query.OpContains, query.Int(1)),
		"unknown kind":  query.Eq(fName, query.Value{Kind: "blob", Str: "x"}),
		"invalid utf-8": query.Cmp(fName, query.OpStartsWith, query.Str("\xff")),
	}
	for name, n := range bad {
		if _, err := compileFilter(n); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
}

func TestPrefixUpperBound(t *testing.T) {
	cases := map[string]string{
		"ab":                    "ac",
		"a\U0010FFFF":           "b",
		"\U0010FFFF":            "",
		"x\uD7FF":               "x\uE000",
		"北京":                    "北亭",
		"a\U0010FFFF\U0010FFFF": "b",
	}
	for in, want := range cases {
		got, ok := prefixUpperBound(in)
		if ok != (want != "") || got != want {
			t.Errorf("%q: got %q %v, want %q", in, got, ok, want)
		}
	}
}

// The documented semantics of query.Node, checked on the backends.
func TestFilterSemantics(t *testing.T) {
	people := []store.Doc{
		{"_id": "p1", "name": "Alice", "age": 30, "score": json.Number("10.5"), "tags": []any{"a", "b"}, "city": map[string]any{"name": "Beijing"}, "active": true},
		{"_id": "p2", "name": "alice", "age": 25, "score": json.Number("7"), "tags": []any{"b"}, "city": map[string]any{"name": "Shanghai"}, "active": false},
		{"_id": "p3", "name": nil, "age": nil, "tags": []any{}, "active": nil},
		{"_id": "p4"},
		{"_id": "p5", "name": "Bob", "age": 40, "score": json.Number("10.50"), "tags": []any{"c", nil}, "city": nil},
		{"_id": "p6", "name": "北京小店", "age": 30, "tags": []any{"a"}},
		{"_id": "p7", "name": "a.c*(x)", "age": 1, "score": 2.5},
	}
	in := func(f query.Field, op query.Op, vs ...query.Value) *query.Node {
		return &query.Node{Op: op, Field: f, Values: vs}
	}
	null := query.Null(query.KindString)
	cases := []struct {
		name string
		n    *query.Node
		want []string
	}{
		{"eq is case-sensitive", query.Eq(fName, query.Str("Alice")), []string{"p1"}},
		{"eq null matches null and missing", query.Eq(fName, null), []string{"p3", "p4"}},
		{"ne null matches non-null", query.Cmp(fName, query.OpNe, null), []string{"p1", "p2", "p5", "p6", "p7"}},
		{"ne matches null", query.Cmp(fName, query.OpNe, query.Str("Alice")), []string{"p2", "p3", "p4", "p5", "p6", "p7"}},
		{"gt never null", query.Cmp(fAge, query.OpGt, query.Int(25)), []string{"p1", "p5", "p6"}},
		{"lte", query.Cmp(fAge, query.OpLte, query.Int(30)), []string{"p1", "p2", "p6", "p7"}},
		{"gte null bound", query.Cmp(fAge, query.OpGte, query.Null(query.KindInt)), nil},
		{"in with null", in(fName, query.OpIn, query.Str("Alice"), null), []string{"p1", "p3", "p4"}},
		{"in empty", in(fName, query.OpIn), nil},
		{"nin matches null", in(fName, query.OpNin, query.Str("Alice"), query.Str("Bob")), []string{"p2", "p3", "p4", "p6", "p7"}},
		{"nin empty", in(fName, query.OpNin), []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}},
		{"exists", query.Cmp(fName, query.OpExists, query.Bool(true)), []string{"p1", "p2", "p5", "p6", "p7"}},
		{"not exists", query.Cmp(fName, query.OpExists, query.Bool(false)), []string{"p3", "p4"}},
		{"contains", query.Cmp(fName, query.OpContains, query.Str("lic")), []string{"p1", "p2"}},
		{"contains case", query.Cmp(fName, query.OpContains, query.Str("LIC")), nil},
		{"contains metachars", query.Cmp(fName, query.OpContains, query.Str(".c*(")), []string{"p7"}},
		{"contains unicode", query.Cmp(fName, query.OpContains, query.Str("小")), []string{"p6"}},
		{"contains empty", query.Cmp(fName, query.OpContains, query.Str("")), []string{"p1", "p2", "p5", "p6", "p7"}},
		{"contains nested", query.Cmp(fCity, query.OpContains, query.Str("hai")), []string{"p2"}},
		{"startsWith", query.Cmp(fName, query.OpStartsWith, query.Str("A")), []string{"p1"}},
		{"startsWith unicode", query.Cmp(fName, query.OpStartsWith, query.Str("北京")), []string{"p6"}},
		{"startsWith metachar", query.Cmp(fName, query.OpStartsWith, query.Str("a.")), []string{"p7"}},
		{"startsWith empty", query.Cmp(fName, query.OpStartsWith, query.Str("")), []string{"p1", "p2", "p5", "p6", "p7"}},
		{"array contains", query.Cmp(fTags, query.OpContains, query.Str("b")), []string{"p1", "p2"}},
		{"array eq any element", query.Eq(fTags, query.Str("a")), []string{"p1", "p6"}},
		{"array ne no element", query.Cmp(fTags, query.OpNe, query.Str("b")), []string{"p3", "p4", "p5", "p6", "p7"}},
		{"array nin", in(fTags, query.OpNin, query.Str("a"), query.Str("b")), []string{"p3", "p4", "p5", "p7"}},
		{"array in", in(fTags, query.OpIn, query.Str("c"), query.Str("zz")), []string{"p5"}},
		{"decimal vs decimal and int", query.Cmp(fScore, query.OpGt, query.Dec("10.4")), []string{"p1", "p5"}},
		{"decimal equality ignores scale", query.Eq(fScore, query.Dec("10.5")), []string{"p1", "p5"}},
		{"decimal equals int", query.Eq(fScore, query.Dec("7.0")), []string{"p2"}},
		{"decimal vs double", query.Cmp(fScore, query.OpLt, query.Dec("3")), []string{"p7"}},
		{"nested eq", query.Eq(fCity, query.Str("Beijing")), []string{"p1"}},
		{"nested null through null parent", query.Eq(fCity, null), []string{"p3", "p4", "p5", "p6", "p7"}},
		{"bool", query.Eq(fActive, query.Bool(true)), []string{"p1"}},
		{"bool ne", query.Cmp(fActive, query.OpNe, query.Bool(true)), []string{"p2", "p3", "p4", "p5", "p6", "p7"}},
		{"empty and", query.True(), []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}},
		{"empty or", query.False(), nil},
		{"not empty or", query.Not(query.False()), []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}},
		{"not", query.Not(query.Eq(fName, query.Str("Alice"))), []string{"p2", "p3", "p4", "p5", "p6", "p7"}},
		{"not gt includes null", query.Not(query.Cmp(fAge, query.OpGt, query.Int(25))), []string{"p2", "p3", "p4", "p7"}},
		{"and", query.And(query.Cmp(fAge, query.OpGt, query.Int(20)), query.Cmp(fAge, query.OpLt, query.Int(35))), []string{"p1", "p2", "p6"}},
		{"or", query.Or(query.Eq(fName, query.Str("Bob")), query.Eq(fAge, query.Int(25))), []string{"p2", "p5"}},
		{"or with empty and", query.Or(query.False(), query.True()), []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}},
	}
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		for _, p := range people {
			if _, err := s.Insert(ctx, "people", p); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range cases {
			docs, err := s.Find(ctx, "people", store.Query{Filter: c.n})
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			got := ids(docs) // sorted by _id, the default order
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
			n, err := s.Count(ctx, "people", c.n)
			if err != nil || n != int64(len(c.want)) {
				t.Errorf("%s: count %d (%v), want %d", c.name, n, err, len(c.want))
			}
		}
	})
}

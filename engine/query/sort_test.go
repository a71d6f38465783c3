package query_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/query"
)

func showKeys(keys []query.SortKey) string {
	var parts []string
	for _, k := range keys {
		s := k.Field.Path
		if k.Desc {
			s = "-" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}

func TestParseSort(t *testing.T) {
	t.Parallel()
	happy := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"name", "name"},
		{"name,-n", "name,-n"},
		{" -paidAt , +price ", "-paidAt,price"},
		{"a.b.c,-_id", "a.b.c,-_id"},
		{"n,n,n,n,n,n,n,n", "n,n,n,n,n,n,n,n"},
	}
	for _, c := range happy {
		keys, err := query.ParseSort(c.in, testFields)
		if err != nil {
			t.Errorf("ParseSort(%q): %v", c.in, err)
			continue
		}
		if got := showKeys(keys); got != c.want {
			t.Errorf("ParseSort(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	bad := []struct {
		in   string
		want []fieldErr
	}{
		{"nope", []fieldErr{{"sort[0]", "query.unknown_field"}}},
		{"name,-nope", []fieldErr{{"sort[1]", "query.unknown_field"}}},
		{"tags", []fieldErr{{"sort[0]", "query.operator_type"}}},
		{"name,,n", []fieldErr{{"sort[1]", "query.unknown_field"}}},
		{"x,scores", []fieldErr{{"sort[0]", "query.unknown_field"}, {"sort[1]", "query.operator_type"}}},
		{"name;drop", []fieldErr{{"sort[0]", "query.unknown_field"}}},
		{"n,n,n,n,n,n,n,n,n", nil},
	}
	for _, c := range bad {
		_, err := query.ParseSort(c.in, testFields)
		t.Run(c.in, func(t *testing.T) { checkErr(t, err, "query.sort", c.want...) })
	}
}

func TestWithIDTieBreak(t *testing.T) {
	t.Parallel()
	name, n := testFields["name"], testFields["n"]
	in := []query.SortKey{{Field: name}, {Field: n, Desc: true}}
	got := query.WithIDTieBreak(in)
	if showKeys(got) != "name,-n,_id" {
		t.Errorf("got %s", showKeys(got))
	}
	if showKeys(in) != "name,-n" {
		t.Errorf("input modified: %s", showKeys(in))
	}
	if s := showKeys(query.WithIDTieBreak(nil)); s != "_id" {
		t.Errorf("empty sort: %s", s)
	}
	withID := []query.SortKey{{Field: query.IDField, Desc: true}, {Field: name}}
	if s := showKeys(query.WithIDTieBreak(withID)); s != "-_id,name" {
		t.Errorf("sort with _id: %s", s)
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	doc := map[string]any{"a": map[string]any{"b": map[string]any{"c": "x", "n": nil}}, "s": "str"}
	cases := []struct {
		path string
		want any
		ok   bool
	}{
		{"a.b.c", "x", true},
		{"a.b.n", nil, true},
		{"a.b.z", nil, false},
		{"s.x", nil, false},
		{"zz", nil, false},
	}
	for _, c := range cases {
		v, ok := query.Lookup(doc, c.path)
		if v != c.want || ok != c.ok {
			t.Errorf("Lookup(%s) = %v,%v want %v,%v", c.path, v, ok, c.want, c.ok)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	keys := query.WithIDTieBreak([]query.SortKey{
		{Field: testFields["n"], Desc: true},
		{Field: testFields["price"]},
		{Field: testFields["paidAt"]},
		{Field: testFields["name"], Desc: true},
		{Field: testFields["vip"]},
		{Field: testFields["birthday"]},
		{Field: testFields["a.b.c"]},
	})
	doc := map[string]any{
		"_id":      "01jd0000000000000001",
		"n":        json.Number("9007199254740993"),
		"price":    json.Number("10.50"),
		"paidAt":   "2026-01-31T16:30:00.000Z",
		"name":     "会员 😀",
		"vip":      true,
		"birthday": "2000-02-29",
		// a.b.c is missing: the cursor carries null.
	}
	cur := query.CursorOf(doc, keys)
	want := []query.Value{
		query.Int(9007199254740993), query.Dec("10.50"), query.TimeV("2026-01-31T16:30:00.000Z"),
		query.Str("会员 😀"), query.Bool(true), query.DateV("2000-02-29"), query.Null(query.KindString),
		query.Str("01jd0000000000000001"),
	}
	tok := cur.Encode()
	if strings.ContainsAny(tok, "+/=") {
		t.Errorf("token %q is not URL-safe", tok)
	}
	got, err := query.DecodeCursor(tok, keys)
	if err != nil {
		t.Fatalf("DecodeCursor: %v", err)
	}
	if g, w := show(got), show(query.After(keys, want)); g != w {
		t.Errorf("decoded\n got: %s\nwant: %s", g, w)
	}
}

func TestAfter(t *testing.T) {
	t.Parallel()
	n, id := testFields["n"], query.IDField
	cases := []struct {
		name string
		keys []query.SortKey
		vals []query.Value
		want string
	}{
		{"asc value", []query.SortKey{{Field: n}, {Field: id}}, []query.Value{query.Int(5), query.Str("x")},
			`or(and(gt(n,5)),and(eq(n,5),gt(_id,"x")))`},
		{"asc null: every non-null is after", []query.SortKey{{Field: n}, {Field: id}}, []query.Value{query.Null(query.KindInt), query.Str("x")},
			`or(and(ne(n,null:int)),and(eq(n,null:int),gt(_id,"x")))`},
		{"desc value: smaller values and nulls are after", []query.SortKey{{Field: n, Desc: true}, {Field: id}}, []query.Value{query.Int(5), query.Str("x")},
			`or(and(or(lt(n,5),eq(n,null:int))),and(eq(n,5),gt(_id,"x")))`},
		{"desc null: nothing is after but equal nulls", []query.SortKey{{Field: n, Desc: true}, {Field: id}}, []query.Value{query.Null(query.KindInt), query.Str("x")},
			`or(and(or()),and(eq(n,null:int),gt(_id,"x")))`},
		{"desc id", []query.SortKey{{Field: id, Desc: true}}, []query.Value{query.Str("x")},
			`or(and(or(lt(_id,"x"),eq(_id,null:string))))`},
	}
	for _, c := range cases {
		if got := show(query.After(c.keys, c.vals)); got != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.name, got, c.want)
		}
	}
}

func TestDecodeCursorTampered(t *testing.T) {
	t.Parallel()
	keys := query.WithIDTieBreak([]query.SortKey{{Field: testFields["n"]}, {Field: testFields["paidAt"], Desc: true}})
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	good := enc(`[5,"2026-01-01T00:00:00.000Z","abc"]`)
	if _, err := query.DecodeCursor(good, keys); err != nil {
		t.Fatalf("good cursor refused: %v", err)
	}
	cases := map[string]string{
		"empty":              "",
		"not base64":         "!!!***",
		"std base64 padding": base64.StdEncoding.EncodeToString([]byte(`[5,"2026-01-01T00:00:00.000Z","abc"]`)) + "==",
		"not json":           enc(`hello`),
		"object":             enc(`{"n":5}`),
		"too few values":     enc(`[5,"abc"]`),
		"too many values":    enc(`[5,"2026-01-01T00:00:00.000Z","abc","x"]`),
		"wrong int type":     enc(`["5","2026-01-01T00:00:00.000Z","abc"]`),
		"fraction for int":   enc(`[5.5,"2026-01-01T00:00:00.000Z","abc"]`),
		"bad time":           enc(`[5,"tomorrow","abc"]`),
		"id not string":      enc(`[5,"2026-01-01T00:00:00.000Z",7]`),
		"nested array":       enc(`[[5],"2026-01-01T00:00:00.000Z","abc"]`),
		"object value":       enc(`[5,{"$gt":""},"abc"]`),
		"too long":           enc(`[5,"2026-01-01T00:00:00.000Z","` + strings.Repeat("a", 5000) + `"]`),
		"truncated":          good[:len(good)-6],
		"flipped byte":       "X" + good[1:],
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			n, err := query.DecodeCursor(tok, keys)
			if err == nil {
				t.Fatalf("accepted: %s", show(n))
			}
			checkErr(t, err, "query.cursor")
		})
	}
}

func FuzzDecodeCursor(f *testing.F) {
	keys := query.WithIDTieBreak([]query.SortKey{{Field: testFields["price"], Desc: true}, {Field: testFields["paidAt"]}})
	for _, s := range []string{`[1.5,"2026-01-01T00:00:00.000Z","a"]`, `[null,null,null]`, `[]`, `{}`} {
		f.Add(base64.RawURLEncoding.EncodeToString([]byte(s)))
	}
	f.Fuzz(func(t *testing.T, tok string) {
		n, err := query.DecodeCursor(tok, keys)
		if err != nil {
			checkErr(t, err, "query.cursor")
			return
		}
		if n == nil || n.Op != query.OpOr || len(n.Children) != len(keys) {
			t.Fatalf("unexpected cursor filter %s", show(n))
		}
		_ = fmt.Sprint(show(n))
	})
}

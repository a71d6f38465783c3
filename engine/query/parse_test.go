package query_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
)

func TestParseFilterHappy(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, in string
		loc      *time.Location
		want     string
	}{
		{"empty body", ``, nil, `<nil>`},
		{"blank body", "  \n ", nil, `<nil>`},
		{"null", ` null `, nil, `<nil>`},
		{"empty object is true", `{}`, nil, `and()`},
		{"equality shorthand", `{"name":"x"}`, nil, `eq(name,"x")`},
		{"explicit eq", `{"name":{"$eq":"x"}}`, nil, `eq(name,"x")`},
		{"keys are ANDed in key order", `{"name":"x","n":{"$lt":5,"$gt":1}}`, nil, `and(gt(n,1),lt(n,5),eq(name,"x"))`},
		{"or of and", `{"$or":[{"vip":true},{"n":{"$in":[1,2]}}]}`, nil, `or(eq(vip,true),in(n,[1,2]))`},
		{"not", `{"$not":{"name":{"$startsWith":"会"}}}`, nil, `not(startsWith(name,"会"))`},
		{"empty and", `{"$and":[]}`, nil, `and()`},
		{"empty or", `{"$or":[]}`, nil, `or()`},
		{"not of empty", `{"$not":{}}`, nil, `not(and())`},
		{"decimal from string", `{"price":{"$gte":"9.5"}}`, nil, `gte(price,d9.5)`},
		{"decimal from integer", `{"price":10}`, nil, `eq(price,d10)`},
		{"decimal keeps its text", `{"price":10.50}`, nil, `eq(price,d10.50)`},
		{"negative decimal", `{"price":{"$lt":-3.14159265358979}}`, nil, `lt(price,d-3.14159265358979)`},
		{"large int64 is exact", `{"n":9007199254740993}`, nil, `eq(n,9007199254740993)`},
		{"min int64", `{"n":-9223372036854775808}`, nil, `eq(n,-9223372036854775808)`},
		{"null equality", `{"name":null}`, nil, `eq(name,null:string)`},
		{"ne null", `{"name":{"$ne":null}}`, nil, `ne(name,null:string)`},
		{"in with null", `{"name":{"$in":["a",null]}}`, nil, `in(name,["a",null:string])`},
		{"empty in", `{"name":{"$in":[]}}`, nil, `in(name,[])`},
		{"nin", `{"n":{"$nin":[1,-2]}}`, nil, `nin(n,[1,-2])`},
		{"bool ne", `{"vip":{"$ne":true}}`, nil, `ne(vip,true)`},
		{"date", `{"birthday":"2000-02-29"}`, nil, `eq(birthday,"2000-02-29")`},
		{"date range", `{"birthday":{"$gte":"1990-01-01","$lt":"2000-01-01"}}`, nil, `and(gte(birthday,"1990-01-01"),lt(birthday,"2000-01-01"))`},
		{"time with offset becomes UTC", `{"paidAt":"2026-01-01T08:00:00+08:00"}`, nil, `eq(paidAt,"2026-01-01T00:00:00.000Z")`},
		{"time fraction kept to ms", `{"paidAt":"2026-01-01T00:00:00.123Z"}`, nil, `eq(paidAt,"2026-01-01T00:00:00.123Z")`},
		{"date-only time is Shanghai midnight", `{"paidAt":{"$gte":"2026-01-01"}}`, nil, `gte(paidAt,"2025-12-31T16:00:00.000Z")`},
		{"date-only time in another zone", `{"paidAt":{"$gte":"2026-07-01"}}`, ny, `gte(paidAt,"2026-07-01T04:00:00.000Z")`},
		{"contains text", `{"name":{"$contains":"员"}}`, nil, `contains(name,"员")`},
		{"contains list element", `{"tags":{"$contains":"会员"}}`, nil, `contains(tags,"会员")`},
		{"contains int list element", `{"scores":{"$contains":3}}`, nil, `contains(scores,3)`},
		{"list equality is any element", `{"tags":"vip"}`, nil, `eq(tags,"vip")`},
		{"list gt", `{"scores":{"$gt":2}}`, nil, `gt(scores,2)`},
		{"exists", `{"a.b.c":{"$exists":false}}`, nil, `exists(a.b.c,false)`},
		{"id field is always known", `{"_id":"abc"}`, nil, `eq(_id,"abc")`},
		{"nested logic", `{"$and":[{"$or":[{"n":1},{"$not":{"n":2}}]},{"vip":false}]}`, nil, `and(or(eq(n,1),not(eq(n,2))),eq(vip,false))`},
		{"dollar string without vars is literal", `{"name":"$user.unit"}`, nil, `eq(name,"$user.unit")`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := query.ParseFilter([]byte(c.in), testFields, query.Options{Location: c.loc})
			if err != nil {
				t.Fatalf("ParseFilter(%s): %v", c.in, err)
			}
			if got := show(n); got != c.want {
				t.Errorf("ParseFilter(%s)\n got: %s\nwant: %s", c.in, got, c.want)
			}
		})
	}
}

func TestParseFilterErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		code     string
		want     []fieldErr
	}{
		{"malformed", `{"name":`, "query.malformed", nil},
		{"malformed token", `{name:1}`, "query.malformed", nil},
		{"trailing object", `{} {}`, "query.malformed", nil},
		{"trailing garbage", `{"name":"x"} x`, "query.malformed", nil},
		{"root array", `[]`, "query.invalid", []fieldErr{{"$", "query.type"}}},
		{"root string", `"name"`, "query.invalid", []fieldErr{{"$", "query.type"}}},
		{"$where", `{"$where":"this.a == 1"}`, "query.invalid", []fieldErr{{"$.$where", "query.unknown_operator"}}},
		{"$expr", `{"$expr":{"$eq":["$a","$b"]}}`, "query.invalid", []fieldErr{{"$.$expr", "query.unknown_operator"}}},
		{"$function", `{"$function":{"body":"return 1"}}`, "query.invalid", []fieldErr{{"$.$function", "query.unknown_operator"}}},
		{"$regex on a field", `{"name":{"$regex":"^a"}}`, "query.invalid", []fieldErr{{"$.name.$regex", "query.unknown_operator"}}},
		{"$where on a field", `{"name":{"$where":"1"}}`, "query.invalid", []fieldErr{{"$.name.$where", "query.unknown_operator"}}},
		{"$nor", `{"$nor":[{"n":1}]}`, "query.invalid", []fieldErr{{"$.$nor", "query.unknown_operator"}}},
		{"operator without dollar", `{"n":{"gt":1}}`, "query.invalid", []fieldErr{{"$.n.gt", "query.unknown_operator"}}},
		{"logical op as field operator", `{"n":{"$and":[1]}}`, "query.invalid", []fieldErr{{"$.n.$and", "query.unknown_operator"}}},
		{"unknown field", `{"nope":1}`, "query.invalid", []fieldErr{{"$.nope", "query.unknown_field"}}},
		{"unknown nested field", `{"a.b":1}`, "query.invalid", []fieldErr{{"$.a.b", "query.unknown_field"}}},
		{"unknown field in or", `{"$or":[{"name":"a"},{"nope":1}]}`, "query.invalid", []fieldErr{{"$.$or[1].nope", "query.unknown_field"}}},
		{"unknown field in not", `{"$not":{"nope":1}}`, "query.invalid", []fieldErr{{"$.$not.nope", "query.unknown_field"}}},
		{"all errors at once", `{"zz":1,"aa":2,"n":"x"}`, "query.invalid", []fieldErr{{"$.aa", "query.unknown_field"}, {"$.n", "query.type"}, {"$.zz", "query.unknown_field"}}},
		{"string gets number", `{"name":5}`, "query.invalid", []fieldErr{{"$.name", "query.type"}}},
		{"string gets bool", `{"name":{"$ne":true}}`, "query.invalid", []fieldErr{{"$.name.$ne", "query.type"}}},
		{"int gets string", `{"n":"5"}`, "query.invalid", []fieldErr{{"$.n", "query.type"}}},
		{"int gets fraction", `{"n":1.5}`, "query.invalid", []fieldErr{{"$.n", "query.type"}}},
		{"int gets exponent", `{"n":1e3}`, "query.invalid", []fieldErr{{"$.n", "query.type"}}},
		{"int overflows int64", `{"n":9223372036854775808}`, "query.invalid", []fieldErr{{"$.n", "query.type"}}},
		{"decimal gets word", `{"price":"abc"}`, "query.invalid", []fieldErr{{"$.price", "query.type"}}},
		{"decimal gets exponent", `{"price":1e5}`, "query.invalid", []fieldErr{{"$.price", "query.type"}}},
		{"decimal gets leading zero", `{"price":"01.5"}`, "query.invalid", []fieldErr{{"$.price", "query.type"}}},
		{"decimal gets bool", `{"price":true}`, "query.invalid", []fieldErr{{"$.price", "query.type"}}},
		{"decimal too many places", `{"price":"0.1234567890123456789"}`, "query.invalid", []fieldErr{{"$.price", "query.type"}}},
		{"bool gets string", `{"vip":"true"}`, "query.invalid", []fieldErr{{"$.vip", "query.type"}}},
		{"bool gets number", `{"vip":1}`, "query.invalid", []fieldErr{{"$.vip", "query.type"}}},
		{"date bad month", `{"birthday":"2026-13-01"}`, "query.invalid", []fieldErr{{"$.birthday", "query.type"}}},
		{"date not leap", `{"birthday":"2001-02-29"}`, "query.invalid", []fieldErr{{"$.birthday", "query.type"}}},
		{"date short form", `{"birthday":"2026-1-1"}`, "query.invalid", []fieldErr{{"$.birthday", "query.type"}}},
		{"date gets time", `{"birthday":"2026-01-01T00:00:00Z"}`, "query.invalid", []fieldErr{{"$.birthday", "query.type"}}},
		{"time gets word", `{"paidAt":{"$gt":"yesterday"}}`, "query.invalid", []fieldErr{{"$.paidAt.$gt", "query.type"}}},
		{"time gets number", `{"paidAt":1700000000}`, "query.invalid", []fieldErr{{"$.paidAt", "query.type"}}},
		{"time without zone", `{"paidAt":"2026-01-01T00:00:00"}`, "query.invalid", []fieldErr{{"$.paidAt", "query.type"}}},
		{"time finer than a millisecond", `{"paidAt":{"$gte":"2026-01-01T00:00:00.0005Z"}}`, "query.invalid", []fieldErr{{"$.paidAt.$gte", "query.type"}}},
		{"gt on bool", `{"vip":{"$gt":false}}`, "query.invalid", []fieldErr{{"$.vip.$gt", "query.operator_type"}}},
		{"gt null", `{"n":{"$gt":null}}`, "query.invalid", []fieldErr{{"$.n.$gt", "query.type"}}},
		{"lte null", `{"paidAt":{"$lte":null}}`, "query.invalid", []fieldErr{{"$.paidAt.$lte", "query.type"}}},
		{"contains on int", `{"n":{"$contains":1}}`, "query.invalid", []fieldErr{{"$.n.$contains", "query.operator_type"}}},
		{"contains null", `{"name":{"$contains":null}}`, "query.invalid", []fieldErr{{"$.name.$contains", "query.operator_type"}}},
		{"startsWith on list", `{"tags":{"$startsWith":"a"}}`, "query.invalid", []fieldErr{{"$.tags.$startsWith", "query.operator_type"}}},
		{"startsWith on date", `{"birthday":{"$startsWith":"2026-01-01"}}`, "query.invalid", []fieldErr{{"$.birthday.$startsWith", "query.operator_type"}}},
		{"startsWith null", `{"name":{"$startsWith":null}}`, "query.invalid", []fieldErr{{"$.name.$startsWith", "query.operator_type"}}},
		{"exists gets string", `{"name":{"$exists":"yes"}}`, "query.invalid", []fieldErr{{"$.name.$exists", "query.type"}}},
		{"exists gets null", `{"name":{"$exists":null}}`, "query.invalid", []fieldErr{{"$.name.$exists", "query.type"}}},
		{"in gets scalar", `{"name":{"$in":"a"}}`, "query.invalid", []fieldErr{{"$.name.$in", "query.type"}}},
		{"nin gets object", `{"name":{"$nin":{"a":1}}}`, "query.invalid", []fieldErr{{"$.name.$nin", "query.type"}}},
		{"in element wrong type", `{"n":{"$in":[1,"2",3,true]}}`, "query.invalid", []fieldErr{{"$.n.$in[1]", "query.type"}, {"$.n.$in[3]", "query.type"}}},
		{"in element array", `{"n":{"$in":[[1]]}}`, "query.invalid", []fieldErr{{"$.n.$in[0]", "query.type"}}},
		{"and gets object", `{"$and":{"n":1}}`, "query.invalid", []fieldErr{{"$.$and", "query.type"}}},
		{"or element not object", `{"$or":[{"n":1},2]}`, "query.invalid", []fieldErr{{"$.$or[1]", "query.type"}}},
		{"not gets array", `{"$not":[{"n":1}]}`, "query.invalid", []fieldErr{{"$.$not", "query.type"}}},
		{"array as direct value", `{"tags":["a","b"]}`, "query.invalid", []fieldErr{{"$.tags", "query.type"}}},
		{"array as direct scalar value", `{"name":["a"]}`, "query.invalid", []fieldErr{{"$.name", "query.type"}}},
		{"array as eq value", `{"name":{"$eq":["a"]}}`, "query.invalid", []fieldErr{{"$.name.$eq", "query.type"}}},
		{"object as eq value", `{"name":{"$eq":{"$ne":1}}}`, "query.invalid", []fieldErr{{"$.name.$eq", "query.type"}}},
		{"empty operator object", `{"name":{}}`, "query.invalid", []fieldErr{{"$.name", "query.empty"}}},
		{"empty operator object nested", `{"$or":[{"n":{}}]}`, "query.invalid", []fieldErr{{"$.$or[0].n", "query.empty"}}},
		{"in too long", `{"n":{"$in":[` + strings.Repeat("1,", query.MaxNodes) + `1]}}`, "query.invalid", []fieldErr{{"$.n.$in", "query.too_large"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := query.ParseFilter([]byte(c.in), testFields, query.Options{})
			if err == nil {
				t.Fatalf("ParseFilter(%s) = %s, want error", c.in, show(n))
			}
			checkErr(t, err, c.code, c.want...)
		})
	}
}

func TestParseFilterRoot(t *testing.T) {
	t.Parallel()
	_, err := query.ParseFilter([]byte(`{"$or":[{"nope":1}]}`), testFields, query.Options{Root: "filter"})
	checkErr(t, err, "query.invalid", fieldErr{"filter.$or[0].nope", "query.unknown_field"})
}

// nestNot wraps a leaf in k levels of $not: the innermost object sits at
// JSON depth k+1.
func nestNot(k int, leaf string) (string, string) {
	s, path := leaf, "$"
	for i := 0; i < k; i++ {
		s = `{"$not":` + s + `}`
		path += ".$not"
	}
	return s, path
}

func TestParseFilterDepth(t *testing.T) {
	t.Parallel()
	// 16 levels of JSON objects are allowed; the 17th is refused at its path.
	ok, _ := nestNot(query.MaxDepth-1, `{"n":1}`)
	if _, err := query.ParseFilter([]byte(ok), testFields, query.Options{}); err != nil {
		t.Errorf("depth %d refused: %v", query.MaxDepth, err)
	}
	bad, path := nestNot(query.MaxDepth, `{"n":1}`)
	_, err := query.ParseFilter([]byte(bad), testFields, query.Options{})
	checkErr(t, err, "query.invalid", fieldErr{path, "query.too_deep"})

	// An operator object counts as a level.
	ok, _ = nestNot(query.MaxDepth-2, `{"n":{"$gt":1}}`)
	if _, err := query.ParseFilter([]byte(ok), testFields, query.Options{}); err != nil {
		t.Errorf("operator object at depth %d refused: %v", query.MaxDepth, err)
	}
	bad, path = nestNot(query.MaxDepth-1, `{"n":{"$gt":1}}`)
	_, err = query.ParseFilter([]byte(bad), testFields, query.Options{})
	checkErr(t, err, "query.invalid", fieldErr{path + ".n", "query.too_deep"})

	// $and arrays count as a level too: object, array, object, ...
	s, p := `{"n":1}`, ""
	for i := 0; i < 8; i++ { // 8 x (object + array) + innermost object = 17
		s = `{"$and":[` + s + `]}`
		p += ".$and[0]"
	}
	_, err = query.ParseFilter([]byte(s), testFields, query.Options{})
	checkErr(t, err, "query.invalid", fieldErr{"$" + p, "query.too_deep"})

	// A hostile depth far beyond the limit is refused cleanly.
	deep, _ := nestNot(5000, `{"n":1}`)
	if _, err := query.ParseFilter([]byte(deep), testFields, query.Options{}); err == nil {
		t.Error("5000 levels accepted")
	}
}

func TestParseFilterNodeLimit(t *testing.T) {
	t.Parallel()
	or := func(k int) string {
		return `{"$or":[` + strings.TrimSuffix(strings.Repeat(`{"n":1},`, k), ",") + `]}`
	}
	// One $or node plus k leaves.
	if _, err := query.ParseFilter([]byte(or(query.MaxNodes-1)), testFields, query.Options{}); err != nil {
		t.Errorf("%d nodes refused: %v", query.MaxNodes, err)
	}
	_, err := query.ParseFilter([]byte(or(query.MaxNodes)), testFields, query.Options{})
	checkErr(t, err, "query.invalid", fieldErr{"$", "query.too_large"})
	_, err = query.ParseFilter([]byte(or(query.MaxNodes)), testFields, query.Options{Root: "filter"})
	checkErr(t, err, "query.invalid", fieldErr{"filter", "query.too_large"})
}

func TestParseFilterVariables(t *testing.T) {
	t.Parallel()
	long := make([]string, 3*query.MaxNodes)
	for i := range long {
		long[i] = fmt.Sprintf("u%d", i)
	}
	vars := map[string]any{
		"$user.unit":    "u-会员",
		"$user.units":   []any{"u1", "u2"},
		"$user.strs":    []string{"s1", "s2"},
		"$user.level":   3,
		"$user.none":    nil,
		"$user.subtree": long,
	}
	happy := []struct{ in, want string }{
		{`{"unit":"$user.unit"}`, `eq(unit,"u-会员")`},
		{`{"unit":{"$ne":"$user.unit"}}`, `ne(unit,"u-会员")`},
		{`{"unit":{"$in":"$user.units"}}`, `in(unit,["u1","u2"])`},
		{`{"unit":{"$nin":"$user.units"}}`, `nin(unit,["u1","u2"])`},
		{`{"unit":{"$in":["$user.unit","x"]}}`, `in(unit,["u-会员","x"])`},
		{`{"n":{"$gte":"$user.level"}}`, `gte(n,3)`},
		{`{"unit":"$user.none"}`, `eq(unit,null:string)`},
		{`{"unit":{"$in":"$user.strs"}}`, `in(unit,["s1","s2"])`},
	}
	for _, c := range happy {
		n, err := query.ParseFilter([]byte(c.in), testFields, query.Options{Vars: vars})
		if err != nil {
			t.Errorf("ParseFilter(%s): %v", c.in, err)
			continue
		}
		if got := show(n); got != c.want {
			t.Errorf("ParseFilter(%s)\n got: %s\nwant: %s", c.in, got, c.want)
		}
	}
	// A list from a variable (a unit subtree) is not bound by MaxNodes.
	if n, err := query.ParseFilter([]byte(`{"unit":{"$in":"$user.subtree"}}`), testFields, query.Options{Vars: vars}); err != nil {
		t.Errorf("long list variable: %v", err)
	} else if len(n.Values) != len(long) {
		t.Errorf("long list variable gave %d values", len(n.Values))
	}
	bad := []struct {
		in   string
		want fieldErr
	}{
		{`{"unit":"$user.nope"}`, fieldErr{"$.unit", "query.unknown_variable"}},
		{`{"unit":{"$in":"$user.nope"}}`, fieldErr{"$.unit.$in", "query.unknown_variable"}},
		{`{"unit":"$user.strs"}`, fieldErr{"$.unit", "query.type"}},
		{`{"unit":{"$in":["$user.nope"]}}`, fieldErr{"$.unit.$in[0]", "query.unknown_variable"}},
		{`{"unit":"$user.units"}`, fieldErr{"$.unit", "query.type"}},
		{`{"unit":{"$in":["$user.units"]}}`, fieldErr{"$.unit.$in[0]", "query.type"}},
		{`{"n":"$user.unit"}`, fieldErr{"$.n", "query.type"}},
	}
	for _, c := range bad {
		_, err := query.ParseFilter([]byte(c.in), testFields, query.Options{Vars: vars})
		t.Run(c.in, func(t *testing.T) { checkErr(t, err, "query.invalid", c.want) })
	}
}

func TestHelpersBuildAST(t *testing.T) {
	t.Parallel()
	f := testFields["n"]
	cases := []struct {
		got  *query.Node
		want string
	}{
		{query.True(), `and()`},
		{query.False(), `or()`},
		{query.And(), `and()`},
		{query.Or(), `or()`},
		{query.And(nil, query.Eq(f, query.Int(1)), nil), `eq(n,1)`},
		{query.Or(query.Eq(f, query.Int(1)), query.Cmp(f, query.OpGt, query.Int(5))), `or(eq(n,1),gt(n,5))`},
		{query.Not(query.Eq(f, query.Null(query.KindInt))), `not(eq(n,null:int))`},
	}
	for _, c := range cases {
		if got := show(c.got); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
	if !query.ValidPath("a.b.c") || query.ValidPath("a..b") || query.ValidPath("a.b'") || query.ValidPath("$where") {
		t.Error("ValidPath disagrees with its documented shape")
	}
}

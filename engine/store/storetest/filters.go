package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// filterCase is a user filter with its expected matches written by hand.
type filterCase struct {
	name, filter string
	want         []string
}

// handFilters are the cases whose expectations were worked out by hand from
// the semantics documented on query.Node; the reference model must agree
// with every one of them before the store is checked.
var handFilters = []filterCase{
	// Text: nulls, byte order, case, Chinese, LIKE/regex metacharacters.
	{"text eq null matches null and missing", `{"name":null}`, ids("f08 f09")},
	{"text ne null", `{"name":{"$ne":null}}`, except("f08 f09")},
	{"text ne matches null and missing", `{"name":{"$ne":"Alice"}}`, except("f01")},
	{"text exists false", `{"name":{"$exists":false}}`, ids("f08 f09")},
	{"text exists true", `{"name":{"$exists":true}}`, except("f08 f09")},
	{"text eq empty string", `{"name":""}`, ids("f07")},
	{"text eq Chinese", `{"name":"会员张三"}`, ids("f04")},
	{"text gt empty excludes empty and null", `{"name":{"$gt":""}}`, except("f07 f08 f09")},
	{"text lt is byte order, case-sensitive", `{"name":{"$lt":"a"}}`, ids("f01 f03 f07 f12")},
	{"text Chinese range", `{"name":{"$gte":"会员","$lt":"金"}}`, ids("f04")},
	{"text gt Chinese is byte order not pinyin", `{"name":{"$gt":"金"}}`, ids("f05 f06 f10 f11")},
	{"text lt emoji is UTF-8 byte order not UTF-16", `{"name":{"$lt":"😀"}}`, except("f06 f08 f09")},
	{"contains Chinese substring", `{"name":{"$contains":"会员"}}`, ids("f04 f05")},
	{"contains Chinese middle", `{"name":{"$contains":"卡会"}}`, ids("f05")},
	{"contains is case-sensitive", `{"name":{"$contains":"Al"}}`, ids("f01")},
	{"contains lower", `{"name":{"$contains":"li"}}`, ids("f01 f02")},
	{"contains no case folding", `{"name":{"$contains":"AL"}}`, nil},
	{"contains percent is literal", `{"name":{"$contains":"%"}}`, ids("f12")},
	{"contains underscore is literal", `{"name":{"$contains":"_"}}`, ids("f11")},
	{"contains e_ is literal", `{"name":{"$contains":"e_"}}`, ids("f11")},
	{"contains dot is literal", `{"a.b.c":{"$contains":"."}}`, ids("f10")},
	{"contains empty matches every non-null text", `{"name":{"$contains":""}}`, except("f08 f09")},
	{"startsWith is case-sensitive", `{"name":{"$startsWith":"a"}}`, ids("f02")},
	{"startsWith upper", `{"name":{"$startsWith":"A"}}`, ids("f01")},
	{"startsWith Chinese", `{"name":{"$startsWith":"会"}}`, ids("f04")},
	{"startsWith Chinese two runes", `{"name":{"$startsWith":"金卡"}}`, ids("f05")},
	{"startsWith not a prefix", `{"name":{"$startsWith":"卡"}}`, nil},
	{"startsWith percent is literal", `{"name":{"$startsWith":"%"}}`, nil},
	{"startsWith underscore is literal", `{"name":{"$startsWith":"_"}}`, nil},
	{"startsWith emoji", `{"name":{"$startsWith":"😀"}}`, ids("f06")},
	{"startsWith empty", `{"name":{"$startsWith":""}}`, except("f08 f09")},
	{"text in with null", `{"name":{"$in":["Alice","Bob",null]}}`, ids("f01 f03 f08 f09")},
	{"text nin matches null", `{"name":{"$nin":["Alice","Bob"]}}`, except("f01 f03")},
	{"text nin with null excludes null", `{"name":{"$nin":["Alice",null]}}`, except("f01 f08 f09")},

	// Integers: int64 values float64 cannot tell apart.
	{"int eq 2^53+1", `{"n":9007199254740993}`, ids("f05")},
	{"int eq 2^53", `{"n":9007199254740992}`, ids("f06")},
	{"int gt 2^53", `{"n":{"$gt":9007199254740992}}`, ids("f05")},
	{"int gte 2^53+1", `{"n":{"$gte":9007199254740993}}`, ids("f05")},
	{"int between big values", `{"n":{"$lt":9007199254740993,"$gt":100}}`, ids("f06")},
	{"int lt 0 excludes null", `{"n":{"$lt":0}}`, ids("f04")},
	{"int lte 0", `{"n":{"$lte":0}}`, ids("f04 f07")},
	{"int gt", `{"n":{"$gt":5}}`, ids("f03 f05 f06 f10 f12")},
	{"int gte", `{"n":{"$gte":5}}`, ids("f02 f03 f05 f06 f10 f12")},
	{"int range", `{"n":{"$gt":1,"$lt":10}}`, ids("f02 f11")},
	{"int ne matches null", `{"n":{"$ne":5}}`, except("f02")},
	{"int in with null", `{"n":{"$in":[null,0]}}`, ids("f07 f08 f09")},
	{"int nin null", `{"n":{"$nin":[null]}}`, except("f08 f09")},
	{"int nin", `{"n":{"$nin":[1,5]}}`, except("f01 f02")},
	{"empty in matches nothing", `{"n":{"$in":[]}}`, nil},
	{"empty nin matches everything", `{"n":{"$nin":[]}}`, except("")},

	// Decimals compare numerically, not as text.
	{"decimal lt 10 is numeric", `{"price":{"$lt":"10"}}`, ids("f01 f04 f05 f10 f11 f12")},
	{"decimal gt 9.5 is numeric", `{"price":{"$gt":"9.5"}}`, ids("f02 f03 f06 f07")},
	{"decimal eq ignores trailing zeros", `{"price":"10.5"}`, ids("f03 f07")},
	{"decimal eq number with trailing zero", `{"price":10.50}`, ids("f03 f07")},
	{"decimal eq 0.1", `{"price":"0.1"}`, ids("f04 f12")},
	{"decimal negative range", `{"price":{"$gte":"-3.14159265358979","$lt":"-0.5"}}`, ids("f05")},
	{"decimal fine precision", `{"price":{"$lt":"-3.1415926535897"}}`, ids("f05")},
	{"decimal gt max", `{"price":{"$gt":100}}`, nil},
	{"decimal gte integer", `{"price":{"$gte":100}}`, ids("f06")},
	{"decimal gt 99.99", `{"price":{"$gt":"99.99"}}`, ids("f06")},
	{"decimal in", `{"price":{"$in":["9.5","100.0"]}}`, ids("f01 f06")},
	{"decimal ne matches null", `{"price":{"$ne":"10.5"}}`, except("f03 f07")},
	{"decimal lte", `{"price":{"$lte":"9.49"}}`, ids("f04 f05 f10 f11 f12")},

	// Booleans.
	{"bool true", `{"vip":true}`, ids("f01 f05 f07 f12")},
	{"bool false is not null", `{"vip":false}`, ids("f02 f06 f10")},
	{"bool ne true matches false and null", `{"vip":{"$ne":true}}`, ids("f02 f03 f04 f06 f08 f09 f10 f11")},
	{"bool null", `{"vip":null}`, ids("f03 f04 f08 f09 f11")},
	{"bool in false or null", `{"vip":{"$in":[false,null]}}`, ids("f02 f03 f04 f06 f08 f09 f10 f11")},
	{"bool nin false", `{"vip":{"$nin":[false]}}`, ids("f01 f03 f04 f05 f07 f08 f09 f11 f12")},

	// Dates (text, fixed width).
	{"date lt", `{"birthday":{"$lt":"2000-02-29"}}`, ids("f01 f05 f08 f11")},
	{"date eq leap day", `{"birthday":"2000-02-29"}`, ids("f02 f12")},
	{"date range", `{"birthday":{"$gte":"2000-01-01","$lte":"2000-12-31"}}`, ids("f02 f03 f12")},
	{"date gt", `{"birthday":{"$gt":"2025-12-31"}}`, ids("f07 f10")},
	{"date exists false", `{"birthday":{"$exists":false}}`, ids("f04 f06 f09")},

	// Times: canonical UTC text; date-only bounds are Shanghai midnight.
	{"time gte date-only is Shanghai midnight", `{"paidAt":{"$gte":"2026-01-01"}}`, except("f04 f05 f09")},
	{"time lt date-only", `{"paidAt":{"$lt":"2026-01-01"}}`, ids("f04")},
	{"time eq with offset", `{"paidAt":"2026-01-01T08:00:00+08:00"}`, ids("f01")},
	{"time gt UTC", `{"paidAt":{"$gt":"2026-01-01T00:00:00Z"}}`, ids("f03 f06 f07 f08 f10 f11 f12")},
	{"time millisecond bound", `{"paidAt":{"$gte":"2026-01-01T00:00:00.001Z","$lt":"2026-02-01"}}`, ids("f08")},
	{"time year 2026 in Shanghai", `{"paidAt":{"$gte":"2026-01-01","$lt":"2027-01-01"}}`, ids("f01 f02 f03 f06 f07 f08 f10 f11")},

	// Lists: any element; ne/nin mean no element; [] is not null.
	{"list eq any element", `{"tags":"vip"}`, ids("f02 f07 f12")},
	{"list ne is no element", `{"tags":{"$ne":"vip"}}`, ids("f01 f03 f04 f05 f06 f08 f09 f10 f11")},
	{"list contains is element equality", `{"tags":{"$contains":"会员"}}`, ids("f01 f05")},
	{"list in", `{"tags":{"$in":["金卡","～"]}}`, ids("f01 f07 f10")},
	{"list nin is no element", `{"tags":{"$nin":["vip","会员"]}}`, ids("f03 f04 f06 f08 f09 f10 f11")},
	{"list null excludes empty list", `{"tags":null}`, ids("f04 f08 f09")},
	{"list ne null includes empty list", `{"tags":{"$ne":null}}`, except("f04 f08 f09")},
	{"list exists includes empty list", `{"tags":{"$exists":true}}`, except("f04 f08 f09")},
	{"list gt any element", `{"tags":{"$gt":"z"}}`, ids("f01 f05 f06 f07 f10 f11")},
	{"list lt any element", `{"tags":{"$lt":"b"}}`, ids("f05")},
	{"list empty in", `{"tags":{"$in":[]}}`, nil},
	{"list empty nin", `{"tags":{"$nin":[]}}`, except("")},
	{"int list gt", `{"scores":{"$gt":5}}`, ids("f02 f10 f12")},
	{"int list lt", `{"scores":{"$lt":0}}`, ids("f05")},
	{"int list range leaves match independently", `{"scores":{"$gte":2,"$lte":2}}`, ids("f01 f05 f07")},
	{"int list contains", `{"scores":{"$contains":2}}`, ids("f01 f07")},
	{"int list eq", `{"scores":2}`, ids("f01 f07")},
	{"int list ne", `{"scores":{"$ne":2}}`, except("f01 f07")},
	{"int list nin", `{"scores":{"$nin":[0,3]}}`, ids("f02 f03 f04 f05 f07 f08 f09 f10 f12")},
	{"int list null", `{"scores":null}`, ids("f04 f08 f09")},

	// Nested paths: a missing parent, a null leaf, a parent that is text.
	{"nested null", `{"a.b.c":null}`, ids("f03 f04 f05 f06 f09")},
	{"nested exists", `{"a.b.c":{"$exists":true}}`, ids("f01 f02 f07 f08 f10 f11 f12")},
	{"nested startsWith Chinese", `{"a.b.c":{"$startsWith":"深"}}`, ids("f01 f08 f11 f12")},
	{"nested eq", `{"a.b.c":"深圳"}`, ids("f01 f12")},
	{"nested ne", `{"a.b.c":{"$ne":"深圳"}}`, except("f01 f12")},
	{"nested startsWith with dot", `{"a.b.c":{"$startsWith":"a."}}`, ids("f10")},
	{"nested int lt", `{"a.b.n":{"$lt":0}}`, ids("f08")},
	{"nested int gte", `{"a.b.n":{"$gte":5}}`, ids("f01 f11 f12")},
	{"nested int null", `{"a.b.n":null}`, ids("f02 f03 f04 f05 f06 f09 f10")},

	// Logic.
	{"empty filter", `{}`, except("")},
	{"empty and", `{"$and":[]}`, except("")},
	{"empty or", `{"$or":[]}`, nil},
	{"not of empty and", `{"$not":{"$and":[]}}`, nil},
	{"not of empty or", `{"$not":{"$or":[]}}`, except("")},
	{"not matches null", `{"$not":{"n":{"$gt":5}}}`, ids("f01 f02 f04 f07 f08 f09 f11")},
	{"double not", `{"$not":{"$not":{"name":null}}}`, ids("f08 f09")},
	{"or across fields", `{"$or":[{"n":{"$lt":0}},{"tags":"vip"}]}`, ids("f02 f04 f07 f12")},
	{"and with not", `{"$and":[{"vip":true},{"$not":{"tags":{"$contains":"vip"}}}]}`, ids("f01 f05")},
	{"not of or", `{"$not":{"$or":[{"name":null},{"vip":true}]}}`, ids("f02 f03 f04 f06 f10 f11")},
	{"implicit and", `{"name":{"$ne":"Alice"},"n":{"$ne":null}}`, except("f01 f08 f09")},
	{"nested logic", `{"$or":[{"price":{"$gt":"100"}},{"$and":[{"birthday":{"$exists":false}},{"vip":{"$ne":false}}]}]}`, ids("f04 f09")},
	{"id in", `{"_id":{"$in":["f01","f03","nope"]}}`, ids("f01 f03")},
	{"id gt", `{"_id":{"$gt":"f10"}}`, ids("f11 f12")},
}

func (s *suite) filters(t *testing.T) {
	st := s.open(t)
	c, ref := load(t, st, "filters", filterDocs())

	t.Run("Hand", func(t *testing.T) {
		for _, fc := range handFilters {
			t.Run(fc.name, func(t *testing.T) {
				t.Parallel()
				checkFilter(t, st, c, ref, fc.filter, fc.want, true)
			})
		}
	})
	// Every operator against every value present in the fixtures, with the
	// reference model as the only expectation.
	for _, path := range sortedFieldPaths(filterFields) {
		t.Run("Generated/"+path, func(t *testing.T) {
			t.Parallel()
			for _, raw := range generatedFilters(filterFields[path], ref) {
				checkFilter(t, st, c, ref, raw, nil, false)
			}
		})
	}
}

// checkFilter runs one JSON filter through Find and Count and compares the
// ids with the model (and with want when given). hand marks a whole case:
// failures then stop it; generated ones only report.
func checkFilter(t *testing.T, st store.Store, c string, ref []store.Doc, raw string, want []string, hand bool) {
	t.Helper()
	node, err := query.ParseFilter([]byte(raw), filterFields, query.Options{})
	if err != nil {
		t.Fatalf("storetest: bad filter %s: %v", raw, err)
	}
	model := idsOf(expectFind(ref, node, nil))
	if hand && !sameSet(want, model) {
		t.Fatalf("storetest bug: the reference model disagrees with the hand-written expectation for %s:%s", raw, diffIDs(want, model))
	}
	docs, err := st.Find(t.Context(), c, store.Query{Filter: node})
	if err != nil {
		t.Errorf("filter %s: find: %v", raw, err)
		return
	}
	if got := idsOf(docs); !sameSet(model, got) {
		t.Errorf("filter %s:%s", raw, diffIDs(model, got))
		return
	}
	n, err := st.Count(t.Context(), c, node)
	if err != nil {
		t.Errorf("filter %s: count: %v", raw, err)
	} else if n != int64(len(model)) {
		t.Errorf("filter %s: count = %d, want %d", raw, n, len(model))
	}
}

func sortedFieldPaths(fs query.Fields) []string {
	var out []string
	for p := range fs {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// generatedFilters builds a filter for every applicable operator and every
// distinct value the fixtures hold for the field (list elements for lists),
// plus null where the parser allows it.
func generatedFilters(f query.Field, ref []store.Doc) []string {
	var vals []any
	seen := map[string]bool{}
	add := func(v any) {
		b, _ := json.Marshal(v)
		if v != nil && !seen[string(b)] {
			seen[string(b)] = true
			vals = append(vals, v)
		}
	}
	for _, d := range ref {
		v := lookup(d, f.Path)
		if arr, ok := v.([]any); ok {
			for _, el := range arr {
				add(el)
			}
		} else if _, isObj := v.(map[string]any); !isObj {
			add(v)
		}
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	leaf := func(op string, v any) string { return fmt.Sprintf(`{%q:{%q:%s}}`, f.Path, op, js(v)) }
	var out []string
	ops := []string{"$eq", "$ne"}
	if f.Kind != query.KindBool {
		ops = append(ops, "$gt", "$gte", "$lt", "$lte")
	}
	if f.Array {
		ops = append(ops, "$contains")
	}
	for i, v := range vals {
		for _, op := range ops {
			out = append(out, leaf(op, v))
		}
		next := vals[(i+1)%len(vals)]
		out = append(out, leaf("$in", []any{v, next}), leaf("$nin", []any{v, next}), leaf("$in", []any{v, nil}), leaf("$nin", []any{nil, v}))
		if s, ok := v.(string); ok && f.Kind == query.KindString && s != "" {
			r := []rune(s)
			out = append(out, leaf("$contains", string(r[len(r)-1:])))
			if !f.Array {
				out = append(out, leaf("$startsWith", string(r[:1])), leaf("$startsWith", s), leaf("$contains", s))
			}
		}
	}
	out = append(out, leaf("$eq", nil), leaf("$ne", nil), leaf("$exists", true), leaf("$exists", false))
	out = append(out, `{"$not":`+leaf("$eq", nil)+`}`)
	return out
}

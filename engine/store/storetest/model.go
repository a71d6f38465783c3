package storetest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// This file is the suite's reference model: a direct, slow reading of the
// semantics documented on query.Node and query.SortKey, written without
// looking at any adapter. Expectations come from here (and from hand-written
// sets that double-check the model on the tricky cases).

// isNull is the documented notion of null: a missing field or a JSON null.
func isNull(v any) bool { return v == nil }

// lookup reads a path; missing and null are both nil.
func lookup(doc store.Doc, path string) any {
	v, _ := query.Lookup(doc, path)
	return v
}

// matches evaluates a filter on one document. A nil filter matches all.
func matches(doc store.Doc, n *query.Node) bool {
	if n == nil {
		return true
	}
	switch n.Op {
	case query.OpAnd:
		for _, c := range n.Children {
			if !matches(doc, c) {
				return false
			}
		}
		return true
	case query.OpOr:
		for _, c := range n.Children {
			if matches(doc, c) {
				return true
			}
		}
		return false
	case query.OpNot:
		return len(n.Children) == 1 && !matches(doc, n.Children[0])
	}
	x := lookup(doc, n.Field.Path)
	switch n.Op {
	case query.OpExists:
		return !isNull(x) == n.Value.Bool
	case query.OpNe:
		// ne is the negation of eq: on lists "no element equals", and a
		// null field matches ne of any non-null value.
		return !positive(n.Field, query.OpEq, x, []query.Value{n.Value})
	case query.OpNin:
		return !positive(n.Field, query.OpIn, x, n.Values)
	case query.OpIn:
		return positive(n.Field, query.OpIn, x, n.Values)
	default:
		return positive(n.Field, n.Op, x, []query.Value{n.Value})
	}
}

// positive evaluates eq, in, gt, gte, lt, lte, contains and startsWith on
// a field value x; on a list field it is true when any element matches.
func positive(f query.Field, op query.Op, x any, vals []query.Value) bool {
	if arr, ok := x.([]any); ok && f.Array {
		for _, el := range arr {
			if scalarMatch(f, op, el, vals, true) {
				return true
			}
		}
		return false
	}
	return scalarMatch(f, op, x, vals, false)
}

func scalarMatch(f query.Field, op query.Op, x any, vals []query.Value, element bool) bool {
	if op == query.OpIn {
		for _, v := range vals {
			if scalarMatch(f, query.OpEq, x, []query.Value{v}, element) {
				return true
			}
		}
		return false
	}
	v := vals[0]
	if op == query.OpEq && v.Null {
		return isNull(x)
	}
	if isNull(x) || v.Null {
		return false
	}
	switch op {
	case query.OpContains:
		if element { // an element of a list equals the value
			c, ok := compare(f.Kind, x, v.Any())
			return ok && c == 0
		}
		s, ok := x.(string)
		return ok && strings.Contains(s, v.Str)
	case query.OpStartsWith:
		s, ok := x.(string)
		return ok && strings.HasPrefix(s, v.Str)
	}
	c, ok := compare(f.Kind, x, v.Any())
	if !ok {
		return false
	}
	switch op {
	case query.OpEq:
		return c == 0
	case query.OpGt:
		return c > 0
	case query.OpGte:
		return c >= 0
	case query.OpLt:
		return c < 0
	case query.OpLte:
		return c <= 0
	}
	panic("storetest: model has no operator " + string(op))
}

// compare orders two non-null values of a kind: text, dates and times by
// bytes, numbers numerically, false before true. ok is false when a value
// does not have the kind's type.
func compare(k query.Kind, a, b any) (int, bool) {
	switch k {
	case query.KindInt, query.KindDecimal:
		x, ok1 := toRat(a)
		y, ok2 := toRat(b)
		if !ok1 || !ok2 {
			return 0, false
		}
		return x.Cmp(y), true
	case query.KindBool:
		x, ok1 := a.(bool)
		y, ok2 := b.(bool)
		if !ok1 || !ok2 {
			return 0, false
		}
		switch {
		case x == y:
			return 0, true
		case !x:
			return -1, true
		}
		return 1, true
	default:
		x, ok1 := a.(string)
		y, ok2 := b.(string)
		if !ok1 || !ok2 {
			return 0, false
		}
		return strings.Compare(x, y), true
	}
}

// toRat reads any number form exactly.
func toRat(v any) (*big.Rat, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case int:
		s = fmt.Sprint(x)
	case int64:
		s = fmt.Sprint(x)
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(x) == nil {
			return nil, false
		}
		return r, true
	default:
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// cmpSort orders two documents by keys: nulls first ascending, last
// descending; ties fall through to the next key.
func cmpSort(a, b store.Doc, keys []query.SortKey) int {
	for _, k := range keys {
		c := cmpNullsFirst(k.Field.Kind, lookup(a, k.Field.Path), lookup(b, k.Field.Path))
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func cmpNullsFirst(k query.Kind, x, y any) int {
	switch {
	case isNull(x) && isNull(y):
		return 0
	case isNull(x):
		return -1
	case isNull(y):
		return 1
	}
	c, _ := compare(k, x, y)
	return c
}

// expectFind is the reference Find: filter, then sort with the _id
// tie-break.
func expectFind(docs []store.Doc, filter *query.Node, keys []query.SortKey) []store.Doc {
	var out []store.Doc
	for _, d := range docs {
		if matches(d, filter) {
			out = append(out, d)
		}
	}
	keys = query.WithIDTieBreak(keys)
	slices.SortStableFunc(out, func(a, b store.Doc) int { return cmpSort(a, b, keys) })
	return out
}

// canon turns a Go value into the form the store must return: numbers as
// json.Number with their text, objects as map[string]any, lists as []any.
func canon(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		panic(err)
	}
	return out
}

// canonDoc is canon for a document.
func canonDoc(d store.Doc) store.Doc { return canon(d).(map[string]any) }

// jsonTypes returns the paths of values that are not plain JSON types
// (nil, string, bool, json.Number, map[string]any, []any); adapters must
// not leak driver types (bson.M, primitive.A, int64, float64, ...).
func jsonTypes(v any, path string) []string {
	switch x := v.(type) {
	case nil, string, bool, json.Number:
		return nil
	case map[string]any:
		var bad []string
		for k, e := range x {
			bad = append(bad, jsonTypes(e, path+"."+k)...)
		}
		return bad
	case []any:
		var bad []string
		for i, e := range x {
			bad = append(bad, jsonTypes(e, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return bad
	}
	return []string{fmt.Sprintf("%s is %T", path, v)}
}

// docDiff describes how got differs from want (both canonical), or "".
func docDiff(want, got any) string {
	wb, _ := json.Marshal(want)
	gb, _ := json.Marshal(got)
	var notes []string
	if bad := jsonTypes(got, "$"); len(bad) > 0 {
		slices.Sort(bad)
		notes = append(notes, "non-JSON types: "+strings.Join(bad, ", "))
	}
	if string(wb) != string(gb) {
		notes = append(notes, fmt.Sprintf("\n  want %s\n   got %s", wb, gb))
	}
	return strings.Join(notes, "; ")
}

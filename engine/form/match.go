package form

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"

	"github.com/tangram/tangram/engine/query"
)

// Match reports whether a record (stored form: values as Normalize returns
// them or as the store gives them back) satisfies a filter; nil matches
// everything. It keeps the semantics every store adapter keeps (see
// query.Node), so a condition evaluated here (requiredWhen, a create's row
// scope) agrees with the same filter run in the database. Written by hand:
// no library evaluates this AST.
func Match(n *query.Node, doc map[string]any) bool {
	if n == nil {
		return true
	}
	switch n.Op {
	case query.OpAnd:
		for _, c := range n.Children {
			if !Match(c, doc) {
				return false
			}
		}
		return true
	case query.OpOr:
		for _, c := range n.Children {
			if Match(c, doc) {
				return true
			}
		}
		return false
	case query.OpNot:
		return len(n.Children) == 1 && !Match(n.Children[0], doc)
	}
	v, _ := query.Lookup(doc, n.Field.Path)
	elems := leafElements(v)
	switch n.Op {
	case query.OpEq:
		return equalsAny(elems, v, n.Value, n.Field.Kind)
	case query.OpNe:
		return !equalsAny(elems, v, n.Value, n.Field.Kind)
	case query.OpIn, query.OpNin:
		in := false
		for _, val := range n.Values {
			if equalsAny(elems, v, val, n.Field.Kind) {
				in = true
				break
			}
		}
		return in == (n.Op == query.OpIn)
	case query.OpExists:
		return n.Value.Bool == (v != nil)
	case query.OpGt, query.OpGte, query.OpLt, query.OpLte:
		for _, e := range elems {
			c, ok := compareValue(e, n.Value, n.Field.Kind)
			if ok && orderHolds(n.Op, c) {
				return true
			}
		}
		return false
	case query.OpContains:
		if n.Field.Array {
			return !n.Value.Null && equalsAny(elems, v, n.Value, n.Field.Kind)
		}
		s, ok := v.(string)
		return ok && strings.Contains(s, n.Value.Str)
	case query.OpStartsWith:
		s, ok := v.(string)
		return ok && strings.HasPrefix(s, n.Value.Str)
	}
	return false
}

// leafElements lists the values a leaf is tested against: the elements of an
// array, the value itself otherwise, nothing for null.
func leafElements(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return []any{v}
}

func equalsAny(elems []any, whole any, val query.Value, k query.Kind) bool {
	if val.Null {
		return whole == nil
	}
	for _, e := range elems {
		if c, ok := compareValue(e, val, k); ok && c == 0 {
			return true
		}
	}
	return false
}

func orderHolds(op query.Op, c int) bool {
	switch op {
	case query.OpGt:
		return c > 0
	case query.OpGte:
		return c >= 0
	case query.OpLt:
		return c < 0
	}
	return c <= 0
}

// compareValue orders a stored value against a filter constant of kind k; ok is
// false when they are not comparable (a type mismatch never matches).
func compareValue(e any, val query.Value, k query.Kind) (int, bool) {
	if e == nil || val.Null {
		return 0, false
	}
	switch k {
	case query.KindInt, query.KindDecimal:
		a, ok1 := exactRat(e)
		b, ok2 := exactRat(val.Any())
		if !ok1 || !ok2 {
			return 0, false
		}
		return a.Cmp(b), true
	case query.KindBool:
		b, ok := e.(bool)
		if !ok {
			return 0, false
		}
		switch {
		case b == val.Bool:
			return 0, true
		case !b:
			return -1, true
		}
		return 1, true
	}
	s, ok := e.(string)
	if !ok {
		return 0, false
	}
	return strings.Compare(s, val.Str), true
}

// exactRat reads a number exactly (decimals as written, never through float
// rounding where avoidable).
func exactRat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case int:
		return new(big.Rat).SetInt64(int64(x)), true
	case int64:
		return new(big.Rat).SetInt64(x), true
	case int32:
		return new(big.Rat).SetInt64(int64(x)), true
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(x) == nil {
			return nil, false
		}
		return r, true
	case json.Number:
		return new(big.Rat).SetString(string(x))
	case string:
		if _, err := strconv.ParseFloat(x, 64); err != nil {
			return nil, false
		}
		return new(big.Rat).SetString(x)
	}
	return nil, false
}

package report

import (
	"encoding/json"

	"github.com/tangram/tangram/engine/query"
)

// filterJSON renders a filter AST back into the query language's JSON, so
// that query.ParseFilter reads the same AST again: the records list takes
// a drill-down filter in this form, and cache keys use its canonical text.
// Every leaf is written as {"field": {"$op": value}}; an "and" or "or" as
// the operator over an array, which never merges two conditions on one
// field into one object (where a second "$eq" would overwrite the first).
func filterJSON(n *query.Node) any {
	if n == nil {
		return map[string]any{}
	}
	switch n.Op {
	case query.OpAnd, query.OpOr:
		kids := make([]any, 0, len(n.Children))
		for _, c := range n.Children {
			kids = append(kids, filterJSON(c))
		}
		return map[string]any{"$" + string(n.Op): kids}
	case query.OpNot:
		if len(n.Children) == 1 {
			return map[string]any{"$not": filterJSON(n.Children[0])}
		}
	}
	var v any
	switch n.Op {
	case query.OpIn, query.OpNin:
		list := make([]any, len(n.Values))
		for i, x := range n.Values {
			list[i] = valueJSON(x)
		}
		v = list
	case query.OpExists:
		v = n.Value.Bool
	default:
		v = valueJSON(n.Value)
	}
	return map[string]any{n.Field.Path: map[string]any{"$" + string(n.Op): v}}
}

// valueJSON is a constant as the parser reads it back: integers as
// numbers, decimals as numbers with their exact text, dates and times as
// their canonical strings.
func valueJSON(v query.Value) any {
	if v.Null {
		return nil
	}
	switch v.Kind {
	case query.KindInt:
		return v.Int
	case query.KindBool:
		return v.Bool
	case query.KindDecimal:
		return json.Number(v.Str)
	}
	return v.Str
}

// canonical is a filter's canonical JSON text (maps marshal with sorted
// keys), for cache keys.
func canonical(n *query.Node) string {
	b, _ := json.Marshal(filterJSON(n))
	return string(b)
}

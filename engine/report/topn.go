package report

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The rows beyond the first ones: the others row of a top N, the grand
// total, and the subtotals of a pivot. Each is one more aggregation in
// the store rather than arithmetic on the rows, so distinct counts and
// averages are exact too: "others" is everything the top N's keys do not
// match, a subtotal groups by fewer dimensions.

func jsonZero() any { return json.Number("0") }

// extras adds the others row, totals and subtotals the report asks for.
func (ex *execution) extras(ctx context.Context, r *Result, sc map[string]*scoring) error {
	c := ex.c
	if c.Spec.Others && c.Spec.Limit > 0 && len(r.Rows) >= c.Spec.Limit {
		filter := query.And(ex.base, query.Not(ex.keysFilter(r.Rows)))
		row, err := ex.total(ctx, filter, sc)
		if err != nil {
			return err
		}
		r.Others = row
	}
	if c.Spec.Totals {
		var row map[string]any
		var err error
		if ex.whole != nil {
			if rows := combineRows(ex.whole, nil, c.store); len(rows) > 0 {
				var out []map[string]any
				out, err = ex.finish(ctx, rows, sc, ex.bound, false)
				row = out[0]
			}
		} else {
			row, err = ex.total(ctx, ex.base, sc)
		}
		if err != nil {
			return err
		}
		if row == nil {
			row = map[string]any{}
		}
		r.Totals = row
	}
	if c.Spec.Subtotals {
		for level := len(c.dims) - 1; level >= 0; level-- {
			var rows []store.Doc
			var err error
			if ex.whole != nil {
				rows = combineRows(ex.whole, c.dims[:level], c.store)
			} else if rows, err = ex.aggregate(ctx, ex.spec(ex.base, c.dims[:level], sc, 0)); err != nil {
				return err
			}
			out, err := ex.finish(ctx, rows, sc, ex.bound, false)
			if err != nil {
				return err
			}
			r.Subtotals = append(r.Subtotals, Subtotal{Level: level, Rows: out})
		}
	}
	return nil
}

// additive reports whether every store measure adds up over groups
// (count, sum, minimum, maximum; averages are a sum and a count), so
// totals and subtotals can be made from the rows themselves.
func (c *Compiled) additive() bool {
	for _, m := range c.store {
		switch m.Fn {
		case query.FnCount, query.FnSum, query.FnMin, query.FnMax:
		default:
			return false
		}
	}
	return true
}

// combineRows regroups store rows by the given dimensions (none: one
// total row), combining each measure; groups come in key order, as the
// store orders them.
func combineRows(rows []store.Doc, dims []*dimPlan, ms []query.Measure) []store.Doc {
	byKey := map[string]store.Doc{}
	var keys []string
	for _, row := range rows {
		k := ""
		for _, d := range dims {
			k += keyText(row[d.as]) + "\x00"
		}
		g, ok := byKey[k]
		if !ok {
			g = store.Doc{}
			for _, d := range dims {
				g[d.as] = row[d.as]
			}
			byKey[k] = g
			keys = append(keys, k)
		}
		for _, m := range ms {
			g[m.As] = combine(m.Fn, g[m.As], row[m.As], ok)
		}
	}
	out := make([]store.Doc, len(keys))
	for i, k := range keys {
		out[i] = byKey[k]
	}
	sort.SliceStable(out, func(i, j int) bool {
		for _, d := range dims {
			if c := compareAny(out[i][d.as], out[j][d.as]); c != 0 {
				return c < 0
			}
		}
		return false
	})
	return out
}

// total aggregates everything filter matches into one row; nil when it
// matches nothing.
func (ex *execution) total(ctx context.Context, filter *query.Node, sc map[string]*scoring) (map[string]any, error) {
	a := ex.spec(filter, nil, sc, 0)
	a.Measures = append(append([]query.Measure{}, a.Measures...), query.Measure{Fn: query.FnCount, As: "__rows"})
	rows, err := ex.aggregate(ctx, a)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	if n, _ := query.ToInt(rows[0]["__rows"]); n == 0 {
		return nil, nil
	}
	delete(rows[0], "__rows")
	out, err := ex.finish(ctx, rows, sc, ex.bound, false)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// keysFilter matches the records of any of rows' groups: an "or" of one
// "and" of equalities per row. Only plain dimensions can have an others
// row (Compile checks), so every key is a field's own value.
func (ex *execution) keysFilter(rows []map[string]any) *query.Node {
	var alts []*query.Node
	for _, row := range rows {
		var eqs []*query.Node
		for _, d := range ex.c.dims {
			eqs = append(eqs, query.Eq(d.fi.q, valueFor(d.fi.q, row[d.as])))
		}
		alts = append(alts, &query.Node{Op: query.OpAnd, Children: eqs})
	}
	return &query.Node{Op: query.OpOr, Children: alts}
}

// valueFor reads an output value (json.Number, text, bool, null) as a
// filter constant of the field's kind.
func valueFor(f query.Field, v any) query.Value {
	if v == nil {
		return query.Null(f.Kind)
	}
	s := fmt.Sprint(v)
	switch f.Kind {
	case query.KindInt:
		if i, ok := query.ToInt(v); ok {
			return query.Int(i)
		}
		return query.Dec(s)
	case query.KindDecimal:
		return query.Dec(s)
	case query.KindBool:
		b, _ := v.(bool)
		return query.Bool(b)
	}
	return query.Value{Kind: f.Kind, Str: s}
}

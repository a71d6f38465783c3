package sqlite

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// emptySource stands in for a collection that has no table yet, so an
// aggregation over it behaves exactly as over an empty table (one row of
// zero counts when there are no group keys, as SQL does).
const emptySource = "(SELECT '' AS id, '{}' AS doc WHERE 0)"

// aggregate compiles the spec to one statement:
//
//	SELECT * FROM (SELECT keys..., measures... FROM t [LEFT JOIN lookups]
//	WHERE filter GROUP BY keys) WHERE having ORDER BY sort LIMIT n
//
// The outer query lets HAVING and ORDER BY name the output columns
// without any clash with the table's own columns.
func (o *ops) aggregate(ctx context.Context, coll string, a *query.Aggregate) ([]store.Doc, error) {
	return o.aggregateJoin(ctx, coll, nil, a)
}

// aggregateJoin is aggregate with lookups (aggregate_join.go).
func (o *ops) aggregateJoin(ctx context.Context, coll string, lookups []store.Lookup, a *query.Aggregate) ([]store.Doc, error) {
	if a == nil || len(a.Group)+len(a.Measures) == 0 {
		return nil, store.Wrapf(store.ErrInvalid, nil, "an aggregation needs group keys or measures")
	}
	if a.Limit < 0 {
		return nil, store.Wrapf(store.ErrInvalid, nil, "limit must not be negative")
	}
	c, from, err := o.aggSource(ctx, coll, lookups, a.Location)
	if err != nil {
		return nil, err
	}
	if b, conv, ok := extremeOnly(c, from, lookups, a); ok {
		return o.aggRows(ctx, b, []string{a.Measures[0].As}, conv)
	}
	outs := map[string]bool{}
	alias := func(as string) (string, error) {
		if !aliasRe.MatchString(as) || outs[as] {
			return "", store.Wrapf(store.ErrInvalid, nil, "output name %q is not an identifier or is used twice", as)
		}
		outs[as] = true
		return `"` + as + `"`, nil
	}

	b := &sqlBuf{}
	b.w("SELECT ")
	var groupCols []string
	conv := make([]func(any) any, 0, len(a.Group)+len(a.Measures))
	names := make([]string, 0, cap(conv))
	for i, g := range a.Group {
		q, err := alias(g.As)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.w(", ")
		}
		cv, err := c.groupKey(b, g)
		if err != nil {
			return nil, err
		}
		b.w(" AS ", q)
		conv = append(conv, cv)
		groupCols = append(groupCols, g.As)
		names = append(names, g.As)
	}
	for i, m := range a.Measures {
		q, err := alias(m.As)
		if err != nil {
			return nil, err
		}
		if i > 0 || len(a.Group) > 0 {
			b.w(", ")
		}
		cv, err := c.measure(b, m)
		if err != nil {
			return nil, err
		}
		b.w(" AS ", q)
		names = append(names, m.As)
		conv = append(conv, cv)
	}
	b.w(" FROM ")
	b.add(from)
	b.w(" WHERE ")
	if err := c.filter(b, a.Filter, 0); err != nil {
		return nil, err
	}
	if len(groupCols) > 0 {
		b.w(" GROUP BY ")
		for i := range groupCols {
			if i > 0 {
				b.w(", ")
			}
			b.w(strconv.Itoa(i + 1))
		}
	}
	if hasMinRows(a) {
		// Distinct counts over values with several rows join their own
		// two-level group-bys to the main one (aggregate_minrows.go).
		w := &sqlBuf{}
		if err := c.withMinRows(w, b, from, a); err != nil {
			return nil, err
		}
		b = w
	}
	outer := &sqlBuf{}
	outer.w("SELECT * FROM (")
	outer.add(b)
	b = outer
	b.w(") WHERE ")
	hc := filterCompiler{out: b, operand: outputOperand(outs), arrays: false}
	if err := hc.node(a.Having, 0); err != nil {
		return nil, err
	}
	if err := aggOrder(b, a.Sort, groupCols, a.Outputs()); err != nil {
		return nil, err
	}
	if a.Limit > 0 {
		b.w(" LIMIT ", strconv.Itoa(a.Limit))
	}
	return o.aggRows(ctx, b, names, conv)
}

// extremeOnly compiles the newest-or-oldest question — one min or max of
// a plain field over a whole collection, as data versions ask — to the
// bare "SELECT max(x) FROM t" that SQLite answers from an index on x in
// O(log n); the general form (a subquery with a WHERE) scans the index.
func extremeOnly(c *aggCompiler, from *sqlBuf, lookups []store.Lookup, a *query.Aggregate) (*sqlBuf, []func(any) any, bool) {
	if len(lookups) > 0 || len(a.Group) > 0 || a.Filter != nil || a.Having != nil || len(a.Measures) != 1 {
		return nil, nil, false
	}
	m := a.Measures[0]
	if (m.Fn != query.FnMin && m.Fn != query.FnMax) || m.Filter != nil || m.Field.Array || m.Field.Kind == query.KindDecimal ||
		!aliasRe.MatchString(m.As) {
		return nil, nil, false
	}
	x, err := c.base.expr(m.Field.Path)
	if err != nil {
		return nil, nil, false
	}
	var b sqlBuf
	b.w("SELECT ", string(m.Fn), "(", x, ") FROM ")
	b.add(from)
	return &b, []func(any) any{byKind(m.Field.Kind)}, true
}

// add appends another buffer's text and arguments, in order.
func (s *sqlBuf) add(o *sqlBuf) {
	s.b.WriteString(o.b.String())
	s.args = append(s.args, o.args...)
}

func (o *ops) aggRows(ctx context.Context, b *sqlBuf, names []string, conv []func(any) any) ([]store.Doc, error) {
	rows, done, err := o.r.query(ctx, b.b.String(), b.args)
	if err != nil {
		return nil, mapErr(err)
	}
	defer done()
	defer rows.Close()
	out := []store.Doc{}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, mapErr(err)
		}
		d := make(store.Doc, len(names))
		for i, n := range names {
			d[n] = conv[i](vals[i])
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

// outputOperand resolves HAVING fields to the inner query's output
// columns. Decimal outputs may be exact text (sums, minima, group keys), so
// they are compared exactly, without a float range.
func outputOperand(outs map[string]bool) operandOf {
	return func(f query.Field) (operand, error) {
		if !outs[f.Path] {
			return operand{}, store.Wrapf(store.ErrInvalid, nil, "unknown output %q", f.Path)
		}
		q, err := quoteAlias(f.Path)
		return operand{x: q, text: q}, err
	}
}

// aggOrder orders by the requested outputs, then by every group key so
// the order is total; without a sort, by the group keys ascending.
// Decimal outputs (exact text or floats) order by their exact key.
func aggOrder(b *sqlBuf, keys []query.SortKey, groupCols []string, outs query.Fields) error {
	var parts []string
	used := map[string]bool{}
	col := func(name string, desc bool) error {
		f, ok := outs[name]
		if !ok {
			return store.Wrapf(store.ErrInvalid, nil, "cannot sort by %q: not an output of the aggregation", name)
		}
		q, err := quoteAlias(name)
		if err != nil {
			return err
		}
		used[name] = true
		if f.Kind == query.KindDecimal {
			q = decKeyFunc + "(" + q + ")"
		}
		if desc {
			q += " DESC"
		}
		parts = append(parts, q)
		return nil
	}
	for _, k := range keys {
		if err := col(k.Field.Path, k.Desc); err != nil {
			return err
		}
	}
	for _, g := range groupCols {
		if !used[g] {
			if err := col(g, false); err != nil {
				return err
			}
		}
	}
	if len(parts) > 0 {
		b.w(" ORDER BY ", strings.Join(parts, ", "))
	}
	return nil
}

// measure writes one measure, conditional when m.Filter is set (SQL's
// FILTER clause), and returns how to convert its value.
func (c *aggCompiler) measure(b *sqlBuf, m query.Measure) (func(any) any, error) {
	// cond writes the FILTER clause after an aggregate call.
	cond := func() error {
		if m.Filter == nil {
			return nil
		}
		b.w(" FILTER (WHERE ")
		if err := c.filter(b, m.Filter, 0); err != nil {
			return err
		}
		b.w(")")
		return nil
	}
	if m.Fn == query.FnCount && m.MinRows == 0 {
		b.w("count(*)")
		return asNumber, cond()
	}
	if m.MinRows != 0 {
		// A placeholder: withMinRows reads the value from its join.
		if _, err := c.distinctExpr(m); err != nil {
			return nil, err
		}
		b.w("0")
		return asNumber, nil
	}
	if m.Field.Array {
		return nil, store.Wrapf(store.ErrInvalid, nil, "cannot aggregate the list field %q", m.Field.Path)
	}
	r, rest := c.ref(m.Field.Path)
	x, err := r.expr(rest)
	if err != nil {
		return nil, err
	}
	isID := rest == "_id"
	switch m.Fn {
	case query.FnSum:
		// Like MongoDB's $sum, no values sum to 0 (SQL would say NULL).
		// Integers sum exactly in SQLite (and fast); decimals go through
		// the exact Go aggregate, which reads each number's JSON text.
		if m.Field.Kind == query.KindDecimal && !isID {
			b.w("COALESCE(", decSumFunc, "(", r.raw(rest), ")")
			if err := cond(); err != nil {
				return nil, err
			}
			b.w(",'0')")
			return asDecimal, nil
		}
		b.w("COALESCE(sum(", x, ")")
		if err := cond(); err != nil {
			return nil, err
		}
		b.w(",0)")
		return asNumber, nil
	case query.FnAvg:
		b.w("avg(", x, ")")
		return asNumber, cond()
	case query.FnMin, query.FnMax:
		if m.Field.Kind == query.KindDecimal && !isID {
			fn := decMinFunc
			if m.Fn == query.FnMax {
				fn = decMaxFunc
			}
			b.w(fn, "(", r.raw(rest), ")")
			return asDecimal, cond()
		}
		b.w(string(m.Fn), "(", x, ")")
		return byKind(m.Field.Kind), cond()
	case query.FnCountDistinct:
		// Nulls are not counted, as in SQL's COUNT(DISTINCT).
		x, err := c.distinctExpr(m)
		if err != nil {
			return nil, err
		}
		b.w("count(DISTINCT ", x, ")")
		return asNumber, cond()
	}
	return nil, store.Wrapf(store.ErrInvalid, nil, "unknown measure %q", m.Fn)
}

// byKind converts a column read from a document field to its JSON form.
func byKind(k query.Kind) func(any) any {
	switch k {
	case query.KindBool:
		return asBool
	case query.KindInt, query.KindDecimal:
		return asNumber
	}
	return asText
}

func asText(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case int64, float64:
		return asNumber(x)
	}
	return v
}

func asBool(v any) any {
	switch x := v.(type) {
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return asText(v)
}

// asNumber renders SQLite numbers as json.Number: integers exactly,
// floats in their shortest form. Text (a field holding a string where a
// number was expected) stays text.
func asNumber(v any) any {
	switch x := v.(type) {
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return json.Number(strconv.FormatFloat(x, 'f', -1, 64))
	case []byte:
		return string(x)
	}
	return v
}

// asDecimal reads the exact sum text made by tangram_decsum.
func asDecimal(v any) any {
	switch x := v.(type) {
	case string:
		return json.Number(x)
	case []byte:
		return json.Number(x)
	}
	return asNumber(v)
}

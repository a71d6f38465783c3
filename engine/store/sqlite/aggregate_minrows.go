package sqlite

import (
	"strconv"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Distinct counts over values having several rows (query.Measure.MinRows:
// members with two or more orders). Each such measure is a two-level
// group-by of its own, LEFT JOINed to the main aggregation on the group
// keys (IS: null keys join null keys):
//
//	SELECT m."month", m."buyers", COALESCE(r0.n, 0) AS "repeat"
//	FROM (main aggregation, 0 in place of "repeat") AS m
//	LEFT JOIN (SELECT k0, count(*) AS n FROM (
//	    SELECT <month> AS k0, <member> AS v FROM t [LEFT JOIN lookups]
//	    WHERE filter AND measure filter AND <member> IS NOT NULL
//	    GROUP BY 1, 2 HAVING count(*) >= 2) GROUP BY k0) AS r0
//	  ON m."month" IS r0.k0
//
// Every group of r0 is a group of m (its rows are a subset), so the left
// join loses nothing; a group without such values reads 0.

// hasMinRows reports whether any measure of a counts values with MinRows.
func hasMinRows(a *query.Aggregate) bool {
	for _, m := range a.Measures {
		if m.MinRows != 0 {
			return true
		}
	}
	return false
}

// distinctExpr is the value a countDistinct measure counts: the field, or
// for decimals its canonical text, so that "10.5" and "10.50" count once.
func (c *aggCompiler) distinctExpr(m query.Measure) (string, error) {
	if m.MinRows < 0 || (m.MinRows > 0 && m.Fn != query.FnCountDistinct) {
		return "", store.Wrapf(store.ErrInvalid, nil, "minRows applies to countDistinct measures and is at least 1 (%q)", m.As)
	}
	if m.Field.Array {
		return "", store.Wrapf(store.ErrInvalid, nil, "cannot aggregate the list field %q", m.Field.Path)
	}
	r, rest := c.ref(m.Field.Path)
	x, err := r.expr(rest)
	if err != nil {
		return "", err
	}
	if m.Field.Kind == query.KindDecimal && rest != "_id" {
		x = decNormFunc + "(" + r.raw(rest) + ")"
	}
	return x, nil
}

// withMinRows writes into b the main aggregation main (its output names
// already checked) with the MinRows measures joined in.
func (c *aggCompiler) withMinRows(b, main, from *sqlBuf, a *query.Aggregate) error {
	b.w("SELECT ")
	for i, g := range a.Group {
		if i > 0 {
			b.w(", ")
		}
		b.w(`m."`, g.As, `"`)
	}
	j := 0
	for i, m := range a.Measures {
		if i > 0 || len(a.Group) > 0 {
			b.w(", ")
		}
		if m.MinRows == 0 {
			b.w(`m."`, m.As, `"`)
			continue
		}
		b.w("COALESCE(r", strconv.Itoa(j), `.n, 0) AS "`, m.As, `"`)
		j++
	}
	b.w(" FROM (")
	b.add(main)
	b.w(") AS m")
	j = 0
	for _, m := range a.Measures {
		if m.MinRows == 0 {
			continue
		}
		r := "r" + strconv.Itoa(j)
		j++
		if err := c.minRowsJoin(b, r, from, a, m); err != nil {
			return err
		}
	}
	return nil
}

// minRowsJoin writes the LEFT JOIN of one MinRows measure under alias r.
func (c *aggCompiler) minRowsJoin(b *sqlBuf, r string, from *sqlBuf, a *query.Aggregate, m query.Measure) error {
	x, err := c.distinctExpr(m)
	if err != nil {
		return err
	}
	keys := make([]string, len(a.Group))
	for i := range a.Group {
		keys[i] = "k" + strconv.Itoa(i)
	}
	b.w(" LEFT JOIN (SELECT ")
	for _, k := range keys {
		b.w(k, ", ")
	}
	b.w("count(*) AS n FROM (SELECT ")
	for i, g := range a.Group {
		if _, err := c.groupKey(b, g); err != nil {
			return err
		}
		b.w(" AS ", keys[i], ", ")
	}
	b.w(x, " AS v FROM ")
	b.add(from)
	b.w(" WHERE ")
	if err := c.filter(b, a.Filter, 0); err != nil {
		return err
	}
	b.w(" AND ")
	if err := c.filter(b, m.Filter, 0); err != nil {
		return err
	}
	b.w(" AND ", x, " IS NOT NULL GROUP BY ")
	for i := range len(a.Group) + 1 {
		if i > 0 {
			b.w(", ")
		}
		b.w(strconv.Itoa(i + 1))
	}
	b.w(" HAVING count(*) >= ", strconv.Itoa(m.MinRows), ")")
	if len(keys) > 0 {
		b.w(" GROUP BY ")
		for i, k := range keys {
			if i > 0 {
				b.w(", ")
			}
			b.w(k)
		}
	}
	b.w(") AS ", r, " ON ")
	if len(keys) == 0 {
		b.w("1")
		return nil
	}
	for i, g := range a.Group {
		if i > 0 {
			b.w(" AND ")
		}
		b.w(`m."`, g.As, `" IS `, r, ".", keys[i])
	}
	return nil
}

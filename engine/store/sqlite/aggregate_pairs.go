package sqlite

import (
	"context"
	"strconv"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Pairs of values bought together (store.PairCounter), in one statement:
//
//	WITH b AS MATERIALIZED (SELECT id, doc FROM t [LEFT JOIN lookups] WHERE filter),
//	i AS MATERIALIZED (SELECT DISTINCT b.id AS d, <value of each list object> AS v
//	  FROM b, json_each(b.doc,'$.lines') AS l WHERE <it is text>),
//	p AS (SELECT x.v AS a, y.v AS c, count(*) AS n FROM i AS x JOIN i AS y
//	  ON x.d = y.d AND x.v < y.v GROUP BY 1, 2 ORDER BY n DESC, a, c LIMIT n)
//	SELECT 0, a, c, n FROM p
//	UNION ALL SELECT 1, v, NULL, count(*) FROM i WHERE v IN (values of p) GROUP BY v
//	UNION ALL SELECT 2, NULL, NULL, count(*) FROM b
//
// DISTINCT makes a category repeated over a basket's lines count once;
// x.v < y.v makes each unordered pair of distinct values appear once per
// basket. The three parts are told apart by the leading tag.

var _ store.PairCounter = (*Store)(nil)

// CountPairs counts the top pairs, the baskets of their values and all
// baskets.
func (s *Store) CountPairs(ctx context.Context, coll string, lookups []store.Lookup, filter *query.Node, spec store.PairSpec) (out *store.PairCounts, err error) {
	defer s.observe("aggregate", s.now(), &err)
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if err := store.CheckPairSpec(spec); err != nil {
		return nil, err
	}
	o := s.read
	c, from, err := o.aggSource(ctx, coll, lookups, nil)
	if err != nil {
		return nil, err
	}
	var b sqlBuf
	b.w("WITH b AS MATERIALIZED (SELECT id, doc FROM ")
	b.add(from)
	b.w(" WHERE ")
	if err := c.filter(&b, filter, 0); err != nil {
		return nil, err
	}
	key := jsonPath(spec.Field)
	b.w("), i AS MATERIALIZED (SELECT DISTINCT b.id AS d, json_extract(l.value,", key, ") AS v FROM b, json_each(b.doc,",
		jsonPath(spec.List), ") AS l WHERE json_type(l.value,", key, ") = 'text'),",
		" p AS (SELECT x.v AS a, y.v AS c, count(*) AS n FROM i AS x JOIN i AS y ON x.d = y.d AND x.v < y.v",
		" GROUP BY 1, 2 ORDER BY n DESC, a, c LIMIT ", strconv.Itoa(spec.Limit), ")",
		" SELECT 0, a, c, n FROM p",
		" UNION ALL SELECT 1, v, NULL, count(*) FROM i WHERE v IN (SELECT a FROM p UNION SELECT c FROM p) GROUP BY v",
		" UNION ALL SELECT 2, NULL, NULL, count(*) FROM b")
	rows, done, err := o.r.query(ctx, b.b.String(), b.args)
	if err != nil {
		return nil, mapErr(err)
	}
	defer done()
	defer rows.Close()
	out = &store.PairCounts{Items: map[string]int64{}}
	for rows.Next() {
		var tag, n int64
		var a, v *string
		if err := rows.Scan(&tag, &a, &v, &n); err != nil {
			return nil, mapErr(err)
		}
		switch tag {
		case 0:
			out.Pairs = append(out.Pairs, store.PairCount{A: *a, B: *v, Count: n})
		case 1:
			out.Items[*a] = n
		default:
			out.Baskets = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	// The compound select keeps p's order within its part, but SQL
	// promises no order across UNION ALL: order the pairs here.
	store.SortPairs(out.Pairs)
	return out, nil
}

package sqlite

import (
	"context"
	"strconv"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Aggregations over joined collections (store.JoinAggregator). Each lookup
// becomes a LEFT JOIN of a subquery that renames the joined table's
// columns to j<i>_id and j<i>_doc:
//
//	FROM "c_sales"
//	LEFT JOIN (SELECT id AS j0_id, doc AS j0_doc FROM "c_stores" WHERE scope) AS j0
//	  ON j0_id = json_extract(doc,'$.store')
//
// so the unqualified id and doc of every other expression still name the
// base row, and the filter and group-key compilers work unchanged on it.
// SQLite flattens such a subquery into the join (its WHERE moves into the
// ON clause), so each join is a primary-key lookup per row.

var _ store.JoinAggregator = (*Store)(nil)

// AggregateJoin runs an aggregation with lookups joined in.
func (s *Store) AggregateJoin(ctx context.Context, coll string, lookups []store.Lookup, spec *query.Aggregate) (rows []store.Doc, err error) {
	defer s.observe("aggregate", s.now(), &err)
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	return s.read.aggregateJoin(ctx, coll, lookups, spec)
}

// docRef is how SQL reaches one document of a row: the base document (id,
// doc) or a joined one (j0_id, j0_doc), with its collection for the
// correlated subqueries of list-field filters.
type docRef struct {
	id, doc string
	table   string // quoted table, or emptySource
}

// expr reads a path of the document, as fieldExpr does for the base row.
func (r docRef) expr(path string) (string, error) {
	if path == "_id" {
		return r.id, nil
	}
	if !query.ValidPath(path) {
		return "", store.Wrapf(store.ErrInvalid, nil, "invalid field path %q", path)
	}
	return "json_extract(" + r.doc + ",'$." + path + "')", nil
}

// raw is the path's exact JSON text, for the decimal functions.
func (r docRef) raw(path string) string { return "(" + r.doc + " -> " + jsonPath(path) + ")" }

// aggCompiler compiles the parts of one aggregation that read documents.
type aggCompiler struct {
	loc     *time.Location
	base    docRef
	joins   map[string]docRef
	aliases map[string]bool
}

// ref resolves a path to the document it reads and the path within it.
func (c *aggCompiler) ref(path string) (docRef, string) {
	if a, rest := store.SplitJoined(path, c.aliases); a != "" {
		return c.joins[a], rest
	}
	return c.base, path
}

// aggSource checks the lookups and builds the FROM clause.
func (o *ops) aggSource(ctx context.Context, coll string, lookups []store.Lookup, loc *time.Location) (*aggCompiler, *sqlBuf, error) {
	if loc == nil {
		loc = query.DefaultLocation
	}
	table, err := o.sourceTable(ctx, coll)
	if err != nil {
		return nil, nil, err
	}
	if err := store.CheckLookups(lookups); err != nil {
		return nil, nil, err
	}
	c := &aggCompiler{loc: loc, base: docRef{id: "id", doc: "doc", table: table},
		joins: map[string]docRef{}, aliases: map[string]bool{}}
	from := &sqlBuf{}
	from.w(table)
	for i, l := range lookups {
		jt, err := o.sourceTable(ctx, l.Coll)
		if err != nil {
			return nil, nil, err
		}
		r, rest := c.ref(l.From)
		key, err := r.expr(rest)
		if err != nil {
			return nil, nil, err
		}
		n := "j" + strconv.Itoa(i)
		from.w(" LEFT JOIN (SELECT id AS ", n, "_id, doc AS ", n, "_doc FROM ", jt, " WHERE ")
		if err := compileFilter(from, l.Filter); err != nil {
			return nil, nil, err
		}
		from.w(") AS ", n, " ON ", n, "_id = ", key)
		c.joins[l.As] = docRef{id: n + "_id", doc: n + "_doc", table: jt}
		c.aliases[l.As] = true
	}
	return c, from, nil
}

// sourceTable is coll's quoted table, or the empty source when the
// collection was never written.
func (o *ops) sourceTable(ctx context.Context, coll string) (string, error) {
	table, err := quotedTable(coll)
	if err != nil {
		return "", err
	}
	ok, err := o.tableExists(ctx, coll)
	if err != nil {
		return "", mapErr(err)
	}
	if !ok {
		return emptySource, nil
	}
	return table, nil
}

// filter compiles a filter whose leaves may name joined fields. Logical
// nodes follow filterCompiler.node; base leaves go to the document filter
// compiler, joined scalar leaves compare the joined document's value, and
// joined list leaves run the document compiler in a correlated subquery
// over the joined row (or an empty document when nothing joined, so null
// semantics hold).
func (c *aggCompiler) filter(b *sqlBuf, n *query.Node, depth int) error {
	if n == nil {
		b.w("1")
		return nil
	}
	if depth > maxFilterDepth {
		return store.Wrapf(store.ErrInvalid, nil, "filter is nested too deeply")
	}
	switch n.Op {
	case query.OpAnd, query.OpOr:
		if len(n.Children) == 0 {
			if n.Op == query.OpAnd {
				b.w("1")
			} else {
				b.w("0")
			}
			return nil
		}
		joiner := " AND "
		if n.Op == query.OpOr {
			joiner = " OR "
		}
		b.w("(")
		for i, ch := range n.Children {
			if i > 0 {
				b.w(joiner)
			}
			if err := c.filter(b, ch, depth+1); err != nil {
				return err
			}
		}
		b.w(")")
		return nil
	case query.OpNot:
		if len(n.Children) != 1 {
			return store.Wrapf(store.ErrInvalid, nil, "not takes exactly one filter")
		}
		b.w("NOT IFNULL(")
		if err := c.filter(b, n.Children[0], depth+1); err != nil {
			return err
		}
		b.w(",0)")
		return nil
	}
	r, rest := c.ref(n.Field.Path)
	if r == c.base {
		fc := filterCompiler{out: b, operand: docOperandOf, arrays: true}
		return fc.node(n, depth)
	}
	leaf := *n
	leaf.Field.Path = rest
	if n.Field.Array {
		b.w("EXISTS(SELECT 1 FROM (SELECT doc FROM ", r.table, " WHERE id = ", r.id,
			" UNION ALL SELECT '{}' WHERE ", r.id, " IS NULL) WHERE ")
		if err := compileFilter(b, &leaf); err != nil {
			return err
		}
		b.w(")")
		return nil
	}
	x, err := r.expr(rest)
	if err != nil {
		return err
	}
	o := operand{x: x, text: x}
	if rest != "_id" {
		o = operand{x: x, text: r.raw(rest), float: true}
	}
	fc := filterCompiler{out: b}
	return fc.leaf(&leaf, o)
}

// groupKey writes one group key and returns how to convert its value: the
// field, its date bucket, its bin, or (decimals) its canonical text, so
// that "10.5" and "10.50" group together.
func (c *aggCompiler) groupKey(b *sqlBuf, g query.GroupKey) (func(any) any, error) {
	if g.Field.Array {
		return nil, store.Wrapf(store.ErrInvalid, nil, "cannot group by the list field %q", g.Field.Path)
	}
	r, rest := c.ref(g.Field.Path)
	x, err := r.expr(rest)
	if err != nil {
		return nil, err
	}
	switch {
	case len(g.Bins) > 0:
		if g.Bucket != query.BucketNone {
			return nil, store.Wrapf(store.ErrInvalid, nil, "group key %q has both bins and a bucket", g.As)
		}
		return asNumber, c.bins(b, g, r, rest, x)
	case g.Bucket != query.BucketNone:
		return asText, groupExpr(b, g, x, c.loc)
	case g.Field.Kind == query.KindDecimal && rest != "_id":
		b.w(decNormFunc, "(", r.raw(rest), ")")
		return asDecimal, nil
	}
	b.w(x)
	return byKind(g.Field.Kind), nil
}

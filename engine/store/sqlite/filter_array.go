package sqlite

import (
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// arrayLeaf compiles a leaf on an array field: the leaf matches when any
// element matches, ne and nin when no element equals the value(s), and eq
// null when the field is null or missing or holds a null element.
func (c *filterCompiler) arrayLeaf(n *query.Node) error {
	if !validPath(n.Field.Path) || n.Field.Path == "_id" {
		return store.Wrapf(store.ErrInvalid, nil, "invalid array field %q", n.Field.Path)
	}
	p := jsonPath(n.Field.Path)
	whole := "json_extract(doc," + p + ")"
	// An element is json_each's value; its exact JSON text (for decimals)
	// is read back through the element's full path.
	element := operand{x: "value", text: "(doc -> fullkey)", float: true}
	some := func(build func() error) error {
		c.out.w("EXISTS(SELECT 1 FROM json_each(doc,", p, ") WHERE ")
		if err := build(); err != nil {
			return err
		}
		c.out.w(")")
		return nil
	}
	elem := func(op query.Op, v query.Value, vals []query.Value) func() error {
		return func() error {
			return c.leaf(&query.Node{Op: op, Field: n.Field, Value: v, Values: vals}, element)
		}
	}
	switch n.Op {
	case query.OpExists:
		return c.exists(n, whole)
	case query.OpEq, query.OpContains:
		if n.Value.Null {
			c.out.w("(", whole, " IS NULL OR ")
			if err := some(elem(query.OpEq, n.Value, nil)); err != nil {
				return err
			}
			c.out.w(")")
			return nil
		}
		return some(elem(query.OpEq, n.Value, nil))
	case query.OpNe:
		c.out.w("NOT ")
		return c.arrayLeaf(&query.Node{Op: query.OpEq, Field: n.Field, Value: n.Value})
	case query.OpIn:
		hasNull := false
		for _, v := range n.Values {
			hasNull = hasNull || v.Null
		}
		if hasNull {
			c.out.w("(", whole, " IS NULL OR ")
		}
		if err := some(elem(query.OpIn, query.Value{}, n.Values)); err != nil {
			return err
		}
		if hasNull {
			c.out.w(")")
		}
		return nil
	case query.OpNin:
		c.out.w("NOT ")
		return c.arrayLeaf(&query.Node{Op: query.OpIn, Field: n.Field, Values: n.Values})
	case query.OpGt, query.OpGte, query.OpLt, query.OpLte, query.OpStartsWith:
		return some(elem(n.Op, n.Value, nil))
	}
	return store.Wrapf(store.ErrInvalid, nil, "unknown filter operator %q", n.Op)
}

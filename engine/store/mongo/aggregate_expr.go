package mongo

import (
	"go.mongodb.org/mongo-driver/bson"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// exprFilter compiles a filter to an aggregation expression, for the
// conditions of conditional measures ($cond inside $group), where the
// query language of $match is not available. It keeps query.Node's
// semantics for scalar fields:
//
//   - a missing field reads as null ($ifNull), so eq null matches both;
//   - comparisons apply only to values of the field's type (a $type guard
//     stands in for $match's type bracketing; $and short-circuits, so
//     $indexOfCP never sees a non-string);
//   - ne, nin and not match null.
//
// List fields are refused: their any-element semantics would need $map
// over every element, which no report needs in a measure condition.
func exprFilter(n *query.Node, depth int) (any, error) {
	if depth > maxFilterDepth {
		return nil, store.Wrapf(store.ErrInvalid, nil, "filter is nested deeper than %d levels", maxFilterDepth)
	}
	switch n.Op {
	case query.OpAnd, query.OpOr:
		kids := bson.A{}
		for _, c := range n.Children {
			e, err := exprFilter(c, depth+1)
			if err != nil {
				return nil, err
			}
			kids = append(kids, e)
		}
		// An empty $and is true and an empty $or false, as in the port.
		return bson.D{{Key: "$" + string(n.Op), Value: kids}}, nil
	case query.OpNot:
		if len(n.Children) != 1 {
			return nil, store.Wrapf(store.ErrInvalid, nil, "a not node needs exactly one child")
		}
		e, err := exprFilter(n.Children[0], depth+1)
		if err != nil {
			return nil, err
		}
		return bson.D{{Key: "$not", Value: bson.A{e}}}, nil
	}
	path := n.Field.Path
	if !query.ValidPath(path) {
		return nil, store.Wrapf(store.ErrInvalid, nil, "invalid field path %q", path)
	}
	if n.Field.Array {
		return nil, store.Wrapf(store.ErrInvalid, nil, "a measure condition cannot test the list field %q on MongoDB", path)
	}
	v := fieldValue(path)
	op := func(name string, args ...any) bson.D { return bson.D{{Key: name, Value: bson.A(args)}} }
	switch n.Op {
	case query.OpEq, query.OpNe:
		c, err := filterValue(n.Value)
		if err != nil {
			return nil, err
		}
		return op("$"+string(n.Op), v, c), nil
	case query.OpGt, query.OpGte, query.OpLt, query.OpLte:
		if n.Value.Null {
			return false, nil
		}
		c, err := filterValue(n.Value)
		if err != nil {
			return nil, err
		}
		return op("$and", typeGuard(v, n.Field.Kind), op("$"+string(n.Op), v, c)), nil
	case query.OpIn, query.OpNin:
		list := bson.A{}
		for _, qv := range n.Values {
			c, err := filterValue(qv)
			if err != nil {
				return nil, err
			}
			list = append(list, c)
		}
		in := op("$in", v, list)
		if n.Op == query.OpNin {
			return op("$not", in), nil
		}
		return in, nil
	case query.OpExists:
		if n.Value.Bool && !n.Value.Null {
			return op("$ne", v, nil), nil
		}
		return op("$eq", v, nil), nil
	case query.OpContains, query.OpStartsWith:
		if n.Value.Null {
			return false, nil
		}
		if n.Value.Kind != query.KindString {
			return nil, store.Wrapf(store.ErrInvalid, nil, "%s on %q needs a text value", n.Op, path)
		}
		at := op("$indexOfCP", v, n.Value.Str)
		test := op("$gte", at, int32(0))
		if n.Op == query.OpStartsWith {
			test = op("$eq", at, int32(0))
		}
		return op("$and", op("$eq", op("$type", v), "string"), test), nil
	}
	return nil, store.Wrapf(store.ErrInvalid, nil, "unknown filter operator %q", n.Op)
}

// fieldValue reads a path, missing as null.
func fieldValue(path string) bson.D {
	return bson.D{{Key: "$ifNull", Value: bson.A{"$" + path, nil}}}
}

// typeGuard is true when v holds a value of the kind's BSON type family.
func typeGuard(v any, k query.Kind) bson.D {
	switch k {
	case query.KindInt, query.KindDecimal:
		return bson.D{{Key: "$isNumber", Value: v}}
	case query.KindBool:
		return bson.D{{Key: "$eq", Value: bson.A{bson.D{{Key: "$type", Value: v}}, "bool"}}}
	}
	return bson.D{{Key: "$eq", Value: bson.A{bson.D{{Key: "$type", Value: v}}, "string"}}}
}

package mongo

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The filter compiler turns a query AST into a MongoDB filter built from
// typed constants; no user JSON is ever passed through. query.Node's
// documented semantics are MongoDB's own, so most leaves map one to one.
//
// lungo v0.4.0 (the in-process engine the tests run on) has no $regex, so
// the two text operators are expressed with operators both lungo and
// MongoDB implement, and the same compiled filter runs on both:
//
//   - startsWith p becomes the range {$gte: p, $lt: p'} where p' is the
//     smallest string greater than every string starting with p. MongoDB
//     and lungo compare strings bytewise (UTF-8 order is code point order),
//     type bracketing keeps non-strings out, and on MongoDB the range uses
//     an index exactly as an anchored regex would.
//   - contains s on a text field becomes {$jsonSchema: {required: [f],
//     properties: {f: {bsonType: "string", pattern: QuoteMeta(s)}}}}:
//     a case-sensitive, unanchored literal match that never matches null,
//     missing or non-string values. Neither this nor an unanchored $regex
//     can use an index. Paths through arrays of sub-documents are not
//     supported by this form (fields with Array set compare elements).

// matchNothing is a filter no document satisfies ("or" with no children).
// An empty $or is an error in MongoDB, and _id is never missing.
func matchNothing() bson.D {
	return bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{}}}}}
}

// maxFilterDepth guards against stack exhaustion from filters built by
// engine code; the parser already bounds user filters far below this.
const maxFilterDepth = 64

// compileFilter compiles n; nil matches every document.
func compileFilter(n *query.Node) (bson.D, error) {
	if n == nil {
		return bson.D{}, nil
	}
	return compileNode(n, 0)
}

func compileNode(n *query.Node, depth int) (bson.D, error) {
	if n == nil {
		return bson.D{}, nil
	}
	if depth > maxFilterDepth {
		return nil, store.Wrapf(store.ErrInvalid, nil, "filter is nested deeper than %d levels", maxFilterDepth)
	}
	switch n.Op {
	case query.OpAnd, query.OpOr:
		kids := make(bson.A, 0, len(n.Children))
		for _, c := range n.Children {
			d, err := compileNode(c, depth+1)
			if err != nil {
				return nil, err
			}
			kids = append(kids, d)
		}
		switch {
		case len(kids) == 0 && n.Op == query.OpAnd:
			return bson.D{}, nil
		case len(kids) == 0:
			return matchNothing(), nil
		case len(kids) == 1:
			return kids[0].(bson.D), nil
		}
		return bson.D{{Key: "$" + string(n.Op), Value: kids}}, nil
	case query.OpNot:
		if len(n.Children) != 1 {
			return nil, store.Wrapf(store.ErrInvalid, nil, "a not node needs exactly one child")
		}
		d, err := compileNode(n.Children[0], depth+1)
		if err != nil {
			return nil, err
		}
		// $nor of one filter is its negation, and (unlike the field-level
		// $not) it applies to any filter, including $and/$or.
		return bson.D{{Key: "$nor", Value: bson.A{d}}}, nil
	}
	return compileLeaf(n)
}

func compileLeaf(n *query.Node) (bson.D, error) {
	path := n.Field.Path
	if !query.ValidPath(path) {
		return nil, store.Wrapf(store.ErrInvalid, nil, "invalid field path %q", path)
	}
	field := func(op string, v any) bson.D {
		return bson.D{{Key: path, Value: bson.D{{Key: op, Value: v}}}}
	}
	switch n.Op {
	case query.OpEq, query.OpNe:
		v, err := filterValue(n.Value)
		if err != nil {
			return nil, err
		}
		return field("$"+string(n.Op), v), nil
	case query.OpGt, query.OpGte, query.OpLt, query.OpLte:
		// Ranges never match null; MongoDB's {$gte: null} would match
		// missing fields, so a null bound matches nothing instead.
		if n.Value.Null {
			return matchNothing(), nil
		}
		v, err := filterValue(n.Value)
		if err != nil {
			return nil, err
		}
		return field("$"+string(n.Op), v), nil
	case query.OpIn, query.OpNin:
		vs := make(bson.A, 0, len(n.Values))
		for _, qv := range n.Values {
			v, err := filterValue(qv)
			if err != nil {
				return nil, err
			}
			vs = append(vs, v)
		}
		return field("$"+string(n.Op), vs), nil
	case query.OpExists:
		// A missing field and null are the same value in the port, so
		// "exists" means "is not null" ($exists alone would count an
		// explicit null as present).
		if n.Value.Bool {
			return field("$ne", nil), nil
		}
		return field("$eq", nil), nil
	case query.OpContains:
		if n.Value.Null {
			return matchNothing(), nil
		}
		if n.Field.Array {
			// On an array field, equality matches any element.
			v, err := filterValue(n.Value)
			if err != nil {
				return nil, err
			}
			return field("$eq", v), nil
		}
		if n.Value.Kind != query.KindString {
			return nil, store.Wrapf(store.ErrInvalid, nil, "contains on %q needs a text value", path)
		}
		return containsText(path, n.Value.Str), nil
	case query.OpStartsWith:
		if n.Value.Null {
			return matchNothing(), nil
		}
		if n.Value.Kind != query.KindString {
			return nil, store.Wrapf(store.ErrInvalid, nil, "startsWith on %q needs a text value", path)
		}
		return startsWith(path, n.Value.Str)
	}
	return nil, store.Wrapf(store.ErrInvalid, nil, "unknown filter operator %q", n.Op)
}

// filterValue converts a typed constant to the BSON value stored for it.
// Decimals go through the same conversion as stored numbers, so integral
// text becomes int64 and other text an exact Decimal128; MongoDB and lungo
// compare all numeric types by value.
func filterValue(v query.Value) (any, error) {
	if v.Null {
		return nil, nil
	}
	switch v.Kind {
	case query.KindInt:
		return v.Int, nil
	case query.KindBool:
		return v.Bool, nil
	case query.KindDecimal:
		return numberToBSON(json.Number(v.Str), "filter")
	case query.KindString, query.KindDate, query.KindTime:
		return v.Str, nil
	}
	return nil, store.Wrapf(store.ErrInvalid, nil, "unknown value kind %q", v.Kind)
}

// containsText matches string fields containing sub, literally and
// case-sensitively (see the package note on why not $regex).
func containsText(path, sub string) bson.D {
	parts := strings.Split(path, ".")
	schema := bson.D{
		{Key: "bsonType", Value: "string"},
		{Key: "pattern", Value: regexp.QuoteMeta(sub)},
	}
	for i := len(parts) - 1; i >= 0; i-- {
		wrap := bson.D{}
		if i > 0 {
			wrap = append(wrap, bson.E{Key: "bsonType", Value: "object"})
		}
		wrap = append(wrap,
			bson.E{Key: "required", Value: bson.A{parts[i]}},
			bson.E{Key: "properties", Value: bson.D{{Key: parts[i], Value: schema}}},
		)
		schema = wrap
	}
	return bson.D{{Key: "$jsonSchema", Value: schema}}
}

// startsWith matches strings with the given prefix by a range.
func startsWith(path, prefix string) (bson.D, error) {
	if !utf8.ValidString(prefix) {
		return nil, store.Wrapf(store.ErrInvalid, nil, "startsWith on %q: value is not valid UTF-8", path)
	}
	if prefix == "" {
		return bson.D{{Key: path, Value: bson.D{{Key: "$type", Value: "string"}}}}, nil
	}
	cond := bson.D{{Key: "$gte", Value: prefix}}
	if hi, ok := prefixUpperBound(prefix); ok {
		cond = append(cond, bson.E{Key: "$lt", Value: hi})
	}
	return bson.D{{Key: path, Value: cond}}, nil
}

// prefixUpperBound returns the smallest string greater than every string
// that starts with p: p with its last incrementable rune incremented and
// the rest dropped. ok is false when p is all U+10FFFF (no bound needed).
func prefixUpperBound(p string) (string, bool) {
	r := []rune(p)
	for i := len(r) - 1; i >= 0; i-- {
		c := r[i] + 1
		if c >= 0xD800 && c <= 0xDFFF { // surrogates are not valid in UTF-8
			c = 0xE000
		}
		if c <= unicode.MaxRune {
			return string(r[:i]) + string(c), true
		}
	}
	return "", false
}

// sortDoc orders by keys, then by _id so paging has a total order. BSON
// order puts null and missing first ascending and last descending, which is
// the port's rule.
func sortDoc(keys []query.SortKey) (bson.D, error) {
	keys = query.WithIDTieBreak(keys)
	out := make(bson.D, 0, len(keys))
	seen := map[string]bool{}
	for _, k := range keys {
		p := k.Field.Path
		if !query.ValidPath(p) {
			return nil, store.Wrapf(store.ErrInvalid, nil, "invalid sort path %q", p)
		}
		if seen[p] {
			continue // a repeated key adds nothing and MongoDB rejects it
		}
		seen[p] = true
		dir := int32(1)
		if k.Desc {
			dir = -1
		}
		out = append(out, bson.E{Key: p, Value: dir})
	}
	return out, nil
}

// projection includes fields and _id; nil means the whole document.
// MongoDB rejects overlapping paths ("a" and "a.b"), so a path inside
// another requested one is dropped: the outer one already includes it.
func projection(fields []string) (bson.D, error) {
	if fields == nil {
		return nil, nil
	}
	for _, f := range fields {
		if !query.ValidPath(f) {
			return nil, store.Wrapf(store.ErrInvalid, nil, "invalid projection path %q", f)
		}
	}
	out := bson.D{{Key: "_id", Value: int32(1)}}
	for i, f := range fields {
		covered := f == "_id" || strings.HasPrefix(f, "_id.")
		for j, g := range fields {
			if strings.HasPrefix(f, g+".") || (j < i && g == f) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, bson.E{Key: f, Value: int32(1)})
		}
	}
	return out, nil
}

// Package query is the typed filter, sort and aggregation language shared by
// every engine and store adapter. User JSON is parsed here, against a list of
// known fields, into an AST; only the AST ever reaches a store adapter, which
// compiles it to SQL or to a MongoDB filter. Raw user JSON never reaches a
// database.
package query

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// Kind is the stored type of a field, which decides how values compare.
type Kind string

// Field kinds. Dates and times are stored as canonical strings (see
// FormatTime), so they compare as strings in every store.
const (
	KindString  Kind = "string"
	KindInt     Kind = "int"     // integers: counts, fen, points
	KindDecimal Kind = "decimal" // exact decimal text; compared numerically
	KindBool    Kind = "bool"
	KindDate    Kind = "date" // "2006-01-02"
	KindTime    Kind = "time" // "2006-01-02T15:04:05.000Z" (UTC, fixed width)
)

// Field describes one filterable path of a collection's documents.
type Field struct {
	Path  string // dotted path, e.g. "address.city"
	Kind  Kind
	Array bool // the value is an array of Kind; operators match any element
}

// Fields is the set of paths a filter may name, by path.
type Fields map[string]Field

// NewFields builds a field set, always including the document id "_id".
func NewFields(list ...Field) Fields {
	fs := Fields{"_id": {Path: "_id", Kind: KindString}}
	for _, f := range list {
		fs[f.Path] = f
	}
	return fs
}

// Op names a node of the filter AST.
type Op string

// Filter operators. The JSON spelling is "$" + Op.
const (
	OpAnd        Op = "and"
	OpOr         Op = "or"
	OpNot        Op = "not"
	OpEq         Op = "eq"
	OpNe         Op = "ne"
	OpGt         Op = "gt"
	OpGte        Op = "gte"
	OpLt         Op = "lt"
	OpLte        Op = "lte"
	OpIn         Op = "in"
	OpNin        Op = "nin"
	OpExists     Op = "exists"
	OpContains   Op = "contains"   // substring of a string, or element of an array
	OpStartsWith Op = "startsWith" // string prefix
)

// Node is one node of a filter. Logical nodes (and, or, not) have Children;
// leaves have Field and Value (or Values for in/nin).
//
// Semantics every adapter must keep (MongoDB's, checked by storetest):
//   - a missing field and a JSON null are the same ("null");
//   - eq null matches null; ne null matches non-null;
//   - ne, nin and not match documents where the field is null;
//   - gt/gte/lt/lte/contains/startsWith never match null;
//   - on an array field a leaf matches when any element matches, and ne/nin
//     match when no element does;
//   - exists true matches non-null values (missing and null are one thing);
//   - an "and" with no children is true, an "or" with no children is false;
//   - decimals compare numerically and exactly (SQLite through exact
//     comparison functions, MongoDB through Decimal128); money is still
//     stored as integer fen, which every store compares natively.
type Node struct {
	Op       Op
	Children []*Node
	Field    Field
	Value    Value
	Values   []Value
}

// Value is a typed constant in a filter. Null is a Value with Null set.
type Value struct {
	Kind Kind
	Null bool
	Str  string // string, date, time, and decimal text
	Int  int64
	Bool bool
}

// Any returns the value as a plain Go value: nil, string, int64, bool, or
// json.Number for decimals.
func (v Value) Any() any {
	if v.Null {
		return nil
	}
	switch v.Kind {
	case KindInt:
		return v.Int
	case KindBool:
		return v.Bool
	case KindDecimal:
		return json.Number(v.Str)
	default:
		return v.Str
	}
}

func (v Value) String() string {
	if v.Null {
		return "null"
	}
	return fmt.Sprint(v.Any())
}

// True is the filter that matches everything.
func True() *Node { return &Node{Op: OpAnd} }

// False is the filter that matches nothing.
func False() *Node { return &Node{Op: OpOr} }

// And joins filters, dropping nil ones; nil when nothing is left is never
// returned (an empty And is true).
func And(items ...*Node) *Node { return join(OpAnd, items) }

// Or joins filters, dropping nil ones.
func Or(items ...*Node) *Node { return join(OpOr, items) }

// join makes an op node of the non-nil items; a single one stands alone.
func join(op Op, items []*Node) *Node {
	n := &Node{Op: op}
	for _, it := range items {
		if it != nil {
			n.Children = append(n.Children, it)
		}
	}
	if len(n.Children) == 1 {
		return n.Children[0]
	}
	return n
}

// Not negates a filter.
func Not(item *Node) *Node { return &Node{Op: OpNot, Children: []*Node{item}} }

// Cmp builds a comparison leaf (eq, ne, gt, gte, lt, lte, contains,
// startsWith) for engine code that builds filters directly.
func Cmp(f Field, op Op, v Value) *Node { return &Node{Op: op, Field: f, Value: v} }

// Eq is shorthand for an equality leaf.
func Eq(f Field, v Value) *Node { return Cmp(f, OpEq, v) }

// Str, Int, Bool, Dec and Null build Values.
func Str(s string) Value   { return Value{Kind: KindString, Str: s} }
func Int(i int64) Value    { return Value{Kind: KindInt, Int: i} }
func Bool(b bool) Value    { return Value{Kind: KindBool, Bool: b} }
func Dec(s string) Value   { return Value{Kind: KindDecimal, Str: s} }
func Null(k Kind) Value    { return Value{Kind: k, Null: true} }
func TimeV(s string) Value { return Value{Kind: KindTime, Str: s} }
func DateV(s string) Value { return Value{Kind: KindDate, Str: s} }

// pathRe is the shape of a safe field path: ASCII identifiers joined by dots.
// Adapters rely on it to embed paths in SQL JSON paths without quoting issues.
var pathRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z0-9_]{1,64}){0,7}$`)

// ValidPath reports whether p is a safe dotted field path.
func ValidPath(p string) bool { return pathRe.MatchString(p) }

// Walk calls fn on n and every node below it, depth first.
func Walk(n *Node, fn func(*Node)) {
	if n == nil {
		return
	}
	fn(n)
	for _, c := range n.Children {
		Walk(c, fn)
	}
}

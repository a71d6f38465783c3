package sqlite

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// sqlBuf accumulates one statement's text and its bound arguments. Values
// are only ever bound; the text holds nothing but fixed keywords, quoted
// identifiers and JSON paths that passed query.ValidPath.
type sqlBuf struct {
	b    strings.Builder
	args []any
}

func (s *sqlBuf) w(parts ...string) {
	for _, p := range parts {
		s.b.WriteString(p)
	}
}

func (s *sqlBuf) arg(v any) {
	s.b.WriteByte('?')
	s.args = append(s.args, v)
}

// fieldExpr returns the SQL expression reading a document path. The text is
// exactly the one EnsureIndexes puts in expression indexes, so SQLite's
// planner can match a filter or a sort to an index.
func fieldExpr(path string) (string, error) {
	if path == "_id" {
		return "id", nil
	}
	if !validPath(path) {
		return "", store.Wrapf(store.ErrInvalid, nil, "invalid field path %q", path)
	}
	return "json_extract(doc,'$." + path + "')", nil
}

// validPath is query.ValidPath, remembered: every filter, sort and patch
// checks its paths, a regular expression match each, and an application
// uses a few hundred distinct paths. Past maxValidPaths remembered paths
// (arbitrary input) new ones are only checked.
func validPath(path string) bool {
	if ok, hit := validPaths.Load(path); hit {
		return ok.(bool)
	}
	ok := query.ValidPath(path)
	if validPathCount.Load() < maxValidPaths {
		validPathCount.Add(1)
		validPaths.Store(path, ok)
	}
	return ok
}

var (
	validPaths     sync.Map // path -> bool
	validPathCount atomic.Int64
)

const maxValidPaths = 4096

// jsonPath is the SQLite JSON path literal of a validated dotted path.
func jsonPath(path string) string { return "'$." + path + "'" }

// operandOf maps a filter field to what its leaves compare: document
// paths for filters, output columns for an aggregation's HAVING.
type operandOf func(f query.Field) (operand, error)

func docOperandOf(f query.Field) (operand, error) {
	x, err := fieldExpr(f.Path)
	if err != nil {
		return operand{}, err
	}
	return docOperand(f.Path, x), nil
}

// aliasRe is the shape of an aggregation output name (query's own rule);
// names are checked again here because engine code may build specs directly.
var aliasRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// quoteAlias quotes a validated output name.
func quoteAlias(name string) (string, error) {
	if !aliasRe.MatchString(name) {
		return "", store.Wrapf(store.ErrInvalid, nil, "invalid output name %q", name)
	}
	return `"` + name + `"`, nil
}

// filterCompiler turns a query.Node into a WHERE expression. Every node
// compiles to a term that is 1, 0 or NULL, and NULL always means "no
// match": "not" wraps its child in IFNULL(...,0) so that a comparison with a
// null field (NULL in SQL) becomes a match of the negation, as MongoDB does.
type filterCompiler struct {
	out     *sqlBuf
	operand operandOf
	arrays  bool // whether Field.Array is honoured (document filters only)
}

// compileFilter appends the WHERE term of n ("1" for nil) to out.
func compileFilter(out *sqlBuf, n *query.Node) error {
	c := filterCompiler{out: out, operand: docOperandOf, arrays: true}
	return c.node(n, 0)
}

// maxFilterDepth guards against deep ASTs built by engine code (parsed
// filters are limited by query.MaxDepth already).
const maxFilterDepth = 64

func (c *filterCompiler) node(n *query.Node, depth int) error {
	if n == nil {
		c.out.w("1")
		return nil
	}
	if depth > maxFilterDepth {
		return store.Wrapf(store.ErrInvalid, nil, "filter is nested too deeply")
	}
	switch n.Op {
	case query.OpAnd, query.OpOr:
		if len(n.Children) == 0 {
			if n.Op == query.OpAnd {
				c.out.w("1")
			} else {
				c.out.w("0")
			}
			return nil
		}
		joiner := " AND "
		if n.Op == query.OpOr {
			joiner = " OR "
		}
		c.out.w("(")
		for i, ch := range n.Children {
			if i > 0 {
				c.out.w(joiner)
			}
			if err := c.node(ch, depth+1); err != nil {
				return err
			}
		}
		c.out.w(")")
		return nil
	case query.OpNot:
		if len(n.Children) != 1 {
			return store.Wrapf(store.ErrInvalid, nil, "not takes exactly one filter")
		}
		c.out.w("NOT IFNULL(")
		if err := c.node(n.Children[0], depth+1); err != nil {
			return err
		}
		c.out.w(",0)")
		return nil
	}
	if c.arrays && n.Field.Array {
		return c.arrayLeaf(n)
	}
	o, err := c.operand(n.Field)
	if err != nil {
		return err
	}
	return c.leaf(n, o)
}

// operand is what a leaf compares. x is the SQL value (json_extract of a
// path, a json_each value, or an aggregation output). text is the JSON text
// of the same value, read exactly where x is SQLite's float reading of a
// decimal; float says so, and lets decimal tests start with an
// index-friendly float range before the exact comparison.
type operand struct {
	x, text string
	float   bool
}

// docOperand is the operand of a document path.
func docOperand(path, x string) operand {
	if x == "id" {
		return operand{x: x, text: x}
	}
	return operand{x: x, text: "(doc -> " + jsonPath(path) + ")", float: true}
}

// leaf compiles a comparison of a scalar operand.
func (c *filterCompiler) leaf(n *query.Node, o operand) error {
	out := c.out
	v := n.Value
	x := o.x
	dec := n.Field.Kind == query.KindDecimal
	switch n.Op {
	case query.OpEq:
		if v.Null {
			out.w(x, " IS NULL")
			return nil
		}
		return c.eq(n.Field, o, v)
	case query.OpNe:
		if v.Null {
			out.w(x, " IS NOT NULL")
			return nil
		}
		if dec {
			out.w("(", x, " IS NULL OR NOT IFNULL(")
			if err := c.eq(n.Field, o, v); err != nil {
				return err
			}
			out.w(",0))")
			return nil
		}
		out.w("(", x, " IS NULL OR ", x, " <> ")
		if err := c.bind(v); err != nil {
			return err
		}
		out.w(")")
		return nil
	case query.OpGt, query.OpGte, query.OpLt, query.OpLte:
		if v.Null {
			// Nothing is greater or smaller than null (the parser refuses
			// this; engine-built nodes get the same meaning).
			out.w("0")
			return nil
		}
		if dec {
			return c.decCmp(n.Op, o, v)
		}
		out.w("(", x, cmpOps[n.Op])
		if err := c.bind(v); err != nil {
			return err
		}
		// Values of another type never compare (MongoDB's type brackets):
		// SQLite orders every number before every text, so one more bound
		// keeps numbers out of text ranges and text out of number ranges
		// while the range stays usable by an index.
		switch {
		case numericKind(n.Field.Kind) && (n.Op == query.OpGt || n.Op == query.OpGte):
			out.w(" AND ", x, " < ''")
		case textKind(n.Field.Kind) && (n.Op == query.OpLt || n.Op == query.OpLte):
			out.w(" AND ", x, " >= ''")
		}
		out.w(")")
		return nil
	case query.OpIn, query.OpNin:
		return c.in(n, o)
	case query.OpExists:
		return c.exists(n, x)
	case query.OpContains:
		if v.Null {
			out.w("0")
			return nil
		}
		// instr counts characters, not bytes, and is case-sensitive like
		// MongoDB's unanchored regex; unlike LIKE it has no wildcards. The
		// second test keeps numbers (which instr would read as text) out.
		out.w("(instr(", x, ", ")
		if err := c.bind(v); err != nil {
			return err
		}
		out.w(") > 0 AND ", x, " >= '')")
		return nil
	case query.OpStartsWith:
		if v.Null {
			out.w("0")
			return nil
		}
		return c.prefix(x, v.Str)
	}
	return store.Wrapf(store.ErrInvalid, nil, "unknown filter operator %q", n.Op)
}

func numericKind(k query.Kind) bool { return k == query.KindInt || k == query.KindDecimal }

func textKind(k query.Kind) bool {
	return k == query.KindString || k == query.KindDate || k == query.KindTime
}

// eq compiles "o equals the non-null v".
func (c *filterCompiler) eq(f query.Field, o operand, v query.Value) error {
	if f.Kind == query.KindDecimal {
		return c.decCmp(query.OpEq, o, v)
	}
	c.out.w(o.x, " = ")
	return c.bind(v)
}

var cmpOps = map[query.Op]string{
	query.OpGt: " > ", query.OpGte: " >= ", query.OpLt: " < ", query.OpLte: " <= ",
}

// prefix matches text starting with p as a byte range [p, successor(p)),
// which the planner can serve from an index (LIKE and substr() cannot) and
// which has no wildcard characters to escape. BINARY collation compares
// bytes, so the range holds exactly the strings with that prefix; numbers
// sort before text and fall outside it.
func (c *filterCompiler) prefix(x, p string) error {
	o := c.out
	o.w("(", x, " >= ")
	o.arg(p)
	if hi, ok := prefixSuccessor(p); ok {
		o.w(" AND ", x, " < ")
		o.arg(hi)
	} else {
		// No upper bound exists (empty prefix or all 0xFF bytes): every text
		// value from p on matches; the typeof test drops blobs.
		o.w(" AND typeof(", x, ") = 'text'")
	}
	o.w(")")
	return nil
}

// prefixSuccessor is the smallest byte string greater than every string
// that starts with p.
func prefixSuccessor(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// in compiles in and nin. A null in the list matches null fields; nin
// matches null fields unless null is listed.
func (c *filterCompiler) in(n *query.Node, o operand) error {
	out, x := c.out, o.x
	var vals []query.Value
	hasNull := false
	for _, v := range n.Values {
		if v.Null {
			hasNull = true
		} else {
			vals = append(vals, v)
		}
	}
	nin := n.Op == query.OpNin
	if len(vals) == 0 {
		switch {
		case !hasNull && nin:
			out.w("1")
		case !hasNull:
			out.w("0")
		case nin:
			out.w(x, " IS NOT NULL")
		default:
			out.w(x, " IS NULL")
		}
		return nil
	}
	// oneOf writes "o equals one of vals": x IN (...) or, for exact
	// decimals, one equality test per value.
	oneOf := func() error {
		if n.Field.Kind == query.KindDecimal {
			out.w("(")
			for i, v := range vals {
				if i > 0 {
					out.w(" OR ")
				}
				if err := c.eq(n.Field, o, v); err != nil {
					return err
				}
			}
			out.w(")")
			return nil
		}
		out.w(x, " IN (")
		for i, v := range vals {
			if i > 0 {
				out.w(", ")
			}
			if err := c.bind(v); err != nil {
				return err
			}
		}
		out.w(")")
		return nil
	}
	switch {
	case !nin:
		out.w("(")
		if err := oneOf(); err != nil {
			return err
		}
		if hasNull {
			out.w(" OR ", x, " IS NULL")
		}
		out.w(")")
	case hasNull:
		out.w("(", x, " IS NOT NULL AND NOT IFNULL(")
		if err := oneOf(); err != nil {
			return err
		}
		out.w(",0))")
	default:
		out.w("(", x, " IS NULL OR NOT IFNULL(")
		if err := oneOf(); err != nil {
			return err
		}
		out.w(",0))")
	}
	return nil
}

// exists tests for a non-null value: a missing field and a JSON null are
// the same null (query.Node), so $exists:false matches both. An empty list
// is not null.
func (c *filterCompiler) exists(n *query.Node, x string) error {
	want := n.Value.Bool && !n.Value.Null
	switch {
	case x == "id" && want:
		c.out.w("1") // the id is always present
	case x == "id":
		c.out.w("0")
	case want:
		c.out.w(x, " IS NOT NULL")
	default:
		c.out.w(x, " IS NULL")
	}
	return nil
}

// bind appends a typed constant. JSON booleans read back from json_extract
// as 1 and 0; dates and times compare as their canonical strings. Decimal
// fields never get here (decCmp compares them exactly); a decimal value on
// a field of another kind binds as the number SQLite would compare.
func (c *filterCompiler) bind(v query.Value) error {
	if v.Null {
		c.out.w("NULL")
		return nil
	}
	switch v.Kind {
	case query.KindInt:
		c.out.arg(v.Int)
	case query.KindBool:
		if v.Bool {
			c.out.arg(int64(1))
		} else {
			c.out.arg(int64(0))
		}
	case query.KindDecimal:
		n, err := decimalArg(v.Str)
		if err != nil {
			return err
		}
		c.out.arg(n)
	case query.KindString, query.KindDate, query.KindTime, "":
		if !utf8.ValidString(v.Str) {
			return store.Wrapf(store.ErrInvalid, nil, "filter text is not valid UTF-8")
		}
		c.out.arg(v.Str)
	default:
		return store.Wrapf(store.ErrInvalid, nil, "unknown value kind %q", v.Kind)
	}
	return nil
}

// decimalArg converts decimal text to the number SQLite compares it as.
func decimalArg(s string) (any, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, store.Wrapf(store.ErrInvalid, err, "invalid decimal %q", s)
	}
	return f, nil
}

// orderBy appends "ORDER BY keys..., id" for a find; nulls come first
// ascending and last descending, which is SQLite's own order.
func orderBy(out *sqlBuf, keys []query.SortKey) error {
	keys = query.WithIDTieBreak(keys)
	out.w(" ORDER BY ")
	for i, k := range keys {
		if k.Field.Array {
			return store.Wrapf(store.ErrInvalid, nil, "cannot sort by the list field %q", k.Field.Path)
		}
		x, err := fieldExpr(k.Field.Path)
		if err != nil {
			return err
		}
		if k.Field.Kind == query.KindDecimal && x != "id" {
			// Exact order: SQLite's float reading of long decimals ties
			// distinct values and may misround by one unit in the last
			// place, so decimals sort by their exact key (no index).
			x = decKeyFunc + "(doc -> " + jsonPath(k.Field.Path) + ")"
		}
		if i > 0 {
			out.w(", ")
		}
		out.w(x)
		if k.Desc {
			out.w(" DESC")
		}
	}
	return nil
}

// String renders the statement for tests and error causes.
func (s *sqlBuf) String() string { return fmt.Sprintf("%s %v", s.b.String(), s.args) }

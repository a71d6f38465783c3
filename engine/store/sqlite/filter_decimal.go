package sqlite

import (
	"strconv"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// decCmp compiles an exact decimal comparison (eq, gt, gte, lt, lte) of a
// non-null value. Where x is SQLite's float reading of the operand, a float
// range comes first: it is what an expression index on the path can serve,
// and it settles every row whose float lies clearly apart from v; only rows
// within two units in the last place of v reach the exact Go comparison of
// the JSON texts. Elsewhere (aggregation outputs) the exact test runs alone.
func (c *filterCompiler) decCmp(op query.Op, o operand, v query.Value) error {
	text, err := decValueText(v)
	if err != nil {
		return err
	}
	out := c.out
	exact := func(sqlOp string) {
		out.w(decCmpFunc, "(", o.text, ", ")
		out.arg(text)
		out.w(") ", sqlOp, " 0")
	}
	if !o.float {
		exact(decOps[op])
		return nil
	}
	lo, hi, ok := decBounds(text)
	if !ok {
		return store.Wrapf(store.ErrInvalid, nil, "invalid decimal %q", text)
	}
	x := o.x
	switch op {
	case query.OpEq:
		out.w("(", x, " BETWEEN ")
		out.arg(lo)
		out.w(" AND ")
		out.arg(hi)
		out.w(" AND ")
		exact("=")
		out.w(")")
	case query.OpGt, query.OpGte:
		// x < '' keeps text (which SQLite orders after numbers) out.
		out.w("(", x, " >= ")
		out.arg(lo)
		out.w(" AND ", x, " < '' AND (", x, " > ")
		out.arg(hi)
		out.w(" OR ")
		exact(decOps[op])
		out.w("))")
	case query.OpLt, query.OpLte:
		out.w("(", x, " <= ")
		out.arg(hi)
		out.w(" AND (", x, " < ")
		out.arg(lo)
		out.w(" OR ")
		exact(decOps[op])
		out.w("))")
	default:
		return store.Wrapf(store.ErrInvalid, nil, "unknown decimal comparison %q", op)
	}
	return nil
}

var decOps = map[query.Op]string{
	query.OpEq: "=", query.OpGt: ">", query.OpGte: ">=", query.OpLt: "<", query.OpLte: "<=",
}

// decValueText is the exact text of a value compared with a decimal field.
func decValueText(v query.Value) (string, error) {
	switch v.Kind {
	case query.KindDecimal:
		if _, ok := parseDec(v.Str); ok {
			return v.Str, nil
		}
	case query.KindInt:
		return strconv.FormatInt(v.Int, 10), nil
	}
	return "", store.Wrapf(store.ErrInvalid, nil, "a decimal field compares with a decimal value, not %q", v.String())
}

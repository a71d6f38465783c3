package sqlite

import (
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Binned group keys (query.GroupKey.Bins) go through one Go function,
// tangram_bin(kind, x, bound...), rather than a CASE of comparisons: a CASE
// reads the document path once per bound (SQLite does not share the
// json_extract calls), which made RFM scoring over a million members read
// fifteen paths per row instead of three.
const binFunc = "tangram_bin"

func init() {
	scalarFuncs = append(scalarFuncs, scalarFunc{name: binFunc, nargs: -1, fn: sqlBin})
}

// sqlBin is the bin index of x: how many bounds are at or below it. kind
// "i" compares an SQL number, "d" the exact JSON text of a decimal field
// (a JSON string there is quoted, so never a number), both exactly; "t"
// compares text bytewise. Null is null; a value of another type falls past
// every bound, as the comparisons of a filter would have it.
func sqlBin(a []any) any {
	if len(a) < 2 || a[1] == nil {
		return nil
	}
	kind, _ := a[0].(string)
	bounds := a[2:]
	n := int64(0)
	switch kind {
	case "i", "d":
		_, isText := a[1].(string)
		x, ok := decOf(a[1])
		if !ok || (isText && kind == "i") {
			return int64(len(bounds))
		}
		for _, b := range bounds {
			bd, ok := decOf(b)
			if !ok || cmpDec(bd, x) > 0 {
				break
			}
			n++
		}
	default:
		x, ok := a[1].(string)
		if !ok {
			return int64(len(bounds))
		}
		for _, b := range bounds {
			if s, _ := b.(string); s > x {
				break
			}
			n++
		}
	}
	return n
}

// bins writes the bin index of a value.
func (c *aggCompiler) bins(b *sqlBuf, g query.GroupKey, r docRef, rest, x string) error {
	kind := "t"
	switch g.Field.Kind {
	case query.KindInt:
		kind = "i"
	case query.KindDecimal:
		kind = "i"
		if rest != "_id" {
			kind, x = "d", r.raw(rest) // the exact JSON text
		}
	case query.KindDate, query.KindTime:
	default:
		return store.Wrapf(store.ErrInvalid, nil, "bins apply to number, date and time fields, not %q", g.Field.Path)
	}
	b.w(binFunc, "(")
	b.arg(kind)
	b.w(", ", x)
	for _, v := range g.Bins {
		if v.Null {
			return store.Wrapf(store.ErrInvalid, nil, "a bin bound cannot be null")
		}
		b.w(", ")
		switch v.Kind {
		case query.KindInt:
			b.arg(v.Int)
		default:
			b.arg(v.Str)
		}
	}
	b.w(")")
	return nil
}

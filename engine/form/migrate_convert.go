package form

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tangram/tangram/engine/query"
)

// Value conversion between two definitions of a field, shared by the
// check on save (does a stored value still fit?) and the migration (turn
// it into one that does). Both go through the target type's own Normalize,
// so what counts as a valid value is decided in one place, the type's
// file, and never restated here.

// fieldDef is one definition of a field with its registered type.
type fieldDef struct {
	f *Field
	t FieldType
}

// stored is the field's store representation.
func (d fieldDef) stored() Stored { return d.t.Stored(d.f) }

// computed reports whether the engine computes the field's values.
func (d fieldDef) computed() bool {
	c, ok := d.t.(Computed)
	return ok && c.Computed()
}

// isMoney reports whether the field stores integer fen for amounts that
// clients read and write in yuan.
func (d fieldDef) isMoney() bool { return d.f.Type == "money" }

// numericKind reports whether values of kind k are numbers.
func numericKind(k query.Kind) bool { return k == query.KindInt || k == query.KindDecimal }

// unitChange reports a change between money (fen) and another number
// (yuan, units, percent): the stored numbers look alike, so no check of the
// values can tell converted from unconverted ones; the change needs a
// migration whatever the values are.
func unitChange(from, to fieldDef) bool {
	return from.isMoney() != to.isMoney() && numericKind(from.stored().Kind) && numericKind(to.stored().Kind) &&
		!from.stored().Array && !to.stored().Array
}

// inputOf is a stored value as a client would send it for the field:
// the stored form itself, except for money, whose fen are sent as yuan.
func inputOf(d fieldDef, v any) any {
	if !d.isMoney() {
		return v
	}
	if n, ok := integerOf(v); ok {
		return FenToYuan(n)
	}
	return v
}

// integerOf reads a stored integer (adapters return json.Number).
func integerOf(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		return n, err == nil
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	return 0, false
}

// fits reports whether a stored value is a valid stored value of d as it
// is: the type accepts it and keeps it unchanged.
func fits(d fieldDef, v any) bool {
	if v == nil {
		return true
	}
	out, fe := d.t.Normalize(Ctx{Lang: "en", Path: d.f.Key}, d.f, inputOf(d, v))
	return len(fe) == 0 && sameJSON(out, v)
}

// convert turns a value stored under from into the stored form of to.
// changed is false when the value already fits (and, for a unit change,
// never: there every value is converted). problem says, in lang, why a
// value cannot be converted; values are never rounded or truncated to make
// them fit, since a silently altered amount or code is wrong data.
func convert(from, to fieldDef, v any, lang string) (out any, changed bool, problem string) {
	if v == nil {
		return nil, false, ""
	}
	if !unitChange(from, to) && fits(to, v) {
		return v, false, ""
	}
	in, problem := reshape(from, to, inputOf(from, v))
	if problem != "" {
		return nil, false, problem
	}
	c := Ctx{Lang: lang, Path: to.f.Key}
	out, fe := to.t.Normalize(c, to.f, in)
	if len(fe) > 0 {
		// Text that the type's import parser understands ("¥1,234.50",
		// "2026/11/23") converts like an imported cell would.
		if s, ok := in.(string); ok {
			if p, pfe := to.t.Parse(c, to.f, s); len(pfe) == 0 && p != nil {
				if o, nfe := to.t.Normalize(c, to.f, p); len(nfe) == 0 {
					out, fe = o, nil
				}
			}
		}
	}
	if len(fe) > 0 {
		return nil, false, fe[0].Message
	}
	return out, !sameJSON(out, v), ""
}

// reshape adapts an input value to the target's shape: one value becomes
// a list of one, a list of one becomes its value, numbers become text for
// text fields, and a time becomes its date in the default time zone.
func reshape(from, to fieldDef, in any) (any, string) {
	fs, ts := from.stored(), to.stored()
	if list, ok := asList(in); ok && !ts.Array {
		switch len(list) {
		case 0:
			return nil, ""
		case 1:
			in = list[0]
		default:
			return nil, fmt.Sprintf("holds %d values; a %s field holds one", len(list), to.f.Type)
		}
	} else if !ok && ts.Array {
		in = []any{in}
	}
	if ts.Kind == query.KindString && !ts.Array {
		switch x := in.(type) {
		case json.Number:
			in = string(x)
		case int64:
			in = strconv.FormatInt(x, 10)
		}
	}
	if fs.Kind == query.KindTime && ts.Kind == query.KindDate {
		if s, ok := in.(string); ok {
			if t, ok := parseDateTime(s, query.DefaultLocation); ok {
				in = t.In(query.DefaultLocation).Format(dateLayout)
			}
		}
	}
	return in, ""
}

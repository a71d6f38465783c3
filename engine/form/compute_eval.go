package form

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// errNoScripts is returned when a form has formulas and the service was
// built without a script engine: a wiring mistake, never a user error.
var errNoScripts = errs.New(errs.Internal, "record.no_script_engine", "formulas need a script engine")

// applyDefaults fills the fields a create left out with their default
// values; formula defaults see the values given so far, in stored form
// (money in fen), and give a stored value.
func (f *Form) applyDefaults(ctx context.Context, eng *script.Engine, rec store.Doc, lang string) ([]errs.FieldError, error) {
	var fe []errs.FieldError
	for _, fd := range f.Fields {
		dv, ok := f.defaults[fd.Key]
		if !ok {
			continue
		}
		if _, given := rec[fd.Key]; given {
			continue
		}
		if dv.formula == nil {
			rec[fd.Key] = deepCopy(dv.fixed)
			continue
		}
		v, bad, err := f.eval(ctx, eng, dv.formula, rec, lang)
		if err != nil {
			return nil, err
		}
		fe = append(fe, bad...)
		if len(bad) > 0 || v == nil {
			continue
		}
		// Formulas compute over stored values (money in fen), so their
		// result is a stored value too, like a formula field's.
		if sv, ok := storedResult(v, f.stored[fd.Key]); ok {
			rec[fd.Key] = sv
		} else {
			fe = append(fe, fieldErr(lang, fd.Key, "record.formula", fmt.Sprintf("%T", v)))
		}
	}
	return fe, nil
}

// evalFormulas computes the formula fields of rec in dependency order.
// With numberedOnly, only formulas reading an auto-number run (the second
// pass inside a create's transaction).
func (f *Form) evalFormulas(ctx context.Context, eng *script.Engine, rec store.Doc, lang string, numberedOnly bool) ([]errs.FieldError, error) {
	var fe []errs.FieldError
	for _, fm := range f.formulas {
		if numberedOnly && !f.numberedDeps(fm) {
			continue
		}
		v, bad, err := f.eval(ctx, eng, fm, rec, lang)
		if err != nil {
			return nil, err
		}
		if len(bad) > 0 {
			fe = append(fe, bad...)
			delete(rec, fm.key)
			continue
		}
		v, ok := storedResult(v, f.stored[fm.key])
		if !ok {
			fe = append(fe, fieldErr(lang, fm.key, "record.formula", fmt.Sprintf("%T", v)))
			delete(rec, fm.key)
			continue
		}
		if v == nil {
			delete(rec, fm.key)
		} else {
			rec[fm.key] = v
		}
	}
	return fe, nil
}

// eval runs one formula over rec. A failing formula (an exception, a
// timeout) is a field error at the formula's field: the record cannot be
// saved with a value nobody can compute.
func (f *Form) eval(ctx context.Context, eng *script.Engine, fm *formulaDef, rec store.Doc, lang string) (any, []errs.FieldError, error) {
	if eng == nil {
		return nil, nil, errNoScripts
	}
	args := make([]any, len(fm.params))
	for i, p := range fm.params {
		args[i] = rec[p]
	}
	v, err := eng.EvalFormula(ctx, fm.f, args...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		text := err.Error()
		if e, ok := errs.As(err); ok {
			text = e.Msg
		}
		return nil, []errs.FieldError{fieldErr(lang, fm.key, "record.formula", text)}, nil
	}
	return v, nil, nil
}

// storedResult converts a formula result to the stored kind of its field:
// integers (fen, points) round half away from zero, decimals keep their
// digits as text, dates and times must be canonical strings.
func storedResult(v any, st Stored) (any, bool) {
	if v == nil {
		return nil, true
	}
	if st.Array {
		list, ok := v.([]any)
		if !ok {
			return v, false
		}
		out := make([]any, 0, len(list))
		for _, it := range list {
			c, ok := storedResult(it, Stored{Kind: st.Kind})
			if !ok {
				return v, false
			}
			out = append(out, c)
		}
		return out, true
	}
	switch st.Kind {
	case query.KindInt:
		switch x := v.(type) {
		case int64:
			return x, true
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1<<53 {
				return v, false
			}
			return int64(math.Round(x)), true
		case json.Number:
			if i, err := x.Int64(); err == nil {
				return i, true
			}
			if r, ok := exactRat(x); ok {
				return roundRat(r), true
			}
		}
		return v, false
	case query.KindDecimal:
		switch x := v.(type) {
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), true
		case float64:
			return json.Number(strconv.FormatFloat(x, 'f', -1, 64)), true
		case json.Number:
			return x, true
		}
		return v, false
	case query.KindBool:
		b, ok := v.(bool)
		return b, ok
	case query.KindDate, query.KindTime:
		s, ok := v.(string)
		if !ok {
			return v, false
		}
		if st.Kind == query.KindTime {
			t, err := query.ParseTime(s, query.DefaultLocation)
			if err != nil {
				return v, false
			}
			return query.FormatTime(t), true
		}
		return s, len(s) == 10
	}
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return v, false
}

// deepCopy copies a JSON value so defaults shared by the compiled form
// are never changed through a record.
func deepCopy(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = deepCopy(it)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			out[k] = deepCopy(it)
		}
		return out
	}
	return v
}

// intOf reads an integer from a stored or Go value (0 when it is none).
func intOf(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case float64:
		return int64(x)
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			f, _ := x.Float64()
			return int64(f)
		}
		return i
	}
	return 0
}

// roundRat rounds half away from zero to an integer.
func roundRat(r *big.Rat) int64 {
	half := big.NewRat(1, 2)
	if r.Sign() < 0 {
		half.Neg(half)
	}
	x := new(big.Rat).Add(r, half)
	return new(big.Int).Quo(x.Num(), x.Denom()).Int64()
}

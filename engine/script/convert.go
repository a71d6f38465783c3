package script

import (
	"context"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/dop251/goja"

	"github.com/tangram/tangram/engine/errs"
)

// Conversions between Go and JavaScript are explicit in both directions.
// Going in, only JSON-like Go values, time.Time and HostFunc are accepted:
// goja's ToValue would otherwise wrap any struct, map or slice by
// reflection and hand scripts live Go objects with their methods. Coming
// out, values become what encoding/json would produce from JSON: nil, bool,
// string, int64 (integral numbers within ±(2^53-1)), float64, []any and
// map[string]any, within a byte and depth budget.

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// outputErr reports an oversized or unrepresentable result.
func outputErr(format string, args ...any) *errs.Error {
	e := errs.New(errs.Unprocessable, CodeOutput, format, args...)
	e.Cause = &ScriptError{Code: CodeOutput, Message: e.Msg}
	e.Fields = []errs.FieldError{{Path: "result", Code: CodeOutput, Message: e.Msg}}
	return e
}

// exporter turns a JavaScript value into a JSON-compatible Go value. The
// budget approximates the JSON encoding's size. Reading object properties
// may run getters or proxy traps, so export runs while the deadline is
// still armed.
type exporter struct {
	budget   int
	maxBytes int
	maxDepth int
}

func (s *slot) export(v goja.Value) (any, error) {
	x := exporter{budget: s.e.opts.MaxOutputBytes, maxBytes: s.e.opts.MaxOutputBytes, maxDepth: s.e.opts.MaxOutputDepth}
	out, _, err := x.value(v, 0)
	return out, err
}

func (x *exporter) spend(n int) error {
	x.budget -= n
	if x.budget < 0 {
		return outputErr("result is larger than %d bytes", x.maxBytes)
	}
	return nil
}

// value converts v; skip reports a function, symbol or undefined, which
// JSON leaves out of objects and turns into null elsewhere.
func (x *exporter) value(v goja.Value, depth int) (out any, skip bool, err error) {
	if v == nil || goja.IsUndefined(v) {
		return nil, true, x.spend(4)
	}
	if goja.IsNull(v) {
		return nil, false, x.spend(4)
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		if _, isSym := v.(*goja.Symbol); isSym {
			return nil, true, x.spend(4)
		}
		if goja.IsNumber(v) {
			// ToFloat instead of Export: Export boxes the number once more.
			return number(v.ToFloat()), false, x.spend(16)
		}
		return x.primitive(v.Export())
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		return nil, true, x.spend(4)
	}
	if depth >= x.maxDepth {
		return nil, false, outputErr("result is nested deeper than %d levels", x.maxDepth)
	}
	switch obj.ClassName() {
	case "Array":
		return x.array(obj, depth)
	case "Date":
		t, ok := obj.Export().(time.Time)
		if !ok || t.IsZero() {
			return nil, false, x.spend(4)
		}
		return t.UTC().Format(DatetimeLayout), false, x.spend(len(DatetimeLayout) + 2)
	case "String", "Number", "Boolean", "BigInt":
		return x.primitive(obj.Export())
	}
	keys := obj.Keys()
	if err := x.spend(2 + len(keys)); err != nil {
		return nil, false, err
	}
	m := make(map[string]any, len(keys))
	for _, k := range keys {
		val, skipped, err := x.value(obj.Get(k), depth+1)
		if err != nil {
			return nil, false, err
		}
		if skipped {
			continue
		}
		if err := x.spend(len(k) + 3); err != nil {
			return nil, false, err
		}
		m[k] = val
	}
	return m, false, nil
}

func (x *exporter) array(obj *goja.Object, depth int) (any, bool, error) {
	n := obj.Get("length").ToInteger()
	// Every element costs at least one byte plus a comma, so a huge length
	// (which costs nothing to set) fails before any allocation.
	if n < 0 || n > int64(x.budget) {
		return nil, false, outputErr("result is larger than %d bytes", x.maxBytes)
	}
	if err := x.spend(2 + int(n)); err != nil {
		return nil, false, err
	}
	out := make([]any, n)
	for i := range n {
		val, _, err := x.value(obj.Get(itoa(i)), depth+1)
		if err != nil {
			return nil, false, err
		}
		out[i] = val
	}
	return out, false, nil
}

func (x *exporter) primitive(p any) (any, bool, error) {
	switch p := p.(type) {
	case int64:
		return p, false, x.spend(8)
	case float64:
		return number(p), false, x.spend(16)
	case string:
		return p, false, x.spend(len(p) + 2)
	case bool:
		return p, false, x.spend(5)
	case *big.Int:
		if !p.IsInt64() {
			return nil, false, outputErr("BigInt %s does not fit in 64 bits", p.String())
		}
		return p.Int64(), false, x.spend(20)
	case nil:
		return nil, false, x.spend(4)
	}
	// Symbols and anything else JSON has no form for.
	return nil, true, x.spend(4)
}

// number maps a JavaScript number to int64 when it is integral and exact
// (so counts and fen stay integers, and -0 becomes 0), to float64
// otherwise, and NaN and ±Infinity to nil: JSON cannot hold them, and a
// division by zero in a computed field should leave it empty (as SQL's NULL)
// rather than refuse the whole record.
func number(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	if f == math.Trunc(f) && math.Abs(f) <= maxSafe {
		return int64(f)
	}
	return f
}

// toValue converts a Go value for the sandbox; see the comment at the top.
func (s *slot) toValue(v any, depth int) (goja.Value, error) {
	r := s.rt
	switch v := v.(type) {
	case nil:
		return goja.Null(), nil
	case int64:
		return r.ToValue(v), nil
	case float64:
		return r.ToValue(v), nil
	case string:
		return r.ToValue(v), nil
	case bool:
		return r.ToValue(v), nil
	case int:
		return r.ToValue(int64(v)), nil
	case int32:
		return r.ToValue(int64(v)), nil
	case int16:
		return r.ToValue(int64(v)), nil
	case int8:
		return r.ToValue(int64(v)), nil
	case uint:
		return r.ToValue(uint64ToFloatOrInt(uint64(v))), nil
	case uint64:
		return r.ToValue(uint64ToFloatOrInt(v)), nil
	case uint32:
		return r.ToValue(int64(v)), nil
	case uint16:
		return r.ToValue(int64(v)), nil
	case uint8:
		return r.ToValue(int64(v)), nil
	case float32:
		return r.ToValue(float64(v)), nil
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return r.ToValue(i), nil
		}
		f, err := v.Float64()
		if err != nil {
			return nil, inputErr("invalid json.Number %q", v.String())
		}
		return r.ToValue(f), nil
	case time.Time:
		return r.ToValue(v.UTC().Format(DatetimeLayout)), nil
	case HostFunc:
		return s.hostFunc("host", v), nil
	case func(context.Context, []any) (any, error):
		return s.hostFunc("host", v), nil
	}
	if depth >= s.e.opts.MaxOutputDepth {
		return nil, inputErr("value nested deeper than %d levels", s.e.opts.MaxOutputDepth)
	}
	switch v := v.(type) {
	case map[string]any:
		obj := r.NewObject()
		for k, item := range v {
			var val goja.Value
			var err error
			if fn, ok := item.(HostFunc); ok {
				val = s.hostFunc(k, fn)
			} else if val, err = s.toValue(item, depth+1); err != nil {
				return nil, err
			}
			if err := obj.Set(k, val); err != nil {
				return nil, inputErr("set %q: %v", k, err)
			}
		}
		return obj, nil
	case []any:
		return sliceValue(s, v, depth)
	case []string:
		return sliceValue(s, v, depth)
	case []int:
		return sliceValue(s, v, depth)
	case []int64:
		return sliceValue(s, v, depth)
	case []float64:
		return sliceValue(s, v, depth)
	case []map[string]any:
		return sliceValue(s, v, depth)
	}
	return nil, inputErr("unsupported Go type %T passed to a script", v)
}

func sliceValue[T any](s *slot, items []T, depth int) (goja.Value, error) {
	vals := make([]any, len(items))
	for i, item := range items {
		val, err := s.toValue(item, depth+1)
		if err != nil {
			return nil, err
		}
		vals[i] = val // a goja.Value passes through NewArray's ToValue as is
	}
	return s.rt.NewArray(vals...), nil
}

func uint64ToFloatOrInt(u uint64) any {
	if u <= math.MaxInt64 {
		return int64(u)
	}
	return float64(u)
}

package query

import (
	"fmt"
	"math/big"
	"time"

	"github.com/tangram/tangram/engine/errs"
)

// MaxBins bounds the bounds of one binned group key.
const MaxBins = 32

// ParseBins reads the bounds of a binned group key (see GroupKey.Bins)
// from decoded JSON values: numbers (or decimal strings) for number
// fields, dates for date fields, times (or dates, meaning midnight in loc)
// for time fields. Bounds must be strictly ascending. path prefixes error
// paths ("groupBy[0].bins").
func ParseBins(vals []any, f Field, loc *time.Location, path string) ([]Value, []errs.FieldError) {
	var fe []errs.FieldError
	add := func(p, code, format string, args ...any) {
		fe = append(fe, errs.FieldError{Path: p, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	switch f.Kind {
	case KindInt, KindDecimal, KindDate, KindTime:
	default:
		add(path, "query.operator_type", "bins apply to number, date and time fields, not to a %s field", f.Kind)
		return nil, fe
	}
	if f.Array {
		add(path, "query.operator_type", "cannot bin the list field %q", f.Path)
		return nil, fe
	}
	if len(vals) == 0 || len(vals) > MaxBins {
		add(path, "query.bins", "give between 1 and %d bounds", MaxBins)
		return nil, fe
	}
	if loc == nil {
		loc = DefaultLocation
	}
	p := &parser{opt: Options{Location: loc}}
	out := make([]Value, 0, len(vals))
	for i, v := range vals {
		ip := fmt.Sprintf("%s[%d]", path, i)
		if v == nil {
			add(ip, "query.type", "a bound cannot be null")
			continue
		}
		// An integer field may be binned at decimal bounds (spend in fen
		// at 0.5 yuan steps would not need it, averages would).
		bf := f
		if bf.Kind == KindInt {
			if _, ok := ToInt(v); !ok {
				bf.Kind = KindDecimal
			}
		}
		val, ok := p.value(bf, v, ip)
		if !ok {
			continue
		}
		if n := len(out); n > 0 && CompareValues(out[n-1], val) >= 0 {
			add(ip, "query.bins", "bounds must be strictly ascending")
		}
		out = append(out, val)
	}
	fe = append(fe, p.errs...)
	if len(fe) > 0 {
		return nil, fe
	}
	return out, nil
}

// CompareValues orders two non-null values of comparable kinds: numbers
// (int and decimal, exactly) numerically, everything else as text, which
// is time order for canonical dates and times.
func CompareValues(a, b Value) int {
	ra, oka := ratOf(a)
	rb, okb := ratOf(b)
	if oka && okb {
		return ra.Cmp(rb)
	}
	switch {
	case a.Str < b.Str:
		return -1
	case a.Str > b.Str:
		return 1
	}
	return 0
}

func ratOf(v Value) (*big.Rat, bool) {
	switch v.Kind {
	case KindInt:
		return new(big.Rat).SetInt64(v.Int), true
	case KindDecimal:
		return new(big.Rat).SetString(v.Str)
	}
	return nil, false
}

// BinOf returns the bin index of a non-null value (see GroupKey.Bins):
// the number of bounds at or below it.
func BinOf(v Value, bins []Value) int {
	i := 0
	for i < len(bins) && CompareValues(bins[i], v) <= 0 {
		i++
	}
	return i
}

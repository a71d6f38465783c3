package rules

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tangram/tangram/engine/query"
)

// value is one typed value of a column, in the form evaluation compares.
// Which fields are used depends on the column type:
//
//	int       n
//	decimal   d, and n when scaled (see scaleTo)
//	date      n: days since 1970-01-01
//	datetime  n: Unix nanoseconds
//	bool      n: 0 or 1
//	string    s
//	list      list
type value struct {
	set    bool // false: the input is missing (null)
	scaled bool // decimal: n is d × 10^-scale exactly, for the column's scale
	n      int64
	s      string
	d      decimal.Decimal
	list   []string
}

// ordered reports whether a type has an order, and so range operators.
func ordered(t Type) bool {
	return t == TypeInt || t == TypeDecimal || t == TypeDate || t == TypeDatetime
}

// validType reports whether t is a known column type.
func validType(t Type) bool {
	switch t {
	case TypeString, TypeInt, TypeDecimal, TypeDate, TypeDatetime, TypeBool, TypeList:
		return true
	}
	return false
}

// cmpValues orders two set values of an ordered type (or bool).
func cmpValues(t Type, a, b *value) int {
	if t == TypeDecimal && !(a.scaled && b.scaled) {
		return a.d.Cmp(b.d)
	}
	switch {
	case a.n < b.n:
		return -1
	case a.n > b.n:
		return 1
	}
	return 0
}

// equalValues compares two set values of a scalar type.
func equalValues(t Type, a, b *value) bool {
	if t == TypeString {
		return a.s == b.s
	}
	return cmpValues(t, a, b) == 0
}

// scaleTo sets v.n to v.d × 10^-exp when that is an exact int64, so that
// decimals of one column compare as integers: every constant of a column is
// brought to the column's finest exponent at compile time and each input
// once per evaluation, which keeps big-number work out of the row loop.
func (v *value) scaleTo(exp int32) {
	v.scaled = false
	if !v.set {
		return
	}
	coef, e := v.d.Coefficient(), v.d.Exponent()
	if !coef.IsInt64() || e-exp > 18 || exp-e > 18 {
		return // too large for the integer path: compared as a decimal
	}
	n, p := coef.Int64(), pow10[abs32(e-exp)]
	switch {
	case e >= exp:
		if n > math.MaxInt64/p || n < math.MinInt64/p {
			return
		}
		n *= p
	case n%p != 0:
		return // finer than the column's constants: compared as a decimal
	default:
		n /= p
	}
	v.n, v.scaled = n, true
}

var pow10 = func() (t [19]int64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// parseDecimalText reads decimal text as query filters accept it: an
// optional minus, at most 30 integer digits without leading zeros, at most
// 18 fraction digits, no exponent. It is hand-written rather than a regular
// expression plus decimal.NewFromString because inputs are read on every
// evaluation: up to 18 digits it builds the coefficient directly.
func parseDecimalText(s string) (decimal.Decimal, bool) {
	i, neg := 0, false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intDigits := i - start
	if intDigits == 0 || intDigits > 30 || (intDigits > 1 && s[start] == '0') {
		return decimal.Decimal{}, false
	}
	frac := 0
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if frac = i - fs; frac == 0 || frac > 18 {
			return decimal.Decimal{}, false
		}
	}
	if i != len(s) {
		return decimal.Decimal{}, false
	}
	if intDigits+frac > 18 {
		d, err := decimal.NewFromString(s)
		return d, err == nil
	}
	var n int64
	for j := start; j < len(s); j++ {
		if s[j] != '.' {
			n = n*10 + int64(s[j]-'0')
		}
	}
	if neg {
		n = -n
	}
	return decimal.New(n, int32(-frac)), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseDay reads "2026-10-01" as days since 1970-01-01, refusing dates that
// do not exist (2026-02-30).
func parseDay(s string) (int64, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	num := func(part string) int {
		n := 0
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return -1
			}
			n = n*10 + int(part[i]-'0')
		}
		return n
	}
	y, m, d := num(s[:4]), num(s[5:7]), num(s[8:])
	if y < 0 || m < 1 || m > 12 || d < 1 {
		return 0, false
	}
	tm := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if tm.Day() != d {
		return 0, false // time.Date normalized an overflowing day
	}
	return floorDiv(tm.Unix(), 86400), true
}

// The instants a datetime can hold (Unix nanoseconds in an int64).
var (
	minInstant = time.Unix(0, math.MinInt64)
	maxInstant = time.Unix(0, math.MaxInt64)
)

// expectations say what a column type takes, for error messages.
var expectations = map[Type]string{
	TypeString:   "expected text",
	TypeInt:      "expected an integer",
	TypeDecimal:  `expected a decimal (a number, or a string such as "12.50")`,
	TypeDate:     `expected a date such as "2026-10-01"`,
	TypeDatetime: `expected a date-time such as "2026-10-01T10:00:00+08:00"`,
	TypeBool:     "expected true or false",
	TypeList:     "expected a list of text",
}

// parseConst reads a constant written in a table (a cell operand, an output
// value, a default), decoded with json.Number. Only JSON shapes are
// accepted from tables. It returns the value or the reason it does not fit.
func parseConst(t Type, v any, loc *time.Location) (value, string) {
	switch t {
	case TypeList:
		arr, ok := v.([]any)
		if !ok {
			return value{}, expectations[t]
		}
		out := make([]string, 0, len(arr))
		for _, it := range arr {
			s, ok := it.(string)
			if !ok {
				return value{}, expectations[t]
			}
			out = append(out, s)
		}
		return value{set: true, list: out}, ""
	}
	return parseScalar(t, v, loc)
}

// parseScalar reads one scalar of type t from a JSON-decoded value or from
// the Go values other engines pass (int64, float64, time.Time,
// decimal.Decimal).
func parseScalar(t Type, v any, loc *time.Location) (value, string) {
	bad := func() (value, string) { return value{}, expectations[t] }
	switch t {
	case TypeString:
		if s, ok := v.(string); ok {
			return value{set: true, s: s}, ""
		}
	case TypeBool:
		if b, ok := v.(bool); ok {
			n := int64(0)
			if b {
				n = 1
			}
			return value{set: true, n: n}, ""
		}
	case TypeInt:
		if n, ok := query.ToInt(v); ok {
			return value{set: true, n: n}, ""
		}
	case TypeDecimal:
		if d, ok := toDecimal(v); ok {
			return value{set: true, d: d}, ""
		}
	case TypeDate:
		switch x := v.(type) {
		case string:
			if n, ok := parseDay(x); ok {
				return value{set: true, n: n}, ""
			}
			// An instant (a script's now()) is the day it falls on in
			// the table's zone, as a time.Time is.
			if len(x) > len("2006-01-02") {
				if tm, err := time.Parse(time.RFC3339Nano, x); err == nil {
					return parseScalar(t, tm, loc)
				}
			}
		case time.Time:
			y, m, d := x.In(loc).Date()
			return value{set: true, n: floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), 86400)}, ""
		}
	case TypeDatetime:
		var tm time.Time
		switch x := v.(type) {
		case string:
			p, err := query.ParseTime(x, loc)
			if err != nil {
				return bad()
			}
			tm = p
		case time.Time:
			tm = x
		default:
			return bad()
		}
		if tm.Before(minInstant) || tm.After(maxInstant) {
			return value{}, "is outside the supported years 1678 to 2262"
		}
		return value{set: true, n: tm.UnixNano()}, ""
	}
	return bad()
}

func toDecimal(v any) (decimal.Decimal, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = x
	case int:
		return decimal.NewFromInt(int64(x)), true
	case int64:
		return decimal.NewFromInt(x), true
	case decimal.Decimal:
		return x, true
	case float64:
		// The shortest text that round-trips the float is the decimal the
		// caller meant (0.1, not 0.1000000000000000055...).
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return decimal.Decimal{}, false
		}
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return decimal.Decimal{}, false
	}
	return parseDecimalText(s)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// goValue is the value as callers receive it in a result: string, int64,
// decimal.Decimal (JSON: a string), bool, "2026-10-01" for dates, the
// canonical UTC text of query.FormatTime for datetimes, []string for lists.
func goValue(t Type, v *value) any {
	if !v.set {
		return nil
	}
	switch t {
	case TypeString:
		return v.s
	case TypeInt:
		return v.n
	case TypeDecimal:
		return v.d
	case TypeBool:
		return v.n == 1
	case TypeDate:
		return formatDay(v.n)
	case TypeDatetime:
		return query.FormatTime(time.Unix(0, v.n))
	case TypeList:
		return append([]string{}, v.list...)
	}
	return nil
}

func formatDay(days int64) string { return time.Unix(days*86400, 0).UTC().Format(time.DateOnly) }
